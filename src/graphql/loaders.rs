//! Per-request batching: every nested read goes through one [`DataLoader`] of [`Db`].
//!
//! Each key type is one batch: all `ChildrenOf<question::Entity>` keys asked
//! for while resolving one level of a query become one `WHERE role_id IN (..)`.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, ModelTrait, QueryFilter, QueryOrder,
    Value,
};

use entity::{
    faq, mistake, prep_step, question, resource, role, role_skill, salary_benchmark, salary_level,
    skill, timeline_phase, timeline_task,
};

use crate::error::AppError;

/// The loader behind every batch; created per request (see [`new_loader`]).
pub struct Db(pub DatabaseConnection);

/// A fresh loader for one request or one WebSocket connection.
pub fn new_loader(db: &DatabaseConnection) -> DataLoader<Db> {
    DataLoader::new(Db(db.clone()), tokio::spawn).delay(std::time::Duration::from_millis(std::env::var("LD").ok().and_then(|v| v.parse().ok()).unwrap_or(1)))
}

/// The request's loader.
pub fn loader<'a>(ctx: &Context<'a>) -> Result<&'a DataLoader<Db>, AppError> {
    ctx.data::<DataLoader<Db>>()
        .map_err(|e| AppError::internal(anyhow::anyhow!("no loader in context: {}", e.message)))
}

/// A table whose rows belong to one parent row and are ordered within it.
pub trait ChildTable: EntityTrait {
    /// The column holding the parent's id.
    fn parent() -> Self::Column;
    /// The column that orders siblings.
    fn order() -> Self::Column;
}

macro_rules! child_table {
    ($($module:ident: $parent:ident by $order:ident),* $(,)?) => {$(
        impl ChildTable for $module::Entity {
            fn parent() -> Self::Column { $module::Column::$parent }
            fn order() -> Self::Column { $module::Column::$order }
        }
    )*};
}

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

/// Key: the children in table `E` of parent row `.0`, in order.
pub struct ChildrenOf<E>(pub i32, PhantomData<fn() -> E>);

/// Key: row `.0` of table `E`.
pub struct ById<E>(pub i32, PhantomData<fn() -> E>);

macro_rules! id_key {
    ($name:ident) => {
        impl<E> $name<E> {
            /// The key of `id`.
            pub fn new(id: i32) -> Self {
                Self(id, PhantomData)
            }
        }
        impl<E> Clone for $name<E> {
            fn clone(&self) -> Self {
                Self::new(self.0)
            }
        }
        impl<E> PartialEq for $name<E> {
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }
        impl<E> Eq for $name<E> {}
        impl<E> Hash for $name<E> {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.0.hash(state)
            }
        }
    };
}
id_key!(ChildrenOf);
id_key!(ById);

/// Key: the key skills of role `.0`, in order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SkillsOfRole(pub i32);

/// Key: the roles that list skill `.0`, by title.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RolesOfSkill(pub i32);

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<DbErr>>;

fn int_value(value: Value) -> Option<i32> {
    match value {
        Value::Int(Some(v)) => Some(v),
        _ => None,
    }
}

impl<E> Loader<ChildrenOf<E>> for Db
where
    E: ChildTable,
    E::Model: Sync,
{
    type Value = Vec<E::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ChildrenOf<E>]) -> LoadResult<ChildrenOf<E>, Self::Value> {
        let rows = E::find()
            .filter(E::parent().is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(E::parent())
            .order_by_asc(E::order())
            .all(&self.0)
            .await?;
        let mut out: HashMap<ChildrenOf<E>, Vec<E::Model>> = HashMap::new();
        for row in rows {
            if let Some(parent) = int_value(row.get(E::parent())) {
                out.entry(ChildrenOf::new(parent)).or_default().push(row);
            }
        }
        Ok(out)
    }
}

/// A table with an `i32` primary key named `id`.
pub trait IdTable: EntityTrait {
    /// The primary key column.
    fn id() -> Self::Column;
}

impl IdTable for role::Entity {
    fn id() -> Self::Column {
        role::Column::Id
    }
}
impl IdTable for skill::Entity {
    fn id() -> Self::Column {
        skill::Column::Id
    }
}
impl IdTable for question::Entity {
    fn id() -> Self::Column {
        question::Column::Id
    }
}

impl<E> Loader<ById<E>> for Db
where
    E: IdTable,
    E::Model: Sync,
{
    type Value = E::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ById<E>]) -> LoadResult<ById<E>, Self::Value> {
        let rows = E::find()
            .filter(E::id().is_in(keys.iter().map(|k| k.0)))
            .all(&self.0)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| int_value(row.get(E::id())).map(|id| (ById::new(id), row)))
            .collect())
    }
}

impl Loader<SkillsOfRole> for Db {
    type Value = Vec<skill::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[SkillsOfRole]) -> LoadResult<SkillsOfRole, Self::Value> {
        let rows = role_skill::Entity::find()
            .find_also_related(skill::Entity)
            .filter(role_skill::Column::RoleId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(role_skill::Column::RoleId)
            .order_by_asc(role_skill::Column::Position)
            .all(&self.0)
            .await?;
        let mut out: HashMap<SkillsOfRole, Vec<skill::Model>> = HashMap::new();
        for (link, skill) in rows {
            if let Some(skill) = skill {
                out.entry(SkillsOfRole(link.role_id)).or_default().push(skill);
            }
        }
        Ok(out)
    }
}

impl Loader<RolesOfSkill> for Db {
    type Value = Vec<role::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[RolesOfSkill]) -> LoadResult<RolesOfSkill, Self::Value> {
        let rows = role_skill::Entity::find()
            .find_also_related(role::Entity)
            .filter(role_skill::Column::SkillId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(role::Column::Title)
            .order_by_asc(role::Column::Id)
            .all(&self.0)
            .await?;
        let mut out: HashMap<RolesOfSkill, Vec<role::Model>> = HashMap::new();
        for (link, role) in rows {
            if let Some(role) = role {
                out.entry(RolesOfSkill(link.skill_id)).or_default().push(role);
            }
        }
        Ok(out)
    }
}

/// Loads the children of `parent` in table `E` through the request's loader.
pub async fn children<E>(ctx: &Context<'_>, parent: i32) -> Result<Vec<E::Model>, AppError>
where
    E: ChildTable,
    E::Model: Sync,
{
    Ok(loader(ctx)?
        .load_one(ChildrenOf::<E>::new(parent))
        .await?
        .unwrap_or_default())
}

/// Loads row `id` of table `E` through the request's loader.
pub async fn by_id<E>(ctx: &Context<'_>, id: i32) -> Result<Option<E::Model>, AppError>
where
    E: IdTable,
    E::Model: Sync,
{
    Ok(loader(ctx)?.load_one(ById::<E>::new(id)).await?)
}
