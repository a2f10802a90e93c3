//! Coverage of a role by the viewer's stories: per competency and per
//! question, the drafts tagged with it or linked to it, and whether a READY
//! one covers it. Pure: the GraphQL layer loads the rows (batched), this
//! decides what they mean.

use std::collections::{HashMap, HashSet};

use crate::stored::{StarDraftStatus, StoredEnum};

/// The part of a draft coverage needs.
pub trait Story {
    /// The draft's id.
    fn id(&self) -> i32;
    /// The draft's stored status.
    fn status(&self) -> &str;
}

/// One competency or question with the stories for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covered<T, S> {
    pub item: T,
    pub stories: Vec<S>,
    /// One of the stories is READY.
    pub covered: bool,
}

/// A role's coverage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleCoverage<C, Q, S> {
    /// In the role's order of competencies.
    pub competencies: Vec<Covered<C, S>>,
    /// In the role's order of questions.
    pub questions: Vec<Covered<Q, S>>,
    /// The competencies without a READY story, in the role's order.
    pub gaps: Vec<C>,
    /// READY drafts that cover at least one competency or question of the role, each once.
    pub ready_stories: usize,
}

fn is_ready<S: Story>(story: &S) -> bool {
    story.status() == StarDraftStatus::Ready.stored()
}

/// Pairs each of the role's `competencies` and `questions` (with their keys)
/// with the stories found for those keys.
pub fn coverage<C: Clone, Q, S: Story + Clone>(
    competencies: Vec<(i32, C)>,
    questions: Vec<(i32, Q)>,
    stories_of_competency: &HashMap<i32, Vec<S>>,
    stories_of_question: &HashMap<i32, Vec<S>>,
) -> RoleCoverage<C, Q, S> {
    let mut ready = HashSet::new();
    let mut pair = |key: i32, stories_of: &HashMap<i32, Vec<S>>| {
        let stories = stories_of.get(&key).cloned().unwrap_or_default();
        let mut covered = false;
        for story in stories.iter().filter(|s| is_ready(*s)) {
            covered = true;
            ready.insert(story.id());
        }
        (stories, covered)
    };
    let competencies: Vec<Covered<C, S>> = competencies
        .into_iter()
        .map(|(key, item)| {
            let (stories, covered) = pair(key, stories_of_competency);
            Covered {
                item,
                stories,
                covered,
            }
        })
        .collect();
    let questions = questions
        .into_iter()
        .map(|(key, item)| {
            let (stories, covered) = pair(key, stories_of_question);
            Covered {
                item,
                stories,
                covered,
            }
        })
        .collect();
    let gaps = competencies
        .iter()
        .filter(|c| !c.covered)
        .map(|c| c.item.clone())
        .collect();
    RoleCoverage {
        competencies,
        questions,
        gaps,
        ready_stories: ready.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq)]
    struct S(i32, &'static str);

    impl Story for S {
        fn id(&self) -> i32 {
            self.0
        }
        fn status(&self) -> &str {
            self.1
        }
    }

    #[test]
    fn ready_stories_cover_and_the_rest_are_gaps() {
        let by_competency = HashMap::from([
            (10, vec![S(1, "ready"), S(2, "draft")]),
            (11, vec![S(2, "draft")]),
            (12, vec![S(3, "archived")]),
        ]);
        let by_question = HashMap::from([(20, vec![S(1, "ready")]), (21, vec![S(4, "ready")])]);
        let c = coverage(
            vec![
                (10, "lead"),
                (11, "conflict"),
                (12, "failure"),
                (13, "innovation"),
            ],
            vec![(20, "q1"), (21, "q2"), (22, "q3")],
            &by_competency,
            &by_question,
        );
        let covered: Vec<bool> = c.competencies.iter().map(|c| c.covered).collect();
        assert_eq!(covered, [true, false, false, false]);
        assert_eq!(c.competencies[0].stories, [S(1, "ready"), S(2, "draft")]);
        assert_eq!(c.gaps, ["conflict", "failure", "innovation"]);
        let answered: Vec<bool> = c.questions.iter().map(|q| q.covered).collect();
        assert_eq!(answered, [true, true, false]);
        assert!(c.questions[2].stories.is_empty());
        // Story 1 covers two things but counts once; 4 covers a question only.
        assert_eq!(c.ready_stories, 2);
    }

    #[test]
    fn nothing_written_means_every_competency_is_a_gap() {
        let none = HashMap::<i32, Vec<S>>::new();
        let c = coverage(vec![(1, "a"), (2, "b")], vec![(3, "q")], &none, &none);
        assert_eq!(c.gaps, ["a", "b"]);
        assert_eq!(c.ready_stories, 0);
    }
}
