//! STAR drafts over GraphQL, by job: batch [`loaders`], the GraphQL
//! [`types`], and the [`queries`] and
//! [`mutations`] of the owner.
//!
//! Privacy rule: every read goes through the records kit's owner scope, so another
//! user's draft looks exactly like one that does not exist.

pub mod loaders;
pub mod mutations;
pub mod queries;
pub mod types;

pub use loaders::{
    CompetenciesOfDraft, DraftsOfCompetency, DraftsOfQuestion, QuestionsOfDraft, RevisionsPage,
};
pub use mutations::{CreateStarDraftInput, DraftMutation, UpdateStarDraftInput};
pub use queries::DraftQuery;
pub use types::{StarDraft, StarDraftConnectionFields, StarDraftRevision};

/// The draft limits from the schema data.
pub fn draft_limits<'a>(
    ctx: &async_graphql::Context<'a>,
) -> crate::error::AppResult<&'a crate::config::DraftLimits> {
    ctx.data::<crate::config::DraftLimits>().map_err(|e| {
        crate::error::AppError::internal(anyhow::anyhow!("no draft limits: {}", e.message))
    })
}
