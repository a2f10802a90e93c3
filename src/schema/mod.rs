//! Schema assembly, the top of the GraphQL floors: the roots merge every
//! feature's queries, mutations and subscriptions, and [`node`] resolves any
//! global ID to its feature's object.

pub mod node;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use async_graphql::registry::{MetaType, Registry};
use async_graphql::{MergedObject, MergedSubscription, OutputType, Schema};
use sea_orm::DatabaseConnection;

use crate::accounts::rate_limit::{LoginThrottle, RegistrationThrottle};
use crate::accounts::reset::{ResetSetup, ResetThrottle};
use crate::config::Settings;
use crate::records::EventBus;
use crate::{accounts, content, drafts, interviews, practice, sharing};

/// The root query: the merged queries of every feature.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    content::graphql::roles::RoleQuery,
    node::NodeQuery,
    accounts::graphql::AccountQuery,
    drafts::graphql::queries::DraftQuery,
    interviews::graphql::queries::InterviewQuery,
    practice::graphql::queries::PracticeQuery,
    sharing::graphql::queries::SharingQuery,
);

/// The root mutation: the merged mutations of every feature.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    accounts::graphql::AccountMutation,
    drafts::graphql::mutations::DraftMutation,
    interviews::graphql::mutations::InterviewMutation,
    practice::graphql::mutations::PracticeMutation,
    sharing::graphql::mutations::SharingMutation,
);

/// Every feature's subscriptions, merged.
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(
    drafts::live::DraftSubscription,
    interviews::live::InterviewSubscription,
    practice::live::PracticeSubscription,
    sharing::live::SharingSubscription,
);

/// The executable schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema; the database, settings and event bus become schema data.
pub fn build_schema(
    db: DatabaseConnection,
    settings: Settings,
    events: EventBus,
    outbox: accounts::mail::Outbox,
) -> AppSchema {
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
        .data(RegistrationThrottle::new(&settings.auth))
        .data(ResetSetup {
            throttle: ResetThrottle::new(&settings.auth),
            production: settings.http.production,
            mail: settings.mail,
            outbox,
        })
        .data(events)
        .data(db)
        .data(settings.api)
        .data(settings.auth)
        .data(settings.drafts)
        .data(settings.interviews)
        .data(settings.practice)
        .data(settings.sharing)
        .finish()
}

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

/// The suffix of the types that hold an object's viewer-dependent fields.
///
/// A field whose answer depends on who asks is defined on a `<Type>OfViewer`
/// object that its content object flattens in (`Role` shows
/// `RoleOfViewer.myCoverage`, see `content::graphql::roles`): the type is
/// the mark, where the field is defined. The response cache reads the
/// marks from here, so no list elsewhere names those fields.
pub const VIEWER_TYPE_SUFFIX: &str = "OfViewer";

/// The names of every field defined on a viewer-dependent type (see
/// [`VIEWER_TYPE_SUFFIX`]), from the types the schema registers.
pub fn viewer_fields() -> &'static BTreeSet<String> {
    static FIELDS: OnceLock<BTreeSet<String>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        // Flattened types are registered while the roots are, then dropped
        // from the finished schema as unused: read them before that.
        let mut registry = Registry::default();
        QueryRoot::create_type_info(&mut registry);
        registry
            .types
            .iter()
            .filter(|(name, _)| name.ends_with(VIEWER_TYPE_SUFFIX))
            .filter_map(|(_, ty)| match ty {
                MetaType::Object { fields, .. } => Some(fields.keys().cloned()),
                _ => None,
            })
            .flatten()
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_viewer_dependent_fields_are_read_from_their_types() {
        let fields: Vec<&str> = viewer_fields().iter().map(String::as_str).collect();
        assert_eq!(fields, ["myCoverage", "myStarDrafts"]);
    }
}
