//! The GraphQL API: schema assembly and the helpers every feature module shares.
//!
//! Feature modules own their types and resolvers (`roles`, `role_page`);
//! cross-cutting pieces live beside them (`ids`, `pagination`, `loaders`, `node`).

pub mod accounts;
pub mod drafts;
pub mod ids;
pub mod loaders;
pub mod node;
pub mod pagination;
pub mod role_page;
pub mod roles;
pub mod viewer;

use async_graphql::{Context, EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

use crate::auth::LoginThrottle;
use crate::config::{ApiLimits, Settings};
use crate::error::AppError;

/// The root query: the merged queries of every feature.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    roles::RoleQuery,
    node::NodeQuery,
    accounts::AccountQuery,
    drafts::DraftQuery,
);

/// The root mutation: the merged mutations of every feature.
#[derive(MergedObject, Default)]
pub struct MutationRoot(accounts::AccountMutation, drafts::DraftMutation);

/// The executable schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Builds the schema; the database and settings become schema data.
pub fn build_schema(db: DatabaseConnection, settings: Settings) -> AppSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .data(LoginThrottle::new(&settings.auth))
    .data(db)
    .data(settings.api)
    .data(settings.auth)
    .data(settings.drafts)
    .finish()
}

/// The SDL of the schema, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .finish()
    .sdl()
}

/// The database pool from the schema data.
pub fn database<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection, AppError> {
    ctx.data::<DatabaseConnection>()
        .map_err(|e| AppError::internal(anyhow::anyhow!("no database in context: {}", e.message)))
}

/// The API limits from the schema data.
pub fn api_limits<'a>(ctx: &Context<'a>) -> Result<&'a ApiLimits, AppError> {
    ctx.data::<ApiLimits>()
        .map_err(|e| AppError::internal(anyhow::anyhow!("no limits in context: {}", e.message)))
}
