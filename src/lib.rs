//! prep-graphql: the GraphQL backend of an interview-preparation platform.
//!
//! Candidates read role pages (salaries, key skills, questions, a timeline of
//! preparation), draft STAR answers, build a story bank and plan dated
//! interviews. The API is GraphQL over HTTP and WebSocket.
//!
//! # Layout
//!
//! The one list of modules (the README points here; `tests/api/layout.rs`
//! fails when a module under `src/` is missing from it). Floors import only
//! downward: `.ci/import-cycles.py` (in CI) fails on an import circle between
//! modules, and `--top` finds none between these folders either.
//!
//! Bottom floor, shared by every feature:
//! - `config`: the command line and environment settings, every limit named.
//! - `error`: the one error type and its `extensions.code` mapping.
//! - `db`: connecting, migrating, and write transactions.
//! - `metrics`: Prometheus metrics.
//! - `allocator`: the global allocator (jemalloc, options built in) and its figures.
//! - `stored`: the enumerations stored as text, each declared once.
//! - `secrets`: random tokens (only their SHA-256 stored) and hex ids.
//! - `viewer`: who asks, the account and session a bearer token names.
//! - `records`: the kit for owned, versioned, live records.
//!   `records::scope` (the owner scope: find, lock, find-many, the per-account
//!   cap), `records::shared` (the read scope: the owner or a live grant), `records::write` (the version-checked write, commit-and-publish),
//!   `records::change` (`Change<M>`, one `ChangeKind`), `records::bus` (the event
//!   bus, local and LISTEN/NOTIFY), `records::live` (one follower),
//!   `records::page` (keyset paging, one cursor codec); `record!` declares a
//!   table a record.
//! - `graphql`: what features share of GraphQL. `graphql::context` (typed
//!   schema data), `graphql::ids` (ID kinds declared once), `graphql::pagination`,
//!   `graphql::viewer` (the viewer of a request), `graphql::loaders`
//!   (batching), `graphql::joined` (the role page's executor).
//!
//! Features, one folder each, the same rooms in each (rules as pure modules,
//! `store` through the records kit, `graphql`, `live`):
//! - `content`: public role content, the features' floor: `content::model`,
//!   `content::validate`, `content::import`, `content::money`, and
//!   `content::graphql` (`roles`, `role_page`, `competency`, `loaders`).
//! - `accounts`: `accounts::store` (accounts, sign-in, password change),
//!   `accounts::sessions` (list, end, last use, pruning), `accounts::reset`
//!   (reset by a mailed link), `accounts::mail` (the outbox and its
//!   `sender`, SMTP through lettre), `accounts::export`
//!   (the account's data as one JSON document), `accounts::delete`,
//!   `accounts::password`, `accounts::rate_limit`, `accounts::graphql`
//!   (`sign_in`, `sessions`, `password`, `data`).
//! - `drafts`: rules `drafts::text` and `drafts::feedback`, `drafts::links`,
//!   `drafts::store`, `drafts::graphql` (`types`, `queries`, `mutations`,
//!   `loaders`), `drafts::live`.
//! - `story_bank`: the rule `story_bank::coverage` and `story_bank::graphql`
//!   (`Role.myCoverage`, `Question.myStarDrafts`).
//! - `interviews`: rules `interviews::dating` and `interviews::plan`,
//!   `interviews::store`, `interviews::calendar` (the feed's content),
//!   `interviews::targets` (where a next step is done: kind and id, for links),
//!   `interviews::graphql` (`types`, `queries`, `mutations`, `loaders`),
//!   `interviews::live`.
//! - `practice`: rules `practice::feedback` and `practice::readiness`,
//!   `practice::store`, `practice::graphql` (`types`, `queries`, `mutations`,
//!   `loaders`, `readiness`, which defines `Interview.readiness`), and
//!   `practice::live` (`myPracticeEvents`, so readiness follows practice).
//! - `sharing`: shares, grants and comments: the rule `sharing::rules`,
//!   `sharing::shares`, `sharing::comments`, `sharing::graphql` (`types`,
//!   `queries`, `mutations`, `loaders`; defines `StarDraft.comments`),
//!   `sharing::live` (`commentEvents`). Who may read what through a grant
//!   is the records kit's `records::shared`.
//!
//! A field a lower feature's object shows but a higher one defines (the
//! story bank's `Role.myCoverage`, practice's `Interview.readiness`) is a
//! flattened "place": the lower feature declares the struct, the higher one
//! implements its `#[Object]`, and the schema is unchanged.
//!
//! Top floors:
//! - `schema`: the roots merged (`schema::node` resolves any global ID), the
//!   SDL, and the viewer-dependent fields read from their `...OfViewer` types.
//! - `http`, transport only: `http::state` (`AppState`) and `http::router`;
//!   `http::server` (the accept loop, connection cap, idle timeouts),
//!   `http::accept`, `http::connection`, `http::linger`, `http::client_ip`
//!   (trusted proxies); `http::graphql` (GraphQL over HTTP) and `http::ws`
//!   (`connection`, `counts`) over `http::operation` (the one pipeline:
//!   `document`, `persisted`, `public`, `order`, `refusal`, `share`); `http::cache`
//!   (the response cache) and `http::content_version` (the version it keys
//!   on, known in memory), `http::conditional` (what shared HTTP caches may
//!   keep: `ETag`, `Cache-Control`, 304), `http::compression`, `http::calendar`
//!   (the feed's route), `http::export` (`GET /me/export`), `http::ide`,
//!   `http::spa`, `http::favicon`, `http::ops` (health,
//!   readiness, metrics).
//! - `app`: start-up (migrations, the first import) and `serve`, used by
//!   `main` and by tests.
//!
//! Storage lives in the `entity` (tables) and `migration` (schema changes) crates.

pub mod accounts;
pub mod allocator;
pub mod app;
pub mod config;
pub mod content;
pub mod db;
pub mod drafts;
pub mod error;
pub mod graphql;
pub mod http;
pub mod interviews;
pub mod metrics;
pub mod practice;
pub mod records;
pub mod schema;
pub mod secrets;
pub mod sharing;
pub mod stored;
pub mod story_bank;
pub mod viewer;
