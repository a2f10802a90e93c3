//! Interviews live: `myInterviewEvents`, one follower of the records kit.

use async_graphql::{Context, Enum, ID, Object, Subscription};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};

use entity::interview;

use super::graphql::types::Interview;
use crate::error::AppError;
use crate::graphql::context::{database, events};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::viewer::require_viewer;
use crate::records::live::Follower;
use crate::records::{Change, ChangeKind};

/// What happened to an interview (or its plan, which changes its version too).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "ChangeKind")]
pub enum InterviewEventKind {
    Created,
    Updated,
    Deleted,
}

/// A change to one of the viewer's interviews or to its plan.
pub struct InterviewEvent(pub Change<interview::Model>);

#[Object]
impl InterviewEvent {
    async fn kind(&self) -> InterviewEventKind {
        self.0.kind.into()
    }
    async fn interview_id(&self) -> ID {
        ids::encode(IdKind::Interview, self.0.id)
    }
    /// The interview's version after the change (for DELETED, the last version).
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The interview after the change, with its plan; null once deleted.
    async fn interview(&self) -> Option<Interview> {
        self.0.row.clone().map(Interview::alone)
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
        let viewer = require_viewer(ctx)?;
        let db = database(ctx)?.clone();
        let follower = Follower::<interview::Entity>::all(events(ctx)?, db, viewer, since).await?;
        Ok(follower.into_stream().map(InterviewEvent))
    }
}
