//! Interviews on the calendar: a candidate's dated interviews, their plan
//! tasks, and the secret calendar feed token of each account.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Interviews {
    Table,
    Id,
    UserId,
    RoleId,
    Company,
    Stage,
    Notes,
    ScheduledAt,
    TimeZone,
    LocalDate,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PlanTasks {
    Table,
    Id,
    InterviewId,
    Position,
    Text,
    DueOn,
    Done,
    DoneAt,
    PhaseLabel,
    DaysBefore,
    Compressed,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CalendarFeeds {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Roles {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Interviews::Table)
                .col(pk_auto(Interviews::Id))
                .col(integer(Interviews::UserId))
                .col(integer(Interviews::RoleId))
                .col(string(Interviews::Company))
                .col(string(Interviews::Stage))
                .col(text(Interviews::Notes))
                .col(timestamp_with_time_zone(Interviews::ScheduledAt))
                .col(string(Interviews::TimeZone))
                .col(date(Interviews::LocalDate))
                .col(integer(Interviews::Version))
                .col(timestamp_with_time_zone(Interviews::CreatedAt))
                .col(timestamp_with_time_zone(Interviews::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_interviews_user")
                        .from(Interviews::Table, Interviews::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                // A role that candidates have interviews for is never deleted
                // from under them; content import only upserts roles.
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_interviews_role")
                        .from(Interviews::Table, Interviews::RoleId)
                        .to(Roles::Table, Roles::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        // Serves `myInterviews` (by scheduledAt) and indexes the user foreign key.
        m.create_index(
            Index::create()
                .name("idx_interviews_user_scheduled")
                .table(Interviews::Table)
                .col(Interviews::UserId)
                .col(Interviews::ScheduledAt)
                .col(Interviews::Id)
                .to_owned(),
        )
        .await?;
        // Serves `myAgenda`'s interviews of a date range.
        m.create_index(
            Index::create()
                .name("idx_interviews_user_local_date")
                .table(Interviews::Table)
                .col(Interviews::UserId)
                .col(Interviews::LocalDate)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_interviews_role")
                .table(Interviews::Table)
                .col(Interviews::RoleId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PlanTasks::Table)
                .col(pk_auto(PlanTasks::Id))
                .col(integer(PlanTasks::InterviewId))
                .col(integer(PlanTasks::Position))
                .col(text(PlanTasks::Text))
                .col(date(PlanTasks::DueOn))
                .col(boolean(PlanTasks::Done))
                .col(timestamp_with_time_zone_null(PlanTasks::DoneAt))
                .col(string_null(PlanTasks::PhaseLabel))
                .col(integer_null(PlanTasks::DaysBefore))
                .col(boolean(PlanTasks::Compressed))
                .col(timestamp_with_time_zone(PlanTasks::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_plan_tasks_interview")
                        .from(PlanTasks::Table, PlanTasks::InterviewId)
                        .to(Interviews::Table, Interviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Serves an interview's plan (by dueOn, then position) and the agenda's tasks.
        m.create_index(
            Index::create()
                .name("idx_plan_tasks_interview_due")
                .table(PlanTasks::Table)
                .col(PlanTasks::InterviewId)
                .col(PlanTasks::DueOn)
                .col(PlanTasks::Position)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CalendarFeeds::Table)
                .col(pk_auto(CalendarFeeds::Id))
                .col(integer_uniq(CalendarFeeds::UserId))
                .col(string_uniq(CalendarFeeds::TokenHash))
                .col(timestamp_with_time_zone(CalendarFeeds::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_calendar_feeds_user")
                        .from(CalendarFeeds::Table, CalendarFeeds::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CalendarFeeds::Table.into_iden(),
            PlanTasks::Table.into_iden(),
            Interviews::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
