//! A sign-in session: a bearer token, stored only as its hash.

use sea_orm::entity::prelude::*;

/// One row of `sessions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    /// SHA-256 of the token, hex; the token itself is never stored.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: ChronoDateTimeUtc,
    pub expires_at: ChronoDateTimeUtc,
    /// Set by logout; a revoked session authenticates nothing.
    pub revoked_at: Option<ChronoDateTimeUtc>,
    /// When a request last used it, to the minute (`None`: not since it was created).
    pub last_used_at: Option<ChronoDateTimeUtc>,
    /// The client's `User-Agent` when it signed in, cut to 200 characters.
    pub user_agent: Option<String>,
    /// The client's address when it signed in (after the trusted-proxy rules).
    pub address: Option<String>,
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
