//! prep-graphql: the GraphQL backend of an interview-preparation platform.
//!
//! Candidates read role pages (salaries, key skills, questions, a timeline of
//! preparation), draft STAR answers, build a story bank and plan dated
//! interviews. The API is GraphQL over HTTP and WebSocket.
//!
//! # Layout
//! - [`config`]: the command line and environment settings, every limit named.
//! - [`app`]: state, router, start-up preparation and `serve`, used by `main` and by tests.
//! - [`http`]: the transports. [`http::server`] the accept loop (connection cap,
//!   idle timeouts, lingering close, [`http::client_ip`] behind trusted proxies);
//!   [`http::graphql`] GraphQL over HTTP and [`http::ws`] over WebSocket, both
//!   running every operation through [`http::operation`] (document limits,
//!   persisted queries, viewer, timeout, selection order, metrics, logs);
//!   [`http::cache`] the response cache; [`http::calendar`] the iCalendar feed;
//!   [`http::ide`] and [`http::spa`] the IDE pages and the web app; health,
//!   readiness and metrics.
//! - [`graphql`]: the schema, one module per feature (roles, role page, accounts,
//!   drafts, story bank, interviews, practice), with shared loaders, IDs, node and pagination.
//! - [`db`]: connecting, migrating, and write transactions.
//! - [`error`]: the one error type and its `extensions.code` mapping.
//! - [`content`]: the role content format, its validation and import.
//! - [`events`]: draft and interview change events across instances.
//! - [`drafts`]: versioned STAR drafts, their links, coverage and feedback.
//! - [`interviews`]: dated interviews, the plans their role's timeline becomes, the calendar feed.
//! - [`practice`]: answers said aloud against the clock, their feedback, and interview readiness.
//! - [`auth`]: passwords, tokens, sessions and login throttling.
//! - [`money`]: amounts and their formatting; [`metrics`]: Prometheus metrics.
//! - [`stored`]: the enumerations stored as text (draft status, question category, resource kind).
//!
//! Storage lives in the `entity` (tables) and `migration` (schema changes) crates.

pub mod app;
pub mod auth;
pub mod config;
pub mod content;
pub mod db;
pub mod drafts;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod interviews;
pub mod metrics;
pub mod money;
pub mod practice;
pub mod stored;
