//! Viewer-dependent fields are marked where they are defined: on an
//! `...OfViewer` type (`schema::viewer_fields`), which the response
//! cache reads. Every other field reachable from a public root answers the
//! same whoever asks, so a viewer-dependent field added to a content object
//! without the mark makes the two answers below differ and this test fail.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::drafts::{create_draft, question_id};
use crate::helpers::api_test;

/// The schema's object types: name -> fields (name, has a required argument, type).
const INTROSPECT: &str = "{ __schema { types { name kind fields {
    name args { type { kind } defaultValue }
    type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

/// The named type under lists and non-nulls, and its kind.
fn named(ty: &Value) -> (String, String) {
    let mut ty = ty;
    while ty["name"].is_null() {
        ty = &ty["ofType"];
    }
    (
        ty["kind"].as_str().unwrap_or_default().to_owned(),
        ty["name"].as_str().unwrap_or_default().to_owned(),
    )
}

/// A selection of every field of `type_name` that needs no argument and is
/// not marked viewer-dependent, `depth` levels down, never entering a type
/// already on the path.
fn select_all(
    types: &[Value],
    type_name: &str,
    depth: usize,
    path: &mut Vec<String>,
    marked: &BTreeSet<String>,
    count: &mut usize,
) -> String {
    let ty = types
        .iter()
        .find(|t| t["name"] == type_name)
        .expect("a type of the schema");
    let mut out = vec!["__typename".to_owned()];
    path.push(type_name.to_owned());
    for field in ty["fields"].as_array().into_iter().flatten() {
        let name = field["name"].as_str().unwrap_or_default();
        let required_arg = field["args"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null());
        if required_arg || marked.contains(name) {
            continue;
        }
        let (kind, inner) = named(&field["type"]);
        match kind.as_str() {
            "SCALAR" | "ENUM" => {
                out.push(name.to_owned());
                *count += 1;
            }
            "OBJECT" if depth > 0 && !path.contains(&inner) => {
                let inner_selection = select_all(types, &inner, depth - 1, path, marked, count);
                out.push(format!("{name} {{ {inner_selection} }}"));
            }
            _ => {}
        }
    }
    path.pop();
    out.join(" ")
}

api_test! {
    async fn every_unmarked_field_of_a_role_answers_the_same_whoever_asks(app: TestApp) {
        let token = app.new_user().await;
        // The viewer has a READY story on every question, so any field that
        // read the viewer would show it.
        for index in 0..3 {
            let question = question_id(&app, index).await;
            let id = create_draft(&app, &token, json!({
                "title": format!("Story {index}"), "questionIds": [question],
                "competencies": ["leadership", "conflict"],
                "situation": "s", "task": "t", "action": "a", "result": "r"
            }))
            .await;
            app.data_as(&token, "mutation($id: ID!) { updateStarDraft(input: {
                id: $id, expectedVersion: 1, status: READY }) { id } }", json!({ "id": id }))
                .await;
        }
        let marked = prep_graphql::schema::viewer_fields().clone();
        assert!(marked.contains("myCoverage") && marked.contains("myStarDrafts"), "{marked:?}");

        // The marked fields do depend on the viewer here: the check below can fail.
        let marked_query = "{ role(slug: \"backend-developer\") { myCoverage { readyStories }
            questions { myStarDrafts { id } } } }";
        assert_ne!(
            app.graphql_as(None, marked_query, json!({})).await,
            app.graphql_as(Some(&token), marked_query, json!({})).await
        );

        let schema = app.data(INTROSPECT, json!({})).await;
        let types = schema["__schema"]["types"].as_array().unwrap().clone();
        let mut count = 0;
        let selection = select_all(&types, "Role", 3, &mut Vec::new(), &marked, &mut count);
        assert!(count > 40, "only {count} fields selected: {selection}");
        let query = format!("{{ role(slug: \"backend-developer\") {{ {selection} }} }}");
        let anonymous = app.graphql_as(None, &query, json!({})).await;
        let signed_in = app.graphql_as(Some(&token), &query, json!({})).await;
        assert!(anonymous.get("errors").is_none(), "{anonymous}");
        assert_eq!(anonymous, signed_in, "an unmarked field depends on the viewer");
    }
}
