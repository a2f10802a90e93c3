//! Comments in storage: one-level threads on a draft's sections, written by
//! the draft's owner or a commenter, each a record of the kit (owned by its
//! author, versioned, live).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use entity::{comment, comment_read, star_draft, star_draft_revision};

use super::rules;
use crate::config::SharingLimits;
use crate::db::{begin_write, now};
use crate::error::{AppError, AppResult};
use crate::records::bus::Notice;
use crate::records::scope::lock_owned;
use crate::records::shared::{get_commentable, get_readable};
use crate::records::{self, ChangeKind, EventBus, commit, write_version};
use crate::stored::{CommentSection, StoredEnum};
use crate::viewer::Viewer;

records::record!(comment {
    noun: "comment", plural: "comments", owner: author_id / AuthorId,
    versioned: version / Version, updated_at / UpdatedAt,
    live: "comments",
});

/// What `addComment` is given.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub draft_id: i32,
    pub section: CommentSection,
    pub quote: Option<String>,
    pub body: String,
    /// The draft version the comment was written on.
    pub version: i32,
    /// The comment replied to; the reply joins that comment's thread.
    pub parent_id: Option<i32>,
}

/// The parts of a draft (or one of its revisions) a quote is looked for in.
fn parts(
    title: &str,
    s: &str,
    t: &str,
    a: &str,
    r: &str,
    section: CommentSection,
) -> (Option<String>, Vec<String>) {
    let own = rules::section_text(section, title, s, t, a, r).map(str::to_owned);
    (
        own,
        vec![title.into(), s.into(), t.into(), a.into(), r.into()],
    )
}

/// BAD_USER_INPUT unless `quote` appears in `section` of the draft as it
/// was at `version` (when that version is still kept).
async fn check_quote(
    tx: &impl ConnectionTrait,
    draft: &star_draft::Model,
    version: i32,
    section: CommentSection,
    quote: &str,
) -> AppResult<()> {
    let (own, whole) = if version == draft.version {
        parts(
            &draft.title,
            &draft.situation,
            &draft.task,
            &draft.action,
            &draft.result,
            section,
        )
    } else {
        let revision = star_draft_revision::Entity::find()
            .filter(star_draft_revision::Column::DraftId.eq(draft.id))
            .filter(star_draft_revision::Column::Version.eq(version))
            .one(tx)
            .await?;
        // Older versions may have been thinned out; their text is unknown.
        let Some(r) = revision else { return Ok(()) };
        parts(
            &r.title,
            &r.situation,
            &r.task,
            &r.action,
            &r.result,
            section,
        )
    };
    let whole: Vec<&str> = whole.iter().map(String::as_str).collect();
    if rules::is_outdated(Some(quote), own.as_deref(), &whole) {
        return Err(AppError::bad_input(
            "quote",
            format!(
                "does not appear in the {} of version {version}",
                section.stored()
            ),
        ));
    }
    Ok(())
}

/// Adds a comment (or a reply) to a draft the viewer owns or may comment on.
pub async fn add_comment(
    db: &DatabaseConnection,
    events: &EventBus,
    viewer: &Viewer,
    input: NewComment,
    limits: &SharingLimits,
) -> AppResult<(comment::Model, star_draft::Model)> {
    let body = rules::comment_body("body", &input.body, limits.comment_max_chars)?;
    let quote = rules::quote(
        "quote",
        input.quote.as_deref(),
        limits.comment_quote_max_chars,
    )?;
    let tx = begin_write(db).await?;
    let (draft, _) = get_commentable::<star_draft::Entity>(&tx, viewer, input.draft_id).await?;
    if input.version < 1 || input.version > draft.version {
        return Err(AppError::bad_input(
            "version",
            format!("the draft has versions 1 to {}", draft.version),
        ));
    }
    let (parent_id, section) = match input.parent_id {
        None => (None, input.section),
        Some(parent_id) => {
            let parent = comment::Entity::find_by_id(parent_id)
                .filter(comment::Column::DraftId.eq(draft.id))
                .one(&tx)
                .await?
                .ok_or_else(|| AppError::NotFound("no such comment".into()))?;
            // Threads are one level deep: a reply to a reply joins the thread.
            let root = parent.parent_id.unwrap_or(parent.id);
            let section = CommentSection::from_stored(&parent.section)?;
            (Some(root), section)
        }
    };
    if let Some(quote) = &quote {
        check_quote(&tx, &draft, input.version, section, quote).await?;
    }
    let kept = comment::Entity::find()
        .filter(comment::Column::DraftId.eq(draft.id))
        .count(&tx)
        .await?;
    if kept >= limits.max_comments_per_draft {
        return Err(AppError::bad_input(
            "draftId",
            format!(
                "this draft has {kept} comments, the most one draft may hold; delete or resolve some first"
            ),
        ));
    }
    let at = now();
    let row = comment::ActiveModel {
        id: NotSet,
        draft_id: Set(draft.id),
        author_id: Set(viewer.user_id),
        parent_id: Set(parent_id),
        section: Set(section.stored().to_owned()),
        quote: Set(quote),
        body: Set(body),
        draft_version: Set(input.version),
        version: Set(1),
        created_at: Set(at),
        updated_at: Set(at),
        resolved_at: Set(None),
    }
    .insert(&tx)
    .await?;
    commit::<comment::Entity>(tx, events, ChangeKind::Created, &row).await?;
    Ok((row, draft))
}

/// The viewer's comment `id` on a draft they may still comment on, locked
/// for a change: NOT_FOUND for anyone else's, FORBIDDEN once their access
/// was narrowed to reading.
async fn lock_own_comment(
    tx: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> AppResult<comment::Model> {
    let row = lock_owned::<comment::Entity>(tx, viewer, id).await?;
    get_commentable::<star_draft::Entity>(tx, viewer, row.draft_id).await?;
    Ok(row)
}

/// Changes the body of the viewer's comment `id`.
pub async fn update_comment(
    db: &DatabaseConnection,
    events: &EventBus,
    viewer: &Viewer,
    id: i32,
    body: &str,
    limits: &SharingLimits,
) -> AppResult<comment::Model> {
    let body = rules::comment_body("body", body, limits.comment_max_chars)?;
    let tx = begin_write(db).await?;
    let row = lock_own_comment(&tx, viewer, id).await?;
    if row.body == body {
        return Ok(row);
    }
    let (version, at) = write_version::<comment::Entity>(
        &tx,
        row.id,
        row.author_id,
        row.version,
        comment::Entity::update_many().col_expr(comment::Column::Body, Expr::value(body.clone())),
    )
    .await?;
    let row = comment::Model {
        body,
        version,
        updated_at: at,
        ..row
    };
    commit::<comment::Entity>(tx, events, ChangeKind::Updated, &row).await?;
    Ok(row)
}

/// Deletes the viewer's comment `id`; a thread's first comment takes its
/// replies with it. Every comment deleted is announced.
pub async fn delete_comment(
    db: &DatabaseConnection,
    events: &EventBus,
    viewer: &Viewer,
    id: i32,
) -> AppResult<()> {
    let tx = begin_write(db).await?;
    let row = lock_own_comment(&tx, viewer, id).await?;
    let replies = comment::Entity::find()
        .filter(comment::Column::ParentId.eq(row.id))
        .all(&tx)
        .await?;
    comment::Entity::delete_by_id(row.id).exec(&tx).await?;
    let notices: Vec<Notice> = replies
        .iter()
        .chain(std::iter::once(&row))
        .map(|gone| Notice::of::<comment::Entity>(ChangeKind::Deleted, gone))
        .collect();
    for notice in &notices {
        events.stage(&tx, notice).await?;
    }
    tx.commit().await?;
    for notice in notices {
        events.committed(notice);
    }
    Ok(())
}

/// Resolves (or reopens) the thread of comment `id`; only the draft's
/// owner may. Returns the thread's first comment.
pub async fn resolve_thread(
    db: &DatabaseConnection,
    events: &EventBus,
    viewer: &Viewer,
    id: i32,
    resolved: bool,
) -> AppResult<comment::Model> {
    let tx = begin_write(db).await?;
    let unknown = || AppError::NotFound("no such comment".into());
    let picked = comment::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or_else(unknown)?;
    let draft = get_readable::<star_draft::Entity>(&tx, viewer, picked.draft_id)
        .await
        .map_err(|_| unknown())?;
    if draft.user_id != viewer.user_id {
        return Err(AppError::Forbidden(
            "only the draft's owner resolves its threads",
        ));
    }
    let root_id = picked.parent_id.unwrap_or(picked.id);
    let root = if root_id == picked.id {
        picked
    } else {
        comment::Entity::find_by_id(root_id)
            .one(&tx)
            .await?
            .ok_or_else(unknown)?
    };
    if root.resolved_at.is_some() == resolved {
        return Ok(root);
    }
    let resolved_at: Option<DateTime<Utc>> = resolved.then(now);
    let (version, at) = write_version::<comment::Entity>(
        &tx,
        root.id,
        root.author_id,
        root.version,
        comment::Entity::update_many()
            .col_expr(comment::Column::ResolvedAt, Expr::value(resolved_at)),
    )
    .await?;
    let root = comment::Model {
        resolved_at,
        version,
        updated_at: at,
        ..root
    };
    commit::<comment::Entity>(tx, events, ChangeKind::Updated, &root).await?;
    Ok(root)
}

/// Marks every comment of draft `draft_id` read for the viewer; returns how
/// many were unread.
pub async fn mark_read(db: &DatabaseConnection, viewer: &Viewer, draft_id: i32) -> AppResult<u64> {
    let tx = begin_write(db).await?;
    let draft = get_readable::<star_draft::Entity>(&tx, viewer, draft_id).await?;
    let seen = comment_read::Entity::find()
        .filter(comment_read::Column::DraftId.eq(draft.id))
        .filter(comment_read::Column::UserId.eq(viewer.user_id))
        .one(&tx)
        .await?;
    let last_seen = seen.as_ref().map_or(0, |s| s.last_seen_id);
    let unread = unread_query(draft.id, viewer.user_id, last_seen)
        .count(&tx)
        .await?;
    let newest: Option<i32> = comment::Entity::find()
        .select_only()
        .column_as(comment::Column::Id.max(), "newest")
        .filter(comment::Column::DraftId.eq(draft.id))
        .into_tuple::<Option<i32>>()
        .one(&tx)
        .await?
        .flatten();
    let newest = newest.unwrap_or(0).max(last_seen);
    match seen {
        Some(seen) if seen.last_seen_id == newest => {}
        Some(seen) => {
            comment_read::ActiveModel {
                last_seen_id: Set(newest),
                ..seen.into()
            }
            .update(&tx)
            .await?;
        }
        None => {
            comment_read::ActiveModel {
                id: NotSet,
                draft_id: Set(draft.id),
                user_id: Set(viewer.user_id),
                last_seen_id: Set(newest),
            }
            .insert(&tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(unread)
}

/// The comments of draft `draft_id` that user `user_id` has not seen: newer
/// than `last_seen`, and not their own.
fn unread_query(draft_id: i32, user_id: i32, last_seen: i32) -> sea_orm::Select<comment::Entity> {
    comment::Entity::find()
        .filter(comment::Column::DraftId.eq(draft_id))
        .filter(comment::Column::AuthorId.ne(user_id))
        .filter(comment::Column::Id.gt(last_seen))
}

/// For user `user_id`, the newest comment id they have seen on each of
/// `drafts` (drafts never marked read are left out): one statement.
pub async fn last_seen(
    db: &impl ConnectionTrait,
    user_id: i32,
    drafts: &[i32],
) -> Result<HashMap<i32, i32>, DbErr> {
    Ok(comment_read::Entity::find()
        .filter(comment_read::Column::UserId.eq(user_id))
        .filter(comment_read::Column::DraftId.is_in(drafts.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.draft_id, r.last_seen_id))
        .collect())
}

/// Whether comment `row` is unread for user `user_id`, who has seen the
/// draft's comments up to id `last_seen`: the same rule as [`unread_counts`].
pub fn is_unread(row: &comment::Model, user_id: i32, last_seen: i32) -> bool {
    row.author_id != user_id && row.id > last_seen
}

/// The comments of each of `drafts`, oldest first: one statement.
pub async fn comments_of(
    db: &impl ConnectionTrait,
    drafts: &[i32],
) -> Result<HashMap<i32, Vec<comment::Model>>, DbErr> {
    let rows = comment::Entity::find()
        .filter(comment::Column::DraftId.is_in(drafts.iter().copied()))
        .order_by_asc(comment::Column::Id)
        .all(db)
        .await?;
    let mut out: HashMap<i32, Vec<comment::Model>> = HashMap::new();
    for row in rows {
        out.entry(row.draft_id).or_default().push(row);
    }
    Ok(out)
}

/// For user `user_id`, how many comments of each of `drafts` are unread: two
/// statements for any number of drafts.
pub async fn unread_counts(
    db: &impl ConnectionTrait,
    user_id: i32,
    drafts: &[i32],
) -> Result<HashMap<i32, u64>, DbErr> {
    let seen = last_seen(db, user_id, drafts).await?;
    let newer = drafts
        .iter()
        .fold(sea_orm::Condition::any(), |any, &draft| {
            any.add(
                sea_orm::Condition::all()
                    .add(comment::Column::DraftId.eq(draft))
                    .add(comment::Column::Id.gt(seen.get(&draft).copied().unwrap_or(0))),
            )
        });
    let counts: Vec<(i32, i64)> = comment::Entity::find()
        .select_only()
        .column(comment::Column::DraftId)
        .column_as(comment::Column::Id.count(), "unread")
        .filter(comment::Column::AuthorId.ne(user_id))
        .filter(newer)
        .group_by(comment::Column::DraftId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(draft, n)| (draft, u64::try_from(n).unwrap_or(0)))
        .collect())
}
