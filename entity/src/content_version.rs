//! The content version: one row (id 1) whose counter every content import
//! bumps, so caches of public content key on it.

use sea_orm::entity::prelude::*;

/// The id of the only row.
pub const ROW_ID: i32 = 1;

/// The one row of `content_version`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "content_version")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
