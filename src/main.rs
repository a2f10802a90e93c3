//! Binary entry point: parse configuration, set up logging, run the chosen command.

use std::io::{IsTerminal as _, Write as _};
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use tokio::net::TcpListener;

use prep_graphql::config::{Cli, Command, ImportConfig, LogFormat, ServeConfig};
use prep_graphql::{app, content, db, schema};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let json_logs = match &cli.command {
        Some(Command::Serve(config)) => config.log_format == LogFormat::Json,
        None => cli.serve.log_format == LogFormat::Json,
        _ => false,
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
    if json_logs {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(config)) => serve(*config).await,
        Some(Command::Import(config)) => import(config).await,
        Some(Command::Schema) => {
            print!("{}", schema::sdl());
            Ok(())
        }
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let mut db = db::connect(&config.database)
        .await
        .context("connecting to the database")?;
    // Before the pool is cloned anywhere, so every statement is counted.
    db.set_metric_callback(|_| prep_graphql::metrics::DB_STATEMENTS.inc());
    app::prepare(&db).await?;
    prep_graphql::accounts::password::configure(config.auth.hash_concurrency);
    let state = prep_graphql::http::state::AppState::new(db.clone(), config.settings())?;
    let listener = TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("binding {}", config.bind))?;
    let admin = match config.admin_bind {
        Some(bind) => Some(
            TcpListener::bind(bind)
                .await
                .with_context(|| format!("binding {bind} (--admin-bind)"))?,
        ),
        None => None,
    };
    let addr = listener.local_addr()?;
    let mut urls =
        format!("prep-graphql listening on http://{addr}\n  GraphQL:    http://{addr}/graphql\n");
    if !config.http.ide_off() {
        urls += &format!(
            "  Playground: http://{addr}/playground\n  GraphiQL:   http://{addr}/graphiql\n"
        );
    }
    if config.http.spa_dir.is_some() {
        urls += &format!("  App:        http://{addr}/\n");
    }
    if let Some(admin) = &admin {
        let admin = admin.local_addr()?;
        urls += &format!("  Admin:      http://{admin}/healthz, /readyz, /metrics\n");
    }
    // A closed stdout (a supervisor that stopped reading) must not stop the server.
    let _ = write!(std::io::stdout(), "{urls}");
    let _ = std::io::stdout().flush();
    app::serve_with_admin(
        listener,
        admin,
        state,
        shutdown_signal(),
        Duration::from_secs(config.shutdown_grace_secs),
    )
    .await?;
    db.close().await.ok();
    tracing::info!("stopped");
    Ok(())
}

async fn import(config: ImportConfig) -> anyhow::Result<()> {
    let files = content::read_files(&config.paths).context("reading content files")?;
    let db = db::connect(&config.database)
        .await
        .context("connecting to the database")?;
    db::migrate(&db).await.context("running migrations")?;
    let bar = progress_bar(config.progress_min_roles, files.len());
    let result = content::import_with_progress(
        &db,
        &files,
        &content::ContentLimits::default(),
        |progress| {
            if let Some(bar) = &bar {
                bar.set_length(progress.total as u64);
                bar.set_position(progress.done as u64);
            }
        },
    )
    .await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(report) => {
            print!("{}", report.summary(files.len(), config.verbose));
            Ok(())
        }
        Err(content::ImportError::Invalid(errors)) => {
            for line in &errors {
                eprintln!("{line}");
            }
            anyhow::bail!("{} problem(s) found; nothing was imported", errors.len())
        }
        Err(e) => Err(e.into()),
    }
}

/// A progress bar on standard error for an import of `files` files (one role
/// each), when there are at least `min_roles` and someone watches: a pipe or
/// a log file gets no control characters.
fn progress_bar(min_roles: usize, files: usize) -> Option<indicatif::ProgressBar> {
    if files < min_roles || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(files as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let style = indicatif::ProgressStyle::with_template(
        "importing {bar:40} {pos}/{len} roles, {elapsed} (about {eta} left)",
    );
    // The template is fixed text: it parses, but a failure would only cost the style.
    if let Ok(style) = style {
        bar.set_style(style);
    }
    Some(bar)
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
