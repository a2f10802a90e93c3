//! The application: state, routes, start-up preparation and serving.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use axum::response::Redirect;
use axum::routing::get;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Settings;
use crate::content::{self, ContentLimits};
use crate::events::EventBus;
use crate::graphql::{self, AppSchema};
use crate::http;
use crate::http::cache::ResponseCache;
use crate::http::ide::IdeAssets;
use crate::http::operation::persisted::PersistedQueries;
use crate::http::ws::ConnectionCounts;
use crate::metrics::Metrics;

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub settings: Arc<Settings>,
    pub events: EventBus,
    pub metrics: Arc<Metrics>,
    pub persisted: Arc<PersistedQueries>,
    /// Anonymous query answers, keyed by content version.
    pub responses: Arc<ResponseCache>,
    /// Open WebSocket connections per account and per client address.
    pub ws_connections: Arc<ConnectionCounts>,
    /// Set to true when the server starts shutting down.
    pub shutdown: Arc<watch::Sender<bool>>,
    /// Where the IDE pages load their assets from.
    pub ide: Arc<IdeAssets>,
    /// Permits to execute a query or mutation (`max_concurrent_operations`).
    pub executions: Arc<Semaphore>,
}

impl AppState {
    /// State over an open (and prepared) database; starts the event bus.
    pub fn new(db: DatabaseConnection, settings: Settings) -> anyhow::Result<Self> {
        Self::with_event_pool(db.clone(), db, settings)
    }

    /// Like [`Self::new`], with the event bus on a pool of its own (tests use
    /// this to count the statements of requests alone).
    pub fn with_event_pool(
        db: DatabaseConnection,
        events_db: DatabaseConnection,
        settings: Settings,
    ) -> anyhow::Result<Self> {
        let persisted = PersistedQueries::new(
            settings.http.apq_cache_size,
            settings.http.persisted_queries_dir.as_deref(),
        )
        .context("loading persisted queries")?;
        if let Some(dir) = &settings.http.spa_dir {
            http::spa::check_build_dir(dir)?;
        }
        // With the IDEs off nothing loads their assets: no need to look for them.
        let ide = if settings.http.ide_off() {
            IdeAssets::Cdn
        } else {
            IdeAssets::discover(&settings.http.ide_assets_dir)
        };
        let metrics = Metrics::new().context("registering metrics")?;
        let events = EventBus::start(events_db, settings.ws.event_buffer);
        let schema = graphql::build_schema(db.clone(), settings.clone(), events.clone());
        let responses = Arc::new(ResponseCache::new(
            settings.http.response_cache_entries,
            settings.http.response_cache_max_bytes,
        ));
        let concurrency = settings.http.concurrent_operations();
        Ok(Self {
            db,
            schema,
            settings: Arc::new(settings),
            events,
            metrics: Arc::new(metrics),
            persisted: Arc::new(persisted),
            responses,
            ws_connections: Arc::default(),
            shutdown: Arc::new(watch::channel(false).0),
            ide: Arc::new(ide),
            executions: Arc::new(Semaphore::new(concurrency)),
        })
    }
}

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

/// Request ids: 16 random hex characters, unless the client sent one.
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&crate::auth::random_hex(8))
            .ok()
            .map(RequestId::new)
    }
}

/// The whole router: GraphQL, the IDEs (unless disabled), health, readiness,
/// metrics, and the single-page app when one is configured.
pub fn router(state: AppState) -> Router {
    let config = &state.settings.http;
    let mut router = Router::new()
        .route(
            "/graphql",
            get(http::graphql::get).post(http::graphql::post),
        )
        .route("/healthz", get(http::healthz))
        .route("/readyz", get(http::readyz))
        .route("/metrics", get(http::metrics))
        .route("/favicon.ico", get(http::favicon::favicon));
    if !config.ide_off() {
        router = router
            .route("/playground", get(http::ide::playground))
            .route("/graphiql", get(http::ide::graphiql))
            .route("/ide/assets/{name}", get(http::ide::asset));
    }
    match &config.spa_dir {
        Some(dir) => router = router.merge(http::spa::router(dir)),
        None if !config.ide_off() => {
            router = router.route("/", get(|| async { Redirect::temporary("/playground") }));
        }
        None => {}
    }
    let request_id = HeaderName::from_static("x-request-id");
    let mut router = router
        .layer(http::compression::layer(config.compress_min_bytes))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.request_timeout_secs),
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("http", method = %request.method(), path = %request.uri().path(), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, RandomRequestId));
    if !config.cors_origins.is_empty() {
        let origins: Vec<HeaderValue> = config
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o.trim()).ok())
            .collect();
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
                .max_age(Duration::from_secs(600)),
        );
    }
    // After the logging and CORS layers: the feed's path is its secret.
    router
        .merge(http::calendar::routes(Duration::from_secs(
            config.request_timeout_secs,
        )))
        .with_state(state)
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
    http::server::run(
        listener,
        router(state),
        &settings.http,
        stopping,
        shutdown,
        grace,
    )
    .await
}
