//! The HTTP application: state, routes, start-up preparation and serving.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use async_graphql::http::{GraphQLPlaygroundConfig, GraphiQLSource, playground_source};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use crate::config::ApiLimits;
use crate::content::{self, ContentLimits};
use crate::graphql::{self, AppSchema, loaders};

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: AppSchema,
}

impl AppState {
    /// State over an open (and prepared) database.
    pub fn new(db: DatabaseConnection, limits: ApiLimits) -> Self {
        let schema = graphql::build_schema(db.clone(), limits);
        Self { db, schema }
    }
}

/// Runs pending migrations and, when the database holds no role, imports the bundled content.
pub async fn prepare(db: &DatabaseConnection) -> anyhow::Result<()> {
    use anyhow::Context as _;
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

/// The whole router: GraphQL, the IDEs and health.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/playground", get(playground))
        .route("/graphiql", get(graphiql))
        .route("/", get(|| async { Redirect::temporary("/playground") }))
        .route("/healthz", get(healthz))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn execute(state: &AppState, request: async_graphql::Request) -> GraphQLResponse {
    let request = request.data(loaders::new_loader(&state.db));
    let mut response = state.schema.execute(request).await;
    crate::error::finish_response(&mut response);
    response.into()
}

async fn graphql_post(State(state): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    execute(&state, request.into_inner()).await
}

async fn graphql_get(State(state): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    execute(&state, request.into_inner()).await
}

async fn playground() -> Html<String> {
    Html(playground_source(
        GraphQLPlaygroundConfig::new("/graphql").subscription_endpoint("/graphql"),
    ))
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql")
            .finish(),
    )
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Serves `router` on `listener` until `shutdown` completes; in-flight requests
/// then get `grace` to finish before the remaining connections are dropped.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (stopping_tx, mut stopping_rx) = tokio::sync::watch::channel(false);
    let signal = async move {
        shutdown.await;
        let _ = stopping_tx.send(true);
    };
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal);
    let deadline = async move {
        if stopping_rx.wait_for(|stopping| *stopping).await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!(?grace, "requests still running after the grace period; closing");
            Ok(())
        }
    }
}
