//! Command line and environment configuration: one `Config`, every limit named.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

/// `prep-graphql`: the GraphQL backend of the interview-preparation platform.
#[derive(Debug, Parser)]
#[command(name = "prep-graphql", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings of `serve`, also accepted without a subcommand.
    #[command(flatten)]
    pub serve: ServeConfig,
}

/// The subcommands; none means `serve`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run migrations, import the bundled content into an empty database, and serve the API.
    Serve(ServeConfig),
    /// Validate and import content files (or directories of `.toml` files) in one transaction.
    Import(ImportConfig),
    /// Print the GraphQL schema (SDL); `schema.graphql` is this output.
    Schema,
}

/// Where the database is.
#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// Database URL: `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://prep.db?mode=rwc"
    )]
    pub database_url: String,
    /// Largest number of pooled database connections.
    #[arg(long, env = "PREP_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub db_max_connections: u32,
    /// Seconds to wait for a pooled connection before failing a request.
    #[arg(long, env = "PREP_DB_ACQUIRE_TIMEOUT_SECS", default_value_t = 5)]
    pub db_acquire_timeout_secs: u64,
}

/// Settings of the `serve` command.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "PREP_BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[command(flatten)]
    pub limits: ApiLimits,
    /// Seconds that in-flight requests get to finish after a shutdown signal.
    #[arg(long, env = "PREP_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,
}

/// Limits of the GraphQL API.
#[derive(Debug, Clone, Args)]
pub struct ApiLimits {
    /// Page size of a connection when neither `first` nor `last` is given.
    #[arg(long, env = "PREP_DEFAULT_PAGE_SIZE", default_value_t = 20)]
    pub default_page_size: u32,
    /// Largest `first`/`last` a connection accepts; a larger one is an error.
    #[arg(long, env = "PREP_MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: u32,
}

impl Default for ApiLimits {
    fn default() -> Self {
        Self {
            default_page_size: 20,
            max_page_size: 100,
        }
    }
}

/// Settings of the `import` command.
#[derive(Debug, Clone, Args)]
pub struct ImportConfig {
    #[command(flatten)]
    pub database: DatabaseConfig,
    /// Content files or directories holding them.
    #[arg(required = true)]
    pub paths: Vec<std::path::PathBuf>,
}
