//! Practice against the clock and interview readiness: start and finish,
//! the duration used, feedback, limits, privacy, paging, the cache, and the
//! readiness score on fixed data (with its statement count).

use chrono::{DateTime, Days, Utc};
use prep_graphql::config::{PracticeLimits, Settings};
use serde_json::{Value, json};

use crate::drafts::{create_draft, question_id};
use crate::helpers::{TestApp, api_test, error_code};

const ATTEMPT_FIELDS: &str = "id startedAt finishedAt durationSeconds transcript
    draft { id title } question { id }
    feedback { wordCount wordsPerMinute withinTargetLength fillerWords fillerPerMinute
        sectionsCovered resultQuantified suggestions { code section } previousWordsPerMinute }";

const READINESS: &str = "readiness { score planDone planTotal competenciesCovered
    competenciesTotal readyStories practiceAttemptsLast7Days nextActions }";

/// A draft whose four sections have distinct content words.
fn story() -> Value {
    json!({
        "title": "Checkout latency",
        "situation": "Our checkout service timed out during the holiday sale.",
        "task": "I owned the latency budget for checkout.",
        "action": "I profiled requests, added a cache and moved payments onto a queue.",
        "result": "Latency fell from 800 ms to 120 ms and abandoned baskets dropped.",
    })
}

/// `startPractice` with `input`; the whole response.
async fn try_start(app: &TestApp, token: &str, input: Value) -> Value {
    let query = format!(
        "mutation($input: StartPracticeInput!) {{ startPractice(input: $input) {{ {ATTEMPT_FIELDS} }} }}"
    );
    app.graphql_as(Some(token), &query, json!({ "input": input }))
        .await
}

/// Starts practising `input`; returns the attempt.
async fn start(app: &TestApp, token: &str, input: Value) -> Value {
    let body = try_start(app, token, input).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["startPractice"].clone()
}

/// `finishPractice` with `input`; the whole response.
async fn try_finish(app: &TestApp, token: &str, input: Value) -> Value {
    let query = format!(
        "mutation($input: FinishPracticeInput!) {{ finishPractice(input: $input) {{ {ATTEMPT_FIELDS} }} }}"
    );
    app.graphql_as(Some(token), &query, json!({ "input": input }))
        .await
}

/// Finishes attempt `id` with `transcript` said in `seconds` (as the client measured).
async fn finish(
    app: &TestApp,
    token: &str,
    id: &Value,
    transcript: &str,
    seconds: Option<i64>,
) -> Value {
    let body = try_finish(
        app,
        token,
        json!({ "id": id, "transcript": transcript, "durationSeconds": seconds }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["finishPractice"].clone()
}

fn codes(attempt: &Value) -> Vec<String> {
    attempt["feedback"]["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_owned())
        .collect()
}

fn error_field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_else(|| panic!("no error field in {body:#}"))
}

/// `n` words that touch no section and state no quantity.
fn neutral(n: usize) -> String {
    vec!["word"; n].join(" ")
}

/// Trusts any client duration up to an hour beyond the server's.
fn trusting() -> Settings {
    Settings {
        practice: PracticeLimits {
            practice_duration_tolerance_secs: 3600,
            ..PracticeLimits::default()
        },
        ..Settings::default()
    }
}

api_test! {
    settings = trusting();
    async fn a_practised_draft_gets_feedback_from_the_duration_and_the_last_attempt(app: TestApp) {
        let token = app.new_user().await;
        let draft = create_draft(&app, &token, story()).await;
        let attempt = start(&app, &token, json!({ "draftId": draft })).await;
        assert_eq!(attempt["draft"]["id"], draft.as_str());
        assert!(attempt["question"].is_null());
        assert!(attempt["finishedAt"].is_null());
        assert!(attempt["feedback"].is_null());
        assert!(attempt["transcript"].is_null());

        // 250 words in 100 s: 150 a minute, touching all four sections.
        let transcript = format!(
            "The checkout service timed out. I owned the latency budget. I profiled requests and \
             added a cache. Latency fell from 800 ms to 120 ms. {}",
            neutral(225)
        );
        let done = finish(&app, &token, &attempt["id"], &transcript, Some(100)).await;
        assert_eq!(done["durationSeconds"], 100);
        assert_eq!(done["transcript"], transcript.as_str());
        assert!(done["finishedAt"].is_string());
        let f = &done["feedback"];
        assert_eq!(f["wordCount"], 250);
        assert_eq!(f["wordsPerMinute"], 150.0);
        assert_eq!(f["withinTargetLength"], true);
        assert_eq!(f["sectionsCovered"], json!(["SITUATION", "TASK", "ACTION", "RESULT"]));
        assert_eq!(f["resultQuantified"], true);
        assert_eq!(f["fillerWords"], json!([]));
        assert_eq!(f["fillerPerMinute"], 0.0);
        assert!(f["previousWordsPerMinute"].is_null());
        assert_eq!(codes(&done), Vec::<String>::new());

        // Again, hurried: 60 words in 20 s with 4 fillers, only the Situation.
        let second = start(&app, &token, json!({ "draftId": draft })).await;
        let hurried = format!("Um, basically the checkout service timed out, um, you know. {}", neutral(50));
        let done = finish(&app, &token, &second["id"], &hurried, Some(20)).await;
        let f = &done["feedback"];
        assert_eq!(f["wordsPerMinute"], 180.0);
        assert_eq!(f["fillerPerMinute"], 12.0);
        assert_eq!(f["fillerWords"], json!(["um", "basically", "you know"]));
        assert_eq!(f["sectionsCovered"], json!(["SITUATION"]));
        assert_eq!(f["previousWordsPerMinute"], 150.0);
        assert_eq!(
            codes(&done),
            ["TOO_FAST", "UNDER_TIME", "FILLER_HEAVY", "RESULT_MISSING", "RESULT_NOT_QUANTIFIED"]
        );
        // The feedback is kept: reading the attempt again gives the same.
        let read = app
            .data_as(&token, &format!("query($id: ID!) {{ node(id: $id) {{ ... on PracticeAttempt {{ {ATTEMPT_FIELDS} }} }} }}"),
                json!({ "id": done["id"] }))
            .await;
        assert_eq!(read["node"], done);
    }
}

api_test! {
    async fn a_question_is_practised_without_sections_and_compared_with_its_own_attempts(app: TestApp) {
        let token = app.new_user().await;
        let question = question_id(&app, 0).await;
        let other = question_id(&app, 1).await;
        let first = start(&app, &token, json!({ "questionId": question })).await;
        assert_eq!(first["question"]["id"], question.as_str());
        assert!(first["draft"].is_null());
        let done = finish(&app, &token, &first["id"], &format!("{} 30%", neutral(9)), None).await;
        let f = &done["feedback"];
        assert_eq!(f["sectionsCovered"], json!([]));
        assert_eq!(f["wordCount"], 10);
        assert!(!codes(&done).contains(&"RESULT_MISSING".to_owned()));
        // Another question has no previous attempt; the same question has this one's pace.
        let elsewhere = start(&app, &token, json!({ "questionId": other })).await;
        let elsewhere = finish(&app, &token, &elsewhere["id"], "short answer", None).await;
        assert!(elsewhere["feedback"]["previousWordsPerMinute"].is_null());
        let again = start(&app, &token, json!({ "questionId": question })).await;
        let again = finish(&app, &token, &again["id"], "short answer", None).await;
        assert_eq!(again["feedback"]["previousWordsPerMinute"], f["wordsPerMinute"]);
    }
}

api_test! {
    async fn a_client_duration_beyond_the_servers_plus_tolerance_is_replaced(app: TestApp) {
        let token = app.new_user().await;
        let question = question_id(&app, 0).await;
        let attempt = start(&app, &token, json!({ "questionId": question })).await;
        // The default tolerance is 5 s; the attempt lasts well under a minute.
        let done = finish(&app, &token, &attempt["id"], &neutral(30), Some(600)).await;
        let at = |v: &Value| v.as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
        let elapsed_ms = (at(&done["finishedAt"]) - at(&attempt["startedAt"])).num_milliseconds();
        let server = ((elapsed_ms + 500) / 1000).max(1);
        assert_eq!(done["durationSeconds"], server, "{done:#}");
        assert_ne!(done["durationSeconds"], 600);
        // Within the tolerance the client's measurement stands.
        let attempt = start(&app, &token, json!({ "questionId": question })).await;
        let done = finish(&app, &token, &attempt["id"], &neutral(30), Some(3)).await;
        assert_eq!(done["durationSeconds"], 3);
        assert_eq!(done["feedback"]["wordsPerMinute"], 600.0);
    }
}

api_test! {
    async fn bad_input_names_its_field(app: TestApp) {
        let token = app.new_user().await;
        let draft = create_draft(&app, &token, story()).await;
        let question = question_id(&app, 0).await;
        let both = try_start(&app, &token, json!({ "draftId": draft, "questionId": question })).await;
        assert_eq!(error_code(&both), "BAD_USER_INPUT");
        assert_eq!(error_field(&both), "questionId");
        let neither = try_start(&app, &token, json!({})).await;
        assert_eq!(error_code(&neither), "BAD_USER_INPUT");
        assert_eq!(error_field(&neither), "draftId");
        let wrong_kind = try_start(&app, &token, json!({ "draftId": question })).await;
        assert_eq!(error_field(&wrong_kind), "draftId");

        let attempt = start(&app, &token, json!({ "draftId": draft })).await;
        let empty = try_finish(&app, &token, json!({ "id": attempt["id"], "transcript": "  " })).await;
        assert_eq!(error_code(&empty), "BAD_USER_INPUT");
        assert_eq!(error_field(&empty), "transcript");
        let negative = try_finish(&app, &token, json!({ "id": attempt["id"], "transcript": "hi", "durationSeconds": -4 })).await;
        assert_eq!(error_field(&negative), "durationSeconds");
        // Finished once; a second finish is refused and changes nothing.
        let done = finish(&app, &token, &attempt["id"], "the first time", None).await;
        let twice = try_finish(&app, &token, json!({ "id": attempt["id"], "transcript": "again" })).await;
        assert_eq!(error_code(&twice), "BAD_USER_INPUT");
        assert_eq!(error_field(&twice), "id");
        let read = app
            .data_as(&token, "query($id: ID!) { node(id: $id) { ... on PracticeAttempt { transcript } } }", json!({ "id": done["id"] }))
            .await;
        assert_eq!(read["node"]["transcript"], "the first time");
    }
}

api_test! {
    settings = Settings {
        practice: PracticeLimits {
            practice_max_minutes: 0,
            practice_transcript_max_chars: 20,
            max_practice_attempts_per_user: 2,
            ..PracticeLimits::default()
        },
        ..Settings::default()
    };
    async fn limits_are_settings(app: TestApp) {
        let token = app.new_user().await;
        let question = question_id(&app, 0).await;
        let attempt = start(&app, &token, json!({ "questionId": question })).await;
        let long = try_finish(&app, &token, json!({ "id": attempt["id"], "transcript": "x".repeat(21) })).await;
        assert_eq!(error_code(&long), "BAD_USER_INPUT");
        assert_eq!(error_field(&long), "transcript");
        // A maximum of 0 minutes: any finish comes after it.
        let late = try_finish(&app, &token, json!({ "id": attempt["id"], "transcript": "in time?" })).await;
        assert_eq!(error_code(&late), "BAD_USER_INPUT");
        assert_eq!(error_field(&late), "id");
        assert!(late["errors"][0]["message"].as_str().unwrap().contains("0 minutes"), "{late:#}");
        start(&app, &token, json!({ "questionId": question })).await;
        let third = try_start(&app, &token, json!({ "questionId": question })).await;
        assert_eq!(error_code(&third), "BAD_USER_INPUT");
        assert_eq!(error_field(&third), "input");
    }
}

api_test! {
    async fn attempts_are_their_owners_alone(app: TestApp) {
        let owner = app.new_user().await;
        let other = app.new_user().await;
        let draft = create_draft(&app, &owner, story()).await;
        let attempt = start(&app, &owner, json!({ "draftId": draft })).await;
        // Another user cannot finish it, see it, list it, or practise the owner's draft.
        let body = try_finish(&app, &other, json!({ "id": attempt["id"], "transcript": "mine now" })).await;
        assert_eq!(error_code(&body), "NOT_FOUND");
        let node = "query($id: ID!) { node(id: $id) { id } }";
        let seen = app.data_as(&other, node, json!({ "id": attempt["id"] })).await;
        assert!(seen["node"].is_null());
        let seen = app.data_as(&owner, node, json!({ "id": attempt["id"] })).await;
        assert_eq!(seen["node"]["id"], attempt["id"]);
        let list = "{ myPracticeAttempts { edges { node { id } } } }";
        let theirs = app.data_as(&other, list, json!({})).await;
        assert_eq!(theirs["myPracticeAttempts"]["edges"], json!([]));
        let steal = try_start(&app, &other, json!({ "draftId": draft })).await;
        assert_eq!(error_code(&steal), "BAD_USER_INPUT");
        assert_eq!(error_field(&steal), "draftId");
        // Anonymous callers are asked to sign in.
        let anonymous = app.graphql(list, json!({})).await;
        assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
        let anonymous = app.graphql(node, json!({ "id": attempt["id"] })).await;
        assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
    }
}

api_test! {
    async fn my_practice_attempts_is_never_served_from_the_cache(app: TestApp) {
        let owner = app.new_user().await;
        let other = app.new_user().await;
        let question = question_id(&app, 0).await;
        start(&app, &owner, json!({ "questionId": question })).await;
        let list = "query PracticeProbe { myPracticeAttempts { edges { node { id } } } }";
        for _ in 0..2 {
            let mine = app.data_as(&owner, list, json!({})).await;
            assert_eq!(mine["myPracticeAttempts"]["edges"].as_array().unwrap().len(), 1);
            let theirs = app.data_as(&other, list, json!({})).await;
            assert_eq!(theirs["myPracticeAttempts"]["edges"], json!([]));
        }
        let metrics = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
        let probe: Vec<&str> = metrics.lines().filter(|l| l.contains("operation=\"PracticeProbe\"")).collect();
        assert!(probe.iter().any(|l| l.contains("outcome=\"ok\"")), "{metrics}");
        assert!(!probe.iter().any(|l| l.contains("outcome=\"cached\"")), "{probe:#?}");
    }
}

api_test! {
    async fn my_practice_attempts_pages_newest_first_and_filters(app: TestApp) {
        let token = app.new_user().await;
        let draft = create_draft(&app, &token, story()).await;
        let question = question_id(&app, 2).await;
        let a = start(&app, &token, json!({ "draftId": draft })).await;
        let b = start(&app, &token, json!({ "questionId": question })).await;
        let c = start(&app, &token, json!({ "draftId": draft })).await;
        let page = "query($first: Int, $after: String, $draftId: ID, $questionId: ID) {
            myPracticeAttempts(first: $first, after: $after, draftId: $draftId, questionId: $questionId) {
                edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }";
        let ids = |data: &Value| -> Vec<Value> {
            data["myPracticeAttempts"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].clone()).collect()
        };
        let first = app.data_as(&token, page, json!({ "first": 2 })).await;
        assert_eq!(ids(&first), [c["id"].clone(), b["id"].clone()]);
        assert_eq!(first["myPracticeAttempts"]["pageInfo"]["hasNextPage"], true);
        let after = first["myPracticeAttempts"]["pageInfo"]["endCursor"].clone();
        let rest = app.data_as(&token, page, json!({ "first": 2, "after": after })).await;
        assert_eq!(ids(&rest), [a["id"].clone()]);
        assert_eq!(rest["myPracticeAttempts"]["pageInfo"]["hasNextPage"], false);
        let of_draft = app.data_as(&token, page, json!({ "draftId": draft })).await;
        assert_eq!(ids(&of_draft), [c["id"].clone(), a["id"].clone()]);
        let of_question = app.data_as(&token, page, json!({ "questionId": question })).await;
        assert_eq!(ids(&of_question), [b["id"].clone()]);
        let bad = app.graphql_as(Some(&token), page, json!({ "after": "nonsense" })).await;
        assert_eq!(error_code(&bad), "BAD_USER_INPUT");
    }
}

/// An interview 30 days from now, so its whole plan (9 tasks) lies ahead.
async fn interview_in_30_days(app: &TestApp, token: &str) -> Value {
    let at = Utc::now().checked_add_days(Days::new(30)).unwrap();
    crate::interviews::schedule(
        app,
        token,
        &at.format("%Y-%m-%dT09:00:00Z").to_string(),
        "Europe/London",
    )
    .await
}

async fn readiness(app: &TestApp, token: &str, id: &Value) -> Value {
    let query = format!("query($id: ID!) {{ interview(id: $id) {{ {READINESS} }} }}");
    app.data_as(token, &query, json!({ "id": id })).await["interview"]["readiness"].clone()
}

api_test! {
    async fn readiness_moves_exactly_as_the_formula_says(app: TestApp) {
        let token = app.new_user().await;
        let interview = interview_in_30_days(&app, &token).await;
        let r = readiness(&app, &token, &interview["id"]).await;
        assert_eq!(r["score"], 0, "{r:#}");
        assert_eq!((r["planDone"].clone(), r["planTotal"].clone()), (json!(0), json!(9)));
        assert_eq!((r["competenciesCovered"].clone(), r["competenciesTotal"].clone()), (json!(0), json!(7)));
        assert_eq!(r["readyStories"], 0);
        assert_eq!(r["practiceAttemptsLast7Days"], 0);
        // The three tasks of the first phase (13.3 points), practice (6.7), a story (5.7).
        let actions = r["nextActions"].as_array().unwrap();
        assert_eq!(actions.len(), 3, "{r:#}");
        assert!(actions[0].as_str().unwrap().starts_with("3 plan tasks due by "), "{r:#}");
        assert_eq!(actions[1], "Practise one answer aloud: none in the last 7 days");
        assert_eq!(actions[2], "Write a READY story for leadership");

        // A task ticked: 40 / 9 = 4.44, so 4.
        let task = interview["plan"][0]["id"].as_str().unwrap();
        crate::interviews::set_done(&app, &token, task, true).await;
        let r = readiness(&app, &token, &interview["id"]).await;
        assert_eq!((r["score"].clone(), r["planDone"].clone()), (json!(4), json!(1)));

        // A gap covered by a READY story: 4.44 + 40 / 7 = 10.16, so 10. A draft
        // that is not READY covers nothing.
        let mut input = story();
        input["competencies"] = json!(["leadership"]);
        let draft = create_draft(&app, &token, input).await;
        let r = readiness(&app, &token, &interview["id"]).await;
        assert_eq!(r["score"], 4);
        app.data_as(
            &token,
            "mutation($id: ID!) { updateStarDraft(input: { id: $id, expectedVersion: 1, status: READY }) { version } }",
            json!({ "id": draft }),
        )
        .await;
        let r = readiness(&app, &token, &interview["id"]).await;
        assert_eq!(r["score"], 10, "{r:#}");
        assert_eq!((r["competenciesCovered"].clone(), r["readyStories"].clone()), (json!(1), json!(1)));
        assert!(!r["nextActions"].as_array().unwrap().contains(&json!("Write a READY story for leadership")));

        // An attempt started counts only once finished: + 20 / 3 = 16.83, so 17.
        let attempt = start(&app, &token, json!({ "draftId": draft })).await;
        assert_eq!(readiness(&app, &token, &interview["id"]).await["score"], 10);
        finish(&app, &token, &attempt["id"], "I profiled the checkout and latency fell 80%.", None).await;
        let r = readiness(&app, &token, &interview["id"]).await;
        assert_eq!((r["score"].clone(), r["practiceAttemptsLast7Days"].clone()), (json!(17), json!(1)));
        assert!(r["nextActions"].as_array().unwrap().contains(&json!("Practise one more answer aloud: 1 in the last 7 days")), "{r:#}");
    }
}

api_test! {
    async fn readiness_of_a_page_of_interviews_costs_a_constant_number_of_statements(app: TestApp) {
        let token = app.new_user().await;
        for day in 1..=20 {
            crate::interviews::schedule(&app, &token, &format!("2027-07-{day:02}T09:00:00Z"), "Europe/London").await;
        }
        let mut input = story();
        input["competencies"] = json!(["failure", "teamwork"]);
        let draft = create_draft(&app, &token, input).await;
        app.data_as(
            &token,
            "mutation($id: ID!) { updateStarDraft(input: { id: $id, expectedVersion: 1, status: READY }) { version } }",
            json!({ "id": draft }),
        )
        .await;
        let attempt = start(&app, &token, json!({ "draftId": draft })).await;
        finish(&app, &token, &attempt["id"], "A failure I learnt from.", None).await;
        let query = format!("query($first: Int) {{ myInterviews(first: $first) {{ edges {{ node {{ id {READINESS} }} }} }} }}");
        let mut counts = Vec::new();
        for first in [1, 20] {
            app.reset_statements();
            let data = app.data_as(&token, &query, json!({ "first": first })).await;
            let (count, sql) = app.statements();
            let edges = data["myInterviews"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), first);
            let last = &edges[first - 1]["node"]["readiness"];
            assert_eq!(last["competenciesCovered"], 2, "{last:#}");
            assert_eq!(last["practiceAttemptsLast7Days"], 1);
            assert_eq!(last["planTotal"], 9);
            // token check, page, plans, roles, role competencies, role
            // questions, drafts by competency, drafts by question, practice count.
            assert!(count <= 9, "{count} statements for first: {first}:\n{}", sql.join("\n"));
            counts.push(count);
        }
        assert_eq!(counts[0], counts[1], "1 vs 20 interviews");
    }
}

api_test! {
    async fn deleting_a_draft_deletes_its_attempts(app: TestApp) {
        let token = app.new_user().await;
        let draft = create_draft(&app, &token, story()).await;
        let kept = create_draft(&app, &token, story()).await;
        let gone = start(&app, &token, json!({ "draftId": draft })).await;
        finish(&app, &token, &gone["id"], "checkout service timed out", None).await;
        let stays = start(&app, &token, json!({ "draftId": kept })).await;
        app.data_as(&token, "mutation($id: ID!) { deleteStarDraft(id: $id) }", json!({ "id": draft })).await;
        let list = app.data_as(&token, "{ myPracticeAttempts { edges { node { id draft { id } } } } }", json!({})).await;
        assert_eq!(
            list["myPracticeAttempts"]["edges"],
            json!([{ "node": { "id": stays["id"], "draft": { "id": kept } } }])
        );
        let node = app.data_as(&token, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": gone["id"] })).await;
        assert!(node["node"].is_null());
    }
}

api_test! {
    async fn next_steps_and_plan_tasks_name_where_they_are_done(app: TestApp) {
        let token = app.new_user().await;
        let interview = interview_in_30_days(&app, &token).await;
        let id = interview["id"].as_str().unwrap();
        let body = app
            .data_as(
                &token,
                "query($id: ID!) { interview(id: $id) {
                    readiness { nextActions nextSteps { text target { kind id dueBy } } }
                    plan { text dueOn target { kind id dueBy } } } }",
                json!({ "id": id }),
            )
            .await;
        let r = &body["interview"]["readiness"];
        let steps = r["nextSteps"].as_array().unwrap();
        let texts: Vec<&Value> = steps.iter().map(|s| &s["text"]).collect();
        assert_eq!(texts, r["nextActions"].as_array().unwrap().iter().collect::<Vec<_>>());
        // The three tasks of the first phase, due on the first day of the plan.
        let first_due = &body["interview"]["plan"][0]["dueOn"];
        assert_eq!(steps[0]["target"], json!({ "kind": "PLAN_TASKS", "id": id, "dueBy": first_due }), "{r:#}");
        assert_eq!(steps[1]["target"], json!({ "kind": "PRACTICE", "id": "backend-developer", "dueBy": null }));
        assert_eq!(steps[2]["target"], json!({ "kind": "NEW_STORY", "id": "leadership", "dueBy": null }));

        // The timeline's tasks done in the app say where; the rest have no target.
        let plan = body["interview"]["plan"].as_array().unwrap();
        let target_of = |start: &str| {
            plan.iter()
                .find(|t| t["text"].as_str().unwrap().starts_with(start))
                .map(|t| t["target"].clone())
                .unwrap()
        };
        assert_eq!(target_of("Write 8"), json!({ "kind": "NEW_STORY", "id": null, "dueBy": null }));
        assert_eq!(target_of("Say your answers aloud"), json!({ "kind": "PRACTICE", "id": "backend-developer", "dueBy": null }));
        assert_eq!(target_of("Read up on the employer"), Value::Null);
    }
}
