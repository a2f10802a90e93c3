//! Start-up: preparing the database and serving the router, used by `main`
//! and by tests. State and routes are the transport's (`http::state`,
//! `http::router`).

use std::future::Future;
use std::time::Duration;

use anyhow::Context as _;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use tokio::net::TcpListener;

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
    let stopping = state.shutdown.clone();
    let settings = state.settings.clone();
    server::run(
        listener,
        router::router(state),
        &settings.http,
        stopping,
        shutdown,
        grace,
    )
    .await
}
