//! The full text of one version of a draft, kept for history and restore.

use sea_orm::entity::prelude::*;

/// One row of `star_draft_revisions`; (`draft_id`, `version`) is unique.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "star_draft_revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub draft_id: i32,
    pub version: i32,
    pub title: String,
    pub situation: String,
    pub task: String,
    pub action: String,
    pub result: String,
    pub status: String,
    pub created_at: ChronoDateTimeUtc,
    /// The version's competency tags: a JSON array of competency ids, in order.
    pub competency_ids: String,
    /// The version's linked questions: a JSON array of question ids, in order.
    pub question_ids: String,
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
}

impl Related<super::star_draft::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Draft.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
