//! A cache of anonymous query answers, keyed by the content version.
//!
//! What an anonymous query can read is role content, which changes only by
//! import; every import bumps `content_version` in its own transaction. An
//! answer is stored under the version known before it was computed, and found
//! only by requests that know that same version. The version is known in
//! memory where that is sound, so a hit runs no SQL; see
//! [`crate::http::content_version`] for when an instance learns of an import.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use lru::LruCache;
use tokio::sync::OnceCell;

use crate::http::compression::{self, Encoding};

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
    lru: LruCache<Key, Arc<Entry>>,
    bytes: usize,
}

/// A stored answer: its JSON and, once a client asked for them, its br and
/// gzip forms, each compressed at most once.
///
/// Lazily rather than at `put`: most clients take br only, so an eager gzip
/// form would mostly be memory and CPU spent for no one, and an answer that is
/// never asked again costs nothing more. The request that first asks for an
/// encoding (the one that computed the answer, usually) compresses it.
pub struct Entry {
    json: Bytes,
    br: OnceCell<Bytes>,
    gzip: OnceCell<Bytes>,
    // Both are changed only under the cache's lock (atomics for `Sync`):
    // the bytes this entry counts against the budget, and whether it is
    // still held (a form made after its eviction is not counted).
    charged: AtomicUsize,
    held: AtomicBool,
}

impl Entry {
    /// The answer as JSON, as every transport can send it.
    pub fn json(&self) -> &Bytes {
        &self.json
    }

    /// An answer no cache holds (too large for it, or the cache is off), to
    /// be sent in a chosen coding like a cached one; its forms count against
    /// no budget.
    pub fn detached(json: Bytes) -> Arc<Self> {
        Arc::new(Self {
            json,
            br: OnceCell::new(),
            gzip: OnceCell::new(),
            charged: AtomicUsize::new(0),
            held: AtomicBool::new(false),
        })
    }
}

/// An entry's answer in one encoding.
pub struct Encoded {
    /// The bytes to send.
    pub body: Bytes,
    /// Whether this request compressed them (else they were stored).
    pub fresh: bool,
}

impl Entries {
    fn release(&mut self, old: &Entry) {
        self.bytes -= old.charged.load(Ordering::Relaxed);
        old.held.store(false, Ordering::Relaxed);
    }

    fn evict_past(&mut self, max_bytes: usize) {
        while self.bytes > max_bytes {
            match self.lru.pop_lru() {
                Some((_, old)) => self.release(&old),
                None => break,
            }
        }
    }
}

impl ResponseCache {
    /// A cache of at most `capacity` answers and `max_bytes` bytes (their
    /// compressed forms included); 0 turns it off.
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
    pub fn get(&self, key: &Key) -> Option<Arc<Entry>> {
        let entries = self.entries.as_ref()?;
        entries.lock().ok()?.lru.get(key).cloned()
    }

    /// Stores an error-free answer under `key`; the entry, unless it is not kept.
    pub fn put(&self, key: Key, body: Bytes) -> Option<Arc<Entry>> {
        // One answer may take at most a quarter of the budget.
        if body.len() > self.max_bytes / 4 {
            return None;
        }
        let mut entries = self.entries.as_ref()?.lock().ok()?;
        let entry = Arc::new(Entry {
            charged: AtomicUsize::new(body.len()),
            held: AtomicBool::new(true),
            json: body,
            br: OnceCell::new(),
            gzip: OnceCell::new(),
        });
        entries.bytes += entry.json.len();
        if let Some((_, old)) = entries.lru.push(key, entry.clone()) {
            entries.release(&old);
        }
        entries.evict_past(self.max_bytes);
        Some(entry)
    }

    /// `entry`'s answer in `encoding`: compressed by the first request that
    /// asks (off the async threads; concurrent ones wait for it), then stored
    /// with the entry and counted against the budget. `None` if compressing
    /// failed.
    pub async fn encoded(&self, entry: &Arc<Entry>, encoding: Encoding) -> Option<Encoded> {
        let cell = match encoding {
            Encoding::Identity => {
                return Some(Encoded {
                    body: entry.json.clone(),
                    fresh: false,
                });
            }
            Encoding::Br => &entry.br,
            Encoding::Gzip => &entry.gzip,
        };
        let mut fresh = false;
        let body = cell
            .get_or_try_init(|| async {
                let json = entry.json.clone();
                let compressed =
                    tokio::task::spawn_blocking(move || compression::compress(encoding, &json))
                        .await
                        .map_err(std::io::Error::other)
                        .and_then(|compressed| compressed);
                if let Err(e) = &compressed {
                    tracing::error!(error = %e, encoding = encoding.token(), "compressing a cached answer");
                }
                fresh = compressed.is_ok();
                compressed.map(Bytes::from)
            })
            .await
            .ok()?
            .clone();
        if fresh {
            self.charge(entry, body.len());
        }
        Some(Encoded { body, fresh })
    }

    /// Counts `bytes` more of `entry` against the budget, if it is still held.
    fn charge(&self, entry: &Entry, bytes: usize) {
        let Some(Ok(mut entries)) = self.entries.as_ref().map(Mutex::lock) else {
            return;
        };
        if entry.held.load(Ordering::Relaxed) {
            entry.charged.fetch_add(bytes, Ordering::Relaxed);
            entries.bytes += bytes;
            entries.evict_past(self.max_bytes);
        }
    }

    /// Bytes held in all, compressed forms included.
    #[cfg(test)]
    fn held_bytes(&self) -> usize {
        self.entries
            .as_ref()
            .and_then(|e| e.lock().ok())
            .map_or(0, |e| e.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(q: &str) -> async_graphql::Request {
        async_graphql::Request::new(q)
    }

    /// Whether `cache` holds an answer to `q` at content version 1.
    fn holds(cache: &ResponseCache, q: &str) -> bool {
        cache.get(&ResponseCache::key(1, &request(q))).is_some()
    }

    #[test]
    fn keys_on_version_and_evicts_past_the_byte_budget() {
        let cache = ResponseCache::new(10, 100);
        cache.put(
            ResponseCache::key(1, &request("{ a }")),
            Bytes::from(vec![b'a'; 20]),
        );
        assert!(holds(&cache, "{ a }"));
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
        assert!(!holds(&cache, "{ b }"));
        // Filling past 100 bytes evicts the least recently used.
        for q in ["{ c }", "{ d }", "{ e }", "{ f }", "{ g }"] {
            cache.put(
                ResponseCache::key(1, &request(q)),
                Bytes::from(vec![b'x'; 20]),
            );
        }
        assert!(!holds(&cache, "{ a }"));
        assert!(holds(&cache, "{ g }"));
        assert!(!ResponseCache::new(0, 100).enabled());
    }

    fn json(n: usize) -> Bytes {
        let rows: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"id":"role-{i}","title":"Role {i}"}}"#))
            .collect();
        Bytes::from(format!(r#"{{"data":{{"roles":[{}]}}}}"#, rows.join(",")))
    }

    #[tokio::test]
    async fn forms_are_compressed_once_and_count_against_the_budget() {
        let cache = ResponseCache::new(10, 100_000);
        let body = json(500);
        let entry = cache
            .put(ResponseCache::key(1, &request("{ a }")), body.clone())
            .expect("kept");
        assert_eq!(cache.held_bytes(), body.len());

        let first = cache.encoded(&entry, Encoding::Br).await.expect("br");
        assert!(first.fresh);
        assert!(first.body.len() < body.len() / 4);
        assert_eq!(cache.held_bytes(), body.len() + first.body.len());
        let again = cache.encoded(&entry, Encoding::Br).await.expect("br");
        assert!(!again.fresh, "stored, not compressed again");
        assert_eq!(again.body, first.body);
        assert_eq!(cache.held_bytes(), body.len() + first.body.len());

        let gzip = cache.encoded(&entry, Encoding::Gzip).await.expect("gzip");
        assert!(gzip.fresh);
        let plain = cache
            .encoded(&entry, Encoding::Identity)
            .await
            .expect("json");
        assert!(!plain.fresh);
        assert_eq!(plain.body, body);
        let held = body.len() + first.body.len() + gzip.body.len();
        assert_eq!(cache.held_bytes(), held);

        // A hit finds the same entry, forms and all.
        let hit = cache
            .get(&ResponseCache::key(1, &request("{ a }")))
            .expect("hit");
        assert!(
            !cache
                .encoded(&hit, Encoding::Gzip)
                .await
                .expect("gzip")
                .fresh
        );

        // Replaced: its bytes leave the budget, and a form made afterwards
        // (for a request that still holds it) is not counted.
        let replaced = cache
            .put(ResponseCache::key(1, &request("{ b }")), body.clone())
            .expect("kept");
        let replacement = cache
            .put(ResponseCache::key(1, &request("{ b }")), json(10))
            .expect("kept");
        let held = held + replacement.json().len();
        assert_eq!(cache.held_bytes(), held);
        assert!(
            cache
                .encoded(&replaced, Encoding::Br)
                .await
                .expect("br")
                .fresh
        );
        assert_eq!(cache.held_bytes(), held);
    }

    #[tokio::test]
    async fn a_new_form_evicts_past_the_budget() {
        let body = json(500);
        let cache = ResponseCache::new(10, 4 * body.len());
        let keys = ["{ a }", "{ b }", "{ c }", "{ d }"];
        let mut last = None;
        for q in keys {
            last = cache.put(ResponseCache::key(1, &request(q)), body.clone());
        }
        assert_eq!(cache.held_bytes(), 4 * body.len());
        let last = last.expect("kept");
        let br = cache.encoded(&last, Encoding::Br).await.expect("br");
        assert!(!holds(&cache, "{ a }"));
        assert!(holds(&cache, "{ d }"));
        assert_eq!(cache.held_bytes(), 3 * body.len() + br.body.len());
    }
}
