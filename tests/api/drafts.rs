//! STAR drafts: lifecycle, versions and conflicts, history, limits, feedback, listing.

use prep_graphql::config::{DraftLimits, Settings};
use serde_json::{Value, json};

use crate::helpers::{TestApp, api_test, error_code};

const CREATE: &str = "mutation($input: CreateStarDraftInput!) {
    createStarDraft(input: $input) { id version status title situation task action result question { id prompt } } }";
const UPDATE: &str = "mutation($input: UpdateStarDraftInput!) {
    updateStarDraft(input: $input) { id version status title situation task action result } }";

/// The ID of the Backend Developer page's question `index`.
pub async fn question_id(app: &TestApp, index: usize) -> String {
    let data = app
        .data(
            "{ role(slug: \"backend-developer\") { questions { id } } }",
            json!({}),
        )
        .await;
    data["role"]["questions"][index]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Creates a draft as `token` and returns its ID.
pub async fn create_draft(app: &TestApp, token: &str, input: Value) -> String {
    let data = app.data_as(token, CREATE, json!({ "input": input })).await;
    data["createStarDraft"]["id"].as_str().unwrap().to_owned()
}

async fn update(app: &TestApp, token: &str, input: Value) -> Value {
    app.graphql_as(Some(token), UPDATE, json!({ "input": input }))
        .await
}

async fn revisions(app: &TestApp, token: &str, id: &str) -> Vec<(i64, String)> {
    let data = app
        .data_as(
            token,
            "query($id: ID!) { starDraft(id: $id) { revisions(first: 100) { edges { node { version situation } } } } }",
            json!({ "id": id }),
        )
        .await;
    data["starDraft"]["revisions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["version"].as_i64().unwrap(),
                e["node"]["situation"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

api_test! {
    async fn a_draft_goes_through_its_whole_lifecycle(app: TestApp) {
        let token = app.new_user().await;
        let question = question_id(&app, 1).await;
        let created = app
            .data_as(&token, CREATE, json!({ "input": {
                "questionId": question, "title": "  Outage at checkout ", "situation": "v1 situation"
            } }))
            .await["createStarDraft"]
            .clone();
        assert_eq!(created["version"], 1);
        assert_eq!(created["status"], "DRAFT");
        assert_eq!(created["title"], "Outage at checkout");
        assert_eq!(created["task"], "");
        assert_eq!(created["question"]["id"], question.as_str());
        let id = created["id"].as_str().unwrap().to_owned();

        // Partial update: only the given field changes.
        let body = update(&app, &token, json!({ "id": id, "expectedVersion": 1, "situation": "v2 situation" })).await;
        let v2 = &body["data"]["updateStarDraft"];
        assert_eq!(v2["version"], 2);
        assert_eq!(v2["situation"], "v2 situation");
        assert_eq!(v2["title"], "Outage at checkout");

        let body = update(&app, &token, json!({ "id": id, "expectedVersion": 2, "status": "READY", "result": "Cut MTTR by 40%" })).await;
        assert_eq!(body["data"]["updateStarDraft"]["status"], "READY");
        assert_eq!(body["data"]["updateStarDraft"]["version"], 3);

        assert_eq!(
            revisions(&app, &token, &id).await,
            [(3, "v2 situation".to_owned()), (2, "v2 situation".to_owned()), (1, "v1 situation".to_owned())]
        );

        // Restoring version 1 makes version 4 with version 1's text and status.
        let restored = app
            .data_as(
                &token,
                "mutation($id: ID!) { restoreStarDraftRevision(id: $id, version: 1, expectedVersion: 3) { version status situation result } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            restored["restoreStarDraftRevision"],
            json!({ "version": 4, "status": "DRAFT", "situation": "v1 situation", "result": "" })
        );
        assert_eq!(revisions(&app, &token, &id).await.len(), 4);

        // The question lists the draft for its owner.
        let listed = app
            .data_as(
                &token,
                "{ role(slug: \"backend-developer\") { questions { myStarDrafts { id version } } } }",
                json!({}),
            )
            .await;
        assert_eq!(listed["role"]["questions"][1]["myStarDrafts"], json!([{ "id": id, "version": 4 }]));
        assert_eq!(listed["role"]["questions"][0]["myStarDrafts"], json!([]));

        let deleted = app
            .data_as(&token, "mutation($id: ID!) { deleteStarDraft(id: $id) }", json!({ "id": id }))
            .await;
        assert_eq!(deleted["deleteStarDraft"], id.as_str());
        let gone = app
            .data_as(&token, "query($id: ID!) { starDraft(id: $id) { id } }", json!({ "id": id }))
            .await;
        assert_eq!(gone["starDraft"], Value::Null);
        let body = update(&app, &token, json!({ "id": id, "expectedVersion": 4, "title": "x" })).await;
        assert_eq!(error_code(&body), "NOT_FOUND");
    }
}

api_test! {
    async fn a_stale_update_or_restore_is_a_version_conflict_and_writes_nothing(app: TestApp) {
        let token = app.new_user().await;
        let id = create_draft(&app, &token, json!({ "situation": "one" })).await;
        update(&app, &token, json!({ "id": id, "expectedVersion": 1, "situation": "two" })).await;

        let body = update(&app, &token, json!({ "id": id, "expectedVersion": 1, "situation": "lost?" })).await;
        assert_eq!(error_code(&body), "VERSION_CONFLICT");
        assert_eq!(body["errors"][0]["extensions"]["currentVersion"], 2);

        let body = app
            .graphql_as(
                Some(&token),
                "mutation($id: ID!) { restoreStarDraftRevision(id: $id, version: 1, expectedVersion: 1) { version } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_code(&body), "VERSION_CONFLICT");
        assert_eq!(body["errors"][0]["extensions"]["currentVersion"], 2);

        assert_eq!(revisions(&app, &token, &id).await, [(2, "two".to_owned()), (1, "one".to_owned())]);

        let missing = app
            .graphql_as(
                Some(&token),
                "mutation($id: ID!) { restoreStarDraftRevision(id: $id, version: 9) { version } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_code(&missing), "NOT_FOUND");
    }
}

api_test! {
    async fn of_twenty_concurrent_updates_on_one_version_exactly_one_wins(app: TestApp) {
        let token = app.new_user().await;
        let id = create_draft(&app, &token, json!({ "situation": "start" })).await;
        let attempts = (0..20).map(|i| {
            let (app, token, id) = (&app, token.clone(), id.clone());
            async move {
                update(app, &token, json!({ "id": id, "expectedVersion": 1, "situation": format!("writer {i}") })).await
            }
        });
        let results = futures_util::future::join_all(attempts).await;
        let winners: Vec<&Value> = results.iter().filter(|b| b.get("errors").is_none()).collect();
        assert_eq!(winners.len(), 1, "{results:#?}");
        for body in results.iter().filter(|b| b.get("errors").is_some()) {
            assert_eq!(error_code(body), "VERSION_CONFLICT", "{body:#}");
            assert_eq!(body["errors"][0]["extensions"]["currentVersion"], 2);
        }
        let winner = winners[0]["data"]["updateStarDraft"]["situation"].as_str().unwrap().to_owned();
        // The history has exactly versions 2 and 1: no gap, no duplicate, and
        // the revision of version 2 holds the winner's text.
        assert_eq!(revisions(&app, &token, &id).await, [(2, winner), (1, "start".to_owned())]);
    }
}

api_test! {
    settings = Settings { drafts: DraftLimits { title_max_chars: 20, section_max_chars: 50, max_drafts_per_user: 2, ..DraftLimits::default() }, ..Settings::default() };
    async fn fields_over_their_limits_are_bad_user_input(app: TestApp) {
        let token = app.new_user().await;
        let cases = [
            (json!({ "title": "t".repeat(21) }), "title"),
            (json!({ "situation": "s".repeat(51) }), "situation"),
            (json!({ "result": "r".repeat(51) }), "result"),
            (json!({ "questionId": "bm9wZQ" }), "questionId"),
        ];
        for (input, field) in cases {
            let body = app.graphql_as(Some(&token), CREATE, json!({ "input": input })).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body:#}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field);
        }
        let id = create_draft(&app, &token, json!({ "title": "t".repeat(20), "action": "a".repeat(50) })).await;
        let body = update(&app, &token, json!({ "id": id, "expectedVersion": 1, "task": "t".repeat(51) })).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "task");
        let body = update(&app, &token, json!({ "id": id, "expectedVersion": 1 })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        assert_eq!(revisions(&app, &token, &id).await.len(), 1, "refused updates wrote nothing");

        create_draft(&app, &token, json!({})).await;
        let body = app.graphql_as(Some(&token), CREATE, json!({ "input": {} })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "the per-user cap of 2 drafts");
    }
}

api_test! {
    async fn feedback_is_computed_from_the_text(app: TestApp) {
        let token = app.new_user().await;
        let id = create_draft(&app, &token, json!({
            "situation": "Basically our search API was slow, you know.",
            "action": "We added an index and we tuned the cache together.",
            "result": "Queries got 3x faster."
        }))
        .await;
        let data = app
            .data_as(
                &token,
                "query($id: ID!) { starDraft(id: $id) { feedback {
                    wordCount estimatedSpeakingSeconds withinTargetLength resultQuantified
                    firstPersonCount teamPersonCount missingSections fillerWords
                    sections { section wordCount tooShort } suggestions { code section message }
                } } }",
                json!({ "id": id }),
            )
            .await;
        let f = &data["starDraft"]["feedback"];
        assert_eq!(f["wordCount"], 22);
        assert_eq!(f["estimatedSpeakingSeconds"], 9);
        assert_eq!(f["withinTargetLength"], false);
        assert_eq!(f["resultQuantified"], true);
        assert_eq!((f["firstPersonCount"].as_i64(), f["teamPersonCount"].as_i64()), (Some(0), Some(2)));
        assert_eq!(f["missingSections"], json!(["TASK"]));
        assert_eq!(f["fillerWords"], json!(["basically", "you know"]));
        assert_eq!(f["sections"][3], json!({ "section": "RESULT", "wordCount": 4, "tooShort": true }));
        let codes: Vec<&str> = f["suggestions"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"TASK_MISSING") && codes.contains(&"ACTION_USES_WE") && codes.contains(&"TOO_SHORT"), "{codes:?}");
        assert!(!codes.contains(&"RESULT_NOT_QUANTIFIED"));
    }
}

api_test! {
    async fn my_star_drafts_pages_newest_change_first_with_filters(app: TestApp) {
        let token = app.new_user().await;
        let q0 = question_id(&app, 0).await;
        let mut ids = Vec::new();
        for i in 0..5 {
            let input = if i % 2 == 0 { json!({ "questionId": q0, "title": format!("d{i}") }) } else { json!({ "title": format!("d{i}") }) };
            ids.push(create_draft(&app, &token, input).await);
        }
        // Touch the oldest: it becomes the newest change.
        update(&app, &token, json!({ "id": ids[0], "expectedVersion": 1, "status": "ARCHIVED" })).await;
        let expected = [&ids[0], &ids[4], &ids[3], &ids[2], &ids[1]];

        const PAGE: &str = "query($first: Int, $after: String, $questionId: ID, $status: StarDraftStatus) {
            myStarDrafts(first: $first, after: $after, questionId: $questionId, status: $status) {
                totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }";
        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = app.data_as(&token, PAGE, json!({ "first": 2, "after": after })).await["myStarDrafts"].clone();
            assert_eq!(page["totalCount"], 5);
            seen.extend(page["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()));
            if page["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen.iter().collect::<Vec<_>>(), expected);

        let for_q0 = app.data_as(&token, PAGE, json!({ "questionId": q0 })).await;
        assert_eq!(for_q0["myStarDrafts"]["totalCount"], 3);
        let archived = app.data_as(&token, PAGE, json!({ "status": "ARCHIVED" })).await;
        assert_eq!(archived["myStarDrafts"]["edges"], json!([{ "node": { "id": ids[0] } }]));
        let bad = app.graphql_as(Some(&token), PAGE, json!({ "questionId": ids[1] })).await;
        assert_eq!(error_code(&bad), "BAD_USER_INPUT");
    }
}

api_test! {
    async fn revisions_page_newest_first(app: TestApp) {
        let token = app.new_user().await;
        let id = create_draft(&app, &token, json!({ "situation": "v1" })).await;
        for v in 1..5 {
            update(&app, &token, json!({ "id": id, "expectedVersion": v, "situation": format!("v{}", v + 1) })).await;
        }
        const PAGE: &str = "query($id: ID!, $after: String) { starDraft(id: $id) {
            revisions(first: 2, after: $after) { edges { node { version } } pageInfo { hasNextPage endCursor } } } }";
        let mut versions = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = app.data_as(&token, PAGE, json!({ "id": id, "after": after })).await["starDraft"]["revisions"].clone();
            versions.extend(page["edges"].as_array().unwrap().iter().map(|e| e["node"]["version"].as_i64().unwrap()));
            if page["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(versions, [5, 4, 3, 2, 1]);
    }
}

api_test! {
    async fn a_mutation_over_get_is_refused(app: TestApp) {
        let response = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", "mutation { logout }")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405);
        assert_eq!(response.headers()["allow"], "POST");
    }
}
