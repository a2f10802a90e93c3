//! Whether a document reads only public content, decided from the document,
//! so its answer is the same whoever asks and may come from the cache.
//!
//! Root fields are allow-listed: a new root field is private until listed
//! here. Below the root, the fields whose answer depends on the viewer are
//! those marked where they are defined (on a `...OfViewer` type, see
//! [`schema::viewer_fields`]). As a safety net, the execution records whether any
//! resolver read the viewer (`graphql::viewer::ViewerRead`); an answer that
//! did is never stored, whatever this module said.

use std::collections::HashSet;

use async_graphql::Variables;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql_value::Value;

use crate::graphql::ids::{self, IdKind};
use crate::schema;

/// Root query fields that read only content (and the introspection fields).
const PUBLIC_ROOT_FIELDS: &[&str] = &[
    "roles",
    "role",
    "skills",
    "node",
    "__typename",
    "__schema",
    "__type",
];

/// The kinds `node(id:)` may fetch in a public document.
const PUBLIC_KINDS: &[IdKind] = &[
    IdKind::Role,
    IdKind::Skill,
    IdKind::Question,
    IdKind::PrepStep,
    IdKind::TimelinePhase,
    IdKind::TimelineTask,
    IdKind::Mistake,
    IdKind::SalaryBenchmark,
    IdKind::Faq,
    IdKind::Resource,
];

/// Whether the operation `name` of `document` is a query that reads only
/// public content.
pub fn reads_only_public(
    document: &ExecutableDocument,
    name: Option<&str>,
    variables: &Variables,
) -> bool {
    let operation = match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => &op.node,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => &op.node,
            None => return false,
        },
        (DocumentOperations::Multiple(ops), None) => match ops.values().next() {
            Some(op) => &op.node,
            None => return false,
        },
    };
    if operation.ty != OperationType::Query {
        return false;
    }
    let check = Check {
        document,
        variables,
        seen: HashSet::new(),
    };
    check.set(&operation.selection_set.node, true)
}

struct Check<'a> {
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    seen: HashSet<&'a str>,
}

impl<'a> Check<'a> {
    fn set(&self, set: &'a SelectionSet, root: bool) -> bool {
        set.items.iter().all(|item| match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                let name = field.name.node.as_str();
                let allowed = if root {
                    PUBLIC_ROOT_FIELDS.contains(&name)
                        && (name != "node" || self.node_is_public(&field.arguments))
                } else {
                    !schema::viewer_fields().contains(name)
                };
                allowed && self.set(&field.selection_set.node, false)
            }
            Selection::InlineFragment(fragment) => {
                self.set(&fragment.node.selection_set.node, root)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                // A fragment spread in a cycle is a validation error; stop rather than loop.
                if self.seen.contains(name) {
                    return true;
                }
                let mut inner = Check {
                    document: self.document,
                    variables: self.variables,
                    seen: self.seen.clone(),
                };
                inner.seen.insert(name);
                self.document
                    .fragments
                    .get(name)
                    .is_some_and(|f| inner.set(&f.node.selection_set.node, root))
            }
        })
    }

    /// `node(id:)` is public when its ID (literal or variable) is of a content kind.
    fn node_is_public(
        &self,
        arguments: &[(
            async_graphql::Positioned<async_graphql::Name>,
            async_graphql::Positioned<Value>,
        )],
    ) -> bool {
        let Some((_, id)) = arguments.iter().find(|(n, _)| n.node == "id") else {
            return false;
        };
        let text = match &id.node {
            Value::String(s) => Some(s.as_str()),
            Value::Variable(var) => match self.variables.get(var) {
                Some(async_graphql::Value::String(s)) => Some(s.as_str()),
                _ => None,
            },
            _ => None,
        };
        text.and_then(ids::decode)
            .is_some_and(|(kind, _)| PUBLIC_KINDS.contains(&kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(query: &str, variables: serde_json::Value) -> bool {
        let document = async_graphql::parser::parse_query(query).unwrap();
        reads_only_public(&document, None, &Variables::from_json(variables))
    }

    #[test]
    fn content_reads_are_public_and_viewer_fields_are_not() {
        let none = serde_json::json!({});
        assert!(public(
            "{ role(slug: \"x\") { title questions { prompt } } skills { slug } }",
            none.clone()
        ));
        assert!(public(
            "query { roles { nodes { ...F } } } fragment F on Role { title }",
            none.clone()
        ));
        assert!(!public("{ me { id } }", none.clone()));
        assert!(!public(
            "{ role(slug: \"x\") { title } me { id } }",
            none.clone()
        ));
        assert!(!public(
            "{ role(slug: \"x\") { questions { myStarDrafts { id } } } }",
            none.clone()
        ));
        assert!(!public(
            "{ role(slug: \"x\") { ...F } } fragment F on Role { questions { myStarDrafts { id } } }",
            none.clone()
        ));
        assert!(!public("{ starDraft(id: \"x\") { id } }", none.clone()));
        assert!(!public("{ myStarDrafts { totalCount } }", none.clone()));
        assert!(!public("mutation { logout }", none.clone()));
        assert!(!public("{ someFutureRootField }", none));
    }

    #[test]
    fn practice_attempts_and_readiness_are_private() {
        let none = serde_json::json!({});
        assert!(!public(
            "{ myPracticeAttempts { edges { node { id feedback { wordsPerMinute } } } } }",
            none.clone()
        ));
        let attempt = ids::encode(IdKind::PracticeAttempt, 1).to_string();
        assert!(!public(
            &format!("{{ node(id: \"{attempt}\") {{ id }} }}"),
            none.clone()
        ));
        assert!(!public(
            "{ interview(id: \"x\") { readiness { score } } }",
            none
        ));
    }

    #[test]
    fn node_is_public_only_for_content_ids() {
        let role = ids::encode(IdKind::Role, 1).to_string();
        let draft = ids::encode(IdKind::StarDraft, 1).to_string();
        assert!(public(
            &format!("{{ node(id: \"{role}\") {{ id }} }}"),
            serde_json::json!({})
        ));
        assert!(public(
            "query($id: ID!) { node(id: $id) { id } }",
            serde_json::json!({ "id": role })
        ));
        assert!(!public(
            &format!("{{ node(id: \"{draft}\") {{ id }} }}"),
            serde_json::json!({})
        ));
        assert!(!public(
            "query($id: ID!) { node(id: $id) { id } }",
            serde_json::json!({ "id": draft })
        ));
        assert!(!public(
            "query($id: ID!) { node(id: $id) { id } }",
            serde_json::json!({})
        ));
    }
}
