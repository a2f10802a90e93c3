//! The HTTP surface: `/graphql`, the IDE pages, the single-page app, the
//! calendar feed, health, readiness and metrics.

mod accept;
pub mod cache;
pub mod calendar;
pub mod graphql;
pub mod ide;
mod ops;
pub mod spa;

pub use ops::{healthz, metrics, readyz};
