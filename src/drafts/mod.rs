//! STAR drafts: private answers with versions, revisions and feedback.
//!
//! Rooms: [`text`] and [`feedback`] (the rules: pure functions over the
//! text, unit-tested), [`links`] (the competencies and questions a draft is
//! linked to, kept with every version), [`store`] (create, update, restore,
//! delete through the records kit), [`graphql`] (types, queries, mutations,
//! loaders) and [`live`] (the subscriptions).

pub mod feedback;
pub mod graphql;
pub mod links;
pub mod live;
pub mod store;
pub mod text;
