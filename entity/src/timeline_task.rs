//! A task of a timeline phase, in order.

use sea_orm::entity::prelude::*;

/// One row of `timeline_tasks`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "timeline_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub phase_id: i32,
    pub position: i32,
    pub text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::timeline_phase::Entity",
        from = "Column::PhaseId",
        to = "super::timeline_phase::Column::Id",
        on_delete = "Cascade"
    )]
    Parent,
}

impl Related<super::timeline_phase::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Parent.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
