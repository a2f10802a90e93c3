//! Practice attempts: a candidate's answers said aloud against the clock.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PracticeAttempts {
    Table,
    Id,
    UserId,
    DraftId,
    QuestionId,
    StartedAt,
    FinishedAt,
    DurationSeconds,
    Transcript,
    WordsPerMinute,
    Feedback,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum StarDrafts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PracticeAttempts::Table)
                .col(pk_auto(PracticeAttempts::Id))
                .col(integer(PracticeAttempts::UserId))
                .col(integer_null(PracticeAttempts::DraftId))
                .col(integer_null(PracticeAttempts::QuestionId))
                .col(timestamp_with_time_zone(PracticeAttempts::StartedAt))
                .col(timestamp_with_time_zone_null(PracticeAttempts::FinishedAt))
                .col(integer_null(PracticeAttempts::DurationSeconds))
                .col(text_null(PracticeAttempts::Transcript))
                .col(double_null(PracticeAttempts::WordsPerMinute))
                .col(text_null(PracticeAttempts::Feedback))
                // Exactly one of draft and question.
                .check(
                    Expr::col(PracticeAttempts::DraftId)
                        .is_null()
                        .ne(Expr::col(PracticeAttempts::QuestionId).is_null()),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_practice_attempts_user")
                        .from(PracticeAttempts::Table, PracticeAttempts::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                // An attempt belongs to what was practised: it goes with it.
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_practice_attempts_draft")
                        .from(PracticeAttempts::Table, PracticeAttempts::DraftId)
                        .to(StarDrafts::Table, StarDrafts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_practice_attempts_question")
                        .from(PracticeAttempts::Table, PracticeAttempts::QuestionId)
                        .to(Questions::Table, Questions::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Serves `myPracticeAttempts` (newest first) and the user foreign key.
        m.create_index(
            Index::create()
                .name("idx_practice_attempts_user_started")
                .table(PracticeAttempts::Table)
                .col(PracticeAttempts::UserId)
                .col(PracticeAttempts::StartedAt)
                .col(PracticeAttempts::Id)
                .to_owned(),
        )
        .await?;
        // Serves readiness's attempts of the last days.
        m.create_index(
            Index::create()
                .name("idx_practice_attempts_user_finished")
                .table(PracticeAttempts::Table)
                .col(PracticeAttempts::UserId)
                .col(PracticeAttempts::FinishedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_practice_attempts_draft")
                .table(PracticeAttempts::Table)
                .col(PracticeAttempts::DraftId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_practice_attempts_question")
                .table(PracticeAttempts::Table)
                .col(PracticeAttempts::QuestionId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PracticeAttempts::Table).to_owned())
            .await
    }
}
