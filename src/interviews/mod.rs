//! Interviews on the calendar: a candidate's dated interviews and the plan
//! their role's timeline becomes.
//!
//! Rooms: [`dating`] and [`plan`] (the rules: local dates, zones, a plan
//! made from a timeline), [`store`] (interviews and their plans through the
//! records kit), [`calendar`] (the iCalendar feed's content and token),
//! [`targets`] (where a plan task is done, for links), [`graphql`] (types,
//! queries, mutations, the plan loader) and [`live`]
//! (`myInterviewEvents`).

pub mod calendar;
pub mod dating;
pub mod graphql;
pub mod live;
pub mod plan;
pub mod store;
pub mod targets;
