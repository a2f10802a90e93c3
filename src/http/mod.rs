//! The HTTP surface: `/graphql`, the IDE pages, the single-page app, health,
//! readiness and metrics.

mod accept;
pub mod cache;
pub mod client_ip;
pub(crate) mod connection;
pub mod graphql;
pub mod ide;
pub(crate) mod linger;
mod ops;
pub mod spa;

pub use ops::{healthz, metrics, readyz};
