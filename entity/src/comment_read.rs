//! How far one account has read the comments of one draft.

use sea_orm::entity::prelude::*;

/// One row of `comment_reads`; one per (draft, user).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comment_reads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub draft_id: i32,
    pub user_id: i32,
    /// The newest comment id seen; comments after it are unread.
    pub last_seen_id: i32,
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
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl ActiveModelBehavior for ActiveModel {}
