//! A mail waiting to be sent: written in the transaction that makes its
//! content, deleted once the mail server has taken it.

use sea_orm::entity::prelude::*;

/// One row of `mail_outbox`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The account the mail is about; the mail goes when the account does.
    pub user_id: Option<i32>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: ChronoDateTimeUtc,
    /// Failed sends so far.
    pub attempts: i32,
    /// Not sent before this (retries back off; a sender claims a row by moving it).
    pub next_attempt_at: ChronoDateTimeUtc,
    /// Dropped unsent after this: its content (a reset link) no longer works.
    pub discard_after: ChronoDateTimeUtc,
    /// The last failure, for operators.
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
