//! The HTTP surface: `/graphql`, the IDE pages, health, readiness and metrics.

mod accept;
pub mod cache;
pub mod graphql;
mod ops;

pub use ops::{graphiql, healthz, metrics, playground, readyz};
