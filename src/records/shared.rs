//! The read scope: "the owner, or a live grant that covers this record".
//!
//! A candidate shares one record (a draft, an interview) or the whole story
//! bank (every draft, now and later) through a share; whoever accepts it
//! holds a grant. A grant is live while its share exists and has not
//! expired. Reads that a grantee may make (`node`, the single-record queries
//! and subscriptions) go through [`readable_by`]; everything else (lists of
//! "mine", every write, the calendar feed) stays in the owner scope of
//! [`super::scope`]. Which tables can be shared, and how, is declared once
//! per table in its [`record!`](super::record) (`shared:`).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use entity::{share, share_grant};

use super::Owned;
use super::scope::not_found;
use crate::error::{AppError, AppResult};
use crate::stored::{ShareAccess, ShareTargetKind, StoredEnum};
use crate::viewer::Viewer;

/// How the viewer reaches a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The viewer owns it.
    Owner,
    /// Through one or more live grants: the best `access` among them, and the
    /// first time one of them expires (`None`: none expires), when the access
    /// must be looked at again.
    Grantee {
        access: ShareAccess,
        recheck_at: Option<DateTime<Utc>>,
    },
}

impl Reader {
    /// Whether this reader may comment.
    pub fn may_comment(self) -> bool {
        matches!(
            self,
            Reader::Owner
                | Reader::Grantee {
                    access: ShareAccess::Commenter,
                    ..
                }
        )
    }

    /// When the access must be looked at again (a grant expires then).
    pub fn recheck_at(self) -> Option<DateTime<Utc>> {
        match self {
            Reader::Owner => None,
            Reader::Grantee { recheck_at, .. } => recheck_at,
        }
    }
}

/// The condition "the share is live at `now`" (has not expired).
pub fn live_at(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(share::Column::ExpiresAt.is_null())
        .add(share::Column::ExpiresAt.gt(now))
}

/// `SELECT shares.<column> FROM shares JOIN share_grants ..` for the live
/// grants of `viewer_id` of at least `at_least`, of shares of kind `kind`.
fn granted(
    viewer_id: i32,
    at_least: ShareAccess,
    kind: ShareTargetKind,
    column: share::Column,
    now: DateTime<Utc>,
) -> SelectStatement {
    let mut select = Query::select();
    select
        .column((share::Entity, column))
        .from(share::Entity)
        .inner_join(
            share_grant::Entity,
            ExprTrait::eq(
                Expr::col((share_grant::Entity, share_grant::Column::ShareId)),
                Expr::col((share::Entity, share::Column::Id)),
            ),
        )
        .and_where(share_grant::Column::GranteeId.eq(viewer_id))
        .and_where(share::Column::TargetKind.eq(kind.stored()))
        .cond_where(live_at(now));
    if at_least == ShareAccess::Commenter {
        select.and_where(share::Column::Access.eq(ShareAccess::Commenter.stored()));
    }
    select
}

/// The condition "readable by user `viewer_id` with at least `at_least`":
/// owned by them, or covered by one of their live grants.
pub fn readable_by<R: Owned>(viewer_id: i32, at_least: ShareAccess) -> Condition {
    let now = Utc::now();
    let mut any = Condition::any().add(R::owner_column().eq(viewer_id));
    if let Some((kind, column)) = R::shared_one_by_one() {
        any = any.add(R::id_column().in_subquery(granted(viewer_id, at_least, kind, column, now)));
    }
    if R::IN_STORY_BANK {
        any = any.add(R::owner_column().in_subquery(granted(
            viewer_id,
            at_least,
            ShareTargetKind::StoryBank,
            share::Column::OwnerId,
            now,
        )));
    }
    any
}

/// Record `id` when the viewer may read it (owner or grantee), else `None`.
pub async fn find_readable<R: Owned>(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> AppResult<Option<R::Model>> {
    find_readable_by::<R>(db, viewer.user_id, id).await
}

/// [`find_readable`] for user `viewer_id` (a subscription's reader, who
/// has no request of their own when access is looked at again).
pub async fn find_readable_by<R: Owned>(
    db: &impl ConnectionTrait,
    viewer_id: i32,
    id: i32,
) -> AppResult<Option<R::Model>> {
    Ok(R::find()
        .filter(R::id_column().eq(id))
        .filter(readable_by::<R>(viewer_id, ShareAccess::Viewer))
        .one(db)
        .await?)
}

/// Record `id` when the viewer may read it, else NOT_FOUND.
pub async fn get_readable<R: Owned>(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> AppResult<R::Model> {
    find_readable::<R>(db, viewer, id)
        .await?
        .ok_or_else(not_found::<R>)
}

/// How user `viewer_id` reaches `row` now, or `None` when they cannot read it.
pub async fn reader_of<R: Owned>(
    db: &impl ConnectionTrait,
    viewer_id: i32,
    row: &R::Model,
) -> AppResult<Option<Reader>> {
    if R::owner_of(row) == viewer_id {
        return Ok(Some(Reader::Owner));
    }
    let mut covers = Condition::any();
    if let Some((kind, column)) = R::shared_one_by_one() {
        covers = covers.add(
            Condition::all()
                .add(share::Column::TargetKind.eq(kind.stored()))
                .add(column.eq(R::id_of(row))),
        );
    }
    if R::IN_STORY_BANK {
        covers = covers.add(
            Condition::all()
                .add(share::Column::TargetKind.eq(ShareTargetKind::StoryBank.stored()))
                .add(share::Column::OwnerId.eq(R::owner_of(row))),
        );
    }
    if covers.is_empty() {
        return Ok(None);
    }
    let grants: Vec<(String, Option<DateTime<Utc>>)> = share::Entity::find()
        .select_only()
        .column(share::Column::Access)
        .column(share::Column::ExpiresAt)
        .inner_join(share_grant::Entity)
        .filter(share_grant::Column::GranteeId.eq(viewer_id))
        .filter(share::Column::OwnerId.eq(R::owner_of(row)))
        .filter(covers)
        .filter(live_at(Utc::now()))
        .into_tuple()
        .all(db)
        .await?;
    let mut best: Option<ShareAccess> = None;
    let mut recheck_at: Option<DateTime<Utc>> = None;
    for (access, expires_at) in grants {
        let access = ShareAccess::from_stored(&access)?;
        if best != Some(ShareAccess::Commenter) {
            best = Some(access);
        }
        if let Some(at) = expires_at {
            recheck_at = Some(recheck_at.map_or(at, |r| Ord::min(r, at)));
        }
    }
    Ok(best.map(|access| Reader::Grantee { access, recheck_at }))
}

/// Record `id` and how the viewer reaches it; NOT_FOUND when they cannot
/// read it, FORBIDDEN when they read it but may not comment on it.
pub async fn get_commentable<R: Owned>(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> AppResult<(R::Model, Reader)> {
    let row = get_readable::<R>(db, viewer, id).await?;
    let reader = reader_of::<R>(db, viewer.user_id, &row)
        .await?
        .ok_or_else(not_found::<R>)?;
    if !reader.may_comment() {
        return Err(AppError::Forbidden(
            "this was shared with you to read, not to comment on",
        ));
    }
    Ok((row, reader))
}
