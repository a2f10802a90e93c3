//! The whole router: GraphQL, the IDEs (unless disabled), health, readiness,
//! metrics, the calendar feed and the single-page app when one is configured.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use axum::response::Redirect;
use axum::routing::get;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::state::AppState;
use super::{calendar, compression, export, favicon, graphql, ide, ops, spa};

/// Request ids: 16 random hex characters, unless the client sent one.
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&crate::secrets::random_hex(8))
            .ok()
            .map(RequestId::new)
    }
}

/// The `--admin-bind` listener's router: health, readiness and metrics only.
pub fn admin_router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(state.settings.http.request_timeout_secs),
        ))
        .with_state(state)
}

/// The whole router: GraphQL, the IDEs (unless disabled), health, readiness,
/// metrics, and the single-page app when one is configured.
pub fn router(state: AppState) -> Router {
    let config = &state.settings.http;
    let mut router = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/favicon.ico", get(favicon::favicon))
        .route("/me/export", get(export::export));
    if !config.ide_off() {
        router = router
            .route("/playground", get(ide::playground))
            .route("/graphiql", get(ide::graphiql))
            .route("/ide/assets/{name}", get(ide::asset));
    }
    match &config.spa_dir {
        Some(dir) => router = router.merge(spa::router(dir)),
        None if !config.ide_off() => {
            router = router.route("/", get(|| async { Redirect::temporary("/playground") }));
        }
        None => {}
    }
    let request_id = HeaderName::from_static("x-request-id");
    let mut router = router
        .layer(compression::layer(config.compress_min_bytes))
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
        .merge(calendar::routes(
            Duration::from_secs(config.request_timeout_secs),
            config.compress_min_bytes,
        ))
        .with_state(state)
}
