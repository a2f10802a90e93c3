//! Practice against the clock over GraphQL: the [`types`] of an attempt, the
//! owner's [`queries`] and [`mutations`], the owner-scoped draft [`loaders`],
//! and an interview's [`readiness`].
//!
//! Privacy rule: every read of an attempt goes through
//! the records kit's owner scope, so another user's attempt looks exactly
//! like one that does not exist.

pub mod loaders;
pub mod mutations;
pub mod queries;
pub mod readiness;
pub mod types;

pub use mutations::{FinishPracticeInput, PracticeMutation, StartPracticeInput};
pub use queries::PracticeQuery;
pub use types::PracticeAttempt;
