//! The event bus: record changes staged with the change, delivered after it
//! commits to the subscribers of every server instance.
//!
//! Two transports, chosen by the database:
//! - SQLite (one instance): the writer hands the notice to this process's
//!   dispatcher after its commit.
//! - PostgreSQL (any number of instances): the writer runs `pg_notify` inside
//!   its transaction, which PostgreSQL delivers at commit, in commit order, to
//!   the listener of every instance.
//!
//! A notice carries only ids, owner and version (NOTIFY payloads are small).
//! Each instance's dispatcher loads the rows of the notices that arrived
//! together, one statement per table (the tables are registered in
//! [`LiveTables`]), and broadcasts the result to local subscribers.
//! The broadcast channel is bounded: a subscriber that falls behind gets
//! `Lagged` and reloads the latest state instead of queueing without limit.
//!
//! Whether this instance hears every notice is itself observable
//! ([`EventBus::listening`]): on PostgreSQL, notices sent while the listener's
//! connection is down are lost, so a follower that keeps state derived from
//! notices (the response cache's content version) trusts it only while the
//! listener is up, and re-reads it whenever the listener comes back.

use std::any::Any;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;

use super::Live;
use super::change::{ChangeKind, RecordChange, RecordNotice};
use super::scope::owned_by_each;

/// The PostgreSQL channel the notices travel on.
pub const CHANNEL: &str = "prep_events";
/// Most notices the dispatcher loads in one statement.
const MAX_BATCH: usize = 256;

/// A notice as it travels between instances.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Notice {
    /// A record changed.
    Record(RecordNotice),
    /// A session was revoked: connections authenticated with it must end.
    SessionEnded { session_id: i32 },
    /// Public content changed: an import committed content `version`.
    ContentChanged { version: i64 },
    /// The shares of user `owner_id` changed (one was revoked): whoever reads
    /// that user's records through a grant checks that it still holds.
    GrantsChanged { owner_id: i32 },
    /// Nothing happened: sent periodically so a listener can tell it still hears.
    Heartbeat,
}

impl Notice {
    /// The notice of change `kind` to `row`.
    pub fn of<R: Live>(kind: ChangeKind, row: &R::Model) -> Self {
        Self::Record(RecordNotice::of::<R>(kind, row))
    }
}

/// A loaded row, type-erased, with its version.
struct Loaded {
    version: i32,
    row: Arc<dyn Any + Send + Sync>,
}

type Rows = HashMap<i32, Loaded>;

/// Loads the live rows of one table for the dispatcher.
trait LiveTable: Send + Sync {
    fn topic(&self) -> &'static str;
    /// The rows `(owner, id)` names that still exist, read through the owner scope.
    fn load<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        keys: Vec<(i32, i32)>,
    ) -> BoxFuture<'a, Result<Rows, DbErr>>;
}

struct Table<R>(PhantomData<fn() -> R>);

impl<R: Live> LiveTable for Table<R> {
    fn topic(&self) -> &'static str {
        R::TOPIC
    }

    fn load<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        keys: Vec<(i32, i32)>,
    ) -> BoxFuture<'a, Result<Rows, DbErr>> {
        Box::pin(async move {
            let scopes = keys
                .into_iter()
                .map(|(owner, id)| (owner, Condition::all().add(R::id_column().eq(id))));
            let rows = owned_by_each::<R>(scopes).all(db).await?;
            Ok(rows
                .into_iter()
                .map(|row| {
                    let id = R::id_of(&row);
                    let version = R::version_of(&row);
                    let row = Arc::new(row);
                    (id, Loaded { version, row })
                })
                .collect())
        })
    }
}

/// The tables whose changes the bus delivers with their rows.
#[derive(Clone, Default)]
pub struct LiveTables(Vec<Arc<dyn LiveTable>>);

impl LiveTables {
    /// These tables and `R`.
    pub fn with<R: Live>(mut self) -> Self {
        self.0.push(Arc::new(Table::<R>(PhantomData)));
        self
    }
}

/// One broadcast to the subscribers of this instance.
#[derive(Debug, Clone)]
pub enum BusMessage {
    /// A record changed; [`RecordChange::of`] reads it as a change of its table.
    Record(Arc<RecordChange>),
    SessionEnded(i32),
    /// Public content is now at this version.
    ContentChanged(i64),
    /// The shares of this owner changed: grantees' subscriptions re-check access.
    GrantsChanged(i32),
    /// Notices may have been lost (the listener reconnected): reload what you show.
    Resync,
}

/// Whether notices written by others reach this instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listening {
    /// In-process delivery (SQLite): every notice staged through this bus
    /// arrives; writers in other processes are not heard at all.
    Local,
    /// PostgreSQL, listener not (yet, or no longer) connected: notices sent
    /// now are lost.
    Down,
    /// PostgreSQL, listener connected and listening: every notice committed
    /// from now on arrives. `generation` counts connections (1 for the first),
    /// so a follower can tell a reconnection from the connection it knew;
    /// `backend_pid` is the listener's PostgreSQL backend, for operators.
    Up { generation: u64, backend_pid: i32 },
}

enum Raw {
    Notice(Notice),
    Resync,
}

/// Publishes change notices and fans them out to local subscribers.
#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
}

struct Inner {
    hub: broadcast::Sender<BusMessage>,
    /// How many receivers were ever handed out; lets tests await a subscription.
    subscribed: watch::Sender<u64>,
    local: mpsc::UnboundedSender<Raw>,
    listening: watch::Sender<Listening>,
    /// When the listener last heard anything (it was up then): milliseconds since `started`.
    heard: Arc<AtomicU64>,
    started: Instant,
    /// How long the listener may hear nothing and still count as listening.
    silence: Duration,
    postgres: bool,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The listener holds a pooled connection; closing the pool waits for it.
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl EventBus {
    /// Starts the dispatcher (and, on PostgreSQL, the listener and the
    /// heartbeat, sent every `heartbeat`) for `db`, delivering changes of
    /// `tables`; `capacity` bounds the broadcast to subscribers.
    pub fn start(
        db: DatabaseConnection,
        capacity: usize,
        tables: LiveTables,
        heartbeat: Duration,
    ) -> Self {
        let (hub, _) = broadcast::channel(capacity.max(1));
        let (local, raw) = mpsc::unbounded_channel();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        let mut tasks = Vec::new();
        let listening = watch::channel(if postgres {
            Listening::Down
        } else {
            Listening::Local
        })
        .0;
        let started = Instant::now();
        let heard = Arc::new(AtomicU64::new(0));
        if postgres {
            tasks.push(tokio::spawn(listen(
                db.clone(),
                local.clone(),
                listening.clone(),
                Heard {
                    at: heard.clone(),
                    started,
                },
            )));
            tasks.push(tokio::spawn(beat(db.clone(), heartbeat)));
        }
        tasks.push(tokio::spawn(dispatch(db, tables, raw, hub.clone())));
        Self {
            inner: Arc::new(Inner {
                hub,
                subscribed: watch::channel(0).0,
                local,
                listening,
                heard,
                started,
                // Three heartbeats: one late or lost is no outage.
                silence: heartbeat.saturating_mul(3),
                postgres,
                tasks,
            }),
        }
    }

    /// Stages `notice` in the writer's transaction. On PostgreSQL it is sent
    /// by the commit; in-process, [`Self::committed`] sends it.
    pub async fn stage(&self, tx: &impl ConnectionTrait, notice: &Notice) -> Result<(), DbErr> {
        // The writer's connection is of the bus's own database: its backend decides.
        stage_notice(tx, notice).await
    }

    /// Called after the writer's commit: sends `notice` in-process.
    pub fn committed(&self, notice: Notice) {
        if !self.inner.postgres {
            let _ = self.inner.local.send(Raw::Notice(notice));
        }
    }

    /// Stages and, in-process, sends a notice that needs no transaction.
    pub async fn publish(&self, db: &impl ConnectionTrait, notice: Notice) -> Result<(), DbErr> {
        self.stage(db, &notice).await?;
        self.committed(notice);
        Ok(())
    }

    /// A receiver of everything this instance broadcasts from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        let rx = self.inner.hub.subscribe();
        self.inner.subscribed.send_modify(|n| *n += 1);
        rx
    }

    /// Counts the receivers handed out so far; changes when one is.
    pub fn subscriptions_made(&self) -> watch::Receiver<u64> {
        self.inner.subscribed.subscribe()
    }

    /// A receiver for the instance's own followers (not client
    /// subscriptions, so not counted in [`Self::subscriptions_made`]).
    pub fn follow(&self) -> broadcast::Receiver<BusMessage> {
        self.inner.hub.subscribe()
    }

    /// Whether notices from other writers reach this instance, now and as it changes.
    pub fn listening(&self) -> watch::Receiver<Listening> {
        self.inner.listening.subscribe()
    }

    /// Whether the listener has heard anything (a heartbeat at least) within
    /// three heartbeats; always true in-process. Notices arrive in commit
    /// order, so having heard one proves every notice committed before it
    /// arrived: a listener that died silently is counted as down after that.
    pub fn heard_lately(&self) -> bool {
        if !self.inner.postgres {
            return true;
        }
        let heard = Duration::from_millis(self.inner.heard.load(Ordering::Acquire));
        self.inner.started.elapsed().saturating_sub(heard) < self.inner.silence
    }
}

/// Stages `notice` in transaction `tx` on PostgreSQL (sent to every
/// instance's listener by the commit); nothing on SQLite. For writers
/// that hold no [`EventBus`], such as the `import` command, which may run
/// in a process of its own.
pub async fn stage_notice(tx: &impl ConnectionTrait, notice: &Notice) -> Result<(), DbErr> {
    if tx.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let payload = serde_json::to_string(notice).map_err(|e| DbErr::Custom(e.to_string()))?;
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), payload.into()],
    ))
    .await?;
    Ok(())
}

/// Where the listener records when it last heard anything.
struct Heard {
    at: Arc<AtomicU64>,
    started: Instant,
}

impl Heard {
    fn now(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.at.store(ms, Ordering::Release);
    }
}

/// Sends a heartbeat notice every `every`, so that every instance's listener
/// hears something even when nothing changes.
async fn beat(db: DatabaseConnection, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        if let Err(e) = stage_notice(&db, &Notice::Heartbeat).await {
            tracing::warn!(error = %e, "sending the event heartbeat");
        }
    }
}

/// Forwards PostgreSQL notifications to the dispatcher, reconnecting when the
/// connection drops and then asking subscribers to resync; publishes whether
/// it is listening.
async fn listen(
    db: DatabaseConnection,
    out: mpsc::UnboundedSender<Raw>,
    listening: watch::Sender<Listening>,
    heard: Heard,
) {
    let pool = db.get_postgres_connection_pool().clone();
    let mut backoff = Duration::from_millis(100);
    let mut generation = 0;
    loop {
        // A closed pool means the server is shutting down: nothing to listen for.
        if pool.is_closed() {
            return;
        }
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "event listener cannot connect; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        // Reconnect here, not inside `try_recv`: sqlx's own reconnection is
        // invisible until it has finished, and until then notices are lost
        // while this instance would still count itself as listening.
        listener.eager_reconnect(false);
        // Asked before LISTEN, so `pg_stat_activity` shows the listener by its last query.
        let backend_pid = match sea_orm::sqlx::query_scalar::<_, i32>("SELECT pg_backend_pid()")
            .fetch_one(&mut listener)
            .await
        {
            Ok(pid) => pid,
            Err(e) => {
                tracing::warn!(error = %e, "event listener lost its connection; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "event listener cannot LISTEN; retrying");
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
            continue;
        }
        backoff = Duration::from_millis(100);
        generation += 1;
        // LISTEN just succeeded: as good as hearing something.
        heard.now();
        // Up only now that LISTEN is in place: every notice committed from here on arrives.
        listening.send_replace(Listening::Up {
            generation,
            backend_pid,
        });
        if generation > 1 {
            // Anything sent while it was down is lost, so subscribers reload.
            let _ = out.send(Raw::Resync);
        }
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) => match serde_json::from_str::<Notice>(n.payload()) {
                    Ok(Notice::Heartbeat) => heard.now(),
                    Ok(notice) => {
                        heard.now();
                        let _ = out.send(Raw::Notice(notice));
                    }
                    Err(e) => tracing::warn!(error = %e, "ignoring a malformed notice"),
                },
                Ok(None) => {
                    tracing::warn!("event listener lost its connection; reconnecting");
                    break;
                }
                Err(_) if pool.is_closed() => return,
                Err(e) => {
                    tracing::warn!(error = %e, "event listener failed; reconnecting");
                    break;
                }
            }
        }
        // Down before anything else: from here until the next `Up`, notices are lost.
        listening.send_replace(Listening::Down);
    }
}

/// Loads the rows of the notices that arrived together and broadcasts the changes.
async fn dispatch(
    db: DatabaseConnection,
    tables: LiveTables,
    mut raw: mpsc::UnboundedReceiver<Raw>,
    hub: broadcast::Sender<BusMessage>,
) {
    while let Some(first) = raw.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match raw.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        for message in resolve(&db, &tables, batch).await {
            // No receiver is fine: nobody is subscribed on this instance.
            let _ = hub.send(message);
        }
    }
}

/// Turns a batch of notices into broadcasts, loading the live rows of each
/// table in one statement.
async fn resolve(db: &DatabaseConnection, tables: &LiveTables, batch: Vec<Raw>) -> Vec<BusMessage> {
    let loaded = match load_live(db, tables, &batch).await {
        Ok(loaded) => loaded,
        Err(e) => {
            tracing::error!(error = %e, "loading rows for events; asking subscribers to resync");
            // The notices that need no rows still go out: a lost session end
            // or content change would not be made good by a resync.
            let mut out = vec![BusMessage::Resync];
            out.extend(batch.into_iter().filter_map(|raw| match raw {
                Raw::Notice(notice) => without_row(&notice),
                Raw::Resync => None,
            }));
            return out;
        }
    };
    batch
        .into_iter()
        .filter_map(|raw| match raw {
            Raw::Resync => Some(BusMessage::Resync),
            Raw::Notice(Notice::Record(mut notice)) => {
                let row = if notice.kind == ChangeKind::Deleted {
                    None
                } else {
                    // Gone since (its DELETED notice follows), or of an unknown table.
                    let loaded = loaded.get(notice.topic.as_str())?.get(&notice.id)?;
                    // The row is the latest state: a creation seen after later
                    // updates is reported as what it now is, an update.
                    if notice.kind == ChangeKind::Created && loaded.version > notice.version {
                        notice.kind = ChangeKind::Updated;
                    }
                    notice.version = loaded.version;
                    Some(loaded.row.clone())
                };
                Some(BusMessage::Record(Arc::new(RecordChange { notice, row })))
            }
            Raw::Notice(notice) => without_row(&notice),
        })
        .collect()
}

/// The broadcast of a notice that carries no row (`None` for a record
/// change, which needs its row, and for a heartbeat, which is not news).
fn without_row(notice: &Notice) -> Option<BusMessage> {
    match *notice {
        Notice::SessionEnded { session_id } => Some(BusMessage::SessionEnded(session_id)),
        Notice::ContentChanged { version } => Some(BusMessage::ContentChanged(version)),
        Notice::GrantsChanged { owner_id } => Some(BusMessage::GrantsChanged(owner_id)),
        Notice::Record(_) | Notice::Heartbeat => None,
    }
}

/// The rows that the batch's notices name and that still exist, per table,
/// each table in one statement read through its owner scope.
async fn load_live(
    db: &DatabaseConnection,
    tables: &LiveTables,
    batch: &[Raw],
) -> Result<HashMap<&'static str, Rows>, DbErr> {
    let mut loaded = HashMap::new();
    for table in &tables.0 {
        let keys: Vec<(i32, i32)> = batch
            .iter()
            .filter_map(|raw| match raw {
                Raw::Notice(Notice::Record(n))
                    if n.kind != ChangeKind::Deleted && n.topic == table.topic() =>
                {
                    Some((n.owner_id, n.id))
                }
                _ => None,
            })
            .collect();
        if !keys.is_empty() {
            loaded.insert(table.topic(), table.load(db, keys).await?);
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_small_json() {
        let notice = Notice::Record(RecordNotice {
            topic: "interviews".to_owned(),
            kind: ChangeKind::Updated,
            id: 12,
            owner_id: 3,
            version: 7,
        });
        let json = serde_json::to_string(&notice).unwrap();
        assert!(json.len() < 100, "{json}");
        assert_eq!(serde_json::from_str::<Notice>(&json).unwrap(), notice);
        let ended = serde_json::to_string(&Notice::SessionEnded { session_id: 5 }).unwrap();
        assert_eq!(ended, r#"{"t":"session_ended","session_id":5}"#);
    }
}
