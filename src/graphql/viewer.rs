//! Who is asking: the viewer the HTTP layer resolved from the bearer token.

use async_graphql::Context;

use crate::auth::Viewer;
use crate::error::{AppError, AppResult};

/// The signed-in viewer, if any.
pub fn viewer<'a>(ctx: &Context<'a>) -> Option<&'a Viewer> {
    ctx.data_opt::<Viewer>()
}

/// The signed-in viewer, or UNAUTHENTICATED.
pub fn require_viewer<'a>(ctx: &Context<'a>) -> AppResult<&'a Viewer> {
    viewer(ctx).ok_or(AppError::Unauthenticated(
        "sign in to see or change your own drafts and interviews",
    ))
}
