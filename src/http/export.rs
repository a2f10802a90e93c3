//! `GET /me/export`: the account export (`accounts::export`) streamed as a
//! JSON download, for the bearer token's account. No token, or a bad,
//! expired or ended one, is 401 like GraphQL.

use axum::Extension;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use serde_json::json;

use super::client_ip::ClientIp;
use super::operation::{self, bearer_token};
use super::state::AppState;
use crate::accounts::export;

/// The handler of `GET /me/export`.
pub async fn export(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    headers: HeaderMap,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token);
    let viewer = match operation::authenticate(&state, token, client).await {
        Ok(Some(viewer)) => viewer,
        Ok(None) => {
            return unauthenticated("send the account's token as Authorization: Bearer <token>");
        }
        Err(refusal) if refusal.kind == operation::RefusalKind::Unauthenticated => {
            return unauthenticated("the token is not valid (expired or ended)");
        }
        Err(_) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is unavailable; retry later",
            )
                .into_response();
        }
    };
    let pieces = export::start(state.db.clone(), viewer.user_id);
    // Fused: the compression layer polls the body once more after its end,
    // and a bare `unfold` panics when polled after it returned `None`.
    let stream = futures_util::stream::unfold(pieces, |mut rx| async move {
        rx.recv().await.map(|piece| (piece, rx))
    })
    .fuse();
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"prep-account-export.json\""),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn unauthenticated(message: &str) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": "UNAUTHENTICATED" } }] });
    (
        StatusCode::UNAUTHORIZED,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\""),
        ],
        body.to_string(),
    )
        .into_response()
}
