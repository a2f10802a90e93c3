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
use entity::content_version;
use lru::LruCache;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait};

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
    entries: Option<Mutex<Entries>>,
    max_bytes: usize,
}

struct Entries {
    lru: LruCache<Key, Bytes>,
    bytes: usize,
}

impl ResponseCache {
    /// A cache of at most `capacity` answers and `max_bytes` bytes; 0 turns it off.
    pub fn new(capacity: usize, max_bytes: usize) -> Self {
        Self {
            entries: NonZeroUsize::new(capacity)
                .filter(|_| max_bytes > 0)
                .map(|n| {
                    Mutex::new(Entries {
                        lru: LruCache::new(n),
                        bytes: 0,
                    })
                }),
            max_bytes,
        }
    }

    /// Whether caching is on.
    pub fn enabled(&self) -> bool {
        self.entries.is_some()
    }

    /// The current content version (one single-row read).
    pub async fn version(db: &DatabaseConnection) -> Result<i64, DbErr> {
        let row = content_version::Entity::find_by_id(content_version::ROW_ID)
            .one(db)
            .await?;
        Ok(row.map_or(0, |r| r.version))
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
        entries.lock().ok()?.lru.get(key).cloned()
    }

    /// Stores an error-free answer under `key`.
    pub fn put(&self, key: Key, body: Bytes) {
        // One answer may take at most a quarter of the budget.
        if body.len() > self.max_bytes / 4 {
            return;
        }
        let Some(entries) = &self.entries else {
            return;
        };
        let Ok(mut entries) = entries.lock() else {
            return;
        };
        entries.bytes += body.len();
        if let Some((_, old)) = entries.lru.push(key, body) {
            entries.bytes -= old.len();
        }
        while entries.bytes > self.max_bytes {
            match entries.lru.pop_lru() {
                Some((_, old)) => entries.bytes -= old.len(),
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(q: &str) -> async_graphql::Request {
        async_graphql::Request::new(q)
    }

    #[test]
    fn keys_on_version_and_evicts_past_the_byte_budget() {
        let cache = ResponseCache::new(10, 100);
        cache.put(
            ResponseCache::key(1, &request("{ a }")),
            Bytes::from(vec![b'a'; 20]),
        );
        assert!(
            cache
                .get(&ResponseCache::key(1, &request("{ a }")))
                .is_some()
        );
        assert!(
            cache
                .get(&ResponseCache::key(2, &request("{ a }")))
                .is_none(),
            "another version"
        );
        // Too big for a quarter of the budget: not kept.
        cache.put(
            ResponseCache::key(1, &request("{ b }")),
            Bytes::from(vec![b'b'; 26]),
        );
        assert!(
            cache
                .get(&ResponseCache::key(1, &request("{ b }")))
                .is_none()
        );
        // Filling past 100 bytes evicts the least recently used.
        for q in ["{ c }", "{ d }", "{ e }", "{ f }", "{ g }"] {
            cache.put(
                ResponseCache::key(1, &request(q)),
                Bytes::from(vec![b'x'; 20]),
            );
        }
        assert!(
            cache
                .get(&ResponseCache::key(1, &request("{ a }")))
                .is_none()
        );
        assert!(
            cache
                .get(&ResponseCache::key(1, &request("{ g }")))
                .is_some()
        );
        assert!(!ResponseCache::new(0, 100).enabled());
    }
}
