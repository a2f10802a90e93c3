//! A counter that every content import bumps, so caches of public content
//! can key on it and never serve an answer from before an import.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ContentVersion {
    Table,
    Id,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ContentVersion::Table)
                .col(
                    ColumnDef::new(ContentVersion::Id)
                        .integer()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(ContentVersion::Version)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(ContentVersion::Table)
                .columns([ContentVersion::Id, ContentVersion::Version])
                .values_panic([1.into(), 1.into()])
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ContentVersion::Table).to_owned())
            .await
    }
}
