//! The shape of a content file: one role page per TOML file.
//!
//! Text fields default to empty so that a missing field is reported by
//! validation, with the file, item and field named, rather than by serde.
//!
//! A role's [content hash](RoleContent::content_hash) leaves out every field
//! that is empty (see there for the rule), so a field added here changes no
//! stored hash while the content leaves it empty: an optional field needs no
//! serde annotation for the hash's sake. A number or a boolean is never
//! empty, so a new one that may be left out is an `Option`.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
    #[serde(default)]
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

impl RoleContent {
    /// What the import compares to know whether a role changed: the SHA-256,
    /// in hex, of the role's canonical JSON.
    ///
    /// The canonical JSON is the role serialized by serde (compact, fields in
    /// declaration order) less every object key whose value is empty: `null`
    /// (an `Option` that is `None`), `""`, `[]`, or `{}` (an object whose own
    /// keys were all left out). Empty means absent: every field defaults, so
    /// a file that leaves a field out and one that writes it empty parse to
    /// the same role, and a field added to the model does not change the hash
    /// of the roles that leave it empty. A required text is never empty in a
    /// hashed role (validation refuses it), so leaving out `""` loses nothing.
    /// Kept always:
    /// - numbers and booleans: `0` and `false` are values (a phase 0 days
    ///   before the interview), so a new number or boolean that may be left
    ///   out is an `Option`;
    /// - array items, empty or not: their position is part of the content;
    /// - the [`ALWAYS_HASHED`] fields, which the hash wrote even when empty
    ///   before it was canonical, so that every hash stored then still holds.
    ///
    /// `Some("")` and `Some(vec![])` hash as `None`.
    pub(super) fn content_hash(&self) -> String {
        hex::encode(Sha256::digest(canonical_json(self)))
    }
}

/// The fields that the content hash wrote even when empty before it left
/// empty values out, as `.`-joined keys from the role (array levels skipped).
/// They keep their empty values so that roles hash as they did then (the
/// bundled role has a salary level left out, hashed as `null`); the text
/// fields are not listed because validation refused an empty one, so no
/// stored hash was taken of one. Frozen: a field added since is hashed only
/// when it is not empty.
const ALWAYS_HASHED: &[&str] = &[
    "skills",
    "questions",
    "prep_steps",
    "timeline",
    "timeline.tasks",
    "mistakes",
    "salary",
    "salary.levels.junior",
    "salary.levels.mid",
    "salary.levels.senior",
    "faqs",
    "resources",
];

/// The canonical JSON of `value` (see [`RoleContent::content_hash`]).
fn canonical_json(value: &impl Serialize) -> Vec<u8> {
    let mut tree: Json = serde_json::to_vec(value)
        .and_then(|text| serde_json::from_slice(&text))
        .unwrap_or(Json::Null);
    tree.leave_out_empty("");
    serde_json::to_vec(&tree).unwrap_or_default()
}

/// A JSON document whose objects keep their keys in the order they were
/// written (`serde_json::Value` sorts them, which would change every hash).
#[derive(Debug)]
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn is_empty(&self) -> bool {
        match self {
            Self::Null => true,
            Self::String(s) => s.is_empty(),
            Self::Array(items) => items.is_empty(),
            Self::Object(entries) => entries.is_empty(),
            Self::Bool(_) | Self::Number(_) => false,
        }
    }

    /// Removes the empty values of object keys, innermost first, but for the
    /// [`ALWAYS_HASHED`] keys; `path` is where `self` is (`""` for the root).
    fn leave_out_empty(&mut self, path: &str) {
        match self {
            Self::Array(items) => items.iter_mut().for_each(|i| i.leave_out_empty(path)),
            Self::Object(entries) => entries.retain_mut(|(key, value)| {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                value.leave_out_empty(&path);
                !value.is_empty() || ALWAYS_HASHED.contains(&path.as_str())
            }),
            Self::Null | Self::Bool(_) | Self::Number(_) | Self::String(_) => {}
        }
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_unit(),
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::Number(n) => n.serialize(serializer),
            Self::String(s) => serializer.serialize_str(s),
            Self::Array(items) => serializer.collect_seq(items),
            Self::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Json, E> {
        serde_json::Number::from_f64(n)
            .map(Json::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Json::Object(entries))
    }
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
    #[serde(default)]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled role, parsed as the import parses it.
    fn bundled_role() -> RoleContent {
        let (_, text) = crate::content::BUNDLED[0];
        toml::from_str(text).unwrap()
    }

    fn canonical(value: &impl Serialize) -> String {
        String::from_utf8(canonical_json(value)).unwrap()
    }

    /// The hash every database that imported the bundled role holds (computed
    /// by the hash before it was canonical): if it changes, the next import
    /// rewrites the role and bumps the content version.
    #[test]
    fn the_bundled_roles_hash_is_pinned() {
        assert_eq!(
            bundled_role().content_hash(),
            "d02be25e451090c65b942ec6aec2d2b266855d991821a342b0760d048a7197bf"
        );
    }

    /// The bundled role's canonical JSON is serde's JSON of it, as the hash
    /// took it before: key order, the `null` of its missing salary level.
    #[test]
    fn the_bundled_role_is_its_own_canonical_form() {
        let role = bundled_role();
        let json = canonical(&role);
        assert_eq!(json, serde_json::to_string(&role).unwrap());
        assert!(json.contains(r#""levels":{"junior":38000,"mid":null,"senior":85000}"#));
        assert!(json.starts_with(r#"{"slug":"backend-developer","title":"#));
    }

    /// The role as a later model would serialize it: the fields of today and
    /// new ones, left empty.
    #[derive(Serialize)]
    struct LaterRole<'a> {
        #[serde(flatten)]
        today: &'a RoleContent,
        subtitle: String,
        hero_image: Option<String>,
        tags: Vec<String>,
        seo: LaterSeo,
        featured_order: Option<i64>,
    }

    #[derive(Serialize, Default)]
    struct LaterSeo {
        title: String,
        keywords: Vec<String>,
        canonical_url: Option<String>,
    }

    #[test]
    fn a_new_field_left_empty_changes_no_hash() {
        let role = bundled_role();
        let later = LaterRole {
            today: &role,
            subtitle: String::new(),
            hero_image: None,
            tags: Vec::new(),
            seo: LaterSeo::default(),
            featured_order: None,
        };
        assert_ne!(
            serde_json::to_string(&later).unwrap(),
            serde_json::to_string(&role).unwrap()
        );
        assert_eq!(canonical(&later), canonical(&role));

        // Filled in, it counts.
        let later = LaterRole {
            tags: vec!["remote".into()],
            ..later
        };
        assert_ne!(canonical(&later), canonical(&role));
        assert!(canonical(&later).ends_with(r#""tags":["remote"]}"#));
    }

    #[test]
    fn a_new_field_left_empty_inside_an_item_changes_no_hash() {
        // Deeper than a struct can be extended in a test: the same JSON with
        // empty keys added to a salary item and to its levels.
        let role = bundled_role();
        let today = canonical(&role);
        let later = today
            .replacen(
                r#""levels":{"junior":38000,"mid":null,"senior":85000}"#,
                r#""bonus":null,"notes":"","levels":{"junior":38000,"mid":null,"senior":85000,"principal":null},"cities":[],"extra":{"a":[],"b":{}}"#,
                1,
            )
            .replacen(r#""text":"#, r#""hint":"","text":"#, 1);
        assert_ne!(later, today);
        let later: Json = serde_json::from_str(&later).unwrap();
        assert_eq!(canonical(&later), today);
    }

    /// What a role with every list holding one empty item hashes: the
    /// always-hashed fields, the numbers and the items themselves. A field
    /// added to any part of the model that shows up here would change the
    /// hash of every role (a number or a boolean that is not an `Option`).
    #[test]
    fn only_values_and_the_fields_hashed_before_are_kept_when_empty() {
        assert_eq!(
            canonical(&RoleContent::default()),
            r#"{"skills":[],"questions":[],"prep_steps":[],"timeline":[],"mistakes":[],"salary":[],"faqs":[],"resources":[]}"#
        );
        let role = RoleContent {
            skills: vec![SkillContent::default()],
            competencies: vec![CompetencyContent::default()],
            questions: vec![QuestionContent::default()],
            prep_steps: vec![TextContent::default()],
            timeline: vec![PhaseContent::default()],
            mistakes: vec![MistakeContent::default()],
            salary: vec![SalaryContent::default()],
            faqs: vec![FaqContent::default()],
            resources: vec![ResourceContent::default()],
            ..RoleContent::default()
        };
        assert_eq!(
            canonical(&role),
            concat!(
                r#"{"skills":[{}],"competencies":[{}],"questions":[{}],"prep_steps":[{}],"#,
                r#""timeline":[{"days_before":0,"tasks":[]}],"mistakes":[{}],"#,
                r#""salary":[{"median":0,"low":0,"high":0,"#,
                r#""levels":{"junior":null,"mid":null,"senior":null}}],"faqs":[{}],"resources":[{}]}"#
            )
        );
    }

    #[test]
    fn values_are_kept_and_array_items_keep_their_places() {
        let json: Json = serde_json::from_str(
            r#"{"z":0,"a":false,"s":" ","n":null,"items":["",null,[],{},{"k":""}],"o":{"e":[]}}"#,
        )
        .unwrap();
        assert_eq!(
            canonical(&json),
            r#"{"z":0,"a":false,"s":" ","items":["",null,[],{},{}]}"#
        );
    }
}
