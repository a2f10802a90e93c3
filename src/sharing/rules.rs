//! The rules of sharing and comments, as pure functions: what text is
//! accepted, which part of a draft a comment is about, and when a comment is
//! outdated.

use crate::error::{AppError, AppResult};
use crate::stored::CommentSection;

/// `body` trimmed, when it is 1..=`max` characters of text (line breaks and
/// tabs allowed, no other control character); else BAD_USER_INPUT on `field`.
pub fn comment_body(field: &str, body: &str, max: usize) -> AppResult<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    no_controls(field, body, true)?;
    AppError::check_length(field, body, max)?;
    Ok(body.to_owned())
}

/// A quote as given (quotes are matched exactly, so never trimmed): `None`
/// for none or an empty one; BAD_USER_INPUT when over `max` characters or
/// holding a control character other than a line break or tab.
pub fn quote(field: &str, quote: Option<&str>, max: usize) -> AppResult<Option<String>> {
    let Some(quote) = quote.filter(|q| !q.trim().is_empty()) else {
        return Ok(None);
    };
    no_controls(field, quote, true)?;
    AppError::check_length(field, quote, max)?;
    Ok(Some(quote.to_owned()))
}

/// A share's note, trimmed: one line of at most `max` characters.
pub fn share_note(note: Option<&str>, max: usize) -> AppResult<String> {
    let note = note.unwrap_or("").trim();
    no_controls("note", note, false)?;
    AppError::check_length("note", note, max)?;
    Ok(note.to_owned())
}

/// BAD_USER_INPUT on `field` when `text` holds a control character (or a
/// bidirectional override, which can make text read as something else);
/// `lines` allows line breaks and tabs.
fn no_controls(field: &str, text: &str, lines: bool) -> AppResult<()> {
    let bad = text.chars().find(|&c| {
        let allowed = lines && matches!(c, '\n' | '\r' | '\t');
        (c.is_control() && !allowed) || is_bidi_control(c)
    });
    match bad {
        Some(c) => Err(AppError::bad_input(
            field,
            format!("must not contain the control character U+{:04X}", c as u32),
        )),
        None => Ok(()),
    }
}

/// The bidirectional embedding, override and isolate controls.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The text of `section` in a draft whose parts are given, or `None` for a
/// comment on the draft as a whole.
pub fn section_text<'a>(
    section: CommentSection,
    title: &'a str,
    situation: &'a str,
    task: &'a str,
    action: &'a str,
    result: &'a str,
) -> Option<&'a str> {
    match section {
        CommentSection::Title => Some(title),
        CommentSection::Situation => Some(situation),
        CommentSection::Task => Some(task),
        CommentSection::Action => Some(action),
        CommentSection::Result => Some(result),
        CommentSection::General => None,
    }
}

/// Whether a comment quoting `quote` is outdated against the current text
/// of its section: the quote no longer appears there. A comment on the
/// whole draft looks for its quote in every part.
pub fn is_outdated(quote: Option<&str>, section: Option<&str>, whole: &[&str]) -> bool {
    let Some(quote) = quote else { return false };
    match section {
        Some(text) => !text.contains(quote),
        None => !whole.iter().any(|text| text.contains(quote)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_trimmed_and_bounded() {
        assert_eq!(
            comment_body("body", "  Add a number \n", 100).unwrap(),
            "Add a number"
        );
        assert!(comment_body("body", "   ", 100).is_err());
        assert!(comment_body("body", "abcdef", 5).is_err());
        assert!(comment_body("body", "two\nlines\tok", 100).is_ok());
        assert!(comment_body("body", "nul\u{0}", 100).is_err());
        assert!(comment_body("body", "bell\u{7}", 100).is_err());
        assert!(comment_body("body", "\u{202E}gnp.exe", 100).is_err());
    }

    #[test]
    fn quotes_keep_their_exact_text() {
        assert_eq!(
            quote("quote", Some(" 40% "), 10).unwrap().as_deref(),
            Some(" 40% ")
        );
        assert_eq!(quote("quote", Some("  "), 10).unwrap(), None);
        assert_eq!(quote("quote", None, 10).unwrap(), None);
        assert!(quote("quote", Some("longer than ten"), 10).is_err());
    }

    #[test]
    fn notes_are_one_line() {
        assert_eq!(share_note(Some(" for Maria "), 50).unwrap(), "for Maria");
        assert_eq!(share_note(None, 50).unwrap(), "");
        assert!(share_note(Some("a\nb"), 50).is_err());
    }

    #[test]
    fn a_comment_is_outdated_when_its_quote_is_gone() {
        let parts = [
            "Title",
            "We had outages",
            "Fix it",
            "I added retries",
            "Errors fell 40%",
        ];
        let result = section_text(
            CommentSection::Result,
            parts[0],
            parts[1],
            parts[2],
            parts[3],
            parts[4],
        );
        assert!(!is_outdated(Some("40%"), result, &parts));
        assert!(is_outdated(Some("50%"), result, &parts));
        assert!(!is_outdated(None, result, &parts));
        let general = section_text(
            CommentSection::General,
            parts[0],
            parts[1],
            parts[2],
            parts[3],
            parts[4],
        );
        assert!(!is_outdated(Some("retries"), general, &parts));
        assert!(is_outdated(Some("caching"), general, &parts));
    }
}
