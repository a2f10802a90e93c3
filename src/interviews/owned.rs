//! The interview privacy rule, in one place: an interview, and each task of
//! its plan, is read only through a query scoped to its owner, so another
//! user's interview or task looks exactly like one that does not exist.
//!
//! Every read path starts here: `interview`, `myInterviews`, `myAgenda`,
//! `node`, the mutations, the subscription, the event dispatcher and the
//! calendar feed. The plan loader's keys are interviews already read here.

use sea_orm::sea_query::LockType;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect,
    Select,
};

use entity::{interview, plan_task};

use crate::auth::Viewer;
use crate::error::AppResult;

/// The interviews of user `owner_id`.
pub fn owned_by(owner_id: i32) -> Select<interview::Entity> {
    interview::Entity::find().filter(owner_scope(owner_id))
}

/// For each `(owner, condition)`, that owner's interviews matching that
/// condition: one statement for a batch of owners.
pub fn owned_by_each(
    scopes: impl IntoIterator<Item = (i32, Condition)>,
) -> Select<interview::Entity> {
    let any = scopes
        .into_iter()
        .fold(Condition::any(), |any, (owner_id, cond)| {
            any.add(Condition::all().add(owner_scope(owner_id)).add(cond))
        });
    interview::Entity::find().filter(any)
}

/// The plan tasks of user `owner_id`'s interviews, each with its interview.
pub fn tasks_owned_by(owner_id: i32) -> sea_orm::SelectTwo<plan_task::Entity, interview::Entity> {
    plan_task::Entity::find()
        .find_also_related(interview::Entity)
        .filter(owner_scope(owner_id))
}

/// The viewer's interview `id`, or `None` (also when another user owns it).
pub async fn find_owned(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> AppResult<Option<interview::Model>> {
    Ok(owned_by(viewer.user_id)
        .filter(interview::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// [`find_owned`] inside a write transaction: on PostgreSQL the row stays
/// locked until the transaction ends, so concurrent writers of one interview
/// queue (SQLite's IMMEDIATE transactions already do).
pub async fn lock_owned(
    tx: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> AppResult<Option<interview::Model>> {
    let mut query = owned_by(viewer.user_id).filter(interview::Column::Id.eq(id));
    if tx.get_database_backend() == DbBackend::Postgres {
        query = query.lock(LockType::Update);
    }
    Ok(query.one(tx).await?)
}

/// The viewer's plan task `id` with its interview, or `None` (also when
/// another user owns the interview).
pub async fn find_owned_task(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> AppResult<Option<(plan_task::Model, interview::Model)>> {
    let found = tasks_owned_by(viewer.user_id)
        .filter(plan_task::Column::Id.eq(id))
        .one(db)
        .await?;
    Ok(found.and_then(|(task, interview)| interview.map(|i| (task, i))))
}

fn owner_scope(owner_id: i32) -> Condition {
    Condition::all().add(interview::Column::UserId.eq(owner_id))
}
