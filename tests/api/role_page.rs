//! The Backend Developer page, field by field against its content file, and lookups.

use serde_json::{Value, json};

use crate::fixtures::{BACKEND_TOML, ROLE_FIELDS};
use crate::helpers::{api_test, error_code};

fn content() -> toml::Value {
    toml::from_str(BACKEND_TOML).unwrap()
}

fn texts<'a>(items: &'a Value, field: &str) -> Vec<&'a str> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[field].as_str().unwrap())
        .collect()
}

fn content_texts<'a>(content: &'a toml::Value, list: &str, field: &str) -> Vec<&'a str> {
    content[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[field].as_str().unwrap().trim())
        .collect()
}

fn positions(items: &Value) -> Vec<i64> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["position"].as_i64().unwrap())
        .collect()
}

api_test! {
    async fn backend_developer_page_matches_its_content_file(app: TestApp) {
        let data = app
            .data(
                &format!("query($slug: String!) {{ role(slug: $slug) {{ {ROLE_FIELDS} }} }}"),
                json!({ "slug": "backend-developer" }),
            )
            .await;
        let role = &data["role"];
        let c = content();

        assert_eq!(role["slug"], "backend-developer");
        assert_eq!(role["title"], "Backend Developer");
        assert_eq!(role["summary"], c["summary"].as_str().unwrap());
        assert_eq!(role["reviewer"], json!({ "name": "D. Cann", "title": "Principal, Apex Assets Group" }));

        assert_eq!(
            texts(&role["keySkills"], "name"),
            ["Node.js/Python/Java", "REST & GraphQL APIs", "SQL & NoSQL Databases", "System Design", "Cloud Services"]
        );
        assert_eq!(texts(&role["keySkills"], "slug"), content_texts(&c, "skills", "slug"));
        assert_eq!(role["keySkills"][0]["roles"], json!([{ "slug": "backend-developer" }]));

        let questions = &role["questions"];
        assert_eq!(texts(questions, "prompt"), content_texts(&c, "questions", "prompt"));
        assert_eq!(positions(questions), [1, 2, 3, 4, 5]);
        assert!(questions.as_array().unwrap().iter().all(|q| q["category"] == "BEHAVIOURAL"));
        assert_eq!(questions[0]["role"]["slug"], "backend-developer");

        assert_eq!(texts(&role["prepSteps"], "text"), content_texts(&c, "prep_steps", "text"));
        assert_eq!(positions(&role["prepSteps"]), [1, 2, 3, 4, 5]);

        let timeline = role["timeline"].as_array().unwrap();
        let days: Vec<i64> = timeline.iter().map(|p| p["daysBefore"].as_i64().unwrap()).collect();
        assert_eq!(days, [14, 7, 1]);
        assert_eq!(texts(&role["timeline"], "label"), content_texts(&c, "timeline", "label"));
        for (phase, expected) in timeline.iter().zip(c["timeline"].as_array().unwrap()) {
            let expected: Vec<&str> = expected["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            assert_eq!(texts(&phase["tasks"], "text"), expected);
            assert_eq!(positions(&phase["tasks"]), [1, 2, 3]);
        }

        assert_eq!(texts(&role["mistakes"], "title"), content_texts(&c, "mistakes", "title"));
        assert_eq!(texts(&role["mistakes"], "explanation"), content_texts(&c, "mistakes", "explanation"));

        let money = |amount: i64, currency: &str, formatted: &str| {
            json!({ "amount": amount, "currency": currency, "formatted": formatted })
        };
        let benchmarks = role["salaryBenchmarks"].as_array().unwrap();
        assert_eq!(benchmarks.len(), 2);
        let gb = &benchmarks[0];
        assert_eq!((gb["country"].as_str(), gb["currency"].as_str()), (Some("GB"), Some("GBP")));
        assert_eq!(gb["median"], money(62_000, "GBP", "£62,000"));
        assert_eq!(gb["low"], money(35_000, "GBP", "£35,000"));
        assert_eq!(gb["high"], money(100_000, "GBP", "£100,000"));
        assert_eq!(
            gb["levels"],
            json!([
                { "level": "JUNIOR", "amount": money(38_000, "GBP", "£38,000") },
                { "level": "SENIOR", "amount": money(85_000, "GBP", "£85,000") },
            ])
        );
        assert_eq!(gb["source"], c["salary"][0]["source"].as_str().unwrap());
        assert_eq!(gb["asOf"], c["salary"][0]["as_of"].as_str().unwrap());
        let us = &benchmarks[1];
        assert_eq!((us["country"].as_str(), us["currency"].as_str()), (Some("US"), Some("USD")));
        assert_eq!(us["median"], money(125_000, "USD", "US$125,000"));
        assert_eq!(us["low"], money(75_000, "USD", "US$75,000"));
        assert_eq!(us["high"], money(180_000, "USD", "US$180,000"));
        assert_eq!(
            us["levels"],
            json!([
                { "level": "JUNIOR", "amount": money(80_000, "USD", "US$80,000") },
                { "level": "SENIOR", "amount": money(162_000, "USD", "US$162,000") },
            ])
        );

        assert_eq!(texts(&role["faqs"], "question"), content_texts(&c, "faqs", "question"));
        assert_eq!(texts(&role["faqs"], "answer"), content_texts(&c, "faqs", "answer"));
        assert_eq!(positions(&role["faqs"]), [1, 2, 3, 4, 5]);

        assert_eq!(texts(&role["resources"], "title"), content_texts(&c, "resources", "title"));
        assert_eq!(role["resources"][0]["kind"], "SALARY_GUIDE");
        assert_eq!(role["resources"][0]["url"], c["resources"][0]["url"].as_str().unwrap());
    }
}

api_test! {
    async fn unknown_slug_is_null(app: TestApp) {
        let data = app.data("{ role(slug: \"no-such-role\") { id } }", json!({})).await;
        assert_eq!(data["role"], Value::Null);
    }
}

api_test! {
    async fn filters_questions_by_category_and_benchmarks_by_country(app: TestApp) {
        let data = app
            .data(
                r#"{ role(slug: "backend-developer") {
                    technical: questions(category: TECHNICAL) { id }
                    behavioural: questions(category: BEHAVIOURAL) { id }
                    us: salaryBenchmarks(country: "us") { country median { formatted } }
                    fr: salaryBenchmarks(country: "FR") { country }
                } }"#,
                json!({}),
            )
            .await;
        let role = &data["role"];
        assert_eq!(role["technical"], json!([]));
        assert_eq!(role["behavioural"].as_array().unwrap().len(), 5);
        assert_eq!(role["us"], json!([{ "country": "US", "median": { "formatted": "US$125,000" } }]));
        assert_eq!(role["fr"], json!([]));
    }
}

api_test! {
    async fn node_round_trips_every_node_type(app: TestApp) {
        let data = app
            .data(
                r#"{ role(slug: "backend-developer") {
                    id slug keySkills { id slug } questions { id prompt }
                } }"#,
                json!({}),
            )
            .await;
        let role = &data["role"];
        let cases = [
            (role["id"].clone(), "Role", "slug", role["slug"].clone()),
            (role["keySkills"][2]["id"].clone(), "Skill", "slug", role["keySkills"][2]["slug"].clone()),
            (role["questions"][3]["id"].clone(), "Question", "prompt", role["questions"][3]["prompt"].clone()),
        ];
        for (id, typename, field, expected) in cases {
            let data = app
                .data(
                    r#"query($id: ID!) { node(id: $id) { __typename id
                        ... on Role { slug } ... on Skill { slug } ... on Question { prompt } } }"#,
                    json!({ "id": id }),
                )
                .await;
            assert_eq!(data["node"]["__typename"], typename);
            assert_eq!(data["node"]["id"], id);
            assert_eq!(data["node"][field], expected);
        }
    }
}

api_test! {
    async fn node_with_malformed_id_is_bad_user_input_and_unknown_id_is_null(app: TestApp) {
        let body = app
            .graphql("{ node(id: \"definitely-not-an-id\") { id } }", json!({}))
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        assert_eq!(body["errors"][0]["extensions"]["field"], "id");

        // A well-formed ID of a row that does not exist.
        let data = app.data("{ role(slug: \"backend-developer\") { id } }", json!({})).await;
        let id = data["role"]["id"].as_str().unwrap();
        let missing = encode_like(id, 999_999);
        let data = app
            .data("query($id: ID!) { node(id: $id) { id } }", json!({ "id": missing }))
            .await;
        assert_eq!(data["node"], Value::Null);
    }
}

/// An ID of the same type as `id` with another key (IDs are base64url of "Type:key").
fn encode_like(id: &str, key: i32) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(id).unwrap()).unwrap();
    let kind = raw.split(':').next().unwrap();
    URL_SAFE_NO_PAD.encode(format!("{kind}:{key}"))
}

api_test! {
    async fn skills_lists_every_skill_with_its_roles(app: TestApp) {
        let data = app.data("{ skills { name slug roles { slug } } }", json!({})).await;
        let skills = data["skills"].as_array().unwrap();
        assert_eq!(skills.len(), 5);
        assert!(skills.iter().all(|s| s["roles"] == json!([{ "slug": "backend-developer" }])));
        let names: Vec<&str> = skills.iter().map(|s| s["name"].as_str().unwrap()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "skills come by name");
    }
}
