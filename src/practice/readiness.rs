//! How ready a candidate is for a dated interview: an explainable 0–100
//! score and the next actions that would raise it most. Pure: the GraphQL
//! layer loads the plan, the coverage and the practice count (batched).

use async_graphql::SimpleObject;
use chrono::NaiveDate;

use crate::interviews::targets::{ActionTarget, ActionTargetKind};

/// Points for the plan: tasks done of total.
pub const PLAN_POINTS: f64 = 40.0;
/// Points for the role's competencies covered by READY stories, of total.
pub const COMPETENCY_POINTS: f64 = 40.0;
/// Points for practice: finished attempts in the last [`PRACTICE_DAYS`] days, up to [`PRACTICE_CAP`].
pub const PRACTICE_POINTS: f64 = 20.0;
/// Finished attempts that earn all the practice points.
pub const PRACTICE_CAP: u64 = 3;
/// The practice window, in days.
pub const PRACTICE_DAYS: i64 = 7;
/// Most next actions given.
pub const NEXT_ACTIONS: usize = 3;

/// How ready the viewer is for an interview.
///
/// `score = round(40 × planDone / planTotal + 40 × competenciesCovered /
/// competenciesTotal + 20 × min(practiceAttemptsLast7Days, 3) / 3)`, halves
/// rounded up; a part whose total is 0 counts in full. Example: 3 of 9 tasks
/// done, 2 of 7 competencies covered, 1 attempt: 13.33 + 11.43 + 6.67 = 31.43,
/// so 31. `nextActions` are at most 3 steps, those that add most points first.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct Readiness {
    /// 0 to 100, by the formula above.
    pub score: i32,
    /// Plan tasks done.
    pub plan_done: i32,
    /// Plan tasks in all.
    pub plan_total: i32,
    /// The role's competencies with at least one READY story tagged with them.
    pub competencies_covered: i32,
    /// The competencies the role's interviews probe.
    pub competencies_total: i32,
    /// READY stories that cover a competency or question of the role.
    pub ready_stories: i32,
    /// Practice attempts the viewer finished in the last 7 days (on any draft or question).
    #[graphql(name = "practiceAttemptsLast7Days")]
    pub practice_attempts_last_7_days: i32,
    /// The few concrete steps that would raise the score most, biggest gain first.
    pub next_actions: Vec<String>,
    /// The same steps as `nextActions`, each with where it is done, for a link.
    pub next_steps: Vec<NextStep>,
}

/// A next action and where it is done.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct NextStep {
    /// What to do, as in `nextActions`.
    pub text: String,
    pub target: ActionTarget,
}

/// Where a next action is done, before the GraphQL layer names which
/// interview, competency or role: [`Evidence`] holds no keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aim {
    /// The open plan tasks due by this day (or overdue ones: `None`).
    PlanTasks(Option<NaiveDate>),
    /// A story for the gap at this place in [`Evidence::gaps`].
    Story(usize),
    /// An answer said aloud.
    Practice,
}

/// The keys a client links with: the interview's ID, the role's slug, and
/// the slugs of the gaps in the order of [`Evidence::gaps`].
pub struct Keys<'a> {
    pub interview_id: &'a str,
    pub role_slug: &'a str,
    pub gap_slugs: &'a [String],
}

impl Aim {
    /// The machine-readable place of this aim, named by `keys`.
    pub fn target(self, keys: &Keys<'_>) -> ActionTarget {
        match self {
            Aim::PlanTasks(due_by) => ActionTarget {
                kind: ActionTargetKind::PlanTasks,
                id: Some(keys.interview_id.to_owned()),
                due_by,
            },
            Aim::Story(gap) => ActionTarget {
                kind: ActionTargetKind::NewStory,
                id: keys.gap_slugs.get(gap).cloned(),
                due_by: None,
            },
            Aim::Practice => ActionTarget {
                kind: ActionTargetKind::Practice,
                id: Some(keys.role_slug.to_owned()),
                due_by: None,
            },
        }
    }
}

/// One task of the plan, as readiness sees it.
#[derive(Debug, Clone, Copy)]
pub struct Task {
    pub due_on: NaiveDate,
    pub done: bool,
}

/// What the score is made of.
#[derive(Debug, Clone)]
pub struct Evidence<'a> {
    pub tasks: &'a [Task],
    /// Today in the interview's zone.
    pub today: NaiveDate,
    pub competencies_total: usize,
    /// Names of the competencies without a READY story, in the role's order.
    pub gaps: &'a [String],
    pub ready_stories: usize,
    pub practice_attempts: u64,
}

fn share(points: f64, part: usize, total: usize) -> f64 {
    if total == 0 {
        points
    } else {
        points * part as f64 / total as f64
    }
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn tasks_word(n: usize) -> &'static str {
    if n == 1 { "task" } else { "tasks" }
}

/// The readiness that `evidence` shows, its next steps' places named by `keys`.
pub fn readiness_with_targets(evidence: &Evidence<'_>, keys: &Keys<'_>) -> Readiness {
    let (mut readiness, aims) = score(evidence);
    readiness.next_steps = readiness
        .next_actions
        .iter()
        .zip(aims)
        .map(|(text, aim)| NextStep {
            text: text.clone(),
            target: aim.target(keys),
        })
        .collect();
    readiness
}

/// The readiness that `evidence` shows (its `next_steps` left empty).
pub fn readiness(evidence: &Evidence<'_>) -> Readiness {
    score(evidence).0
}

/// The readiness, and where each of its next actions is done.
fn score(evidence: &Evidence<'_>) -> (Readiness, Vec<Aim>) {
    let plan_total = evidence.tasks.len();
    let plan_done = evidence.tasks.iter().filter(|t| t.done).count();
    let competencies_total = evidence.competencies_total;
    let covered = competencies_total.saturating_sub(evidence.gaps.len());
    let practised = evidence.practice_attempts.min(PRACTICE_CAP);
    let raw = share(PLAN_POINTS, plan_done, plan_total)
        + share(COMPETENCY_POINTS, covered, competencies_total)
        + PRACTICE_POINTS * practised as f64 / PRACTICE_CAP as f64;
    // The small epsilon keeps sums like 10.499999 (for 10.5) rounding up.
    let score = ((raw + 1e-9).round() as i32).clamp(0, 100);

    // (gain in points, order of kind, text, aim); sorted by gain, then kind.
    let mut actions: Vec<(f64, usize, String, Aim)> = Vec::new();
    let open: Vec<&Task> = evidence.tasks.iter().filter(|t| !t.done).collect();
    if let Some(first) = open.iter().map(|t| t.due_on).min() {
        let text = if first < evidence.today {
            let n = open.iter().filter(|t| t.due_on < evidence.today).count();
            (
                n,
                Aim::PlanTasks(None),
                format!(
                    "{n} plan {} overdue: do them or tick them off",
                    tasks_word(n)
                ),
            )
        } else {
            let n = open.iter().filter(|t| t.due_on <= first).count();
            (
                n,
                Aim::PlanTasks(Some(first)),
                format!(
                    "{n} plan {} due by {}",
                    tasks_word(n),
                    first.format("%A %-d %b")
                ),
            )
        };
        actions.push((share(PLAN_POINTS, text.0, plan_total), 0, text.2, text.1));
    }
    for (i, gap) in evidence.gaps.iter().enumerate() {
        actions.push((
            share(COMPETENCY_POINTS, 1, competencies_total),
            1,
            format!("Write a READY story for {}", gap.to_lowercase()),
            Aim::Story(i),
        ));
    }
    if practised < PRACTICE_CAP {
        let text = if evidence.practice_attempts == 0 {
            format!("Practise one answer aloud: none in the last {PRACTICE_DAYS} days")
        } else {
            format!(
                "Practise one more answer aloud: {} in the last {PRACTICE_DAYS} days",
                evidence.practice_attempts
            )
        };
        actions.push((
            PRACTICE_POINTS / PRACTICE_CAP as f64,
            2,
            text,
            Aim::Practice,
        ));
    }
    actions.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    actions.truncate(NEXT_ACTIONS);
    let aims = actions.iter().map(|a| a.3).collect();

    let readiness = Readiness {
        score,
        plan_done: count(plan_done),
        plan_total: count(plan_total),
        competencies_covered: count(covered),
        competencies_total: count(competencies_total),
        ready_stories: count(evidence.ready_stories),
        practice_attempts_last_7_days: i32::try_from(evidence.practice_attempts)
            .unwrap_or(i32::MAX),
        next_actions: actions.into_iter().map(|(_, _, text, _)| text).collect(),
        next_steps: Vec::new(),
    };
    (readiness, aims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn tasks(spec: &[(u32, bool)]) -> Vec<Task> {
        spec.iter()
            .map(|&(d, done)| Task {
                due_on: day(d),
                done,
            })
            .collect()
    }

    fn gaps(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_doc_example_scores_31() {
        let t = tasks(&[
            (1, true),
            (1, true),
            (1, true),
            (8, false),
            (8, false),
            (8, false),
            (14, false),
            (14, false),
            (14, false),
        ]);
        let g = gaps(&[
            "Conflict",
            "Failure",
            "Adaptability",
            "Teamwork",
            "Innovation",
        ]);
        let r = readiness(&Evidence {
            tasks: &t,
            today: day(1),
            competencies_total: 7,
            gaps: &g,
            ready_stories: 2,
            practice_attempts: 1,
        });
        assert_eq!(r.score, 31);
        assert_eq!((r.plan_done, r.plan_total), (3, 9));
        assert_eq!((r.competencies_covered, r.competencies_total), (2, 7));
        // 3 tasks: 13.3 points; a story: 5.7; practice: 6.7.
        assert_eq!(
            r.next_actions,
            [
                "3 plan tasks due by Tuesday 8 Dec",
                "Practise one more answer aloud: 1 in the last 7 days",
                "Write a READY story for conflict",
            ]
        );
    }

    #[test]
    fn each_next_step_names_where_it_is_done() {
        let t = tasks(&[(1, true), (8, false), (14, false)]);
        let g = gaps(&["Conflict", "Failure"]);
        let slugs = gaps(&["conflict", "failure"]);
        let r = readiness_with_targets(
            &Evidence {
                tasks: &t,
                today: day(1),
                competencies_total: 4,
                gaps: &g,
                ready_stories: 2,
                practice_attempts: 0,
            },
            &Keys {
                interview_id: "SW50ZXJ2aWV3OjE",
                role_slug: "backend-developer",
                gap_slugs: &slugs,
            },
        );
        let steps: Vec<_> = r
            .next_steps
            .iter()
            .map(|s| {
                (
                    s.text.as_str(),
                    s.target.kind,
                    s.target.id.as_deref(),
                    s.target.due_by,
                )
            })
            .collect();
        // 1 task: 13.3 points; a story: 10; practice: 6.7.
        assert_eq!(
            steps,
            [
                (
                    "1 plan task due by Tuesday 8 Dec",
                    ActionTargetKind::PlanTasks,
                    Some("SW50ZXJ2aWV3OjE"),
                    Some(day(8))
                ),
                (
                    "Write a READY story for conflict",
                    ActionTargetKind::NewStory,
                    Some("conflict"),
                    None
                ),
                (
                    "Write a READY story for failure",
                    ActionTargetKind::NewStory,
                    Some("failure"),
                    None
                ),
            ]
        );
        assert_eq!(r.next_actions.len(), r.next_steps.len());
    }

    #[test]
    fn everything_done_scores_100_with_nothing_to_do() {
        let t = tasks(&[(1, true)]);
        let r = readiness(&Evidence {
            tasks: &t,
            today: day(2),
            competencies_total: 2,
            gaps: &[],
            ready_stories: 4,
            practice_attempts: 5,
        });
        assert_eq!(r.score, 100);
        assert_eq!(r.practice_attempts_last_7_days, 5);
        assert!(r.next_actions.is_empty());
    }

    #[test]
    fn nothing_done_scores_0_and_overdue_tasks_come_first() {
        let t = tasks(&[(1, false), (2, false), (9, false), (10, false)]);
        let g = gaps(&["Leadership", "Failure"]);
        let r = readiness(&Evidence {
            tasks: &t,
            today: day(5),
            competencies_total: 2,
            gaps: &g,
            ready_stories: 0,
            practice_attempts: 0,
        });
        assert_eq!(r.score, 0);
        // 2 overdue of 4: 20 points; a story: 20 points; practice 6.7.
        assert_eq!(
            r.next_actions,
            [
                "2 plan tasks overdue: do them or tick them off",
                "Write a READY story for leadership",
                "Write a READY story for failure",
            ]
        );
    }

    #[test]
    fn empty_parts_count_in_full() {
        let r = readiness(&Evidence {
            tasks: &[],
            today: day(1),
            competencies_total: 0,
            gaps: &[],
            ready_stories: 0,
            practice_attempts: 0,
        });
        assert_eq!(r.score, 80);
        assert_eq!(
            r.next_actions,
            ["Practise one answer aloud: none in the last 7 days"]
        );
    }

    #[test]
    fn each_step_moves_the_score_by_its_share() {
        let base = |done: usize, gaps_left: usize, attempts: u64| {
            let t: Vec<Task> = (0..9)
                .map(|i| Task {
                    due_on: day(20),
                    done: i < done,
                })
                .collect();
            let g: Vec<String> = (0..gaps_left).map(|i| format!("C{i}")).collect();
            readiness(&Evidence {
                tasks: &t,
                today: day(1),
                competencies_total: 7,
                gaps: &g,
                ready_stories: 0,
                practice_attempts: attempts,
            })
            .score
        };
        assert_eq!(base(0, 7, 0), 0);
        assert_eq!(base(1, 7, 0), 4); // 4.44
        assert_eq!(base(1, 6, 0), 10); // 4.44 + 5.71 = 10.16
        assert_eq!(base(1, 6, 1), 17); // + 6.67 = 16.83
        assert_eq!(base(1, 6, 4), 30); // practice capped at 20: 30.16
    }
}
