//! Sharing with a coach: shares (secret links), the grants of those who
//! accepted them, comments on draft sections, and how far each reader got.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Shares {
    Table,
    Id,
    OwnerId,
    TargetKind,
    DraftId,
    InterviewId,
    Access,
    SecretHash,
    Note,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ShareGrants {
    Table,
    Id,
    ShareId,
    GranteeId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Comments {
    Table,
    Id,
    DraftId,
    AuthorId,
    ParentId,
    Section,
    Quote,
    Body,
    DraftVersion,
    Version,
    CreatedAt,
    UpdatedAt,
    ResolvedAt,
}

#[derive(DeriveIden)]
enum CommentReads {
    Table,
    Id,
    DraftId,
    UserId,
    LastSeenId,
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
enum Interviews {
    Table,
    Id,
}

/// A foreign key that deletes the row with what it points at.
fn cascade(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Shares::Table)
                .col(pk_auto(Shares::Id))
                .col(integer(Shares::OwnerId))
                .col(string_len(Shares::TargetKind, 16))
                .col(integer_null(Shares::DraftId))
                .col(integer_null(Shares::InterviewId))
                .col(string_len(Shares::Access, 16))
                .col(string_len_uniq(Shares::SecretHash, 64))
                .col(text(Shares::Note))
                .col(timestamp_with_time_zone_null(Shares::ExpiresAt))
                .col(timestamp_with_time_zone(Shares::CreatedAt))
                // A share names its draft or interview when, and only when, its kind says so.
                .check(
                    Expr::col(Shares::DraftId)
                        .is_null()
                        .ne(Expr::col(Shares::TargetKind).eq("draft")),
                )
                .check(
                    Expr::col(Shares::InterviewId)
                        .is_null()
                        .ne(Expr::col(Shares::TargetKind).eq("interview")),
                )
                .foreign_key(&mut cascade(
                    "fk_shares_owner",
                    (Shares::Table, Shares::OwnerId),
                    (Users::Table, Users::Id),
                ))
                // Deleting what was shared ends its shares.
                .foreign_key(&mut cascade(
                    "fk_shares_draft",
                    (Shares::Table, Shares::DraftId),
                    (StarDrafts::Table, StarDrafts::Id),
                ))
                .foreign_key(&mut cascade(
                    "fk_shares_interview",
                    (Shares::Table, Shares::InterviewId),
                    (Interviews::Table, Interviews::Id),
                ))
                .to_owned(),
        )
        .await?;
        for (name, column) in [
            ("idx_shares_owner", Shares::OwnerId),
            ("idx_shares_draft", Shares::DraftId),
            ("idx_shares_interview", Shares::InterviewId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Shares::Table)
                    .col(column)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(ShareGrants::Table)
                .col(pk_auto(ShareGrants::Id))
                .col(integer(ShareGrants::ShareId))
                .col(integer(ShareGrants::GranteeId))
                .col(timestamp_with_time_zone(ShareGrants::CreatedAt))
                .foreign_key(&mut cascade(
                    "fk_share_grants_share",
                    (ShareGrants::Table, ShareGrants::ShareId),
                    (Shares::Table, Shares::Id),
                ))
                .foreign_key(&mut cascade(
                    "fk_share_grants_grantee",
                    (ShareGrants::Table, ShareGrants::GranteeId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
        // One grant per account and share; also serves "the grants of a share".
        m.create_index(
            Index::create()
                .name("idx_share_grants_share_grantee")
                .table(ShareGrants::Table)
                .col(ShareGrants::ShareId)
                .col(ShareGrants::GranteeId)
                .unique()
                .to_owned(),
        )
        .await?;
        // Serves the read scope ("the grants of this viewer") and `sharedWithMe`.
        m.create_index(
            Index::create()
                .name("idx_share_grants_grantee")
                .table(ShareGrants::Table)
                .col(ShareGrants::GranteeId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Comments::Table)
                .col(pk_auto(Comments::Id))
                .col(integer(Comments::DraftId))
                .col(integer(Comments::AuthorId))
                .col(integer_null(Comments::ParentId))
                .col(string_len(Comments::Section, 16))
                .col(text_null(Comments::Quote))
                .col(text(Comments::Body))
                .col(integer(Comments::DraftVersion))
                .col(integer(Comments::Version))
                .col(timestamp_with_time_zone(Comments::CreatedAt))
                .col(timestamp_with_time_zone(Comments::UpdatedAt))
                .col(timestamp_with_time_zone_null(Comments::ResolvedAt))
                .foreign_key(&mut cascade(
                    "fk_comments_draft",
                    (Comments::Table, Comments::DraftId),
                    (StarDrafts::Table, StarDrafts::Id),
                ))
                .foreign_key(&mut cascade(
                    "fk_comments_author",
                    (Comments::Table, Comments::AuthorId),
                    (Users::Table, Users::Id),
                ))
                // Deleting a thread's first comment deletes its replies.
                .foreign_key(&mut cascade(
                    "fk_comments_parent",
                    (Comments::Table, Comments::ParentId),
                    (Comments::Table, Comments::Id),
                ))
                .to_owned(),
        )
        .await?;
        for (name, column) in [
            ("idx_comments_draft", Comments::DraftId),
            ("idx_comments_author", Comments::AuthorId),
            ("idx_comments_parent", Comments::ParentId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Comments::Table)
                    .col(column)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(CommentReads::Table)
                .col(pk_auto(CommentReads::Id))
                .col(integer(CommentReads::DraftId))
                .col(integer(CommentReads::UserId))
                .col(integer(CommentReads::LastSeenId))
                .foreign_key(&mut cascade(
                    "fk_comment_reads_draft",
                    (CommentReads::Table, CommentReads::DraftId),
                    (StarDrafts::Table, StarDrafts::Id),
                ))
                .foreign_key(&mut cascade(
                    "fk_comment_reads_user",
                    (CommentReads::Table, CommentReads::UserId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_comment_reads_draft_user")
                .table(CommentReads::Table)
                .col(CommentReads::DraftId)
                .col(CommentReads::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_comment_reads_user")
                .table(CommentReads::Table)
                .col(CommentReads::UserId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CommentReads::Table.into_iden(),
            Comments::Table.into_iden(),
            ShareGrants::Table.into_iden(),
            Shares::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
