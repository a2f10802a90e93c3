//! Sessions: listing them with their client, ending one or all the others,
//! changing the password, the last-use write and the pruning task.

use std::time::Duration;

use prep_graphql::config::{AuthConfig, Settings};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, api_test, error_code, new_email};
use crate::subscriptions::subscribe;
use crate::ws_client::WsClient;

const SESSIONS: &str =
    "{ mySessions { id createdAt lastUsedAt expiresAt userAgent address current } }";
const ME: &str = "{ me { email } }";
const ALL: &str = "subscription { myStarDraftEvents { kind draftId } }";

/// Signs in as `email` sending `user_agent`; returns the token.
pub async fn login_with_agent(
    app: &TestApp,
    email: &str,
    password: &str,
    user_agent: &str,
) -> String {
    let body: Value = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("user-agent", user_agent)
        .json(&json!({
            "query": "mutation($input: LoginInput!) { login(input: $input) { token } }",
            "variables": { "input": { "email": email, "password": password } }
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("login failed: {body:#}"))
        .to_owned()
}

/// The HTTP status and body of `query` sent with `token`.
async fn status_as(app: &TestApp, token: &str, query: &str) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(token)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

api_test! {
    async fn my_sessions_shows_each_sign_in_with_its_client(app: TestApp) {
        let email = new_email();
        let first = app.register(&email).await;
        let long_agent = format!("Browser/1.0 {}", "x".repeat(300));
        let second = login_with_agent(&app, &email, PASSWORD, &long_agent).await;
        let other = app.new_user().await;

        let sessions = app.data_as(&second, SESSIONS, json!({})).await["mySessions"].clone();
        let sessions = sessions.as_array().unwrap();
        assert_eq!(sessions.len(), 2, "only this account's live sessions: {sessions:#?}");
        let current: Vec<&Value> = sessions.iter().filter(|s| s["current"] == true).collect();
        assert_eq!(current.len(), 1);
        let agent = current[0]["userAgent"].as_str().unwrap();
        assert_eq!(agent.chars().count(), 200, "cut to 200 characters");
        assert!(agent.starts_with("Browser/1.0 xxx"));
        for s in sessions {
            assert_eq!(s["address"], "127.0.0.1");
            assert!(s["lastUsedAt"].as_str().unwrap() >= s["createdAt"].as_str().unwrap());
            assert!(s["expiresAt"].as_str().unwrap() > s["createdAt"].as_str().unwrap());
        }
        // The first session sees the same two, itself current.
        let from_first = app.data_as(&first, SESSIONS, json!({})).await["mySessions"].clone();
        let ids = |list: &Value| {
            let mut ids: Vec<String> = list.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect();
            ids.sort();
            ids
        };
        assert_eq!(ids(&from_first), ids(&json!(sessions)));
        assert_eq!(app.data_as(&other, SESSIONS, json!({})).await["mySessions"].as_array().unwrap().len(), 1);
        // Anonymous: UNAUTHENTICATED.
        assert_eq!(error_code(&app.graphql(SESSIONS, json!({})).await), "UNAUTHENTICATED");
    }
}

api_test! {
    async fn an_ended_session_is_refused_at_once_and_its_socket_closes(app: TestApp) {
        let email = new_email();
        let here = app.register(&email).await;
        let there = login_with_agent(&app, &email, PASSWORD, "Phone/2").await;
        let mut tab = WsClient::connected(&app, Some(&there)).await;
        subscribe(&app, &mut tab, "all", ALL, json!({})).await;

        let sessions = app.data_as(&here, SESSIONS, json!({})).await["mySessions"].clone();
        let there_id = sessions.as_array().unwrap().iter().find(|s| s["current"] == false).unwrap()["id"].clone();
        let ended = app.data_as(&here, "mutation($id: ID!) { endSession(id: $id) }", json!({ "id": there_id })).await;
        assert_eq!(ended["endSession"], there_id);

        let (status, body) = status_as(&app, &there, ME).await;
        assert_eq!((status, error_code(&body)), (401, "UNAUTHENTICATED"));
        let (code, _) = tab.closed().await;
        assert_eq!(code, 4403);
        // Ending it again, or ending someone else's, is NOT_FOUND; a malformed id BAD_USER_INPUT.
        let again = app.graphql_as(Some(&here), "mutation($id: ID!) { endSession(id: $id) }", json!({ "id": there_id })).await;
        assert_eq!(error_code(&again), "NOT_FOUND");
        let stranger = app.new_user().await;
        let mine = app.data_as(&here, SESSIONS, json!({})).await["mySessions"][0]["id"].clone();
        let theirs = app.graphql_as(Some(&stranger), "mutation($id: ID!) { endSession(id: $id) }", json!({ "id": mine })).await;
        assert_eq!(error_code(&theirs), "NOT_FOUND");
        app.data_as(&here, ME, json!({})).await;
        let bad = app.graphql_as(Some(&here), "mutation { endSession(id: \"nope\") }", json!({})).await;
        assert_eq!(error_code(&bad), "BAD_USER_INPUT");
        assert_eq!(bad["errors"][0]["extensions"]["field"], "id");
    }
}

api_test! {
    async fn end_other_sessions_keeps_only_the_current_one(app: TestApp) {
        let email = new_email();
        let here = app.register(&email).await;
        let a = login_with_agent(&app, &email, PASSWORD, "A").await;
        let b = login_with_agent(&app, &email, PASSWORD, "B").await;
        let stranger = app.new_user().await;
        let ended = app.data_as(&here, "mutation { endOtherSessions }", json!({})).await;
        assert_eq!(ended["endOtherSessions"], 2);
        for token in [&a, &b] {
            assert_eq!(status_as(&app, token, ME).await.0, 401);
        }
        assert_eq!(app.data_as(&here, ME, json!({})).await["me"]["email"], email.as_str());
        assert_eq!(app.data_as(&stranger, SESSIONS, json!({})).await["mySessions"].as_array().unwrap().len(), 1);
        let sessions = app.data_as(&here, SESSIONS, json!({})).await["mySessions"].clone();
        assert_eq!(sessions.as_array().unwrap().len(), 1);
        assert_eq!(app.data_as(&here, "mutation { endOtherSessions }", json!({})).await["endOtherSessions"], 0);
    }
}

const CHANGE: &str = "mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) }";

api_test! {
    settings = Settings { auth: AuthConfig { login_failures_per_email: 3, ..AuthConfig::default() }, ..Settings::default() };
    async fn change_password_checks_both_and_ends_the_other_sessions(app: TestApp) {
        let email = new_email();
        let here = app.register(&email).await;
        let there = login_with_agent(&app, &email, PASSWORD, "Other").await;
        let mut tab = WsClient::connected(&app, Some(&there)).await;
        subscribe(&app, &mut tab, "all", ALL, json!({})).await;

        let short = app.graphql_as(Some(&here), CHANGE, json!({ "c": PASSWORD, "n": "short" })).await;
        assert_eq!(error_code(&short), "BAD_USER_INPUT");
        assert_eq!(short["errors"][0]["extensions"]["field"], "new");
        let wrong = app.graphql_as(Some(&here), CHANGE, json!({ "c": "not the password", "n": "a new long password" })).await;
        assert_eq!(error_code(&wrong), "BAD_USER_INPUT");
        assert_eq!(wrong["errors"][0]["extensions"]["field"], "current");
        // Nothing was written: both sessions work, the old password signs in.
        assert_eq!(status_as(&app, &there, ME).await.0, 200);
        login_with_agent(&app, &email, PASSWORD, "Check").await;

        let changed = app.data_as(&here, CHANGE, json!({ "c": PASSWORD, "n": "a new long password" })).await;
        assert_eq!(changed["changePassword"], true);
        assert_eq!(status_as(&app, &there, ME).await.0, 401);
        assert_eq!(tab.closed().await.0, 4403);
        assert_eq!(app.data_as(&here, ME, json!({})).await["me"]["email"], email.as_str());
        let old = app.graphql("mutation($input: LoginInput!) { login(input: $input) { token } }",
            json!({ "input": { "email": email, "password": PASSWORD } })).await;
        assert_eq!(error_code(&old), "UNAUTHENTICATED");
        login_with_agent(&app, &email, "a new long password", "New").await;

        // Wrong current passwords count as failed logins: the third is the last allowed.
        for _ in 0..3 {
            let body = app.graphql_as(Some(&here), CHANGE, json!({ "c": "guess guess guess", "n": "another long password" })).await;
            if error_code(&body) == "RATE_LIMITED" {
                break;
            }
        }
        let limited = app.graphql_as(Some(&here), CHANGE, json!({ "c": "guess guess guess", "n": "another long password" })).await;
        assert_eq!(error_code(&limited), "RATE_LIMITED");
        assert!(limited["errors"][0]["extensions"]["retryAfterSeconds"].as_u64().unwrap() > 0);
    }
}

api_test! {
    async fn last_use_is_written_at_most_once_a_minute(app: TestApp) {
        let token = app.new_user().await;
        app.reset_statements();
        for _ in 0..3 {
            app.data_as(&token, ME, json!({})).await;
        }
        let (_, sql) = app.statements();
        assert!(
            !sql.iter().any(|s| s.to_lowercase().starts_with("update") && s.contains("sessions")),
            "a session used within the minute is not written: {sql:#?}"
        );
    }
}

api_test! {
    settings = Settings { auth: AuthConfig { session_touch_secs: 0, ..AuthConfig::default() }, ..Settings::default() };
    async fn last_use_follows_requests_once_the_interval_has_passed(app: TestApp) {
        let token = app.new_user().await;
        let before = app.data_as(&token, SESSIONS, json!({})).await["mySessions"][0].clone();
        let after = app.data_as(&token, SESSIONS, json!({})).await["mySessions"][0].clone();
        assert!(after["lastUsedAt"].as_str().unwrap() > before["createdAt"].as_str().unwrap(), "{before} {after}");
    }
}

api_test! {
    settings = Settings { auth: AuthConfig { session_ttl_secs: 2, session_prune_interval_secs: 1, ..AuthConfig::default() }, ..Settings::default() };
    async fn expired_and_ended_sessions_are_pruned(app: TestApp) {
        use entity::session;
        let ended = app.new_user().await;
        app.data_as(&ended, "mutation { logout }", json!({})).await;
        let live = app.new_user().await;
        let user_of = |token: &str| prep_graphql::secrets::hash_token(token);
        let rows = |hash: String| {
            let db = app.db.clone();
            async move {
                session::Entity::find()
                    .filter(session::Column::TokenHash.eq(hash))
                    .count(&db)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(rows(user_of(&live)).await, 1);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while rows(user_of(&ended)).await > 0 || rows(user_of(&live)).await > 0 {
            assert!(tokio::time::Instant::now() < deadline, "sessions were not pruned");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(status_as(&app, &live, ME).await.0, 401);
        // A fresh session is not pruned.
        let fresh = app.new_user().await;
        assert_eq!(rows(user_of(&fresh)).await, 1);
    }
}
