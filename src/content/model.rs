//! The shape of a content file: one role page per TOML file.
//!
//! Text fields default to empty so that a missing field is reported by
//! validation, with the file, item and field named, rather than by serde.

use serde::{Deserialize, Serialize};

/// A role page as written in `content/<slug>.toml`.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RoleContent {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub reviewer: ReviewerContent,
    #[serde(default)]
    pub skills: Vec<SkillContent>,
    /// The themes the role's interviews probe; shared between roles by slug.
    /// Left out of the content hash when empty, so older files hash as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub competencies: Vec<CompetencyContent>,
    #[serde(default)]
    pub questions: Vec<QuestionContent>,
    #[serde(default)]
    pub prep_steps: Vec<TextContent>,
    #[serde(default)]
    pub timeline: Vec<PhaseContent>,
    #[serde(default)]
    pub mistakes: Vec<MistakeContent>,
    #[serde(default)]
    pub salary: Vec<SalaryContent>,
    #[serde(default)]
    pub faqs: Vec<FaqContent>,
    #[serde(default)]
    pub resources: Vec<ResourceContent>,
}

/// Who reviewed the page.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewerContent {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
}

/// A key skill; the slug identifies the skill across roles.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SkillContent {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub name: String,
}

/// A competency (a theme such as leadership); the slug identifies it across roles.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CompetencyContent {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub name: String,
    /// One sentence on what a story for it shows.
    #[serde(default)]
    pub description: String,
}

/// An interview question.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionContent {
    /// `behavioural`, `technical`, `situational` or `general`.
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub prompt: String,
    /// Slugs of the role's competencies that the question probes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub competencies: Vec<String>,
}

/// A list item that is only text (a preparation step).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TextContent {
    #[serde(default)]
    pub text: String,
}

/// A phase of the timeline with its tasks in order.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseContent {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub days_before: i64,
    #[serde(default)]
    pub tasks: Vec<String>,
}

/// A common mistake.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MistakeContent {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub explanation: String,
}

/// A salary benchmark for one country, in whole currency units.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SalaryContent {
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub median: i64,
    #[serde(default)]
    pub low: i64,
    #[serde(default)]
    pub high: i64,
    #[serde(default)]
    pub source: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub levels: LevelsContent,
}

/// Per-seniority figures; any may be absent.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LevelsContent {
    pub junior: Option<i64>,
    pub mid: Option<i64>,
    pub senior: Option<i64>,
}

impl LevelsContent {
    /// The levels present, most junior first, with their stored name and rank.
    pub fn present(&self) -> impl Iterator<Item = (&'static str, i32, i64)> + '_ {
        [
            ("junior", 1, self.junior),
            ("mid", 2, self.mid),
            ("senior", 3, self.senior),
        ]
        .into_iter()
        .filter_map(|(name, rank, amount)| amount.map(|a| (name, rank, a)))
    }
}

/// A frequently asked question.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaqContent {
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub answer: String,
}

/// A linked resource.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceContent {
    #[serde(default)]
    pub title: String,
    /// `salary_guide`, `article`, `video`, `course` or `tool`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub url: String,
}
