//! Responses in the order the selection set asks for (GraphQL spec 7.2.2,
//! Serialized Map Ordering).
//!
//! async-graphql resolves the fields of an object concurrently and inserts
//! each as it completes, so a field waiting on the database lands after one
//! that did not. This puts every object's keys back in selection order,
//! following aliases and fragments (CollectFields: a key's first appearance
//! decides its place, and the sub-selections of fields sharing a key merge).

use std::cell::OnceCell;
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
        Plan::new(&[&operation.selection_set.node], document).apply(data, document);
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

/// The response keys of one (merged) selection set in order, worked out once
/// for every object that answers it: a list of 20 roles shares one plan,
/// and so do all their questions. Sub-plans are made on first use, so only
/// as deep as the data goes.
struct Plan<'a> {
    keys: Vec<Key<'a>>,
}

/// A response key and the sub-selections of the fields answering to it.
struct Key<'a> {
    name: &'a str,
    sets: Vec<&'a SelectionSet>,
    plan: OnceCell<Plan<'a>>,
}

impl<'a> Plan<'a> {
    fn new(sets: &[&'a SelectionSet], document: &'a ExecutableDocument) -> Self {
        let mut keys: IndexMap<&str, Vec<&SelectionSet>> = IndexMap::new();
        let mut seen = HashSet::new();
        for set in sets {
            collect(set, document, &mut keys, &mut seen);
        }
        Self {
            keys: keys
                .into_iter()
                .map(|(name, sets)| Key {
                    name,
                    sets,
                    plan: OnceCell::new(),
                })
                .collect(),
        }
    }

    fn apply(&self, value: &mut Value, document: &'a ExecutableDocument) {
        match value {
            Value::List(items) => {
                for item in items {
                    self.apply(item, document);
                }
            }
            Value::Object(map) => {
                // Fields that were ready at once arrive in order: most objects
                // need no moving, only this check (no hashing, no allocation).
                if !self.in_order(map) {
                    map.sort_by_cached_key(|name, _| self.position(name));
                }
                let mut keys = self.keys.iter();
                for (name, child) in map.iter_mut() {
                    // The map's keys are now a subsequence of the plan's.
                    let Some(key) = keys.find(|k| k.name == name.as_str()) else {
                        break;
                    };
                    if !key.sets.is_empty() {
                        key.plan
                            .get_or_init(|| Plan::new(&key.sets, document))
                            .apply(child, document);
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether the keys of `map` come in plan order.
    fn in_order(&self, map: &IndexMap<async_graphql::Name, Value>) -> bool {
        let mut keys = self.keys.iter();
        map.keys().all(|name| keys.any(|k| k.name == name.as_str()))
    }

    /// Where `name` goes; a key the plan does not know (there should be none)
    /// goes last rather than being lost.
    fn position(&self, name: &str) -> usize {
        self.keys
            .iter()
            .position(|k| k.name == name)
            .unwrap_or(usize::MAX)
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

    #[test]
    fn every_item_of_a_list_is_put_in_order_whatever_the_others() {
        let document = async_graphql::parser::parse_query("{ roles { a b { x y } c } }").unwrap();
        let mut data = Value::from_json(serde_json::json!({
            "roles": [
                { "a": 1, "b": [{ "x": 1, "y": 2 }], "c": 3 },
                { "c": 3, "b": [{ "y": 2, "x": 1 }, { "x": 1, "y": 2 }], "a": 1 },
                { "a": 1, "c": 3 }
            ]
        }))
        .unwrap();
        in_selection_order(&mut data, &document, None);
        let Value::Object(root) = &data else { panic!() };
        let Value::List(roles) = &root["roles"] else {
            panic!()
        };
        assert_eq!(keys(&roles[0]), ["a", "b", "c"]);
        assert_eq!(keys(&roles[1]), ["a", "b", "c"]);
        assert_eq!(keys(&roles[2]), ["a", "c"]);
        let Value::Object(second) = &roles[1] else {
            panic!()
        };
        let Value::List(bs) = &second["b"] else {
            panic!()
        };
        assert_eq!(keys(&bs[0]), ["x", "y"]);
        assert_eq!(keys(&bs[1]), ["x", "y"]);
    }
}
