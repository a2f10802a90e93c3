//! Accounts a person can live with: what a session shows (last use, user
//! agent, address), one-time password-reset tokens, and the mail outbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    ExpiresAt,
    LastUsedAt,
    UserAgent,
    Address,
}

#[derive(DeriveIden)]
enum PasswordResets {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    UserId,
    Recipient,
    Subject,
    Body,
    CreatedAt,
    Attempts,
    NextAttemptAt,
    DiscardAfter,
    LastError,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            timestamp_with_time_zone_null(Sessions::LastUsedAt),
            string_null(Sessions::UserAgent),
            string_null(Sessions::Address),
        ] {
            let mut column = column;
            m.alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        // The pruning task deletes by expiry.
        m.create_index(
            Index::create()
                .name("idx_sessions_expires_at")
                .table(Sessions::Table)
                .col(Sessions::ExpiresAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PasswordResets::Table)
                .col(pk_auto(PasswordResets::Id))
                .col(integer(PasswordResets::UserId))
                .col(string_uniq(PasswordResets::TokenHash))
                .col(timestamp_with_time_zone(PasswordResets::CreatedAt))
                .col(timestamp_with_time_zone(PasswordResets::ExpiresAt))
                .col(timestamp_with_time_zone_null(PasswordResets::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_password_resets_user")
                        .from(PasswordResets::Table, PasswordResets::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_password_resets_user")
                .table(PasswordResets::Table)
                .col(PasswordResets::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(MailOutbox::Table)
                .col(pk_auto(MailOutbox::Id))
                // A mail about an account goes with the account.
                .col(integer_null(MailOutbox::UserId))
                .col(string(MailOutbox::Recipient))
                .col(string(MailOutbox::Subject))
                .col(text(MailOutbox::Body))
                .col(timestamp_with_time_zone(MailOutbox::CreatedAt))
                .col(integer(MailOutbox::Attempts).default(0))
                .col(timestamp_with_time_zone(MailOutbox::NextAttemptAt))
                .col(timestamp_with_time_zone(MailOutbox::DiscardAfter))
                .col(text_null(MailOutbox::LastError))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_mail_outbox_user")
                        .from(MailOutbox::Table, MailOutbox::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_mail_outbox_next_attempt")
                .table(MailOutbox::Table)
                .col(MailOutbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_mail_outbox_user")
                .table(MailOutbox::Table)
                .col(MailOutbox::UserId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(MailOutbox::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(PasswordResets::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("idx_sessions_expires_at")
                .table(Sessions::Table)
                .to_owned(),
        )
        .await?;
        for column in [Sessions::Address, Sessions::UserAgent, Sessions::LastUsedAt] {
            m.alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
