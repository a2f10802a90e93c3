//! Persisted queries: Apollo's automatic persisted queries (APQ) with a
//! bounded cache, and an allow-list mode that runs only registered documents.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context as _;
use lru::LruCache;
use sha2::{Digest, Sha256};

/// Why a request's document could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersistedError {
    /// The hash is unknown: send the query with it (APQ's second round trip).
    NotFound,
    /// The query does not hash to the hash sent.
    HashMismatch,
    /// Allow-list mode and the document is not registered.
    NotAllowed,
}

impl PersistedError {
    /// `extensions.code` and message, as Apollo clients expect them.
    pub fn code_and_message(&self) -> (&'static str, &'static str) {
        match self {
            Self::NotFound => ("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound"),
            Self::HashMismatch => ("BAD_USER_INPUT", "provided sha does not match query"),
            Self::NotAllowed => (
                "PERSISTED_QUERY_NOT_ALLOWED",
                "only registered documents may be run on this server",
            ),
        }
    }
}

/// The `persistedQuery.sha256Hash` extension of a request, if sent.
pub fn sent_hash(request: &async_graphql::Request) -> Option<String> {
    let ext = request.extensions.get("persistedQuery")?;
    let value = serde_json::to_value(ext).ok()?;
    value.get("sha256Hash")?.as_str().map(str::to_owned)
}

/// The hex SHA-256 of a document, as APQ computes it.
pub fn hash(query: &str) -> String {
    hex::encode(Sha256::digest(query.as_bytes()))
}

/// The persisted-query store of one server.
pub struct PersistedQueries {
    apq: Mutex<Apq>,
    /// Registered documents by hash, in allow-list mode.
    allow_list: Option<HashMap<String, String>>,
}

/// The APQ documents, bounded by entries (the LRU's capacity) and by bytes:
/// documents differ in size by three orders of magnitude, so a count alone
/// bounds nothing.
struct Apq {
    cache: LruCache<String, String>,
    /// Bytes held: each entry's hash and text.
    bytes: usize,
    max_bytes: usize,
}

impl Apq {
    fn size(sha: &str, query: &str) -> usize {
        sha.len() + query.len()
    }

    fn put(&mut self, sha: &str, query: &str) {
        let size = Self::size(sha, query);
        if size > self.max_bytes {
            // Would evict everything and still not fit: not remembered.
            return;
        }
        // `push` hands back the entry it replaced or evicted (at capacity).
        if let Some((k, v)) = self.cache.push(sha.to_owned(), query.to_owned()) {
            self.bytes -= Self::size(&k, &v);
        }
        self.bytes += size;
        while self.bytes > self.max_bytes {
            let Some((k, v)) = self.cache.pop_lru() else {
                break;
            };
            self.bytes -= Self::size(&k, &v);
        }
    }
}

impl PersistedQueries {
    /// A store remembering up to `cache_size` documents and `max_bytes` of
    /// them; with `dir`, in allow-list mode over its `.graphql` files.
    pub fn new(cache_size: usize, max_bytes: usize, dir: Option<&Path>) -> anyhow::Result<Self> {
        let allow_list = dir
            .map(|dir| -> anyhow::Result<HashMap<String, String>> {
                let mut docs = HashMap::new();
                for entry in
                    std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?
                {
                    let path = entry?.path();
                    if path.extension().is_some_and(|e| e == "graphql") {
                        let text = std::fs::read_to_string(&path)
                            .with_context(|| format!("reading {}", path.display()))?;
                        let text = text.trim().to_owned();
                        docs.insert(hash(&text), text);
                    }
                }
                Ok(docs)
            })
            .transpose()?;
        let size = NonZeroUsize::new(cache_size.max(1)).unwrap_or(NonZeroUsize::MIN);
        Ok(Self {
            apq: Mutex::new(Apq {
                cache: LruCache::new(size),
                bytes: 0,
                max_bytes,
            }),
            allow_list,
        })
    }

    /// Fills in or checks `query` from the request's `persistedQuery` extension.
    ///
    /// `sha` is `extensions.persistedQuery.sha256Hash` when sent. Returns the
    /// hash to [`Self::remember`] the document under once it has passed the
    /// document checks: a document is stored only after them, so one that
    /// is refused costs the store nothing.
    pub fn resolve(
        &self,
        query: &mut String,
        sha: Option<&str>,
    ) -> Result<Option<String>, PersistedError> {
        if let Some(allowed) = &self.allow_list {
            let key = match sha {
                Some(sha) => sha.to_owned(),
                None => hash(query.trim()),
            };
            let document = allowed.get(&key).ok_or(PersistedError::NotAllowed)?;
            if !query.is_empty() && query.trim() != document {
                return Err(PersistedError::HashMismatch);
            }
            *query = document.clone();
            return Ok(None);
        }
        let Some(sha) = sha else {
            return Ok(None);
        };
        if query.is_empty() {
            let mut apq = self.apq.lock().map_err(|_| PersistedError::NotFound)?;
            *query = apq
                .cache
                .get(sha)
                .cloned()
                .ok_or(PersistedError::NotFound)?;
            return Ok(None);
        }
        if hash(query) != sha {
            return Err(PersistedError::HashMismatch);
        }
        Ok(Some(sha.to_owned()))
    }

    /// Stores a document [`Self::resolve`] named, evicting the least recently
    /// used ones past the entry or byte bound.
    pub fn remember(&self, sha: &str, query: &str) {
        if let Ok(mut apq) = self.apq.lock() {
            apq.put(sha, query);
        }
    }

    /// Bytes the APQ documents hold (hashes and texts).
    pub fn bytes(&self) -> usize {
        self.apq.lock().map_or(0, |apq| apq.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `resolve` then, as the pipeline does after its checks, `remember`.
    fn register(store: &PersistedQueries, query: &str) {
        let sha = store.resolve(&mut query.to_owned(), Some(&hash(query)));
        store.remember(&sha.unwrap().unwrap(), query);
    }

    #[test]
    fn apq_registers_then_serves_by_hash_and_forgets_the_oldest() {
        let store = PersistedQueries::new(1, 1 << 20, None).unwrap();
        let (q1, q2) = ("{ a }", "{ b }");
        let mut empty = String::new();
        assert_eq!(
            store.resolve(&mut empty, Some(&hash(q1))),
            Err(PersistedError::NotFound)
        );
        register(&store, q1);
        let mut by_hash = String::new();
        store.resolve(&mut by_hash, Some(&hash(q1))).unwrap();
        assert_eq!(by_hash, q1);
        let mut wrong = q2.to_owned();
        assert_eq!(
            store.resolve(&mut wrong, Some(&hash(q1))),
            Err(PersistedError::HashMismatch)
        );
        register(&store, q2);
        let mut evicted = String::new();
        assert_eq!(
            store.resolve(&mut evicted, Some(&hash(q1))),
            Err(PersistedError::NotFound)
        );
        assert_eq!(store.bytes(), 64 + q2.len());
    }

    #[test]
    fn apq_is_bounded_by_bytes_and_resolving_alone_stores_nothing() {
        let docs: Vec<String> = (0..5)
            .map(|i| format!("{{ a{i} {} }}", "b ".repeat(46)))
            .collect();
        // Room for three: each entry is its 64-character hash and its text.
        let bound = 3 * (64 + docs[0].len());
        let store = PersistedQueries::new(100, bound, None).unwrap();
        let mut unchecked = "{ x }".to_owned();
        let sha = hash(&unchecked);
        store.resolve(&mut unchecked, Some(&sha)).unwrap();
        assert_eq!(store.bytes(), 0);
        for doc in &docs {
            register(&store, doc);
            assert!(store.bytes() <= bound);
        }
        assert_eq!(store.bytes(), bound);
        let found = |doc: &str| store.resolve(&mut String::new(), Some(&hash(doc))).is_ok();
        assert!(!found(&docs[0]) && !found(&docs[1]));
        assert!(docs[2..].iter().all(|d| found(d)));
        // Bigger than the whole bound: not stored, nothing evicted.
        register(&store, &format!("{{ {} }}", "c ".repeat(300)));
        assert!(docs[2..].iter().all(|d| found(d)));
    }
}
