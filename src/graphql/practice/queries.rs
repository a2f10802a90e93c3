//! `myPracticeAttempts`: the viewer's attempts, newest first.

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, ID, Object};
use chrono::DateTime;
use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect};

use entity::practice_attempt;

use super::types::PracticeAttempt;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::pagination::PageRequest;
use crate::graphql::viewer::require_viewer;
use crate::graphql::{api_limits, database};
use crate::practice;

/// Practice queries; all need a signed-in viewer.
#[derive(Default)]
pub struct PracticeQuery;

fn cursor(row: &practice_attempt::Model) -> String {
    format!("{}:{}", row.started_at.timestamp_micros(), row.id)
}

fn parse_cursor(payload: &str) -> AppResult<(DateTime<chrono::Utc>, i32)> {
    payload
        .split_once(':')
        .and_then(|(micros, id)| {
            let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
            Some((at, id.parse().ok()?))
        })
        .ok_or_else(|| AppError::bad_input("after", "malformed cursor"))
}

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
        let page = PageRequest::new(kind, first, after, None, None, api_limits(ctx)?)?;
        let mut query = practice::owned_by(viewer.user_id);
        if let Some(id) = draft_id {
            let key = ids::decode_as(IdKind::StarDraft, &id, "draftId")?;
            query = query.filter(practice_attempt::Column::DraftId.eq(key));
        }
        if let Some(id) = question_id {
            let key = ids::decode_as(IdKind::Question, &id, "questionId")?;
            query = query.filter(practice_attempt::Column::QuestionId.eq(key));
        }
        if let Some(after) = &page.after {
            let (at, id) = parse_cursor(after)?;
            query = query.filter(
                Condition::any()
                    .add(practice_attempt::Column::StartedAt.lt(at))
                    .add(
                        Condition::all()
                            .add(practice_attempt::Column::StartedAt.eq(at))
                            .add(practice_attempt::Column::Id.lt(id)),
                    ),
            );
        }
        let rows = query
            .order_by_desc(practice_attempt::Column::StartedAt)
            .order_by_desc(practice_attempt::Column::Id)
            .limit(page.limit + 1)
            .all(database(ctx)?)
            .await?;
        Ok(page.finish(kind, rows, cursor, PracticeAttempt, EmptyFields))
    }
}
