//! Why an operation did not run, in terms both transports can frame.

use serde_json::{Value, json};

use super::document::Refused;
use super::persisted::PersistedError;

/// The kind of a refusal: what HTTP maps to a status; the WebSocket sends
/// every kind as an `error` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// Malformed or over a limit (HTTP 400).
    BadRequest,
    /// APQ: the hash is unknown and the client should send the document (HTTP 200).
    PersistedQueryNotFound,
    /// Allow-list mode: the document is not registered (HTTP 403).
    NotAllowed,
    /// The transport may not carry this operation (HTTP 405: a mutation sent with GET).
    MethodNotAllowed,
    /// The bearer token is invalid, expired or revoked (HTTP 401).
    Unauthenticated,
    /// The database is unavailable (HTTP 503).
    Unavailable,
    /// The operation ran past the execution timeout (HTTP 503).
    Timeout,
}

/// An operation refused before or instead of producing data.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// How the transport frames it.
    pub kind: RefusalKind,
    /// `extensions.code`.
    pub code: &'static str,
    /// The error message.
    pub message: String,
    /// `extensions.field`, for input errors.
    pub field: Option<String>,
}

impl Refusal {
    /// A refusal with a code and message.
    pub fn new(kind: RefusalKind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// Names the input at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// A malformed request (`BAD_REQUEST`).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(RefusalKind::BadRequest, "BAD_REQUEST", message)
    }

    /// A document over a size, token or alias limit.
    pub fn too_large(refused: Refused) -> Self {
        Self::new(RefusalKind::BadRequest, "QUERY_TOO_LARGE", refused.0)
    }

    /// A bad bearer token.
    pub fn unauthenticated() -> Self {
        Self::new(
            RefusalKind::Unauthenticated,
            "UNAUTHENTICATED",
            "the bearer token is invalid, expired or revoked",
        )
    }

    /// A persisted-query failure, with the codes Apollo clients expect.
    pub fn persisted(error: &PersistedError) -> Self {
        let (code, message) = error.code_and_message();
        let kind = match error {
            PersistedError::NotFound => RefusalKind::PersistedQueryNotFound,
            PersistedError::HashMismatch => RefusalKind::BadRequest,
            PersistedError::NotAllowed => RefusalKind::NotAllowed,
        };
        Self::new(kind, code, message)
    }

    /// The `errors` array of a response carrying this refusal.
    pub fn errors(&self) -> Value {
        let mut extensions = json!({ "code": self.code });
        if let Some(field) = &self.field {
            extensions["field"] = Value::String(field.clone());
        }
        json!([{ "message": self.message, "extensions": extensions }])
    }
}
