//! A share: a candidate's link that lets others read one draft, one interview
//! or the whole story bank. Only the SHA-256 of the link's secret is kept.

use sea_orm::entity::prelude::*;

/// One row of `shares`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shares")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The candidate who shares.
    pub owner_id: i32,
    /// What is shared: `draft`, `interview` or `story_bank`.
    pub target_kind: String,
    /// The shared draft, for `draft`.
    pub draft_id: Option<i32>,
    /// The shared interview, for `interview`.
    pub interview_id: Option<i32>,
    /// What a grant allows: `viewer` or `commenter`.
    pub access: String,
    /// Hex SHA-256 of the link's secret.
    #[sea_orm(unique)]
    pub secret_hash: String,
    /// The owner's note to whoever accepts ("for Maria, my mock interviewer").
    pub note: String,
    /// After this time the share and its grants read nothing.
    pub expires_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::OwnerId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Owner,
    #[sea_orm(has_many = "super::share_grant::Entity")]
    Grants,
}

impl Related<super::share_grant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Grants.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
