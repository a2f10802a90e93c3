//! The transports and the HTTP surface, transport only: [`state`] (the
//! `AppState`) and [`router`]; `/graphql` over HTTP and WebSocket
//! (both through the one operation pipeline), the IDE pages, the single-page
//! app, the calendar feed, the account export (`/me/export`), health,
//! readiness and metrics.

mod accept;
pub mod cache;
pub mod calendar;
pub mod client_ip;
pub mod compression;
mod conditional;
pub(crate) mod connection;
pub mod content_version;
pub mod export;
pub mod favicon;
pub mod graphql;
pub mod ide;
pub(crate) mod linger;
pub mod operation;
mod ops;
pub mod router;
pub mod server;
pub mod spa;
pub mod state;
pub mod ws;
