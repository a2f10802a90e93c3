//! Competencies: themes such as leadership that a story can show, shared
//! between roles; the public objects and their batch loaders.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Object};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use entity::{competency, question_competency, role_competency};

use crate::error::AppResult;
use crate::graphql::loaders::{Db, Loaded, Siblings, group_linked};

/// A theme a story can show, such as leadership; shared between roles.
#[derive(Clone)]
pub struct Competency(pub competency::Model);

#[Object]
impl Competency {
    /// URL-safe unique name, e.g. `leadership`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// One sentence on what a story for it shows.
    async fn description(&self) -> &str {
        &self.0.description
    }
}

/// The competencies of each of `roles`, loaded once for the set; the
/// competencies loaded are siblings of each other.
pub async fn competencies_of_roles(
    ctx: &Context<'_>,
    roles: &Siblings,
) -> AppResult<Arc<Loaded<Vec<competency::Model>>>> {
    roles
        .load(
            ctx,
            CompetenciesOfRole,
            |k| k.0,
            |rows: &Vec<competency::Model>| rows.iter().map(|c| c.id).collect(),
        )
        .await
}

/// The competencies of each of `questions`, loaded once for the set.
pub async fn competencies_of_questions(
    ctx: &Context<'_>,
    questions: &Siblings,
) -> AppResult<Arc<Loaded<Vec<competency::Model>>>> {
    questions
        .load(
            ctx,
            CompetenciesOfQuestion,
            |k| k.0,
            |_: &Vec<competency::Model>| Vec::new(),
        )
        .await
}

/// Key: the competencies role `.0` probes, in the content's order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CompetenciesOfRole(pub i32);

/// Key: the competencies question `.0` probes, in the content's order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CompetenciesOfQuestion(pub i32);

type LoadResult<K> = Result<HashMap<K, Vec<competency::Model>>, Arc<DbErr>>;

impl Loader<CompetenciesOfRole> for Db {
    type Value = Vec<competency::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[CompetenciesOfRole]) -> LoadResult<CompetenciesOfRole> {
        let rows = role_competency::Entity::find()
            .find_also_related(competency::Entity)
            .filter(role_competency::Column::RoleId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(role_competency::Column::RoleId)
            .order_by_asc(role_competency::Column::Position)
            .all(&self.0)
            .await?;
        Ok(group_linked(rows, |link| CompetenciesOfRole(link.role_id)))
    }
}

impl Loader<CompetenciesOfQuestion> for Db {
    type Value = Vec<competency::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[CompetenciesOfQuestion]) -> LoadResult<CompetenciesOfQuestion> {
        let rows = question_competency::Entity::find()
            .find_also_related(competency::Entity)
            .filter(question_competency::Column::QuestionId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(question_competency::Column::QuestionId)
            .order_by_asc(question_competency::Column::Position)
            .all(&self.0)
            .await?;
        Ok(group_linked(rows, |link| {
            CompetenciesOfQuestion(link.question_id)
        }))
    }
}
