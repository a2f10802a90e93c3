//! Feedback on a STAR answer, computed from its text alone.
//!
//! The rules follow the role pages' advice: speak for 90–120 seconds (at about
//! 150 words a minute), quantify the Result, say "I" rather than "we" in the
//! Action, and leave no section out. One rule looks at the draft's links
//! instead: a story told for every role ([`reuse_suggestion`]).

use async_graphql::{Enum, SimpleObject};
use serde::{Deserialize, Serialize};

use super::text::{FIRST_PERSON, TEAM_PERSON, fillers, words};

pub use super::text::is_quantified;

pub use super::text::{TARGET_SECONDS, WORDS_PER_MINUTE};

/// A section of a STAR answer.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StarSection {
    Situation,
    Task,
    Action,
    Result,
}

impl StarSection {
    /// Fewer words than this and the section is too short to carry its part.
    pub fn minimum_words(self) -> usize {
        match self {
            Self::Situation => 15,
            Self::Task => 10,
            Self::Action => 40,
            Self::Result => 15,
        }
    }

    /// The section's name, as the advice writes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Situation => "Situation",
            Self::Task => "Task",
            Self::Action => "Action",
            Self::Result => "Result",
        }
    }
}

/// The four sections' text.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub situation: &'a str,
    pub task: &'a str,
    pub action: &'a str,
    pub result: &'a str,
}

impl<'a> Answer<'a> {
    /// The sections with their text, in STAR order.
    pub fn sections(&self) -> [(StarSection, &'a str); 4] {
        [
            (StarSection::Situation, self.situation),
            (StarSection::Task, self.task),
            (StarSection::Action, self.action),
            (StarSection::Result, self.result),
        ]
    }
}

/// Word count of one section.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct StarSectionFeedback {
    pub section: StarSection,
    pub word_count: i32,
    /// Present but under the section's minimum length.
    pub too_short: bool,
}

/// One piece of advice; `code` is stable for clients to key on.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarSuggestion {
    /// e.g. `RESULT_NOT_QUANTIFIED`.
    pub code: String,
    /// The section it is about, if one.
    pub section: Option<StarSection>,
    pub message: String,
}

/// Everything computed from a draft's text.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct StarFeedback {
    /// Words in the four sections together.
    pub word_count: i32,
    /// At 150 words a minute.
    pub estimated_speaking_seconds: i32,
    /// Whether the estimate is within 90–120 seconds.
    pub within_target_length: bool,
    /// Whether the Result has a number, percentage, amount, multiplier or time saved.
    pub result_quantified: bool,
    /// "I", "me", "my"... in the Action.
    pub first_person_count: i32,
    /// "we", "us", "our"... in the Action.
    pub team_person_count: i32,
    /// Sections with no words.
    pub missing_sections: Vec<StarSection>,
    /// Filler words and phrases found, each once, in order of appearance.
    pub filler_words: Vec<String>,
    pub sections: Vec<StarSectionFeedback>,
    pub suggestions: Vec<StarSuggestion>,
}

/// A suggestion with stable `code`.
pub fn suggestion(code: &str, section: Option<StarSection>, message: String) -> StarSuggestion {
    StarSuggestion {
        code: code.to_owned(),
        section,
        message,
    }
}

/// Computes the feedback of an answer.
pub fn analyse(answer: Answer<'_>) -> StarFeedback {
    let mut sections = Vec::new();
    let mut missing = Vec::new();
    let mut suggestions = Vec::new();
    let mut total = 0;
    for (section, text) in answer.sections() {
        let count = words(text).len();
        total += count;
        let too_short = count > 0 && count < section.minimum_words();
        if count == 0 {
            missing.push(section);
            suggestions.push(suggestion(
                &format!("{}_MISSING", section.name().to_uppercase()),
                Some(section),
                format!(
                    "Add the {}: the answer is incomplete without it.",
                    section.name()
                ),
            ));
        } else if too_short {
            suggestions.push(suggestion(
                "SECTION_TOO_SHORT",
                Some(section),
                format!(
                    "The {} has {count} words; give it at least {}.",
                    section.name(),
                    section.minimum_words()
                ),
            ));
        }
        sections.push(StarSectionFeedback {
            section,
            word_count: count as i32,
            too_short,
        });
    }

    let seconds = (total * 60 + WORDS_PER_MINUTE / 2) / WORDS_PER_MINUTE;
    let within = (TARGET_SECONDS.0..=TARGET_SECONDS.1).contains(&seconds);
    if total > 0 && seconds < TARGET_SECONDS.0 {
        suggestions.push(suggestion(
            "TOO_SHORT",
            None,
            format!("About {seconds} s spoken; aim for 90 to 120 s by adding detail to the Action and Result."),
        ));
    } else if seconds > TARGET_SECONDS.1 {
        suggestions.push(suggestion(
            "TOO_LONG",
            None,
            format!("About {seconds} s spoken; cut it to 90 to 120 s, mostly from the Situation."),
        ));
    }

    let quantified = is_quantified(answer.result);
    if !answer.result.trim().is_empty() && !quantified {
        suggestions.push(suggestion(
            "RESULT_NOT_QUANTIFIED",
            Some(StarSection::Result),
            "Quantify the Result: a number, percentage, amount, multiplier or time saved."
                .to_owned(),
        ));
    }

    let action = words(answer.action);
    let first = action
        .iter()
        .filter(|w| FIRST_PERSON.contains(&w.as_str()))
        .count();
    let team = action
        .iter()
        .filter(|w| TEAM_PERSON.contains(&w.as_str()))
        .count();
    if team > first {
        suggestions.push(suggestion(
            "ACTION_USES_WE",
            Some(StarSection::Action),
            "Say what you did: use \"I\" rather than \"we\" in the Action.".to_owned(),
        ));
    }

    let filler_words = fillers(&[answer.situation, answer.task, answer.action, answer.result]);
    if !filler_words.is_empty() {
        suggestions.push(suggestion(
            "FILLER_WORDS",
            None,
            format!("Drop the filler words: {}.", filler_words.join(", ")),
        ));
    }

    StarFeedback {
        word_count: total as i32,
        estimated_speaking_seconds: seconds as i32,
        within_target_length: within,
        result_quantified: quantified,
        first_person_count: first as i32,
        team_person_count: team as i32,
        missing_sections: missing,
        filler_words,
        sections,
        suggestions,
    }
}

/// The suggestion for a story linked to more than `max_questions` questions
/// that belong to more than one role: the reference page's mistake of using
/// the same examples for every role. `question_roles` holds the role of each
/// linked question.
pub fn reuse_suggestion(question_roles: &[i32], max_questions: usize) -> Option<StarSuggestion> {
    let mut roles = question_roles.to_vec();
    roles.sort_unstable();
    roles.dedup();
    (question_roles.len() > max_questions && roles.len() > 1).then(|| {
        suggestion(
            "STORY_REUSED_ACROSS_ROLES",
            None,
            format!(
                "This story answers {} questions for {} roles. Told the same way everywhere it \
                 sounds rehearsed: tailor it to each role, or pick a closer example for some.",
                question_roles.len(),
                roles.len()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_story_for_many_questions_of_several_roles_gets_the_reuse_advice() {
        // Four questions of two roles, over a limit of three.
        let s = reuse_suggestion(&[1, 1, 2, 2], 3).expect("a suggestion");
        assert_eq!(s.code, "STORY_REUSED_ACROSS_ROLES");
        assert_eq!(s.section, None);
        assert!(
            s.message.contains("4 questions for 2 roles"),
            "{}",
            s.message
        );
        // At the limit, or all of one role: no advice.
        assert_eq!(reuse_suggestion(&[1, 2, 2], 3), None);
        assert_eq!(reuse_suggestion(&[1, 1, 1, 1, 1], 3), None);
        assert_eq!(reuse_suggestion(&[], 0), None);
        assert!(reuse_suggestion(&[1, 2], 1).is_some());
    }

    fn codes(f: &StarFeedback) -> Vec<&str> {
        f.suggestions.iter().map(|s| s.code.as_str()).collect()
    }

    /// `n` neutral words.
    fn filler_free(n: usize) -> String {
        vec!["service"; n].join(" ")
    }

    #[test]
    fn a_good_answer_gets_no_suggestions() {
        let situation = format!(
            "Our checkout API timed out at peak traffic. {}",
            filler_free(20)
        );
        let task = format!(
            "I owned the latency budget for checkout. {}",
            filler_free(20)
        );
        let action = format!(
            "I profiled the hot path, I added a read-through cache and I moved the payment call to a queue. {}",
            filler_free(150)
        );
        let result = format!(
            "p95 latency fell from 800 ms to 120 ms and errors dropped 90%. {}",
            filler_free(20)
        );
        let f = analyse(Answer {
            situation: &situation,
            task: &task,
            action: &action,
            result: &result,
        });
        assert_eq!(codes(&f), Vec::<&str>::new(), "{f:#?}");
        assert!(f.within_target_length);
        assert!(f.result_quantified);
        assert_eq!(f.first_person_count, 3);
        assert_eq!(f.team_person_count, 0);
        assert_eq!(f.missing_sections, vec![]);
        // 8+20 + 7+20 + 19+150 + 13+20 = 257 words; 257 / 150 min = 102.8 s, rounded to 103.
        assert_eq!(f.word_count, 257);
        assert_eq!(f.estimated_speaking_seconds, 103);
    }

    #[test]
    fn an_empty_answer_lists_every_section_missing() {
        let f = analyse(Answer {
            situation: "",
            task: "  ",
            action: "",
            result: "",
        });
        assert_eq!(f.word_count, 0);
        assert_eq!(f.estimated_speaking_seconds, 0);
        assert!(!f.within_target_length);
        assert_eq!(
            f.missing_sections,
            vec![
                StarSection::Situation,
                StarSection::Task,
                StarSection::Action,
                StarSection::Result
            ]
        );
        assert_eq!(
            codes(&f),
            [
                "SITUATION_MISSING",
                "TASK_MISSING",
                "ACTION_MISSING",
                "RESULT_MISSING"
            ]
        );
    }

    #[test]
    fn a_vague_team_answer_with_fillers_gets_advice() {
        let f = analyse(Answer {
            situation: "Basically the site was slow, you know.",
            task: "We had to fix it.",
            action: "We looked at it and we kind of fixed our queries, um, together.",
            result: "It was much better and everyone was happy.",
        });
        assert!(!f.result_quantified);
        assert_eq!((f.first_person_count, f.team_person_count), (0, 3));
        assert_eq!(f.filler_words, ["basically", "you know", "kind of", "um"]);
        let codes = codes(&f);
        for code in [
            "SECTION_TOO_SHORT",
            "TOO_SHORT",
            "RESULT_NOT_QUANTIFIED",
            "ACTION_USES_WE",
            "FILLER_WORDS",
        ] {
            assert!(codes.contains(&code), "{code} missing from {codes:?}");
        }
        assert!(f.sections.iter().all(|s| s.too_short));
    }

    #[test]
    fn long_answers_are_flagged() {
        let long = filler_free(100);
        let f = analyse(Answer {
            situation: &long,
            task: &long,
            action: &long,
            result: &format!("{long} 5%"),
        });
        assert_eq!(f.estimated_speaking_seconds, 160);
        assert!(codes(&f).contains(&"TOO_LONG"));
        assert!(!f.within_target_length);
    }
}
