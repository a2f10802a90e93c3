//! The owner's draft queries: `starDraft` and `myStarDrafts`.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, QueryFilter};

use entity::{star_draft, star_draft_question};

use super::types::{StarDraft, StarDraftConnectionFields};
use crate::error::AppResult;
use crate::graphql::context::{api_limits, database};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::loaders::Siblings;
use crate::graphql::pagination::PageRequest;
use crate::graphql::viewer::require_viewer;
use crate::records::page::Keyset;
use crate::records::{find_readable, owned_by};
use crate::stored::StarDraftStatus;
use crate::stored::StoredEnum;

/// Draft queries; all need a signed-in viewer.
#[derive(Default)]
pub struct DraftQuery;

#[Object]
impl DraftQuery {
    /// The draft with this ID when the viewer owns it or holds a live grant
    /// that covers it (a grantee reads, never edits); null otherwise, as
    /// for a draft that never existed.
    async fn star_draft(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<StarDraft>> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::StarDraft, &id, "id")?;
        Ok(
            find_readable::<star_draft::Entity>(database(ctx)?, viewer, key)
                .await?
                .map(StarDraft::alone),
        )
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
        let page = PageRequest::forward(IdKind::StarDraft.name(), first, after, api_limits(ctx)?)?;
        let mut matching = owned_by::<star_draft::Entity>(viewer.user_id);
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
        let order = Keyset::descending(star_draft::Column::UpdatedAt, |r: &star_draft::Model| {
            r.updated_at
        });
        let rows = order
            .fetch(
                database(ctx)?,
                matching.clone(),
                page.after.as_deref(),
                page.limit,
            )
            .await?;
        let siblings = Siblings::new(rows.iter().map(|r| r.id).collect());
        Ok(page.finish(
            IdKind::StarDraft.name(),
            rows,
            |row| order.cursor_of(row),
            |row| StarDraft::new(row, siblings.clone()),
            StarDraftConnectionFields { matching },
        ))
    }
}
