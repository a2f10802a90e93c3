//! Command line and environment configuration: one `Config`, every limit named.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use clap::{Args, Parser, Subcommand};
use ipnet::IpNet;

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
    Serve(Box<ServeConfig>),
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
    /// SQLite only: rows a statement may read ahead of the request taking
    /// them. Each SQLite connection runs on a thread of its own that hands
    /// rows over through a queue of this size; when it is full, that thread
    /// stops until the request drains it, so a read of more rows than this
    /// crosses between the threads several times (BENCHMARKS.md, "(a)";
    /// sqlx's own default is 50).
    #[arg(long, env = "PREP_SQLITE_ROW_BUFFER", default_value_t = DEFAULT_SQLITE_ROW_BUFFER)]
    pub sqlite_row_buffer: usize,
}

/// Default of `--sqlite-row-buffer`.
pub const DEFAULT_SQLITE_ROW_BUFFER: usize = 1000;

/// Settings of the `serve` command.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "PREP_BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,
    /// A second address serving only `/healthz`, `/readyz` and `/metrics`, with
    /// connection slots of its own, so probes and scrapes answer while client
    /// connections fill every slot of `--bind`. Keep it off the public network.
    #[arg(long, env = "PREP_ADMIN_BIND")]
    pub admin_bind: Option<SocketAddr>,
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[command(flatten)]
    pub limits: ApiLimits,
    #[command(flatten)]
    pub auth: AuthConfig,
    #[command(flatten)]
    pub mail: MailConfig,
    #[command(flatten)]
    pub drafts: DraftLimits,
    #[command(flatten)]
    pub interviews: InterviewLimits,
    #[command(flatten)]
    pub practice: PracticeLimits,
    #[command(flatten)]
    pub sharing: SharingLimits,
    #[command(flatten)]
    pub ws: WsConfig,
    #[command(flatten)]
    pub http: HttpConfig,
    /// Log format.
    #[arg(long, env = "PREP_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Seconds that in-flight requests get to finish after a shutdown signal.
    #[arg(long, env = "PREP_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,
}

/// What the API needs of the configuration, apart from where to listen and store.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub api: ApiLimits,
    pub auth: AuthConfig,
    pub mail: MailConfig,
    pub drafts: DraftLimits,
    pub interviews: InterviewLimits,
    pub practice: PracticeLimits,
    pub sharing: SharingLimits,
    pub ws: WsConfig,
    pub http: HttpConfig,
}

impl ServeConfig {
    /// The API settings of this configuration.
    pub fn settings(&self) -> Settings {
        Settings {
            api: self.limits.clone(),
            auth: self.auth.clone(),
            mail: self.mail.clone(),
            drafts: self.drafts.clone(),
            interviews: self.interviews.clone(),
            practice: self.practice.clone(),
            sharing: self.sharing.clone(),
            ws: self.ws.clone(),
            http: self.http.clone(),
        }
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Hardening: query limits (for every transport), HTTP, browser security, production mode.
#[derive(Debug, Clone, Args)]
pub struct HttpConfig {
    /// Deepest selection nesting a query may have. The IDEs' schema introspection
    /// needs 14 (GraphiQL's); deeper data queries are not useful here.
    #[arg(long, env = "PREP_MAX_DEPTH", default_value_t = 15)]
    pub max_depth: usize,
    /// Highest query complexity (lists cost their `first`/`last`, or 10, times their selection).
    #[arg(long, env = "PREP_MAX_COMPLEXITY", default_value_t = 250_000)]
    pub max_complexity: usize,
    /// What one `__schema` field costs in query complexity (async-graphql
    /// counts it as 1, though it answers the whole schema, ~110 KB).
    #[arg(long, env = "PREP_INTROSPECTION_COST", default_value_t = 100_000)]
    pub introspection_cost: usize,
    /// Most aliases in one document.
    #[arg(long, env = "PREP_MAX_ALIASES", default_value_t = 50)]
    pub max_aliases: usize,
    /// Largest query document, in bytes.
    #[arg(long, env = "PREP_MAX_DOCUMENT_BYTES", default_value_t = 32 * 1024)]
    pub max_document_bytes: usize,
    /// Most lexical tokens in one document.
    #[arg(long, env = "PREP_MAX_TOKENS", default_value_t = 4000)]
    pub max_tokens: usize,
    /// Most directives on one field.
    #[arg(long, env = "PREP_MAX_DIRECTIVES", default_value_t = 4)]
    pub max_directives_per_field: usize,
    /// Deepest nesting the parser and validator follow (fragments, lists, objects).
    #[arg(long, env = "PREP_MAX_RECURSION", default_value_t = 32)]
    pub max_recursion: usize,
    /// Largest request body, in bytes; more (or an endless body) gets 413.
    #[arg(long, env = "PREP_MAX_BODY_BYTES", default_value_t = 256 * 1024)]
    pub max_body_bytes: usize,
    /// Seconds one operation may execute before it is cut off.
    #[arg(long, env = "PREP_EXECUTION_TIMEOUT_SECS", default_value_t = 10)]
    pub execution_timeout_secs: u64,
    /// Queries and mutations executing at once; more wait their turn within the execution
    /// timeout (cache hits never wait). Each executing answer is held whole in memory, so this
    /// bounds the memory a burst can take. 0 means four per core.
    #[arg(long, env = "PREP_MAX_CONCURRENT_OPERATIONS", default_value_t = 0)]
    pub max_concurrent_operations: usize,
    /// How many of those one viewer (an account, or an anonymous client address) may
    /// hold at once; its further operations wait for its own turn, so one viewer's
    /// burst of expensive documents cannot keep everyone else waiting. 0 means half of
    /// `--max-concurrent-operations` (at least one).
    #[arg(
        long,
        env = "PREP_MAX_CONCURRENT_OPERATIONS_PER_VIEWER",
        default_value_t = 0
    )]
    pub max_concurrent_operations_per_viewer: usize,
    /// Largest answer of a query or mutation, in serialized bytes; a larger one is
    /// dropped and answered with a `RESPONSE_TOO_LARGE` error instead.
    #[arg(long, env = "PREP_MAX_RESPONSE_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub max_response_bytes: usize,
    /// Seconds a client has to send a request's headers (and an idle keep-alive lives); a new
    /// connection's first request counts from when it opened.
    #[arg(long, env = "PREP_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,
    /// Seconds a request may take in all, body included.
    #[arg(long, env = "PREP_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Origins allowed to call the API from a browser (CORS); none by default.
    #[arg(long, env = "PREP_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Production mode: no introspection, no "Did you mean" suggestions, no IDE pages.
    #[arg(long, env = "PREP_PRODUCTION")]
    pub production: bool,
    /// Turn introspection off (implied by --production).
    #[arg(long, env = "PREP_DISABLE_INTROSPECTION")]
    pub disable_introspection: bool,
    /// Leave "Did you mean" suggestions out of errors (implied by --production).
    #[arg(long, env = "PREP_DISABLE_SUGGESTIONS")]
    pub disable_suggestions: bool,
    /// Do not serve /playground and /graphiql (implied by --production).
    #[arg(long, env = "PREP_DISABLE_IDE")]
    pub disable_ide: bool,
    /// Anonymous query answers cached until the next content import (0 turns the cache off).
    #[arg(long, env = "PREP_RESPONSE_CACHE_ENTRIES", default_value_t = 512)]
    pub response_cache_entries: usize,
    /// Bytes the response cache may hold in all.
    #[arg(long, env = "PREP_RESPONSE_CACHE_MAX_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub response_cache_max_bytes: usize,
    /// Automatic persisted queries remembered (LRU).
    #[arg(long, env = "PREP_APQ_CACHE_SIZE", default_value_t = 1000)]
    pub apq_cache_size: usize,
    /// Bytes the automatic persisted queries may hold (their hashes and
    /// texts); the least recently used go first.
    #[arg(long, env = "PREP_APQ_CACHE_MAX_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub apq_cache_max_bytes: usize,
    /// Allow-list mode: run only the documents in this directory's `.graphql` files.
    #[arg(long, env = "PREP_PERSISTED_QUERIES_DIR")]
    pub persisted_queries_dir: Option<std::path::PathBuf>,
    /// The `node_modules` directory holding the IDE packages (`npm ci --prefix src/http/ide`);
    /// without them the IDE pages load their assets from a CDN.
    #[arg(long, env = "PREP_IDE_ASSETS_DIR", default_value = DEFAULT_IDE_ASSETS_DIR)]
    pub ide_assets_dir: std::path::PathBuf,
    /// Serve the built single-page app from this directory (e.g. `examples/spa/dist`);
    /// a page navigation to a path that is neither a file nor an API route gets `index.html`.
    #[arg(long, env = "PREP_SPA_DIR")]
    pub spa_dir: Option<std::path::PathBuf>,
    /// Reverse proxies whose forwarding header names the client (comma-separated CIDRs or
    /// addresses); none by default, and then forwarding headers are ignored.
    #[arg(long, env = "PREP_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: ProxyList,
    /// The forwarding header the trusted proxies append the client address to.
    #[arg(long, env = "PREP_CLIENT_IP_HEADER", value_enum, default_value_t = ForwardedHeader::XForwardedFor)]
    pub client_ip_header: ForwardedHeader,
    /// Most client connections open at once, WebSockets included; further ones wait
    /// in the listen backlog until one closes.
    #[arg(long, env = "PREP_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Most connections one client address may hold open at once, on every protocol
    /// (HTTP/1.1, h2c, and WebSockets for as long as they live, signed in or not); a
    /// connection past it is closed at once. Counted by the TCP peer, so a trusted
    /// proxy's connections are not (it holds them for many clients). 0: no cap.
    #[arg(long, env = "PREP_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 64)]
    pub max_connections_per_address: usize,
    /// Connections the `--admin-bind` listener holds open at once (its own slots,
    /// apart from `--max-connections`).
    #[arg(long, env = "PREP_ADMIN_MAX_CONNECTIONS", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..))]
    pub admin_max_connections: u32,
    /// IPv6 clients are counted per network of this prefix length by every
    /// per-address limit (connections, sockets, login and registration throttles):
    /// one host is usually given a whole /64, so counting single addresses would
    /// let it escape every cap.
    #[arg(long, env = "PREP_IPV6_PREFIX_LEN", default_value_t = 64, value_parser = clap::value_parser!(u8).range(1..=128))]
    pub ipv6_prefix_len: u8,
    /// Seconds a connection may stay open with no request in flight once it has sent one
    /// (HTTP/2 gets a GOAWAY; HTTP/1.1 keep-alive ends sooner, at the header read timeout).
    #[arg(long, env = "PREP_CONNECTION_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    pub connection_idle_timeout_secs: u64,
    /// Seconds between HTTP/2 pings that detect a vanished client (0: no pings).
    #[arg(long, env = "PREP_HTTP2_KEEPALIVE_INTERVAL_SECS", default_value_t = 20)]
    pub http2_keepalive_interval_secs: u64,
    /// Seconds an HTTP/2 ping may go unanswered before the connection is closed.
    #[arg(long, env = "PREP_HTTP2_KEEPALIVE_TIMEOUT_SECS", default_value_t = 20)]
    pub http2_keepalive_timeout_secs: u64,
    /// Bytes of an unread request body discarded after an early answer (such as 413), so a
    /// client still sending reads the answer instead of a connection reset.
    #[arg(long, env = "PREP_LINGER_MAX_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub linger_max_bytes: usize,
    /// Seconds spent at most discarding such a body before the connection is closed.
    #[arg(long, env = "PREP_LINGER_TIMEOUT_SECS", default_value_t = 5)]
    pub linger_timeout_secs: u64,
    /// Smallest response body, in bytes, that is compressed (br or gzip, as the client
    /// accepts); smaller ones go as they are, where compressing saves too little.
    #[arg(long, env = "PREP_COMPRESS_MIN_BYTES", default_value_t = 1024)]
    pub compress_min_bytes: u16,
    /// Seconds a shared cache (CDN, reverse proxy) or browser may keep a public GET answer
    /// before revalidating it (`Cache-Control: public, max-age`); an import is seen by
    /// such caches at most this long after it commits.
    #[arg(long, env = "PREP_HTTP_CACHE_MAX_AGE_SECS", default_value_t = 60)]
    pub http_cache_max_age_secs: u32,
    /// Seconds past `max-age` a cache may still answer with its copy while it revalidates in
    /// the background (`stale-while-revalidate`); 0 leaves the directive out.
    #[arg(long, env = "PREP_HTTP_CACHE_SWR_SECS", default_value_t = 60)]
    pub http_cache_swr_secs: u32,
}

/// Where `npm ci --prefix src/http/ide` installs the IDE packages, from the repository root.
pub const DEFAULT_IDE_ASSETS_DIR: &str = "src/http/ide/node_modules";

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            max_depth: 15,
            max_complexity: 250_000,
            introspection_cost: 100_000,
            max_aliases: 50,
            max_document_bytes: 32 * 1024,
            max_tokens: 4000,
            max_directives_per_field: 4,
            max_recursion: 32,
            max_body_bytes: 256 * 1024,
            execution_timeout_secs: 10,
            max_concurrent_operations: 0,
            max_concurrent_operations_per_viewer: 0,
            max_response_bytes: 4 * 1024 * 1024,
            header_read_timeout_secs: 10,
            request_timeout_secs: 30,
            cors_origins: Vec::new(),
            production: false,
            disable_introspection: false,
            disable_suggestions: false,
            disable_ide: false,
            response_cache_entries: 512,
            response_cache_max_bytes: 64 * 1024 * 1024,
            apq_cache_size: 1000,
            apq_cache_max_bytes: 4 * 1024 * 1024,
            persisted_queries_dir: None,
            ide_assets_dir: DEFAULT_IDE_ASSETS_DIR.into(),
            spa_dir: None,
            trusted_proxies: ProxyList::default(),
            client_ip_header: ForwardedHeader::XForwardedFor,
            max_connections: 512,
            max_connections_per_address: 64,
            admin_max_connections: 16,
            ipv6_prefix_len: 64,
            connection_idle_timeout_secs: 60,
            http2_keepalive_interval_secs: 20,
            http2_keepalive_timeout_secs: 20,
            linger_max_bytes: 8 * 1024 * 1024,
            linger_timeout_secs: 5,
            compress_min_bytes: 1024,
            http_cache_max_age_secs: 60,
            http_cache_swr_secs: 60,
        }
    }
}

impl HttpConfig {
    /// Whether introspection is off.
    pub fn introspection_off(&self) -> bool {
        self.production || self.disable_introspection
    }
    /// Whether suggestions are left out of errors.
    pub fn suggestions_off(&self) -> bool {
        self.production || self.disable_suggestions
    }
    /// Whether the IDE pages are off.
    pub fn ide_off(&self) -> bool {
        self.production || self.disable_ide
    }
    /// Operations one viewer may execute at once
    /// (`max_concurrent_operations_per_viewer`, 0 resolved).
    pub fn concurrent_operations_per_viewer(&self) -> usize {
        match self.max_concurrent_operations_per_viewer {
            0 => (self.concurrent_operations() / 2).max(1),
            n => n,
        }
    }
    /// Operations that may execute at once (`max_concurrent_operations`, 0 resolved).
    pub fn concurrent_operations(&self) -> usize {
        match self.max_concurrent_operations {
            0 => 4 * std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        }
    }
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
    /// Microseconds a batch of nested reads waits for more keys before its
    /// statement runs. 0 runs it as soon as every resolver of the level has
    /// asked: nested lists batch through their siblings, not through time
    /// (`graphql::loaders`), and each microsecond here is added to every level
    /// of every answer.
    #[arg(long, env = "PREP_BATCH_DELAY_MICROS", default_value_t = 0)]
    pub batch_delay_micros: u64,
}

impl Default for ApiLimits {
    fn default() -> Self {
        Self {
            default_page_size: 20,
            max_page_size: 100,
            batch_delay_micros: 0,
        }
    }
}

/// Accounts, sessions and login throttling.
#[derive(Debug, Clone, Args)]
pub struct AuthConfig {
    /// Seconds a session token stays valid (default 30 days).
    #[arg(long, env = "PREP_SESSION_TTL_SECS", default_value_t = 30 * 24 * 3600)]
    pub session_ttl_secs: u64,
    /// Shortest password accepted, in characters.
    #[arg(long, env = "PREP_PASSWORD_MIN_CHARS", default_value_t = 10)]
    pub password_min_chars: usize,
    /// Longest password accepted, in characters (hashing cost grows with length).
    #[arg(long, env = "PREP_PASSWORD_MAX_CHARS", default_value_t = 256)]
    pub password_max_chars: usize,
    /// Password hashes computed at once (each takes 19 MiB and a core); 0 means one per core.
    #[arg(long, env = "PREP_HASH_CONCURRENCY", default_value_t = 0)]
    pub hash_concurrency: usize,
    /// Failed logins allowed per email from one client address within the window (counted per
    /// address, so failures elsewhere never lock the account's owner out).
    #[arg(long, env = "PREP_LOGIN_FAILURES_PER_EMAIL", default_value_t = 5)]
    pub login_failures_per_email: u32,
    /// Failed logins allowed per client address within the window.
    #[arg(long, env = "PREP_LOGIN_FAILURES_PER_ADDRESS", default_value_t = 20)]
    pub login_failures_per_address: u32,
    /// Length of the failed-login window, in seconds.
    #[arg(long, env = "PREP_LOGIN_FAILURE_WINDOW_SECS", default_value_t = 900)]
    pub login_failure_window_secs: u64,
    /// Accounts one client address may register within the registration window;
    /// more get `RATE_LIMITED`. Every attempt with well-formed input counts,
    /// one for a taken email too (else the throttle would be a free email oracle).
    #[arg(long, env = "PREP_REGISTRATIONS_PER_ADDRESS", default_value_t = 10)]
    pub registrations_per_address: u32,
    /// Length of the registration window, in seconds.
    #[arg(long, env = "PREP_REGISTRATION_WINDOW_SECS", default_value_t = 3600)]
    pub registration_window_secs: u64,
    /// A session's last use is written at most this often, in seconds (a
    /// request within it after the last write writes nothing).
    #[arg(long, env = "PREP_SESSION_TOUCH_SECS", default_value_t = 60)]
    pub session_touch_secs: u64,
    /// Seconds between the background task's deletions of expired and ended sessions.
    #[arg(long, env = "PREP_SESSION_PRUNE_INTERVAL_SECS", default_value_t = 3600)]
    pub session_prune_interval_secs: u64,
    /// Minutes a password-reset link stays valid.
    #[arg(long, env = "PREP_RESET_TTL_MINS", default_value_t = 30)]
    pub reset_ttl_mins: u64,
    /// Password-reset requests per email (from any address) within the reset window.
    #[arg(long, env = "PREP_RESET_REQUESTS_PER_EMAIL", default_value_t = 3)]
    pub reset_requests_per_email: u32,
    /// Password-reset requests per client address within the reset window.
    #[arg(long, env = "PREP_RESET_REQUESTS_PER_ADDRESS", default_value_t = 10)]
    pub reset_requests_per_address: u32,
    /// Length of the password-reset request window, in seconds.
    #[arg(long, env = "PREP_RESET_REQUEST_WINDOW_SECS", default_value_t = 3600)]
    pub reset_request_window_secs: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_ttl_secs: 30 * 24 * 3600,
            password_min_chars: 10,
            password_max_chars: 256,
            hash_concurrency: 0,
            login_failures_per_email: 5,
            login_failures_per_address: 20,
            login_failure_window_secs: 900,
            registrations_per_address: 10,
            registration_window_secs: 3600,
            session_touch_secs: 60,
            session_prune_interval_secs: 3600,
            reset_ttl_mins: 30,
            reset_requests_per_email: 3,
            reset_requests_per_address: 10,
            reset_request_window_secs: 3600,
        }
    }
}

/// Outgoing mail (password resets): the SMTP server, the sender, the links.
#[derive(Debug, Clone, Args)]
pub struct MailConfig {
    /// SMTP server: `smtps://user:pass@host:465` (TLS), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtp://host:25` (no TLS). Unset: mails are written to the log,
    /// and password reset is refused in `--production`.
    #[arg(long, env = "PREP_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The `From` of every mail.
    #[arg(
        long,
        env = "PREP_MAIL_FROM",
        default_value = "Interview prep <no-reply@localhost>"
    )]
    pub mail_from: String,
    /// The origin the links in mails and in the calendar feed point at (the web app's address).
    #[arg(long, env = "PREP_PUBLIC_URL", default_value = "http://127.0.0.1:8000")]
    pub public_url: String,
    /// Seconds between the sender's looks at the outbox when nothing wakes it.
    #[arg(long, env = "PREP_MAIL_POLL_SECS", default_value_t = 5)]
    pub mail_poll_secs: u64,
    /// Seconds before the first retry of a failed send; each further one waits twice as long.
    #[arg(long, env = "PREP_MAIL_RETRY_BASE_SECS", default_value_t = 5)]
    pub mail_retry_base_secs: u64,
    /// Longest wait between two retries, in seconds.
    #[arg(long, env = "PREP_MAIL_RETRY_MAX_SECS", default_value_t = 300)]
    pub mail_retry_max_secs: u64,
    /// Seconds one SMTP conversation may take before it counts as failed.
    #[arg(long, env = "PREP_SMTP_TIMEOUT_SECS", default_value_t = 20)]
    pub smtp_timeout_secs: u64,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            mail_from: "Interview prep <no-reply@localhost>".to_owned(),
            public_url: "http://127.0.0.1:8000".to_owned(),
            mail_poll_secs: 5,
            mail_retry_base_secs: 5,
            mail_retry_max_secs: 300,
            smtp_timeout_secs: 20,
        }
    }
}

/// Sizes of STAR drafts.
#[derive(Debug, Clone, Args)]
pub struct DraftLimits {
    /// Longest draft title, in characters.
    #[arg(long, env = "PREP_DRAFT_TITLE_MAX_CHARS", default_value_t = 200)]
    pub title_max_chars: usize,
    /// Longest Situation, Task, Action or Result, in characters.
    #[arg(long, env = "PREP_DRAFT_SECTION_MAX_CHARS", default_value_t = 5000)]
    pub section_max_chars: usize,
    /// Most drafts one user may keep.
    #[arg(long, env = "PREP_MAX_DRAFTS_PER_USER", default_value_t = 500)]
    pub max_drafts_per_user: u64,
    /// Most competencies one draft may be tagged with.
    #[arg(long, env = "PREP_MAX_COMPETENCIES_PER_DRAFT", default_value_t = 10)]
    pub max_competencies_per_draft: usize,
    /// Most questions one draft may be linked to.
    #[arg(long, env = "PREP_MAX_QUESTIONS_PER_DRAFT", default_value_t = 20)]
    pub max_questions_per_draft: usize,
    /// A draft linked to more questions than this, of more than one role, gets
    /// the `STORY_REUSED_ACROSS_ROLES` suggestion.
    #[arg(long, env = "PREP_STORY_REUSE_MAX_QUESTIONS", default_value_t = 3)]
    pub story_reuse_max_questions: usize,
}

impl Default for DraftLimits {
    fn default() -> Self {
        Self {
            title_max_chars: 200,
            section_max_chars: 5000,
            max_drafts_per_user: 500,
            max_competencies_per_draft: 10,
            max_questions_per_draft: 20,
            story_reuse_max_questions: 3,
        }
    }
}

/// Sizes of interviews and their plans, and the calendar feed's reminder.
#[derive(Debug, Clone, Args)]
pub struct InterviewLimits {
    /// Most interviews one user may keep.
    #[arg(long, env = "PREP_MAX_INTERVIEWS_PER_USER", default_value_t = 100)]
    pub max_interviews_per_user: u64,
    /// Most tasks a candidate may add to one interview's plan.
    #[arg(
        long,
        env = "PREP_MAX_CUSTOM_TASKS_PER_INTERVIEW",
        default_value_t = 50
    )]
    pub max_custom_tasks_per_interview: u64,
    /// Longest company name, in characters.
    #[arg(long, env = "PREP_INTERVIEW_COMPANY_MAX_CHARS", default_value_t = 200)]
    pub company_max_chars: usize,
    /// Longest interview notes, in characters.
    #[arg(long, env = "PREP_INTERVIEW_NOTES_MAX_CHARS", default_value_t = 5000)]
    pub notes_max_chars: usize,
    /// Longest plan task text, in characters.
    #[arg(long, env = "PREP_PLAN_TASK_MAX_CHARS", default_value_t = 500)]
    pub task_text_max_chars: usize,
    /// How many days ahead an interview may be scheduled; also how far from
    /// today, either way, a plan task may be due.
    #[arg(long, env = "PREP_INTERVIEW_MAX_DAYS_AHEAD", default_value_t = 730)]
    pub max_days_ahead: u32,
    /// Minutes before an interview the calendar feed's reminder (VALARM)
    /// goes off; 0: the feed's events carry no reminder.
    #[arg(long, env = "PREP_CALENDAR_REMINDER_MINS", default_value_t = 60, value_parser = clap::value_parser!(u32).range(0..=10080))]
    pub calendar_reminder_mins: u32,
}

impl Default for InterviewLimits {
    fn default() -> Self {
        Self {
            max_interviews_per_user: 100,
            max_custom_tasks_per_interview: 50,
            company_max_chars: 200,
            notes_max_chars: 5000,
            task_text_max_chars: 500,
            max_days_ahead: 730,
            calendar_reminder_mins: 60,
        }
    }
}

/// Practice attempts.
#[derive(Debug, Clone, Args)]
pub struct PracticeLimits {
    /// Minutes after its start within which a practice attempt may be finished.
    #[arg(long, env = "PREP_PRACTICE_MAX_MINUTES", default_value_t = 15)]
    pub practice_max_minutes: u32,
    /// Longest practice transcript, in characters.
    #[arg(
        long,
        env = "PREP_PRACTICE_TRANSCRIPT_MAX_CHARS",
        default_value_t = 10_000
    )]
    pub practice_transcript_max_chars: usize,
    /// Seconds a client's measured duration may exceed the server's before the server's is used.
    #[arg(
        long,
        env = "PREP_PRACTICE_DURATION_TOLERANCE_SECS",
        default_value_t = 5
    )]
    pub practice_duration_tolerance_secs: u32,
    /// Most practice attempts one user may keep.
    #[arg(
        long,
        env = "PREP_MAX_PRACTICE_ATTEMPTS_PER_USER",
        default_value_t = 2000
    )]
    pub max_practice_attempts_per_user: u64,
}

impl Default for PracticeLimits {
    fn default() -> Self {
        Self {
            practice_max_minutes: 15,
            practice_transcript_max_chars: 10_000,
            practice_duration_tolerance_secs: 5,
            max_practice_attempts_per_user: 2000,
        }
    }
}

/// Sharing with a coach, and comments.
#[derive(Debug, Clone, Args)]
pub struct SharingLimits {
    /// Most accounts that may accept one share.
    #[arg(long, env = "PREP_MAX_GRANTS_PER_SHARE", default_value_t = 5)]
    pub max_grants_per_share: u64,
    /// Most shares one account may keep.
    #[arg(long, env = "PREP_MAX_SHARES_PER_USER", default_value_t = 50)]
    pub max_shares_per_user: u64,
    /// Longest note on a share, in characters.
    #[arg(long, env = "PREP_SHARE_NOTE_MAX_CHARS", default_value_t = 500)]
    pub share_note_max_chars: usize,
    /// Longest comment, in characters.
    #[arg(long, env = "PREP_COMMENT_MAX_CHARS", default_value_t = 2000)]
    pub comment_max_chars: usize,
    /// Longest quote a comment may carry, in characters.
    #[arg(long, env = "PREP_COMMENT_QUOTE_MAX_CHARS", default_value_t = 500)]
    pub comment_quote_max_chars: usize,
    /// Most comments (replies included) one draft may hold.
    #[arg(long, env = "PREP_MAX_COMMENTS_PER_DRAFT", default_value_t = 200)]
    pub max_comments_per_draft: u64,
}

impl Default for SharingLimits {
    fn default() -> Self {
        Self {
            max_grants_per_share: 5,
            max_shares_per_user: 50,
            share_note_max_chars: 500,
            comment_max_chars: 2000,
            comment_quote_max_chars: 500,
            max_comments_per_draft: 200,
        }
    }
}

/// WebSocket subscriptions.
#[derive(Debug, Clone, Args)]
pub struct WsConfig {
    /// Seconds a client has to send `connection_init` before the socket is closed (4408).
    #[arg(long, env = "PREP_WS_INIT_TIMEOUT_SECS", default_value_t = 10)]
    pub ws_init_timeout_secs: u64,
    /// Operations one connection may run at once.
    #[arg(long, env = "PREP_WS_MAX_SUBSCRIPTIONS", default_value_t = 20)]
    pub ws_max_subscriptions_per_connection: usize,
    /// Open connections one account may have on this instance.
    #[arg(long, env = "PREP_WS_MAX_CONNECTIONS_PER_USER", default_value_t = 10)]
    pub ws_max_connections_per_user: usize,
    /// Operations one account may run at once over all its sockets on this
    /// instance (more get a `RATE_LIMITED` error), so that the per-connection
    /// cap does not multiply by the per-account connection cap.
    #[arg(long, env = "PREP_WS_MAX_SUBSCRIPTIONS_PER_USER", default_value_t = 40)]
    pub ws_max_subscriptions_per_user: usize,
    /// Seconds between keep-alive messages (`ka` on the legacy protocol).
    #[arg(long, env = "PREP_WS_KEEPALIVE_SECS", default_value_t = 15)]
    pub ws_keepalive_secs: u64,
    /// Draft events buffered per instance; a subscriber further behind skips to the latest state.
    #[arg(long, env = "PREP_EVENT_BUFFER", default_value_t = 256)]
    pub event_buffer: usize,
    /// PostgreSQL: seconds between the heartbeats each instance sends on the event channel.
    /// An instance whose listener has heard nothing for three of them counts it as down
    /// (a connection that died without a reset is otherwise noticed only when TCP gives up).
    #[arg(long, env = "PREP_EVENT_HEARTBEAT_SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub event_heartbeat_secs: u64,
    /// Largest WebSocket message or frame, in bytes (default: `--max-body-bytes`).
    #[arg(long, env = "PREP_WS_MAX_MESSAGE_BYTES")]
    pub ws_max_message_bytes: Option<usize>,
    /// Sockets one client address may hold open before sending `connection_init`;
    /// more upgrades get 429.
    #[arg(long, env = "PREP_WS_MAX_PENDING_PER_ADDRESS", default_value_t = 16)]
    pub ws_max_pending_per_address: usize,
    /// Acknowledged anonymous sockets one client address may hold open (4429 beyond).
    #[arg(long, env = "PREP_WS_MAX_ANONYMOUS_PER_ADDRESS", default_value_t = 32)]
    pub ws_max_anonymous_per_address: usize,
    /// Bytes of answers and events one socket may have waiting to be written to a
    /// client that does not read them; past it the socket is closed (4413) instead
    /// of buffering more.
    #[arg(long, env = "PREP_WS_MAX_QUEUED_BYTES", default_value_t = 1024 * 1024)]
    pub ws_max_queued_bytes: usize,
    /// Seconds one message may take to be written to a socket's client; a client
    /// that reads nothing for that long is closed (4413) even while what waits for
    /// it is under `--ws-max-queued-bytes`.
    #[arg(long, env = "PREP_WS_WRITE_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub ws_write_timeout_secs: u64,
    /// Seconds an acknowledged socket with no running operation stays open.
    #[arg(long, env = "PREP_WS_IDLE_TIMEOUT_SECS", default_value_t = 300)]
    pub ws_idle_timeout_secs: u64,
    /// Milliseconds a socket whose session ended (sign-out, account deleted)
    /// keeps sending what its operations already hold (the DELETED events of
    /// a deleted account) before it closes with 4403.
    #[arg(long, env = "PREP_WS_SESSION_END_FLUSH_MS", default_value_t = 200, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pub ws_session_end_flush_ms: u64,
}

impl Default for WsConfig {
    fn default() -> Self {
        Self {
            ws_init_timeout_secs: 10,
            ws_max_subscriptions_per_connection: 20,
            ws_max_connections_per_user: 10,
            ws_max_subscriptions_per_user: 40,
            ws_keepalive_secs: 15,
            event_buffer: 256,
            event_heartbeat_secs: 5,
            ws_max_message_bytes: None,
            ws_max_pending_per_address: 16,
            ws_max_anonymous_per_address: 32,
            ws_max_queued_bytes: 1024 * 1024,
            ws_write_timeout_secs: 30,
            ws_idle_timeout_secs: 300,
            ws_session_end_flush_ms: 200,
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
    /// Also list the slugs of the roles created, updated and left unchanged
    /// (without it only their counts are printed).
    #[arg(short, long)]
    pub verbose: bool,
    /// Roles from which on an import shows a progress bar while it writes
    /// (only when standard error is a terminal).
    #[arg(long, env = "PREP_IMPORT_PROGRESS_MIN_ROLES", default_value_t = 50)]
    pub progress_min_roles: usize,
}

/// Which forwarding header the trusted proxies maintain.
///
/// Only the one the proxies append to may be read: a client can send the
/// other one too, and a proxy that does not know it passes it on untouched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx, HAProxy, most cloud load balancers).
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`.
    Forwarded,
}

impl ForwardedHeader {
    /// The header's name, lowercase.
    pub fn name(self) -> &'static str {
        match self {
            Self::XForwardedFor => "x-forwarded-for",
            Self::Forwarded => "forwarded",
        }
    }
}

/// Parses one `--trusted-proxies` entry: a CIDR (`10.0.0.0/8`) or a single address.
pub fn parse_cidr(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    IpNet::from_str(text)
        .or_else(|_| IpAddr::from_str(text).map(IpNet::from))
        .map(|net| net.trunc())
        .map_err(|_| format!("{text:?} is neither a CIDR (10.0.0.0/8) nor an IP address"))
}

/// The `--trusted-proxies` list: comma-separated CIDRs or addresses. An empty
/// value (an unset variable in a container template) is an empty list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyList(pub Vec<IpNet>);

impl FromStr for ProxyList {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        text.split(',')
            .filter(|item| !item.trim().is_empty())
            .map(parse_cidr)
            .collect::<Result<_, _>>()
            .map(Self)
    }
}
