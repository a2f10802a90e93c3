//! The GraphQL type of a practice attempt; its feedback type is
//! [`crate::practice::PracticeFeedback`].

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use entity::{practice_attempt, question};

use super::loaders::OwnedDraft;
use crate::content::graphql::roles::Question;
use crate::drafts::graphql::types::StarDraft;
use crate::error::AppResult;
use crate::graphql::ids::{self, IdKind};
use crate::graphql::loaders::{by_id, loader};
use crate::practice::feedback::PracticeFeedback;
use crate::practice::store;

/// One attempt at saying an answer aloud; only its owner ever sees it.
pub struct PracticeAttempt(pub practice_attempt::Model);

#[Object]
impl PracticeAttempt {
    pub async fn id(&self) -> ID {
        ids::encode(IdKind::PracticeAttempt, self.0.id)
    }
    /// The draft practised; null when a question was practised.
    async fn draft(&self, ctx: &Context<'_>) -> AppResult<Option<StarDraft>> {
        let Some(draft_id) = self.0.draft_id else {
            return Ok(None);
        };
        let key = OwnedDraft {
            user_id: self.0.user_id,
            draft_id,
        };
        Ok(loader(ctx)?.load_one(key).await?.map(StarDraft::alone))
    }
    /// The question practised; null when a draft was practised.
    async fn question(&self, ctx: &Context<'_>) -> AppResult<Option<Question>> {
        let Some(question_id) = self.0.question_id else {
            return Ok(None);
        };
        Ok(by_id::<question::Entity>(ctx, question_id)
            .await?
            .map(Question::alone))
    }
    /// When the server recorded the start.
    async fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }
    /// When it was finished; null until then.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// The duration the feedback used: the client's measurement when it is
    /// within the server's elapsed time plus the tolerance, else the server's.
    async fn duration_seconds(&self) -> Option<i32> {
        self.0.duration_seconds
    }
    /// What was said; null until finished.
    async fn transcript(&self) -> Option<&str> {
        self.0.transcript.as_deref()
    }
    /// Feedback computed when the attempt was finished; null until then.
    async fn feedback(&self) -> AppResult<Option<PracticeFeedback>> {
        store::feedback_of(&self.0)
    }
}
