//! The HTTP application: state, routes, start-up preparation and serving.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::http::{GraphQLPlaygroundConfig, GraphiQLSource, playground_source};
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::trace::TraceLayer;

use crate::auth::{self, Viewer};
use crate::config::Settings;
use crate::content::{self, ContentLimits};
use crate::events::EventBus;
use crate::graphql::accounts::ClientAddress;
use crate::graphql::{self, AppSchema, loaders};
use crate::ws::{self, ConnectionCounts};

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub settings: Arc<Settings>,
    pub events: EventBus,
    /// Open WebSocket connections per account.
    pub ws_connections: Arc<ConnectionCounts>,
    /// Set to true when the server starts shutting down.
    pub shutdown: Arc<watch::Sender<bool>>,
}

impl AppState {
    /// State over an open (and prepared) database; starts the event bus.
    pub fn new(db: DatabaseConnection, settings: Settings) -> Self {
        Self::with_event_pool(db.clone(), db, settings)
    }

    /// Like [`Self::new`], with the event bus on a pool of its own (tests use
    /// this to count the statements of requests alone).
    pub fn with_event_pool(
        db: DatabaseConnection,
        events_db: DatabaseConnection,
        settings: Settings,
    ) -> Self {
        let events = EventBus::start(events_db, settings.ws.event_buffer);
        let schema = graphql::build_schema(db.clone(), settings.clone(), events.clone());
        Self {
            db,
            schema,
            settings: Arc::new(settings),
            events,
            ws_connections: Arc::default(),
            shutdown: Arc::new(watch::channel(false).0),
        }
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

/// Why a request was not executed.
enum Refusal {
    /// The bearer token is malformed, unknown, expired or revoked.
    BadToken,
    /// A mutation or subscription sent with GET (a link or image could do that cross-site).
    NotAQuery,
    /// The database failed while checking the token.
    Internal,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            Self::BadToken => (
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "the bearer token is invalid, expired or revoked",
            ),
            Self::NotAQuery => (
                StatusCode::METHOD_NOT_ALLOWED,
                "BAD_REQUEST",
                "only queries may be sent with GET; use POST",
            ),
            Self::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_SERVER_ERROR",
                "internal server error",
            ),
        };
        let body = Json(serde_json::json!({
            "errors": [{ "message": message, "extensions": { "code": code } }]
        }));
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        match self {
            Self::BadToken => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
            }
            Self::NotAQuery => {
                headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
            }
            Self::Internal => {}
        }
        response
    }
}

/// The token of an `Authorization: Bearer <token>` header, if well-formed.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The viewer of a request: none without an Authorization header, an error
/// for a bad one (a bad token is never quietly treated as anonymous).
async fn viewer_of(state: &AppState, headers: &HeaderMap) -> Result<Option<Viewer>, Refusal> {
    if !headers.contains_key(header::AUTHORIZATION) {
        return Ok(None);
    }
    let token = bearer_token(headers).ok_or(Refusal::BadToken)?;
    match auth::authenticate(&state.db, token).await {
        Ok(Some(viewer)) => Ok(Some(viewer)),
        Ok(None) => Err(Refusal::BadToken),
        Err(e) => {
            tracing::error!(error = %e, "checking a bearer token");
            Err(Refusal::Internal)
        }
    }
}

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    address: SocketAddr,
    request: async_graphql::Request,
) -> Response {
    let viewer = match viewer_of(state, headers).await {
        Ok(viewer) => viewer,
        Err(refusal) => return refusal.into_response(),
    };
    let mut request = request
        .data(loaders::new_loader(&state.db))
        .data(ClientAddress(address.ip().to_string()));
    if let Some(viewer) = viewer {
        request = request.data(viewer);
    }
    let mut response = state.schema.execute(request).await;
    crate::error::finish_response(&mut response);
    GraphQLResponse::from(response).into_response()
}

async fn graphql_post(
    State(state): State<AppState>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    execute(&state, &headers, address, request.into_inner()).await
}

async fn graphql_get(
    State(state): State<AppState>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    if let Ok(upgrade) = upgrade {
        return ws::upgrade(state, &headers, address, upgrade);
    }
    let request = match request {
        Ok(request) => request.into_inner(),
        Err(rejection) => return rejection.into_response(),
    };
    if !is_query(&request) {
        return Refusal::NotAQuery.into_response();
    }
    execute(&state, &headers, address, request).await
}

/// Whether the operation a request selects is a query. Unparsable documents
/// count as queries: execution reports their syntax errors.
fn is_query(request: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return true;
    };
    let selected = match (&document.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) => ops.values().next().map(|op| op.node.ty),
    };
    selected.is_none_or(|ty| ty == OperationType::Query)
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

/// Serves `state` on `listener` until `shutdown` completes; WebSockets are
/// then closed (1001), and in-flight requests get `grace` to finish before the
/// remaining connections are dropped.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let stopping = state.shutdown.clone();
    let mut stopping_rx = stopping.subscribe();
    let signal = async move {
        shutdown.await;
        stopping.send_replace(true);
    };
    let server = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
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
