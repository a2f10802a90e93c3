//! `/graphql` over HTTP, as the GraphQL-over-HTTP spec describes it.
//!
//! Before anything runs: the response format is negotiated (406), a POST
//! must be JSON (415) within the body limit (413), malformed JSON or
//! parameters are 400, batches are refused, persisted queries are resolved,
//! the document's size, tokens and aliases are checked, a GET may only
//! query (405), and the bearer token is checked (401). Then the operation
//! executes under a timeout.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use axum::Extension;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{ConnectInfo, RawQuery, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::accept::{ResponseFormat, is_json, negotiate};
use super::cache::ResponseCache;
use super::client_ip::ClientIp;
use crate::app::AppState;
use crate::auth::{self, Viewer};
use crate::graphql::accounts::ClientAddress;
use crate::graphql::document;
use crate::graphql::loaders;
use crate::graphql::persisted::PersistedError;

/// The id of a request, from `x-request-id`; also the `errorId` of masked errors.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    fn of(headers: &HeaderMap) -> Self {
        Self(
            headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-")
                .to_owned(),
        )
    }
}

/// A request refused before execution.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
    header: Option<(header::HeaderName, &'static str)>,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            header: None,
        }
    }

    fn with_header(mut self, name: header::HeaderName, value: &'static str) -> Self {
        self.header = Some((name, value));
        self
    }

    /// With `application/json`, GraphQL errors in a well-formed request are 200.
    fn respond(self, format: ResponseFormat, keep_status: bool) -> Response {
        let status = if keep_status || format == ResponseFormat::GraphQLResponse {
            self.status
        } else {
            StatusCode::OK
        };
        let body =
            json!({ "errors": [{ "message": self.message, "extensions": { "code": self.code } }] });
        let mut response = (status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        );
        if let Some((name, value)) = self.header {
            headers.insert(name, HeaderValue::from_static(value));
        }
        response
    }
}

fn bad_request(message: impl Into<String>) -> Refusal {
    Refusal::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

/// `POST /graphql`.
pub async fn post(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(format) = negotiate(&headers) else {
        return not_acceptable();
    };
    // Only JSON: a browser cannot send it cross-site without a CORS preflight.
    if !is_json(&headers) {
        return Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as application/json",
        )
        .respond(format, true);
    }
    let limit = state.settings.http.max_body_bytes;
    let bytes = match to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!("the body is larger than {limit} bytes"),
            )
            .respond(format, true);
        }
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(e) => return bad_request(format!("malformed JSON: {e}")).respond(format, true),
    };
    if value.is_array() {
        return bad_request("batched requests are not supported; send one operation per request")
            .respond(format, true);
    }
    let request: async_graphql::Request = match serde_json::from_value(value) {
        Ok(request) => request,
        Err(e) => {
            return bad_request(format!("malformed GraphQL request: {e}")).respond(format, true);
        }
    };
    run(&state, &headers, client, format, request, false).await
}

/// The GET parameters of the spec; `variables` and `extensions` are JSON text.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    variables: Option<String>,
    operation_name: Option<String>,
    extensions: Option<String>,
}

/// `GET /graphql`: a WebSocket upgrade, or a query in the URL.
pub async fn get(
    State(state): State<AppState>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Ok(upgrade) = upgrade {
        return crate::ws::upgrade(state, &headers, address, upgrade);
    }
    let Some(format) = negotiate(&headers) else {
        return not_acceptable();
    };
    let params: GetParams = match serde_urlencoded::from_str(raw.as_deref().unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return bad_request(format!("malformed parameters: {e}")).respond(format, true),
    };
    let json_param = |name: &str, text: Option<String>| -> Result<Option<Value>, String> {
        text.map(|t| serde_json::from_str(&t).map_err(|e| format!("{name} is not JSON: {e}")))
            .transpose()
    };
    let (variables, extensions) = match (
        json_param("variables", params.variables),
        json_param("extensions", params.extensions),
    ) {
        (Ok(v), Ok(e)) => (v, e),
        (Err(why), _) | (_, Err(why)) => return bad_request(why).respond(format, true),
    };
    let mut request = json!({ "query": params.query.unwrap_or_default() });
    if let Some(v) = variables {
        request["variables"] = v;
    }
    if let Some(e) = extensions {
        request["extensions"] = e;
    }
    if let Some(name) = params.operation_name {
        request["operationName"] = Value::String(name);
    }
    let request: async_graphql::Request = match serde_json::from_value(request) {
        Ok(r) => r,
        Err(e) => return bad_request(format!("malformed parameters: {e}")).respond(format, true),
    };
    run(&state, &headers, client, format, request, true).await
}

fn not_acceptable() -> Response {
    Refusal::new(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "accept application/graphql-response+json or application/json",
    )
    .respond(ResponseFormat::Json, true)
}

/// The operation a request selects.
fn selected_operation(document: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) => ops.values().next().map(|op| op.node.ty),
    }
}

/// The `persistedQuery.sha256Hash` extension of a request, if sent.
fn persisted_hash(request: &async_graphql::Request) -> Option<String> {
    let ext = request.extensions.get("persistedQuery")?;
    let value = serde_json::to_value(ext).ok()?;
    value.get("sha256Hash")?.as_str().map(str::to_owned)
}

async fn run(
    state: &AppState,
    headers: &HeaderMap,
    client: std::net::IpAddr,
    format: ResponseFormat,
    mut request: async_graphql::Request,
    is_get: bool,
) -> Response {
    let started = Instant::now();
    let request_id = RequestId::of(headers);
    let limits = &state.settings.http;
    let operation = request.operation_name.clone();
    let refused = |refusal: Refusal| {
        state.metrics.observe(
            operation.as_deref(),
            "refused",
            started.elapsed().as_secs_f64(),
        );
        refusal.respond(format, false)
    };

    let sha = persisted_hash(&request);
    if let Err(e) = state.persisted.resolve(&mut request.query, sha.as_deref()) {
        let (code, message) = e.code_and_message();
        let status = match e {
            PersistedError::NotFound => StatusCode::OK,
            PersistedError::HashMismatch => StatusCode::BAD_REQUEST,
            PersistedError::NotAllowed => StatusCode::FORBIDDEN,
        };
        return refused(Refusal::new(status, code, message));
    }
    if request.query.trim().is_empty() {
        return refused(bad_request("no query was sent"));
    }
    if let Err(e) = document::check_text(&request.query, limits) {
        return refused(Refusal::new(
            StatusCode::BAD_REQUEST,
            "QUERY_TOO_LARGE",
            e.0,
        ));
    }
    let parsed = match async_graphql::parser::parse_query(&request.query) {
        Ok(doc) => doc,
        Err(e) => {
            return refused(Refusal::new(
                StatusCode::BAD_REQUEST,
                "GRAPHQL_PARSE_FAILED",
                e.to_string(),
            ));
        }
    };
    if let Err(e) = document::check_parsed(&parsed, limits) {
        return refused(Refusal::new(
            StatusCode::BAD_REQUEST,
            "QUERY_TOO_LARGE",
            e.0,
        ));
    }
    let selected = selected_operation(&parsed, request.operation_name.as_deref());
    let operation = operation.clone().or_else(|| match &parsed.operations {
        DocumentOperations::Single(_) => None,
        DocumentOperations::Multiple(ops) if ops.len() == 1 => {
            ops.keys().next().map(|name| name.to_string())
        }
        DocumentOperations::Multiple(_) => None,
    });
    if is_get && selected.is_some_and(|op| op != OperationType::Query) {
        // A link or an image could send a GET cross-site: it may never change anything.
        return Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "only queries may be sent with GET; use POST",
        )
        .with_header(header::ALLOW, "POST")
        .respond(format, true);
    }

    let viewer = match viewer_of(state, headers).await {
        Ok(viewer) => viewer,
        Err(refusal) => return refusal.respond(format, true),
    };
    // Anonymous queries read only role content: answer from the cache when it
    // holds this content version's answer.
    let cache_version = if viewer.is_none()
        && selected == Some(OperationType::Query)
        && state.responses.enabled()
    {
        match ResponseCache::version(&state.db).await {
            Ok(version) => Some(version),
            Err(e) => {
                tracing::warn!(error = %e, "reading the content version; not caching");
                None
            }
        }
    } else {
        None
    };
    let cache_key = cache_version.map(|v| ResponseCache::key(v, &request));
    if let Some(body) = cache_key.as_ref().and_then(|k| state.responses.get(k)) {
        state.metrics.observe(
            operation.as_deref(),
            "cached",
            started.elapsed().as_secs_f64(),
        );
        return json_response(StatusCode::OK, format, body);
    }
    let mut request = request
        .data(loaders::new_loader(&state.db))
        .data(ClientAddress(client.to_string()))
        .data(request_id.clone());
    if let Some(viewer) = viewer {
        request = request.data(viewer);
    }

    let timeout = Duration::from_secs(limits.execution_timeout_secs);
    let mut response = match tokio::time::timeout(timeout, state.schema.execute(request)).await {
        Ok(response) => response,
        Err(_) => {
            return refused(Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "TIMEOUT",
                format!("the operation ran longer than {} s", timeout.as_secs()),
            ));
        }
    };
    // Validation failed: nothing ran, no field has a path.
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
    let outcome = if response.errors.is_empty() {
        "ok"
    } else {
        "error"
    };
    let elapsed = started.elapsed();
    state
        .metrics
        .observe(operation.as_deref(), outcome, elapsed.as_secs_f64());
    tracing::info!(
        request_id = %request_id.0,
        operation = operation.as_deref().unwrap_or("-"),
        outcome,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        "graphql"
    );
    let status = if invalid && format == ResponseFormat::GraphQLResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = Bytes::from(serde_json::to_vec(&response).unwrap_or_default());
    if let Some(key) = cache_key
        && response.errors.is_empty()
    {
        state.responses.put(key, body.clone());
    }
    json_response(status, format, body)
}

fn json_response(status: StatusCode, format: ResponseFormat, body: Bytes) -> Response {
    let mut http = (status, body).into_response();
    http.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    http
}

/// The viewer of a request: none without an Authorization header, a refusal
/// for a bad one (a bad token is never quietly treated as anonymous).
async fn viewer_of(state: &AppState, headers: &HeaderMap) -> Result<Option<Viewer>, Refusal> {
    if !headers.contains_key(header::AUTHORIZATION) {
        return Ok(None);
    }
    let bad = || {
        Refusal::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "the bearer token is invalid, expired or revoked",
        )
        .with_header(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")
    };
    let token = bearer_token(headers).ok_or_else(bad)?;
    match auth::authenticate(&state.db, token).await {
        Ok(Some(viewer)) => Ok(Some(viewer)),
        Ok(None) => Err(bad()),
        Err(e) => {
            tracing::error!(error = %e, "checking a bearer token");
            Err(Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE_UNAVAILABLE",
                "the database is unavailable; retry later",
            ))
        }
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
