//! The password over GraphQL: `changePassword`, `requestPasswordReset`, `resetPassword`.

use async_graphql::{Context, Object};

use super::client_info;
use crate::accounts::rate_limit::LoginThrottle;
use crate::accounts::store;
use crate::config::AuthConfig;
use crate::error::AppResult;
use crate::graphql::context::{data, database, events};
use crate::graphql::viewer::require_viewer;

/// The password mutations.
#[derive(Default)]
pub struct PasswordMutation;

#[Object]
impl PasswordMutation {
    /// Changes the viewer's password. `current` is checked (a wrong one is
    /// BAD_USER_INPUT on `current`, and counts as a failed login), `new`
    /// follows the registration rules (BAD_USER_INPUT on `new`). Every other
    /// session of the account ends; the one asking stays signed in.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current: String,
        new: String,
    ) -> AppResult<bool> {
        let viewer = require_viewer(ctx)?;
        store::change_password(
            database(ctx)?,
            data::<AuthConfig>(ctx)?,
            data::<LoginThrottle>(ctx)?,
            events(ctx)?,
            viewer,
            current,
            new,
            client_info(ctx),
        )
        .await?;
        Ok(true)
    }
}
