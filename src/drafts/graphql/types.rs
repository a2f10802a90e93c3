//! The GraphQL types of drafts: `StarDraft`, `StarDraftRevision` and the
//! extra fields of `StarDraftConnection`.

use std::sync::Arc;

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use sea_orm::{PaginatorTrait, Select};

use entity::{competency, question, star_draft, star_draft_revision};

use super::draft_limits;
use super::loaders::{CompetenciesOfDraft, QuestionsOfDraft, RevisionsPage};
use crate::content::graphql::competency::Competency;
use crate::content::graphql::roles::Question;
use crate::drafts::feedback::{self, StarFeedback};
use crate::error::{AppError, AppResult};
use crate::graphql::context::{api_limits, database};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::loaders::{Loaded, Siblings};
use crate::graphql::pagination::LIST_COST;
use crate::graphql::pagination::PageRequest;
use crate::stored::StarDraftStatus;
use crate::stored::StoredEnum;

/// The cursor kind of a draft's revisions.
const REVISION_CURSOR: &str = "Revision";

/// A STAR answer in progress; its owner sees it, and whoever holds a live
/// grant that covers it reads it.
#[derive(Clone)]
pub struct StarDraft {
    row: star_draft::Model,
    siblings: Arc<Siblings>,
}

impl StarDraft {
    /// A draft fetched together with `siblings`.
    pub fn new(row: star_draft::Model, siblings: Arc<Siblings>) -> Self {
        Self { row, siblings }
    }

    /// The draft's row.
    pub fn row(&self) -> &star_draft::Model {
        &self.row
    }

    /// A draft fetched on its own.
    pub fn alone(row: star_draft::Model) -> Self {
        let siblings = Siblings::new(vec![row.id]);
        Self::new(row, siblings)
    }

    /// The questions this draft answers, loaded for all its siblings at once.
    async fn linked_questions(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Arc<Loaded<Vec<question::Model>>>> {
        self.siblings
            .load(
                ctx,
                QuestionsOfDraft,
                |k| k.0,
                |qs: &Vec<question::Model>| qs.iter().map(|q| q.id).collect(),
            )
            .await
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
    /// The first of the questions the draft answers, if any.
    async fn question(&self, ctx: &Context<'_>) -> AppResult<Option<Question>> {
        let loaded = self.linked_questions(ctx).await?;
        Ok(loaded
            .get(self.row.id)
            .and_then(|qs| qs.into_iter().next())
            .map(|q| Question::new(q, loaded.next.clone())))
    }
    /// The questions the draft answers, in the order its owner gave them.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn questions(&self, ctx: &Context<'_>) -> AppResult<Vec<Question>> {
        let loaded = self.linked_questions(ctx).await?;
        Ok(loaded
            .get(self.row.id)
            .unwrap_or_default()
            .into_iter()
            .map(|q| Question::new(q, loaded.next.clone()))
            .collect())
    }
    /// The competencies the story shows, in the order its owner gave them.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn competencies(&self, ctx: &Context<'_>) -> AppResult<Vec<Competency>> {
        let loaded = self
            .siblings
            .load(
                ctx,
                CompetenciesOfDraft,
                |k| k.0,
                |_: &Vec<competency::Model>| Vec::new(),
            )
            .await?;
        Ok(loaded
            .get(self.row.id)
            .unwrap_or_default()
            .into_iter()
            .map(Competency)
            .collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.row.updated_at
    }
    /// Advice computed from the text, and on how widely the story is used.
    async fn feedback(&self, ctx: &Context<'_>) -> AppResult<StarFeedback> {
        let mut advice = feedback::analyse(feedback::Answer {
            situation: &self.row.situation,
            task: &self.row.task,
            action: &self.row.action,
            result: &self.row.result,
        });
        let question_roles: Vec<i32> = self
            .linked_questions(ctx)
            .await?
            .get(self.row.id)
            .unwrap_or_default()
            .iter()
            .map(|q| q.role_id)
            .collect();
        advice.suggestions.extend(feedback::reuse_suggestion(
            &question_roles,
            draft_limits(ctx)?.story_reuse_max_questions,
        ));
        Ok(advice)
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
    /// `comments` and `unreadCommentCount`, defined by sharing and shown
    /// here, in this place, so drafts import no feature above them.
    #[graphql(flatten)]
    async fn comments_place(&self) -> StarDraftCommentsPlace {
        StarDraftCommentsPlace {
            row: self.row.clone(),
            siblings: Arc::clone(&self.siblings),
        }
    }
}

/// A draft as its comments see it; sharing (a feature above drafts)
/// implements its `#[Object]`: `comments` and `unreadCommentCount`.
pub struct StarDraftCommentsPlace {
    pub row: star_draft::Model,
    pub siblings: Arc<Siblings>,
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
    /// The drafts matching the filters.
    pub(super) matching: Select<star_draft::Entity>,
}

impl StarDraftConnectionFields {
    /// The fields of a connection over the drafts `matching` selects.
    pub fn new(matching: Select<star_draft::Entity>) -> Self {
        Self { matching }
    }
}

#[Object]
impl StarDraftConnectionFields {
    /// Drafts matching the filters, on every page together.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        Ok(self.matching.clone().count(database(ctx)?).await?)
    }
}
