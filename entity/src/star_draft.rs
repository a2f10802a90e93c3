//! A user's private STAR answer, usually for one question.

use sea_orm::entity::prelude::*;

/// One row of `star_drafts`; `version` starts at 1 and grows by one per change.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "star_drafts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    /// The first of the draft's linked questions (`star_draft_questions`),
    /// kept in step with the links so that the previous release, after a
    /// rollback, still sees each draft's question. Reads use the links.
    pub question_id: Option<i32>,
    pub title: String,
    pub situation: String,
    pub task: String,
    pub action: String,
    pub result: String,
    /// One of `draft`, `ready`, `archived`.
    pub status: String,
    pub version: i32,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
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
    #[sea_orm(
        belongs_to = "super::question::Entity",
        from = "Column::QuestionId",
        to = "super::question::Column::Id",
        on_delete = "SetNull"
    )]
    Question,
    #[sea_orm(has_many = "super::star_draft_competency::Entity")]
    CompetencyLinks,
    #[sea_orm(has_many = "super::star_draft_question::Entity")]
    QuestionLinks,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::question::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Question.def()
    }
}

impl Related<super::star_draft_competency::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CompetencyLinks.def()
    }
}

impl Related<super::star_draft_question::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::QuestionLinks.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
