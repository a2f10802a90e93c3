//! The story bank: competencies as content, drafts tagged with competencies
//! and linked to several questions, their history, limits and feedback, and
//! a role's coverage by the viewer's stories.

use prep_graphql::config::{DraftLimits, Settings};
use serde_json::{Value, json};

use crate::drafts::{create_draft, question_id};
use crate::fixtures::import_generated_roles;
use crate::helpers::{TestApp, api_test, error_code};

/// The seven themes of the Backend Developer page, in its order.
const THEMES: [&str; 7] = [
    "leadership",
    "conflict",
    "achievement",
    "failure",
    "adaptability",
    "teamwork",
    "innovation",
];

const DRAFT_FIELDS: &str =
    "id version status competencies { slug } questions { id } question { id }
    feedback { suggestions { code } }";

const COVERAGE: &str = r#"{ role(slug: "backend-developer") { myCoverage {
    readyStories
    gaps { slug }
    competencies { competency { slug } covered stories { id status } }
    questions { question { id } covered stories { id } }
} } }"#;

/// The draft `id` as its owner sees it.
async fn draft(app: &TestApp, token: &str, id: &str) -> Value {
    let query = format!("query($id: ID!) {{ starDraft(id: $id) {{ {DRAFT_FIELDS} }} }}");
    app.data_as(token, &query, json!({ "id": id })).await["starDraft"].clone()
}

/// Sends `updateStarDraft` with `input`.
async fn update(app: &TestApp, token: &str, input: Value) -> Value {
    let query = format!(
        "mutation($input: UpdateStarDraftInput!) {{ updateStarDraft(input: $input) {{ {DRAFT_FIELDS} }} }}"
    );
    app.graphql_as(Some(token), &query, json!({ "input": input }))
        .await
}

/// Sends `createStarDraft` with `input`.
async fn create(app: &TestApp, token: &str, input: Value) -> Value {
    let query = format!(
        "mutation($input: CreateStarDraftInput!) {{ createStarDraft(input: $input) {{ {DRAFT_FIELDS} }} }}"
    );
    app.graphql_as(Some(token), &query, json!({ "input": input }))
        .await
}

fn slugs(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap().to_owned())
        .collect()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The `extensions.field` of the first error.
fn error_field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_else(|| panic!("no error field in {body:#}"))
}

/// The ID of question `index` of generated role `role`.
async fn generated_question(app: &TestApp, role: usize, index: usize) -> String {
    let data = app
        .data(
            "query($slug: String!) { role(slug: $slug) { questions { id } } }",
            json!({ "slug": format!("generated-{role:03}") }),
        )
        .await;
    data["role"]["questions"][index]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

api_test! {
    async fn the_role_lists_its_competencies_and_tags_its_questions(app: TestApp) {
        let data = app
            .data(
                r#"{ role(slug: "backend-developer") {
                    competencies { slug name description }
                    questions { competencies { slug } }
                    myCoverage { readyStories }
                } }"#,
                json!({}),
            )
            .await;
        let role = &data["role"];
        assert_eq!(slugs(&role["competencies"]), THEMES);
        assert_eq!(role["competencies"][0]["name"], "Leadership");
        assert!(role["competencies"][6]["description"].as_str().unwrap().ends_with('.'));
        let tags: Vec<Vec<String>> = role["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| slugs(&q["competencies"]))
            .collect();
        assert_eq!(
            tags,
            [
                vec!["leadership", "achievement"],
                vec!["adaptability", "teamwork", "failure"],
                vec!["conflict", "teamwork"],
                vec!["failure", "leadership"],
                vec!["achievement", "innovation"],
            ]
        );
        // Every theme is probed by at least one question.
        for theme in THEMES {
            assert!(tags.iter().flatten().any(|t| t == theme), "{theme} is on no question");
        }
        // Coverage is the viewer's: nothing to show anonymous callers.
        assert_eq!(role["myCoverage"], Value::Null);

        // Every competency, for picking a story's tags: by name, once each
        // however many roles list it.
        import_generated_roles(&app.db, 2).await;
        let all = app.data("{ competencies { slug } }", json!({})).await;
        assert_eq!(
            slugs(&all["competencies"]),
            [
                "achievement", "adaptability", "competency-even", "competency-odd", "conflict",
                "failure", "innovation", "leadership", "competency-shared", "teamwork",
            ]
        );
    }
}

api_test! {
    async fn a_draft_answers_several_questions_and_the_first_is_its_question(app: TestApp) {
        import_generated_roles(&app.db, 1).await;
        let token = app.new_user().await;
        let q0 = question_id(&app, 0).await;
        let q3 = question_id(&app, 3).await;
        let other = generated_question(&app, 0, 1).await;
        let body = create(&app, &token, json!({
            "title": "Sharded the orders API",
            "competencies": ["teamwork", "failure", "teamwork"],
            "questionIds": [q3, other, q0, q3],
        }))
        .await;
        let created = body["data"]["createStarDraft"].clone();
        assert!(body.get("errors").is_none(), "{body:#}");
        assert_eq!(created["version"], 1);
        // Sets in the owner's order, each item once.
        assert_eq!(slugs(&created["competencies"]), ["teamwork", "failure"]);
        assert_eq!(ids(&created["questions"]), [q3.clone(), other.clone(), q0.clone()]);
        assert_eq!(created["question"]["id"], q3.as_str());
        let id = created["id"].as_str().unwrap().to_owned();

        // myStarDrafts(questionId:) and Question.myStarDrafts match any linked question.
        for q in [&q0, &q3, &other] {
            let listed = app
                .data_as(
                    &token,
                    "query($q: ID!) { myStarDrafts(questionId: $q) { totalCount edges { node { id } } }
                                      node(id: $q) { ... on Question { myStarDrafts { id } } } }",
                    json!({ "q": q }),
                )
                .await;
            assert_eq!(listed["myStarDrafts"]["totalCount"], 1, "{q}");
            assert_eq!(listed["myStarDrafts"]["edges"][0]["node"]["id"], id.as_str());
            assert_eq!(listed["node"]["myStarDrafts"], json!([{ "id": id }]));
        }
        let unlinked = question_id(&app, 1).await;
        let listed = app
            .data_as(&token, "query($q: ID!) { myStarDrafts(questionId: $q) { totalCount } }", json!({ "q": unlinked }))
            .await;
        assert_eq!(listed["myStarDrafts"]["totalCount"], 0);

        // The one-question form still works, and a draft may link to nothing.
        let single = create(&app, &token, json!({ "questionId": q0 })).await;
        assert_eq!(ids(&single["data"]["createStarDraft"]["questions"]), [q0.as_str()]);
        let bare = create(&app, &token, json!({ "title": "no links" })).await;
        assert_eq!(bare["data"]["createStarDraft"]["questions"], json!([]));
        assert_eq!(bare["data"]["createStarDraft"]["question"], Value::Null);
        assert_eq!(bare["data"]["createStarDraft"]["competencies"], json!([]));
    }
}

api_test! {
    async fn unknown_competencies_and_questions_are_bad_user_input_naming_the_field(app: TestApp) {
        let token = app.new_user().await;
        let q0 = question_id(&app, 0).await;
        let role_id = app.data(r#"{ role(slug: "backend-developer") { id } }"#, json!({})).await["role"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        use base64::Engine;
        let missing_question = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("Question:987654");
        let cases = [
            (json!({ "competencies": ["leadership", "charisma"] }), "competencies", "\"charisma\" is not a competency"),
            (json!({ "questionIds": [q0, missing_question] }), "questionIds", "item 1 is no question"),
            (json!({ "questionIds": [role_id] }), "questionIds", "expected the ID of a Question"),
            (json!({ "questionIds": ["garbage"] }), "questionIds", "malformed ID"),
            (json!({ "questionId": q0, "questionIds": [q0] }), "questionIds", "not both"),
            (json!({ "questionId": missing_question }), "questionId", "item 0 is no question"),
        ];
        for (input, field, message) in &cases {
            let body = create(&app, &token, input.clone()).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{input}: {body:#}");
            assert_eq!(error_field(&body), *field, "{input}");
            let text = body["errors"][0]["message"].as_str().unwrap();
            assert!(text.contains(message), "{input}: {text}");
        }
        let none = app.data_as(&token, "{ myStarDrafts { totalCount } }", json!({})).await;
        assert_eq!(none["myStarDrafts"]["totalCount"], 0, "a refused create wrote nothing");

        // An update with an unknown slug changes nothing, not even the version.
        let id = create_draft(&app, &token, json!({ "competencies": ["conflict"], "questionId": q0 })).await;
        let body = update(&app, &token, json!({ "id": id, "expectedVersion": 1, "title": "t", "competencies": ["nope"] })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        assert_eq!(error_field(&body), "competencies");
        let body = update(&app, &token, json!({ "id": id, "expectedVersion": 1, "questionIds": [missing_question] })).await;
        assert_eq!(error_field(&body), "questionIds");
        let now = draft(&app, &token, &id).await;
        assert_eq!(now["version"], 1);
        assert_eq!(slugs(&now["competencies"]), ["conflict"]);
        assert_eq!(ids(&now["questions"]), [q0]);
    }
}

api_test! {
    settings = Settings {
        drafts: DraftLimits { max_competencies_per_draft: 2, max_questions_per_draft: 2, ..DraftLimits::default() },
        ..Settings::default()
    };
    async fn competencies_and_questions_per_draft_are_limited_by_settings(app: TestApp) {
        let token = app.new_user().await;
        let (q0, q1, q2) = (question_id(&app, 0).await, question_id(&app, 1).await, question_id(&app, 2).await);
        let body = create(&app, &token, json!({ "competencies": ["leadership", "conflict", "failure"] })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        assert_eq!(error_field(&body), "competencies");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("at most 2"), "{body:#}");
        let body = create(&app, &token, json!({ "questionIds": [q0, q1, q2] })).await;
        assert_eq!(error_field(&body), "questionIds");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("at most 2"), "{body:#}");

        // Repeats count once; at the limit is allowed, and so is an update to it.
        let body = create(&app, &token, json!({
            "competencies": ["leadership", "conflict", "leadership"],
            "questionIds": [q0, q1, q0],
        }))
        .await;
        assert!(body.get("errors").is_none(), "{body:#}");
        let id = body["data"]["createStarDraft"]["id"].as_str().unwrap().to_owned();
        let body = update(&app, &token, json!({ "id": id, "expectedVersion": 1, "questionIds": [q0, q1, q2] })).await;
        assert_eq!(error_field(&body), "questionIds");
        let body = update(&app, &token, json!({ "id": id, "expectedVersion": 1, "questionIds": [q2, q1] })).await;
        assert_eq!(ids(&body["data"]["updateStarDraft"]["questions"]), [q2, q1]);
    }
}

api_test! {
    async fn changing_links_makes_a_version_and_restore_brings_them_back(app: TestApp) {
        let token = app.new_user().await;
        let q: Vec<String> = futures_util::future::join_all((0..5).map(|i| question_id(&app, i))).await;
        let id = create_draft(&app, &token, json!({ "competencies": ["leadership"], "questionIds": [q[0]] })).await;

        // v2: links only.
        let body = update(&app, &token, json!({
            "id": id, "expectedVersion": 1, "competencies": ["teamwork", "innovation"], "questionIds": [q[2], q[3]],
        }))
        .await;
        let v2 = &body["data"]["updateStarDraft"];
        assert_eq!(v2["version"], 2, "{body:#}");
        assert_eq!(slugs(&v2["competencies"]), ["teamwork", "innovation"]);
        assert_eq!(v2["question"]["id"], q[2].as_str());

        // v3: text only, the links stay.
        let body = update(&app, &token, json!({ "id": id, "expectedVersion": 2, "situation": "new text" })).await;
        let v3 = &body["data"]["updateStarDraft"];
        assert_eq!(v3["version"], 3);
        assert_eq!(slugs(&v3["competencies"]), ["teamwork", "innovation"]);
        assert_eq!(ids(&v3["questions"]), [q[2].clone(), q[3].clone()]);

        // v4: cleared. A stale version is refused as for text.
        let stale = update(&app, &token, json!({ "id": id, "expectedVersion": 2, "competencies": [] })).await;
        assert_eq!(error_code(&stale), "VERSION_CONFLICT");
        let body = update(&app, &token, json!({ "id": id, "expectedVersion": 3, "competencies": [], "questionIds": [] })).await;
        let v4 = &body["data"]["updateStarDraft"];
        assert_eq!(v4["version"], 4);
        assert_eq!(v4["competencies"], json!([]));
        assert_eq!(v4["question"], Value::Null);

        let restore = |version: i32| {
            let app = &app;
            let token = &token;
            let id = id.clone();
            async move {
                let query = format!("mutation($id: ID!, $v: Int!) {{ restoreStarDraftRevision(id: $id, version: $v) {{ {DRAFT_FIELDS} }} }}");
                app.data_as(token, &query, json!({ "id": id, "v": version })).await["restoreStarDraftRevision"].clone()
            }
        };
        let v5 = restore(2).await;
        assert_eq!(v5["version"], 5);
        assert_eq!(slugs(&v5["competencies"]), ["teamwork", "innovation"]);
        assert_eq!(ids(&v5["questions"]), [q[2].clone(), q[3].clone()]);
        let v6 = restore(1).await;
        assert_eq!(v6["version"], 6);
        assert_eq!(slugs(&v6["competencies"]), ["leadership"]);
        assert_eq!(ids(&v6["questions"]), [q[0].clone()]);
        // What a read sees is what the restore answered.
        assert_eq!(draft(&app, &token, &id).await, v6);

        // The links are in the list reads too: myStarDrafts(questionId:) follows them.
        let by_q2 = app
            .data_as(&token, "query($q: ID!) { myStarDrafts(questionId: $q) { totalCount } }", json!({ "q": q[2] }))
            .await;
        assert_eq!(by_q2["myStarDrafts"]["totalCount"], 0);
    }
}

api_test! {
    async fn coverage_shows_each_competency_and_question_with_its_stories_and_the_gaps(app: TestApp) {
        let token = app.new_user().await;
        let q: Vec<String> = futures_util::future::join_all((0..5).map(|i| question_id(&app, i))).await;

        let empty = app.data_as(&token, COVERAGE, json!({})).await["role"]["myCoverage"].clone();
        assert_eq!(slugs(&empty["gaps"]), THEMES, "nothing written: every theme is a gap");
        assert_eq!(empty["readyStories"], 0);
        assert_eq!(empty["questions"].as_array().unwrap().len(), 5);

        let ready = create_draft(&app, &token, json!({ "competencies": ["leadership", "achievement"], "questionIds": [q[0]] })).await;
        update(&app, &token, json!({ "id": ready, "expectedVersion": 1, "status": "READY" })).await;
        let draft_only = create_draft(&app, &token, json!({ "competencies": ["conflict"], "questionIds": [q[2]] })).await;
        let archived = create_draft(&app, &token, json!({ "competencies": ["failure"] })).await;
        update(&app, &token, json!({ "id": archived, "expectedVersion": 1, "status": "ARCHIVED" })).await;

        let c = app.data_as(&token, COVERAGE, json!({})).await["role"]["myCoverage"].clone();
        let by_slug = |slug: &str| {
            c["competencies"].as_array().unwrap().iter().find(|x| x["competency"]["slug"] == slug).unwrap().clone()
        };
        assert_eq!(by_slug("leadership")["covered"], true);
        assert_eq!(by_slug("leadership")["stories"], json!([{ "id": ready, "status": "READY" }]));
        assert_eq!(by_slug("achievement")["covered"], true);
        // Drafts that are not READY are listed but do not cover.
        assert_eq!(by_slug("conflict")["covered"], false);
        assert_eq!(by_slug("conflict")["stories"], json!([{ "id": draft_only, "status": "DRAFT" }]));
        assert_eq!(by_slug("failure")["covered"], false);
        assert_eq!(by_slug("failure")["stories"][0]["status"], "ARCHIVED");
        assert_eq!(slugs(&c["gaps"]), ["conflict", "failure", "adaptability", "teamwork", "innovation"]);
        assert_eq!(c["questions"][0]["question"]["id"], q[0].as_str());
        assert_eq!(c["questions"][0]["covered"], true);
        assert_eq!(c["questions"][2]["covered"], false);
        assert_eq!(c["questions"][2]["stories"], json!([{ "id": draft_only }]));
        assert_eq!(c["questions"][1]["stories"], json!([]));
        assert_eq!(c["readyStories"], 1);

        // Marking the second story READY closes its gap; a READY story that
        // covers only a question counts too, each story once.
        update(&app, &token, json!({ "id": draft_only, "expectedVersion": 1, "status": "READY" })).await;
        let question_only = create_draft(&app, &token, json!({ "questionIds": [q[4]] })).await;
        update(&app, &token, json!({ "id": question_only, "expectedVersion": 1, "status": "READY" })).await;
        let c = app.data_as(&token, COVERAGE, json!({})).await["role"]["myCoverage"].clone();
        assert_eq!(slugs(&c["gaps"]), ["failure", "adaptability", "teamwork", "innovation"]);
        assert_eq!(c["questions"][2]["covered"], true);
        assert_eq!(c["questions"][4]["covered"], true);
        assert_eq!(c["readyStories"], 3);

        // A story for nothing of this role does not count for it.
        import_generated_roles(&app.db, 1).await;
        let elsewhere = create_draft(&app, &token, json!({ "competencies": ["competency-shared"] })).await;
        update(&app, &token, json!({ "id": elsewhere, "expectedVersion": 1, "status": "READY" })).await;
        let c = app.data_as(&token, COVERAGE, json!({})).await["role"]["myCoverage"].clone();
        assert_eq!(c["readyStories"], 3);
        let generated = app
            .data_as(&token, r#"{ role(slug: "generated-000") { myCoverage { readyStories gaps { slug } } } }"#, json!({}))
            .await;
        assert_eq!(generated["role"]["myCoverage"], json!({ "readyStories": 1, "gaps": [{ "slug": "competency-even" }] }));
    }
}

api_test! {
    async fn one_story_for_many_questions_of_several_roles_gets_the_reuse_advice(app: TestApp) {
        import_generated_roles(&app.db, 2).await;
        let token = app.new_user().await;
        let (a, b) = (question_id(&app, 0).await, question_id(&app, 1).await);
        let (c, d) = (generated_question(&app, 0, 0).await, generated_question(&app, 1, 1).await);
        let codes = |draft: &Value| -> Vec<String> {
            draft["feedback"]["suggestions"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap().to_owned()).collect()
        };
        // Three questions over three roles: at the default limit of 3, no advice.
        let body = create(&app, &token, json!({ "questionIds": [a, c, d] })).await;
        let created = &body["data"]["createStarDraft"];
        assert!(!codes(created).contains(&"STORY_REUSED_ACROSS_ROLES".to_owned()), "{body:#}");
        // A fourth question: over the limit.
        let id = created["id"].as_str().unwrap().to_owned();
        let body = update(&app, &token, json!({ "id": id, "expectedVersion": 1, "questionIds": [a, b, c, d] })).await;
        assert!(codes(&body["data"]["updateStarDraft"]).contains(&"STORY_REUSED_ACROSS_ROLES".to_owned()), "{body:#}");
        // Five questions of one role are not reuse across roles.
        let own: Vec<String> = futures_util::future::join_all((0..5).map(|i| question_id(&app, i))).await;
        let body = create(&app, &token, json!({ "questionIds": own })).await;
        assert!(!codes(&body["data"]["createStarDraft"]).contains(&"STORY_REUSED_ACROSS_ROLES".to_owned()), "{body:#}");
    }
}
