//! Draft and interview change events: staged with the change, delivered after it commits to
//! the subscribers of every server instance.
//!
//! Two transports, chosen by the database:
//! - SQLite (one instance): the writer hands the notice to this process's
//!   dispatcher after its commit.
//! - PostgreSQL (any number of instances): the writer runs `pg_notify` inside
//!   its transaction, which PostgreSQL delivers at commit, in commit order, to
//!   the listener of every instance.
//!
//! A notice carries only ids, owner and version (NOTIFY payloads are small).
//! Each instance's dispatcher loads the drafts (and the interviews) of the
//! notices that arrived together in one statement per table and broadcasts
//! the result to local subscribers.
//! The broadcast channel is bounded: a subscriber that falls behind gets
//! `Lagged` and reloads the latest state instead of queueing without limit.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::Enum;
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;

use entity::{interview, star_draft};

use crate::drafts::owned::owned_by_each;
use crate::interviews::owned as interviews_owned;

/// The PostgreSQL channel the notices travel on.
pub const CHANNEL: &str = "prep_events";
/// Most notices the dispatcher loads in one statement.
const MAX_BATCH: usize = 256;

/// What happened to a draft.
#[derive(Enum, Serialize, Deserialize, Copy, Clone, Debug, PartialEq, Eq)]
pub enum StarDraftEventKind {
    Created,
    Updated,
    Deleted,
}

/// What happened to an interview (or its plan, which changes its version too).
#[derive(Enum, Serialize, Deserialize, Copy, Clone, Debug, PartialEq, Eq)]
pub enum InterviewEventKind {
    Created,
    Updated,
    Deleted,
}

/// A change notice as it travels between instances.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Notice {
    /// A draft changed; `version` is the version the change wrote (or deleted).
    Draft {
        kind: StarDraftEventKind,
        draft_id: i32,
        owner_id: i32,
        version: i32,
    },
    /// A session was revoked: connections authenticated with it must end.
    SessionEnded { session_id: i32 },
    /// An interview or its plan changed; `version` is the version the change wrote (or deleted).
    Interview {
        kind: InterviewEventKind,
        interview_id: i32,
        owner_id: i32,
        version: i32,
    },
}

/// A draft change as subscribers receive it, with the draft as loaded after the change.
#[derive(Debug)]
pub struct DraftChange {
    pub kind: StarDraftEventKind,
    pub draft_id: i32,
    pub owner_id: i32,
    /// The version of `row` (the latest), or the deleted version.
    pub version: i32,
    /// `None` for a deleted draft.
    pub row: Option<star_draft::Model>,
}

/// An interview change as subscribers receive it, with the interview as loaded after the change.
#[derive(Debug)]
pub struct InterviewChange {
    pub kind: InterviewEventKind,
    pub interview_id: i32,
    pub owner_id: i32,
    /// The version of `row` (the latest), or the deleted version.
    pub version: i32,
    /// `None` for a deleted interview.
    pub row: Option<interview::Model>,
}

/// One broadcast to the subscribers of this instance.
#[derive(Debug, Clone)]
pub enum BusMessage {
    Draft(Arc<DraftChange>),
    Interview(Arc<InterviewChange>),
    SessionEnded(i32),
    /// Notices may have been lost (the listener reconnected): reload what you show.
    Resync,
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
    /// Starts the dispatcher (and, on PostgreSQL, the listener) for `db`;
    /// `capacity` bounds the broadcast to subscribers.
    pub fn start(db: DatabaseConnection, capacity: usize) -> Self {
        let (hub, _) = broadcast::channel(capacity.max(1));
        let (local, raw) = mpsc::unbounded_channel();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        let mut tasks = Vec::new();
        if postgres {
            tasks.push(tokio::spawn(listen(db.clone(), local.clone())));
        }
        tasks.push(tokio::spawn(dispatch(db, raw, hub.clone())));
        Self {
            inner: Arc::new(Inner {
                hub,
                subscribed: watch::channel(0).0,
                local,
                postgres,
                tasks,
            }),
        }
    }

    /// Stages `notice` in the writer's transaction. On PostgreSQL it is sent
    /// by the commit; in-process, [`Self::committed`] sends it.
    pub async fn stage(&self, tx: &impl ConnectionTrait, notice: &Notice) -> Result<(), DbErr> {
        if !self.inner.postgres {
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
}

/// Forwards PostgreSQL notifications to the dispatcher, reconnecting when the
/// connection drops and then asking subscribers to resync.
async fn listen(db: DatabaseConnection, out: mpsc::UnboundedSender<Raw>) {
    let pool = db.get_postgres_connection_pool().clone();
    let mut backoff = Duration::from_millis(100);
    let mut first = true;
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "event listener cannot connect; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "event listener cannot LISTEN; retrying");
            tokio::time::sleep(backoff).await;
            continue;
        }
        backoff = Duration::from_millis(100);
        if !first {
            let _ = out.send(Raw::Resync);
        }
        first = false;
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) => match serde_json::from_str::<Notice>(n.payload()) {
                    Ok(notice) => {
                        let _ = out.send(Raw::Notice(notice));
                    }
                    Err(e) => tracing::warn!(error = %e, "ignoring a malformed notice"),
                },
                // The connection dropped and was re-established (LISTEN included):
                // anything sent meanwhile is lost, so subscribers reload.
                Ok(None) => {
                    tracing::warn!("event listener reconnected");
                    let _ = out.send(Raw::Resync);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "event listener failed; reconnecting");
                    break;
                }
            }
        }
    }
}

/// Loads the drafts of the notices that arrived together and broadcasts the changes.
async fn dispatch(
    db: DatabaseConnection,
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
        for message in resolve(&db, batch).await {
            // No receiver is fine: nobody is subscribed on this instance.
            let _ = hub.send(message);
        }
    }
}

/// Turns a batch of notices into broadcasts, loading every live draft and
/// every live interview in one statement each.
async fn resolve(db: &DatabaseConnection, batch: Vec<Raw>) -> Vec<BusMessage> {
    let (drafts, interviews) = match load_live(db, &batch).await {
        Ok(loaded) => loaded,
        Err(e) => {
            tracing::error!(error = %e, "loading rows for events; asking subscribers to resync");
            return vec![BusMessage::Resync];
        }
    };
    batch
        .into_iter()
        .filter_map(|raw| match raw {
            Raw::Resync => Some(BusMessage::Resync),
            Raw::Notice(Notice::SessionEnded { session_id }) => {
                Some(BusMessage::SessionEnded(session_id))
            }
            Raw::Notice(Notice::Draft {
                kind,
                draft_id,
                owner_id,
                version,
            }) => {
                let row = if kind == StarDraftEventKind::Deleted {
                    None
                } else {
                    // Deleted since: its DELETED notice follows.
                    Some(drafts.get(&draft_id)?.clone())
                };
                // The row is the latest state: a creation seen after later
                // updates is reported as what it now is, an update.
                let kind = match &row {
                    Some(r) if kind == StarDraftEventKind::Created && r.version > version => {
                        StarDraftEventKind::Updated
                    }
                    _ => kind,
                };
                Some(BusMessage::Draft(Arc::new(DraftChange {
                    kind,
                    draft_id,
                    owner_id,
                    version: row.as_ref().map_or(version, |r| r.version),
                    row,
                })))
            }
            Raw::Notice(Notice::Interview {
                kind,
                interview_id,
                owner_id,
                version,
            }) => {
                let row = if kind == InterviewEventKind::Deleted {
                    None
                } else {
                    Some(interviews.get(&interview_id)?.clone())
                };
                let kind = match &row {
                    Some(r) if kind == InterviewEventKind::Created && r.version > version => {
                        InterviewEventKind::Updated
                    }
                    _ => kind,
                };
                Some(BusMessage::Interview(Arc::new(InterviewChange {
                    kind,
                    interview_id,
                    owner_id,
                    version: row.as_ref().map_or(version, |r| r.version),
                    row,
                })))
            }
        })
        .collect()
}

type LiveRows = (
    HashMap<i32, star_draft::Model>,
    HashMap<i32, interview::Model>,
);

/// The drafts and interviews that the batch's notices name and that still
/// exist, each read through its owner's scope.
async fn load_live(db: &DatabaseConnection, batch: &[Raw]) -> Result<LiveRows, DbErr> {
    let mut live_drafts = Vec::new();
    let mut live_interviews = Vec::new();
    for raw in batch {
        match raw {
            Raw::Notice(Notice::Draft {
                kind,
                draft_id,
                owner_id,
                ..
            }) if *kind != StarDraftEventKind::Deleted => live_drafts.push((
                *owner_id,
                Condition::all().add(star_draft::Column::Id.eq(*draft_id)),
            )),
            Raw::Notice(Notice::Interview {
                kind,
                interview_id,
                owner_id,
                ..
            }) if *kind != InterviewEventKind::Deleted => live_interviews.push((
                *owner_id,
                Condition::all().add(interview::Column::Id.eq(*interview_id)),
            )),
            _ => {}
        }
    }
    let drafts = if live_drafts.is_empty() {
        HashMap::new()
    } else {
        owned_by_each(live_drafts)
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect()
    };
    let interviews = if live_interviews.is_empty() {
        HashMap::new()
    } else {
        interviews_owned::owned_by_each(live_interviews)
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect()
    };
    Ok((drafts, interviews))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_small_json() {
        let notice = Notice::Draft {
            kind: StarDraftEventKind::Updated,
            draft_id: 12,
            owner_id: 3,
            version: 7,
        };
        let json = serde_json::to_string(&notice).unwrap();
        assert!(json.len() < 100, "{json}");
        assert_eq!(serde_json::from_str::<Notice>(&json).unwrap(), notice);
        let interview = Notice::Interview {
            kind: InterviewEventKind::Deleted,
            interview_id: 4,
            owner_id: 3,
            version: 2,
        };
        let json = serde_json::to_string(&interview).unwrap();
        assert!(json.len() < 100, "{json}");
        assert_eq!(serde_json::from_str::<Notice>(&json).unwrap(), interview);
        let ended = serde_json::to_string(&Notice::SessionEnded { session_id: 5 }).unwrap();
        assert_eq!(ended, r#"{"t":"session_ended","session_id":5}"#);
    }
}
