//! Feedback on an answer said aloud, from its transcript and the real
//! duration, using the draft feedback's text rules ([`crate::drafts::text`]).
//!
//! - Pace: words per minute, `wordCount * 60 / durationSeconds`; below
//!   [`PACE_WPM`]`.0` is `TOO_SLOW`, above [`PACE_WPM`]`.1` is `TOO_FAST`.
//! - Length: within [`TARGET_SECONDS`] (90–120 s), else `UNDER_TIME` or `OVER_TIME`.
//! - Fillers: the draft feedback's filler words and phrases, each listed once,
//!   every occurrence counted; more than [`FILLER_HEAVY_PER_MINUTE`] a minute
//!   is `FILLER_HEAVY`.
//! - STAR sections touched: a section of the linked draft counts as touched
//!   when the transcript shares at least [`SHARED_WORDS_TO_TOUCH`] of its
//!   distinct content words (words of four or more letters that are not stop
//!   or filler words), or all of them when it has fewer. A practice of a
//!   question without a draft touches none. A draft whose Result was not
//!   touched gets `RESULT_MISSING`.
//! - Quantified: the transcript states a quantity (the draft feedback's
//!   rule); otherwise `RESULT_NOT_QUANTIFIED`.

use async_graphql::SimpleObject;
use serde::{Deserialize, Serialize};

use crate::drafts::feedback::{Answer, StarSection, StarSuggestion, suggestion};
use crate::drafts::text::{TARGET_SECONDS, content_words, filler_count, fillers, is_quantified};

/// Slowest and fastest comfortable pace, in words per minute.
pub const PACE_WPM: (f64, f64) = (110.0, 170.0);
/// More filler words than this per minute is `FILLER_HEAVY`.
pub const FILLER_HEAVY_PER_MINUTE: f64 = 3.0;
/// Content words a transcript must share with a section to touch it.
pub const SHARED_WORDS_TO_TOUCH: usize = 2;

/// Feedback on one finished practice attempt.
#[derive(SimpleObject, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PracticeFeedback {
    /// Words in the transcript.
    pub word_count: i32,
    /// `wordCount * 60 / durationSeconds`, to one decimal.
    pub words_per_minute: f64,
    /// Whether the duration is within 90–120 seconds.
    pub within_target_length: bool,
    /// Filler words and phrases said, each once, in order of appearance.
    pub filler_words: Vec<String>,
    /// Filler words and phrases (every occurrence) per minute, to one decimal.
    pub filler_per_minute: f64,
    /// The linked draft's sections the answer touched (see the rule in the
    /// README); none for a question practised without a draft.
    pub sections_covered: Vec<StarSection>,
    /// Whether the answer states a quantity (a number, percentage, multiplier...).
    pub result_quantified: bool,
    /// Advice with stable codes: TOO_FAST, TOO_SLOW, OVER_TIME, UNDER_TIME,
    /// FILLER_HEAVY, RESULT_MISSING, RESULT_NOT_QUANTIFIED.
    pub suggestions: Vec<StarSuggestion>,
    /// The words per minute of the viewer's previous finished attempt on the
    /// same draft or question; null for the first.
    pub previous_words_per_minute: Option<f64>,
}

fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The sections of `draft` that `transcript` touched, in STAR order.
pub fn sections_touched(transcript: &str, draft: &Answer<'_>) -> Vec<StarSection> {
    let said = content_words(transcript);
    draft
        .sections()
        .into_iter()
        .filter(|(_, text)| {
            let wanted = content_words(text);
            let shared = wanted.iter().filter(|w| said.contains(w)).count();
            !wanted.is_empty() && shared >= SHARED_WORDS_TO_TOUCH.min(wanted.len())
        })
        .map(|(section, _)| section)
        .collect()
}

/// The feedback on `transcript` said in `duration_seconds` (at least 1),
/// practising `draft` if there is one, after a previous attempt at `previous_wpm`.
pub fn analyse(
    transcript: &str,
    duration_seconds: u32,
    draft: Option<&Answer<'_>>,
    previous_wpm: Option<f64>,
) -> PracticeFeedback {
    let seconds = duration_seconds.max(1);
    let minutes = f64::from(seconds) / 60.0;
    let word_count = crate::drafts::text::words(transcript).len();
    let wpm = one_decimal(word_count as f64 / minutes);
    let filler_per_minute = one_decimal(filler_count(transcript) as f64 / minutes);
    let within = (TARGET_SECONDS.0..=TARGET_SECONDS.1).contains(&(seconds as usize));
    let sections = draft
        .map(|d| sections_touched(transcript, d))
        .unwrap_or_default();
    let quantified = is_quantified(transcript);

    let mut suggestions = Vec::new();
    if word_count > 0 && wpm > PACE_WPM.1 {
        suggestions.push(suggestion(
            "TOO_FAST",
            None,
            format!("{wpm} words a minute is hurried; slow down to about 150 and pause between sections."),
        ));
    } else if word_count > 0 && wpm < PACE_WPM.0 {
        suggestions.push(suggestion(
            "TOO_SLOW",
            None,
            format!("{wpm} words a minute is slow; aim for about 150 so the answer keeps moving."),
        ));
    }
    if seconds as usize > TARGET_SECONDS.1 {
        suggestions.push(suggestion(
            "OVER_TIME",
            None,
            format!(
                "The answer took {seconds} s; keep it to 90–120 s, mostly by cutting the Situation."
            ),
        ));
    } else if (seconds as usize) < TARGET_SECONDS.0 {
        suggestions.push(suggestion(
            "UNDER_TIME",
            None,
            format!(
                "The answer took {seconds} s; aim for 90–120 s with more on the Action and Result."
            ),
        ));
    }
    if filler_per_minute > FILLER_HEAVY_PER_MINUTE {
        suggestions.push(suggestion(
            "FILLER_HEAVY",
            None,
            format!(
                "{filler_per_minute} filler words a minute ({}); pause instead.",
                fillers(&[transcript]).join(", ")
            ),
        ));
    }
    if draft.is_some() && !sections.contains(&StarSection::Result) {
        suggestions.push(suggestion(
            "RESULT_MISSING",
            Some(StarSection::Result),
            "The answer did not reach the draft's Result: leave time to say how it ended."
                .to_owned(),
        ));
    }
    if !quantified {
        suggestions.push(suggestion(
            "RESULT_NOT_QUANTIFIED",
            Some(StarSection::Result),
            "Say the Result with a number: a percentage, amount, multiplier or time saved."
                .to_owned(),
        ));
    }

    PracticeFeedback {
        word_count: word_count as i32,
        words_per_minute: wpm,
        within_target_length: within,
        filler_words: fillers(&[transcript]),
        filler_per_minute,
        sections_covered: sections,
        result_quantified: quantified,
        suggestions,
        previous_words_per_minute: previous_wpm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(f: &PracticeFeedback) -> Vec<&str> {
        f.suggestions.iter().map(|s| s.code.as_str()).collect()
    }

    const DRAFT: Answer<'static> = Answer {
        situation: "Our checkout service timed out during the holiday sale.",
        task: "I owned the latency budget for checkout.",
        action: "I profiled requests, added a cache and moved payments onto a queue.",
        result: "Latency fell from 800 ms to 120 ms and abandoned baskets dropped.",
    };

    /// `n` words that touch nothing.
    fn neutral(n: usize) -> String {
        vec!["word"; n].join(" ")
    }

    #[test]
    fn a_paced_complete_answer_gets_no_advice() {
        // 250 words in 100 s: 150 words a minute.
        let transcript = format!(
            "The checkout service timed out. I owned the latency budget. I profiled requests and \
             added a cache. Latency fell from 800 ms to 120 ms. {}",
            neutral(225)
        );
        let f = analyse(&transcript, 100, Some(&DRAFT), Some(180.0));
        assert_eq!(f.word_count, 250);
        assert_eq!(f.words_per_minute, 150.0);
        assert!(f.within_target_length);
        assert_eq!(
            f.sections_covered,
            [
                StarSection::Situation,
                StarSection::Task,
                StarSection::Action,
                StarSection::Result
            ]
        );
        assert!(f.result_quantified);
        assert_eq!(codes(&f), Vec::<&str>::new(), "{f:#?}");
        assert_eq!(f.previous_words_per_minute, Some(180.0));
    }

    #[test]
    fn a_hurried_short_answer_with_fillers_and_no_result() {
        // 60 words in 20 s: 180 a minute; 4 fillers in 1/3 minute: 12 a minute.
        let transcript = format!(
            "Um, basically the checkout service timed out, um, you know. {}",
            neutral(50)
        );
        let f = analyse(&transcript, 20, Some(&DRAFT), None);
        assert_eq!(f.word_count, 60);
        assert_eq!(f.words_per_minute, 180.0);
        assert_eq!(f.filler_per_minute, 12.0);
        assert_eq!(f.filler_words, ["um", "basically", "you know"]);
        assert_eq!(f.sections_covered, [StarSection::Situation]);
        assert!(!f.within_target_length);
        assert_eq!(
            codes(&f),
            [
                "TOO_FAST",
                "UNDER_TIME",
                "FILLER_HEAVY",
                "RESULT_MISSING",
                "RESULT_NOT_QUANTIFIED"
            ]
        );
    }

    #[test]
    fn a_slow_long_answer_to_a_question_touches_no_section() {
        // 100 words in 150 s: 40 a minute.
        let f = analyse(&format!("{} 30%", neutral(99)), 150, None, None);
        assert_eq!(f.words_per_minute, 40.0);
        assert!(f.sections_covered.is_empty());
        assert_eq!(codes(&f), ["TOO_SLOW", "OVER_TIME"]);
    }

    #[test]
    fn a_section_with_one_content_word_is_touched_by_that_word() {
        let draft = Answer {
            situation: "An outage.",
            task: "",
            action: "",
            result: "",
        };
        assert_eq!(
            sections_touched("there was an outage", &draft),
            [StarSection::Situation]
        );
        assert!(sections_touched("all was fine", &draft).is_empty());
        // An empty section is never touched.
        assert!(!sections_touched("anything", &draft).contains(&StarSection::Task));
    }

    #[test]
    fn a_zero_duration_counts_as_one_second() {
        let f = analyse("one two", 0, None, None);
        assert_eq!(f.words_per_minute, 120.0);
    }
}
