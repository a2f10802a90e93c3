//! Sharing with a coach: a candidate shares one draft, one interview or the
//! whole story bank through a secret link; whoever accepts it reads what it
//! covers (and, as COMMENTER, comments on drafts) until it is revoked or
//! expires. Comments form one-level threads per STAR section, live on both
//! sides.
//!
//! - `rules`: what text is accepted, which part a comment is about, when a
//!   comment is outdated (pure).
//! - `shares`: shares and grants in storage. Who may read what is the
//!   records kit's read scope (`records::shared`), not decided here.
//! - `comments`: comments in storage, a record of the kit.
//! - `graphql`: `types`, `queries`, `mutations`, `loaders`.
//! - `live`: `commentEvents`.

pub mod comments;
pub mod graphql;
pub mod live;
pub mod rules;
pub mod shares;
