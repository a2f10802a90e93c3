//! Batch loaders of competencies: those of a role and those of a question.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use entity::{competency, question_competency, role_competency};

use crate::graphql::drafts::loaders::group_linked;
use crate::graphql::loaders::Db;

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
