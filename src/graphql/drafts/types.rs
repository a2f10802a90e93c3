//! The GraphQL types of drafts: `StarDraft`, `StarDraftRevision` and the
//! extra fields of `StarDraftConnection`.

use std::sync::Arc;

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use sea_orm::{PaginatorTrait, Select};

use entity::{question, star_draft, star_draft_revision};

use super::loaders::{QuestionOfDraft, RevisionsPage};
use crate::drafts::StarDraftStatus;
use crate::drafts::feedback::{self, StarFeedback};
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::loaders::Siblings;
use crate::graphql::pagination::PageRequest;
use crate::graphql::roles::Question;
use crate::graphql::{api_limits, database};
use crate::stored::StoredEnum;

/// The cursor kind of a draft's revisions.
const REVISION_CURSOR: &str = "Revision";

/// A STAR answer in progress; only its owner ever sees it.
pub struct StarDraft {
    row: star_draft::Model,
    siblings: Arc<Siblings>,
}

impl StarDraft {
    /// A draft fetched together with `siblings`.
    pub fn new(row: star_draft::Model, siblings: Arc<Siblings>) -> Self {
        Self { row, siblings }
    }

    /// A draft fetched on its own.
    pub fn alone(row: star_draft::Model) -> Self {
        let siblings = Siblings::new(vec![row.id]);
        Self::new(row, siblings)
    }

    /// Wraps rows fetched together.
    pub fn list(rows: Vec<star_draft::Model>) -> Vec<Self> {
        let siblings = Siblings::new(rows.iter().map(|r| r.id).collect());
        rows.into_iter()
            .map(|row| Self::new(row, siblings.clone()))
            .collect()
    }
}

#[Object]
impl StarDraft {
    pub async fn id(&self) -> ID {
        ids::encode(IdKind::StarDraft, self.row.id)
    }
    async fn title(&self) -> &str {
        &self.row.title
    }
    async fn situation(&self) -> &str {
        &self.row.situation
    }
    async fn task(&self) -> &str {
        &self.row.task
    }
    async fn action(&self) -> &str {
        &self.row.action
    }
    async fn result(&self) -> &str {
        &self.row.result
    }
    async fn status(&self) -> AppResult<StarDraftStatus> {
        StarDraftStatus::from_stored(&self.row.status)
    }
    /// 1 at creation, one more with every change.
    async fn version(&self) -> i32 {
        self.row.version
    }
    /// The question the draft answers, if any.
    async fn question(&self, ctx: &Context<'_>) -> AppResult<Option<Question>> {
        if self.row.question_id.is_none() {
            return Ok(None);
        }
        let loaded = self
            .siblings
            .load(
                ctx,
                QuestionOfDraft,
                |k| k.0,
                |q: &question::Model| vec![q.id],
            )
            .await?;
        Ok(loaded
            .get(self.row.id)
            .map(|q| Question::new(q, loaded.next.clone())))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.row.updated_at
    }
    /// Advice computed from the text.
    async fn feedback(&self) -> StarFeedback {
        feedback::analyse(feedback::Answer {
            situation: &self.row.situation,
            task: &self.row.task,
            action: &self.row.action,
            result: &self.row.result,
        })
    }
    /// Every version's text, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn revisions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Connection<String, StarDraftRevision, EmptyFields>> {
        let page = PageRequest::new(REVISION_CURSOR, first, after, None, None, api_limits(ctx)?)?;
        let below = page
            .after
            .as_deref()
            .map(|v| {
                v.parse::<i32>()
                    .map_err(|_| AppError::bad_input("after", "malformed cursor"))
            })
            .transpose()?;
        let rows = page.limit + 1;
        let loaded = self
            .siblings
            .load_variant(
                ctx,
                format!("{rows}:{below:?}"),
                move |draft_id| RevisionsPage {
                    draft_id,
                    rows,
                    below,
                },
                |k| k.draft_id,
                |_: &Vec<star_draft_revision::Model>| Vec::new(),
            )
            .await?;
        Ok(page.finish(
            REVISION_CURSOR,
            loaded.get(self.row.id).unwrap_or_default(),
            |r| r.version.to_string(),
            StarDraftRevision,
            EmptyFields,
        ))
    }
}

/// The full text of one version of a draft.
pub struct StarDraftRevision(pub star_draft_revision::Model);

#[Object]
impl StarDraftRevision {
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn situation(&self) -> &str {
        &self.0.situation
    }
    async fn task(&self) -> &str {
        &self.0.task
    }
    async fn action(&self) -> &str {
        &self.0.action
    }
    async fn result(&self) -> &str {
        &self.0.result
    }
    async fn status(&self) -> AppResult<StarDraftStatus> {
        StarDraftStatus::from_stored(&self.0.status)
    }
    /// When this version was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Fields of `StarDraftConnection` beside edges and pageInfo.
pub struct StarDraftConnectionFields {
    /// The viewer's drafts matching the filters.
    pub(super) matching: Select<star_draft::Entity>,
}

#[Object]
impl StarDraftConnectionFields {
    /// Drafts matching the filters, on every page together.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        Ok(self.matching.clone().count(database(ctx)?).await?)
    }
}
