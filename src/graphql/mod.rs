//! The GraphQL API: schema assembly and the helpers every feature module shares.
//!
//! Feature modules own their types and resolvers (`roles`, `role_page`,
//! `drafts`, `interviews`);
//! cross-cutting pieces live beside them (`ids`, `pagination`, `loaders`, `node`,
//! `joined`).

pub mod accounts;
pub mod drafts;
pub mod ids;
pub mod interviews;
pub mod joined;
pub mod loaders;
pub mod node;
pub mod pagination;
pub mod practice;
pub mod role_page;
pub mod roles;
pub mod story_bank;
pub mod subscriptions;
pub mod viewer;

use async_graphql::{Context, MergedObject, Schema};
use sea_orm::DatabaseConnection;

use crate::auth::LoginThrottle;
use crate::config::{ApiLimits, Settings};
use crate::error::AppError;
use crate::events::EventBus;

/// The root query: the merged queries of every feature.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    roles::RoleQuery,
    node::NodeQuery,
    accounts::AccountQuery,
    drafts::DraftQuery,
    interviews::InterviewQuery,
    practice::PracticeQuery,
);

/// The root mutation: the merged mutations of every feature.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    accounts::AccountMutation,
    drafts::DraftMutation,
    interviews::InterviewMutation,
    practice::PracticeMutation,
);

/// The root subscription.
pub use subscriptions::SubscriptionRoot;

/// The executable schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema; the database, settings and event bus become schema data.
pub fn build_schema(db: DatabaseConnection, settings: Settings, events: EventBus) -> AppSchema {
    let http = &settings.http;
    // No schema extensions: fields of `joined::Joined` objects skip their per-field hook.
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .limit_depth(http.max_depth)
    .limit_complexity(http.max_complexity)
    .limit_directives(http.max_directives_per_field)
    .limit_recursive_depth(http.max_recursion);
    if http.introspection_off() {
        builder = builder.disable_introspection();
    }
    if http.suggestions_off() {
        builder = builder.disable_suggestions();
    }
    builder
        .data(LoginThrottle::new(&settings.auth))
        .data(events)
        .data(db)
        .data(settings.api)
        .data(settings.auth)
        .data(settings.drafts)
        .data(settings.interviews)
        .data(settings.practice)
        .finish()
}

/// What a list without `first`/`last` counts as in query complexity: about
/// the longest such list the content has.
pub const LIST_COST: usize = 10;

/// The SDL of the schema, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .finish()
    .sdl()
}

/// The database pool from the schema data.
pub fn database<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection, AppError> {
    ctx.data::<DatabaseConnection>()
        .map_err(|e| AppError::internal(anyhow::anyhow!("no database in context: {}", e.message)))
}

/// The event bus from the schema data.
pub fn events<'a>(ctx: &Context<'a>) -> Result<&'a EventBus, AppError> {
    ctx.data::<EventBus>()
        .map_err(|e| AppError::internal(anyhow::anyhow!("no event bus in context: {}", e.message)))
}

/// The API limits from the schema data.
pub fn api_limits<'a>(ctx: &Context<'a>) -> Result<&'a ApiLimits, AppError> {
    ctx.data::<ApiLimits>()
        .map_err(|e| AppError::internal(anyhow::anyhow!("no limits in context: {}", e.message)))
}
