//! Who is asking: the account and session a request's bearer token names.

/// The signed-in user of a request, from a valid bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: i32,
    pub session_id: i32,
    /// When the session stops authenticating.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}
