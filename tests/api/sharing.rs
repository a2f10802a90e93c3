//! Sharing with a coach: shares and grants, the authorization matrix over
//! every read path and mutation, comments, and what revocation and expiry
//! do to reads and live subscriptions (also across two instances).

use std::time::Duration;

use chrono::Utc;
use prep_graphql::config::{AuthConfig, Settings, SharingLimits};
use serde_json::{Value, json};

use crate::drafts::create_draft;
use crate::helpers::{PASSWORD, TestApp, api_test, error_code, new_email};
use crate::interviews::schedule;
use crate::subscriptions::{create_draft_delivered, subscribe};
use crate::ws_client::WsClient;

const CREATE_SHARE: &str = "mutation($input: CreateShareInput!) {
    createShare(input: $input) { secret path share { id targetKind access note expiresAt expired } } }";
const ACCEPT: &str = "mutation($secret: String!) { acceptShare(secret: $secret) {
    id ownerName targetKind access since draft { id title } interview { id company } } }";
const REVOKE: &str = "mutation($id: ID!) { revokeShare(id: $id) }";
const ADD_COMMENT: &str = "mutation($input: AddCommentInput!) { addComment(input: $input) {
    id parentId section quote body authorName mine byOwner draftVersion version resolved outdated } }";
const DRAFT: &str = "query($id: ID!) { starDraft(id: $id) { id title result } }";
const NODE: &str = "query($id: ID!) { node(id: $id) { id ... on StarDraft { title } ... on Interview { company } ... on PlanTask { text } } }";
const COMMENTS: &str = "query($id: ID!, $all: Boolean) { starDraft(id: $id) {
    unreadCommentCount
    comments(includeResolved: $all) { id body section quote authorName resolved outdated draftVersion
        replies { id body parentId authorName } } } }";
const COMMENT_EVENTS: &str = "subscription($id: ID!) { commentEvents(draftId: $id) {
    kind commentId draftId comment { body resolved } } }";
const DRAFT_EVENTS: &str = "subscription($id: ID!) { starDraftUpdated(id: $id) { kind version } }";

/// Registers an account named `name`; returns its token and email.
async fn person(app: &TestApp, name: &str) -> (String, String) {
    let email = new_email();
    let body = app
        .graphql(
            "mutation($input: RegisterInput!) { register(input: $input) { token } }",
            json!({ "input": { "email": email, "password": PASSWORD, "displayName": name } }),
        )
        .await;
    let token = body["data"]["register"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    (token, email)
}

/// `createShare` as `token`; the whole response.
async fn try_share(app: &TestApp, token: &str, input: Value) -> Value {
    app.graphql_as(Some(token), CREATE_SHARE, json!({ "input": input }))
        .await
}

/// Shares `target` with `access`; returns the share's id and secret.
async fn share(app: &TestApp, token: &str, target: &str, access: &str) -> (String, String) {
    let body = try_share(app, token, json!({ "target": target, "access": access })).await;
    let created = &body["data"]["createShare"];
    assert!(created.is_object(), "{body:#}");
    (
        created["share"]["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

async fn accept(app: &TestApp, token: &str, secret: &str) -> Value {
    app.graphql_as(Some(token), ACCEPT, json!({ "secret": secret }))
        .await
}

/// Shares `target` with `access` and has `grantee` accept it; returns the share's id.
async fn grant(app: &TestApp, owner: &str, grantee: &str, target: &str, access: &str) -> String {
    let (id, secret) = share(app, owner, target, access).await;
    let body = accept(app, grantee, &secret).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    id
}

async fn add_comment(app: &TestApp, token: &str, input: Value) -> Value {
    app.graphql_as(Some(token), ADD_COMMENT, json!({ "input": input }))
        .await
}

/// What `token` reads of draft `id` through `starDraft` and `node`
/// (`None` when both say null; they must agree).
async fn read_draft(app: &TestApp, token: &str, id: &str) -> Option<String> {
    let one = app.data_as(token, DRAFT, json!({ "id": id })).await;
    let node = app.data_as(token, NODE, json!({ "id": id })).await;
    let title = one["starDraft"]["title"].as_str().map(str::to_owned);
    assert_eq!(
        title.as_deref(),
        node["node"]["title"].as_str(),
        "starDraft and node disagree"
    );
    title
}

/// The code of the error that opening `query` as a subscription gets
/// (`None` when it opens), asked on a fresh connection as `token`.
async fn subscription_refusal(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    id: &str,
) -> Option<String> {
    let mut client = WsClient::connected(app, token).await;
    client.subscribe("probe", query, json!({ "id": id })).await;
    let answer = tokio::time::timeout(
        Duration::from_millis(1500),
        client.recv_skipping_keepalive(),
    )
    .await;
    match answer {
        Ok(message) if message["type"] == "error" => Some(
            message["payload"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
        ),
        Ok(message) => panic!("unexpected message {message:#}"),
        // Nothing yet: the subscription is open and waits for changes.
        Err(_) => None,
    }
}

api_test! {
    async fn every_read_path_and_mutation_follows_the_grants(app: TestApp) {
        let (alice, alice_email) = person(&app, "Alice").await;
        let (viewer, _) = person(&app, "Victor Viewer").await;
        let (commenter, _) = person(&app, "Cora Coach").await;
        let (revoked, _) = person(&app, "Rex Revoked").await;
        let (expired, _) = person(&app, "Exa Expired").await;
        let (stranger, _) = person(&app, "Stan Stranger").await;
        let draft = create_draft(&app, &alice, json!({ "title": "Outage story", "result": "Errors fell 40%" })).await;
        let other_draft = create_draft(&app, &alice, json!({ "title": "Not shared" })).await;

        grant(&app, &alice, &viewer, &draft, "VIEWER").await;
        grant(&app, &alice, &commenter, &draft, "COMMENTER").await;
        let gone = grant(&app, &alice, &revoked, &draft, "COMMENTER").await;
        app.data_as(&alice, REVOKE, json!({ "id": gone })).await;
        let soon = (Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
        let body = try_share(&app, &alice, json!({ "target": draft, "access": "COMMENTER", "expiresAt": soon })).await;
        let secret = body["data"]["createShare"]["secret"].as_str().unwrap().to_owned();
        assert!(accept(&app, &expired, &secret).await.get("errors").is_none());
        tokio::time::sleep(Duration::from_millis(2200)).await;

        // Reads: the owner and the live grantees read it; the others get
        // null, exactly as for a draft that never existed.
        for (who, token, reads) in [
            ("owner", &alice, true), ("viewer", &viewer, true), ("commenter", &commenter, true),
            ("revoked", &revoked, false), ("expired", &expired, false), ("stranger", &stranger, false),
        ] {
            let title = read_draft(&app, token, &draft).await;
            assert_eq!(title.is_some(), reads, "{who} reading the shared draft");
            // A draft share covers that draft only.
            let other = read_draft(&app, token, &other_draft).await;
            assert_eq!(other.is_some(), who == "owner", "{who} reading another draft");
            let refusal = subscription_refusal(&app, Some(token), DRAFT_EVENTS, &draft).await;
            assert_eq!(refusal.is_none(), reads, "{who} following the draft: {refusal:?}");
            let refusal = subscription_refusal(&app, Some(token), COMMENT_EVENTS, &draft).await;
            assert_eq!(refusal.is_none(), reads, "{who} following comments: {refusal:?}");
            if !reads {
                assert_eq!(refusal.as_deref(), Some("NOT_FOUND"));
            }
        }
        // Anonymous: UNAUTHENTICATED everywhere.
        let body = app.graphql(DRAFT, json!({ "id": draft })).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
        assert_eq!(
            subscription_refusal(&app, None, COMMENT_EVENTS, &draft).await.as_deref(),
            Some("UNAUTHENTICATED")
        );

        // Writes to the draft: the owner's alone; a grantee is told NOT_FOUND,
        // word for word what a stranger is told.
        for token in [&viewer, &commenter, &stranger] {
            let body = app.graphql_as(Some(token),
                "mutation($id: ID!) { updateStarDraft(input: { id: $id, expectedVersion: 1, title: \"x\" }) { id } }",
                json!({ "id": draft })).await;
            assert_eq!(error_code(&body), "NOT_FOUND", "{body:#}");
            let body = app.graphql_as(Some(token), "mutation($id: ID!) { deleteStarDraft(id: $id) }", json!({ "id": draft })).await;
            assert_eq!(error_code(&body), "NOT_FOUND", "{body:#}");
            let body = try_share(&app, token, json!({ "target": draft, "access": "VIEWER" })).await;
            assert_eq!(error_code(&body), "NOT_FOUND", "re-sharing: {body:#}");
            let body = app.graphql_as(Some(token), REVOKE, json!({ "id": gone })).await;
            assert_eq!(error_code(&body), "NOT_FOUND", "{body:#}");
        }
        assert_eq!(read_draft(&app, &alice, &draft).await.as_deref(), Some("Outage story"));

        // Comments: the owner and a COMMENTER may; a VIEWER is FORBIDDEN; the rest NOT_FOUND.
        let comment = |body: &str| json!({ "draftId": draft, "section": "RESULT", "quote": "40%", "body": body, "version": 1 });
        for (who, token, code) in [
            ("owner", &alice, None), ("commenter", &commenter, None), ("viewer", &viewer, Some("FORBIDDEN")),
            ("revoked", &revoked, Some("NOT_FOUND")), ("expired", &expired, Some("NOT_FOUND")),
            ("stranger", &stranger, Some("NOT_FOUND")),
        ] {
            let body = add_comment(&app, token, comment(&format!("from {who}"))).await;
            match code {
                None => assert!(body.get("errors").is_none(), "{who}: {body:#}"),
                Some(code) => assert_eq!(error_code(&body), code, "{who}: {body:#}"),
            }
        }
        let body = app.graphql(ADD_COMMENT, json!({ "input": comment("anonymous") })).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
        let threads = app.data_as(&viewer, COMMENTS, json!({ "id": draft, "all": true })).await;
        let bodies: Vec<&str> = threads["starDraft"]["comments"].as_array().unwrap().iter()
            .map(|c| c["body"].as_str().unwrap()).collect();
        assert_eq!(bodies, ["from owner", "from commenter"], "a viewer reads every comment");
        let commenters = threads["starDraft"]["comments"][1]["id"].as_str().unwrap().to_owned();
        let owners = threads["starDraft"]["comments"][0]["id"].as_str().unwrap().to_owned();

        // Only the author edits or deletes a comment; only the owner resolves.
        for token in [&alice, &viewer, &stranger] {
            let body = app.graphql_as(Some(token), "mutation($id: ID!) { updateComment(id: $id, body: \"edited\") { id } }",
                json!({ "id": commenters })).await;
            assert_eq!(error_code(&body), "NOT_FOUND", "{body:#}");
            let body = app.graphql_as(Some(token), "mutation($id: ID!) { deleteComment(id: $id) }", json!({ "id": commenters })).await;
            assert_eq!(error_code(&body), "NOT_FOUND", "{body:#}");
        }
        for (token, code) in [(&commenter, "FORBIDDEN"), (&viewer, "FORBIDDEN"), (&stranger, "NOT_FOUND")] {
            let body = app.graphql_as(Some(token), "mutation($id: ID!) { resolveCommentThread(id: $id, resolved: true) { id } }",
                json!({ "id": owners })).await;
            assert_eq!(error_code(&body), code, "{body:#}");
            let body = app.graphql_as(Some(token), "mutation($id: ID!) { markCommentsRead(draftId: $id) }", json!({ "id": draft })).await;
            if token == &stranger {
                assert_eq!(error_code(&body), "NOT_FOUND");
            } else {
                assert!(body.get("errors").is_none(), "{body:#}");
            }
        }

        // Grantees never see the owner's email, other drafts or lists of theirs.
        let shared = app.data_as(&viewer, "{ sharedWithMe { ownerName targetKind access draft { title } drafts(first: 5) { edges { node { id } } } }
            myStarDrafts(first: 10) { edges { node { id } } } }", json!({})).await;
        assert_eq!(shared["sharedWithMe"], json!([{ "ownerName": "Alice", "targetKind": "DRAFT", "access": "VIEWER",
            "draft": { "title": "Outage story" }, "drafts": null }]));
        assert_eq!(shared["myStarDrafts"]["edges"], json!([]));
        let everything = app.graphql_as(Some(&viewer), "{ sharedWithMe { ownerName note draft { title comments { authorName } } } }", json!({})).await;
        assert!(!everything.to_string().contains(&alice_email), "the owner's email leaked: {everything:#}");
        // Those whose grant ended see nothing shared.
        for token in [&revoked, &expired, &stranger] {
            let none = app.data_as(token, "{ sharedWithMe { id } }", json!({})).await;
            assert_eq!(none["sharedWithMe"], json!([]));
        }
    }
}

api_test! {
    async fn interviews_and_the_story_bank_are_shared_by_the_same_rule(app: TestApp) {
        let (alice, _) = person(&app, "Alice").await;
        let (coach, _) = person(&app, "Coach").await;
        let (stranger, _) = person(&app, "Stranger").await;
        let at = (Utc::now() + chrono::Duration::days(20)).to_rfc3339();
        let interview = schedule(&app, &alice, &at, "Europe/Berlin").await;
        let interview_id = interview["id"].as_str().unwrap();
        let task = interview["plan"][0]["id"].as_str().unwrap();
        let draft = create_draft(&app, &alice, json!({ "title": "Story one" })).await;

        grant(&app, &alice, &coach, interview_id, "VIEWER").await;
        let query = "query($id: ID!) { interview(id: $id) { company plan { text } readiness { score } } }";
        let seen = app.data_as(&coach, query, json!({ "id": interview_id })).await;
        assert_eq!(seen["interview"]["company"], "Acme");
        assert!(!seen["interview"]["plan"].as_array().unwrap().is_empty());
        assert!(seen["interview"]["readiness"]["score"].is_number());
        let node = app.data_as(&coach, NODE, json!({ "id": task })).await;
        assert!(node["node"]["text"].is_string(), "a shared interview's task: {node:#}");
        for token in [&stranger] {
            assert_eq!(app.data_as(token, query, json!({ "id": interview_id })).await["interview"], Value::Null);
            assert_eq!(app.data_as(token, NODE, json!({ "id": task })).await["node"], Value::Null);
        }
        // The coach reads the interview, not the drafts or other interviews.
        assert_eq!(read_draft(&app, &coach, &draft).await, None);
        let body = app.graphql_as(Some(&coach), "mutation($id: ID!) { setPlanTaskDone(id: $id, done: true) { id } }",
            json!({ "id": task })).await;
        assert_eq!(error_code(&body), "NOT_FOUND");
        let body = app.graphql_as(Some(&coach),
            "mutation($id: ID!) { updateInterview(input: { id: $id, expectedVersion: 1, company: \"x\" }) { id } }",
            json!({ "id": interview_id })).await;
        assert_eq!(error_code(&body), "NOT_FOUND");

        // The story bank covers every draft, also those written later, and no interview.
        grant(&app, &alice, &stranger, "STORY_BANK", "COMMENTER").await;
        let later = create_draft(&app, &alice, json!({ "title": "Story two" })).await;
        assert_eq!(read_draft(&app, &stranger, &draft).await.as_deref(), Some("Story one"));
        assert_eq!(read_draft(&app, &stranger, &later).await.as_deref(), Some("Story two"));
        assert_eq!(app.data_as(&stranger, query, json!({ "id": interview_id })).await["interview"], Value::Null);
        let bank = app.data_as(&stranger, "{ sharedWithMe { targetKind drafts(first: 10) { totalCount edges { node { title } } } } }", json!({})).await;
        assert_eq!(bank["sharedWithMe"][0]["targetKind"], "STORY_BANK");
        assert_eq!(bank["sharedWithMe"][0]["drafts"]["totalCount"], 2);
        assert_eq!(bank["sharedWithMe"][0]["drafts"]["edges"][0]["node"]["title"], "Story two");
        let body = add_comment(&app, &stranger, json!({ "draftId": later, "section": "GENERAL", "body": "Add a number", "version": 1 })).await;
        assert!(body.get("errors").is_none(), "{body:#}");
        // Practice attempts stay the owner's.
        let attempt = app.data_as(&alice, "mutation($id: ID!) { startPractice(input: { draftId: $id }) { id } }", json!({ "id": draft })).await;
        let attempt = attempt["startPractice"]["id"].as_str().unwrap();
        let node = app.data_as(&stranger, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": attempt })).await;
        assert_eq!(node["node"], Value::Null);
    }
}

api_test! {
    settings = Settings {
        sharing: SharingLimits { max_grants_per_share: 2, ..SharingLimits::default() },
        ..Settings::default()
    };
    async fn accepting_and_creating_shares_follow_the_rules(app: TestApp) {
        let (alice, _) = person(&app, "Alice").await;
        let draft = create_draft(&app, &alice, json!({ "title": "Mine" })).await;
        let (id, secret) = share(&app, &alice, &draft, "VIEWER").await;

        let body = accept(&app, &alice, &secret).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "the owner's own share: {body:#}");
        let (bob, _) = person(&app, "Bob").await;
        let first = accept(&app, &bob, &secret).await;
        let again = accept(&app, &bob, &secret).await;
        assert_eq!(first["data"]["acceptShare"]["id"], again["data"]["acceptShare"]["id"], "accepting twice is one grant");
        assert_eq!(first["data"]["acceptShare"]["ownerName"], "Alice");
        let (carol, _) = person(&app, "Carol").await;
        assert!(accept(&app, &carol, &secret).await.get("errors").is_none());
        let (dave, _) = person(&app, "Dave").await;
        let body = accept(&app, &dave, &secret).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "past --max-grants-per-share: {body:#}");
        assert_eq!(read_draft(&app, &dave, &draft).await, None);

        let mine = app.data_as(&alice, "{ myShares { id access targetKind draft { title } acceptedBy { displayName } } }", json!({})).await;
        assert_eq!(mine["myShares"], json!([{ "id": id, "access": "VIEWER", "targetKind": "DRAFT",
            "draft": { "title": "Mine" }, "acceptedBy": [{ "displayName": "Bob" }, { "displayName": "Carol" }] }]));

        // Unknown, malformed and revoked secrets are all NOT_FOUND.
        for wrong in ["nope", &"A".repeat(43), &secret[..42]] {
            assert_eq!(error_code(&accept(&app, &dave, wrong).await), "NOT_FOUND");
        }
        app.data_as(&alice, REVOKE, json!({ "id": id })).await;
        assert_eq!(error_code(&accept(&app, &dave, &secret).await), "NOT_FOUND");
        assert_eq!(read_draft(&app, &bob, &draft).await, None);

        // Bad input writes nothing.
        let past = (Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
        for (input, field) in [
            (json!({ "target": draft, "access": "VIEWER", "expiresAt": past }), "expiresAt"),
            (json!({ "target": draft, "access": "VIEWER", "note": "two\nlines" }), "note"),
            (json!({ "target": draft, "access": "VIEWER", "note": "x".repeat(501) }), "note"),
            (json!({ "target": "EVERYTHING", "access": "VIEWER" }), "target"),
        ] {
            let body = try_share(&app, &alice, input).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body:#}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body:#}");
        }
        let role = crate::interviews::role_id(&app).await;
        let body = try_share(&app, &alice, json!({ "target": role, "access": "VIEWER" })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "a role is not shareable: {body:#}");
        let left = app.data_as(&alice, "{ myShares { id } }", json!({})).await;
        assert_eq!(left["myShares"], json!([]));
    }
}

api_test! {
    settings = Settings {
        sharing: SharingLimits { comment_max_chars: 40, max_comments_per_draft: 4, ..SharingLimits::default() },
        ..Settings::default()
    };
    async fn comment_threads_resolve_go_outdated_and_count_unread(app: TestApp) {
        let (alice, _) = person(&app, "Alice").await;
        let (coach, _) = person(&app, "Coach").await;
        let draft = create_draft(&app, &alice, json!({ "title": "Outage", "result": "Errors fell 40% in a week" })).await;
        grant(&app, &alice, &coach, &draft, "COMMENTER").await;

        // Bad input: BAD_USER_INPUT on the field, nothing written.
        for (input, field) in [
            (json!({ "draftId": draft, "section": "RESULT", "body": "   ", "version": 1 }), "body"),
            (json!({ "draftId": draft, "section": "RESULT", "body": "bell\u{7}", "version": 1 }), "body"),
            (json!({ "draftId": draft, "section": "RESULT", "body": "x".repeat(41), "version": 1 }), "body"),
            (json!({ "draftId": draft, "section": "RESULT", "body": "ok", "quote": "50%", "version": 1 }), "quote"),
            (json!({ "draftId": draft, "section": "TASK", "body": "ok", "quote": "40%", "version": 1 }), "quote"),
            (json!({ "draftId": draft, "section": "RESULT", "body": "ok", "version": 0 }), "version"),
            (json!({ "draftId": draft, "section": "RESULT", "body": "ok", "version": 2 }), "version"),
        ] {
            let body = add_comment(&app, &coach, input).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body:#}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body:#}");
        }
        let none = app.data_as(&alice, COMMENTS, json!({ "id": draft, "all": true })).await;
        assert_eq!(none["starDraft"]["comments"], json!([]));

        let root = add_comment(&app, &coach, json!({ "draftId": draft, "section": "RESULT", "quote": "40%",
            "body": "  Which baseline?  ", "version": 1 })).await;
        let root = &root["data"]["addComment"];
        assert_eq!(root["body"], "Which baseline?");
        assert_eq!((root["authorName"].as_str(), root["byOwner"].as_bool(), root["mine"].as_bool()), (Some("Coach"), Some(false), Some(true)));
        let root_id = root["id"].as_str().unwrap().to_owned();
        let reply = add_comment(&app, &alice, json!({ "draftId": draft, "section": "TITLE", "body": "Last quarter's", "version": 1, "parentId": root_id })).await;
        let reply_id = reply["data"]["addComment"]["id"].as_str().unwrap().to_owned();
        assert_eq!(reply["data"]["addComment"]["section"], "RESULT", "a reply takes its thread's section");
        // A reply to a reply joins the thread: threads are one level deep.
        let deeper = add_comment(&app, &coach, json!({ "draftId": draft, "body": "Thanks", "version": 1, "parentId": reply_id })).await;
        assert_eq!(deeper["data"]["addComment"]["parentId"], root_id.as_str());

        // Unread: each side counts what the other wrote since it last looked.
        let count = |token: String| { let app = &app; let draft = draft.clone(); async move {
            app.data_as(&token, COMMENTS, json!({ "id": draft })).await["starDraft"]["unreadCommentCount"].as_i64().unwrap()
        }};
        assert_eq!(count(alice.clone()).await, 2);
        assert_eq!(count(coach.clone()).await, 1);
        let marked = app.data_as(&alice, "mutation($id: ID!) { markCommentsRead(draftId: $id) }", json!({ "id": draft })).await;
        assert_eq!(marked["markCommentsRead"], 2);
        assert_eq!(count(alice.clone()).await, 0);
        assert_eq!(count(coach.clone()).await, 1);

        // Outdated once the quoted text is gone from the section.
        let threads = app.data_as(&coach, COMMENTS, json!({ "id": draft })).await;
        assert_eq!(threads["starDraft"]["comments"][0]["outdated"], false);
        assert_eq!(threads["starDraft"]["comments"][0]["replies"].as_array().unwrap().len(), 2);
        app.data_as(&alice, "mutation($id: ID!) { updateStarDraft(input: { id: $id, expectedVersion: 1, result: \"Errors fell by half\" }) { version } }",
            json!({ "id": draft })).await;
        let threads = app.data_as(&coach, COMMENTS, json!({ "id": draft })).await;
        assert_eq!(threads["starDraft"]["comments"][0]["outdated"], true);
        assert_eq!(threads["starDraft"]["comments"][0]["draftVersion"], 1);

        // The owner resolves and reopens; resolved threads hide by default.
        let resolved = app.data_as(&alice, "mutation($id: ID!) { resolveCommentThread(id: $id, resolved: true) { id resolved } }",
            json!({ "id": reply_id })).await;
        assert_eq!(resolved["resolveCommentThread"], json!({ "id": root_id, "resolved": true }));
        assert_eq!(app.data_as(&coach, COMMENTS, json!({ "id": draft })).await["starDraft"]["comments"], json!([]));
        let all = app.data_as(&coach, COMMENTS, json!({ "id": draft, "all": true })).await;
        assert_eq!(all["starDraft"]["comments"][0]["resolved"], true);
        app.data_as(&alice, "mutation($id: ID!) { resolveCommentThread(id: $id, resolved: false) { id } }", json!({ "id": root_id })).await;

        // The author edits; the per-draft cap holds; deleting a thread takes its replies.
        let edited = app.data_as(&coach, "mutation($id: ID!) { updateComment(id: $id, body: \"Which baseline, exactly?\") { body version } }",
            json!({ "id": root_id })).await;
        assert_eq!(edited["updateComment"]["body"], "Which baseline, exactly?");
        let fourth = add_comment(&app, &coach, json!({ "draftId": draft, "section": "ACTION", "body": "More detail", "version": 2 })).await;
        assert!(fourth.get("errors").is_none(), "{fourth:#}");
        let fifth = add_comment(&app, &coach, json!({ "draftId": draft, "section": "ACTION", "body": "One more", "version": 2 })).await;
        assert_eq!(error_code(&fifth), "BAD_USER_INPUT", "past --max-comments-per-draft: {fifth:#}");
        app.data_as(&coach, "mutation($id: ID!) { deleteComment(id: $id) }", json!({ "id": root_id })).await;
        let left = app.data_as(&alice, COMMENTS, json!({ "id": draft, "all": true })).await;
        let bodies: Vec<&str> = left["starDraft"]["comments"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap()).collect();
        assert_eq!(bodies, ["More detail"]);
    }
}

api_test! {
    async fn each_comment_says_whether_it_is_unread_until_marked_read(app: TestApp) {
        let (alice, _) = person(&app, "Alice").await;
        let (coach, _) = person(&app, "Coach").await;
        let draft = create_draft(&app, &alice, json!({ "title": "Outage", "action": "I paged the team" })).await;
        grant(&app, &alice, &coach, &draft, "COMMENTER").await;
        let query = "query($id: ID!) { starDraft(id: $id) { unreadCommentCount
            comments { body section unread replies { body unread } } } }";
        // (section, body, unread) of every comment `token` reads, replies after their thread's first.
        let read = |token: String| { let app = &app; let draft = draft.clone(); async move {
            let data = app.data_as(&token, query, json!({ "id": draft })).await;
            let mut seen = Vec::new();
            for thread in data["starDraft"]["comments"].as_array().unwrap() {
                seen.push((thread["section"].as_str().unwrap().to_owned(), thread["body"].as_str().unwrap().to_owned(), thread["unread"].as_bool().unwrap()));
                for reply in thread["replies"].as_array().unwrap() {
                    seen.push((thread["section"].as_str().unwrap().to_owned(), reply["body"].as_str().unwrap().to_owned(), reply["unread"].as_bool().unwrap()));
                }
            }
            (seen, data["starDraft"]["unreadCommentCount"].as_i64().unwrap())
        }};
        let row = |section: &str, body: &str, unread: bool| (section.to_owned(), body.to_owned(), unread);
        let mark = |token: String| { let app = &app; let draft = draft.clone(); async move {
            app.data_as(&token, "mutation($id: ID!) { markCommentsRead(draftId: $id) }", json!({ "id": draft })).await["markCommentsRead"].as_i64().unwrap()
        }};

        let first = add_comment(&app, &coach, json!({ "draftId": draft, "section": "ACTION", "body": "Who decided?", "version": 1 })).await;
        let first = first["data"]["addComment"]["id"].as_str().unwrap().to_owned();
        // The owner's side: the coach's comment is new; the coach's own never is.
        assert_eq!(read(alice.clone()).await, (vec![row("ACTION", "Who decided?", true)], 1));
        assert_eq!(read(coach.clone()).await, (vec![row("ACTION", "Who decided?", false)], 0));
        assert_eq!(mark(alice.clone()).await, 1);
        assert_eq!(read(alice.clone()).await, (vec![row("ACTION", "Who decided?", false)], 0));

        // The owner replies and comments on another section: new to the coach only.
        add_comment(&app, &alice, json!({ "draftId": draft, "body": "I did", "version": 1, "parentId": first })).await;
        add_comment(&app, &alice, json!({ "draftId": draft, "section": "TITLE", "body": "Better title?", "version": 1 })).await;
        assert_eq!(read(coach.clone()).await, (vec![
            row("ACTION", "Who decided?", false), row("ACTION", "I did", true), row("TITLE", "Better title?", true),
        ], 2));
        assert_eq!(read(alice.clone()).await.1, 0);
        assert_eq!(mark(coach.clone()).await, 2);
        assert_eq!(read(coach.clone()).await, (vec![
            row("ACTION", "Who decided?", false), row("ACTION", "I did", false), row("TITLE", "Better title?", false),
        ], 0));

        // Only what came after the mark is new again.
        add_comment(&app, &coach, json!({ "draftId": draft, "section": "TITLE", "body": "Yes", "version": 1 })).await;
        let (rows, count) = read(alice.clone()).await;
        assert_eq!(count, 1);
        let unread: Vec<&str> = rows.iter().filter(|r| r.2).map(|r| r.1.as_str()).collect();
        assert_eq!(unread, ["Yes"]);
    }
}

/// The next `commentEvents` payload on `client`.
async fn comment_event(client: &mut WsClient) -> Value {
    let message = client.recv_skipping_keepalive().await;
    assert_eq!(message["type"], "next", "{message:#}");
    message["payload"]["data"]["commentEvents"].clone()
}

/// Waits for `complete` of operation `id` on `client`, skipping other messages of it.
async fn completes(client: &mut WsClient, id: &str) {
    loop {
        let message = client.recv_skipping_keepalive().await;
        if message["type"] == "complete" {
            assert_eq!(message["id"], id);
            return;
        }
        assert_eq!(message["type"], "next", "{message:#}");
    }
}

api_test! {
    async fn comments_are_live_both_ways_and_revocation_ends_the_coachs_subscriptions(app: TestApp) {
        let (alice, _) = person(&app, "Alice").await;
        let (coach, _) = person(&app, "Coach").await;
        let draft = create_draft_delivered(&app, &alice, json!({ "title": "Outage", "result": "Errors fell 40%" })).await;
        let share_id = grant(&app, &alice, &coach, &draft, "COMMENTER").await;

        let mut owner = WsClient::connected(&app, Some(&alice)).await;
        subscribe(&app, &mut owner, "c", COMMENT_EVENTS, json!({ "id": draft })).await;
        let mut tab = WsClient::connected(&app, Some(&coach)).await;
        subscribe(&app, &mut tab, "c", COMMENT_EVENTS, json!({ "id": draft })).await;
        subscribe(&app, &mut tab, "d", DRAFT_EVENTS, json!({ "id": draft })).await;

        let added = add_comment(&app, &coach, json!({ "draftId": draft, "section": "RESULT", "quote": "40%", "body": "Baseline?", "version": 1 })).await;
        let root = added["data"]["addComment"]["id"].as_str().unwrap().to_owned();
        let seen = comment_event(&mut owner).await;
        assert_eq!(seen, json!({ "kind": "CREATED", "commentId": root, "draftId": draft, "comment": { "body": "Baseline?", "resolved": false } }));
        assert_eq!(comment_event(&mut tab).await["kind"], "CREATED");

        add_comment(&app, &alice, json!({ "draftId": draft, "body": "Q3", "version": 1, "parentId": root })).await;
        let seen = comment_event(&mut tab).await;
        assert_eq!((seen["kind"].as_str(), seen["comment"]["body"].as_str()), (Some("CREATED"), Some("Q3")));
        assert_eq!(comment_event(&mut owner).await["kind"], "CREATED");

        app.data_as(&alice, "mutation($id: ID!) { resolveCommentThread(id: $id, resolved: true) { id } }", json!({ "id": root })).await;
        assert_eq!(comment_event(&mut tab).await["kind"], "RESOLVED");
        assert_eq!(comment_event(&mut owner).await["kind"], "RESOLVED");
        app.data_as(&coach, "mutation($id: ID!) { updateComment(id: $id, body: \"Which baseline?\") { id } }", json!({ "id": root })).await;
        assert_eq!(comment_event(&mut owner).await["kind"], "UPDATED");
        assert_eq!(comment_event(&mut tab).await["kind"], "UPDATED");

        // The owner's edit reaches the coach's draft subscription.
        app.data_as(&alice, "mutation($id: ID!) { updateStarDraft(input: { id: $id, expectedVersion: 1, title: \"Outage v2\" }) { version } }",
            json!({ "id": draft })).await;
        let next = tab.recv_skipping_keepalive().await;
        assert_eq!(next["id"], "d");
        assert_eq!(next["payload"]["data"]["starDraftUpdated"]["version"], 2);

        // Revoking completes both of the coach's subscriptions; the owner's goes on.
        app.data_as(&alice, REVOKE, json!({ "id": share_id })).await;
        let mut ended = Vec::new();
        while ended.len() < 2 {
            let message = tab.recv_skipping_keepalive().await;
            assert_eq!(message["type"], "complete", "nothing is sent after revocation: {message:#}");
            ended.push(message["id"].as_str().unwrap().to_owned());
        }
        ended.sort();
        assert_eq!(ended, ["c", "d"]);
        assert_eq!(read_draft(&app, &coach, &draft).await, None);
        let mine = add_comment(&app, &alice, json!({ "draftId": draft, "body": "Note to self", "version": 2 })).await;
        assert!(mine.get("errors").is_none());
        assert_eq!(comment_event(&mut owner).await["comment"]["body"], "Note to self");

        // Deleting the draft completes the owner's subscription.
        app.data_as(&alice, "mutation($id: ID!) { deleteStarDraft(id: $id) }", json!({ "id": draft })).await;
        completes(&mut owner, "c").await;
    }
}

api_test! {
    async fn expiry_ends_reads_and_subscriptions_at_its_time(app: TestApp) {
        let (alice, _) = person(&app, "Alice").await;
        let (coach, _) = person(&app, "Coach").await;
        let draft = create_draft_delivered(&app, &alice, json!({ "title": "Short-lived" })).await;
        let soon = (Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
        let body = try_share(&app, &alice, json!({ "target": draft, "access": "VIEWER", "expiresAt": soon })).await;
        let secret = body["data"]["createShare"]["secret"].as_str().unwrap().to_owned();
        assert!(accept(&app, &coach, &secret).await.get("errors").is_none());
        let mut tab = WsClient::connected(&app, Some(&coach)).await;
        subscribe(&app, &mut tab, "d", DRAFT_EVENTS, json!({ "id": draft })).await;
        subscribe(&app, &mut tab, "c", COMMENT_EVENTS, json!({ "id": draft })).await;
        assert_eq!(read_draft(&app, &coach, &draft).await.as_deref(), Some("Short-lived"));
        // Both complete when the share expires, with nothing changed meanwhile.
        let mut ended = Vec::new();
        while ended.len() < 2 {
            let message = tab.recv_skipping_keepalive().await;
            assert_eq!(message["type"], "complete", "{message:#}");
            ended.push(message["id"].as_str().unwrap().to_owned());
        }
        assert!(Utc::now() >= chrono::DateTime::parse_from_rfc3339(&soon).unwrap(), "completed before the expiry");
        assert_eq!(read_draft(&app, &coach, &draft).await, None);
        let shares = app.data_as(&alice, "{ myShares { expired } }", json!({})).await;
        assert_eq!(shares["myShares"], json!([{ "expired": true }]));
    }
}

/// Revoking on one instance ends a coach's subscription held on another
/// (PostgreSQL: the revocation travels as a NOTIFY).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_on_one_instance_ends_subscriptions_on_another() {
    if crate::helpers::postgres_url().is_none() {
        eprintln!("TEST_POSTGRES_URL is not set: not run");
        return;
    }
    let a = TestApp::spawn_with(crate::helpers::Backend::Postgres, Settings::default()).await;
    let b = a.second_instance().await;
    let (alice, _) = person(&a, "Alice").await;
    let (coach, _) = person(&a, "Coach").await;
    let draft = create_draft_delivered(&a, &alice, json!({ "title": "Shared" })).await;
    let share_id = grant(&a, &alice, &coach, &draft, "COMMENTER").await;
    let mut tab = WsClient::connected(&a, Some(&coach)).await;
    subscribe(&a, &mut tab, "c", COMMENT_EVENTS, json!({ "id": draft })).await;
    subscribe(&a, &mut tab, "d", DRAFT_EVENTS, json!({ "id": draft })).await;
    // A comment written on B reaches the coach on A.
    add_comment(
        &b,
        &alice,
        json!({ "draftId": draft, "body": "From B", "version": 1 }),
    )
    .await;
    assert_eq!(comment_event(&mut tab).await["comment"]["body"], "From B");
    b.data_as(&alice, REVOKE, json!({ "id": share_id })).await;
    let mut ended = Vec::new();
    while ended.len() < 2 {
        let message = tab.recv_skipping_keepalive().await;
        assert_eq!(message["type"], "complete", "{message:#}");
        ended.push(message["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(read_draft(&a, &coach, &draft).await, None);
}

api_test! {
    // 21 accounts from one address: past the default registration throttle.
    settings = Settings {
        auth: AuthConfig { registrations_per_address: 100, ..AuthConfig::default() },
        ..Settings::default()
    };
    async fn shared_lists_and_comment_threads_read_in_flat_statements(app: TestApp) {
        let (coach, _) = person(&app, "Coach").await;
        let (owner, _) = person(&app, "Owner").await;
        let query = "{ sharedWithMe { id ownerName access draft { title unreadCommentCount
            comments { body authorName outdated unread replies { body authorName unread } } } } }";
        let mut counts = Vec::new();
        let mut owners = vec![owner.clone()];
        for n in [1usize, 20] {
            while owners.len() < n {
                owners.push(person(&app, &format!("Owner {}", owners.len())).await.0);
            }
            for token in &owners[counts.len().min(1)..] {
                let draft = create_draft(&app, token, json!({ "title": "t", "result": "40% fewer errors" })).await;
                grant(&app, token, &coach, &draft, "COMMENTER").await;
                add_comment(&app, token, json!({ "draftId": draft, "section": "RESULT", "quote": "40%", "body": "mine", "version": 1 })).await;
            }
            app.reset_statements();
            let data = app.data_as(&coach, query, json!({})).await;
            assert_eq!(data["sharedWithMe"].as_array().unwrap().len(), n);
            counts.push(app.statements());
        }
        assert_eq!(counts[0].0, counts[1].0, "sharedWithMe with 1 and 20 shares: {counts:#?}");

        // One draft with 1 comment, then with 50 (threads with replies).
        let draft = create_draft(&app, &owner, json!({ "title": "busy", "result": "40% fewer errors" })).await;
        grant(&app, &owner, &coach, &draft, "COMMENTER").await;
        let query = "query($id: ID!) { starDraft(id: $id) { unreadCommentCount
            comments { body authorName outdated mine byOwner unread replies { body authorName unread } } } }";
        let mut counts = Vec::new();
        let mut written = 0;
        let mut root = String::new();
        for n in [1, 50] {
            while written < n {
                let input = if written % 2 == 0 || root.is_empty() {
                    json!({ "draftId": draft, "section": "RESULT", "body": format!("c{written}"), "version": 1 })
                } else {
                    json!({ "draftId": draft, "body": format!("r{written}"), "version": 1, "parentId": root })
                };
                let token = if written % 3 == 0 { &owner } else { &coach };
                let body = add_comment(&app, token, input).await;
                if root.is_empty() {
                    root = body["data"]["addComment"]["id"].as_str().unwrap().to_owned();
                }
                written += 1;
            }
            app.reset_statements();
            app.data_as(&coach, query, json!({ "id": draft })).await;
            counts.push(app.statements());
        }
        assert_eq!(counts[0].0, counts[1].0, "a draft with 1 and 50 comments: {counts:#?}");
    }
}
