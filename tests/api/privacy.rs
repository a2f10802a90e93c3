//! A draft exists only for its owner: user B and anonymous callers against user A's draft.

use serde_json::{Value, json};

use crate::drafts::{create_draft, question_id};
use crate::helpers::{TestApp, api_test, error_code};

/// Every read path to a draft, each returning what the caller may see of `id`.
async fn reads(
    app: &TestApp,
    token: Option<&str>,
    id: &str,
    question: &str,
) -> Vec<(String, Value)> {
    let queries = [
        (
            "starDraft",
            "query($id: ID!) { starDraft(id: $id) { id title competencies { slug } questions { id } } }",
        ),
        (
            "node",
            "query($id: ID!) { node(id: $id) { id ... on StarDraft { title } } }",
        ),
        (
            "myStarDrafts",
            "{ myStarDrafts { totalCount edges { node { id } } } }",
        ),
        (
            "Question.myStarDrafts",
            "query($q: ID!) { node(id: $q) { ... on Question { myStarDrafts { id } } } }",
        ),
        (
            "role page",
            "{ role(slug: \"backend-developer\") { questions { myStarDrafts { id title } } } }",
        ),
        (
            "Role.myCoverage",
            "{ role(slug: \"backend-developer\") { myCoverage { readyStories gaps { slug }
                competencies { covered stories { id title } }
                questions { covered stories { id title } } } } }",
        ),
        (
            "myStarDrafts(questionId:)",
            "query($q: ID!) { myStarDrafts(questionId: $q) { totalCount edges { node { id title } } } }",
        ),
        (
            "roles page coverage",
            "{ roles(first: 10) { edges { node { myCoverage { readyStories competencies { stories { id } } } } } } }",
        ),
    ];
    let mut out = Vec::new();
    for (name, query) in queries {
        let body = app
            .graphql_as(token, query, json!({ "id": id, "q": question }))
            .await;
        out.push((name.to_owned(), body));
    }
    out
}

/// Every write path, each returning the response.
async fn writes(app: &TestApp, token: Option<&str>, id: &str) -> Vec<(String, Value)> {
    let mutations = [
        (
            "update",
            "mutation($id: ID!) { updateStarDraft(input: { id: $id, expectedVersion: 1, title: \"pwned\" }) { id } }",
        ),
        (
            "update links",
            "mutation($id: ID!) { updateStarDraft(input: { id: $id, expectedVersion: 1, competencies: [\"leadership\"], questionIds: [] }) { id } }",
        ),
        (
            "restore",
            "mutation($id: ID!) { restoreStarDraftRevision(id: $id, version: 1) { id } }",
        ),
        ("delete", "mutation($id: ID!) { deleteStarDraft(id: $id) }"),
    ];
    let mut out = Vec::new();
    for (name, query) in mutations {
        out.push((
            name.to_owned(),
            app.graphql_as(token, query, json!({ "id": id })).await,
        ));
    }
    out
}

/// The ID of a draft that never existed, for comparing answers.
fn never_existed() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("StarDraft:987654")
}

api_test! {
    async fn another_user_can_neither_see_nor_change_a_draft(app: TestApp) {
        let alice = app.new_user().await;
        let bob = app.new_user().await;
        let question = question_id(&app, 2).await;
        let id = create_draft(&app, &alice, json!({
            "questionId": question, "title": "Alice's secret", "competencies": ["conflict", "teamwork"],
        }))
        .await;
        // READY, so that it would count in any coverage it leaked into.
        app.data_as(
            &alice,
            "mutation($id: ID!) { updateStarDraft(input: { id: $id, expectedVersion: 1, status: READY }) { version } }",
            json!({ "id": id }),
        )
        .await;
        // Bob has a story of his own on the same question and theme.
        let bobs = create_draft(&app, &bob, json!({ "questionId": question, "competencies": ["conflict"] })).await;

        for (path, body) in reads(&app, Some(&bob), &id, &question).await {
            assert!(body.get("errors").is_none(), "{path}: {body:#}");
            assert!(!body.to_string().contains("Alice's secret"), "{path} leaked: {body:#}");
            assert!(!body.to_string().contains(&id), "{path} leaked the id: {body:#}");
        }
        let b = reads(&app, Some(&bob), &id, &question).await;
        assert_eq!(b[0].1["data"]["starDraft"], Value::Null);
        assert_eq!(b[1].1["data"]["node"], Value::Null);
        assert_eq!(b[2].1["data"]["myStarDrafts"]["totalCount"], 1);
        assert_eq!(b[2].1["data"]["myStarDrafts"]["edges"][0]["node"]["id"], bobs.as_str());
        // Bob's coverage holds his draft only: Alice's READY story covers nothing for him.
        let coverage = &b[5].1["data"]["role"]["myCoverage"];
        assert_eq!(coverage["readyStories"], 0);
        assert_eq!(coverage["gaps"].as_array().unwrap().len(), 7);
        assert_eq!(coverage["competencies"][1]["stories"], json!([{ "id": bobs, "title": "" }]));
        assert_eq!(coverage["questions"][2]["stories"], json!([{ "id": bobs, "title": "" }]));
        assert_eq!(b[6].1["data"]["myStarDrafts"]["totalCount"], 1);

        // Writes: NOT_FOUND, word for word what a draft that never existed gets.
        let theirs = writes(&app, Some(&bob), &id).await;
        let nobodys = writes(&app, Some(&bob), &never_existed()).await;
        for ((path, body), (_, reference)) in theirs.iter().zip(&nobodys) {
            assert_eq!(error_code(body), "NOT_FOUND", "{path}: {body:#}");
            assert_eq!(body["errors"][0]["message"], reference["errors"][0]["message"], "{path}");
        }

        // Alice's draft is untouched.
        let mine = app
            .data_as(&alice, "query($id: ID!) { starDraft(id: $id) { title version competencies { slug } } }", json!({ "id": id }))
            .await;
        assert_eq!(mine["starDraft"], json!({
            "title": "Alice's secret", "version": 2, "competencies": [{ "slug": "conflict" }, { "slug": "teamwork" }],
        }));
        let listed = reads(&app, Some(&alice), &id, &question).await;
        assert_eq!(listed[3].1["data"]["node"]["myStarDrafts"], json!([{ "id": id }]));
        // ... and counts for her alone.
        let coverage = &listed[5].1["data"]["role"]["myCoverage"];
        assert_eq!(coverage["readyStories"], 1);
        assert_eq!(coverage["questions"][2]["stories"], json!([{ "id": id, "title": "Alice's secret" }]));
        assert_eq!(coverage["questions"][2]["covered"], true);
    }
}

api_test! {
    async fn anonymous_callers_are_unauthenticated_on_private_paths(app: TestApp) {
        let alice = app.new_user().await;
        let question = question_id(&app, 0).await;
        let id = create_draft(&app, &alice, json!({ "questionId": question, "title": "Alice's secret" })).await;

        let r = reads(&app, None, &id, &question).await;
        for (path, body) in &r[..3] {
            assert_eq!(error_code(body), "UNAUTHENTICATED", "{path}: {body:#}");
            assert!(!body.to_string().contains("Alice's secret"));
        }
        // Question.myStarDrafts is public: empty for anonymous viewers.
        assert_eq!(r[3].1["data"]["node"]["myStarDrafts"], json!([]));
        assert!(!r[4].1.to_string().contains("Alice's secret"));
        // Coverage is null for them, on one role and on a page of roles.
        assert!(r[5].1.get("errors").is_none(), "{:#}", r[5].1);
        assert_eq!(r[5].1["data"]["role"]["myCoverage"], Value::Null);
        assert_eq!(error_code(&r[6].1), "UNAUTHENTICATED");
        assert_eq!(r[7].1["data"]["roles"]["edges"][0]["node"]["myCoverage"], Value::Null);

        for (path, body) in writes(&app, None, &id).await {
            assert_eq!(error_code(&body), "UNAUTHENTICATED", "{path}: {body:#}");
        }
        let create = app
            .graphql("mutation { createStarDraft(input: { title: \"x\" }) { id } }", json!({}))
            .await;
        assert_eq!(error_code(&create), "UNAUTHENTICATED");
        let logout = app.graphql("mutation { logout }", json!({})).await;
        assert_eq!(error_code(&logout), "UNAUTHENTICATED");
    }
}

/// The ID of a `kind` row that never existed.
fn never_existed_of(kind: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:987654"))
}

/// Every read path to an interview and its tasks, for `token`.
async fn interview_reads(
    app: &TestApp,
    token: Option<&str>,
    id: &str,
    task: &str,
) -> Vec<(String, Value)> {
    let queries = [
        (
            "interview",
            "query($id: ID!) { interview(id: $id) { id company } }",
        ),
        (
            "node",
            "query($id: ID!) { node(id: $id) { id ... on Interview { company } } }",
        ),
        (
            "node(task)",
            "query($task: ID!) { node(id: $task) { id ... on PlanTask { text } } }",
        ),
        (
            "myInterviews",
            "{ myInterviews { totalCount edges { node { id company } } } }",
        ),
        (
            "myAgenda",
            "{ myAgenda(from: \"2027-04-01\", days: 62) { interviews { id company } tasks { id text } } }",
        ),
    ];
    let mut out = Vec::new();
    for (name, query) in queries {
        let body = app
            .graphql_as(token, query, json!({ "id": id, "task": task }))
            .await;
        out.push((name.to_owned(), body));
    }
    out
}

/// Every write path to an interview and its tasks, for `token`.
async fn interview_writes(
    app: &TestApp,
    token: Option<&str>,
    id: &str,
    task: &str,
) -> Vec<(String, Value)> {
    let mutations = [
        (
            "updateInterview",
            "mutation($id: ID!) { updateInterview(input: { id: $id, expectedVersion: 1, company: \"pwned\" }) { id } }",
        ),
        (
            "deleteInterview",
            "mutation($id: ID!) { deleteInterview(id: $id) }",
        ),
        (
            "addPlanTask",
            "mutation($id: ID!) { addPlanTask(input: { interviewId: $id, text: \"pwned\", dueOn: \"2027-04-01\" }) { id } }",
        ),
        (
            "setPlanTaskDone",
            "mutation($task: ID!) { setPlanTaskDone(id: $task, done: true) { id } }",
        ),
        (
            "deletePlanTask",
            "mutation($task: ID!) { deletePlanTask(id: $task) }",
        ),
    ];
    let mut out = Vec::new();
    for (name, query) in mutations {
        let body = app
            .graphql_as(token, query, json!({ "id": id, "task": task }))
            .await;
        out.push((name.to_owned(), body));
    }
    out
}

api_test! {
    async fn another_user_can_neither_see_nor_change_interviews_or_their_tasks(app: TestApp) {
        let alice = app.new_user().await;
        let bob = app.new_user().await;
        let interview = crate::interviews::schedule(&app, &alice, "2027-04-20T09:00:00Z", "UTC").await;
        let id = interview["id"].as_str().unwrap().to_owned();
        let task = interview["plan"][0]["id"].as_str().unwrap().to_owned();

        let seen = interview_reads(&app, Some(&bob), &id, &task).await;
        for (path, body) in &seen {
            assert!(body.get("errors").is_none(), "{path}: {body:#}");
            assert!(!body.to_string().contains("Acme"), "{path} leaked: {body:#}");
            assert!(!body.to_string().contains(&id), "{path} leaked the id: {body:#}");
        }
        assert_eq!(seen[0].1["data"]["interview"], Value::Null);
        assert_eq!(seen[1].1["data"]["node"], Value::Null);
        assert_eq!(seen[2].1["data"]["node"], Value::Null);
        assert_eq!(seen[3].1["data"]["myInterviews"]["totalCount"], 0);

        // Writes: NOT_FOUND, word for word what an interview or task that never existed gets.
        let theirs = interview_writes(&app, Some(&bob), &id, &task).await;
        let nobodys = interview_writes(&app, Some(&bob), &never_existed_of("Interview"), &never_existed_of("PlanTask")).await;
        for ((path, body), (_, reference)) in theirs.iter().zip(&nobodys) {
            assert_eq!(error_code(body), "NOT_FOUND", "{path}: {body:#}");
            assert_eq!(body["errors"][0]["message"], reference["errors"][0]["message"], "{path}");
        }

        // Anonymous callers are asked to sign in.
        for (path, body) in interview_reads(&app, None, &id, &task).await.iter().chain(&interview_writes(&app, None, &id, &task).await) {
            assert_eq!(error_code(body), "UNAUTHENTICATED", "{path}: {body:#}");
        }

        // Alice's interview is untouched and hers to see.
        let mine = interview_reads(&app, Some(&alice), &id, &task).await;
        assert_eq!(mine[0].1["data"]["interview"], json!({ "id": id, "company": "Acme" }));
        assert_eq!(mine[2].1["data"]["node"]["id"], task.as_str());
        let agenda = mine[4].1["data"]["myAgenda"].as_array().unwrap();
        assert_eq!(agenda.iter().map(|d| d["tasks"].as_array().unwrap().len()).sum::<usize>(), 9);
        let version = app
            .data_as(&alice, "query($id: ID!) { interview(id: $id) { version plan { done } } }", json!({ "id": id }))
            .await;
        assert_eq!(version["interview"]["version"], 1);
        assert!(version["interview"]["plan"].as_array().unwrap().iter().all(|t| t["done"] == false));
    }
}
