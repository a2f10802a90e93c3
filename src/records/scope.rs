//! The owner scope: every read of a record starts here, so another user's
//! record looks exactly like one that does not exist (null or NOT_FOUND).
//!
//! Privacy is a query scope, not a check per resolver: `node`, the single
//! and list queries, the loaders, the mutations, the subscriptions and the
//! event dispatcher all read through these functions.

use sea_orm::sea_query::LockType;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

use super::Owned;
use crate::error::{AppError, AppResult};
use crate::viewer::Viewer;

/// The condition "owned by user `owner_id`", for queries that join `R`.
pub fn owner_is<R: Owned>(owner_id: i32) -> Condition {
    Condition::all().add(R::owner_column().eq(owner_id))
}

/// The records of user `owner_id`.
pub fn owned_by<R: Owned>(owner_id: i32) -> Select<R> {
    R::find().filter(owner_is::<R>(owner_id))
}

/// For each `(owner, condition)`, that owner's records matching that
/// condition: one statement for a batch of owners.
pub fn owned_by_each<R: Owned>(scopes: impl IntoIterator<Item = (i32, Condition)>) -> Select<R> {
    let any = scopes
        .into_iter()
        .fold(Condition::any(), |any, (owner_id, cond)| {
            any.add(Condition::all().add(owner_is::<R>(owner_id)).add(cond))
        });
    R::find().filter(any)
}

/// The viewer's record `id`, or `None` (also when another user owns it).
pub async fn find_owned<R: Owned>(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> AppResult<Option<R::Model>> {
    Ok(owned_by::<R>(viewer.user_id)
        .filter(R::id_column().eq(id))
        .one(db)
        .await?)
}

/// The viewer's record `id`, or NOT_FOUND.
pub async fn get_owned<R: Owned>(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> AppResult<R::Model> {
    find_owned::<R>(db, viewer, id)
        .await?
        .ok_or_else(not_found::<R>)
}

/// Every record of one owner, a page at a time in id order (keyset by id):
/// for whole-account work (the data export) that must never hold all of an
/// account's records at once.
pub struct OwnedPages<R: Owned> {
    owner_id: i32,
    after: i32,
    size: u64,
    done: bool,
    table: std::marker::PhantomData<R>,
}

impl<R: Owned> OwnedPages<R> {
    /// Pages of `size` records of user `owner_id`.
    pub fn new(owner_id: i32, size: u64) -> Self {
        Self {
            owner_id,
            after: 0,
            size: size.max(1),
            done: false,
            table: std::marker::PhantomData,
        }
    }

    /// The next page (one statement), or `None` after the last.
    pub async fn next(
        &mut self,
        db: &impl ConnectionTrait,
    ) -> Result<Option<Vec<R::Model>>, DbErr> {
        if self.done {
            return Ok(None);
        }
        let page = owned_by::<R>(self.owner_id)
            .filter(R::id_column().gt(self.after))
            .order_by_asc(R::id_column())
            .limit(self.size)
            .all(db)
            .await?;
        // A short page is the last: no statement to learn that nothing follows.
        self.done = (page.len() as u64) < self.size;
        match page.last() {
            Some(last) => {
                self.after = R::id_of(last);
                Ok(Some(page))
            }
            None => Ok(None),
        }
    }
}

/// [`get_owned`] inside a write transaction: on PostgreSQL the row stays
/// locked until the transaction ends, so concurrent writers of one record
/// queue (SQLite's IMMEDIATE transactions already do).
pub async fn lock_owned<R: Owned>(
    tx: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> AppResult<R::Model> {
    let mut query = owned_by::<R>(viewer.user_id).filter(R::id_column().eq(id));
    if tx.get_database_backend() == DbBackend::Postgres {
        query = query.lock(LockType::Update);
    }
    query.one(tx).await?.ok_or_else(not_found::<R>)
}

/// NOT_FOUND for a record of `R` the viewer does not have.
pub fn not_found<R: Owned>() -> AppError {
    AppError::NotFound(format!("no such {}", R::NOUN))
}

/// Refuses a new record when user `owner_id` already keeps `max` of them.
pub async fn check_cap<R: Owned>(
    tx: &impl ConnectionTrait,
    owner_id: i32,
    max: u64,
) -> AppResult<()> {
    let kept = owned_by::<R>(owner_id).count(tx).await?;
    if kept >= max {
        return Err(AppError::bad_input(
            "input",
            format!(
                "you have {kept} {}, the most one account may keep; delete some first",
                R::NOUN_PLURAL
            ),
        ));
    }
    Ok(())
}
