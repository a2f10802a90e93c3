//! Database migrations of prep-graphql, one file per change, applied in order.
//!
//! Every migration has a working `down()`; `tests/api/migrations.rs` runs them
//! all up, all down and up again on both backends.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_create_role_pages;
mod m20261128_000002_create_accounts_and_drafts;
mod m20261128_000003_create_content_version;
mod m20261201_000001_create_interviews;
mod m20261201_000002_create_story_bank;
mod m20261201_000003_create_practice_attempts;
mod m20261203_000010_create_sharing;
mod m20261203_000020_account_lifecycle;

/// The list of migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_role_pages::Migration),
            Box::new(m20261128_000002_create_accounts_and_drafts::Migration),
            Box::new(m20261128_000003_create_content_version::Migration),
            Box::new(m20261201_000001_create_interviews::Migration),
            Box::new(m20261201_000002_create_story_bank::Migration),
            Box::new(m20261201_000003_create_practice_attempts::Migration),
            Box::new(m20261203_000010_create_sharing::Migration),
            Box::new(m20261203_000020_account_lifecycle::Migration),
        ]
    }
}
