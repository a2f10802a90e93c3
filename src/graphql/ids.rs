//! Opaque global IDs: `base64url("<Type>:<primary key>")`.
//!
//! Clients must treat IDs as opaque; the type prefix lets `node(id:)` find the
//! table and lets typed arguments refuse an ID of the wrong type. Every type
//! name an ID may carry is a variant of [`IdKind`], whose name is the type's
//! name: a new node type adds one line to the `id_kinds!` list.

use std::io::Write;

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AppError;

/// Declares [`IdKind`] from one list of variants: the enum, [`IdKind::ALL`],
/// [`IdKind::name`] (the variant's own name, which is the GraphQL type name)
/// and [`IdKind::from_name`].
macro_rules! id_kinds {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every kind, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The GraphQL type name, as written into the ID.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($variant)),+
                }
            }

            /// The kind named `name`, if it is one of ours.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $(stringify!($variant) => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

id_kinds! {
    /// The GraphQL types that have global IDs.
    pub enum IdKind {
        Role,
        Skill,
        Question,
        PrepStep,
        TimelinePhase,
        TimelineTask,
        Mistake,
        SalaryBenchmark,
        Faq,
        Resource,
        StarDraft,
        User,
        Interview,
        PlanTask,
        PracticeAttempt,
        Share,
        Grant,
        Comment,
        Session,
    }
}

/// The global ID of row `key` of `kind`.
pub fn encode(kind: IdKind, key: i32) -> ID {
    // Every object of a page carries one: the text is written on the stack,
    // so the only allocation is the ID itself.
    let mut raw = [0u8; 32];
    let mut text = std::io::Cursor::new(&mut raw[..]);
    // The longest name (15 bytes) and ':' and an i32 (11) always fit in 32.
    let _ = write!(text, "{}:{key}", kind.name());
    let len = usize::try_from(text.position()).unwrap_or(0);
    ID(URL_SAFE_NO_PAD.encode(&raw[..len]))
}

/// Splits a global ID into its kind and key; `None` when it is not one of ours.
///
/// Only the one spelling [`encode`] writes is accepted: `StarDraft:0001`,
/// `StarDraft:+1` or ` 1` name the same row but are not its ID, and a cache
/// or a client comparing IDs as strings would take them for another object.
/// Re-encoding and comparing also refuses padded or non-canonical base64.
pub fn decode(id: &str) -> Option<(IdKind, i32)> {
    let raw = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (kind, key) = text.split_once(':')?;
    let key: i32 = key.parse().ok()?;
    let kind = IdKind::from_name(kind)?;
    (key > 0 && encode(kind, key).0 == id).then_some((kind, key))
}

/// Decodes an ID argument that must be of type `kind`, else BAD_USER_INPUT naming `field`.
pub fn decode_as(kind: IdKind, id: &ID, field: &str) -> Result<i32, AppError> {
    match decode(id) {
        Some((k, key)) if k == kind => Ok(key),
        Some((k, _)) => Err(AppError::bad_input(
            field,
            format!(
                "expected the ID of a {}, got the ID of a {}",
                kind.name(),
                k.name()
            ),
        )),
        None => Err(AppError::bad_input(field, "malformed ID")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for kind in IdKind::ALL {
            let id = encode(*kind, 42);
            assert_eq!(decode(&id), Some((*kind, 42)));
            assert!(!id.contains(kind.name()), "IDs are opaque: {}", id.0);
            for key in [1, 42, i32::MAX, i32::MIN] {
                let spelled = URL_SAFE_NO_PAD.encode(format!("{}:{key}", kind.name()));
                assert_eq!(encode(*kind, key).0, spelled);
            }
        }
    }

    #[test]
    fn rejects_garbage_unknown_types_and_non_positive_keys() {
        assert_eq!(decode("not base64 !"), None);
        for spelling in [
            "StarDraft:01",
            "StarDraft:0001",
            "StarDraft:+1",
            "StarDraft: 1",
            "StarDraft:1 ",
            " StarDraft:1",
            "StarDraft:1\n",
        ] {
            assert_eq!(
                decode(&URL_SAFE_NO_PAD.encode(spelling)),
                None,
                "{spelling:?}"
            );
        }
        let canonical = encode(IdKind::StarDraft, 1);
        assert_eq!(decode(&canonical), Some((IdKind::StarDraft, 1)));
        // Padding or surrounding whitespace around the base64 is another spelling too.
        assert_eq!(decode(&format!("{}=", canonical.0)), None);
        assert_eq!(decode(&format!(" {}", canonical.0)), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Role")), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Role:x")), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Role:-1")), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Planet:1")), None);
    }

    #[test]
    fn every_kind_is_listed_once_under_its_own_name() {
        let mut names = std::collections::HashSet::new();
        for kind in IdKind::ALL {
            assert!(names.insert(kind.name()), "{} is listed twice", kind.name());
            assert_eq!(IdKind::from_name(kind.name()), Some(*kind));
            assert_eq!(kind.name(), format!("{kind:?}"));
        }
        assert_eq!(names.len(), IdKind::ALL.len());
        assert_eq!(IdKind::from_name("Planet"), None);
        assert_eq!(IdKind::from_name("role"), None);
        assert_eq!(IdKind::from_name(""), None);
    }

    #[test]
    fn decode_as_refuses_another_type() {
        let err = decode_as(IdKind::Question, &encode(IdKind::Role, 1), "questionId").unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert_eq!(
            decode_as(IdKind::Role, &encode(IdKind::Role, 7), "id").ok(),
            Some(7)
        );
    }
}
