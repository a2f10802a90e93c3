//! The questions a draft answers, in the owner's order; the first is the draft's `question`.

use sea_orm::entity::prelude::*;

/// One row of `star_draft_questions`: draft `draft_id` answers question `question_id`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "star_draft_questions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub draft_id: i32,
    pub question_id: i32,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::star_draft::Entity",
        from = "Column::DraftId",
        to = "super::star_draft::Column::Id",
        on_delete = "Cascade"
    )]
    Owner,
    #[sea_orm(
        belongs_to = "super::question::Entity",
        from = "Column::QuestionId",
        to = "super::question::Column::Id",
        on_delete = "Cascade"
    )]
    Target,
}

impl Related<super::star_draft::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Owner.def()
    }
}

impl Related<super::question::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Target.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
