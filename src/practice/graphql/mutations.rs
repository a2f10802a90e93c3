//! `startPractice` and `finishPractice`.

use async_graphql::{Context, ID, InputObject, Object};

use super::types::PracticeAttempt;
use crate::config::PracticeLimits;
use crate::error::AppResult;
use crate::graphql::context::{data, database, events};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::viewer::require_viewer;
use crate::practice::store::{self, Subject};

/// `startPractice` arguments: exactly one of `draftId` and `questionId`.
#[derive(InputObject)]
pub struct StartPracticeInput {
    /// One of the viewer's drafts.
    draft_id: Option<ID>,
    /// A question of a role.
    question_id: Option<ID>,
}

/// `finishPractice` arguments.
#[derive(InputObject)]
pub struct FinishPracticeInput {
    /// The attempt, as `startPractice` returned it.
    id: ID,
    /// What was said, typed or from speech recognition.
    transcript: String,
    /// The duration the client measured; used when it is within the
    /// server's elapsed time plus the tolerance.
    duration_seconds: Option<i32>,
}

/// Practice mutations; all need a signed-in viewer.
#[derive(Default)]
pub struct PracticeMutation;

#[Object]
impl PracticeMutation {
    /// Starts practising a draft or a question: the server records the start.
    async fn start_practice(
        &self,
        ctx: &Context<'_>,
        input: StartPracticeInput,
    ) -> AppResult<PracticeAttempt> {
        let viewer = require_viewer(ctx)?;
        let draft_id = input
            .draft_id
            .map(|id| ids::decode_as(IdKind::StarDraft, &id, "draftId"))
            .transpose()?;
        let question_id = input
            .question_id
            .map(|id| ids::decode_as(IdKind::Question, &id, "questionId"))
            .transpose()?;
        let subject = Subject::of(draft_id, question_id)?;
        let row = store::start(
            database(ctx)?,
            viewer,
            subject,
            data::<PracticeLimits>(ctx)?,
        )
        .await?;
        Ok(PracticeAttempt(row))
    }

    /// Finishes an attempt with its transcript; once only, and within the
    /// set maximum after its start (else BAD_USER_INPUT on `id`).
    async fn finish_practice(
        &self,
        ctx: &Context<'_>,
        input: FinishPracticeInput,
    ) -> AppResult<PracticeAttempt> {
        let viewer = require_viewer(ctx)?;
        let id = ids::decode_as(IdKind::PracticeAttempt, &input.id, "id")?;
        let row = store::finish(
            database(ctx)?,
            events(ctx)?,
            viewer,
            id,
            &input.transcript,
            input.duration_seconds,
            data::<PracticeLimits>(ctx)?,
        )
        .await?;
        Ok(PracticeAttempt(row))
    }
}
