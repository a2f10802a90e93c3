//! Interviews over GraphQL, by job: the plan [`loaders`], the GraphQL
//! [`types`], the [`queries`] and
//! [`mutations`] of the owner, and the [`live`] event stream.
//!
//! Privacy rule: every read goes through the records kit's owner scope, so
//! another user's interview or task looks exactly like one that does not exist.

pub mod loaders;
pub mod mutations;
pub mod queries;
pub mod types;

pub use loaders::PlanOfInterview;
pub use mutations::{
    AddPlanTaskInput, InterviewMutation, ScheduleInterviewInput, UpdateInterviewInput,
};
pub use queries::InterviewQuery;
pub use types::{AgendaDay, Interview, InterviewConnectionFields, PlanTask};
