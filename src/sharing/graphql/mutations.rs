//! Sharing's mutations: shares (create, accept, revoke) and comments (add,
//! edit, delete, resolve, mark read).

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;

use entity::{comment, star_draft};

use super::types::{Comment, CreatedShare, Grant};
use crate::config::SharingLimits;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{database, events};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::viewer::require_viewer;
use crate::sharing::comments::{self, NewComment};
use crate::sharing::shares::{self, NewShare, Target};
use crate::stored::{CommentSection, ShareAccess};

/// What `target` says to share the whole story bank with.
pub const STORY_BANK: &str = "STORY_BANK";

/// `createShare` arguments.
#[derive(InputObject)]
pub struct CreateShareInput {
    /// A draft's ID, an interview's ID, or "STORY_BANK" (every draft, now and later).
    target: ID,
    access: ShareAccess,
    /// When the share stops working; null: when it is revoked.
    expires_at: Option<DateTime<Utc>>,
    /// A note to whoever accepts it.
    note: Option<String>,
}

/// `addComment` arguments.
#[derive(InputObject)]
pub struct AddCommentInput {
    draft_id: ID,
    /// The part of the draft the comment is about (a reply takes its thread's).
    #[graphql(default_with = "CommentSection::General")]
    section: CommentSection,
    /// The exact text of the section the comment refers to.
    quote: Option<String>,
    body: String,
    /// The draft version the comment was written on.
    version: i32,
    /// A comment of the thread to reply to.
    parent_id: Option<ID>,
}

/// Sharing mutations; all need a signed-in viewer.
#[derive(Default)]
pub struct SharingMutation;

#[Object]
impl SharingMutation {
    /// Shares one of the viewer's drafts or interviews, or the whole story
    /// bank. The secret comes back this once.
    async fn create_share(
        &self,
        ctx: &Context<'_>,
        input: CreateShareInput,
    ) -> AppResult<CreatedShare> {
        let viewer = require_viewer(ctx)?;
        let target = if input.target.as_str() == STORY_BANK {
            Target::StoryBank
        } else {
            match ids::decode(&input.target) {
                Some((IdKind::StarDraft, id)) => Target::Draft(id),
                Some((IdKind::Interview, id)) => Target::Interview(id),
                _ => {
                    return Err(AppError::bad_input(
                        "target",
                        "give a draft's ID, an interview's ID, or STORY_BANK",
                    ));
                }
            }
        };
        let new = NewShare {
            target,
            access: input.access,
            expires_at: input.expires_at,
            note: input.note,
        };
        let (share, secret) =
            shares::create_share(database(ctx)?, viewer, new, limits(ctx)?).await?;
        Ok(CreatedShare { share, secret })
    }

    /// Accepts a share by its link's secret: the viewer may then read what
    /// it covers until it is revoked or expires. Accepting again is harmless.
    async fn accept_share(&self, ctx: &Context<'_>, secret: String) -> AppResult<Grant> {
        let viewer = require_viewer(ctx)?;
        let (grant, share) =
            shares::accept_share(database(ctx)?, viewer, &secret, limits(ctx)?).await?;
        Ok(Grant::list(vec![(grant, share)]).remove(0))
    }

    /// Revokes one of the viewer's shares: every grant of it ends at once,
    /// with the live subscriptions that read through them.
    async fn revoke_share(&self, ctx: &Context<'_>, id: ID) -> AppResult<ID> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::Share, &id, "id")?;
        shares::revoke_share(database(ctx)?, events(ctx)?, viewer, key).await?;
        Ok(id)
    }

    /// Comments on a draft the viewer owns or may comment on (COMMENTER).
    async fn add_comment(&self, ctx: &Context<'_>, input: AddCommentInput) -> AppResult<Comment> {
        let viewer = require_viewer(ctx)?;
        let new = NewComment {
            draft_id: ids::decode_as(IdKind::StarDraft, &input.draft_id, "draftId")?,
            section: input.section,
            quote: input.quote,
            body: input.body,
            version: input.version,
            parent_id: input
                .parent_id
                .as_ref()
                .map(|id| ids::decode_as(IdKind::Comment, id, "parentId"))
                .transpose()?,
        };
        let (row, draft) =
            comments::add_comment(database(ctx)?, events(ctx)?, viewer, new, limits(ctx)?).await?;
        Ok(Comment::alone(row, Arc::new(draft)))
    }

    /// Changes the body of one of the viewer's comments.
    async fn update_comment(&self, ctx: &Context<'_>, id: ID, body: String) -> AppResult<Comment> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::Comment, &id, "id")?;
        let row = comments::update_comment(
            database(ctx)?,
            events(ctx)?,
            viewer,
            key,
            &body,
            limits(ctx)?,
        )
        .await?;
        with_draft(ctx, row).await
    }

    /// Deletes one of the viewer's comments (a thread's first comment takes
    /// its replies with it).
    async fn delete_comment(&self, ctx: &Context<'_>, id: ID) -> AppResult<ID> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::Comment, &id, "id")?;
        comments::delete_comment(database(ctx)?, events(ctx)?, viewer, key).await?;
        Ok(id)
    }

    /// Resolves (or, with `resolved: false`, reopens) the thread of a
    /// comment; only the draft's owner may. Returns the thread's first comment.
    async fn resolve_comment_thread(
        &self,
        ctx: &Context<'_>,
        id: ID,
        resolved: bool,
    ) -> AppResult<Comment> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::Comment, &id, "id")?;
        let row =
            comments::resolve_thread(database(ctx)?, events(ctx)?, viewer, key, resolved).await?;
        with_draft(ctx, row).await
    }

    /// Marks every comment of a draft read for the viewer; returns how many
    /// were unread.
    async fn mark_comments_read(&self, ctx: &Context<'_>, draft_id: ID) -> AppResult<u64> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::StarDraft, &draft_id, "draftId")?;
        comments::mark_read(database(ctx)?, viewer, key).await
    }
}

/// Sharing's settings.
fn limits<'a>(ctx: &Context<'a>) -> AppResult<&'a SharingLimits> {
    ctx.data::<SharingLimits>()
        .map_err(|e| AppError::internal(anyhow::anyhow!("sharing limits missing: {}", e.message)))
}

/// `row` with its draft as it is now (for `outdated`).
async fn with_draft(ctx: &Context<'_>, row: comment::Model) -> AppResult<Comment> {
    let draft = star_draft::Entity::find_by_id(row.draft_id)
        .one(database(ctx)?)
        .await?
        .ok_or_else(|| AppError::NotFound("no such draft".into()))?;
    Ok(Comment::alone(row, Arc::new(draft)))
}
