//! Sessions over GraphQL: `mySessions`, `endSession`, `endOtherSessions`.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use entity::session;

use crate::accounts::sessions;
use crate::error::AppResult;
use crate::graphql::context::{database, events};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::viewer::require_viewer;

/// A place the account is signed in: one bearer token.
pub struct Session {
    row: session::Model,
    current: bool,
}

#[Object]
impl Session {
    async fn id(&self) -> ID {
        ids::encode(IdKind::Session, self.row.id)
    }
    /// When it signed in.
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    /// When a request last used it, to about a minute (`--session-touch-secs`).
    async fn last_used_at(&self) -> DateTime<Utc> {
        self.row.last_used_at.unwrap_or(self.row.created_at)
    }
    /// When it stops working unless ended before.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.row.expires_at
    }
    /// The client's `User-Agent` when it signed in, at most 200 characters.
    async fn user_agent(&self) -> Option<&str> {
        self.row.user_agent.as_deref()
    }
    /// The address it was last used from, as the trusted-proxy rules give it.
    async fn address(&self) -> Option<&str> {
        self.row.address.as_deref()
    }
    /// Whether this is the session of the request asking.
    async fn current(&self) -> bool {
        self.current
    }
}

/// `mySessions`.
#[derive(Default)]
pub struct SessionQuery;

#[Object]
impl SessionQuery {
    /// The viewer's sessions that still work, the most recently used first.
    async fn my_sessions(&self, ctx: &Context<'_>) -> AppResult<Vec<Session>> {
        let viewer = require_viewer(ctx)?;
        let rows = sessions::list(database(ctx)?, viewer.user_id).await?;
        Ok(rows
            .into_iter()
            .map(|row| Session {
                current: row.id == viewer.session_id,
                row,
            })
            .collect())
    }
}

/// `endSession`, `endOtherSessions`.
#[derive(Default)]
pub struct SessionMutation;

#[Object]
impl SessionMutation {
    /// Ends one of the viewer's sessions (the current one too: that signs out
    /// here): its token is refused from now on and its WebSockets close with
    /// 4403. Another account's session is NOT_FOUND.
    async fn end_session(&self, ctx: &Context<'_>, id: ID) -> AppResult<ID> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::Session, &id, "id")?;
        sessions::end_one(database(ctx)?, events(ctx)?, viewer, key).await?;
        Ok(id)
    }

    /// Ends every session of the viewer except the one asking; answers how many ended.
    async fn end_other_sessions(&self, ctx: &Context<'_>) -> AppResult<i32> {
        let viewer = require_viewer(ctx)?;
        let n = sessions::end_others(database(ctx)?, events(ctx)?, viewer).await?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }
}
