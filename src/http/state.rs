//! [`AppState`]: everything a request handler needs, built once at start-up.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::FromRef;
use sea_orm::DatabaseConnection;
use tokio::sync::{Semaphore, watch};

use crate::config::Settings;
use crate::http::cache::ResponseCache;
use crate::http::content_version::ContentVersion;
use crate::http::ide::IdeAssets;
use crate::http::operation::persisted::PersistedQueries;
use crate::http::operation::share::Shares;
use crate::http::spa;
use crate::http::ws::counts::ConnectionCounts;
use crate::metrics::Metrics;
use crate::records::{EventBus, LiveTables};
use crate::schema::{self, AppSchema};

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
    /// The content version the response cache keys on, known in memory.
    pub content: Arc<ContentVersion>,
    /// Open WebSocket connections per account and per client address.
    pub ws_connections: Arc<ConnectionCounts>,
    /// Set to true when the server starts shutting down.
    pub shutdown: Arc<watch::Sender<bool>>,
    /// Where the IDE pages load their assets from.
    pub ide: Arc<IdeAssets>,
    /// Permits to execute a query or mutation (`max_concurrent_operations`).
    pub executions: Arc<Semaphore>,
    /// Each viewer's share of those permits (`max_concurrent_operations_per_viewer`).
    pub shares: Arc<Shares>,
}

impl AppState {
    /// State over an open (and prepared) database; starts the event bus.
    pub fn new(db: DatabaseConnection, settings: Settings) -> anyhow::Result<Self> {
        Self::with_event_pool(db.clone(), db, settings)
    }

    /// Like [`Self::new`], with the event bus and the background tasks (mail
    /// sender, session pruning) on a pool of their own (tests use this to
    /// count the statements of requests alone).
    pub fn with_event_pool(
        db: DatabaseConnection,
        events_db: DatabaseConnection,
        settings: Settings,
    ) -> anyhow::Result<Self> {
        let persisted = PersistedQueries::new(
            settings.http.apq_cache_size,
            settings.http.apq_cache_max_bytes,
            settings.http.persisted_queries_dir.as_deref(),
        )
        .context("loading persisted queries")?;
        if let Some(dir) = &settings.http.spa_dir {
            spa::check_build_dir(dir)?;
        }
        // With the IDEs off nothing loads their assets: no need to look for them.
        let ide = if settings.http.ide_off() {
            IdeAssets::Cdn
        } else {
            IdeAssets::discover(&settings.http.ide_assets_dir)
        };
        let metrics = Metrics::new().context("registering metrics")?;
        // The records whose changes subscriptions follow.
        let live = LiveTables::default()
            .with::<entity::star_draft::Entity>()
            .with::<entity::interview::Entity>()
            .with::<entity::comment::Entity>()
            .with::<entity::practice_attempt::Entity>();
        let background_db = events_db.clone();
        let events = EventBus::start(
            events_db,
            settings.ws.event_buffer,
            live,
            Duration::from_secs(settings.ws.event_heartbeat_secs),
        );
        let outbox = crate::accounts::mail::Outbox::default();
        let schema =
            schema::build_schema(db.clone(), settings.clone(), events.clone(), outbox.clone());
        let responses = Arc::new(ResponseCache::new(
            settings.http.response_cache_entries,
            settings.http.response_cache_max_bytes,
        ));
        let content = ContentVersion::start(&db, &events);
        let concurrency = settings.http.concurrent_operations();
        let shares = Shares::new(settings.http.concurrent_operations_per_viewer());
        let shutdown = Arc::new(watch::channel(false).0);
        crate::accounts::start_background(&background_db, &settings, outbox, shutdown.subscribe());
        Ok(Self {
            db,
            schema,
            settings: Arc::new(settings),
            events,
            metrics: Arc::new(metrics),
            persisted: Arc::new(persisted),
            responses,
            content,
            ws_connections: Arc::default(),
            shutdown,
            ide: Arc::new(ide),
            executions: Arc::new(Semaphore::new(concurrency)),
            shares,
        })
    }
}

/// The IDE pages read only where their assets come from.
impl FromRef<AppState> for Arc<IdeAssets> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.ide)
    }
}
