//! Batch loaders of draft data: a draft's questions and competencies, the
//! viewer's drafts linked to a question or tagged with a competency, and
//! pages of a draft's revisions.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Statement,
};

use entity::{
    competency, question, star_draft, star_draft_competency, star_draft_question,
    star_draft_revision,
};

use crate::error::AppResult;
use crate::graphql::loaders::{Db, Loaded, Siblings, group_linked};
use crate::records::owned_by_each;

/// Key: the questions draft `.0` answers, in the draft's order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct QuestionsOfDraft(pub i32);

/// Key: the competencies draft `.0` is tagged with, in the draft's order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CompetenciesOfDraft(pub i32);

/// Key: the drafts of `user_id` linked to `question_id`, newest change first.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DraftsOfQuestion {
    pub user_id: i32,
    pub question_id: i32,
}

/// Key: the drafts of `user_id` tagged with `competency_id`, newest change first.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DraftsOfCompetency {
    pub user_id: i32,
    pub competency_id: i32,
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

/// The drafts of `user_id` linked to each of `questions`, in one load for the
/// whole set; the drafts loaded are siblings of each other.
pub async fn drafts_of_questions(
    ctx: &async_graphql::Context<'_>,
    questions: &Siblings,
    user_id: i32,
) -> AppResult<Arc<Loaded<Vec<star_draft::Model>>>> {
    questions
        .load_variant(
            ctx,
            user_id.to_string(),
            move |question_id| DraftsOfQuestion {
                user_id,
                question_id,
            },
            |k| k.question_id,
            |rows: &Vec<star_draft::Model>| rows.iter().map(|r| r.id).collect(),
        )
        .await
}

/// The drafts of `user_id` tagged with each of `competencies`, in one load
/// for the whole set; the drafts loaded are siblings of each other.
pub async fn drafts_of_competencies(
    ctx: &async_graphql::Context<'_>,
    competencies: &Siblings,
    user_id: i32,
) -> AppResult<Arc<Loaded<Vec<star_draft::Model>>>> {
    competencies
        .load_variant(
            ctx,
            user_id.to_string(),
            move |competency_id| DraftsOfCompetency {
                user_id,
                competency_id,
            },
            |k| k.competency_id,
            |rows: &Vec<star_draft::Model>| rows.iter().map(|r| r.id).collect(),
        )
        .await
}

/// Groups `(draft, link)` rows by owner and a key of the link, keeping the query's order.
fn group_drafts<L, K: Hash + Eq>(
    rows: Vec<(star_draft::Model, Option<L>)>,
    key: impl Fn(i32, &L) -> K,
) -> HashMap<K, Vec<star_draft::Model>> {
    let mut out: HashMap<K, Vec<star_draft::Model>> = HashMap::new();
    for (draft, link) in rows {
        if let Some(link) = link {
            out.entry(key(draft.user_id, &link))
                .or_default()
                .push(draft);
        }
    }
    out
}

/// The keys' target ids, grouped by owner.
fn by_user(keys: impl Iterator<Item = (i32, i32)>) -> HashMap<i32, Vec<i32>> {
    let mut out: HashMap<i32, Vec<i32>> = HashMap::new();
    for (user_id, target) in keys {
        out.entry(user_id).or_default().push(target);
    }
    out
}

impl Loader<QuestionsOfDraft> for Db {
    type Value = Vec<question::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[QuestionsOfDraft]) -> LoadResult<QuestionsOfDraft, Self::Value> {
        // The keys are drafts already read through the owner's scope; only
        // their questions (public) leave this loader.
        let rows = star_draft_question::Entity::find()
            .find_also_related(question::Entity)
            .filter(star_draft_question::Column::DraftId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(star_draft_question::Column::DraftId)
            .order_by_asc(star_draft_question::Column::Position)
            .all(&self.0)
            .await?;
        Ok(group_linked(rows, |link| QuestionsOfDraft(link.draft_id)))
    }
}

impl Loader<CompetenciesOfDraft> for Db {
    type Value = Vec<competency::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[CompetenciesOfDraft],
    ) -> LoadResult<CompetenciesOfDraft, Self::Value> {
        // As above: keys read through the owner's scope, public rows out.
        let rows = star_draft_competency::Entity::find()
            .find_also_related(competency::Entity)
            .filter(star_draft_competency::Column::DraftId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(star_draft_competency::Column::DraftId)
            .order_by_asc(star_draft_competency::Column::Position)
            .all(&self.0)
            .await?;
        Ok(group_linked(rows, |link| {
            CompetenciesOfDraft(link.draft_id)
        }))
    }
}

impl Loader<DraftsOfQuestion> for Db {
    type Value = Vec<star_draft::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[DraftsOfQuestion]) -> LoadResult<DraftsOfQuestion, Self::Value> {
        let scopes = by_user(keys.iter().map(|k| (k.user_id, k.question_id)));
        let rows =
            owned_by_each::<star_draft::Entity>(scopes.into_iter().map(|(user_id, questions)| {
                (
                    user_id,
                    Condition::all().add(star_draft_question::Column::QuestionId.is_in(questions)),
                )
            }))
            .find_also_related(star_draft_question::Entity)
            .order_by_desc(star_draft::Column::UpdatedAt)
            .order_by_desc(star_draft::Column::Id)
            .all(&self.0)
            .await?;
        Ok(group_drafts(
            rows,
            |user_id, link: &star_draft_question::Model| DraftsOfQuestion {
                user_id,
                question_id: link.question_id,
            },
        ))
    }
}

impl Loader<DraftsOfCompetency> for Db {
    type Value = Vec<star_draft::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[DraftsOfCompetency],
    ) -> LoadResult<DraftsOfCompetency, Self::Value> {
        let scopes = by_user(keys.iter().map(|k| (k.user_id, k.competency_id)));
        let rows = owned_by_each::<star_draft::Entity>(scopes.into_iter().map(
            |(user_id, competencies)| {
                (
                    user_id,
                    Condition::all()
                        .add(star_draft_competency::Column::CompetencyId.is_in(competencies)),
                )
            },
        ))
        .find_also_related(star_draft_competency::Entity)
        .order_by_desc(star_draft::Column::UpdatedAt)
        .order_by_desc(star_draft::Column::Id)
        .all(&self.0)
        .await?;
        Ok(group_drafts(
            rows,
            |user_id, link: &star_draft_competency::Model| DraftsOfCompetency {
                user_id,
                competency_id: link.competency_id,
            },
        ))
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
        "SELECT id, draft_id, version, title, situation, task, action, result, status, created_at, \
         competency_ids, question_ids \
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
