//! The GraphQL layer shared by every feature, and the schema's assembly.
//!
//! Features own their types and resolvers (`content::graphql`,
//! `drafts::graphql`, `story_bank::graphql`, ...); this module holds what
//! they share: [`ids`] (declared once), [`pagination`], [`context`] (typed
//! schema data), [`viewer`] (who asks, and which fields depend on it),
//! [`loaders`] (batching), [`joined`] (the role page's executor) and
//! [`node`]; [`schema`] merges the features' roots.

pub mod context;
pub mod ids;
pub mod joined;
pub mod loaders;
pub mod node;
pub mod pagination;
pub mod schema;
pub mod viewer;
