//! Prometheus metrics: GraphQL requests, latency, the response cache's
//! encodings, database pool, WebSockets.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use sea_orm::{DatabaseConnection, DbBackend};

use crate::allocator;

/// Distinct operation names kept as labels; later names count as "other",
/// since clients choose them and labels must stay bounded.
const MAX_OPERATION_LABELS: usize = 100;

/// SQL statements executed, process-wide (`main` counts them through sea-orm's metric callback).
pub static DB_STATEMENTS: LazyLock<IntCounter> = LazyLock::new(|| {
    IntCounter::new("prep_db_statements_total", "SQL statements executed").unwrap_or_else(|_| {
        // The name and help are constant and valid; this branch cannot run.
        IntCounter::with_opts(Opts::new("prep_db_statements_total_", "-")).expect("counter")
    })
});

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    cache_sent: IntCounterVec,
    pool: IntGaugeVec,
    /// Open WebSocket connections.
    pub ws_connections: IntGauge,
    /// Running WebSocket operations (subscriptions).
    pub ws_operations: IntGauge,
    /// Queries and mutations waiting for an execution permit.
    pub operations_waiting: IntGauge,
    /// Bytes the automatic persisted queries hold, read at each scrape.
    pub apq_bytes: IntGauge,
    /// The allocator's bytes by kind (allocated, resident), read at each scrape.
    allocator_bytes: IntGaugeVec,
    /// 1, labelled with the allocator's configuration.
    allocator_info: IntGaugeVec,
    names: Mutex<HashSet<String>>,
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "prep_graphql_requests_total",
                "GraphQL operations by operation name, outcome and transport (http, ws)",
            ),
            &["operation", "outcome", "transport"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "prep_graphql_request_duration_seconds",
                "GraphQL request latency by operation",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["operation"],
        )?;
        let cache_sent = IntCounterVec::new(
            Opts::new(
                "prep_response_cache_sent_total",
                "HTTP answers sent from the response cache, by content encoding (br, gzip, \
                 identity) and source: stored (bytes the entry held) or compressed (for this \
                 answer, then stored)",
            ),
            &["encoding", "source"],
        )?;
        let pool = IntGaugeVec::new(
            Opts::new(
                "prep_db_pool_connections",
                "Database pool connections by state",
            ),
            &["state"],
        )?;
        let ws_connections =
            IntGauge::new("prep_ws_connections", "Open GraphQL WebSocket connections")?;
        let ws_operations =
            IntGauge::new("prep_ws_operations", "Running GraphQL WebSocket operations")?;
        let operations_waiting = IntGauge::new(
            "prep_graphql_operations_waiting",
            "Queries and mutations waiting for a turn to execute (max_concurrent_operations)",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(cache_sent.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(ws_connections.clone()))?;
        registry.register(Box::new(ws_operations.clone()))?;
        registry.register(Box::new(operations_waiting.clone()))?;
        let apq_bytes = IntGauge::new(
            "prep_apq_cache_bytes",
            "Bytes the automatic persisted queries hold (apq_cache_max_bytes bounds them)",
        )?;
        registry.register(Box::new(apq_bytes.clone()))?;
        let allocator_bytes = IntGaugeVec::new(
            Opts::new(
                "prep_allocator_bytes",
                "The memory allocator's bytes: allocated (in use by the program) and resident \
                 (pages it holds)",
            ),
            &["kind"],
        )?;
        let allocator_info = IntGaugeVec::new(
            Opts::new(
                "prep_allocator_info",
                "The memory allocator and its built-in options (always 1)",
            ),
            &["allocator", "background_thread", "options"],
        )?;
        registry.register(Box::new(allocator_bytes.clone()))?;
        registry.register(Box::new(allocator_info.clone()))?;
        registry.register(Box::new(DB_STATEMENTS.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            cache_sent,
            pool,
            ws_connections,
            ws_operations,
            operations_waiting,
            apq_bytes,
            allocator_bytes,
            allocator_info,
            names: Mutex::new(HashSet::new()),
        })
    }

    /// The label for a client-chosen operation name.
    fn label(&self, name: Option<&str>) -> String {
        let Some(name) = name.filter(|n| {
            !n.is_empty()
                && n.len() <= 64
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }) else {
            return "anonymous".to_owned();
        };
        let Ok(mut names) = self.names.lock() else {
            return "other".to_owned();
        };
        if names.contains(name) || names.len() < MAX_OPERATION_LABELS {
            names.insert(name.to_owned());
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }

    /// Records one GraphQL operation.
    pub fn observe(&self, operation: Option<&str>, outcome: &str, transport: &str, seconds: f64) {
        let label = self.label(operation);
        self.requests
            .with_label_values(&[&label, outcome, transport])
            .inc();
        self.latency.with_label_values(&[&label]).observe(seconds);
    }

    /// Records an HTTP answer sent from a response-cache entry in `encoding`,
    /// `compressed` now for it or else sent as the entry held it.
    pub fn cache_sent(&self, encoding: &str, compressed: bool) {
        let source = if compressed { "compressed" } else { "stored" };
        self.cache_sent.with_label_values(&[encoding, source]).inc();
    }

    /// The text exposition, with the pool's current use.
    pub fn render(&self, db: &DatabaseConnection) -> String {
        let (size, idle) = match db.get_database_backend() {
            DbBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle() as u32)
            }
            DbBackend::Sqlite => {
                let pool = db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle() as u32)
            }
            _ => (0, 0),
        };
        self.pool.with_label_values(&["idle"]).set(i64::from(idle));
        self.pool
            .with_label_values(&["in_use"])
            .set(i64::from(size.saturating_sub(idle)));
        match allocator::state() {
            Some(Ok(state)) => {
                let bytes = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
                self.allocator_bytes
                    .with_label_values(&["allocated"])
                    .set(bytes(state.allocated));
                self.allocator_bytes
                    .with_label_values(&["resident"])
                    .set(bytes(state.resident));
                let background = if state.background_thread {
                    "true"
                } else {
                    "false"
                };
                self.allocator_info
                    .with_label_values(&[state.name, background, state.built_in_options])
                    .set(1);
            }
            Some(Err(e)) => tracing::warn!(error = %e, "reading the allocator's figures failed"),
            // The system's allocator: nothing to read.
            None => {}
        }
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}
