//! STAR drafts over GraphQL, by job: batch [`loaders`], the GraphQL
//! [`types`], the `myStarDrafts` [`cursor`], and the [`queries`] and
//! [`mutations`] of the owner.
//!
//! Privacy rule: every read goes through [`crate::drafts::owned`], so another
//! user's draft looks exactly like one that does not exist.

pub mod cursor;
pub mod loaders;
pub mod mutations;
pub mod queries;
pub mod types;

pub use loaders::{DraftsOfQuestion, QuestionOfDraft, RevisionsPage};
pub use mutations::{CreateStarDraftInput, DraftMutation, UpdateStarDraftInput};
pub use queries::DraftQuery;
pub use types::{StarDraft, StarDraftConnectionFields, StarDraftRevision};
