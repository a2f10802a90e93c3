//! Batch loaders of draft data: a draft's question, the viewer's drafts of a
//! question, and pages of a draft's revisions.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Statement,
};

use entity::{question, star_draft, star_draft_revision};

use crate::drafts::owned;
use crate::graphql::loaders::Db;

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
        // The keys are drafts already read through the owner's scope; only
        // their questions (public) leave this loader.
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
        let mut by_user: HashMap<i32, Vec<i32>> = HashMap::new();
        for k in keys {
            by_user.entry(k.user_id).or_default().push(k.question_id);
        }
        let rows = owned::owned_by_each(by_user.into_iter().map(|(user_id, questions)| {
            (
                user_id,
                Condition::all().add(star_draft::Column::QuestionId.is_in(questions)),
            )
        }))
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
