//! The kit for owned, versioned, live records: drafts, interviews and practice
//! attempts (and whatever a user owns next) are written against it once.
//!
//! A record is a table row that belongs to one user. The kit gives it:
//! - [`scope`]: the owner scope (`find`, `lock`, `find_many`, and the
//!   per-account cap), so another user's record looks exactly like one that
//!   does not exist; every list of "mine" and every write reads through it.
//! - [`shared`]: the read scope, "the owner, or a live grant that covers
//!   this record", for what a grantee may read.
//! - [`write`]: the version-checked write (`UPDATE .. WHERE id = ? AND
//!   version = ?`, VERSION_CONFLICT otherwise) and the commit that publishes
//!   the change.
//! - [`change`]: one [`change::ChangeKind`] (created, updated, deleted) and one
//!   [`change::Change`] of a record, as the event bus carries them.
//! - [`bus`]: the event bus, local and over PostgreSQL LISTEN/NOTIFY alike.
//! - [`live`]: one follower for "this record" and "all of mine".
//! - [`page`]: keyset paging with one cursor codec.
//!
//! A feature declares its table a record in its `store.rs` with one
//! [`record!`] (owned; versioned and live when it is); the rest is the kit's.

pub mod bus;
pub mod change;
pub mod live;
pub mod page;
pub mod scope;
pub mod shared;
pub mod write;

use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;

pub use bus::{BusMessage, EventBus, Listening, LiveTables, Notice};
pub use change::{Change, ChangeKind, RecordChange};
pub use scope::{OwnedPages, find_owned, get_owned, lock_owned, owned_by, owned_by_each, owner_is};
pub use shared::{Reader, find_readable, get_readable, readable_by, reader_of};
pub use write::{check_version, commit, write_version};

/// A table whose rows each belong to one user.
pub trait Owned: EntityTrait<Model: Sync + 'static> + Default {
    /// What a client calls one, for messages ("draft": "no such draft").
    const NOUN: &'static str;
    /// The plural, for the per-account cap ("drafts").
    const NOUN_PLURAL: &'static str;
    /// The primary key column.
    fn id_column() -> Self::Column;
    /// The column holding the owner's user id.
    fn owner_column() -> Self::Column;
    /// A row's primary key.
    fn id_of(row: &Self::Model) -> i32;
    /// A row's owner.
    fn owner_of(row: &Self::Model) -> i32;
    /// When one record can be shared on its own: the share kind and the
    /// `shares` column naming the record (see [`shared`]).
    fn shared_one_by_one() -> Option<(crate::stored::ShareTargetKind, entity::share::Column)> {
        None
    }
    /// Whether sharing the story bank covers every record of this table.
    const IN_STORY_BANK: bool = false;
}

/// An owned table whose rows change under an optimistic version.
pub trait Versioned: Owned {
    /// The version column (1 on creation, one more per change).
    fn version_column() -> Self::Column;
    /// The time of the latest change.
    fn updated_at_column() -> Self::Column;
    /// A row's version.
    fn version_of(row: &Self::Model) -> i32;
    /// A row's time of latest change.
    fn updated_at_of(row: &Self::Model) -> DateTime<Utc>;
}

/// A versioned table whose changes travel on the event bus.
pub trait Live: Versioned {
    /// The name its notices carry (stable: it crosses instances).
    const TOPIC: &'static str;
}

/// Declares the table of `module` (an `entity` module) a record of the kit:
///
/// ```ignore
/// record!(star_draft {
///     noun: "draft", plural: "drafts", owner: user_id / UserId,
///     versioned: version / Version, updated_at / UpdatedAt,
///     live: "star_drafts",
/// });
/// ```
///
/// The primary key is `id` / `Id`; `shared`, `versioned` and `live` are
/// optional, in that order. `shared: Draft / DraftId, story_bank: true,`
/// lets grantees read a record: one by one through shares of kind `Draft`
/// (column `shares.draft_id`), and all of an owner's through the story bank.
macro_rules! record {
    ($module:ident {
        noun: $noun:literal, plural: $plural:literal, owner: $owner:ident / $owner_col:ident,
        $(shared: $share_kind:ident / $share_col:ident, story_bank: $bank:literal,)?
        $(versioned: $version:ident / $version_col:ident, $updated:ident / $updated_col:ident,
          $(live: $topic:literal,)?)?
    }) => {
        impl $crate::records::Owned for $module::Entity {
            const NOUN: &'static str = $noun;
            const NOUN_PLURAL: &'static str = $plural;
            fn id_column() -> $module::Column {
                $module::Column::Id
            }
            fn owner_column() -> $module::Column {
                $module::Column::$owner_col
            }
            fn id_of(row: &$module::Model) -> i32 {
                row.id
            }
            fn owner_of(row: &$module::Model) -> i32 {
                row.$owner
            }
            $(
                fn shared_one_by_one(
                ) -> Option<($crate::stored::ShareTargetKind, ::entity::share::Column)> {
                    Some((
                        $crate::stored::ShareTargetKind::$share_kind,
                        ::entity::share::Column::$share_col,
                    ))
                }
                const IN_STORY_BANK: bool = $bank;
            )?
        }
        $(
            impl $crate::records::Versioned for $module::Entity {
                fn version_column() -> $module::Column {
                    $module::Column::$version_col
                }
                fn updated_at_column() -> $module::Column {
                    $module::Column::$updated_col
                }
                fn version_of(row: &$module::Model) -> i32 {
                    row.$version
                }
                fn updated_at_of(row: &$module::Model) -> ::chrono::DateTime<::chrono::Utc> {
                    row.$updated
                }
            }
            $(
                impl $crate::records::Live for $module::Entity {
                    const TOPIC: &'static str = $topic;
                }
            )?
        )?
    };
}
pub(crate) use record;
