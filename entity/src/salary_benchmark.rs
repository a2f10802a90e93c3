//! A salary benchmark of a role in one country; money in whole units of `currency`.

use sea_orm::entity::prelude::*;

/// One row of `salary_benchmarks`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "salary_benchmarks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub role_id: i32,
    pub position: i32,
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
    /// ISO 4217 code.
    pub currency: String,
    pub median: i32,
    pub low: i32,
    pub high: i32,
    pub source: String,
    pub as_of: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::role::Entity",
        from = "Column::RoleId",
        to = "super::role::Column::Id",
        on_delete = "Cascade"
    )]
    Parent,
}

impl Related<super::role::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Parent.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
