//! Live updates: `starDraftUpdated`, `myStarDraftEvents` and `myInterviewEvents`.
//!
//! Streams read this instance's event broadcast (see `events`) and keep only
//! the viewer's drafts. Per draft they never go back: an event whose version
//! is not newer than the last one sent is dropped, and a subscriber that lags
//! behind (or hears that notices were lost) reloads the latest state instead
//! of replaying what it missed.

use std::collections::{HashMap, VecDeque};

use async_graphql::{Context, ID, MergedSubscription, Object, Subscription};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use futures_util::stream;
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder};
use tokio::sync::broadcast::{self, error::RecvError};

use entity::star_draft;

use super::drafts::StarDraft;
use super::ids::IdKind;
use super::interviews::InterviewEvent;
use super::interviews::live::InterviewFollow;
use super::viewer::require_viewer;
use super::{database, events, ids};
use crate::auth::Viewer;
use crate::drafts;
use crate::drafts::owned::owned_by;
use crate::error::{AppError, AppResult};
use crate::events::{BusMessage, DraftChange, StarDraftEventKind};

/// A change to one of the viewer's drafts.
pub struct StarDraftEvent {
    kind: StarDraftEventKind,
    draft_id: i32,
    version: i32,
    row: Option<star_draft::Model>,
}

impl StarDraftEvent {
    fn of(change: &DraftChange) -> Self {
        Self {
            kind: change.kind,
            draft_id: change.draft_id,
            version: change.version,
            row: change.row.clone(),
        }
    }

    fn updated(row: star_draft::Model) -> Self {
        Self {
            kind: StarDraftEventKind::Updated,
            draft_id: row.id,
            version: row.version,
            row: Some(row),
        }
    }
}

#[Object]
impl StarDraftEvent {
    async fn kind(&self) -> StarDraftEventKind {
        self.kind
    }
    async fn draft_id(&self) -> ID {
        ids::encode(IdKind::StarDraft, self.draft_id)
    }
    /// The draft's version after the change (for DELETED, the last version).
    async fn version(&self) -> i32 {
        self.version
    }
    /// The draft after the change; null once deleted.
    async fn draft(&self) -> Option<StarDraft> {
        self.row.clone().map(StarDraft::alone)
    }
}

/// What one subscription has sent, per draft.
struct Follow {
    viewer: Viewer,
    db: DatabaseConnection,
    rx: broadcast::Receiver<BusMessage>,
    /// Only this draft, for `starDraftUpdated`.
    only: Option<i32>,
    /// Last version sent per draft.
    sent: HashMap<i32, i32>,
    /// Changes at or after this time may be unseen after a resync.
    since: DateTime<Utc>,
    /// Events ready to send.
    queue: VecDeque<StarDraftEvent>,
    done: bool,
}

impl Follow {
    /// Whether `change` is news for this subscription.
    fn wants(&mut self, change: &DraftChange) -> bool {
        if change.owner_id != self.viewer.user_id
            || self.only.is_some_and(|id| id != change.draft_id)
        {
            return false;
        }
        let last = self.sent.get(&change.draft_id).copied().unwrap_or(0);
        if change.kind != StarDraftEventKind::Deleted && change.version <= last {
            return false;
        }
        self.sent.insert(change.draft_id, change.version);
        true
    }

    /// Reloads the latest state after lost or skipped events.
    async fn resync(&mut self) -> AppResult<()> {
        let mut query = owned_by(self.viewer.user_id);
        if let Some(id) = self.only {
            query = query.filter(star_draft::Column::Id.eq(id));
        } else {
            query = query.filter(star_draft::Column::UpdatedAt.gte(self.since));
        }
        let rows = query
            .order_by_asc(star_draft::Column::UpdatedAt)
            .all(&self.db)
            .await?;
        if let Some(id) = self.only
            && rows.is_empty()
        {
            self.queue.push_back(StarDraftEvent {
                kind: StarDraftEventKind::Deleted,
                draft_id: id,
                version: self.sent.get(&id).copied().unwrap_or(0),
                row: None,
            });
            self.done = true;
            return Ok(());
        }
        for row in rows {
            let last = self.sent.get(&row.id).copied().unwrap_or(0);
            if row.version > last {
                self.sent.insert(row.id, row.version);
                self.queue.push_back(StarDraftEvent::updated(row));
            }
        }
        Ok(())
    }

    /// The next event, or `None` when the subscription is over.
    async fn next(&mut self) -> Option<StarDraftEvent> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(event);
            }
            if self.done {
                return None;
            }
            match self.rx.recv().await {
                Ok(BusMessage::Draft(change)) => {
                    if self.wants(&change) {
                        self.since = Utc::now();
                        // A deleted draft ends the subscription that follows only it.
                        self.done =
                            self.only.is_some() && change.kind == StarDraftEventKind::Deleted;
                        return Some(StarDraftEvent::of(&change));
                    }
                }
                Ok(BusMessage::SessionEnded(_) | BusMessage::Interview(_)) => {}
                Ok(BusMessage::Resync) | Err(RecvError::Lagged(_)) => {
                    if let Err(e) = self.resync().await {
                        tracing::warn!(error = ?e, "resync of a subscription failed");
                    }
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    fn into_stream(self) -> impl Stream<Item = StarDraftEvent> {
        stream::unfold(self, |mut follow| async move {
            follow.next().await.map(|event| (event, follow))
        })
    }
}

/// Draft subscriptions; both need a signed-in viewer and see only the viewer's drafts.
#[derive(Default)]
pub struct DraftSubscription;

#[Subscription]
impl DraftSubscription {
    /// Changes to one of the viewer's drafts; ends after it is deleted.
    ///
    /// With `knownVersion` (the version the client has loaded), a draft that is
    /// already past it when the subscription starts is sent at once as UPDATED:
    /// a change between the client's read and its subscribe is never missed.
    async fn star_draft_updated(
        &self,
        ctx: &Context<'_>,
        id: ID,
        known_version: Option<i32>,
    ) -> Result<impl Stream<Item = StarDraftEvent> + use<>, AppError> {
        let viewer = *require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::StarDraft, &id, "id")?;
        // Subscribe before reading, so no change falls between the two.
        let rx = events(ctx)?.subscribe();
        let db = database(ctx)?.clone();
        let draft = drafts::find_owned(&db, &viewer, key)
            .await?
            .ok_or_else(|| AppError::NotFound("no such draft".to_owned()))?;
        let mut follow = Follow {
            viewer,
            db,
            rx,
            only: Some(key),
            sent: HashMap::from([(key, draft.version)]),
            since: Utc::now(),
            queue: VecDeque::new(),
            done: false,
        };
        if known_version.is_some_and(|known| draft.version > known) {
            follow.queue.push_back(StarDraftEvent::updated(draft));
        }
        Ok(follow.into_stream())
    }

    /// Every change to any of the viewer's drafts.
    ///
    /// With `since` (e.g. the newest `updatedAt` the client has loaded), the
    /// drafts changed at or after it are sent first as UPDATED, so a change
    /// between the client's read and its subscribe is never missed. Deletions
    /// from before the subscription are not replayed.
    async fn my_star_draft_events(
        &self,
        ctx: &Context<'_>,
        since: Option<DateTime<Utc>>,
    ) -> Result<impl Stream<Item = StarDraftEvent> + use<>, AppError> {
        let viewer = *require_viewer(ctx)?;
        // Subscribed (here) before the catch-up read below.
        let mut follow = Follow {
            viewer,
            db: database(ctx)?.clone(),
            rx: events(ctx)?.subscribe(),
            only: None,
            sent: HashMap::new(),
            since: since.unwrap_or_else(Utc::now),
            queue: VecDeque::new(),
            done: false,
        };
        if since.is_some() {
            follow.resync().await?;
        }
        Ok(follow.into_stream())
    }
}

/// Interview subscriptions; they need a signed-in viewer and see only the viewer's interviews.
#[derive(Default)]
pub struct InterviewSubscription;

#[Subscription]
impl InterviewSubscription {
    /// Every change to any of the viewer's interviews: scheduled (CREATED),
    /// changed, rescheduled, or its plan changed (UPDATED, with the new
    /// version), deleted (DELETED).
    ///
    /// With `since` (e.g. the newest `updatedAt` the client has loaded), the
    /// interviews changed at or after it are sent first as UPDATED, so a
    /// change between the client's read and its subscribe is never missed.
    /// Deletions from before the subscription are not replayed.
    async fn my_interview_events(
        &self,
        ctx: &Context<'_>,
        since: Option<DateTime<Utc>>,
    ) -> Result<impl Stream<Item = InterviewEvent> + use<>, AppError> {
        let viewer = *require_viewer(ctx)?;
        // Subscribed before the catch-up read in `start`.
        let rx = events(ctx)?.subscribe();
        let follow = InterviewFollow::start(viewer, database(ctx)?.clone(), rx, since).await?;
        Ok(follow.into_stream())
    }
}

/// Every feature's subscriptions, merged.
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(DraftSubscription, InterviewSubscription);
