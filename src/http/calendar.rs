//! `GET /calendar/<token>.ics`: an account's interviews and plan tasks as an
//! iCalendar feed, for calendar apps to subscribe to.
//!
//! The token in the path is the only credential, so the route sits outside
//! the request-logging and CORS layers: its path never reaches the logs and
//! no other origin's script is invited to read it. A wrong, revoked or
//! malformed token is 404, exactly like a path that was never issued.
//!
//! Calendar apps poll every few minutes: the feed carries an `ETag` (a hash
//! of its text, which depends only on the rows) and a matching
//! `If-None-Match` gets 304 without the body. No `Last-Modified`: deleting an
//! interview changes the feed without making any remaining row newer.

use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use tower_http::timeout::TimeoutLayer;

use crate::http::compression;
use crate::http::state::AppState;
use crate::interviews::calendar;

/// The feed's route, with its own request timeout, compressed like every
/// answer of at least `compress_min_bytes` (it is outside the main router's layers).
pub fn routes(timeout: Duration, compress_min_bytes: u16) -> Router<AppState> {
    Router::new()
        .route("/calendar/{file}", get(feed))
        .layer(compression::layer(compress_min_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
}

/// Longest token accepted; ours are 43 characters.
const MAX_TOKEN_CHARS: usize = 64;

/// The feed of the account whose current token is `<file>` without `.ics`;
/// 304 when the client's `If-None-Match` names the feed's current `ETag`.
pub async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    request: HeaderMap,
) -> Response {
    let Some(token) = file
        .strip_suffix(".ics")
        .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN_CHARS)
    else {
        return not_found();
    };
    let owner = match calendar::owner_of(&state.db, token).await {
        Ok(Some(owner)) => owner,
        Ok(None) => return not_found(),
        Err(e) => return unavailable(&e),
    };
    let feed = match calendar::load_feed(&state.db, owner).await {
        Ok(feed) => feed,
        Err(e) => return unavailable(&e),
    };
    let style = calendar::FeedStyle {
        public_url: state.settings.mail.public_url.clone(),
        reminder_mins: state.settings.interviews.calendar_reminder_mins,
    };
    let body = calendar::render(&feed, &style);
    let etag = etag_of(&body);
    let mut response = if matches(&request, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// A strong entity tag for the feed's text (the feed is never compressed,
/// so one representation per text).
fn etag_of(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// Whether `If-None-Match` names `etag` (or is `*`); RFC 9110 13.1.2 compares
/// weakly, so a `W/` prefix is ignored.
fn matches(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, "private, no-store")],
        "no such calendar feed",
    )
        .into_response()
}

fn unavailable(error: &crate::error::AppError) -> Response {
    tracing::error!(error = ?error, "serving a calendar feed");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CACHE_CONTROL, "private, no-store")],
        "the calendar feed is unavailable; retry later",
    )
        .into_response()
}
