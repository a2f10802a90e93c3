//! The `myStarDrafts` cursor payload: a draft's place in "newest change first".

use chrono::{DateTime, Utc};

use entity::star_draft;

use crate::error::{AppError, AppResult};

/// Cursor payload of a draft in `myStarDrafts`: its place in "newest change first".
pub fn draft_cursor(row: &star_draft::Model) -> String {
    format!("{}:{}", row.updated_at.timestamp_micros(), row.id)
}

/// Parses a [`draft_cursor`] payload given as argument `field`.
pub fn parse_draft_cursor(payload: &str, field: &str) -> AppResult<(DateTime<Utc>, i32)> {
    payload
        .split_once(':')
        .and_then(|(micros, id)| {
            let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
            Some((at, id.parse().ok()?))
        })
        .ok_or_else(|| AppError::bad_input(field, "malformed cursor"))
}
