//! sea-orm entities of prep-graphql: one module per table.
//!
//! These types describe storage only. They carry no GraphQL derives, so the
//! database layout never leaks into the API; `src/graphql` wraps them.

pub mod calendar_feed;
pub mod comment;
pub mod comment_read;
pub mod competency;
pub mod content_version;
pub mod faq;
pub mod interview;
pub mod mail_outbox;
pub mod mistake;
pub mod password_reset;
pub mod plan_task;
pub mod practice_attempt;
pub mod prep_step;
pub mod question;
pub mod question_competency;
pub mod resource;
pub mod role;
pub mod role_competency;
pub mod role_skill;
pub mod salary_benchmark;
pub mod salary_level;
pub mod session;
pub mod share;
pub mod share_grant;
pub mod skill;
pub mod star_draft;
pub mod star_draft_competency;
pub mod star_draft_question;
pub mod star_draft_revision;
pub mod timeline_phase;
pub mod timeline_task;
pub mod user;
