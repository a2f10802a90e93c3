//! The account's data: `exportMyData` and `GET /me/export`, and
//! `deleteAccount` with its cascade checked table by table.

use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::compression::decode;
use crate::helpers::{PASSWORD, TestApp, api_test, error_code, new_email};
use crate::subscriptions::subscribe;
use crate::ws_client::WsClient;

/// Gives the account of `token` one of everything: a draft with tags,
/// a question link and a second revision, an interview with its plan, a
/// finished practice attempt, a calendar feed. Returns the draft's and the
/// interview's IDs.
async fn fill(app: &TestApp, token: &str) -> (String, String) {
    let roles = app
        .data(
            "{ roles(first: 1) { edges { node { id questions { id } competencies { slug } } } } }",
            json!({}),
        )
        .await;
    let role = &roles["roles"]["edges"][0]["node"];
    let question = role["questions"][0]["id"].clone();
    let competency = role["competencies"][0]["slug"].clone();
    let created = app
        .data_as(
            token,
            "mutation($input: CreateStarDraftInput!) { createStarDraft(input: $input) { id } }",
            json!({ "input": { "title": "Checkout at peak", "situation": "Sale traffic.", "questionIds": [question], "competencies": [competency] } }),
        )
        .await;
    let draft = created["createStarDraft"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.data_as(
        token,
        "mutation($id: ID!) { updateStarDraft(input: { id: $id, expectedVersion: 1, result: \"Latency fell by 80%.\" }) { version } }",
        json!({ "id": draft }),
    )
    .await;
    let at = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let scheduled = app
        .data_as(
            token,
            "mutation($input: ScheduleInterviewInput!) { scheduleInterview(input: $input) { id } }",
            json!({ "input": { "roleId": role["id"], "company": "Acme", "stage": "TECHNICAL", "scheduledAt": at, "timeZone": "Europe/London" } }),
        )
        .await;
    let interview = scheduled["scheduleInterview"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = app
        .data_as(
            token,
            "mutation($d: ID!) { startPractice(input: { draftId: $d }) { id } }",
            json!({ "d": draft }),
        )
        .await;
    app.data_as(
        token,
        "mutation($id: ID!) { finishPractice(input: { id: $id, transcript: \"I cut latency by 80% during the sale.\" }) { id } }",
        json!({ "id": started["startPractice"]["id"] }),
    )
    .await;
    app.data_as(token, "mutation { rotateCalendarToken }", json!({}))
        .await;
    (draft, interview)
}

async fn download(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(format!("{}/me/export", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

api_test! {
    async fn the_export_holds_everything_the_account_owns_in_both_forms(app: TestApp) {
        let email = new_email();
        let token = app.register(&email).await;
        let (draft, interview) = fill(&app, &token).await;
        let stranger = app.new_user().await;
        fill(&app, &stranger).await;

        let graphql = app.data_as(&token, "{ exportMyData }", json!({})).await["exportMyData"].clone();
        assert_eq!(graphql["format"], "prep-graphql/account-export");
        assert_eq!(graphql["version"], 1);
        assert_eq!(graphql["profile"]["email"], email.as_str());
        assert_eq!(graphql["sessions"].as_array().unwrap().len(), 1);
        let drafts = graphql["drafts"].as_array().unwrap();
        assert_eq!(drafts.len(), 1, "only the account's own");
        assert_eq!(drafts[0]["id"], draft.as_str());
        assert_eq!(drafts[0]["result"], "Latency fell by 80%.");
        assert_eq!(drafts[0]["revisions"].as_array().unwrap().len(), 2);
        assert_eq!(drafts[0]["competencies"].as_array().unwrap().len(), 1);
        assert_eq!(drafts[0]["questions"][0]["role"], "backend-developer");
        let interviews = graphql["interviews"].as_array().unwrap();
        assert_eq!(interviews.len(), 1);
        assert_eq!(interviews[0]["id"], interview.as_str());
        assert!(!interviews[0]["plan"].as_array().unwrap().is_empty());
        let attempts = graphql["practiceAttempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 1);
        assert!(attempts[0]["feedback"]["wordCount"].as_i64().unwrap() > 0, "{}", attempts[0]);

        let response = download(&app, Some(&token)).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/json");
        assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let mut streamed: Value = response.json().await.unwrap();
        let mut graphql = graphql;
        streamed["exportedAt"] = Value::Null;
        graphql["exportedAt"] = Value::Null;
        assert_eq!(streamed, graphql, "the route and the query export the same document");

        assert_eq!(download(&app, None).await.status(), 401);
        assert_eq!(download(&app, Some("not-a-token")).await.status(), 401);
        app.data_as(&token, "mutation { logout }", json!({})).await;
        assert_eq!(download(&app, Some(&token)).await.status(), 401);
        assert_eq!(error_code(&app.graphql("{ exportMyData }", json!({})).await), "UNAUTHENTICATED");
    }
}

api_test! {
    /// A browser always offers br and gzip: the streamed export must arrive whole
    /// through the compression layer too (it once stopped mid-way there).
    async fn the_export_downloads_whole_when_compressed(app: TestApp) {
        let token = app.register(&new_email()).await;
        let (draft, _) = fill(&app, &token).await;
        for encoding in ["br", "gzip"] {
            let response = app
                .client
                .get(format!("{}/me/export", app.address))
                .bearer_auth(&token)
                .header("accept-encoding", encoding)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers()["content-encoding"], encoding);
            let body = response.bytes().await.expect("the whole body");
            let document: Value = serde_json::from_slice(&decode(encoding, &body)).unwrap();
            assert_eq!(document["version"], 1, "{encoding}");
            assert_eq!(document["drafts"][0]["id"], draft.as_str(), "{encoding}");
        }
    }
}

/// Rows of each table that belong to `user` (through its drafts and interviews for child tables).
async fn owned_rows(
    app: &TestApp,
    user: i32,
    drafts: &[i32],
    interviews: &[i32],
) -> Vec<(&'static str, u64)> {
    use entity::*;
    let db = &app.db;
    vec![
        (
            "users",
            user::Entity::find()
                .filter(user::Column::Id.eq(user))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "sessions",
            session::Entity::find()
                .filter(session::Column::UserId.eq(user))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "password_resets",
            password_reset::Entity::find()
                .filter(password_reset::Column::UserId.eq(user))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "star_drafts",
            star_draft::Entity::find()
                .filter(star_draft::Column::UserId.eq(user))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "star_draft_revisions",
            star_draft_revision::Entity::find()
                .filter(star_draft_revision::Column::DraftId.is_in(drafts.to_vec()))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "star_draft_competencies",
            star_draft_competency::Entity::find()
                .filter(star_draft_competency::Column::DraftId.is_in(drafts.to_vec()))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "star_draft_questions",
            star_draft_question::Entity::find()
                .filter(star_draft_question::Column::DraftId.is_in(drafts.to_vec()))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "interviews",
            interview::Entity::find()
                .filter(interview::Column::UserId.eq(user))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "plan_tasks",
            plan_task::Entity::find()
                .filter(plan_task::Column::InterviewId.is_in(interviews.to_vec()))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "practice_attempts",
            practice_attempt::Entity::find()
                .filter(practice_attempt::Column::UserId.eq(user))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "calendar_feeds",
            calendar_feed::Entity::find()
                .filter(calendar_feed::Column::UserId.eq(user))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "shares",
            share::Entity::find()
                .filter(share::Column::OwnerId.eq(user))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "share_grants",
            share_grant::Entity::find()
                .filter(share_grant::Column::GranteeId.eq(user))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "comments written",
            comment::Entity::find()
                .filter(comment::Column::AuthorId.eq(user))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "comments on the drafts",
            comment::Entity::find()
                .filter(comment::Column::DraftId.is_in(drafts.iter().copied()))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "comment_reads",
            comment_read::Entity::find()
                .filter(comment_read::Column::UserId.eq(user))
                .count(db)
                .await
                .unwrap(),
        ),
    ]
}

fn key(id: &str) -> i32 {
    prep_graphql::graphql::ids::decode(id).unwrap().1
}

api_test! {
    async fn delete_account_removes_everything_it_owns_and_tells_open_tabs(app: TestApp) {
        let email = new_email();
        let token = app.register(&email).await;
        let (draft, interview) = fill(&app, &token).await;
        let stranger = app.new_user().await;
        let (their_draft, their_interview) = fill(&app, &stranger).await;
        // A reset link too (no mail server: the mail goes to the log).
        app.data("mutation($e: String!) { requestPasswordReset(email: $e) }", json!({ "e": email })).await;
        let user = key(app.data_as(&token, "{ me { id } }", json!({})).await["me"]["id"].as_str().unwrap());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while owned_rows(&app, user, &[], &[]).await[2].1 == 0 {
            assert!(tokio::time::Instant::now() < deadline, "the reset link was not written");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Each shares a draft with the other; both comment on both drafts
        // and read them.
        let mine = must(&app, &token, SHARE, json!({ "input": { "target": draft, "access": "COMMENTER" } })).await;
        must(&app, &stranger, ACCEPT, json!({ "s": mine["createShare"]["secret"] })).await;
        let theirs = must(&app, &stranger, SHARE, json!({ "input": { "target": their_draft, "access": "COMMENTER" } })).await;
        must(&app, &token, ACCEPT, json!({ "s": theirs["createShare"]["secret"] })).await;
        for (who, on) in [(&token, &draft), (&stranger, &draft), (&token, &their_draft), (&stranger, &their_draft)] {
            must(&app, who, COMMENT, json!({ "input": { "draftId": on, "body": "A comment.", "version": 2 } })).await;
            must(&app, who, "mutation($d: ID!) { markCommentsRead(draftId: $d) }", json!({ "d": on })).await;
        }
        let before = owned_rows(&app, user, &[key(&draft)], &[key(&interview)]).await;
        assert!(before.iter().all(|(_, n)| *n > 0), "every table holds some of the account: {before:?}");

        let mut tab = WsClient::connected(&app, Some(&token)).await;
        subscribe(&app, &mut tab, "d", "subscription { myStarDraftEvents { kind draftId } }", json!({})).await;
        subscribe(&app, &mut tab, "i", "subscription { myInterviewEvents { kind interviewId } }", json!({})).await;

        let wrong = app.graphql_as(Some(&token), "mutation { deleteAccount(password: \"not the password\") }", json!({})).await;
        assert_eq!(error_code(&wrong), "BAD_USER_INPUT");
        assert_eq!(wrong["errors"][0]["extensions"]["field"], "password");
        assert_eq!(owned_rows(&app, user, &[key(&draft)], &[key(&interview)]).await, before, "nothing deleted");

        let deleted = app.data_as(&token, "mutation($p: String!) { deleteAccount(password: $p) }", json!({ "p": PASSWORD })).await;
        assert_eq!(deleted["deleteAccount"], true);

        let mut events = Vec::new();
        for _ in 0..2 {
            let message = tab.recv().await;
            events.push(message["payload"]["data"].clone());
        }
        assert!(events.contains(&json!({ "myStarDraftEvents": { "kind": "DELETED", "draftId": draft } })), "{events:?}");
        assert!(events.contains(&json!({ "myInterviewEvents": { "kind": "DELETED", "interviewId": interview } })), "{events:?}");
        assert_eq!(tab.closed().await.0, 4403);

        for (table, n) in owned_rows(&app, user, &[key(&draft)], &[key(&interview)]).await {
            assert_eq!(n, 0, "{table} still holds the deleted account's rows");
        }
        let theirs = app.data_as(&stranger, "{ me { id } }", json!({})).await;
        let stranger_id = key(theirs["me"]["id"].as_str().unwrap());
        for (table, n) in owned_rows(&app, stranger_id, &[key(&their_draft)], &[key(&their_interview)]).await {
            // The other account's reset link was never asked for, and its
            // only grant was of the deleted account's share.
            if table != "password_resets" && table != "share_grants" {
                assert!(n > 0, "{table} lost another account's rows");
            }
        }
        assert_eq!(error_code(&app.graphql_as(Some(&token), "{ me { id } }", json!({})).await), "UNAUTHENTICATED");
        // The email is free again.
        let again = app.register(&email).await;
        assert!(app.data_as(&again, "{ exportMyData }", json!({})).await["exportMyData"]["drafts"].as_array().unwrap().is_empty());
    }
}

/// `mutation` as `token`, which must succeed; its data.
async fn must(app: &TestApp, token: &str, mutation: &str, variables: Value) -> Value {
    let body = app.graphql_as(Some(token), mutation, variables).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"].clone()
}

const SHARE: &str =
    "mutation($input: CreateShareInput!) { createShare(input: $input) { secret share { id } } }";
const ACCEPT: &str = "mutation($s: String!) { acceptShare(secret: $s) { id } }";
const COMMENT: &str = "mutation($input: AddCommentInput!) { addComment(input: $input) { id } }";

api_test! {
    async fn the_export_holds_shares_grants_and_comments_on_both_sides(app: TestApp) {
        let owner_email = new_email();
        let owner = app.register(&owner_email).await;
        let (draft, _) = fill(&app, &owner).await;
        let coach_email = new_email();
        let coach = app.register(&coach_email).await;
        let (coach_draft, _) = fill(&app, &coach).await;

        // The owner shares the draft with the coach, who comments on it; the
        // owner replies; the coach also shares a draft the owner comments on.
        let shared = must(&app, &owner, SHARE, json!({ "input": { "target": draft, "access": "COMMENTER", "note": "for my coach" } })).await;
        must(&app, &coach, ACCEPT, json!({ "s": shared["createShare"]["secret"] })).await;
        let first = must(&app, &coach, COMMENT, json!({ "input": { "draftId": draft, "section": "RESULT", "quote": "80%", "body": "Which baseline?", "version": 2 } })).await;
        let first_id = first["addComment"]["id"].clone();
        must(&app, &owner, COMMENT, json!({ "input": { "draftId": draft, "parentId": first_id, "section": "RESULT", "body": "Last year's sale.", "version": 2 } })).await;
        let back = must(&app, &coach, SHARE, json!({ "input": { "target": coach_draft, "access": "COMMENTER" } })).await;
        must(&app, &owner, ACCEPT, json!({ "s": back["createShare"]["secret"] })).await;
        must(&app, &owner, COMMENT, json!({ "input": { "draftId": coach_draft, "section": "GENERAL", "body": "Strong story.", "version": 2 } })).await;

        let export = app.data_as(&owner, "{ exportMyData }", json!({})).await["exportMyData"].clone();
        let text = export.to_string();
        assert!(!text.contains(&coach_email), "never another person's email");

        let comments = export["drafts"][0]["comments"].as_array().unwrap();
        assert_eq!(comments.len(), 2, "{export:#}");
        assert_eq!(comments[0]["body"], "Which baseline?");
        assert_eq!(comments[0]["byMe"], false);
        assert_eq!(comments[0]["quote"], "80%");
        assert!(comments[0]["authorName"].is_string());
        assert_eq!(comments[1]["parentId"], first_id);
        assert_eq!(comments[1]["byMe"], true);

        let shares = export["shares"].as_array().unwrap();
        assert_eq!(shares.len(), 1);
        assert_eq!(shares[0]["draftId"], draft.as_str());
        assert_eq!(shares[0]["note"], "for my coach");
        assert_eq!(shares[0]["acceptedBy"].as_array().unwrap().len(), 1);
        assert!(shares[0]["acceptedBy"][0]["displayName"].is_string());

        let with_me = export["sharedWithMe"].as_array().unwrap();
        assert_eq!(with_me.len(), 1);
        assert_eq!(with_me[0]["draftId"], coach_draft.as_str());
        assert!(with_me[0]["ownerName"].is_string());

        let elsewhere = export["commentsOnSharedDrafts"].as_array().unwrap();
        assert_eq!(elsewhere.len(), 1, "only the one on the coach's draft");
        assert_eq!(elsewhere[0]["body"], "Strong story.");
        assert_eq!(elsewhere[0]["draftId"], coach_draft.as_str());

        // The coach's export holds the other side: the same thread under
        // the owner's draft is not theirs, their comment is "elsewhere".
        let theirs = app.data_as(&coach, "{ exportMyData }", json!({})).await["exportMyData"].clone();
        assert!(!theirs.to_string().contains(&owner_email));
        let elsewhere = theirs["commentsOnSharedDrafts"].as_array().unwrap();
        assert_eq!(elsewhere.len(), 1);
        assert_eq!(elsewhere[0]["body"], "Which baseline?");
        assert_eq!(theirs["sharedWithMe"][0]["draftId"], draft.as_str());
        assert_eq!(theirs["drafts"][0]["comments"][0]["body"], "Strong story.");

        // The streamed route gives the same document.
        let mut streamed: Value = download(&app, Some(&owner)).await.json().await.unwrap();
        let mut export = export;
        streamed["exportedAt"] = Value::Null;
        export["exportedAt"] = Value::Null;
        assert_eq!(streamed, export);
    }
}
