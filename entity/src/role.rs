//! A role page (e.g. "Backend Developer"); every other content table hangs off it.

use sea_orm::entity::prelude::*;

/// One row of `roles`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub reviewer_name: String,
    pub reviewer_title: String,
    /// Hash of the content file section this role was imported from; a
    /// re-import with the same hash writes nothing.
    pub content_hash: String,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
