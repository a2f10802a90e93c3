//! Reading schema data in a resolver: one typed accessor for everything the
//! schema carries (the database, the event bus, each feature's limits).

use std::any::{Any, type_name};

use async_graphql::Context;
use sea_orm::DatabaseConnection;

use crate::config::ApiLimits;
use crate::error::{AppError, AppResult};
use crate::records::EventBus;

/// The schema data of type `T`; INTERNAL_SERVER_ERROR (never a panic) when
/// the schema was built without it.
pub fn data<'a, T: Any + Send + Sync>(ctx: &Context<'a>) -> AppResult<&'a T> {
    ctx.data::<T>().map_err(|e| {
        AppError::internal(anyhow::anyhow!(
            "no {} in the schema data: {}",
            type_name::<T>(),
            e.message
        ))
    })
}

/// The database pool.
pub fn database<'a>(ctx: &Context<'a>) -> AppResult<&'a DatabaseConnection> {
    data(ctx)
}

/// The event bus.
pub fn events<'a>(ctx: &Context<'a>) -> AppResult<&'a EventBus> {
    data(ctx)
}

/// The API limits.
pub fn api_limits<'a>(ctx: &Context<'a>) -> AppResult<&'a ApiLimits> {
    data(ctx)
}
