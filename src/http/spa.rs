//! The single-page app, served from a built directory (`--spa-dir`) so that one
//! process serves the app and the API on one origin.
//!
//! Files are served as they are, except hidden ones (a path segment starting
//! with `.`), which are 404. A page navigation (GET or HEAD accepting
//! `text/html`) to any other path outside `/assets/`, like the app's route
//! `/roles/backend-developer`, gets `index.html`, so a reload or a shared link
//! works; other requests for a missing file get 404.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

/// Where the bundler puts its content-hashed files, which never change.
const HASHED_ASSETS: &str = "/assets/";

/// Refuses a directory that is not a built app: one without `index.html`, or
/// the app's source folder (it has `package.json`, and its files are not for
/// serving).
pub fn check_build_dir(dir: &Path) -> anyhow::Result<()> {
    let build = "build the app: cd examples/spa && npm ci && npm run build";
    anyhow::ensure!(
        dir.join("index.html").is_file(),
        "--spa-dir {}: no index.html there ({build})",
        dir.display()
    );
    anyhow::ensure!(
        !dir.join("package.json").exists(),
        "--spa-dir {}: this is the app's source folder; give its build output (e.g. examples/spa/dist)",
        dir.display()
    );
    Ok(())
}

/// A router answering every path it is given from `dir` (mounted as the fallback).
pub fn router<S: Clone + Send + Sync + 'static>(dir: &Path) -> Router<S> {
    let index = dir.join("index.html");
    // `fallback`, not `not_found_service`: the app's routes answer 200.
    // The build's `.br` / `.gz` files (see `examples/spa/scripts/precompress.mjs`)
    // are sent when the client accepts them, so assets are compressed once.
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(axum::routing::any(move |request: Request| {
            app_route(index.clone(), request)
        }));
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(app_headers))
        .layer(middleware::from_fn(refuse_hidden))
}

/// Hidden files (`.env`, `.git/...`) are never served.
async fn refuse_hidden(request: Request, next: Next) -> Response {
    if request.uri().path().split('/').any(|segment| {
        segment.starts_with('.') || segment.starts_with("%2e") || segment.starts_with("%2E")
    }) {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}

/// A missing path: `index.html` for a page navigation, 404 for anything else.
async fn app_route(index: std::path::PathBuf, request: Request) -> Response {
    let navigation = matches!(*request.method(), Method::GET | Method::HEAD)
        && !request.uri().path().starts_with(HASHED_ASSETS)
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    if !navigation {
        return StatusCode::NOT_FOUND.into_response();
    }
    match ServeFile::new(index)
        .precompressed_br()
        .precompressed_gzip()
        .oneshot(request)
        .await
    {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

/// Hashed assets are cached for good; everything else (index.html above all)
/// is revalidated, so a new build is picked up on the next load. No page may
/// be framed by another site (the app has sign-in and delete buttons to
/// protect from clickjacking), and no file's type is sniffed.
async fn app_headers(request: Request, next: Next) -> Response {
    let hashed = request.uri().path().starts_with(HASHED_ASSETS);
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let value = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    let headers = response.headers_mut();
    // A path is answered from `x`, `x.br` or `x.gz` by `Accept-Encoding`: a
    // shared cache must key on it, or it hands br to a client that asked for none.
    let varies = headers.get_all(header::VARY).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
    });
    if !varies {
        headers.append(
            header::VARY,
            HeaderValue::from_static(header::ACCEPT_ENCODING.as_str()),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    response
}
