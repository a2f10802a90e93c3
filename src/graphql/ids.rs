//! Opaque global IDs: `base64url("<Type>:<primary key>")`.
//!
//! Clients must treat IDs as opaque; the type prefix lets `node(id:)` find the
//! table and lets typed arguments refuse an ID of the wrong type.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AppError;

/// The global ID of row `key` of `kind` (a GraphQL type name).
pub fn encode(kind: &str, key: i32) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{key}")))
}

/// Splits a global ID into its type name and key; `None` when it is not one of ours.
pub fn decode(id: &str) -> Option<(String, i32)> {
    let raw = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (kind, key) = text.split_once(':')?;
    let key: i32 = key.parse().ok()?;
    (key > 0 && !kind.is_empty()).then(|| (kind.to_owned(), key))
}

/// Decodes an ID argument that must be of type `kind`, else BAD_USER_INPUT naming `field`.
pub fn decode_as(kind: &str, id: &ID, field: &str) -> Result<i32, AppError> {
    match decode(id) {
        Some((k, key)) if k == kind => Ok(key),
        Some((k, _)) => Err(AppError::bad_input(
            field,
            format!("expected the ID of a {kind}, got the ID of a {k}"),
        )),
        None => Err(AppError::bad_input(field, "malformed ID")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let id = encode("Role", 42);
        assert_eq!(decode(&id), Some(("Role".to_owned(), 42)));
        assert!(!id.contains("Role"), "IDs are opaque: {}", id.0);
    }

    #[test]
    fn rejects_garbage_and_non_positive_keys() {
        assert_eq!(decode("not base64 !"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Role")), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Role:x")), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Role:-1")), None);
    }

    #[test]
    fn decode_as_refuses_another_type() {
        let err = decode_as("Question", &encode("Role", 1), "questionId").unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert_eq!(decode_as("Role", &encode("Role", 7), "id").ok(), Some(7));
    }
}
