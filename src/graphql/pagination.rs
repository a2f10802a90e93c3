//! Relay cursor pagination: argument checks, opaque cursors, page assembly.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{ObjectType, OutputType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::config::ApiLimits;
use crate::error::AppError;

/// What a list without `first`/`last` counts as in query complexity: about
/// the longest such list the content has.
pub const LIST_COST: usize = 10;

/// What a list of the viewer's stories counts as in query complexity: every
/// draft an account may keep (`--max-drafts-per-user`'s default) can be tagged
/// with one competency or linked to one question, so a signed-in reader with
/// 500 drafts really gets lists that long. Counted at 10, one role's coverage
/// with the stories' text answered 5.4 MB within the complexity limit.
pub const STORY_LIST_COST: usize = 500;

/// Which slice of an ordered list a client asked for.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// Decoded `after` cursor payload.
    pub after: Option<String>,
    /// Decoded `before` cursor payload.
    pub before: Option<String>,
    /// Rows wanted (the page size).
    pub limit: u64,
    /// `last` was given: read from the end of the list backwards.
    pub backward: bool,
}

impl PageRequest {
    /// Checks the Relay arguments of a connection whose cursors are of `kind`.
    ///
    /// A page size above `limits.max_page_size` is an error rather than a
    /// silent truncation, so a client never mistakes a cut page for the end.
    pub fn new(
        kind: &str,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        limits: &ApiLimits,
    ) -> Result<Self, AppError> {
        let size = |field: &str, n: i32| -> Result<u64, AppError> {
            if n < 0 {
                return Err(AppError::bad_input(field, "must not be negative"));
            }
            if n as u32 > limits.max_page_size {
                return Err(AppError::bad_input(
                    field,
                    format!("must be at most {}", limits.max_page_size),
                ));
            }
            Ok(n as u64)
        };
        let (limit, backward) = match (first, last) {
            (Some(_), Some(_)) => {
                return Err(AppError::bad_input(
                    "last",
                    "give either first or last, not both",
                ));
            }
            (Some(n), None) => (size("first", n)?, false),
            (None, Some(n)) => (size("last", n)?, true),
            (None, None) => (u64::from(limits.default_page_size), false),
        };
        Ok(Self {
            after: after
                .map(|c| decode_cursor(kind, &c, "after"))
                .transpose()?,
            before: before
                .map(|c| decode_cursor(kind, &c, "before"))
                .transpose()?,
            limit,
            backward,
        })
    }

    /// A forward-only page (`first`, `after`), as the viewer's own lists take.
    pub fn forward(
        kind: &str,
        first: Option<i32>,
        after: Option<String>,
        limits: &ApiLimits,
    ) -> Result<Self, AppError> {
        Self::new(kind, first, after, None, None, limits)
    }

    /// Builds the connection from rows fetched with `LIMIT self.limit + 1`, in
    /// read order (descending when `backward`); `cursor` gives each row's payload.
    pub fn finish<R, N, F>(
        &self,
        kind: &str,
        mut rows: Vec<R>,
        cursor: impl Fn(&R) -> String,
        node: impl Fn(R) -> N,
        fields: F,
    ) -> Connection<String, N, F>
    where
        N: OutputType,
        F: ObjectType,
    {
        let more = rows.len() as u64 > self.limit;
        rows.truncate(self.limit as usize);
        if self.backward {
            rows.reverse();
        }
        // A cursor always names a row that exists, so there is at least that row on its side.
        let (has_previous, has_next) = if self.backward {
            (more, self.before.is_some())
        } else {
            (self.after.is_some(), more)
        };
        let mut connection = Connection::with_additional_fields(has_previous, has_next, fields);
        connection.edges.extend(
            rows.into_iter()
                .map(|row| Edge::new(encode_cursor(kind, &cursor(&row)), node(row))),
        );
        connection
    }
}

/// The opaque cursor of a row of `kind` whose sort key is `payload`.
pub fn encode_cursor(kind: &str, payload: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("cursor:{kind}:{payload}"))
}

fn decode_cursor(kind: &str, cursor: &str, field: &str) -> Result<String, AppError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|text| {
            text.strip_prefix(&format!("cursor:{kind}:"))
                .map(str::to_owned)
        })
        .ok_or_else(|| AppError::bad_input(field, "malformed cursor"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ApiLimits {
        ApiLimits {
            default_page_size: 5,
            max_page_size: 10,
            ..ApiLimits::default()
        }
    }

    #[test]
    fn cursor_round_trips_and_is_typed() {
        let c = encode_cursor("Role", "12");
        assert_eq!(
            decode_cursor("Role", &c, "after").ok().as_deref(),
            Some("12")
        );
        assert!(decode_cursor("StarDraft", &c, "after").is_err());
        assert!(decode_cursor("Role", "%%%", "after").is_err());
    }

    #[test]
    fn page_size_is_checked_not_truncated() {
        let err = PageRequest::new("Role", Some(11), None, None, None, &limits()).unwrap_err();
        assert!(matches!(err, AppError::BadUserInput { ref field, .. } if field == "first"));
        assert!(PageRequest::new("Role", Some(-1), None, None, None, &limits()).is_err());
        assert!(PageRequest::new("Role", Some(1), None, Some(1), None, &limits()).is_err());
        let page = PageRequest::new("Role", None, None, None, None, &limits()).unwrap();
        assert_eq!((page.limit, page.backward), (5, false));
        let page = PageRequest::new("Role", None, None, Some(10), None, &limits()).unwrap();
        assert_eq!((page.limit, page.backward), (10, true));
    }
}
