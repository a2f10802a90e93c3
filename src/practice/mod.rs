//! Practice against the clock: a candidate starts an attempt at a draft or a
//! question (the server records the start), says the answer aloud and
//! finishes it with the transcript; the feedback comes from the real
//! duration. Readiness scores a dated interview from its plan, the role's
//! competencies covered by READY stories and recent practice.
//!
//! Rooms: [`feedback`] and [`readiness`] (the rules, pure and unit-tested),
//! [`store`] (attempts through the records kit), [`graphql`] and [`live`]
//! (`myPracticeEvents`).

pub mod feedback;
pub mod graphql;
pub mod live;
pub mod readiness;
pub mod store;
