//! Comments live: `commentEvents(draftId)`, for the draft's owner and its
//! grantees alike.
//!
//! One stream per subscription reads the event bus: comment changes of the
//! draft become CREATED, UPDATED, DELETED or RESOLVED (a thread resolved or
//! reopened); the stream completes when the draft is deleted or, for a
//! grantee, when their access ends (revoked on any instance, or expired),
//! through the records kit's [`Watch`].

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Subscription};
use futures_util::{Stream, stream};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tokio::sync::broadcast::{self, error::RecvError};

use entity::{comment, star_draft};

use super::comments::comments_of;
use super::graphql::types::Comment;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{database, events};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::viewer::require_viewer;
use crate::records::live::{Wake, Watch};
use crate::records::{BusMessage, ChangeKind};

/// What happened to a comment.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CommentEventKind {
    Created,
    Updated,
    Deleted,
    /// Its thread was resolved or reopened (see `Comment.resolved`).
    Resolved,
}

/// A change to a comment of the draft followed.
pub struct CommentEvent {
    kind: CommentEventKind,
    comment_id: i32,
    draft_id: i32,
    comment: Option<Comment>,
}

#[Object]
impl CommentEvent {
    async fn kind(&self) -> CommentEventKind {
        self.kind
    }
    async fn comment_id(&self) -> ID {
        ids::encode(IdKind::Comment, self.comment_id)
    }
    async fn draft_id(&self) -> ID {
        ids::encode(IdKind::StarDraft, self.draft_id)
    }
    /// The comment after the change; null once deleted.
    async fn comment(&self) -> Option<&Comment> {
        self.comment.as_ref()
    }
}

/// What the stream has told about each comment: its version and whether
/// its thread was resolved.
#[derive(Clone, Copy)]
struct Told {
    version: i32,
    resolved: bool,
}

/// One `commentEvents` subscription.
struct CommentFollower {
    db: DatabaseConnection,
    rx: broadcast::Receiver<BusMessage>,
    watch: Watch<star_draft::Entity>,
    draft_id: i32,
    told: HashMap<i32, Told>,
    queue: Vec<CommentEvent>,
}

impl CommentFollower {
    /// The comments of the draft as they are now.
    async fn current(&self) -> AppResult<Vec<comment::Model>> {
        Ok(comment::Entity::find()
            .filter(comment::Column::DraftId.eq(self.draft_id))
            .all(&self.db)
            .await?)
    }

    /// The event of `row`'s latest change (CREATED for a comment not told
    /// yet), or `None` when the stream told it already.
    async fn event_of(&mut self, row: comment::Model) -> AppResult<Option<CommentEvent>> {
        let resolved = row.resolved_at.is_some();
        let told = self.told.get(&row.id).copied();
        if told.is_some_and(|t| t.version >= row.version) {
            return Ok(None);
        }
        let kind = match told {
            None => CommentEventKind::Created,
            Some(t) if t.resolved != resolved => CommentEventKind::Resolved,
            Some(_) => CommentEventKind::Updated,
        };
        self.told.insert(
            row.id,
            Told {
                version: row.version,
                resolved,
            },
        );
        let Some(draft) = star_draft::Entity::find_by_id(self.draft_id)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(CommentEvent {
            kind,
            comment_id: row.id,
            draft_id: self.draft_id,
            comment: Some(Comment::alone(row, Arc::new(draft))),
        }))
    }

    fn deleted(&mut self, id: i32) -> Option<CommentEvent> {
        self.told.remove(&id)?;
        Some(CommentEvent {
            kind: CommentEventKind::Deleted,
            comment_id: id,
            draft_id: self.draft_id,
            comment: None,
        })
    }

    /// After lost notices: tells what changed meanwhile from the comments as they are now.
    async fn resync(&mut self) -> AppResult<()> {
        let rows = self.current().await?;
        let gone: Vec<i32> = self
            .told
            .keys()
            .filter(|id| !rows.iter().any(|r| r.id == **id))
            .copied()
            .collect();
        for id in gone {
            if let Some(event) = self.deleted(id) {
                self.queue.push(event);
            }
        }
        for row in rows {
            if let Some(event) = self.event_of(row).await? {
                self.queue.push(event);
            }
        }
        Ok(())
    }

    /// Whether the viewer lost access to the draft (the stream then ends).
    async fn access_lost(&mut self) -> bool {
        match self.watch.still_readable().await {
            Ok(readable) => !readable,
            Err(e) => {
                tracing::warn!(error = ?e, "access check of commentEvents failed");
                true
            }
        }
    }

    async fn next(&mut self) -> Option<CommentEvent> {
        loop {
            if !self.queue.is_empty() {
                return Some(self.queue.remove(0));
            }
            let message = match self.watch.wait(&mut self.rx).await {
                Wake::Recheck => {
                    if self.access_lost().await {
                        return None;
                    }
                    continue;
                }
                Wake::Message(message) => message,
            };
            match message {
                Ok(message) if self.watch.concerns(&message) => {
                    if self.access_lost().await {
                        return None;
                    }
                }
                Ok(BusMessage::Record(change)) => {
                    if let Some(draft) = change.of::<star_draft::Entity>() {
                        if draft.id == self.draft_id && draft.kind == ChangeKind::Deleted {
                            return None;
                        }
                        continue;
                    }
                    let Some(change) = change.of::<comment::Entity>() else {
                        continue;
                    };
                    match change.row {
                        Some(row) if row.draft_id == self.draft_id => {
                            match self.event_of(row).await {
                                Ok(Some(event)) => return Some(event),
                                Ok(None) => {}
                                Err(e) => {
                                    tracing::warn!(error = ?e, "loading a comment event failed");
                                }
                            }
                        }
                        Some(_) => {}
                        None => {
                            if let Some(event) = self.deleted(change.id) {
                                return Some(event);
                            }
                        }
                    }
                }
                Ok(BusMessage::Resync) | Err(RecvError::Lagged(_)) => {
                    if let Err(e) = self.resync().await {
                        tracing::warn!(error = ?e, "resync of commentEvents failed");
                    }
                }
                Ok(_) => {}
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

/// Sharing's subscriptions.
#[derive(Default)]
pub struct SharingSubscription;

#[Subscription]
impl SharingSubscription {
    /// Changes to the comments of a draft the viewer owns or reads through a
    /// grant (NOT_FOUND otherwise); completes when the draft is deleted or
    /// the viewer's access ends.
    async fn comment_events(
        &self,
        ctx: &Context<'_>,
        draft_id: ID,
    ) -> Result<impl Stream<Item = CommentEvent> + use<>, AppError> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::StarDraft, &draft_id, "draftId")?;
        let db = database(ctx)?.clone();
        let (_, watch) = Watch::<star_draft::Entity>::start(db.clone(), viewer, key).await?;
        // Read, subscribe, read again: the comments of the first read are
        // what the client knows; a change committed before the subscription
        // shows in the second read (and is sent), one after it arrives on
        // the bus, and each is sent once (by version).
        let known = comments_of(&db, &[key])
            .await?
            .remove(&key)
            .unwrap_or_default();
        let rx = events(ctx)?.subscribe();
        let mut follower = CommentFollower {
            db,
            rx,
            watch,
            draft_id: key,
            told: HashMap::new(),
            queue: Vec::new(),
        };
        for row in known {
            let resolved = row.resolved_at.is_some();
            follower.told.insert(
                row.id,
                Told {
                    version: row.version,
                    resolved,
                },
            );
        }
        follower.resync().await?;
        Ok(stream::unfold(follower, |mut f| async move {
            f.next().await.map(|event| (event, f))
        }))
    }
}
