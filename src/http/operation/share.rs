//! Each viewer's share of the turns to execute.
//!
//! `max_concurrent_operations` bounds what executes at once; without a share
//! per viewer, one account (or one anonymous address) sending many expensive
//! documents at once holds every turn, and everyone else's cheap query waits
//! behind them. Here a viewer waits for its own share first, then for a turn,
//! so it never holds more than `max_concurrent_operations_per_viewer` of them.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// Whose share an operation runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sharer {
    /// A signed-in account, over all its connections and addresses.
    Account(i32),
    /// An anonymous client, by its address (IPv6 by network).
    Address(IpAddr),
}

/// Operations executing (or holding a turn) per viewer.
pub struct Shares {
    max: usize,
    held: Mutex<HashMap<Sharer, usize>>,
    /// Woken when any share is given back.
    released: Notify,
}

/// A place in a viewer's share; dropping it gives the place back.
pub struct SharePlace {
    shares: Arc<Shares>,
    sharer: Sharer,
}

impl Shares {
    /// At most `max` places per viewer (at least one).
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max: max.max(1),
            held: Mutex::new(HashMap::new()),
            released: Notify::new(),
        })
    }

    fn try_take(self: &Arc<Self>, sharer: Sharer) -> Option<SharePlace> {
        let mut held = self.held.lock().ok()?;
        let n = held.entry(sharer).or_default();
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(SharePlace {
            shares: self.clone(),
            sharer,
        })
    }

    /// A place in `sharer`'s share at once, if one is free.
    pub fn now(self: &Arc<Self>, sharer: Sharer) -> Option<SharePlace> {
        self.try_take(sharer)
    }

    /// Waits for a place in `sharer`'s share.
    pub async fn take(self: &Arc<Self>, sharer: Sharer) -> SharePlace {
        loop {
            // Registered before looking, so a release in between still wakes us.
            let released = self.released.notified();
            tokio::pin!(released);
            released.as_mut().enable();
            if let Some(place) = self.try_take(sharer) {
                return place;
            }
            released.await;
        }
    }
}

impl Drop for SharePlace {
    fn drop(&mut self) {
        if let Ok(mut held) = self.shares.held.lock()
            && let Some(n) = held.get_mut(&self.sharer)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.remove(&self.sharer);
            }
        }
        self.shares.released.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_viewer_waits_for_its_own_share_and_others_do_not() {
        let shares = Shares::new(2);
        let alice = Sharer::Account(1);
        let a1 = shares.take(alice).await;
        let _a2 = shares.take(alice).await;
        assert!(shares.now(alice).is_none(), "a third place for alice");
        assert!(
            shares.now(Sharer::Account(2)).is_some(),
            "bob has his own share"
        );
        let waiting = tokio::spawn({
            let shares = shares.clone();
            async move { shares.take(alice).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        drop(a1);
        tokio::time::timeout(std::time::Duration::from_secs(5), waiting)
            .await
            .expect("a released place goes to the waiting operation")
            .unwrap();
    }
}
