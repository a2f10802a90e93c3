//! Sharing's queries: `myShares` and `sharedWithMe`.

use async_graphql::{Context, Object};

use super::types::{Grant, Share};
use crate::error::AppResult;
use crate::graphql::context::database;
use crate::graphql::viewer::require_viewer;
use crate::sharing::shares::{grants_of, shares_of};

/// Sharing queries; both need a signed-in viewer.
#[derive(Default)]
pub struct SharingQuery;

#[Object]
impl SharingQuery {
    /// The viewer's shares, newest first, expired ones included (marked).
    #[graphql(complexity = "50 * child_complexity")]
    async fn my_shares(&self, ctx: &Context<'_>) -> AppResult<Vec<Share>> {
        let viewer = require_viewer(ctx)?;
        Ok(shares_of(database(ctx)?, viewer)
            .await?
            .into_iter()
            .map(Share)
            .collect())
    }

    /// What others shared with the viewer and is still live, newest first.
    #[graphql(complexity = "50 * child_complexity")]
    async fn shared_with_me(&self, ctx: &Context<'_>) -> AppResult<Vec<Grant>> {
        let viewer = require_viewer(ctx)?;
        Ok(Grant::list(grants_of(database(ctx)?, viewer).await?))
    }
}
