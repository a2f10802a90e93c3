//! Accounts and sessions: password hashing, bearer tokens, login throttling.
//!
//! Plain functions and types; the GraphQL side is `graphql::accounts`.

mod password;
mod rate_limit;
mod service;
mod token;

pub use password::{configure as configure_hashing, warm_up};
pub use rate_limit::{FailureLimiter, LoginThrottle};
pub use service::{
    Viewer, authenticate, login, logout, register, registration_errors, session_active,
};
pub use token::{hash_token, new_token};

use rand::RngCore;

/// `bytes` random bytes from the OS-seeded CSPRNG, hex-encoded.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}
