//! Drafts live: `starDraftUpdated` and `myStarDraftEvents`.
//!
//! Each is one [`Follower`] of the records kit, which keeps to the viewer's
//! records, never goes back in version, and reloads after lost events.

use async_graphql::{Context, Enum, ID, Object, Subscription};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};

use entity::star_draft;

use super::graphql::types::StarDraft;
use crate::error::AppError;
use crate::graphql::context::{database, events};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::viewer::require_viewer;
use crate::records::live::Follower;
use crate::records::{Change, ChangeKind};

/// What happened to a draft.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "ChangeKind")]
pub enum StarDraftEventKind {
    Created,
    Updated,
    Deleted,
}

/// A change to one of the viewer's drafts.
pub struct StarDraftEvent(Change<star_draft::Model>);

#[Object]
impl StarDraftEvent {
    async fn kind(&self) -> StarDraftEventKind {
        self.0.kind.into()
    }
    async fn draft_id(&self) -> ID {
        ids::encode(IdKind::StarDraft, self.0.id)
    }
    /// The draft's version after the change (for DELETED, the last version).
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The draft after the change; null once deleted.
    async fn draft(&self) -> Option<StarDraft> {
        self.0.row.clone().map(StarDraft::alone)
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
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::StarDraft, &id, "id")?;
        let db = database(ctx)?.clone();
        let follower =
            Follower::<star_draft::Entity>::one(events(ctx)?, db, viewer, key, known_version)
                .await?;
        Ok(follower.into_stream().map(StarDraftEvent))
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
        let viewer = require_viewer(ctx)?;
        let db = database(ctx)?.clone();
        let follower = Follower::<star_draft::Entity>::all(events(ctx)?, db, viewer, since).await?;
        Ok(follower.into_stream().map(StarDraftEvent))
    }
}
