//! The one operation pipeline: every GraphQL operation, over HTTP or over the
//! WebSocket, is prepared, guarded, executed, measured and logged here.
//!
//! The transports only carry bytes: they build an `async_graphql::Request`,
//! call [`prepare`], resolve the viewer with [`authenticate`], then
//! [`Operation::execute`] (queries, mutations) or [`Operation::subscribe`]
//! (subscriptions), and map the [`Refusal`] or [`Answer`] to their framing.
//! A guard added here therefore holds on both doors.
//!
//! In order: persisted queries (APQ and the allow-list), document size and
//! tokens on the raw text, one parse, aliases and the cost of introspection on
//! the parsed document (only then is a new APQ document stored), NUL characters, what the transport may carry (a GET only queries), then at
//! execution the viewer and per-request data, the response cache, a place in
//! the viewer's share (`max_concurrent_operations_per_viewer`, [`share`]) and a
//! turn to execute (`max_concurrent_operations`) within the execution timeout,
//! error codes, the answer's byte cap (`max_response_bytes`,
//! `RESPONSE_TOO_LARGE`), metrics and a log line.

pub mod document;
mod order;
pub mod persisted;
mod public;
mod refusal;
pub mod share;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use axum::body::Bytes;
use futures_util::stream::{BoxStream, StreamExt};
use prometheus::IntGauge;
use serde_json::json;
use tokio::sync::SemaphorePermit;

pub use refusal::{Refusal, RefusalKind};
use share::{SharePlace, Sharer};

use crate::accounts::sessions::ClientInfo;
use crate::accounts::store;
use crate::graphql::loaders;
use crate::graphql::viewer::ViewerRead;
use crate::http::cache::{Entry, ResponseCache};
use crate::http::state::AppState;
use crate::viewer::Viewer;

/// The transport an operation arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `GET /graphql?query=...`: queries only, since a link can send it cross-site.
    HttpGet,
    /// `POST /graphql` with a JSON body.
    HttpPost,
    /// A `subscribe` (or legacy `start`) message on the GraphQL WebSocket.
    WebSocket,
}

impl Transport {
    /// The `transport` label of the metrics.
    fn label(self) -> &'static str {
        match self {
            Self::HttpGet | Self::HttpPost => "http",
            Self::WebSocket => "ws",
        }
    }
}

/// The id of a request, from `x-request-id` (or made up per WebSocket
/// operation); also the `errorId` of masked errors.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Who sends an operation, as the transport established it.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The signed-in viewer; `None` is anonymous.
    pub viewer: Option<Viewer>,
    /// The client's address (behind trusted proxies, the forwarded one).
    pub client: IpAddr,
    /// The client's `User-Agent`, as sent (sessions remember it).
    pub user_agent: Option<String>,
    /// For logs and masked errors.
    pub request_id: RequestId,
}

/// An operation that passed every check before execution.
pub struct Operation {
    request: async_graphql::Request,
    kind: OperationType,
    /// The parsed document, kept to put the answer in selection order.
    document: Arc<ExecutableDocument>,
    /// Reads only public content: the answer is the same for every viewer.
    public: bool,
    meta: Meta,
}

/// What metrics and logs say of an operation.
#[derive(Clone)]
struct Meta {
    name: Option<String>,
    transport: Transport,
    started: Instant,
}

/// What an executed query or mutation answered.
pub struct Answer {
    /// The serialized GraphQL response.
    pub body: Bytes,
    /// The serialized `errors` array when validation failed (nothing ran).
    pub invalid: Option<Bytes>,
    /// The response-cache entry holding `body`, when it is cached (found or
    /// just stored): HTTP sends its stored compressed forms.
    pub cached: Option<Arc<Entry>>,
    /// The answer is the same for every viewer at the content version it was
    /// computed at: a public query, error-free, that read no viewer. Only such
    /// an answer may be kept by a shared HTTP cache.
    pub shareable: bool,
}

/// Checks and parses `request` for `transport`; the refusal is already
/// counted and logged.
pub fn prepare(
    state: &AppState,
    mut request: async_graphql::Request,
    transport: Transport,
) -> Result<Operation, Refusal> {
    let started = Instant::now();
    let name = request.operation_name.clone();
    let refuse =
        |refusal: Refusal| record_refusal(state, transport, name.as_deref(), started, refusal);
    let limits = &state.settings.http;

    let sha = persisted::sent_hash(&request);
    let to_remember = state
        .persisted
        .resolve(&mut request.query, sha.as_deref())
        .map_err(|e| refuse(Refusal::persisted(&e)))?;
    if request.query.trim().is_empty() {
        return Err(refuse(Refusal::bad_request("no query was sent")));
    }
    document::check_text(&request.query, limits).map_err(|e| refuse(Refusal::too_large(e)))?;
    let parsed = async_graphql::parser::parse_query(&request.query).map_err(|e| {
        refuse(Refusal::new(
            RefusalKind::BadRequest,
            "GRAPHQL_PARSE_FAILED",
            e.to_string(),
        ))
    })?;
    document::check_parsed(&parsed, limits).map_err(|e| refuse(Refusal::too_large(e)))?;
    // async-graphql's own complexity check comes later and sees introspection
    // as cheap: its share is charged here, against the same limit.
    let introspection = document::introspection_cost(&parsed, limits);
    if introspection > limits.max_complexity {
        return Err(refuse(Refusal::new(
            RefusalKind::BadRequest,
            "GRAPHQL_VALIDATION_FAILED",
            format!(
                "Query is too complex: its introspection alone costs {introspection}; the limit is {}",
                limits.max_complexity
            ),
        )));
    }
    // Only a document that passed the size, token, parse and alias checks is
    // worth keeping: stored before them, any anonymous client could fill the
    // store with documents that never run.
    if let Some(sha) = to_remember {
        state.persisted.remember(&sha, &request.query);
    }
    if let Some(field) = document::nul_in(&parsed, &request.variables) {
        return Err(refuse(
            Refusal::new(
                RefusalKind::BadRequest,
                "BAD_USER_INPUT",
                "text may not contain NUL characters",
            )
            .with_field(field),
        ));
    }
    let kind = selected_operation(&parsed, request.operation_name.as_deref());
    let name = name.clone().or_else(|| only_operation_name(&parsed));
    if transport == Transport::HttpGet && kind.is_some_and(|k| k != OperationType::Query) {
        return Err(refuse(Refusal::new(
            RefusalKind::MethodNotAllowed,
            "METHOD_NOT_ALLOWED",
            "only queries may be sent with GET; use POST",
        )));
    }
    // No such operation: execution reports it as a validation error.
    let kind = kind.unwrap_or(OperationType::Query);
    let public = public::reads_only_public(
        &parsed,
        request.operation_name.as_deref(),
        &request.variables,
    );
    let document = Arc::new(parsed.clone());
    request.set_parsed_query(parsed);
    Ok(Operation {
        request,
        kind,
        document,
        public,
        meta: Meta {
            name,
            transport,
            started,
        },
    })
}

/// The viewer of a bearer token: `None` without one; a refusal for a bad one
/// (a bad token is never quietly treated as anonymous).
pub async fn authenticate(
    state: &AppState,
    token: Option<&str>,
    client: IpAddr,
) -> Result<Option<Viewer>, Refusal> {
    let Some(token) = token else {
        return Ok(None);
    };
    let touch_every = Duration::from_secs(state.settings.auth.session_touch_secs);
    let address = client.to_string();
    match store::authenticate(&state.db, token, Some(&address), touch_every).await {
        Ok(Some(viewer)) => Ok(Some(viewer)),
        Ok(None) => Err(Refusal::unauthenticated()),
        Err(e) => {
            tracing::error!(error = %e, "checking a bearer token");
            Err(Refusal::new(
                RefusalKind::Unavailable,
                "SERVICE_UNAVAILABLE",
                "the database is unavailable; retry later",
            ))
        }
    }
}

/// The `User-Agent` header, when it is text (sessions remember it).
pub fn user_agent(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The token of an `Authorization` value `Bearer <token>` (the scheme in any case).
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl Operation {
    /// Whether this is a subscription (run with [`Self::subscribe`]).
    pub fn is_subscription(&self) -> bool {
        self.kind == OperationType::Subscription
    }

    /// Counts and logs a refusal decided by the transport after preparation
    /// (such as a bad bearer token), and hands it back.
    pub fn refuse(&self, state: &AppState, refusal: Refusal) -> Refusal {
        self.meta.refuse(state, refusal)
    }

    /// Whether this is a query that reads only public content: its answer is
    /// the same for every viewer until the next import.
    pub fn is_public_query(&self) -> bool {
        self.public && self.kind == OperationType::Query
    }

    /// The request as prepared (a persisted hash already resolved to its text).
    pub fn request(&self) -> &async_graphql::Request {
        &self.request
    }

    /// The content version a public query's answer is computed at; `None` for
    /// any other operation, or when the version cannot be read (then nothing
    /// is cached). Read before execution: an import that commits meanwhile
    /// can only make the answer newer than the version, never older.
    pub async fn public_version(&self, state: &AppState) -> Option<i64> {
        if !self.is_public_query() {
            return None;
        }
        match state.content.current(&state.db).await {
            Ok(version) => Some(version),
            Err(e) => {
                tracing::warn!(error = %e, "reading the content version; not caching");
                None
            }
        }
    }

    /// Counts and logs a conditional GET answered `304 Not Modified`: the
    /// client's copy is current, nothing was executed.
    pub fn not_modified(self, state: &AppState, caller: &Caller) {
        self.meta.record(state, caller, "not_modified");
    }

    /// Runs a query or mutation under the execution timeout. A query that
    /// reads only public content is answered from the response cache when it
    /// holds it, whoever asks.
    pub async fn execute(self, state: &AppState, caller: Caller) -> Result<Answer, Refusal> {
        let version = if state.responses.enabled() {
            self.public_version(state).await
        } else {
            None
        };
        self.execute_at(state, caller, version).await
    }

    /// [`Self::execute`] with the content version already read by
    /// [`Self::public_version`] (`None`: not cached).
    pub async fn execute_at(
        self,
        state: &AppState,
        caller: Caller,
        version: Option<i64>,
    ) -> Result<Answer, Refusal> {
        let public = self.is_public_query();
        let cache_key = version
            .filter(|_| public && state.responses.enabled())
            .map(|version| ResponseCache::key(version, &self.request));
        if let Some(entry) = cache_key.as_ref().and_then(|k| state.responses.get(k)) {
            self.meta.record(state, &caller, "cached");
            return Ok(Answer {
                body: entry.json().clone(),
                invalid: None,
                cached: Some(entry),
                shareable: true,
            });
        }
        let timeout = Duration::from_secs(state.settings.http.execution_timeout_secs);
        let Self {
            request,
            meta,
            document,
            ..
        } = self;
        let selected = request.operation_name.clone();
        let viewer_read = Arc::new(ViewerRead::default());
        let request = with_context(state, request, &caller).data(viewer_read.clone());
        // Waiting for a permit counts against the timeout: a client waits at most that long.
        let sharer = match caller.viewer {
            Some(viewer) => Sharer::Account(viewer.user_id),
            None => Sharer::Address(caller.client),
        };
        let permitted = async {
            let _turn = turn_to_execute(state, sharer).await;
            state.schema.execute(request).await
        };
        let executed = tokio::time::timeout(timeout, permitted).await;
        let Ok(mut response) = executed else {
            return Err(meta.refuse(
                state,
                Refusal::new(
                    RefusalKind::Timeout,
                    "TIMEOUT",
                    format!("the operation ran longer than {} s", timeout.as_secs()),
                ),
            ));
        };
        let invalid = finish(&mut response, &caller.request_id);
        order::in_selection_order(&mut response.data, &document, selected.as_deref());
        let outcome = match (invalid, response.errors.is_empty()) {
            (true, _) => "invalid",
            (false, true) => "ok",
            (false, false) => "error",
        };
        meta.record(state, &caller, outcome);
        let viewer_was_read = viewer_read.was_read();
        let shareable = public && !invalid && response.errors.is_empty() && !viewer_was_read;
        let cache_key = cache_key.filter(|_| {
            let read = viewer_was_read;
            if read {
                // The document check missed a viewer-dependent field: fix `public.rs`.
                tracing::warn!(
                    operation = meta.name.as_deref().unwrap_or("-"),
                    "a document judged public read the viewer; its answer is not cached"
                );
            }
            !read
        });
        let max_bytes = state.settings.http.max_response_bytes;
        let Some(body) = serialize_within(&response, max_bytes) else {
            tracing::warn!(
                request_id = %caller.request_id.0,
                operation = meta.name.as_deref().unwrap_or("-"),
                max_bytes,
                "answer over --max-response-bytes; dropped"
            );
            let errors = json!([{
                "message": format!("the answer is larger than {max_bytes} bytes; ask for fewer fields or a smaller page"),
                "extensions": { "code": "RESPONSE_TOO_LARGE" },
            }]);
            return Ok(Answer {
                body: Bytes::from(json!({ "data": null, "errors": errors }).to_string()),
                invalid: None,
                cached: None,
                // An error answer: no shared HTTP cache keeps it.
                shareable: false,
            });
        };
        let cached = cache_key
            .filter(|_| response.errors.is_empty())
            .and_then(|key| state.responses.put(key, body.clone()));
        let invalid =
            invalid.then(|| Bytes::from(serde_json::to_vec(&response.errors).unwrap_or_default()));
        Ok(Answer {
            body,
            invalid,
            cached,
            shareable,
        })
    }

    /// Starts a subscription; it is bounded by the transport's caps, not by
    /// the execution timeout. The first response of a subscription that failed
    /// validation carries `GRAPHQL_VALIDATION_FAILED` errors and no data.
    pub fn subscribe(
        self,
        state: &AppState,
        caller: Caller,
    ) -> BoxStream<'static, async_graphql::Response> {
        let Self {
            request,
            meta,
            document,
            ..
        } = self;
        let selected = request.operation_name.clone();
        let request = with_context(state, request, &caller);
        let stream = state.schema.execute_stream(request);
        let state = state.clone();
        let mut first = true;
        stream
            .map(move |mut response| {
                let invalid = finish(&mut response, &caller.request_id);
                order::in_selection_order(&mut response.data, &document, selected.as_deref());
                if std::mem::take(&mut first) {
                    let outcome = match (invalid, response.errors.is_empty()) {
                        (true, _) => "invalid",
                        (false, true) => "subscribed",
                        (false, false) => "error",
                    };
                    meta.record(&state, &caller, outcome);
                }
                response
            })
            .boxed()
    }
}

/// `response` as JSON, or `None` once it passes `max_bytes`: writing stops
/// there, so an oversized answer is never held twice in memory.
fn serialize_within(response: &async_graphql::Response, max_bytes: usize) -> Option<Bytes> {
    struct Bounded(Vec<u8>, usize);
    impl std::io::Write for Bounded {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0.len() + buf.len() > self.1 {
                return Err(std::io::Error::other("over the answer's byte cap"));
            }
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Bounded(Vec::new(), max_bytes);
    serde_json::to_writer(&mut out, response).ok()?;
    Some(Bytes::from(out.0))
}

/// Waits for a place in the viewer's share, then for a permit to execute,
/// counted in `operations_waiting` while it waits (also when the wait is cut
/// short by the timeout).
async fn turn_to_execute(
    state: &AppState,
    sharer: Sharer,
) -> (SharePlace, Option<SemaphorePermit<'_>>) {
    if let Some(place) = state.shares.now(sharer)
        && let Ok(permit) = state.executions.try_acquire()
    {
        return (place, Some(permit));
    }
    struct Waiting<'a>(&'a IntGauge);
    impl Drop for Waiting<'_> {
        fn drop(&mut self) {
            self.0.dec();
        }
    }
    state.metrics.operations_waiting.inc();
    let _waiting = Waiting(&state.metrics.operations_waiting);
    let place = state.shares.take(sharer).await;
    // Only a closed semaphore errs, and this one is never closed.
    (place, state.executions.acquire().await.ok())
}

impl Meta {
    fn record(&self, state: &AppState, caller: &Caller, outcome: &str) {
        let elapsed = self.started.elapsed();
        let transport = self.transport.label();
        state.metrics.observe(
            self.name.as_deref(),
            outcome,
            transport,
            elapsed.as_secs_f64(),
        );
        tracing::info!(
            request_id = %caller.request_id.0,
            transport,
            operation = self.name.as_deref().unwrap_or("-"),
            outcome,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            "graphql"
        );
    }

    fn refuse(&self, state: &AppState, refusal: Refusal) -> Refusal {
        record_refusal(
            state,
            self.transport,
            self.name.as_deref(),
            self.started,
            refusal,
        )
    }
}

/// Adds what resolvers read from the request context.
fn with_context(
    state: &AppState,
    request: async_graphql::Request,
    caller: &Caller,
) -> async_graphql::Request {
    let mut request = request
        .data(loaders::new_loader(
            &state.db,
            Duration::from_micros(state.settings.api.batch_delay_micros),
        ))
        .data(ClientInfo {
            address: Some(caller.client.to_string()),
            user_agent: caller.user_agent.clone(),
        })
        .data(caller.request_id.clone());
    if let Some(viewer) = caller.viewer {
        request = request.data(viewer);
    }
    request
}

/// Codes every error; returns whether validation failed (nothing ran, no
/// error has a path).
fn finish(response: &mut async_graphql::Response, request_id: &RequestId) -> bool {
    let invalid = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    for error in &mut response.errors {
        if invalid {
            let ext = error.extensions.get_or_insert_with(Default::default);
            if ext.get("code").is_none() {
                ext.set("code", "GRAPHQL_VALIDATION_FAILED");
            }
        }
        crate::error::finish_error(error, &request_id.0);
    }
    invalid
}

fn record_refusal(
    state: &AppState,
    transport: Transport,
    name: Option<&str>,
    started: Instant,
    refusal: Refusal,
) -> Refusal {
    let elapsed = started.elapsed();
    let transport = transport.label();
    state
        .metrics
        .observe(name, "refused", transport, elapsed.as_secs_f64());
    tracing::info!(
        transport,
        operation = name.unwrap_or("-"),
        outcome = "refused",
        code = refusal.code,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        "graphql"
    );
    refusal
}

/// The type of the operation a request selects.
fn selected_operation(document: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) => ops.values().next().map(|op| op.node.ty),
    }
}

/// The name of a document's only operation, for metrics and logs.
fn only_operation_name(document: &ExecutableDocument) -> Option<String> {
    match &document.operations {
        DocumentOperations::Multiple(ops) if ops.len() == 1 => {
            ops.keys().next().map(|name| name.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("BEARER  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("abc"), None);
    }
}
