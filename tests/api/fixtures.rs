//! Shared queries and generated content.

use prep_graphql::content::{ContentLimits, import};
use sea_orm::DatabaseConnection;

/// The bundled role content, as the server imports it.
pub const BACKEND_TOML: &str = include_str!("../../content/backend-developer.toml");

/// Every field of a role page, with `keySkills { roles { slug } }` one level down.
pub const ROLE_FIELDS: &str = r#"
    id slug title summary reviewer { name title } updatedAt
    keySkills { id name slug roles { slug } }
    questions { id position prompt category role { slug } }
    prepSteps { id position text }
    timeline { id position label daysBefore tasks { id position text } }
    mistakes { id position title explanation }
    salaryBenchmarks {
      id country currency source asOf
      median { amount currency formatted } low { amount currency formatted }
      high { amount currency formatted }
      levels { level amount { amount currency formatted } }
    }
    faqs { id position question answer }
    resources { id position title kind url }
"#;

/// A valid content file for generated role `i`: every list filled, so every
/// table has rows. Even roles mention "Alpha" and list `skill-even` and
/// `competency-even`; every role lists `competency-shared`.
pub fn generated_role(i: usize) -> String {
    let (word, parity) = if i.is_multiple_of(2) {
        ("Alpha", "even")
    } else {
        ("Beta", "odd")
    };
    format!(
        r#"
slug = "generated-{i:03}"
title = "Generated Role {i:03}"
summary = "A generated role of the {word} family, number {i}."
reviewer = {{ name = "Reviewer {i}", title = "Lead" }}
skills = [
  {{ slug = "skill-{parity}", name = "Skill {parity}" }},
  {{ slug = "skill-shared", name = "Shared Skill" }},
]
competencies = [
  {{ slug = "competency-{parity}", name = "Competency {parity}", description = "What {parity} roles probe." }},
  {{ slug = "competency-shared", name = "Shared Competency", description = "What every generated role probes." }},
]
questions = [
  {{ category = "technical", prompt = "Question one of role {i}?", competencies = ["competency-shared"] }},
  {{ category = "behavioural", prompt = "Question two of role {i}?", competencies = ["competency-{parity}", "competency-shared"] }},
]
prep_steps = [{{ text = "Step of role {i}" }}]
timeline = [{{ label = "Week before", days_before = 7, tasks = ["Task a", "Task b"] }}]
mistakes = [{{ title = "Mistake {i}", explanation = "Why it hurts." }}]
salary = [{{ country = "DE", currency = "EUR", median = 60000, low = 40000, high = 90000, source = "Generated", as_of = "2026-01-01", levels = {{ junior = 45000, mid = 60000, senior = 80000 }} }}]
faqs = [{{ question = "FAQ of role {i}?", answer = "An answer." }}]
resources = [{{ title = "Guide {i}", kind = "article", url = "https://example.com/{i}" }}]
"#
    )
}

/// Imports generated roles `0..n` through the content importer (one transaction).
pub async fn import_generated_roles(db: &DatabaseConnection, n: usize) {
    let files: Vec<(String, String)> = (0..n)
        .map(|i| (format!("generated-{i:03}.toml"), generated_role(i)))
        .collect();
    import(db, &files, &ContentLimits::default())
        .await
        .expect("generated content imports");
}
