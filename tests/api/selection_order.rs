//! Answers in the order the selection set asks for, and the response cache
//! shared by every reader of public content but never holding private data.

use serde_json::json;

use crate::helpers::api_test;
use crate::ws_client::WsClient;

/// The positions of `keys` in `text`, which must increase.
fn assert_in_order(text: &str, keys: &[&str]) {
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| {
            text.find(&format!("\"{k}\""))
                .unwrap_or_else(|| panic!("{k} missing in {text}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "{keys:?} out of order in {text}"
    );
}

const QUERY: &str = r#"{ role(slug: "backend-developer") { title keySkills { name } reviewer { name } salaryBenchmarks { country } } me { id } }"#;

api_test! {
    async fn http_answers_in_selection_order(app: TestApp) {
        let text = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": QUERY }))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_in_order(&text, &["role", "title", "keySkills", "reviewer", "salaryBenchmarks", "me"]);

        let with_fragments = r#"query Page { me { id } r: role(slug: "backend-developer") { ...Money keySkills { slug name } t: title } }
            fragment Money on Role { salaryBenchmarks { median { formatted amount } country } ... on Role { reviewer { title name } } }"#;
        let text = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": with_fragments }))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_in_order(&text, &["me", "r", "salaryBenchmarks", "median", "formatted", "amount", "country", "reviewer", "keySkills", "slug", "t"]);
    }
}

api_test! {
    async fn the_socket_answers_in_selection_order(app: TestApp) {
        let mut ws = WsClient::connected(&app, None).await;
        ws.subscribe("1", QUERY, json!({})).await;
        // The client parses into a sorted map; ask the server for the raw frame instead.
        let text = ws.recv_text().await;
        assert_in_order(&text, &["role", "title", "keySkills", "reviewer", "salaryBenchmarks", "me"]);
    }
}

api_test! {
    async fn a_signed_in_reader_of_public_content_is_served_from_the_cache(app: TestApp) {
        let page = r#"{ role(slug: "backend-developer") { title questions { prompt } salaryBenchmarks { median { formatted } } } }"#;
        let anonymous = app.data(page, json!({})).await;
        let token = app.new_user().await;
        // On SQLite the registration's commit made the server read the version again.
        app.know_content_version().await;
        app.reset_statements();
        let signed_in = app.data_as(&token, page, json!({})).await;
        assert_eq!(signed_in, anonymous);
        let (count, sql) = app.statements();
        assert_eq!(count, 1, "a cache hit reads only the session:\n{}", sql.join("\n"));
    }
}

api_test! {
    async fn a_query_touching_a_private_field_is_never_cached_nor_served_from_the_cache(app: TestApp) {
        let alice = app.new_user().await;
        let bob = app.new_user().await;
        let questions = app.data(r#"{ role(slug: "backend-developer") { questions { id } } }"#, json!({})).await;
        let question = questions["role"]["questions"][0]["id"].as_str().unwrap().to_owned();
        app.data_as(
            &alice,
            "mutation($q: ID!) { createStarDraft(input: { questionId: $q, title: \"Alice's story\" }) { id } }",
            json!({ "q": question }),
        )
        .await;
        let page = r#"{ role(slug: "backend-developer") { title questions { myStarDrafts { title } } } }"#;
        let first = app.data_as(&alice, page, json!({})).await;
        assert!(first.to_string().contains("Alice's story"), "{first}");
        // Asked again by Alice, by Bob and by nobody: never Alice's answer from the cache.
        app.reset_statements();
        let again = app.data_as(&alice, page, json!({})).await;
        assert_eq!(again, first);
        let (count, _) = app.statements();
        assert!(count > 2, "the private page was computed again, not served from the cache");
        let bobs = app.data_as(&bob, page, json!({})).await;
        assert!(!bobs.to_string().contains("Alice's story"), "{bobs}");
        let nobody = app.graphql(page, json!({})).await;
        assert!(!nobody.to_string().contains("Alice's story"), "{nobody}");

        // `me` beside public content: each viewer gets their own answer.
        let mixed = "{ skills { slug } me { email } }";
        let a = app.data_as(&alice, mixed, json!({})).await;
        let b = app.data_as(&bob, mixed, json!({})).await;
        assert_ne!(a["me"], b["me"]);
        // `node` on a private type is never shared either.
        let draft = app.data_as(&alice, "{ myStarDrafts { edges { node { id } } } }", json!({})).await;
        let id = draft["myStarDrafts"]["edges"][0]["node"]["id"].as_str().unwrap().to_owned();
        let node = "query($id: ID!) { node(id: $id) { id ... on StarDraft { title } } }";
        let mine = app.data_as(&alice, node, json!({ "id": id })).await;
        assert_eq!(mine["node"]["title"], "Alice's story");
        let theirs = app.data_as(&bob, node, json!({ "id": id })).await;
        assert!(theirs["node"].is_null(), "{theirs}");
    }
}
