//! Where a next step is done, for any client to link to: a readiness next
//! action or a plan task names a kind of place and which one (the rule for
//! plan tasks reads their text; pure).

use async_graphql::{Enum, SimpleObject};
use chrono::NaiveDate;

/// The kinds of place a next step is done in.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ActionTargetKind {
    /// Write a new story: `id` is the competency's slug to tag it with (null: none).
    NewStory,
    /// The interview's open plan tasks: `id` is the interview's ID, `dueBy` the
    /// last day of those meant (null: all open ones).
    PlanTasks,
    /// Practise an answer aloud: `id` is the slug of the role whose questions
    /// (and the viewer's drafts for them) are practised.
    Practice,
}

/// A machine-readable place for a next step: what to open, and which.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct ActionTarget {
    pub kind: ActionTargetKind,
    /// Which one, as `kind` says: a slug or an ID; null when the kind needs none.
    pub id: Option<String>,
    /// For `PLAN_TASKS`: the tasks due by this day (in the interview's zone).
    pub due_by: Option<NaiveDate>,
}

/// The kind of place a timeline task of a role's plan is done in, read from
/// its text: writing STAR stories, saying answers aloud; null for the rest
/// (research, logistics), which are done away from the app.
pub fn kind_of_task(text: &str) -> Option<ActionTargetKind> {
    let text = text.to_lowercase();
    // Writing first: "write 8–10 STAR stories ... that rehearsal hides" is writing.
    if text.starts_with("write") && (text.contains("stor") || text.contains("star")) {
        Some(ActionTargetKind::NewStory)
    } else if text.contains("aloud") || text.contains("rehears") || text.contains("record them") {
        Some(ActionTargetKind::Practice)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_timeline_tasks_get_their_places() {
        assert_eq!(
            kind_of_task(
                "Write 8–10 STAR stories in full, covering leadership, failure, teamwork and \
                 innovation; gaps show on paper that rehearsal hides."
            ),
            Some(ActionTargetKind::NewStory)
        );
        assert_eq!(
            kind_of_task("Say your answers aloud and record them; listen back."),
            Some(ActionTargetKind::Practice)
        );
        assert_eq!(
            kind_of_task("Read up on the employer: recent news and launches."),
            None
        );
        assert_eq!(
            kind_of_task("Benchmark your salary: know the median for the role."),
            None
        );
    }
}
