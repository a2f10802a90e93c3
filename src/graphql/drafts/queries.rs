//! The owner's draft queries: `starDraft` and `myStarDrafts`.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect};

use entity::{star_draft, star_draft_question};

use super::cursor::{draft_cursor, parse_draft_cursor};
use super::types::{StarDraft, StarDraftConnectionFields};
use crate::drafts::{self, StarDraftStatus, owned};
use crate::error::AppResult;
use crate::graphql::ids::{self, IdKind};
use crate::graphql::loaders::Siblings;
use crate::graphql::pagination::PageRequest;
use crate::graphql::viewer::require_viewer;
use crate::graphql::{api_limits, database};
use crate::stored::StoredEnum;

/// Draft queries; all need a signed-in viewer.
#[derive(Default)]
pub struct DraftQuery;

#[Object]
impl DraftQuery {
    /// The viewer's draft with this ID; null for anyone else's.
    async fn star_draft(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<StarDraft>> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::StarDraft, &id, "id")?;
        Ok(drafts::find_owned(database(ctx)?, viewer, key)
            .await?
            .map(StarDraft::alone))
    }

    /// The viewer's drafts, newest change first; `questionId` keeps those
    /// linked to that question (as any of their questions).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn my_star_drafts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        question_id: Option<ID>,
        status: Option<StarDraftStatus>,
    ) -> AppResult<Connection<String, StarDraft, StarDraftConnectionFields>> {
        let viewer = require_viewer(ctx)?;
        let page = PageRequest::new(
            IdKind::StarDraft.name(),
            first,
            after,
            None,
            None,
            api_limits(ctx)?,
        )?;
        let mut matching = owned::owned_by(viewer.user_id);
        if let Some(question_id) = &question_id {
            let key = ids::decode_as(IdKind::Question, question_id, "questionId")?;
            matching = matching.filter(
                star_draft::Column::Id.in_subquery(
                    Query::select()
                        .column(star_draft_question::Column::DraftId)
                        .from(star_draft_question::Entity)
                        .and_where(star_draft_question::Column::QuestionId.eq(key))
                        .to_owned(),
                ),
            );
        }
        if let Some(status) = status {
            matching = matching.filter(star_draft::Column::Status.eq(status.stored()));
        }
        let mut query = matching.clone();
        if let Some(after) = &page.after {
            let (at, id) = parse_draft_cursor(after, "after")?;
            query = query.filter(
                Condition::any()
                    .add(star_draft::Column::UpdatedAt.lt(at))
                    .add(
                        Condition::all()
                            .add(star_draft::Column::UpdatedAt.eq(at))
                            .add(star_draft::Column::Id.lt(id)),
                    ),
            );
        }
        let rows = query
            .order_by_desc(star_draft::Column::UpdatedAt)
            .order_by_desc(star_draft::Column::Id)
            .limit(page.limit + 1)
            .all(database(ctx)?)
            .await?;
        let siblings = Siblings::new(rows.iter().map(|r| r.id).collect());
        Ok(page.finish(
            IdKind::StarDraft.name(),
            rows,
            draft_cursor,
            |row| StarDraft::new(row, siblings.clone()),
            StarDraftConnectionFields { matching },
        ))
    }
}
