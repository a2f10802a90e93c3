//! Text rules shared by the draft feedback (written answers) and the
//! practice feedback (spoken answers): how text splits into words, the
//! filler words, what counts as a quantity, the speaking pace and the target
//! length of an answer.

/// Speaking pace used to estimate a written answer's length.
pub const WORDS_PER_MINUTE: usize = 150;
/// Shortest and longest target answer, in seconds (the reference page's 90 s to 2 minutes).
pub const TARGET_SECONDS: (usize, usize) = (90, 120);

/// Lowercased words of `text`, with surrounding punctuation removed.
pub fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '%')
                .trim_matches('\'')
                .to_lowercase()
                .replace('’', "'")
        })
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect()
}

/// Words that speak of oneself.
pub const FIRST_PERSON: &[&str] = &[
    "i", "i'm", "i've", "i'd", "i'll", "me", "my", "mine", "myself",
];
/// Words that speak of the team.
pub const TEAM_PERSON: &[&str] = &[
    "we",
    "we're",
    "we've",
    "we'd",
    "we'll",
    "us",
    "our",
    "ours",
    "ourselves",
];
const FILLER_WORDS: &[&str] = &[
    "um",
    "umm",
    "uh",
    "er",
    "erm",
    "basically",
    "actually",
    "literally",
    "honestly",
    "obviously",
];
const FILLER_PHRASES: &[&str] = &["you know", "kind of", "sort of", "i mean"];
const QUANTITY_WORDS: &[&str] = &[
    "doubled",
    "tripled",
    "quadrupled",
    "halved",
    "twice",
    "half",
    "percent",
    "hundred",
    "hundreds",
    "thousand",
    "thousands",
    "million",
    "millions",
    "billion",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "twenty",
    "fifty",
];

/// Whether `text` states a quantity: a figure ("40%", "£2m", "3x", "120 ms"),
/// a multiplier word ("doubled") or a spelled-out number ("saved two days").
pub fn is_quantified(text: &str) -> bool {
    words(text)
        .iter()
        .any(|w| w.chars().any(|c| c.is_ascii_digit()) || QUANTITY_WORDS.contains(&w.as_str()))
}

/// Every filler word or phrase in `texts` (read one after the other), as
/// `(text index, word index, filler)`, in order of appearance.
fn filler_hits<'t>(texts: &[&str]) -> Vec<(usize, usize, &'t str)> {
    let mut found: Vec<(usize, usize, &str)> = Vec::new();
    for (t, text) in texts.iter().enumerate() {
        let words = words(text);
        for (i, w) in words.iter().enumerate() {
            if let Some(f) = FILLER_WORDS.iter().find(|f| **f == w.as_str()) {
                found.push((t, i, f));
            }
            if let Some(next) = words.get(i + 1) {
                let pair = format!("{w} {next}");
                if let Some(f) = FILLER_PHRASES.iter().find(|f| **f == pair) {
                    found.push((t, i, f));
                }
            }
        }
    }
    found.sort();
    found
}

/// Filler words and phrases of `texts`, each once, in order of first appearance.
pub fn fillers(texts: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, _, f) in filler_hits(texts) {
        if !out.iter().any(|o| o == f) {
            out.push(f.to_owned());
        }
    }
    out
}

/// How many filler words and phrases `text` has, counting each occurrence.
pub fn filler_count(text: &str) -> usize {
    filler_hits(&[text]).len()
}

/// Short words that carry no topic, left out of [`content_words`].
const STOP_WORDS: &[&str] = &[
    "about", "after", "also", "been", "before", "being", "could", "does", "each", "even", "from",
    "have", "into", "just", "more", "most", "much", "only", "other", "over", "same", "should",
    "some", "such", "than", "that", "their", "them", "then", "there", "these", "they", "this",
    "those", "very", "were", "what", "when", "where", "which", "while", "will", "with", "would",
    "your",
];

/// The distinct content words of `text`: words of four or more letters that
/// are neither filler nor stop words, in order of first appearance.
pub fn content_words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words(text) {
        let content = w.chars().filter(|c| c.is_alphabetic()).count() >= 4
            && !STOP_WORDS.contains(&w.as_str())
            && !FILLER_WORDS.contains(&w.as_str());
        if content && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_drop_punctuation_and_case() {
        assert_eq!(
            words("I said: \"Don’t panic!\" — 40% faster."),
            ["i", "said", "don't", "panic", "40%", "faster"]
        );
        assert!(words("  -- ... ").is_empty());
    }

    #[test]
    fn fillers_are_listed_once_and_counted_each_time() {
        let text = "Um, basically I, um, kind of fixed it, you know, basically.";
        assert_eq!(fillers(&[text]), ["um", "basically", "kind of", "you know"]);
        assert_eq!(filler_count(text), 6);
        assert_eq!(filler_count("I fixed the index."), 0);
        // Across texts, in the order they are read.
        assert_eq!(fillers(&["sort of", "um"]), ["sort of", "um"]);
    }

    #[test]
    fn quantities_take_many_forms() {
        for text in [
            "cut costs by 40%",
            "saved £2m a year",
            "3x faster",
            "saved two days a sprint",
            "halved the error rate",
            "from 800ms to 120ms",
        ] {
            assert!(is_quantified(text), "{text:?}");
        }
        for text in ["much faster", "everyone was happy", ""] {
            assert!(!is_quantified(text), "{text:?}");
        }
    }

    #[test]
    fn content_words_skip_short_stop_and_filler_words() {
        assert_eq!(
            content_words(
                "Basically the checkout API was slow, and THE checkout that they used timed out."
            ),
            ["checkout", "slow", "used", "timed"]
        );
        assert!(content_words("it is a bit of an um").is_empty());
    }
}
