//! A candidate's interview: a role, a company, a moment and its time zone.

use sea_orm::entity::prelude::*;

/// One row of `interviews`; `version` starts at 1 and grows by one per change
/// to the interview or its plan.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "interviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub role_id: i32,
    pub company: String,
    /// One of `recruiter_screen`, `hiring_manager`, `technical`, `final_panel`, `other`.
    pub stage: String,
    pub notes: String,
    /// The instant the interview starts.
    pub scheduled_at: ChronoDateTimeUtc,
    /// IANA time zone name, e.g. `Europe/London`.
    pub time_zone: String,
    /// `scheduled_at`'s date in `time_zone`, kept for date-range queries.
    pub local_date: Date,
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
        belongs_to = "super::role::Entity",
        from = "Column::RoleId",
        to = "super::role::Column::Id",
        on_delete = "Restrict"
    )]
    Role,
    #[sea_orm(has_many = "super::plan_task::Entity")]
    PlanTask,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::role::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Role.def()
    }
}

impl Related<super::plan_task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PlanTask.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
