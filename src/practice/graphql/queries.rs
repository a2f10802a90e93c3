//! `myPracticeAttempts`: the viewer's attempts, newest first.

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, ID, Object};
use sea_orm::{ColumnTrait, QueryFilter};

use entity::practice_attempt;

use super::types::PracticeAttempt;
use crate::error::AppResult;
use crate::graphql::context::{api_limits, database};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::pagination::PageRequest;
use crate::graphql::viewer::require_viewer;
use crate::records::owned_by;
use crate::records::page::Keyset;

/// Practice queries; all need a signed-in viewer.
#[derive(Default)]
pub struct PracticeQuery;

#[Object]
impl PracticeQuery {
    /// The viewer's practice attempts, newest start first; `draftId` or
    /// `questionId` keeps those of one draft or question.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn my_practice_attempts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        draft_id: Option<ID>,
        question_id: Option<ID>,
    ) -> AppResult<Connection<String, PracticeAttempt>> {
        let viewer = require_viewer(ctx)?;
        let kind = IdKind::PracticeAttempt.name();
        let page = PageRequest::forward(kind, first, after, api_limits(ctx)?)?;
        let mut query = owned_by::<practice_attempt::Entity>(viewer.user_id);
        if let Some(id) = draft_id {
            let key = ids::decode_as(IdKind::StarDraft, &id, "draftId")?;
            query = query.filter(practice_attempt::Column::DraftId.eq(key));
        }
        if let Some(id) = question_id {
            let key = ids::decode_as(IdKind::Question, &id, "questionId")?;
            query = query.filter(practice_attempt::Column::QuestionId.eq(key));
        }
        let order = Keyset::descending(
            practice_attempt::Column::StartedAt,
            |r: &practice_attempt::Model| r.started_at,
        );
        let rows = order
            .fetch(database(ctx)?, query, page.after.as_deref(), page.limit)
            .await?;
        Ok(page.finish(
            kind,
            rows,
            |row| order.cursor_of(row),
            PracticeAttempt,
            EmptyFields,
        ))
    }
}
