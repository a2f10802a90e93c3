//! The password over GraphQL: `changePassword`, `requestPasswordReset`, `resetPassword`.

use async_graphql::{Context, Object};

use super::client_info;
use crate::accounts::rate_limit::LoginThrottle;
use crate::accounts::reset::{self, ResetSetup};
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

    /// Mails a one-time link to reset the password of `email`'s account.
    /// Answers `true` whether or not the email has an account (the mail, if
    /// any, goes out after the answer); RATE_LIMITED past the per-email and
    /// per-address limits; FORBIDDEN on a production server without a mail server.
    async fn request_password_reset(&self, ctx: &Context<'_>, email: String) -> AppResult<bool> {
        reset::request(
            database(ctx)?,
            data::<AuthConfig>(ctx)?,
            data::<ResetSetup>(ctx)?,
            &email,
            client_info(ctx),
        )
        .await?;
        Ok(true)
    }

    /// Sets a new password with the `secret` of a reset link (the part after
    /// `#secret=`). The link then stops working, and every session of the
    /// account ends (sign in again). A wrong, used or expired secret is
    /// BAD_USER_INPUT on `secret`; a password against the rules, on `new`.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        secret: String,
        new: String,
    ) -> AppResult<bool> {
        reset::reset(
            database(ctx)?,
            data::<AuthConfig>(ctx)?,
            events(ctx)?,
            &secret,
            new,
        )
        .await?;
        Ok(true)
    }
}
