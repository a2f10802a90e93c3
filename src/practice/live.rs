//! Practice live: `myPracticeEvents`, one follower of the records kit. A
//! client showing what counts practice (an interview's readiness) reloads it
//! when an attempt is finished, in any tab or device.

use async_graphql::{Context, Enum, ID, Object, Subscription};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};

use entity::practice_attempt;

use super::graphql::PracticeAttempt;
use crate::error::AppError;
use crate::graphql::context::{database, events};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::viewer::require_viewer;
use crate::records::live::Follower;
use crate::records::{Change, ChangeKind};

/// What happened to a practice attempt: finished (UPDATED), or deleted with
/// the account's data (DELETED). A start is not news: nothing counts it.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "ChangeKind")]
pub enum PracticeEventKind {
    Created,
    Updated,
    Deleted,
}

/// A change to one of the viewer's practice attempts.
pub struct PracticeEvent(pub Change<practice_attempt::Model>);

#[Object]
impl PracticeEvent {
    async fn kind(&self) -> PracticeEventKind {
        self.0.kind.into()
    }
    async fn attempt_id(&self) -> ID {
        ids::encode(IdKind::PracticeAttempt, self.0.id)
    }
    /// The attempt after the change; null once deleted.
    async fn attempt(&self) -> Option<PracticeAttempt> {
        self.0.row.clone().map(PracticeAttempt)
    }
}

/// Practice subscriptions; they need a signed-in viewer and see only the viewer's attempts.
#[derive(Default)]
pub struct PracticeSubscription;

#[Subscription]
impl PracticeSubscription {
    /// Every practice attempt of the viewer as it is finished (UPDATED).
    ///
    /// With `since` (e.g. when the client loaded what it shows), the attempts
    /// finished at or after it are sent first, so one finished between the
    /// client's read and its subscribe is never missed.
    async fn my_practice_events(
        &self,
        ctx: &Context<'_>,
        since: Option<DateTime<Utc>>,
    ) -> Result<impl Stream<Item = PracticeEvent> + use<>, AppError> {
        let viewer = require_viewer(ctx)?;
        let db = database(ctx)?.clone();
        let follower =
            Follower::<practice_attempt::Entity>::all(events(ctx)?, db, viewer, since).await?;
        Ok(follower.into_stream().map(PracticeEvent))
    }
}
