//! A grant: one account that accepted a share.

use sea_orm::entity::prelude::*;

/// One row of `share_grants`; an account holds at most one grant per share.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "share_grants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub share_id: i32,
    /// The account that accepted the share.
    pub grantee_id: i32,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::share::Entity",
        from = "Column::ShareId",
        to = "super::share::Column::Id",
        on_delete = "Cascade"
    )]
    Share,
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::GranteeId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Grantee,
}

impl Related<super::share::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Share.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Grantee.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
