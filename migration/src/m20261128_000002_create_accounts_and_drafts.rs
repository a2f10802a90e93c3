//! Accounts, sessions and STAR drafts with their revision history.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    PasswordHash,
    DisplayName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum StarDrafts {
    Table,
    Id,
    UserId,
    QuestionId,
    Title,
    Situation,
    Task,
    Action,
    Result,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum StarDraftRevisions {
    Table,
    Id,
    DraftId,
    Version,
    Title,
    Situation,
    Task,
    Action,
    Result,
    Status,
    CreatedAt,
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
                .table(Users::Table)
                .col(pk_auto(Users::Id))
                .col(string_uniq(Users::Email))
                .col(string(Users::PasswordHash))
                .col(string(Users::DisplayName))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(pk_auto(Sessions::Id))
                .col(integer(Sessions::UserId))
                .col(string_uniq(Sessions::TokenHash))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_sessions_user")
                        .from(Sessions::Table, Sessions::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_sessions_user")
                .table(Sessions::Table)
                .col(Sessions::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(StarDrafts::Table)
                .col(pk_auto(StarDrafts::Id))
                .col(integer(StarDrafts::UserId))
                .col(integer_null(StarDrafts::QuestionId))
                .col(string(StarDrafts::Title))
                .col(text(StarDrafts::Situation))
                .col(text(StarDrafts::Task))
                .col(text(StarDrafts::Action))
                .col(text(StarDrafts::Result))
                .col(string(StarDrafts::Status))
                .col(integer(StarDrafts::Version))
                .col(timestamp_with_time_zone(StarDrafts::CreatedAt))
                .col(timestamp_with_time_zone(StarDrafts::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_star_drafts_user")
                        .from(StarDrafts::Table, StarDrafts::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_star_drafts_question")
                        .from(StarDrafts::Table, StarDrafts::QuestionId)
                        .to(Questions::Table, Questions::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        // Serves `myStarDrafts` (newest change first) and indexes the user foreign key.
        m.create_index(
            Index::create()
                .name("idx_star_drafts_user_updated")
                .table(StarDrafts::Table)
                .col(StarDrafts::UserId)
                .col(StarDrafts::UpdatedAt)
                .col(StarDrafts::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_star_drafts_question")
                .table(StarDrafts::Table)
                .col(StarDrafts::QuestionId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(StarDraftRevisions::Table)
                .col(pk_auto(StarDraftRevisions::Id))
                .col(integer(StarDraftRevisions::DraftId))
                .col(integer(StarDraftRevisions::Version))
                .col(string(StarDraftRevisions::Title))
                .col(text(StarDraftRevisions::Situation))
                .col(text(StarDraftRevisions::Task))
                .col(text(StarDraftRevisions::Action))
                .col(text(StarDraftRevisions::Result))
                .col(string(StarDraftRevisions::Status))
                .col(timestamp_with_time_zone(StarDraftRevisions::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_star_draft_revisions_draft")
                        .from(StarDraftRevisions::Table, StarDraftRevisions::DraftId)
                        .to(StarDrafts::Table, StarDrafts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // One revision per version: a second writer of the same version fails here too.
        m.create_index(
            Index::create()
                .name("uq_star_draft_revisions_draft_version")
                .table(StarDraftRevisions::Table)
                .col(StarDraftRevisions::DraftId)
                .col(StarDraftRevisions::Version)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StarDraftRevisions::Table.into_iden(),
            StarDrafts::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
