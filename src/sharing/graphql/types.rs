//! The GraphQL types of sharing: `Share`, `CreatedShare`, `Grant`,
//! `Comment`, and the comment fields of `StarDraft`.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use entity::{comment, interview, share, share_grant, star_draft, user};

use super::loaders::{
    Acceptance, AcceptancesOfShare, CommentsOfDraft, LastSeenOfDraft, UnreadOfDraft,
};
use crate::drafts::graphql::types::{StarDraft, StarDraftCommentsPlace, StarDraftConnectionFields};
use crate::error::AppResult;
use crate::graphql::context::{api_limits, database};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::loaders::{ById, Siblings, by_id, loader};
use crate::graphql::pagination::PageRequest;
use crate::graphql::viewer::require_viewer;
use crate::interviews::graphql::types::Interview;
use crate::records::owned_by;
use crate::records::page::Keyset;
use crate::sharing::comments::is_unread;
use crate::sharing::rules;
use crate::stored::{CommentSection, ShareAccess, ShareTargetKind, StoredEnum};

/// One share of the viewer's: a link that lets whoever accepts it read
/// (and, as COMMENTER, comment on) what it covers.
pub struct Share(pub share::Model);

#[Object]
impl Share {
    async fn id(&self) -> ID {
        ids::encode(IdKind::Share, self.0.id)
    }
    /// What the share covers.
    async fn target_kind(&self) -> AppResult<ShareTargetKind> {
        ShareTargetKind::from_stored(&self.0.target_kind)
    }
    /// The shared draft, for a DRAFT share.
    async fn draft(&self, ctx: &Context<'_>) -> AppResult<Option<StarDraft>> {
        let Some(id) = self.0.draft_id else {
            return Ok(None);
        };
        Ok(by_id::<star_draft::Entity>(ctx, id)
            .await?
            .map(StarDraft::alone))
    }
    /// The shared interview, for an INTERVIEW share.
    async fn interview(&self, ctx: &Context<'_>) -> AppResult<Option<Interview>> {
        let Some(id) = self.0.interview_id else {
            return Ok(None);
        };
        Ok(by_id::<interview::Entity>(ctx, id)
            .await?
            .map(Interview::alone))
    }
    async fn access(&self) -> AppResult<ShareAccess> {
        ShareAccess::from_stored(&self.0.access)
    }
    /// The owner's note to whoever accepts it.
    async fn note(&self) -> &str {
        &self.0.note
    }
    /// After this time the share and its grants read nothing; null: never.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// Whether it has expired (its grants read nothing any more).
    async fn expired(&self) -> bool {
        self.0.expires_at.is_some_and(|at| at <= Utc::now())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Who accepted it, first acceptance first.
    async fn accepted_by(&self, ctx: &Context<'_>) -> AppResult<Vec<ShareAcceptance>> {
        let found = loader(ctx)?.load_one(AcceptancesOfShare(self.0.id)).await?;
        Ok(found
            .unwrap_or_default()
            .into_iter()
            .map(ShareAcceptance::from)
            .collect())
    }
}

/// An account that accepted a share (its display name only: never its email).
#[derive(SimpleObject)]
pub struct ShareAcceptance {
    pub display_name: String,
    pub accepted_at: DateTime<Utc>,
}

impl From<Acceptance> for ShareAcceptance {
    fn from(a: Acceptance) -> Self {
        Self {
            display_name: a.display_name,
            accepted_at: a.accepted_at,
        }
    }
}

/// A new share and its secret, which is shown this once: only its SHA-256
/// is kept, so a lost link cannot be shown again (revoke it, make another).
pub struct CreatedShare {
    pub share: share::Model,
    pub secret: String,
}

#[Object]
impl CreatedShare {
    async fn share(&self) -> Share {
        Share(self.share.clone())
    }
    /// The link's secret; whoever has it may accept the share.
    async fn secret(&self) -> &str {
        &self.secret
    }
    /// The app's path that accepts the share: `/shared/<secret>`.
    async fn path(&self) -> String {
        format!("/shared/{}", self.secret)
    }
}

/// What another candidate shared with the viewer, through a live grant.
pub struct Grant {
    pub grant: share_grant::Model,
    pub share: share::Model,
    /// The drafts of the grants listed together, loaded as siblings so their
    /// comments and counts batch into one load.
    pub drafts: Arc<Siblings>,
    /// The owners of the grants listed together (their names load at once).
    pub owners: Arc<Siblings>,
}

impl Grant {
    /// Grants listed together.
    pub fn list(rows: Vec<(share_grant::Model, share::Model)>) -> Vec<Self> {
        let drafts = Siblings::new(rows.iter().filter_map(|(_, s)| s.draft_id).collect());
        let owners = Siblings::new(rows.iter().map(|(_, s)| s.owner_id).collect());
        rows.into_iter()
            .map(|(grant, share)| Self {
                grant,
                share,
                drafts: Arc::clone(&drafts),
                owners: Arc::clone(&owners),
            })
            .collect()
    }
}

#[Object]
impl Grant {
    async fn id(&self) -> ID {
        ids::encode(IdKind::Grant, self.grant.id)
    }
    /// The display name of who shared it (never their email).
    async fn owner_name(&self, ctx: &Context<'_>) -> AppResult<String> {
        display_name(ctx, &self.owners, self.share.owner_id).await
    }
    async fn target_kind(&self) -> AppResult<ShareTargetKind> {
        ShareTargetKind::from_stored(&self.share.target_kind)
    }
    async fn access(&self) -> AppResult<ShareAccess> {
        ShareAccess::from_stored(&self.share.access)
    }
    /// The owner's note.
    async fn note(&self) -> &str {
        &self.share.note
    }
    /// When the viewer accepted it.
    async fn since(&self) -> DateTime<Utc> {
        self.grant.created_at
    }
    /// When it stops reading anything; null: not before it is revoked.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.share.expires_at
    }
    /// The shared draft, for a DRAFT share.
    async fn draft(&self, ctx: &Context<'_>) -> AppResult<Option<StarDraft>> {
        let Some(id) = self.share.draft_id else {
            return Ok(None);
        };
        let drafts = Arc::clone(&self.drafts);
        Ok(by_id::<star_draft::Entity>(ctx, id)
            .await?
            .map(|row| StarDraft::new(row, drafts)))
    }
    /// The shared interview, for an INTERVIEW share.
    async fn interview(&self, ctx: &Context<'_>) -> AppResult<Option<Interview>> {
        let Some(id) = self.share.interview_id else {
            return Ok(None);
        };
        Ok(by_id::<interview::Entity>(ctx, id)
            .await?
            .map(Interview::alone))
    }
    /// The owner's drafts, newest change first, for a STORY_BANK share;
    /// null for the others.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn drafts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Option<Connection<String, StarDraft, StarDraftConnectionFields>>> {
        if self.share.target_kind != ShareTargetKind::StoryBank.stored() {
            return Ok(None);
        }
        let page = PageRequest::forward(IdKind::StarDraft.name(), first, after, api_limits(ctx)?)?;
        let matching = owned_by::<star_draft::Entity>(self.share.owner_id);
        let order = Keyset::descending(star_draft::Column::UpdatedAt, |r: &star_draft::Model| {
            r.updated_at
        });
        let rows = order
            .fetch(
                database(ctx)?,
                matching.clone(),
                page.after.as_deref(),
                page.limit,
            )
            .await?;
        let siblings = Siblings::new(rows.iter().map(|r| r.id).collect());
        Ok(Some(page.finish(
            IdKind::StarDraft.name(),
            rows,
            |row| order.cursor_of(row),
            |row| StarDraft::new(row, siblings.clone()),
            StarDraftConnectionFields::new(matching),
        )))
    }
}

/// The display name of user `id`, loaded with those of `users` at once.
async fn display_name(ctx: &Context<'_>, users: &Siblings, id: i32) -> AppResult<String> {
    let loaded = users
        .load(
            ctx,
            ById::<user::Entity>::new,
            |k| k.0,
            |_: &user::Model| Vec::new(),
        )
        .await?;
    Ok(loaded.get(id).map(|u| u.display_name).unwrap_or_default())
}

/// A comment on one section of a draft, with its replies when it starts a thread.
pub struct Comment {
    pub row: comment::Model,
    /// The draft as it is now (for `outdated`).
    pub draft: Arc<star_draft::Model>,
    pub replies: Vec<comment::Model>,
    /// The authors of the comments read together (their names load at once).
    pub authors: Arc<Siblings>,
}

impl Comment {
    /// A comment read on its own (with no replies).
    pub fn alone(row: comment::Model, draft: Arc<star_draft::Model>) -> Self {
        let authors = Siblings::new(vec![row.author_id]);
        Self {
            row,
            draft,
            replies: Vec::new(),
            authors,
        }
    }
}

#[Object]
impl Comment {
    async fn id(&self) -> ID {
        ids::encode(IdKind::Comment, self.row.id)
    }
    async fn draft_id(&self) -> ID {
        ids::encode(IdKind::StarDraft, self.row.draft_id)
    }
    /// The thread's first comment, for a reply; null for a first comment.
    async fn parent_id(&self) -> Option<ID> {
        self.row
            .parent_id
            .map(|id| ids::encode(IdKind::Comment, id))
    }
    async fn section(&self) -> AppResult<CommentSection> {
        CommentSection::from_stored(&self.row.section)
    }
    /// The exact text of the section the comment refers to.
    async fn quote(&self) -> Option<&str> {
        self.row.quote.as_deref()
    }
    async fn body(&self) -> &str {
        &self.row.body
    }
    /// The author's display name (never their email).
    async fn author_name(&self, ctx: &Context<'_>) -> AppResult<String> {
        display_name(ctx, &self.authors, self.row.author_id).await
    }
    /// Whether the viewer wrote it (and so may edit or delete it).
    async fn mine(&self, ctx: &Context<'_>) -> AppResult<bool> {
        Ok(require_viewer(ctx)?.user_id == self.row.author_id)
    }
    /// Whether it is new to the viewer: written by someone else since the
    /// viewer last marked the draft's comments read (`markCommentsRead`).
    async fn unread(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let user_id = require_viewer(ctx)?.user_id;
        let key = LastSeenOfDraft {
            draft_id: self.row.draft_id,
            user_id,
        };
        let seen = loader(ctx)?.load_one(key).await?.unwrap_or(0);
        Ok(is_unread(&self.row, user_id, seen))
    }
    /// Whether the draft's owner wrote it.
    async fn by_owner(&self) -> bool {
        self.row.author_id == self.draft.user_id
    }
    /// The draft version it was written on.
    async fn draft_version(&self) -> i32 {
        self.row.draft_version
    }
    /// The comment's own version: one more per edit, resolve or reopen.
    async fn version(&self) -> i32 {
        self.row.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.row.updated_at
    }
    /// Whether the draft's owner resolved the thread (first comments only).
    async fn resolved(&self) -> bool {
        self.row.resolved_at.is_some()
    }
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.row.resolved_at
    }
    /// Whether the quoted text no longer appears in the section's current
    /// text (computed on every read, never stored).
    async fn outdated(&self) -> AppResult<bool> {
        let d = &self.draft;
        let section = CommentSection::from_stored(&self.row.section)?;
        let own = rules::section_text(
            section,
            &d.title,
            &d.situation,
            &d.task,
            &d.action,
            &d.result,
        );
        let whole = [
            d.title.as_str(),
            d.situation.as_str(),
            d.task.as_str(),
            d.action.as_str(),
            d.result.as_str(),
        ];
        Ok(rules::is_outdated(self.row.quote.as_deref(), own, &whole))
    }
    /// The replies of a thread's first comment, oldest first.
    async fn replies(&self) -> Vec<Comment> {
        self.replies
            .iter()
            .map(|row| Comment {
                row: row.clone(),
                draft: Arc::clone(&self.draft),
                replies: Vec::new(),
                authors: Arc::clone(&self.authors),
            })
            .collect()
    }
}

#[Object]
impl StarDraftCommentsPlace {
    /// The comment threads, oldest first, each first comment with its
    /// replies; resolved threads only with `includeResolved`.
    async fn comments(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(false)")] include_resolved: Option<bool>,
    ) -> AppResult<Vec<Comment>> {
        let include_resolved = include_resolved.unwrap_or(false);
        let loaded = self
            .siblings
            .load(
                ctx,
                CommentsOfDraft,
                |k| k.0,
                |rows: &Vec<comment::Model>| {
                    // The next level down is the comments' authors, for their names.
                    rows.iter().map(|c| c.author_id).collect()
                },
            )
            .await?;
        let rows = loaded.get(self.row.id).unwrap_or_default();
        let draft = Arc::new(self.row.clone());
        let mut threads: Vec<Comment> = Vec::new();
        for row in rows.iter().filter(|r| r.parent_id.is_none()) {
            if row.resolved_at.is_some() && !include_resolved {
                continue;
            }
            threads.push(Comment {
                row: row.clone(),
                draft: Arc::clone(&draft),
                authors: Arc::clone(&loaded.next),
                replies: rows
                    .iter()
                    .filter(|r| r.parent_id == Some(row.id))
                    .cloned()
                    .collect(),
            });
        }
        Ok(threads)
    }

    /// How many comments by others the viewer has not seen yet (see
    /// `markCommentsRead`).
    async fn unread_comment_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        let user_id = require_viewer(ctx)?.user_id;
        let loaded = self
            .siblings
            .load_variant(
                ctx,
                user_id.to_string(),
                move |draft_id| UnreadOfDraft { draft_id, user_id },
                |k| k.draft_id,
                |_: &u64| Vec::new(),
            )
            .await?;
        Ok(loaded.get(self.row.id).unwrap_or_default())
    }
}
