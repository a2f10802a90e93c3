//! `myPracticeEvents`: a finished attempt reaches its owner's subscriptions
//! (and nobody else's), so readiness shown in another tab can follow practice;
//! a catch-up from `since`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::drafts::question_id;
use crate::helpers::{TestApp, api_test};
use crate::subscriptions;
use crate::ws_client::WsClient;

const EVENTS: &str = "subscription($since: DateTime) { myPracticeEvents(since: $since) {
    kind attemptId attempt { id finishedAt transcript } } }";

/// Subscribes `EVENTS` from `since` as operation `id` and waits until the server listens.
async fn subscribe(app: &TestApp, client: &mut WsClient, id: &str, since: Value) {
    subscriptions::subscribe(app, client, id, EVENTS, json!({ "since": since })).await;
}

async fn next_event(client: &mut WsClient) -> Value {
    let message = client.recv().await;
    assert_eq!(message["type"], "next", "{message}");
    message["payload"]["data"]["myPracticeEvents"].clone()
}

/// Starts an attempt at the first question; returns its ID.
async fn start(app: &TestApp, token: &str) -> String {
    let question = question_id(app, 0).await;
    let data = app
        .data_as(
            token,
            "mutation($q: ID!) { startPractice(input: { questionId: $q }) { id } }",
            json!({ "q": question }),
        )
        .await;
    data["startPractice"]["id"].as_str().unwrap().to_owned()
}

/// Finishes attempt `id` with a short transcript; returns when it was finished.
async fn finish(app: &TestApp, token: &str, id: &str, transcript: &str) -> Value {
    let data = app
        .data_as(
            token,
            "mutation($id: ID!, $t: String!) { finishPractice(input: { id: $id, transcript: $t }) { finishedAt } }",
            json!({ "id": id, "t": transcript }),
        )
        .await;
    data["finishPractice"]["finishedAt"].clone()
}

api_test! {
    async fn a_finished_attempt_reaches_its_owner_only(app: TestApp) {
        let alice = app.new_user().await;
        let bob = app.new_user().await;
        let mut tab = WsClient::connected(&app, Some(&alice)).await;
        subscribe(&app, &mut tab, "mine", Value::Null).await;
        let mut other = WsClient::connected(&app, Some(&bob)).await;
        subscribe(&app, &mut other, "theirs", Value::Null).await;

        // A start is not news; the finish is.
        let attempt = start(&app, &alice).await;
        let finished_at = finish(&app, &alice, &attempt, "I profiled the checkout and cut latency by 40 percent.").await;
        let event = next_event(&mut tab).await;
        assert_eq!(
            event,
            json!({
                "kind": "UPDATED",
                "attemptId": attempt,
                "attempt": {
                    "id": attempt,
                    "finishedAt": finished_at,
                    "transcript": "I profiled the checkout and cut latency by 40 percent.",
                },
            })
        );

        // Bob's first event is his own attempt: Alice's never reached him.
        let his = start(&app, &bob).await;
        finish(&app, &bob, &his, "We shipped it.").await;
        assert_eq!(next_event(&mut other).await["attemptId"], his.as_str());

        let mut anonymous = WsClient::connected(&app, None).await;
        anonymous.subscribe("x", EVENTS, json!({})).await;
        let error = anonymous.recv().await;
        assert_eq!(error["type"], "error");
        assert_eq!(error["payload"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
}

api_test! {
    async fn since_catches_up_with_attempts_finished_after_the_clients_read(app: TestApp) {
        let token = app.new_user().await;
        let earlier = start(&app, &token).await;
        let read_at = finish(&app, &token, &earlier, "The first answer.").await;
        // Finished after the client's read, before its subscription.
        let later = start(&app, &token).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        finish(&app, &token, &later, "The second answer.").await;
        let mut tab = WsClient::connected(&app, Some(&token)).await;
        let since = chrono::DateTime::parse_from_rfc3339(read_at.as_str().unwrap()).unwrap()
            + chrono::Duration::milliseconds(1);
        subscribe(&app, &mut tab, "all", json!(since.to_rfc3339())).await;
        let caught_up = next_event(&mut tab).await;
        assert_eq!((caught_up["kind"].clone(), caught_up["attemptId"].clone()), (json!("UPDATED"), json!(later)));
        // Then live, the next one.
        let third = start(&app, &token).await;
        finish(&app, &token, &third, "The third answer.").await;
        assert_eq!(next_event(&mut tab).await["attemptId"], third.as_str());
    }
}
