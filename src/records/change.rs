//! What happened to a record, as the event bus carries it.

use std::any::Any;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Live;

/// What happened to a record. Each feature's GraphQL event enum
/// (`StarDraftEventKind`, `InterviewEventKind`) is this under its own name.
#[derive(Serialize, Deserialize, Copy, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Created,
    Updated,
    Deleted,
}

/// A change notice as it travels between instances: ids, owner and version
/// only (NOTIFY payloads are small); the row is loaded by each instance.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RecordNotice {
    /// The record's table, [`Live::TOPIC`].
    pub topic: String,
    pub kind: ChangeKind,
    pub id: i32,
    pub owner_id: i32,
    /// The version the change wrote (or deleted).
    pub version: i32,
}

impl RecordNotice {
    /// The notice of change `kind` to `row`.
    pub fn of<R: Live>(kind: ChangeKind, row: &R::Model) -> Self {
        Self {
            topic: R::TOPIC.to_owned(),
            kind,
            id: R::id_of(row),
            owner_id: R::owner_of(row),
            version: R::version_of(row),
        }
    }
}

/// A record change as an instance's subscribers receive it: the notice, with
/// the row as loaded after the change (of the type its topic names).
#[derive(Debug)]
pub struct RecordChange {
    pub notice: RecordNotice,
    /// `None` for a deletion.
    pub row: Option<Arc<dyn Any + Send + Sync>>,
}

impl RecordChange {
    /// This change as a change of `R`, or `None` when it is of another table.
    pub fn of<R: Live>(&self) -> Option<Change<R::Model>>
    where
        R::Model: Clone,
    {
        if self.notice.topic != R::TOPIC {
            return None;
        }
        let row = match &self.row {
            Some(row) => Some(row.downcast_ref::<R::Model>()?.clone()),
            None => None,
        };
        Some(Change {
            kind: self.notice.kind,
            id: self.notice.id,
            owner_id: self.notice.owner_id,
            version: self.notice.version,
            row,
        })
    }
}

/// A change of one record of a known table.
#[derive(Debug, Clone)]
pub struct Change<M> {
    pub kind: ChangeKind,
    pub id: i32,
    pub owner_id: i32,
    /// The version of `row` (the latest), or the deleted version.
    pub version: i32,
    /// The record after the change; `None` once deleted.
    pub row: Option<M>,
}

impl<M> Change<M> {
    /// An UPDATED change carrying `row` at `version` (catch-up and resync).
    pub fn updated(id: i32, owner_id: i32, version: i32, row: M) -> Self {
        Self {
            kind: ChangeKind::Updated,
            id,
            owner_id,
            version,
            row: Some(row),
        }
    }
}
