//! The stream behind `myInterviewEvents`: this instance's event broadcast,
//! kept to the viewer's interviews, under the same rules as draft events.
//! Per interview the version only grows; a subscriber that lags behind (or
//! hears that notices were lost) reloads the latest state instead of
//! replaying what it missed.

use std::collections::{HashMap, VecDeque};

use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use futures_util::stream;
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder};
use tokio::sync::broadcast::{self, error::RecvError};

use entity::interview;

use super::types::Interview;
use crate::auth::Viewer;
use crate::error::AppResult;
use crate::events::{BusMessage, InterviewChange, InterviewEventKind};
use crate::graphql::ids::{self, IdKind};
use crate::interviews::owned::owned_by;

/// A change to one of the viewer's interviews or to its plan.
pub struct InterviewEvent {
    kind: InterviewEventKind,
    interview_id: i32,
    version: i32,
    row: Option<interview::Model>,
}

impl InterviewEvent {
    fn of(change: &InterviewChange) -> Self {
        Self {
            kind: change.kind,
            interview_id: change.interview_id,
            version: change.version,
            row: change.row.clone(),
        }
    }

    fn updated(row: interview::Model) -> Self {
        Self {
            kind: InterviewEventKind::Updated,
            interview_id: row.id,
            version: row.version,
            row: Some(row),
        }
    }
}

#[Object]
impl InterviewEvent {
    async fn kind(&self) -> InterviewEventKind {
        self.kind
    }
    async fn interview_id(&self) -> ID {
        ids::encode(IdKind::Interview, self.interview_id)
    }
    /// The interview's version after the change (for DELETED, the last version).
    async fn version(&self) -> i32 {
        self.version
    }
    /// The interview after the change, with its plan; null once deleted.
    async fn interview(&self) -> Option<Interview> {
        self.row.clone().map(Interview::alone)
    }
}

/// What one subscription has sent, per interview.
pub struct InterviewFollow {
    viewer: Viewer,
    db: DatabaseConnection,
    rx: broadcast::Receiver<BusMessage>,
    /// Last version sent per interview.
    sent: HashMap<i32, i32>,
    /// Changes at or after this time may be unseen after a resync.
    since: DateTime<Utc>,
    queue: VecDeque<InterviewEvent>,
}

impl InterviewFollow {
    /// Follows the viewer's interviews from `rx`, which must have been
    /// subscribed before any catch-up read. With `since`, the interviews
    /// changed at or after it are sent first, as UPDATED.
    pub async fn start(
        viewer: Viewer,
        db: DatabaseConnection,
        rx: broadcast::Receiver<BusMessage>,
        since: Option<DateTime<Utc>>,
    ) -> AppResult<Self> {
        let mut follow = Self {
            viewer,
            db,
            rx,
            sent: HashMap::new(),
            since: since.unwrap_or_else(Utc::now),
            queue: VecDeque::new(),
        };
        if since.is_some() {
            follow.resync().await?;
        }
        Ok(follow)
    }

    /// Whether `change` is news for this subscription.
    fn wants(&mut self, change: &InterviewChange) -> bool {
        if change.owner_id != self.viewer.user_id {
            return false;
        }
        let last = self.sent.get(&change.interview_id).copied().unwrap_or(0);
        if change.kind != InterviewEventKind::Deleted && change.version <= last {
            return false;
        }
        self.sent.insert(change.interview_id, change.version);
        true
    }

    /// Reloads the interviews changed since the last event after lost or skipped events.
    async fn resync(&mut self) -> AppResult<()> {
        let rows = owned_by(self.viewer.user_id)
            .filter(interview::Column::UpdatedAt.gte(self.since))
            .order_by_asc(interview::Column::UpdatedAt)
            .all(&self.db)
            .await?;
        for row in rows {
            let last = self.sent.get(&row.id).copied().unwrap_or(0);
            if row.version > last {
                self.sent.insert(row.id, row.version);
                self.queue.push_back(InterviewEvent::updated(row));
            }
        }
        Ok(())
    }

    /// The next event, or `None` when the broadcast is gone.
    async fn next(&mut self) -> Option<InterviewEvent> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(event);
            }
            match self.rx.recv().await {
                Ok(BusMessage::Interview(change)) => {
                    if self.wants(&change) {
                        self.since = Utc::now();
                        return Some(InterviewEvent::of(&change));
                    }
                }
                Ok(BusMessage::Draft(_) | BusMessage::SessionEnded(_)) => {}
                Ok(BusMessage::Resync) | Err(RecvError::Lagged(_)) => {
                    if let Err(e) = self.resync().await {
                        tracing::warn!(error = ?e, "resync of an interview subscription failed");
                    }
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// The events as a stream.
    pub fn into_stream(self) -> impl Stream<Item = InterviewEvent> {
        stream::unfold(self, |mut follow| async move {
            follow.next().await.map(|event| (event, follow))
        })
    }
}
