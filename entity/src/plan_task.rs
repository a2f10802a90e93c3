//! One dated task of an interview's preparation plan.

use sea_orm::entity::prelude::*;

/// One row of `plan_tasks`. A task copied from the role's timeline keeps its
/// phase's label and `days_before`; a task the candidate added has neither.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub interview_id: i32,
    /// Order among tasks due on the same day.
    pub position: i32,
    pub text: String,
    pub due_on: Date,
    pub done: bool,
    pub done_at: Option<ChronoDateTimeUtc>,
    /// Null for a task the candidate added.
    pub phase_label: Option<String>,
    /// Null for a task the candidate added.
    pub days_before: Option<i32>,
    /// Its timeline date had already passed when it was dated, so it is due on that day instead.
    pub compressed: bool,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::interview::Entity",
        from = "Column::InterviewId",
        to = "super::interview::Column::Id",
        on_delete = "Cascade"
    )]
    Interview,
}

impl Related<super::interview::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Interview.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
