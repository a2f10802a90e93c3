//! The story bank: a candidate's drafts seen as stories, tagged with
//! competencies and linked to questions, and how they cover a role.
//!
//! Rooms: [`coverage`] (the rule, pure and unit-tested) and [`graphql`]
//! (`Role.myCoverage`, `Question.myStarDrafts` and the coverage types). The
//! links themselves are part of a draft's version (`drafts::links`).

pub mod coverage;
pub mod graphql;
