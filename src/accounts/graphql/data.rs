//! The account's data over GraphQL: `exportMyData`, `deleteAccount`.

use async_graphql::{Context, Json, Object};

use super::client_info;
use crate::accounts::rate_limit::LoginThrottle;
use crate::accounts::{delete, export};
use crate::error::{AppError, AppResult};
use crate::graphql::context::{data, database, events};
use crate::graphql::viewer::require_viewer;

/// `exportMyData`.
#[derive(Default)]
pub struct DataQuery;

#[Object]
impl DataQuery {
    /// Everything the viewer's account owns, as one JSON document (format
    /// and `version` in the README, "Accounts"). It is built whole for the
    /// answer: `GET /me/export` sends the same document streamed.
    async fn export_my_data(&self, ctx: &Context<'_>) -> AppResult<Json<serde_json::Value>> {
        let viewer = require_viewer(ctx)?;
        let document = export::collect(database(ctx)?.clone(), viewer.user_id)
            .await
            .map_err(AppError::internal)?;
        Ok(Json(document))
    }
}

/// `deleteAccount`.
#[derive(Default)]
pub struct DataMutation;

#[Object]
impl DataMutation {
    /// Deletes the viewer's account and everything it owns, at once and for
    /// good, once `password` is its password (BAD_USER_INPUT on `password`
    /// otherwise). Every session ends; open tabs get DELETED events for
    /// each draft and interview. The email may register again.
    async fn delete_account(&self, ctx: &Context<'_>, password: String) -> AppResult<bool> {
        let viewer = require_viewer(ctx)?;
        delete::delete_account(
            database(ctx)?,
            data::<LoginThrottle>(ctx)?,
            events(ctx)?,
            viewer,
            password,
            client_info(ctx),
        )
        .await?;
        Ok(true)
    }
}
