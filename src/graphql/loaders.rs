//! Per-request batching: every nested read goes through one [`DataLoader`] of [`Db`].
//!
//! Each key type is one batch: all `ChildrenOf<question::Entity>` keys asked
//! for while resolving one level of a query become one statement, `WHERE
//! role_id = ANY($1)` on PostgreSQL and `WHERE role_id IN (..)` on SQLite
//! (see [`one_of`]).
//!
//! The DataLoader gathers the keys asked for until its batch runs (after
//! `--batch-delay-micros`, by default as soon as the asking task yields), so
//! a list whose fields ask at different times would be split into several
//! batches. [`Siblings`] makes batching independent of timing: rows fetched
//! together remember each other, and the first of them to need a child list
//! loads it for all of them in one `load_many`.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OnceCell;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, FromQueryResult, ModelTrait,
    QueryFilter, QueryOrder, Value,
};

use crate::error::AppError;

/// The loader behind every batch; created per request (see [`new_loader`]).
pub struct Db(pub DatabaseConnection);

/// A fresh loader for one request or one WebSocket connection, whose batches
/// wait `delay` for more keys (`--batch-delay-micros`).
///
/// async-graphql's default is 1 ms, slept on a timer thread before every
/// batch: for a role page, whose reads come in three levels, that was most
/// of an uncached answer's time for one client (BENCHMARKS.md, "(a)"). With
/// no delay a batch runs once the task that asked yields, so the keys of every
/// resolver polled in the same pass (all the fields of a level, through
/// [`Siblings`]) still go out as one statement.
pub fn new_loader(db: &DatabaseConnection, delay: Duration) -> DataLoader<Db> {
    DataLoader::new(Db(db.clone()), tokio::spawn).delay(delay)
}

impl Db {
    /// The condition "`column` is one of `ids`" on this loader's database:
    /// every batch filters through it (see [`one_of`]).
    pub fn one_of<C: ColumnTrait>(&self, column: C, ids: impl IntoIterator<Item = i32>) -> Expr {
        one_of(self.0.get_database_backend(), column, ids)
    }
}

/// "`column` is one of `ids`" in the form `backend` runs best.
///
/// PostgreSQL gets the ids as one array parameter (`= ANY($1)`). With one
/// parameter per id (`IN ($1, .., $n)`) it re-planned the statement on every
/// execution with the ids as constants, and those plans scanned whole child
/// tables (`timeline_phases`, `salary_benchmarks`, `salary_levels`) through
/// the id list: 3x the server's instructions for (f) (BENCHMARKS.md, "(f)
/// PostgreSQL's side"). With the array it keeps one generic plan per
/// connection, on the parent-id indexes, and the statement text no longer
/// depends on the number of ids. SQLite has no arrays: one `?` per id there.
pub fn one_of<C: ColumnTrait>(
    backend: DbBackend,
    column: C,
    ids: impl IntoIterator<Item = i32>,
) -> Expr {
    match backend {
        DbBackend::Postgres => column.eq_any(ids),
        _ => column.is_in(ids),
    }
}

/// The request's loader.
pub fn loader<'a>(ctx: &Context<'a>) -> Result<&'a DataLoader<Db>, AppError> {
    ctx.data::<DataLoader<Db>>()
        .map_err(|e| AppError::internal(anyhow::anyhow!("no loader in context: {}", e.message)))
}

/// A table whose rows belong to one parent row and are ordered within it.
pub trait ChildTable: IdTable {
    /// The column holding the parent's id.
    fn parent() -> Self::Column;
    /// The column that orders siblings.
    fn order() -> Self::Column;
}

/// Declares tables [`ChildTable`]s: `module: ParentColumn by OrderColumn`.
macro_rules! child_table {
    ($($module:ident: $parent:ident by $order:ident),* $(,)?) => {$(
        impl ChildTable for $module::Entity {
            fn parent() -> Self::Column { $module::Column::$parent }
            fn order() -> Self::Column { $module::Column::$order }
        }
    )*};
}
pub(crate) use child_table;

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

/// What a loader returns.
pub type LoadResult<K, V> = Result<HashMap<K, V>, Arc<DbErr>>;

/// An integer column's value.
pub fn int_value(value: Value) -> Option<i32> {
    match value {
        Value::Int(Some(v)) => Some(v),
        _ => None,
    }
}

/// A loaded list of rows. Shared rather than owned: the DataLoader hands
/// each waiting caller a clone of every value, which for a `Vec` copied
/// every row (strings and all) once more per request.
pub type Rows<M> = Arc<[M]>;

/// Groups of rows made shareable.
pub fn shared<K: Hash + Eq, M>(groups: HashMap<K, Vec<M>>) -> HashMap<K, Rows<M>> {
    groups
        .into_iter()
        .map(|(k, v)| (k, Rows::from(v)))
        .collect()
}

impl<E> Loader<ChildrenOf<E>> for Db
where
    E: ChildTable,
    E::Model: Sync,
{
    type Value = Rows<E::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ChildrenOf<E>]) -> LoadResult<ChildrenOf<E>, Self::Value> {
        let rows = E::find()
            .filter(self.one_of(E::parent(), keys.iter().map(|k| k.0)))
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
        Ok(shared(out))
    }
}

/// A table with an `i32` primary key named `id`.
pub trait IdTable: EntityTrait {
    /// The primary key column.
    fn id() -> Self::Column;
}

/// Declares tables [`IdTable`]s by module name.
macro_rules! id_table {
    ($($module:ident),* $(,)?) => {$(
        impl IdTable for $module::Entity {
            fn id() -> Self::Column { $module::Column::Id }
        }
    )*};
}
pub(crate) use id_table;

impl<E> Loader<ById<E>> for Db
where
    E: IdTable,
    E::Model: Sync,
{
    type Value = E::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ById<E>]) -> LoadResult<ById<E>, Self::Value> {
        let rows = E::find()
            .filter(self.one_of(E::id(), keys.iter().map(|k| k.0)))
            .all(&self.0)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| int_value(row.get(E::id())).map(|id| (ById::new(id), row)))
            .collect())
    }
}

/// A row of model `M` and the id of the row it was reached through (the link's
/// or the question's), selected as `through` beside `M`'s own columns.
///
/// Not `find_also_related`: that selects both tables' every column under
/// prefixed aliases (`A_id`, `B_slug`) and, decoding, formats each prefixed
/// name again for every column of every row. Here `M` is decoded by its own
/// `FromQueryResult` under its plain column names, and only the one column
/// of the link that is used is read.
#[derive(FromQueryResult)]
pub struct Through<M: FromQueryResult> {
    pub through: i32,
    #[sea_orm(nested)]
    pub row: M,
}

/// Groups joined rows by the id they were reached through, keeping the
/// query's order within each group.
pub fn group_through<K: Hash + Eq, M: FromQueryResult>(
    rows: Vec<Through<M>>,
    key: impl Fn(i32) -> K,
) -> HashMap<K, Vec<M>> {
    let mut out: HashMap<K, Vec<M>> = HashMap::new();
    for r in rows {
        out.entry(key(r.through)).or_default().push(r.row);
    }
    out
}

/// Loads row `id` of table `E` through the request's loader.
pub async fn by_id<E>(ctx: &Context<'_>, id: i32) -> Result<Option<E::Model>, AppError>
where
    E: IdTable,
    E::Model: Sync,
{
    Ok(loader(ctx)?.load_one(ById::<E>::new(id)).await?)
}

/// The id of a row of `E`.
fn id_of<E: IdTable>(row: &E::Model) -> i32 {
    int_value(row.get(E::id())).unwrap_or_default()
}

/// What one batch loaded for a set of siblings.
pub struct Loaded<V> {
    values: HashMap<i32, V>,
    /// The rows loaded, as siblings of each other for the next level down.
    pub next: Arc<Siblings>,
}

impl<V: Clone> Loaded<V> {
    /// The value loaded for sibling `id`.
    pub fn get(&self, id: i32) -> Option<V> {
        self.values.get(&id).cloned()
    }
}

/// Rows of one table that were fetched together (the roles of one page, the
/// phases of those roles, ...). The first of them to ask for a related list
/// loads it for all of them; the others wait for that one load.
pub struct Siblings {
    ids: Vec<i32>,
    /// One load per loader key type and variant (e.g. a page size).
    loads: Mutex<HashMap<(TypeId, String), Arc<dyn Any + Send + Sync>>>,
}

impl Siblings {
    /// Rows `ids`, fetched together.
    pub fn new(ids: Vec<i32>) -> Arc<Self> {
        Arc::new(Self {
            ids,
            loads: Mutex::new(HashMap::new()),
        })
    }

    /// The ids of the rows fetched together.
    pub fn ids(&self) -> &[i32] {
        &self.ids
    }

    /// The siblings of `rows` of table `E`.
    pub fn of<E: IdTable>(rows: &[E::Model]) -> Arc<Self> {
        Self::new(rows.iter().map(id_of::<E>).collect())
    }

    /// Loads, once for all siblings, the loader value of `key(id)` for every
    /// sibling id; `child_ids` lists the rows inside one value, which become
    /// the siblings of the next level.
    pub async fn load<K, V>(
        &self,
        ctx: &Context<'_>,
        key: fn(i32) -> K,
        unkey: fn(&K) -> i32,
        child_ids: fn(&V) -> Vec<i32>,
    ) -> Result<Arc<Loaded<V>>, AppError>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
        Db: Loader<K, Value = V, Error = Arc<DbErr>>,
    {
        self.load_variant(ctx, String::new(), key, unkey, child_ids)
            .await
    }

    /// [`Self::load`] for keys that carry more than the sibling id (a viewer,
    /// a page size): `variant` names what they carry, so that two aliases of
    /// one field with other arguments get loads of their own.
    pub async fn load_variant<K, V>(
        &self,
        ctx: &Context<'_>,
        variant: String,
        key: impl Fn(i32) -> K,
        unkey: fn(&K) -> i32,
        child_ids: fn(&V) -> Vec<i32>,
    ) -> Result<Arc<Loaded<V>>, AppError>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
        Db: Loader<K, Value = V, Error = Arc<DbErr>>,
    {
        let cell = {
            let mut loads = self
                .loads
                .lock()
                .map_err(|_| AppError::internal(anyhow::anyhow!("sibling loads poisoned")))?;
            let entry = loads
                .entry((TypeId::of::<K>(), variant))
                .or_insert_with(|| Arc::new(OnceCell::<Arc<Loaded<V>>>::new()));
            entry
                .clone()
                .downcast::<OnceCell<Arc<Loaded<V>>>>()
                .map_err(|_| AppError::internal(anyhow::anyhow!("sibling load of another type")))?
        };
        // The load is boxed: only the first sibling to ask runs it, and
        // unboxed its future (the DataLoader's) would sit inside the future of
        // every field that waits here, held while the object resolves.
        let loaded = cell
            .get_or_try_init(|| {
                Box::pin(async {
                    let found = loader(ctx)?
                        .load_many(self.ids.iter().map(|id| key(*id)))
                        .await?;
                    let next = Siblings::new(found.values().flat_map(child_ids).collect());
                    let values = found.into_iter().map(|(k, v)| (unkey(&k), v)).collect();
                    Ok::<_, AppError>(Arc::new(Loaded { values, next }))
                })
            })
            .await?;
        Ok(loaded.clone())
    }

    /// Computes `init` once for all siblings (the first to ask runs it, the
    /// others wait and share the result), under `name`: for values built
    /// from several loads that the next level down must see as one set.
    pub async fn shared<T, F>(&self, name: String, init: F) -> Result<Arc<T>, AppError>
    where
        T: Send + Sync + 'static,
        F: std::future::Future<Output = Result<T, AppError>>,
    {
        let cell = {
            let mut loads = self
                .loads
                .lock()
                .map_err(|_| AppError::internal(anyhow::anyhow!("sibling loads poisoned")))?;
            let entry = loads
                .entry((TypeId::of::<T>(), name))
                .or_insert_with(|| Arc::new(OnceCell::<Arc<T>>::new()));
            entry
                .clone()
                .downcast::<OnceCell<Arc<T>>>()
                .map_err(|_| AppError::internal(anyhow::anyhow!("sibling value of another type")))?
        };
        let value = cell
            .get_or_try_init(|| async { Ok::<_, AppError>(Arc::new(init.await?)) })
            .await?;
        Ok(value.clone())
    }

    /// The rows of child table `E` under sibling `parent`, with the
    /// siblings-set of all children loaded for this set.
    pub async fn children<E>(
        &self,
        ctx: &Context<'_>,
        parent: i32,
    ) -> Result<(Vec<E::Model>, Arc<Siblings>), AppError>
    where
        E: ChildTable,
        E::Model: Sync,
    {
        let loaded = self
            .load(
                ctx,
                ChildrenOf::<E>::new,
                |k| k.0,
                |rows: &Rows<E::Model>| rows.iter().map(id_of::<E>).collect(),
            )
            .await?;
        let rows = loaded.get(parent).map(|rows| rows.to_vec());
        Ok((rows.unwrap_or_default(), loaded.next.clone()))
    }
}

/// Groups `(link, target)` rows by a key of the link, keeping the query's order.
pub fn group_linked<L, K: Hash + Eq, M>(
    rows: Vec<(L, Option<M>)>,
    key: impl Fn(&L) -> K,
) -> HashMap<K, Vec<M>> {
    let mut out: HashMap<K, Vec<M>> = HashMap::new();
    for (link, row) in rows {
        if let Some(row) = row {
            out.entry(key(&link)).or_default().push(row);
        }
    }
    out
}
