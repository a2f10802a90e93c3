//! The GraphQL API: schema assembly and the helpers every feature module shares.
//!
//! Feature modules own their types and resolvers (`roles`, `role_page`);
//! cross-cutting pieces live beside them (`ids`, `pagination`, `loaders`, `node`).

pub mod ids;
pub mod loaders;
pub mod node;
pub mod pagination;
pub mod role_page;
pub mod roles;

use async_graphql::{Context, EmptyMutation, EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

use crate::config::ApiLimits;
use crate::error::AppError;

/// The root query: the merged queries of every feature.
#[derive(MergedObject, Default)]
pub struct QueryRoot(roles::RoleQuery, node::NodeQuery);

/// The executable schema.
pub type AppSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Builds the schema; the database and limits become schema data.
pub fn build_schema(db: DatabaseConnection, limits: ApiLimits) -> AppSchema {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
        .data(db)
        .data(limits)
        .finish()
}

/// The SDL of the schema, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
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
