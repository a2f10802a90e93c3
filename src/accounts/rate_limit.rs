//! Throttling failed logins per email and client address, and per address;
//! and registrations per address.
//!
//! The email's counter is kept per client address: counted per email alone,
//! anyone could lock an account's owner out by failing five logins with their
//! email. Guessing one account's password from many addresses is still bounded
//! by each address's own limit (and by Argon2's cost).
//!
//! In memory, per server instance: with several instances each enforces its
//! own window, so the effective limit is the configured one times the number
//! of instances.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::AuthConfig;
use crate::error::AppError;

/// Most keys kept before expired windows are swept.
const SWEEP_ABOVE: usize = 10_000;

/// A fixed-window counter of attempts per key.
pub struct FailureLimiter {
    max: u32,
    window: Duration,
    entries: Mutex<HashMap<String, (u32, Instant)>>,
}

impl FailureLimiter {
    /// Allows `max` counted attempts per key within `window`.
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt for `key`, or refuses it with the seconds to wait.
    ///
    /// The attempt is counted before the password is checked, so concurrent
    /// guesses cannot all slip under the limit.
    pub fn reserve(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(mut entries) = self.entries.lock() else {
            return Ok(());
        };
        if entries.len() > SWEEP_ABOVE {
            let window = self.window;
            entries.retain(|_, (_, start)| now.duration_since(*start) < window);
        }
        let entry = entries.entry(key.to_owned()).or_insert((0, now));
        if now.duration_since(entry.1) >= self.window {
            *entry = (0, now);
        }
        if entry.0 >= self.max {
            let wait = self.window.saturating_sub(now.duration_since(entry.1));
            return Err(wait.as_secs().max(1));
        }
        entry.0 += 1;
        Ok(())
    }

    /// Gives back an attempt that turned out not to be a failure.
    pub fn release(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock()
            && let Some(entry) = entries.get_mut(key)
        {
            entry.0 = entry.0.saturating_sub(1);
        }
    }

    /// Forgets `key`'s failures.
    pub fn clear(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

/// Both login limiters.
pub struct LoginThrottle {
    /// Keyed by client address and email.
    by_email: FailureLimiter,
    by_address: FailureLimiter,
}

/// The key of `email`'s failures from `address`; an address never holds `|`.
fn email_key(email: &str, address: &str) -> String {
    format!("{address}|{email}")
}

impl LoginThrottle {
    /// Limiters sized by `config`.
    pub fn new(config: &AuthConfig) -> Self {
        let window = Duration::from_secs(config.login_failure_window_secs);
        Self {
            by_email: FailureLimiter::new(config.login_failures_per_email, window),
            by_address: FailureLimiter::new(config.login_failures_per_address, window),
        }
    }

    /// Counts a login attempt, or refuses it with RATE_LIMITED.
    pub fn reserve(&self, email: &str, address: &str) -> Result<(), AppError> {
        let refused = |retry_after_seconds| AppError::RateLimited {
            retry_after_seconds,
        };
        self.by_address.reserve(address).map_err(refused)?;
        if let Err(wait) = self.by_email.reserve(&email_key(email, address)) {
            self.by_address.release(address);
            return Err(refused(wait));
        }
        Ok(())
    }

    /// A successful login: the email's failures from this address are
    /// forgotten and the address's attempt is given back.
    pub fn succeeded(&self, email: &str, address: &str) {
        self.by_email.clear(&email_key(email, address));
        self.by_address.release(address);
    }
}

/// Registrations per client address: without it one address created 1,204
/// accounts in 20 s (each costing a password hash), and every per-account
/// cap multiplied by as many accounts as it liked.
pub struct RegistrationThrottle(FailureLimiter);

impl RegistrationThrottle {
    /// A limiter sized by `config`.
    pub fn new(config: &AuthConfig) -> Self {
        Self(FailureLimiter::new(
            config.registrations_per_address,
            Duration::from_secs(config.registration_window_secs),
        ))
    }

    /// Counts a registration from `address`, or refuses it with RATE_LIMITED.
    pub fn reserve(&self, address: &str) -> Result<(), AppError> {
        self.0
            .reserve(address)
            .map_err(|retry_after_seconds| AppError::RateLimited {
                retry_after_seconds,
            })
    }

    /// Gives back a registration that failed on our side (not the client's doing).
    pub fn release(&self, address: &str) {
        self.0.release(address);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_until_the_window_ends() {
        let limiter = FailureLimiter::new(2, Duration::from_secs(60));
        assert!(limiter.reserve("a").is_ok());
        assert!(limiter.reserve("a").is_ok());
        let wait = limiter.reserve("a").unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(limiter.reserve("b").is_ok(), "keys are independent");
        limiter.release("a");
        assert!(limiter.reserve("a").is_ok());
        limiter.clear("a");
        assert!(limiter.reserve("a").is_ok());
    }

    #[test]
    fn failures_from_one_address_do_not_lock_the_email_out_elsewhere() {
        let config = AuthConfig {
            login_failures_per_email: 3,
            login_failures_per_address: 100,
            ..AuthConfig::default()
        };
        let throttle = LoginThrottle::new(&config);
        for _ in 0..3 {
            assert!(throttle.reserve("ada@example.com", "203.0.113.1").is_ok());
        }
        let refused = throttle.reserve("ada@example.com", "203.0.113.1");
        assert!(matches!(refused, Err(AppError::RateLimited { .. })));
        assert!(throttle.reserve("ada@example.com", "198.51.100.2").is_ok());
        // A success forgets only that address's failures.
        throttle.succeeded("ada@example.com", "198.51.100.2");
        assert!(throttle.reserve("ada@example.com", "203.0.113.1").is_err());
    }

    #[test]
    fn a_zero_window_never_refuses() {
        let limiter = FailureLimiter::new(1, Duration::ZERO);
        for _ in 0..3 {
            assert!(limiter.reserve("a").is_ok());
        }
    }
}
