//! The `myInterviews` cursor payload: an interview's place in "soonest first".

use chrono::{DateTime, Utc};

use entity::interview;

use crate::error::{AppError, AppResult};

/// Cursor payload of an interview in `myInterviews`: its place by start, then id.
pub fn interview_cursor(row: &interview::Model) -> String {
    format!("{}:{}", row.scheduled_at.timestamp_micros(), row.id)
}

/// Parses an [`interview_cursor`] payload given as argument `field`.
pub fn parse_interview_cursor(payload: &str, field: &str) -> AppResult<(DateTime<Utc>, i32)> {
    payload
        .split_once(':')
        .and_then(|(micros, id)| {
            let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
            Some((at, id.parse().ok()?))
        })
        .ok_or_else(|| AppError::bad_input(field, "malformed cursor"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_bad_input() {
        let at = DateTime::from_timestamp_micros(1_800_000_000_123_456).unwrap();
        assert_eq!(
            parse_interview_cursor(&format!("{}:9", at.timestamp_micros()), "after").ok(),
            Some((at, 9))
        );
        let err = parse_interview_cursor("soon", "after").unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }
}
