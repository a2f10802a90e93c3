//! The owner's draft mutations: create, update, delete, restore.

use async_graphql::{Context, ID, InputObject, Object};

use super::draft_limits;
use super::types::StarDraft;
use crate::drafts::store::{self, DraftPatch, DraftText, NewDraft};
use crate::error::{AppError, AppResult};
use crate::graphql::context::{database, events};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::viewer::require_viewer;
use crate::stored::StarDraftStatus;

/// `createStarDraft` arguments; every field may be left out.
#[derive(InputObject)]
pub struct CreateStarDraftInput {
    /// The question the draft answers (the one-question form of `questionIds`).
    question_id: Option<ID>,
    /// The questions the draft answers, of any roles; the first becomes its
    /// `question`. Not together with `questionId`.
    question_ids: Option<Vec<ID>>,
    /// Slugs of the competencies the story shows.
    competencies: Option<Vec<String>>,
    title: Option<String>,
    situation: Option<String>,
    task: Option<String>,
    action: Option<String>,
    result: Option<String>,
}

/// `updateStarDraft` arguments: the fields given change, the others stay.
#[derive(InputObject)]
pub struct UpdateStarDraftInput {
    id: ID,
    /// The version the change was made on; a stale one gives VERSION_CONFLICT.
    expected_version: i32,
    title: Option<String>,
    situation: Option<String>,
    task: Option<String>,
    action: Option<String>,
    result: Option<String>,
    status: Option<StarDraftStatus>,
    /// Replaces the competencies (slugs) the story shows; `[]` clears them.
    competencies: Option<Vec<String>>,
    /// Replaces the questions the draft answers; `[]` clears them.
    question_ids: Option<Vec<ID>>,
}

/// Draft mutations; all need a signed-in viewer.
#[derive(Default)]
pub struct DraftMutation;

#[Object]
impl DraftMutation {
    /// Starts a draft at version 1, optionally for a question.
    async fn create_star_draft(
        &self,
        ctx: &Context<'_>,
        input: CreateStarDraftInput,
    ) -> AppResult<StarDraft> {
        let viewer = require_viewer(ctx)?;
        let (question_ids, question_field) = match (&input.question_id, &input.question_ids) {
            (Some(_), Some(_)) => {
                return Err(AppError::bad_input(
                    "questionIds",
                    "give either questionId or questionIds, not both",
                ));
            }
            (Some(id), None) => (
                vec![ids::decode_as(IdKind::Question, id, "questionId")?],
                "questionId",
            ),
            (None, Some(list)) => (decode_questions(list)?, "questionIds"),
            (None, None) => (Vec::new(), "questionIds"),
        };
        let text = DraftText {
            title: input.title.unwrap_or_default(),
            situation: input.situation.unwrap_or_default(),
            task: input.task.unwrap_or_default(),
            action: input.action.unwrap_or_default(),
            result: input.result.unwrap_or_default(),
        };
        let draft = store::create(
            database(ctx)?,
            viewer,
            NewDraft {
                text,
                competencies: input.competencies.unwrap_or_default(),
                question_ids,
            },
            question_field,
            draft_limits(ctx)?,
            events(ctx)?,
        )
        .await?;
        Ok(StarDraft::alone(draft))
    }

    /// Changes the fields given, made on `expectedVersion`.
    async fn update_star_draft(
        &self,
        ctx: &Context<'_>,
        input: UpdateStarDraftInput,
    ) -> AppResult<StarDraft> {
        let viewer = require_viewer(ctx)?;
        let id = ids::decode_as(IdKind::StarDraft, &input.id, "id")?;
        let patch = DraftPatch {
            title: input.title,
            situation: input.situation,
            task: input.task,
            action: input.action,
            result: input.result,
            status: input.status,
            competencies: input.competencies,
            question_ids: input
                .question_ids
                .as_deref()
                .map(decode_questions)
                .transpose()?,
        };
        let draft = store::update(
            database(ctx)?,
            viewer,
            id,
            input.expected_version,
            patch,
            draft_limits(ctx)?,
            events(ctx)?,
        )
        .await?;
        Ok(StarDraft::alone(draft))
    }

    /// Deletes a draft and its history; returns its ID.
    async fn delete_star_draft(&self, ctx: &Context<'_>, id: ID) -> AppResult<ID> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::StarDraft, &id, "id")?;
        store::delete(database(ctx)?, viewer, key, events(ctx)?).await?;
        Ok(id)
    }

    /// Makes a new version with the text of revision `version`. With
    /// `expectedVersion`, a restore made on a stale version gives VERSION_CONFLICT.
    async fn restore_star_draft_revision(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        expected_version: Option<i32>,
    ) -> AppResult<StarDraft> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::StarDraft, &id, "id")?;
        let draft = store::restore(
            database(ctx)?,
            viewer,
            key,
            version,
            expected_version,
            events(ctx)?,
        )
        .await?;
        Ok(StarDraft::alone(draft))
    }
}

/// Decodes `questionIds`; a malformed or mistyped ID is BAD_USER_INPUT on it.
fn decode_questions(list: &[ID]) -> AppResult<Vec<i32>> {
    list.iter()
        .map(|id| ids::decode_as(IdKind::Question, id, "questionIds"))
        .collect()
}
