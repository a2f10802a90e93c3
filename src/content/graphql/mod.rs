//! Public content over GraphQL: roles, skills and questions ([`roles`]), the
//! sections of a role page ([`role_page`]), competencies ([`competency`]) and
//! their batch [`loaders`]. Nothing here reads a viewer: the fields that do
//! (`Role.myCoverage`, `Question.myStarDrafts`) are the story bank's, joined
//! into these objects through [`roles::RoleOfViewer`] and
//! [`roles::QuestionOfViewer`].

pub mod competency;
pub mod loaders;
pub mod role_page;
pub mod roles;
