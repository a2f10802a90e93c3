//! Writing a record: the version check, the conditional write, and the commit
//! that publishes the change.
//!
//! A change names the version it was made on. The row is written by one
//! conditional `UPDATE .. WHERE id = ? AND version = ?`, so of concurrent
//! writers on one version exactly one wins and the others get
//! VERSION_CONFLICT with the version the record is at now.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, QueryFilter, UpdateMany};

use super::bus::{EventBus, Notice};
use super::scope::{not_found, owned_by};
use super::{Live, Versioned};
use crate::db::now;
use crate::error::{AppError, AppResult};

/// VERSION_CONFLICT unless `row` is at `expected`.
pub fn check_version<R: Versioned>(row: &R::Model, expected: i32) -> AppResult<()> {
    let current_version = R::version_of(row);
    if current_version == expected {
        Ok(())
    } else {
        Err(AppError::VersionConflict { current_version })
    }
}

/// Writes the columns `changes` sets on record `id` of user `owner_id` as the
/// version after `expected`, with a new update time; fails with
/// VERSION_CONFLICT when the stored row is no longer at `expected`.
///
/// Returns the new version and its time.
pub async fn write_version<R: Versioned>(
    tx: &impl ConnectionTrait,
    id: i32,
    owner_id: i32,
    expected: i32,
    changes: UpdateMany<R>,
) -> AppResult<(i32, DateTime<Utc>)> {
    let at = now();
    let written = changes
        .col_expr(R::version_column(), Expr::value(expected + 1))
        .col_expr(R::updated_at_column(), Expr::value(at))
        .filter(R::id_column().eq(id))
        .filter(R::version_column().eq(expected))
        .exec(tx)
        .await?;
    if written.rows_affected != 1 {
        // Another writer got there first; report where the record is now.
        let current = owned_by::<R>(owner_id)
            .filter(R::id_column().eq(id))
            .one(tx)
            .await?
            .ok_or_else(not_found::<R>)?;
        return Err(AppError::VersionConflict {
            current_version: R::version_of(&current),
        });
    }
    Ok((expected + 1, at))
}

/// Commits `tx` with the change `kind` of `row`: the notice is staged inside
/// the transaction (on PostgreSQL NOTIFY is sent by the commit) and sent
/// in-process once committed.
pub async fn commit<R: Live>(
    tx: DatabaseTransaction,
    events: &EventBus,
    kind: super::ChangeKind,
    row: &R::Model,
) -> AppResult<()> {
    let notice = Notice::of::<R>(kind, row);
    events.stage(&tx, &notice).await?;
    tx.commit().await?;
    events.committed(notice);
    Ok(())
}
