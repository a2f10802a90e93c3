//! The GraphQL layer every feature shares, below the features: [`ids`]
//! (declared once), [`pagination`], [`context`] (typed schema data),
//! [`viewer`] (who asks), [`loaders`] (batching) and [`joined`] (the role
//! page's executor). Features own their types and resolvers
//! (`content::graphql`, `drafts::graphql`, ...); `crate::schema`, above
//! them, merges their roots.

pub mod context;
pub mod ids;
pub mod joined;
pub mod loaders;
pub mod pagination;
pub mod viewer;
