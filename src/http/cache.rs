//! A cache of anonymous query answers, keyed by the content version.
//!
//! What an anonymous query can read is role content, which changes only by
//! import; every import bumps `content_version` in its own transaction. An
//! answer is stored under the version read before it was computed, and found
//! only by requests that read that same version, so once an import commits no
//! request is answered from before it, on any instance.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use axum::body::Bytes;
use lru::LruCache;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};

/// Answers larger than this are not kept.
const MAX_ENTRY_BYTES: usize = 1 << 20;

/// What an answer is stored under.
#[derive(Hash, PartialEq, Eq)]
pub struct Key {
    version: i64,
    query: String,
    variables: String,
    operation: Option<String>,
}

/// The cache of one server.
pub struct ResponseCache {
    entries: Option<Mutex<LruCache<Key, Bytes>>>,
}

impl ResponseCache {
    /// A cache of `capacity` answers; 0 turns it off.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: NonZeroUsize::new(capacity).map(|n| Mutex::new(LruCache::new(n))),
        }
    }

    /// Whether caching is on.
    pub fn enabled(&self) -> bool {
        self.entries.is_some()
    }

    /// The current content version (one single-row read).
    pub async fn version(db: &DatabaseConnection) -> Result<i64, DbErr> {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT version FROM content_version WHERE id = 1",
            ))
            .await?;
        row.map(|r| r.try_get::<i64>("", "version"))
            .transpose()
            .map(|v| v.unwrap_or(0))
    }

    /// The key of `request` at content `version`.
    pub fn key(version: i64, request: &async_graphql::Request) -> Key {
        Key {
            version,
            query: request.query.clone(),
            variables: serde_json::to_string(&request.variables).unwrap_or_default(),
            operation: request.operation_name.clone(),
        }
    }

    /// The stored answer under `key`.
    pub fn get(&self, key: &Key) -> Option<Bytes> {
        let entries = self.entries.as_ref()?;
        entries.lock().ok()?.get(key).cloned()
    }

    /// Stores an error-free answer under `key`.
    pub fn put(&self, key: Key, body: Bytes) {
        if body.len() > MAX_ENTRY_BYTES {
            return;
        }
        if let Some(entries) = &self.entries
            && let Ok(mut entries) = entries.lock()
        {
            entries.put(key, body);
        }
    }
}
