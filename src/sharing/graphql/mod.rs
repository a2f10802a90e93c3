//! Sharing's GraphQL: `types`, `queries` (`myShares`, `sharedWithMe`),
//! `mutations` (shares and comments) and `loaders`.

pub mod loaders;
pub mod mutations;
pub mod queries;
pub mod types;
