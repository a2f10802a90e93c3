//! Keyset paging over records, with the one cursor codec.
//!
//! A record list is ordered by a time column, then by id (unique, so the
//! order is total). A page after a cursor continues strictly after the row
//! the cursor names, so rows written meanwhile never shift or repeat a page.
//! The cursor's payload is `"<microseconds>:<id>"`; `graphql::pagination`
//! wraps it in the opaque, typed cursor clients see.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select,
};

use super::Owned;
use crate::error::{AppError, AppResult};

/// An order of `R`'s records: `column` (a time), then the id, both ascending
/// or both descending.
pub struct Keyset<R: Owned> {
    column: R::Column,
    descending: bool,
    key: fn(&R::Model) -> DateTime<Utc>,
}

impl<R: Owned> Keyset<R> {
    /// Oldest first by `column`, whose value in a row `key` reads.
    pub fn ascending(column: R::Column, key: fn(&R::Model) -> DateTime<Utc>) -> Self {
        Self {
            column,
            descending: false,
            key,
        }
    }

    /// Newest first by `column`, whose value in a row `key` reads.
    pub fn descending(column: R::Column, key: fn(&R::Model) -> DateTime<Utc>) -> Self {
        Self {
            column,
            descending: true,
            key,
        }
    }

    /// The cursor payload of `row`: its place in this order.
    pub fn cursor_of(&self, row: &R::Model) -> String {
        encode((self.key)(row), R::id_of(row))
    }

    /// Up to `limit` + 1 rows of `query` (one to look ahead, for
    /// `graphql::pagination::PageRequest::finish`) strictly after the row
    /// whose cursor payload is `after`, in this order.
    pub async fn fetch(
        &self,
        db: &impl ConnectionTrait,
        query: Select<R>,
        after: Option<&str>,
        limit: u64,
    ) -> AppResult<Vec<R::Model>> {
        let mut query = query;
        if let Some(after) = after {
            let (at, id) = decode(after, "after")?;
            let (beyond_at, beyond_id) = if self.descending {
                (self.column.lt(at), R::id_column().lt(id))
            } else {
                (self.column.gt(at), R::id_column().gt(id))
            };
            query = query.filter(
                Condition::any()
                    .add(beyond_at)
                    .add(Condition::all().add(self.column.eq(at)).add(beyond_id)),
            );
        }
        let order = if self.descending {
            Order::Desc
        } else {
            Order::Asc
        };
        Ok(query
            .order_by(self.column, order.clone())
            .order_by(R::id_column(), order)
            .limit(limit + 1)
            .all(db)
            .await?)
    }
}

/// The cursor payload of a row at time `at` with id `id`.
pub fn encode(at: DateTime<Utc>, id: i32) -> String {
    format!("{}:{id}", at.timestamp_micros())
}

/// Parses an [`encode`]d payload given as argument `field`; BAD_USER_INPUT
/// when it is not one.
pub fn decode(payload: &str, field: &str) -> AppResult<(DateTime<Utc>, i32)> {
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
        assert_eq!(decode(&encode(at, 9), "after").ok(), Some((at, 9)));
        for garbage in ["soon", "1:x", "x:1", ":", ""] {
            let err = decode(garbage, "after").unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT", "{garbage:?}");
        }
    }
}
