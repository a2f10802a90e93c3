//! The competencies a draft (a story) is tagged with, in the owner's order.

use sea_orm::entity::prelude::*;

/// One row of `star_draft_competencies`: draft `draft_id` is tagged with competency `competency_id`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "star_draft_competencies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub draft_id: i32,
    pub competency_id: i32,
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
        belongs_to = "super::competency::Entity",
        from = "Column::CompetencyId",
        to = "super::competency::Column::Id",
        on_delete = "Cascade"
    )]
    Target,
}

impl Related<super::star_draft::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Owner.def()
    }
}

impl Related<super::competency::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Target.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
