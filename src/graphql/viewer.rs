//! Who is asking: the viewer the transport resolved from the bearer token.
//!
//! Resolvers reach the viewer only through [`viewer`] (or [`require_viewer`]),
//! which records the read in [`ViewerRead`]: an answer that read the viewer
//! depends on who asked and is never stored in the shared response cache.

use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::Context;

use crate::error::{AppError, AppResult};
use crate::viewer::Viewer;

/// Set when any resolver of a request read the viewer (signed in or not).
#[derive(Debug, Default)]
pub struct ViewerRead(AtomicBool);

impl ViewerRead {
    /// Whether the viewer was read.
    pub fn was_read(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The signed-in viewer, if any.
pub fn viewer<'a>(ctx: &Context<'a>) -> Option<&'a Viewer> {
    if let Some(read) = ctx.data_opt::<std::sync::Arc<ViewerRead>>() {
        read.0.store(true, Ordering::Relaxed);
    }
    ctx.data_opt::<Viewer>()
}

/// The signed-in viewer, or UNAUTHENTICATED.
pub fn require_viewer<'a>(ctx: &Context<'a>) -> AppResult<&'a Viewer> {
    viewer(ctx).ok_or(AppError::Unauthenticated(
        "sign in to see or change your own drafts and interviews",
    ))
}
