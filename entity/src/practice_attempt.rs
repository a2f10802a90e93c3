//! One attempt at saying an answer aloud against the clock.

use sea_orm::entity::prelude::*;

/// One row of `practice_attempts`: of exactly one draft or one question.
/// The finish fields are null until the attempt is finished.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "practice_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub draft_id: Option<i32>,
    pub question_id: Option<i32>,
    /// The server's clock when the attempt started.
    pub started_at: ChronoDateTimeUtc,
    pub finished_at: Option<ChronoDateTimeUtc>,
    /// The duration used for the feedback: the client's when plausible, else the server's.
    pub duration_seconds: Option<i32>,
    pub transcript: Option<String>,
    /// Words per minute, kept to compare the next attempt with.
    pub words_per_minute: Option<f64>,
    /// The feedback as computed when the attempt finished, as JSON.
    pub feedback: Option<String>,
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
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
