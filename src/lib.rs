//! prep-graphql: the GraphQL backend of an interview-preparation platform.
//!
//! Candidates read role pages (salaries, key skills, questions, a timeline of
//! preparation) and draft STAR answers. The API is GraphQL over HTTP.
//!
//! # Layout
//! - [`config`]: the command line and environment settings.
//! - [`app`]: state, router, start-up preparation and `serve`, used by `main` and by tests.
//! - [`db`]: connecting, migrating, and write transactions.
//! - [`error`]: the one error type and its `extensions.code` mapping.
//! - [`graphql`]: the schema, one module per feature, with shared loaders, IDs and pagination.
//! - [`content`]: the role content format, its validation and import.
//! - [`events`]: draft and interview change events across instances; [`ws`]: GraphQL over WebSocket.
//! - [`drafts`]: versioned STAR drafts and their feedback.
//! - [`interviews`]: dated interviews, the plans their role's timeline becomes, the calendar feed.
//! - [`money`], [`auth`]: plain domain functions with unit tests beside them.
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
pub mod server;
pub mod stored;
