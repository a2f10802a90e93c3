//! Operational endpoints: health, readiness, metrics.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use migration::{Migrator, MigratorTrait};

use crate::http::state::AppState;

/// Liveness: the process answers.
pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: not shutting down, the database answers, no migration pending.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let not_ready = |why: &str| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable", "reason": why })),
        )
            .into_response()
    };
    if *state.shutdown.borrow() {
        return not_ready("shutting down");
    }
    if state.db.ping().await.is_err() {
        return not_ready("database unreachable");
    }
    match Migrator::get_pending_migrations(&state.db).await {
        Ok(pending) if pending.is_empty() => {
            Json(serde_json::json!({ "status": "ready" })).into_response()
        }
        Ok(_) => not_ready("migrations pending"),
        Err(_) => not_ready("database unreachable"),
    }
}

/// Prometheus metrics.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let apq_bytes = i64::try_from(state.persisted.bytes()).unwrap_or(i64::MAX);
    state.metrics.apq_bytes.set(apq_bytes);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(&state.db),
    )
        .into_response()
}
