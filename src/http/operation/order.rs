//! Responses in the order the selection set asks for (GraphQL spec 7.2.2,
//! Serialized Map Ordering).
//!
//! async-graphql resolves the fields of an object concurrently and inserts
//! each as it completes, so a field waiting on the database lands after one
//! that did not. This puts every object's keys back in selection order,
//! following aliases and fragments (CollectFields: a key's first appearance
//! decides its place, and the sub-selections of fields sharing a key merge).

use std::collections::HashSet;

use async_graphql::Value;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use indexmap::IndexMap;

/// Reorders `data` (the response's `data`) to the selection order of the
/// operation `name` of `document`.
pub fn in_selection_order(data: &mut Value, document: &ExecutableDocument, name: Option<&str>) {
    if let Some(operation) = operation(document, name) {
        reorder(data, &[&operation.selection_set.node], document);
    }
}

fn operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) => ops.values().next().map(|op| &op.node),
    }
}

fn reorder(value: &mut Value, sets: &[&SelectionSet], document: &ExecutableDocument) {
    match value {
        Value::List(items) => {
            for item in items {
                reorder(item, sets, document);
            }
        }
        Value::Object(map) => {
            let mut keys: IndexMap<&str, Vec<&SelectionSet>> = IndexMap::new();
            let mut seen = HashSet::new();
            for set in sets {
                collect(set, document, &mut keys, &mut seen);
            }
            let mut rest = std::mem::take(map);
            let mut ordered = IndexMap::with_capacity(rest.len());
            for (key, children) in &keys {
                if let Some((name, mut child)) = rest.swap_remove_entry(*key) {
                    if !children.is_empty() {
                        reorder(&mut child, children, document);
                    }
                    ordered.insert(name, child);
                }
            }
            // Nothing should remain; if something does, keep it rather than lose it.
            ordered.extend(rest);
            *map = ordered;
        }
        _ => {}
    }
}

/// The response keys of `set` in order, each with the sub-selections of the
/// fields answering to it.
fn collect<'a>(
    set: &'a SelectionSet,
    document: &'a ExecutableDocument,
    keys: &mut IndexMap<&'a str, Vec<&'a SelectionSet>>,
    seen_fragments: &mut HashSet<&'a str>,
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                let children = keys.entry(field.response_key().node.as_str()).or_default();
                if !field.selection_set.node.items.is_empty() {
                    children.push(&field.selection_set.node);
                }
            }
            Selection::InlineFragment(fragment) => {
                collect(
                    &fragment.node.selection_set.node,
                    document,
                    keys,
                    seen_fragments,
                );
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                if seen_fragments.insert(name)
                    && let Some(fragment) = document.fragments.get(name)
                {
                    collect(
                        &fragment.node.selection_set.node,
                        document,
                        keys,
                        seen_fragments,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(value: &Value) -> Vec<String> {
        match value {
            Value::Object(map) => map.keys().map(|k| k.to_string()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn puts_keys_in_selection_order_through_aliases_and_fragments() {
        let document = async_graphql::parser::parse_query(
            "query Q { role { t: title ...F keySkills { slug name } } me { id } }
             fragment F on Role { reviewer { name } ... on Role { summary } }",
        )
        .unwrap();
        let mut data = Value::from_json(serde_json::json!({
            "me": { "id": "1" },
            "role": {
                "keySkills": [{ "name": "a", "slug": "b" }],
                "summary": "s",
                "reviewer": { "name": "r" },
                "t": "x"
            }
        }))
        .unwrap();
        in_selection_order(&mut data, &document, None);
        assert_eq!(keys(&data), ["role", "me"]);
        let Value::Object(root) = &data else { panic!() };
        let role = &root["role"];
        assert_eq!(keys(role), ["t", "reviewer", "summary", "keySkills"]);
        let Value::Object(role) = role else { panic!() };
        let Value::List(skills) = &role["keySkills"] else {
            panic!()
        };
        assert_eq!(keys(&skills[0]), ["slug", "name"]);
    }

    #[test]
    fn a_key_keeps_its_first_place_and_merges_sub_selections() {
        let document = async_graphql::parser::parse_query("{ a { x } b a { y } }").unwrap();
        let mut data = Value::from_json(serde_json::json!({
            "b": 1, "a": { "y": 2, "x": 1 }
        }))
        .unwrap();
        in_selection_order(&mut data, &document, None);
        assert_eq!(keys(&data), ["a", "b"]);
        let Value::Object(root) = &data else { panic!() };
        assert_eq!(keys(&root["a"]), ["x", "y"]);
    }
}
