//! The batch loaders of public content: which tables are children of which
//! (a role's questions, a phase's tasks), and the joined lists (a role's
//! skills, a skill's roles, a question's role).

use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{DbErr, EntityTrait, Iterable, QueryFilter, QueryOrder, QuerySelect};

use entity::{
    faq, mistake, prep_step, question, resource, role, role_skill, salary_benchmark, salary_level,
    skill, timeline_phase, timeline_task,
};

use crate::graphql::loaders::{
    ChildTable, Db, IdTable, LoadResult, Rows, Through, child_table, group_through, id_table,
    shared,
};

child_table! {
    question: RoleId by Position,
    prep_step: RoleId by Position,
    timeline_phase: RoleId by Position,
    timeline_task: PhaseId by Position,
    mistake: RoleId by Position,
    salary_benchmark: RoleId by Position,
    salary_level: BenchmarkId by Rank,
    faq: RoleId by Position,
    resource: RoleId by Position,
}

id_table!(
    role,
    skill,
    question,
    prep_step,
    timeline_phase,
    timeline_task,
    mistake,
    salary_benchmark,
    salary_level,
    faq,
    resource,
);

/// Key: the key skills of role `.0`, in order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SkillsOfRole(pub i32);

/// Key: the role of question `.0`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RoleOfQuestion(pub i32);

/// Key: the roles that list skill `.0`, by title.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RolesOfSkill(pub i32);

impl Loader<SkillsOfRole> for Db {
    type Value = Rows<skill::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[SkillsOfRole]) -> LoadResult<SkillsOfRole, Self::Value> {
        let rows = role_skill::Entity::find()
            .select_only()
            .column_as(role_skill::Column::RoleId, "through")
            .columns(skill::Column::iter())
            .inner_join(skill::Entity)
            .filter(self.one_of(role_skill::Column::RoleId, keys.iter().map(|k| k.0)))
            .order_by_asc(role_skill::Column::RoleId)
            .order_by_asc(role_skill::Column::Position)
            .into_model::<Through<skill::Model>>()
            .all(&self.0)
            .await?;
        Ok(shared(group_through(rows, SkillsOfRole)))
    }
}

impl Loader<RoleOfQuestion> for Db {
    type Value = role::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[RoleOfQuestion]) -> LoadResult<RoleOfQuestion, Self::Value> {
        let rows = question::Entity::find()
            .select_only()
            .column_as(question::Column::Id, "through")
            .columns(role::Column::iter())
            .inner_join(role::Entity)
            .filter(self.one_of(question::Column::Id, keys.iter().map(|k| k.0)))
            .into_model::<Through<role::Model>>()
            .all(&self.0)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (RoleOfQuestion(r.through), r.row))
            .collect())
    }
}

impl Loader<RolesOfSkill> for Db {
    type Value = Rows<role::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[RolesOfSkill]) -> LoadResult<RolesOfSkill, Self::Value> {
        let rows = role_skill::Entity::find()
            .select_only()
            .column_as(role_skill::Column::SkillId, "through")
            .columns(role::Column::iter())
            .inner_join(role::Entity)
            .filter(self.one_of(role_skill::Column::SkillId, keys.iter().map(|k| k.0)))
            .order_by_asc(role::Column::Title)
            .order_by_asc(role::Column::Id)
            .into_model::<Through<role::Model>>()
            .all(&self.0)
            .await?;
        Ok(shared(group_through(rows, RolesOfSkill)))
    }
}
