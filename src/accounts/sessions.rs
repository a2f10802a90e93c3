//! A person's sessions: listing them, ending one or all but the current one,
//! noting their last use cheaply, and pruning the dead ones.
//!
//! Ending a session revokes its row and stages a `SessionEnded` notice in the
//! same transaction: the token is refused by the next request (every request
//! reads its session), and every instance closes the WebSockets made with it
//! (4403) when the notice arrives.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use tokio::sync::watch;

use entity::{password_reset, session};

use crate::db::{begin_write, now};
use crate::error::{AppError, AppResult};
use crate::records::{EventBus, Notice};
use crate::viewer::Viewer;

/// Longest user agent kept, in characters.
pub const USER_AGENT_MAX_CHARS: usize = 200;

/// Who signed in: what a session remembers of its client.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// After the trusted-proxy rules.
    pub address: Option<String>,
    /// The `User-Agent` header, as sent.
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// The user agent as stored: control characters dropped, cut to
    /// [`USER_AGENT_MAX_CHARS`], `None` when nothing is left.
    pub fn stored_user_agent(&self) -> Option<String> {
        let agent: String = self
            .user_agent
            .as_deref()?
            .chars()
            .filter(|c| !c.is_control())
            .take(USER_AGENT_MAX_CHARS)
            .collect();
        let agent = agent.trim();
        (!agent.is_empty()).then(|| agent.to_owned())
    }
}

/// The viewer's sessions that still authenticate, the most recently used first.
pub async fn list(db: &DatabaseConnection, user_id: i32) -> Result<Vec<session::Model>, DbErr> {
    let mut rows = session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now()))
        .order_by_desc(session::Column::Id)
        .all(db)
        .await?;
    // Never used since created counts as used then.
    rows.sort_by_key(|s| std::cmp::Reverse(s.last_used_at.unwrap_or(s.created_at)));
    Ok(rows)
}

/// Revokes `user_id`'s live sessions except `keep`, inside `tx`, staging a
/// `SessionEnded` notice for each; returns the ended ids, to pass to
/// [`announce`] after the commit.
pub async fn revoke_all(
    tx: &impl ConnectionTrait,
    events: &EventBus,
    user_id: i32,
    keep: Option<i32>,
) -> Result<Vec<i32>, DbErr> {
    let mut live = session::Entity::find()
        .select_only()
        .column(session::Column::Id)
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now()));
    if let Some(keep) = keep {
        live = live.filter(session::Column::Id.ne(keep));
    }
    let ids: Vec<i32> = live.into_tuple().all(tx).await?;
    revoke(tx, events, &ids).await?;
    Ok(ids)
}

/// Revokes sessions `ids` inside `tx` and stages their notices.
async fn revoke(tx: &impl ConnectionTrait, events: &EventBus, ids: &[i32]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Some(now())))
        .filter(session::Column::Id.is_in(ids.iter().copied()))
        .filter(session::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    for &session_id in ids {
        events
            .stage(tx, &Notice::SessionEnded { session_id })
            .await?;
    }
    Ok(())
}

/// After the commit that revoked `ids`: tells this instance's sockets (the
/// commit itself told the other instances, on PostgreSQL).
pub fn announce(events: &EventBus, ids: &[i32]) {
    for &session_id in ids {
        events.committed(Notice::SessionEnded { session_id });
    }
}

/// Voids `user_id`'s unused password-reset links (a new password makes them moot).
pub async fn void_resets(tx: &impl ConnectionTrait, user_id: i32) -> Result<(), DbErr> {
    password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(Some(now())))
        .filter(password_reset::Column::UserId.eq(user_id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

/// Ends the viewer's session `id` (the current one too: that is signing out
/// there). Another account's session, or one already ended, is NOT_FOUND.
pub async fn end_one(
    db: &DatabaseConnection,
    events: &EventBus,
    viewer: &Viewer,
    id: i32,
) -> AppResult<()> {
    let tx = begin_write(db).await?;
    let found = session::Entity::find_by_id(id)
        .filter(session::Column::UserId.eq(viewer.user_id))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now()))
        .one(&tx)
        .await?;
    if found.is_none() {
        return Err(AppError::NotFound("no such session".to_owned()));
    }
    revoke(&tx, events, &[id]).await?;
    tx.commit().await?;
    announce(events, &[id]);
    Ok(())
}

/// Ends every session of the viewer but the one asking; returns how many.
pub async fn end_others(
    db: &DatabaseConnection,
    events: &EventBus,
    viewer: &Viewer,
) -> AppResult<usize> {
    let tx = begin_write(db).await?;
    let ended = revoke_all(&tx, events, viewer.user_id, Some(viewer.session_id)).await?;
    tx.commit().await?;
    announce(events, &ended);
    Ok(ended.len())
}

/// Notes that session `id` (last used at `last_used`) is being used from
/// `address`, unless that was noted less than `every` ago: at most one write
/// per session per `every`, and none for a session created within it.
pub async fn touch(
    db: &DatabaseConnection,
    id: i32,
    last_used: DateTime<Utc>,
    address: Option<&str>,
    every: Duration,
) -> Result<(), DbErr> {
    let now = now();
    let every = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::MAX);
    if now - last_used < every {
        return Ok(());
    }
    let mut update = session::Entity::update_many()
        .col_expr(session::Column::LastUsedAt, Expr::value(Some(now)));
    if let Some(address) = address {
        update = update.col_expr(session::Column::Address, Expr::value(Some(address)));
    }
    // Conditional, so concurrent requests of one session write once.
    update
        .filter(session::Column::Id.eq(id))
        .filter(
            sea_orm::Condition::any()
                .add(session::Column::LastUsedAt.is_null())
                .add(session::Column::LastUsedAt.lt(now - every)),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes sessions that no longer authenticate (expired or ended) and
/// reset links that no longer work (expired or used); returns the sessions deleted.
pub async fn prune(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let now = now();
    let sessions = session::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(session::Column::ExpiresAt.lte(now))
                .add(session::Column::RevokedAt.is_not_null()),
        )
        .exec(db)
        .await?;
    password_reset::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(password_reset::Column::ExpiresAt.lte(now))
                .add(password_reset::Column::UsedAt.is_not_null()),
        )
        .exec(db)
        .await?;
    Ok(sessions.rows_affected)
}

/// The pruning task: [`prune`] every `interval` until `stop` turns true.
pub async fn prune_forever(
    db: DatabaseConnection,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(interval.max(Duration::from_secs(1)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => match prune(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sessions = n, "pruned expired and ended sessions"),
                Err(e) => tracing::warn!(error = %e, "pruning sessions failed; retrying at the next tick"),
            },
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_are_cut_and_cleaned() {
        let info = |ua: &str| ClientInfo {
            address: None,
            user_agent: Some(ua.to_owned()),
        };
        assert_eq!(
            info(&"x".repeat(500)).stored_user_agent().map(|s| s.len()),
            Some(USER_AGENT_MAX_CHARS)
        );
        assert_eq!(
            info(" Mozilla/5.0\u{0}\n ").stored_user_agent().as_deref(),
            Some("Mozilla/5.0")
        );
        assert_eq!(info("\u{7}").stored_user_agent(), None);
        assert_eq!(ClientInfo::default().stored_user_agent(), None);
    }
}
