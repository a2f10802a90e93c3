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
    cache: Mutex<LruCache<String, String>>,
    /// Registered documents by hash, in allow-list mode.
    allow_list: Option<HashMap<String, String>>,
}

impl PersistedQueries {
    /// A store remembering `cache_size` documents; with `dir`, in allow-list
    /// mode over its `.graphql` files.
    pub fn new(cache_size: usize, dir: Option<&Path>) -> anyhow::Result<Self> {
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
            cache: Mutex::new(LruCache::new(size)),
            allow_list,
        })
    }

    /// Fills in or checks `query` from the request's `persistedQuery` extension.
    ///
    /// `sha` is `extensions.persistedQuery.sha256Hash` when sent.
    pub fn resolve(&self, query: &mut String, sha: Option<&str>) -> Result<(), PersistedError> {
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
            return Ok(());
        }
        let Some(sha) = sha else {
            return Ok(());
        };
        let mut cache = self.cache.lock().map_err(|_| PersistedError::NotFound)?;
        if query.is_empty() {
            *query = cache.get(sha).cloned().ok_or(PersistedError::NotFound)?;
            return Ok(());
        }
        if hash(query) != sha {
            return Err(PersistedError::HashMismatch);
        }
        cache.put(sha.to_owned(), query.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apq_registers_then_serves_by_hash_and_forgets_the_oldest() {
        let store = PersistedQueries::new(1, None).unwrap();
        let (q1, q2) = ("{ a }", "{ b }");
        let mut empty = String::new();
        assert_eq!(
            store.resolve(&mut empty, Some(&hash(q1))),
            Err(PersistedError::NotFound)
        );
        let mut full = q1.to_owned();
        store.resolve(&mut full, Some(&hash(q1))).unwrap();
        let mut by_hash = String::new();
        store.resolve(&mut by_hash, Some(&hash(q1))).unwrap();
        assert_eq!(by_hash, q1);
        let mut wrong = q2.to_owned();
        assert_eq!(
            store.resolve(&mut wrong, Some(&hash(q1))),
            Err(PersistedError::HashMismatch)
        );
        store.resolve(&mut q2.to_owned(), Some(&hash(q2))).unwrap();
        let mut evicted = String::new();
        assert_eq!(
            store.resolve(&mut evicted, Some(&hash(q1))),
            Err(PersistedError::NotFound)
        );
    }
}
