//! Start-up: preparing the database and serving the router, used by `main`
//! and by tests. State and routes are the transport's (`http::state`,
//! `http::router`).

use std::future::Future;
use std::time::Duration;

use anyhow::Context as _;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use tokio::net::TcpListener;

use crate::config::HttpConfig;
use crate::content::{self, ContentLimits};
use crate::http::state::AppState;
use crate::http::{router, server};

/// Runs pending migrations and, when the database holds no role, imports the bundled content.
pub async fn prepare(db: &DatabaseConnection) -> anyhow::Result<()> {
    crate::db::migrate(db).await.context("running migrations")?;
    let roles = entity::role::Entity::find()
        .count(db)
        .await
        .context("counting roles")?;
    if roles == 0 {
        let files: Vec<(String, String)> = content::BUNDLED
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect();
        let report = content::import(db, &files, &ContentLimits::default())
            .await
            .context("importing the bundled content")?;
        tracing::info!(created = ?report.created, "imported the bundled content");
    }
    Ok(())
}

/// Serves `state` on `listener` until `shutdown` completes.
///
/// Then readiness fails, WebSockets close (1001), no connection is accepted,
/// and in-flight requests get `grace` to finish before the rest are dropped.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    serve_with_admin(listener, None, state, shutdown, grace).await
}

/// Like [`serve`], and when `admin` is given, serves health, readiness and
/// metrics on it with connection slots of its own (`--admin-bind`), until
/// the client listener has drained.
pub async fn serve_with_admin(
    listener: TcpListener,
    admin: Option<TcpListener>,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let stopping = state.shutdown.clone();
    let settings = state.settings.clone();
    let (admin_stop, admin_stopped) = tokio::sync::oneshot::channel::<()>();
    let admin_task = admin.map(|admin| {
        let config = HttpConfig {
            max_connections: settings.http.admin_max_connections,
            // Probes and scrapers come from few addresses; the slots are theirs.
            max_connections_per_address: 0,
            ..settings.http.clone()
        };
        let (router, stopping) = (router::admin_router(state.clone()), stopping.clone());
        tokio::spawn(async move {
            let stop = async move {
                let _ = admin_stopped.await;
            };
            server::run(admin, router, &config, stopping, stop, Duration::ZERO).await
        })
    });
    let served = server::run(
        listener,
        router::router(state),
        &settings.http,
        stopping,
        shutdown,
        grace,
    )
    .await;
    let _ = admin_stop.send(());
    if let Some(task) = admin_task {
        match task.await {
            Ok(Err(e)) => tracing::warn!(error = %e, "admin listener"),
            Err(e) => tracing::warn!(error = %e, "admin listener task"),
            Ok(Ok(())) => {}
        }
    }
    served
}
