//! `/graphql` over HTTP, as the GraphQL-over-HTTP spec describes it.
//!
//! This module only carries bytes: the response format is negotiated (406),
//! a POST must be JSON (415) within the body limit (413), malformed JSON or
//! parameters are 400, batches are refused. Everything else (persisted
//! queries, document limits, the GET-only-queries rule, the bearer token,
//! execution, metrics, logs) is the operation pipeline's (`super::operation`),
//! shared with the WebSocket; here its outcome becomes an HTTP status, and a
//! cached answer goes in the stored encoding the client prefers. An anonymous
//! GET of a public query may be kept by shared caches, with an `ETag` and
//! 304 (`super::conditional`); every other answer is `private, no-store`.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Extension;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{RawQuery, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::accept::{ResponseFormat, is_json, negotiate};
use super::cache::{Encoded, Entry};
use super::client_ip::ClientIp;
use super::compression::{self, Encoding};
use super::conditional::{self, Validator};
use super::operation::{self, Answer, Caller, Refusal, RefusalKind, RequestId, Transport};
use super::ws::counts::ProxiedSockets;
use crate::http::state::AppState;

/// A request HTTP itself refuses (media types, body, parameters): the status
/// is the answer, whatever the format.
fn refused(
    status: StatusCode,
    code: &'static str,
    message: &str,
    format: ResponseFormat,
) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    json_response(status, format, Bytes::from(body.to_string()))
}

fn bad_request(message: &str, format: ResponseFormat) -> Response {
    refused(StatusCode::BAD_REQUEST, "BAD_REQUEST", message, format)
}

/// `POST /graphql`: never kept by a cache.
pub async fn post(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    private_by_default(answer_post(state, client, headers, body).await)
}

/// Sets `Cache-Control: private, no-store` unless the answer says it may be kept.
fn private_by_default(mut response: Response) -> Response {
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(conditional::PRIVATE));
    response
}

async fn answer_post(state: AppState, client: IpAddr, headers: HeaderMap, body: Body) -> Response {
    let Some(format) = negotiate(&headers) else {
        return not_acceptable();
    };
    // Only JSON: a browser cannot send it cross-site without a CORS preflight.
    if !is_json(&headers) {
        return refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as application/json",
            format,
        );
    }
    let limit = state.settings.http.max_body_bytes;
    let bytes = match to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                &format!("the body is larger than {limit} bytes"),
                format,
            );
        }
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(e) => return bad_request(&format!("malformed JSON: {e}"), format),
    };
    if value.is_array() {
        return bad_request(
            "batched requests are not supported; send one operation per request",
            format,
        );
    }
    let request: async_graphql::Request = match serde_json::from_value(value) {
        Ok(request) => request,
        Err(e) => {
            return bad_request(&format!("malformed GraphQL request: {e}"), format);
        }
    };
    run(
        &state,
        &headers,
        client,
        format,
        request,
        Transport::HttpPost,
    )
    .await
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
    Extension(ClientIp(client)): Extension<ClientIp>,
    proxied: Option<Extension<ProxiedSockets>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Ok(upgrade) = upgrade {
        return super::ws::upgrade(state, &headers, client, proxied.map(|e| e.0), upgrade);
    }
    let mut response = private_by_default(answer_get(state, client, headers, raw).await);
    // Replaces the compression's own `Vary: accept-encoding`, which this includes.
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static(conditional::VARY));
    response
}

async fn answer_get(
    state: AppState,
    client: IpAddr,
    headers: HeaderMap,
    raw: Option<String>,
) -> Response {
    let Some(format) = negotiate(&headers) else {
        return not_acceptable();
    };
    let params: GetParams = match serde_urlencoded::from_str(raw.as_deref().unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return bad_request(&format!("malformed parameters: {e}"), format),
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
        (Err(why), _) | (_, Err(why)) => return bad_request(&why, format),
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
        Err(e) => return bad_request(&format!("malformed parameters: {e}"), format),
    };
    run(
        &state,
        &headers,
        client,
        format,
        request,
        Transport::HttpGet,
    )
    .await
}

fn not_acceptable() -> Response {
    refused(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "accept application/graphql-response+json or application/json",
        ResponseFormat::Json,
    )
}

/// Runs a request through the operation pipeline and frames the outcome.
async fn run(
    state: &AppState,
    headers: &HeaderMap,
    client: IpAddr,
    format: ResponseFormat,
    request: async_graphql::Request,
    transport: Transport,
) -> Response {
    let operation = match operation::prepare(state, request, transport) {
        Ok(operation) => operation,
        Err(refusal) => return respond(refusal, format),
    };
    let token = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => match value.to_str().ok().and_then(operation::bearer_token) {
            Some(token) => Some(token),
            None => return respond(operation.refuse(state, Refusal::unauthenticated()), format),
        },
    };
    let viewer = match operation::authenticate(state, token, client).await {
        Ok(viewer) => viewer,
        Err(refusal) => return respond(operation.refuse(state, refusal), format),
    };
    let caller = Caller {
        viewer,
        client,
        user_agent: operation::user_agent(headers),
        request_id: request_id(headers),
    };
    // Only an anonymous GET may be kept by a shared cache: a POST cannot be
    // cached by URL, and a signed-in request is answered for its viewer.
    let shared = transport == Transport::HttpGet
        && caller.viewer.is_none()
        && !headers.contains_key(header::AUTHORIZATION)
        && operation.is_public_query();
    let version = if shared || state.responses.enabled() {
        operation.public_version(state).await
    } else {
        None
    };
    let validator = version
        .filter(|_| shared)
        .map(|version| Validator::new(version, operation.request(), format));
    if let Some(validator) = &validator
        && let Some(tag) = validator.matched(headers)
    {
        operation.not_modified(state, &caller);
        return not_modified(state, tag);
    }
    match operation.execute_at(state, caller, version).await {
        Ok(answer) if answer.shareable && validator.is_some() => {
            let (entry, counted) = match answer.cached {
                Some(entry) => (entry, true),
                None => (Entry::detached(answer.body), false),
            };
            let (mut response, encoding) =
                encoded_response(state, headers, format, &entry, counted).await;
            if let Some(validator) = &validator {
                shared_headers(state, &mut response, validator.etag(encoding));
            }
            response
        }
        Ok(Answer {
            cached: Some(entry),
            ..
        }) => {
            encoded_response(state, headers, format, &entry, true)
                .await
                .0
        }
        Ok(answer) => {
            let status = if answer.invalid.is_some() && format == ResponseFormat::GraphQLResponse {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            json_response(status, format, answer.body)
        }
        Err(refusal) => respond(refusal, format),
    }
}

/// `304 Not Modified` confirming the client's copy tagged `etag`, with the
/// headers a 200 would have had (a cache refreshes its copy's from them).
fn not_modified(state: &AppState, etag: HeaderValue) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    shared_headers(state, &mut response, etag);
    response
}

/// The headers that let shared caches keep a public read.
fn shared_headers(state: &AppState, response: &mut Response, etag: HeaderValue) {
    let http = &state.settings.http;
    let headers = response.headers_mut();
    headers.insert(header::ETAG, etag);
    headers.insert(
        header::CACHE_CONTROL,
        conditional::public(http.http_cache_max_age_secs, http.http_cache_swr_secs),
    );
}

/// An error-free answer in the encoding `headers` prefer, from the entry's
/// stored forms: compressed at most once per entry, never per response (a
/// detached entry, not `counted` as cached, is compressed for this response).
/// Below `--compress-min-bytes` it goes as JSON, like any answer. Also
/// returns the encoding sent.
async fn encoded_response(
    state: &AppState,
    headers: &HeaderMap,
    format: ResponseFormat,
    entry: &Arc<Entry>,
    counted: bool,
) -> (Response, Encoding) {
    let json = entry.json();
    if json.len() < usize::from(state.settings.http.compress_min_bytes) {
        let mut response = json_response(StatusCode::OK, format, json.clone());
        // Sent as it is: the compression layer must not code it after the ETag was set.
        compression::mark(&mut response, Encoding::Identity);
        return (response, Encoding::Identity);
    }
    let wanted = compression::preferred(headers);
    let (encoding, encoded) = match state.responses.encoded(entry, wanted).await {
        Some(encoded) => (wanted, encoded),
        None => (
            Encoding::Identity,
            Encoded {
                body: json.clone(),
                fresh: false,
            },
        ),
    };
    if counted {
        state.metrics.cache_sent(encoding.token(), encoded.fresh);
    }
    let mut response = json_response(StatusCode::OK, format, encoded.body);
    compression::mark(&mut response, encoding);
    (response, encoding)
}

/// The HTTP framing of a refusal. With `application/json`, GraphQL errors in a
/// well-formed request are 200, except where the status itself is the answer.
fn respond(refusal: Refusal, format: ResponseFormat) -> Response {
    let (status, always) = match refusal.kind {
        RefusalKind::BadRequest => (StatusCode::BAD_REQUEST, false),
        RefusalKind::PersistedQueryNotFound => (StatusCode::OK, false),
        RefusalKind::NotAllowed => (StatusCode::FORBIDDEN, false),
        RefusalKind::Timeout => (StatusCode::SERVICE_UNAVAILABLE, false),
        RefusalKind::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, true),
        RefusalKind::Unauthenticated => (StatusCode::UNAUTHORIZED, true),
        RefusalKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, true),
    };
    let status = if always || format == ResponseFormat::GraphQLResponse {
        status
    } else {
        StatusCode::OK
    };
    let body = Bytes::from(json!({ "errors": refusal.errors() }).to_string());
    let mut response = json_response(status, format, body);
    let extra = match refusal.kind {
        RefusalKind::MethodNotAllowed => Some((header::ALLOW, "POST")),
        RefusalKind::Unauthenticated => {
            Some((header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\""))
        }
        _ => None,
    };
    if let Some((name, value)) = extra {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
    }
    response
}

fn request_id(headers: &HeaderMap) -> RequestId {
    RequestId(
        headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_owned(),
    )
}

fn json_response(status: StatusCode, format: ResponseFormat, body: Bytes) -> Response {
    let mut http = (status, body).into_response();
    http.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    http
}
