//! A comment on one section of a STAR draft, by its owner or a commenter.

use sea_orm::entity::prelude::*;

/// One row of `comments`. A reply names its thread's first comment as parent.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub draft_id: i32,
    pub author_id: i32,
    /// The thread's first comment; `None` for a first comment.
    pub parent_id: Option<i32>,
    /// `situation`, `task`, `action`, `result`, `title` or `general`.
    pub section: String,
    /// The exact text of the section the comment refers to.
    pub quote: Option<String>,
    pub body: String,
    /// The draft's version the comment was written on.
    pub draft_version: i32,
    /// The comment's own version (edits, resolving).
    pub version: i32,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    /// When the draft's owner resolved the thread (first comments only).
    pub resolved_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::star_draft::Entity",
        from = "Column::DraftId",
        to = "super::star_draft::Column::Id",
        on_delete = "Cascade"
    )]
    Draft,
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::AuthorId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Author,
}

impl ActiveModelBehavior for ActiveModel {}
