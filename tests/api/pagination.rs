//! `roles` as a Relay connection: pages both ways, counts, filters and argument errors.

use serde_json::{Value, json};

use crate::fixtures::import_generated_roles;
use crate::helpers::{TestApp, api_test, error_code};

const PAGE: &str = r#"query($first: Int, $after: String, $last: Int, $before: String, $search: String, $skill: String) {
  roles(first: $first, after: $after, last: $last, before: $before, search: $search, skill: $skill) {
    totalCount
    edges { cursor node { slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"#;

async fn page(app: &TestApp, vars: Value) -> Value {
    app.data(PAGE, vars).await["roles"].clone()
}

fn slugs(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
        .collect()
}

api_test! {
    async fn pages_forwards_and_backwards_over_every_role(app: TestApp) {
        import_generated_roles(&app.db, 24).await;
        // The bundled role came first, then the generated ones in order.
        let mut all = vec!["backend-developer".to_owned()];
        all.extend((0..24).map(|i| format!("generated-{i:03}")));

        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let p = page(&app, json!({ "first": 10, "after": after })).await;
            assert_eq!(p["totalCount"], 25);
            assert_eq!(p["pageInfo"]["hasPreviousPage"], pages > 0);
            seen.extend(slugs(&p));
            pages += 1;
            let edges = p["edges"].as_array().unwrap();
            assert_eq!(p["pageInfo"]["startCursor"], edges[0]["cursor"]);
            assert_eq!(p["pageInfo"]["endCursor"], edges[edges.len() - 1]["cursor"]);
            if p["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = p["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, all);

        let mut seen_back = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let p = page(&app, json!({ "last": 10, "before": before })).await;
            assert_eq!(p["pageInfo"]["hasNextPage"], before.is_some());
            let mut chunk = slugs(&p);
            chunk.extend(seen_back);
            seen_back = chunk;
            if p["pageInfo"]["hasPreviousPage"] == false {
                break;
            }
            before = p["pageInfo"]["startCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(seen_back, all);

        // A window between two cursors.
        let first = page(&app, json!({ "first": 5 })).await;
        let after = first["edges"][1]["cursor"].clone();
        let before = first["edges"][4]["cursor"].clone();
        let window = page(&app, json!({ "first": 10, "after": after, "before": before })).await;
        assert_eq!(slugs(&window), all[2..4]);
    }
}

api_test! {
    async fn search_is_case_insensitive_over_title_and_summary(app: TestApp) {
        import_generated_roles(&app.db, 6).await;
        let by_summary = page(&app, json!({ "search": "aLpHa FAMILY" })).await;
        assert_eq!(slugs(&by_summary), ["generated-000", "generated-002", "generated-004"]);
        assert_eq!(by_summary["totalCount"], 3);

        let by_title = page(&app, json!({ "search": "backend DEVELOPER" })).await;
        assert_eq!(slugs(&by_title), ["backend-developer"]);

        // LIKE wildcards in the search are taken literally.
        let wildcard = page(&app, json!({ "search": "%" })).await;
        assert_eq!(wildcard["totalCount"], 0);
        let underscore = page(&app, json!({ "search": "generated_role" })).await;
        assert_eq!(underscore["totalCount"], 0);
    }
}

api_test! {
    async fn skill_filter_keeps_roles_listing_the_skill(app: TestApp) {
        import_generated_roles(&app.db, 5).await;
        let odd = page(&app, json!({ "skill": "skill-odd" })).await;
        assert_eq!(slugs(&odd), ["generated-001", "generated-003"]);
        assert_eq!(odd["totalCount"], 2);

        let shared = page(&app, json!({ "skill": "skill-shared", "search": "beta" })).await;
        assert_eq!(slugs(&shared), ["generated-001", "generated-003"]);

        let backend = page(&app, json!({ "skill": "system-design" })).await;
        assert_eq!(slugs(&backend), ["backend-developer"]);

        let none = page(&app, json!({ "skill": "no-such-skill" })).await;
        assert_eq!((none["totalCount"].as_i64(), slugs(&none).len()), (Some(0), 0));
    }
}

api_test! {
    async fn bad_page_arguments_are_bad_user_input(app: TestApp) {
        let cases = [
            (json!({ "first": 101 }), "first"),
            (json!({ "last": 1000 }), "last"),
            (json!({ "first": -1 }), "first"),
            (json!({ "first": 1, "last": 1 }), "last"),
            (json!({ "after": "not-a-cursor" }), "after"),
            (json!({ "before": "Zm9v" }), "before"),
        ];
        for (vars, field) in cases {
            let body = app.graphql(PAGE, vars.clone()).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{vars}: {body:#}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{vars}");
        }
        // At the cap is fine.
        let p = page(&app, json!({ "first": 100 })).await;
        assert_eq!(slugs(&p), ["backend-developer"]);
    }
}
