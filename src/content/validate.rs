//! Checks of a content file, each error naming the file, the item and the field.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::model::RoleContent;
use crate::stored::{QuestionCategory, ResourceKind, StoredEnum};

/// Length limits of content text, in characters.
#[derive(Debug, Clone)]
pub struct ContentLimits {
    /// Slugs, of roles, skills and competencies.
    pub slug: usize,
    /// Titles, names, labels, prompts and one-line items.
    pub short_text: usize,
    /// Summaries, explanations and answers.
    pub long_text: usize,
    /// Resource links.
    pub url: usize,
}

impl Default for ContentLimits {
    fn default() -> Self {
        Self {
            slug: 64,
            short_text: 300,
            long_text: 3000,
            url: 2048,
        }
    }
}

/// Collects the errors of one file.
struct Report<'a> {
    file: &'a str,
    limits: &'a ContentLimits,
    errors: Vec<String>,
}

impl Report<'_> {
    fn error(&mut self, path: &str, message: impl AsRef<str>) {
        self.errors
            .push(format!("{}: {path}: {}", self.file, message.as_ref()));
    }

    /// A required text no longer than `max` characters.
    fn text(&mut self, path: &str, value: &str, max: usize) {
        let len = value.trim().chars().count();
        if len == 0 {
            self.error(path, "is required");
        } else if len > max {
            self.error(
                path,
                format!("is {len} characters long; the limit is {max}"),
            );
        }
    }

    fn short(&mut self, path: &str, value: &str) {
        self.text(path, value, self.limits.short_text);
    }

    fn long(&mut self, path: &str, value: &str) {
        self.text(path, value, self.limits.long_text);
    }

    fn slug(&mut self, path: &str, value: &str) {
        if value.is_empty() {
            self.error(path, "is required");
        } else if value.len() > self.limits.slug
            || !value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            || value.starts_with('-')
            || value.ends_with('-')
        {
            self.error(
                path,
                format!(
                    "{value:?} is not a slug (lowercase letters, digits and inner hyphens, at most {} characters)",
                    self.limits.slug
                ),
            );
        }
    }

    fn one_of(&mut self, path: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.error(
                path,
                format!("{value:?} is not one of {}", allowed.join(", ")),
            );
        }
    }

    /// A whole amount of money that fits the API's 32-bit integers.
    fn amount(&mut self, path: &str, value: i64) {
        if !(0..=i64::from(i32::MAX)).contains(&value) {
            self.error(path, format!("{value} is not between 0 and {}", i32::MAX));
        }
    }
}

/// Validates one parsed file; the errors are complete lines ready to print.
pub fn validate(file: &str, role: &RoleContent, limits: &ContentLimits) -> Vec<String> {
    let mut r = Report {
        file,
        limits,
        errors: Vec::new(),
    };
    r.slug("slug", &role.slug);
    r.short("title", &role.title);
    r.long("summary", &role.summary);
    r.short("reviewer.name", &role.reviewer.name);
    r.short("reviewer.title", &role.reviewer.title);

    let mut skill_slugs = HashSet::new();
    for (i, skill) in role.skills.iter().enumerate() {
        r.slug(&format!("skills[{i}].slug"), &skill.slug);
        r.short(&format!("skills[{i}].name"), &skill.name);
        if !skill.slug.is_empty() && !skill_slugs.insert(skill.slug.as_str()) {
            r.error(
                &format!("skills[{i}].slug"),
                format!("{:?} is listed twice", skill.slug),
            );
        }
    }

    let mut competency_slugs = HashSet::new();
    for (i, c) in role.competencies.iter().enumerate() {
        r.slug(&format!("competencies[{i}].slug"), &c.slug);
        r.short(&format!("competencies[{i}].name"), &c.name);
        r.short(&format!("competencies[{i}].description"), &c.description);
        if !c.slug.is_empty() && !competency_slugs.insert(c.slug.as_str()) {
            r.error(
                &format!("competencies[{i}].slug"),
                format!("{:?} is listed twice", c.slug),
            );
        }
    }

    for (i, q) in role.questions.iter().enumerate() {
        r.one_of(
            &format!("questions[{i}].category"),
            &q.category,
            QuestionCategory::STORED,
        );
        r.short(&format!("questions[{i}].prompt"), &q.prompt);
        let mut tagged = HashSet::new();
        for (j, slug) in q.competencies.iter().enumerate() {
            let path = format!("questions[{i}].competencies[{j}]");
            if !competency_slugs.contains(slug.as_str()) {
                r.error(
                    &path,
                    format!("{slug:?} is not one of the role's competencies"),
                );
            } else if !tagged.insert(slug.as_str()) {
                r.error(&path, format!("{slug:?} is listed twice"));
            }
        }
    }

    for (i, step) in role.prep_steps.iter().enumerate() {
        r.short(&format!("prep_steps[{i}].text"), &step.text);
    }

    let mut days = HashSet::new();
    for (i, phase) in role.timeline.iter().enumerate() {
        r.short(&format!("timeline[{i}].label"), &phase.label);
        let path = format!("timeline[{i}].days_before");
        if !(0..=3650).contains(&phase.days_before) {
            r.error(
                &path,
                format!("{} is not between 0 and 3650", phase.days_before),
            );
        } else if !days.insert(phase.days_before) {
            r.error(
                &path,
                format!("another phase is already {} days before", phase.days_before),
            );
        }
        for (j, task) in phase.tasks.iter().enumerate() {
            r.short(&format!("timeline[{i}].tasks[{j}]"), task);
        }
    }

    for (i, m) in role.mistakes.iter().enumerate() {
        r.short(&format!("mistakes[{i}].title"), &m.title);
        r.long(&format!("mistakes[{i}].explanation"), &m.explanation);
    }

    let mut countries = HashSet::new();
    for (i, s) in role.salary.iter().enumerate() {
        let p = |field: &str| format!("salary[{i}].{field}");
        if isocountry::CountryCode::for_alpha2(&s.country).is_err() {
            r.error(
                &p("country"),
                format!("{:?} is not an ISO 3166-1 alpha-2 country code", s.country),
            );
        } else if !countries.insert(s.country.as_str()) {
            r.error(
                &p("country"),
                format!("{:?} has a benchmark already", s.country),
            );
        }
        if iso_currency::Currency::from_code(&s.currency).is_none() {
            r.error(
                &p("currency"),
                format!("{:?} is not an ISO 4217 currency code", s.currency),
            );
        }
        r.amount(&p("low"), s.low);
        r.amount(&p("median"), s.median);
        r.amount(&p("high"), s.high);
        if !(s.low <= s.median && s.median <= s.high) {
            r.error(
                &p("median"),
                format!(
                    "low <= median <= high does not hold ({} / {} / {})",
                    s.low, s.median, s.high
                ),
            );
        }
        for (level, _, amount) in s.levels.present() {
            if !(s.low..=s.high).contains(&amount) {
                r.error(
                    &p(&format!("levels.{level}")),
                    format!("{amount} is outside the range {}..{}", s.low, s.high),
                );
            }
        }
        r.short(&p("source"), &s.source);
        if NaiveDate::parse_from_str(&s.as_of, "%Y-%m-%d").is_err() {
            r.error(
                &p("as_of"),
                format!("{:?} is not a date (YYYY-MM-DD)", s.as_of),
            );
        }
    }

    for (i, f) in role.faqs.iter().enumerate() {
        r.short(&format!("faqs[{i}].question"), &f.question);
        r.long(&format!("faqs[{i}].answer"), &f.answer);
    }

    for (i, res) in role.resources.iter().enumerate() {
        r.short(&format!("resources[{i}].title"), &res.title);
        r.one_of(
            &format!("resources[{i}].kind"),
            &res.kind,
            ResourceKind::STORED,
        );
        let path = format!("resources[{i}].url");
        match url::Url::parse(&res.url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && res.url.len() <= limits.url => {}
            Ok(_) => r.error(
                &path,
                format!(
                    "{:?} must be an http(s) URL of at most {} characters",
                    res.url, limits.url
                ),
            ),
            Err(e) => r.error(&path, format!("{:?} is not a URL: {e}", res.url)),
        }
    }
    r.errors
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = include_str!("../../content/backend-developer.toml");

    fn errors_of(text: &str) -> Vec<String> {
        let role: RoleContent = toml::from_str(text).unwrap();
        validate("x.toml", &role, &ContentLimits::default())
    }

    #[test]
    fn bundled_content_is_valid() {
        assert_eq!(errors_of(GOOD), Vec::<String>::new());
    }

    #[test]
    fn names_file_item_and_field() {
        let bad = GOOD.replacen("currency = \"USD\"", "currency = \"GBX\"", 1);
        let errors = errors_of(&bad);
        assert_eq!(
            errors,
            vec!["x.toml: salary[1].currency: \"GBX\" is not an ISO 4217 currency code"]
        );
    }

    #[test]
    fn a_question_names_only_competencies_of_its_role() {
        let bad = GOOD
            .replacen(
                "competencies = [\"leadership\", \"achievement\"]",
                "competencies = [\"leadership\", \"charisma\", \"leadership\"]",
                1,
            )
            .replacen("slug = \"conflict\"", "slug = \"leadership\"", 1);
        assert_ne!(bad, GOOD);
        assert_eq!(
            errors_of(&bad),
            vec![
                "x.toml: competencies[1].slug: \"leadership\" is listed twice",
                "x.toml: questions[0].competencies[1]: \"charisma\" is not one of the role's competencies",
                "x.toml: questions[0].competencies[2]: \"leadership\" is listed twice",
                "x.toml: questions[2].competencies[0]: \"conflict\" is not one of the role's competencies",
            ]
        );
    }

    #[test]
    fn a_competency_needs_a_name_and_a_description() {
        let text = r#"
            slug = "r"
            title = "t"
            summary = "s"
            reviewer = { name = "n", title = "t" }
            [[competencies]]
            slug = "Team Work"
            name = "Teamwork"
        "#;
        assert_eq!(
            errors_of(text),
            vec![
                "x.toml: competencies[0].slug: \"Team Work\" is not a slug (lowercase letters, digits and inner hyphens, at most 64 characters)",
                "x.toml: competencies[0].description: is required",
            ]
        );
    }

    #[test]
    fn reports_every_error_at_once() {
        let text = r#"
            slug = "Bad Slug"
            title = ""
            summary = "s"
            reviewer = { name = "n", title = "t" }
            [[salary]]
            country = "UK"
            currency = "GBP"
            low = 10
            median = 5
            high = 20
            source = "s"
            as_of = "yesterday"
            levels = { senior = 30 }
        "#;
        let errors = errors_of(text);
        assert_eq!(errors.len(), 6, "{errors:#?}");
        assert!(errors[0].starts_with("x.toml: slug: \"Bad Slug\" is not a slug"));
        assert_eq!(errors[1], "x.toml: title: is required");
        assert!(errors[2].contains("salary[0].country: \"UK\" is not an ISO 3166-1"));
        assert!(errors[3].contains("salary[0].median: low <= median <= high"));
        assert!(errors[4].contains("salary[0].levels.senior: 30 is outside"));
        assert!(errors[5].contains("salary[0].as_of"));
    }
}
