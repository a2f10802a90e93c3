//! Signing up, in and out: `register`, `login`, `logout`, `me`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;

use entity::user;

use super::client_info;
use crate::accounts::rate_limit::{LoginThrottle, RegistrationThrottle};
use crate::accounts::store;
use crate::config::AuthConfig;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{data, database, events};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::viewer::{require_viewer, viewer};

/// A registered person; only ever shown to themselves.
pub struct User(pub user::Model);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ids::encode(IdKind::User, self.0.id)
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A new session: send `token` as `Authorization: Bearer <token>`.
#[derive(SimpleObject)]
pub struct AuthPayload {
    token: String,
    user: User,
}

/// `register` arguments.
#[derive(InputObject)]
pub struct RegisterInput {
    email: String,
    /// At least 10 characters (configurable).
    password: String,
    display_name: String,
}

/// `login` arguments.
#[derive(InputObject)]
pub struct LoginInput {
    email: String,
    password: String,
}

/// The client's address as the throttles count it (IPv6 by its network).
fn client_address<'a>(ctx: &'a Context<'_>) -> &'a str {
    client_info(ctx).address.as_deref().unwrap_or("unknown")
}

/// `me`.
#[derive(Default)]
pub struct SignInQuery;

#[Object]
impl SignInQuery {
    /// The signed-in user; null when no token is sent.
    async fn me(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        let Some(viewer) = viewer(ctx) else {
            return Ok(None);
        };
        Ok(user::Entity::find_by_id(viewer.user_id)
            .one(database(ctx)?)
            .await?
            .map(User))
    }
}

/// `register`, `login`, `logout`.
#[derive(Default)]
pub struct SignInMutation;

#[Object]
impl SignInMutation {
    /// Creates an account and signs it in. Emails are unique case-insensitively.
    /// Every bad field gives an error of its own (`BAD_USER_INPUT` with its `field`).
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> AppResult<AuthPayload> {
        // Every bad field is reported, not only the first, each with its own `field`.
        // Errors added to the context come before the one returned, so the last is
        // returned and the others added, which keeps the fields in the form's order.
        let mut problems = store::registration_errors(
            &input.email,
            &input.password,
            &input.display_name,
            data::<AuthConfig>(ctx)?,
        );
        if let Some(last) = problems.pop() {
            for earlier in problems {
                ctx.add_error(async_graphql::Error::from(earlier).into_server_error(ctx.item.pos));
            }
            return Err(last);
        }
        let throttle = data::<RegistrationThrottle>(ctx)?;
        let address = client_address(ctx);
        throttle.reserve(address)?;
        let registered = store::register(
            database(ctx)?,
            data::<AuthConfig>(ctx)?,
            &input.email,
            input.password,
            &input.display_name,
            client_info(ctx),
        )
        .await;
        if matches!(registered, Err(AppError::Internal(_))) {
            throttle.release(address);
        }
        let (token, user) = registered?;
        Ok(AuthPayload {
            token,
            user: User(user),
        })
    }

    /// Signs in. A wrong email or password both give "invalid email or password";
    /// repeated failures give RATE_LIMITED.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> AppResult<AuthPayload> {
        let throttle = ctx
            .data::<LoginThrottle>()
            .map_err(|e| AppError::internal(anyhow::anyhow!("no throttle: {}", e.message)))?;
        let (token, user) = store::login(
            database(ctx)?,
            data::<AuthConfig>(ctx)?,
            throttle,
            &input.email,
            input.password,
            client_info(ctx),
        )
        .await?;
        Ok(AuthPayload {
            token,
            user: User(user),
        })
    }

    /// Revokes the token this request was sent with.
    async fn logout(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let viewer = require_viewer(ctx)?;
        store::logout(database(ctx)?, viewer, events(ctx)?).await?;
        Ok(true)
    }
}
