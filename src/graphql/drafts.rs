//! STAR drafts over GraphQL: the owner's queries and mutations, and their loaders.
//!
//! Privacy rule: every path to a draft filters by the viewer, so another
//! user's draft looks exactly like one that does not exist.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};

use entity::{question, star_draft, star_draft_revision};

use super::loaders::{Db, Siblings};
use super::pagination::PageRequest;
use super::roles::Question;
use super::viewer::require_viewer;
use super::{api_limits, database, events, ids};
use crate::drafts::feedback::{self, StarFeedback};
use crate::drafts::{self, DraftPatch, DraftText, StarDraftStatus};
use crate::error::{AppError, AppResult};

/// Key: the question of draft `.0`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct QuestionOfDraft(pub i32);

/// Key: the drafts of `user_id` for `question_id`, newest change first.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DraftsOfQuestion {
    pub user_id: i32,
    pub question_id: i32,
}

/// Key: one page of draft `draft_id`'s revisions, newest first.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RevisionsPage {
    pub draft_id: i32,
    /// Rows to fetch (the page size plus one, to see whether there are more).
    pub rows: u64,
    /// Only versions below this one.
    pub below: Option<i32>,
}

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<DbErr>>;

impl Loader<QuestionOfDraft> for Db {
    type Value = question::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[QuestionOfDraft]) -> LoadResult<QuestionOfDraft, Self::Value> {
        let rows = star_draft::Entity::find()
            .find_also_related(question::Entity)
            .filter(star_draft::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(&self.0)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(draft, q)| q.map(|q| (QuestionOfDraft(draft.id), q)))
            .collect())
    }
}

impl Loader<DraftsOfQuestion> for Db {
    type Value = Vec<star_draft::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[DraftsOfQuestion]) -> LoadResult<DraftsOfQuestion, Self::Value> {
        let mut cond = Condition::any();
        let mut by_user: HashMap<i32, Vec<i32>> = HashMap::new();
        for k in keys {
            by_user.entry(k.user_id).or_default().push(k.question_id);
        }
        for (user_id, questions) in by_user {
            cond = cond.add(
                Condition::all()
                    .add(star_draft::Column::UserId.eq(user_id))
                    .add(star_draft::Column::QuestionId.is_in(questions)),
            );
        }
        let rows = star_draft::Entity::find()
            .filter(cond)
            .order_by_desc(star_draft::Column::UpdatedAt)
            .order_by_desc(star_draft::Column::Id)
            .all(&self.0)
            .await?;
        let mut out: HashMap<DraftsOfQuestion, Vec<star_draft::Model>> = HashMap::new();
        for row in rows {
            if let Some(question_id) = row.question_id {
                let key = DraftsOfQuestion {
                    user_id: row.user_id,
                    question_id,
                };
                out.entry(key).or_default().push(row);
            }
        }
        Ok(out)
    }
}

impl Loader<RevisionsPage> for Db {
    type Value = Vec<star_draft_revision::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[RevisionsPage]) -> LoadResult<RevisionsPage, Self::Value> {
        let mut groups: HashMap<(u64, Option<i32>), Vec<i32>> = HashMap::new();
        for k in keys {
            groups
                .entry((k.rows, k.below))
                .or_default()
                .push(k.draft_id);
        }
        let mut out = HashMap::new();
        for ((rows, below), draft_ids) in groups {
            for revision in revision_pages(&self.0, &draft_ids, rows, below).await? {
                let key = RevisionsPage {
                    draft_id: revision.draft_id,
                    rows,
                    below,
                };
                out.entry(key).or_insert_with(Vec::new).push(revision);
            }
        }
        Ok(out)
    }
}

/// The newest `rows` revisions (below version `below`) of each draft, in one
/// statement: a window function numbers each draft's revisions.
async fn revision_pages(
    db: &impl ConnectionTrait,
    draft_ids: &[i32],
    rows: u64,
    below: Option<i32>,
) -> Result<Vec<star_draft_revision::Model>, DbErr> {
    let backend = db.get_database_backend();
    let mut values: Vec<sea_orm::Value> = Vec::new();
    let mut param = |value: sea_orm::Value| {
        values.push(value);
        match backend {
            sea_orm::DbBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_owned(),
        }
    };
    let in_list: Vec<String> = draft_ids.iter().map(|id| param((*id).into())).collect();
    let below_clause = below
        .map(|v| format!(" AND version < {}", param(v.into())))
        .unwrap_or_default();
    let limit = param((rows as i64).into());
    let sql = format!(
        "SELECT id, draft_id, version, title, situation, task, action, result, status, created_at \
         FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY draft_id ORDER BY version DESC) AS rn \
               FROM star_draft_revisions r WHERE draft_id IN ({}){below_clause}) ranked \
         WHERE rn <= {limit} ORDER BY draft_id, version DESC",
        in_list.join(", ")
    );
    star_draft_revision::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
        .all(db)
        .await
}

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
        ids::encode("StarDraft", self.row.id)
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
        let page = PageRequest::new("Revision", first, after, None, None, api_limits(ctx)?)?;
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
            "Revision",
            loaded.get(self.row.id).unwrap_or_default(),
            |r| r.version.to_string(),
            StarDraftRevision,
            EmptyFields,
        ))
    }
}

/// The full text of one version of a draft.
pub struct StarDraftRevision(star_draft_revision::Model);

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
    filter: Condition,
}

#[Object]
impl StarDraftConnectionFields {
    /// Drafts matching the filters, on every page together.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        Ok(star_draft::Entity::find()
            .filter(self.filter.clone())
            .count(database(ctx)?)
            .await?)
    }
}

/// Cursor payload of a draft in `myStarDrafts`: its place in "newest change first".
fn draft_cursor(row: &star_draft::Model) -> String {
    format!("{}:{}", row.updated_at.timestamp_micros(), row.id)
}

fn parse_draft_cursor(payload: &str, field: &str) -> AppResult<(DateTime<Utc>, i32)> {
    payload
        .split_once(':')
        .and_then(|(micros, id)| {
            let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
            Some((at, id.parse().ok()?))
        })
        .ok_or_else(|| AppError::bad_input(field, "malformed cursor"))
}

/// Draft queries; all need a signed-in viewer.
#[derive(Default)]
pub struct DraftQuery;

#[Object]
impl DraftQuery {
    /// The viewer's draft with this ID; null for anyone else's.
    async fn star_draft(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<StarDraft>> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as("StarDraft", &id, "id")?;
        Ok(drafts::find_owned(database(ctx)?, viewer, key)
            .await?
            .map(StarDraft::alone))
    }

    /// The viewer's drafts, newest change first.
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
        let page = PageRequest::new("StarDraft", first, after, None, None, api_limits(ctx)?)?;
        let mut filter = Condition::all().add(star_draft::Column::UserId.eq(viewer.user_id));
        if let Some(question_id) = &question_id {
            let key = ids::decode_as("Question", question_id, "questionId")?;
            filter = filter.add(star_draft::Column::QuestionId.eq(key));
        }
        if let Some(status) = status {
            filter = filter.add(star_draft::Column::Status.eq(status.stored()));
        }
        let mut query = star_draft::Entity::find().filter(filter.clone());
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
            "StarDraft",
            rows,
            draft_cursor,
            |row| StarDraft::new(row, siblings.clone()),
            StarDraftConnectionFields { filter },
        ))
    }
}

/// `createStarDraft` arguments; every field may be left out.
#[derive(InputObject)]
pub struct CreateStarDraftInput {
    /// The question the draft answers.
    question_id: Option<ID>,
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
        let question_id = input
            .question_id
            .as_ref()
            .map(|id| ids::decode_as("Question", id, "questionId"))
            .transpose()?;
        let text = DraftText {
            title: input.title.unwrap_or_default(),
            situation: input.situation.unwrap_or_default(),
            task: input.task.unwrap_or_default(),
            action: input.action.unwrap_or_default(),
            result: input.result.unwrap_or_default(),
        };
        let draft = drafts::create(
            database(ctx)?,
            viewer,
            question_id,
            text,
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
        let id = ids::decode_as("StarDraft", &input.id, "id")?;
        let patch = DraftPatch {
            title: input.title,
            situation: input.situation,
            task: input.task,
            action: input.action,
            result: input.result,
            status: input.status,
        };
        let draft = drafts::update(
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
        let key = ids::decode_as("StarDraft", &id, "id")?;
        drafts::delete(database(ctx)?, viewer, key, events(ctx)?).await?;
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
        let key = ids::decode_as("StarDraft", &id, "id")?;
        let draft = drafts::restore(
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

fn draft_limits<'a>(ctx: &Context<'a>) -> AppResult<&'a crate::config::DraftLimits> {
    ctx.data::<crate::config::DraftLimits>()
        .map_err(|e| AppError::internal(anyhow::anyhow!("no draft limits: {}", e.message)))
}
