//! Connection counts per key (account, client address), with slots that
//! give their place back when dropped.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Open sockets on this instance: per account, and per client address
/// before `connection_init` and when anonymous.
#[derive(Default)]
pub struct ConnectionCounts {
    /// Authenticated sockets per account.
    pub users: Arc<Counts<i32>>,
    /// Operations running per account, over all its sockets.
    pub user_operations: Arc<Counts<i32>>,
    /// Sockets that have not sent `connection_init`, per address.
    pub pending: Arc<Counts<IpAddr>>,
    /// Acknowledged anonymous sockets, per address.
    pub anonymous: Arc<Counts<IpAddr>>,
}

/// Open connections per key on this instance.
pub struct Counts<K>(Mutex<HashMap<K, usize>>);

impl<K> Default for Counts<K> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

/// A counted connection; dropping it gives the place back.
pub struct Slot<K: Hash + Eq + Copy> {
    counts: Arc<Counts<K>>,
    key: K,
}

impl<K: Hash + Eq + Copy> Counts<K> {
    /// A place for `key`, unless it already holds `max`.
    pub fn take(self: &Arc<Self>, key: K, max: usize) -> Option<Slot<K>> {
        let mut counts = self.0.lock().ok()?;
        let n = counts.entry(key).or_default();
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot {
            counts: self.clone(),
            key,
        })
    }

    /// How many places `key` holds.
    pub fn count(&self, key: K) -> usize {
        self.0
            .lock()
            .map(|c| c.get(&key).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

impl<K: Hash + Eq + Copy> Drop for Slot<K> {
    fn drop(&mut self) {
        if let Ok(mut counts) = self.counts.0.lock()
            && let Some(n) = counts.get_mut(&self.key)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

/// For a request that arrived through a trusted proxy: the per-address
/// connection counts, so that a WebSocket upgraded on it can take a place
/// for the forwarded client (the proxy's connection itself is not counted:
/// it carries many clients).
#[derive(Clone)]
pub struct ProxiedSockets {
    /// The counts every direct connection also takes its place in.
    pub counts: Arc<Counts<IpAddr>>,
    /// `--max-connections-per-address`.
    pub max: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_per_key_and_given_back() {
        let counts: Arc<Counts<u8>> = Arc::default();
        let a1 = counts.take(1, 2);
        let a2 = counts.take(1, 2);
        assert!(a1.is_some() && a2.is_some());
        assert!(counts.take(1, 2).is_none());
        assert!(
            counts.take(2, 2).is_some(),
            "another key has its own places"
        );
        drop(a1);
        assert_eq!(counts.count(1), 1);
        assert!(counts.take(1, 2).is_some());
    }
}
