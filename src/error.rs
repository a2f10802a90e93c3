//! The one error type of the API and how each variant reaches the client.
//!
//! Resolvers return `AppError` through `?`; async-graphql keeps it as the
//! error's source, and [`finish_response`] turns it into `extensions.code` (and the
//! other extensions of the contract). Anything that is not an `AppError` is
//! masked as INTERNAL_SERVER_ERROR: database messages never reach a client.

use std::sync::Arc;

use async_graphql::{Response, ServerError, Value};
use sea_orm::DbErr;

/// What went wrong, as the client sees it. The `Display` text is the message sent.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// No valid session: `UNAUTHENTICATED`.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// The viewer may not do this: `FORBIDDEN`.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Nothing the viewer may see has this id: `NOT_FOUND`.
    #[error("{0}")]
    NotFound(String),
    /// An argument is wrong: `BAD_USER_INPUT` with `extensions.field`.
    #[error("{field}: {message}")]
    BadUserInput { field: String, message: String },
    /// The write was made on a stale version: `VERSION_CONFLICT` with `extensions.currentVersion`.
    #[error(
        "it was changed meanwhile and is now at version {current_version}; reload it and apply the change again"
    )]
    VersionConflict { current_version: i32 },
    /// Too many attempts: `RATE_LIMITED` with `extensions.retryAfterSeconds`.
    #[error("too many attempts; retry in {retry_after_seconds} seconds")]
    RateLimited { retry_after_seconds: u64 },
    /// A fault of ours: `INTERNAL_SERVER_ERROR`; the cause is only logged.
    #[error("internal server error")]
    Internal(Arc<anyhow::Error>),
}

impl AppError {
    /// BAD_USER_INPUT about `field` when `value` is longer than `max` characters.
    pub fn check_length(field: &str, value: &str, max: usize) -> Result<(), Self> {
        let len = value.chars().count();
        if len > max {
            return Err(Self::bad_input(
                field,
                format!("is {len} characters long; the limit is {max}"),
            ));
        }
        Ok(())
    }

    /// A `BAD_USER_INPUT` error about `field`.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// An INTERNAL_SERVER_ERROR whose `cause` is logged, never sent.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(cause.into()))
    }

    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::VersionConflict { .. } => "VERSION_CONFLICT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        Self::internal(err)
    }
}

impl From<Arc<DbErr>> for AppError {
    fn from(err: Arc<DbErr>) -> Self {
        Self::internal(Arc::unwrap_or_clone(err))
    }
}

/// Result of a resolver or domain function.
pub type AppResult<T> = Result<T, AppError>;

/// Sets `extensions` on one error from its source, masking internal faults;
/// `request_id` becomes the `errorId` of a masked error.
pub fn finish_error(err: &mut ServerError, request_id: &str) {
    if err
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
    {
        return;
    }
    let app = err.source::<AppError>().cloned();
    let code = match &app {
        Some(AppError::Internal(cause)) if is_unavailable(cause) => "SERVICE_UNAVAILABLE",
        Some(AppError::Internal(cause)) => {
            internal(err, request_id, &format!("{cause:#}"));
            return;
        }
        Some(app) => app.code(),
        // Argument values the schema could not parse have no source: the client's fault.
        None if err.source.is_none() => "BAD_USER_INPUT",
        None => {
            internal(
                err,
                request_id,
                "an unexpected error type reached the client",
            );
            return;
        }
    };
    if code == "SERVICE_UNAVAILABLE" {
        tracing::warn!(%request_id, "the database is unavailable");
        err.message = "the database is unavailable; retry later".to_owned();
    }
    let ext = err.extensions.get_or_insert_with(Default::default);
    ext.set("code", code);
    match &app {
        Some(AppError::BadUserInput { field, .. }) => ext.set("field", field.as_str()),
        Some(AppError::VersionConflict { current_version }) => {
            ext.set("currentVersion", *current_version)
        }
        Some(AppError::RateLimited {
            retry_after_seconds,
        }) => ext.set("retryAfterSeconds", Value::from(*retry_after_seconds)),
        _ => {}
    }
}

/// Whether a fault means the database cannot be reached (no connection in time).
fn is_unavailable(cause: &anyhow::Error) -> bool {
    cause.chain().any(|e| {
        matches!(
            e.downcast_ref::<DbErr>(),
            Some(DbErr::ConnectionAcquire(_) | DbErr::Conn(_))
        )
    })
}

/// Logs an internal fault under the request's id and replaces the error with
/// a masked one carrying that id.
fn internal(err: &mut ServerError, request_id: &str, cause: &str) {
    let error_id = if request_id.is_empty() || request_id == "-" {
        crate::secrets::random_hex(8)
    } else {
        request_id.to_owned()
    };
    tracing::error!(%error_id, path = ?err.path, %cause, "internal error in a resolver");
    err.message = "internal server error".to_owned();
    let ext = err.extensions.get_or_insert_with(Default::default);
    ext.set("code", "INTERNAL_SERVER_ERROR");
    ext.set("errorId", error_id);
}

/// Applies [`finish_error`] to every error of a response, before it is sent.
///
/// Done on the finished response rather than in a schema extension: any
/// extension makes async-graphql run hooks around every field, which costs
/// more than the mapping itself.
pub fn finish_response(response: &mut Response, request_id: &str) {
    for error in &mut response.errors {
        finish_error(error, request_id);
    }
}
