//! `myInterviewEvents`: CREATED, UPDATED and DELETED for the owner only, a
//! catch-up from `since`, and fan-out across instances on PostgreSQL.

use prep_graphql::config::Settings;
use serde_json::{Value, json};

use crate::helpers::{TestApp, api_test};
use crate::interviews::{schedule, set_done};
use crate::subscriptions;
use crate::ws_client::WsClient;

const EVENTS: &str = "subscription($since: DateTime) { myInterviewEvents(since: $since) {
    kind interviewId version interview { id version localDate plan { id done dueOn } } } }";

/// Subscribes `EVENTS` from `since` as operation `id` and waits until the server listens.
async fn subscribe(app: &TestApp, client: &mut WsClient, id: &str, since: Value) {
    subscriptions::subscribe(app, client, id, EVENTS, json!({ "since": since })).await;
}

async fn next_event(client: &mut WsClient) -> Value {
    let message = client.recv().await;
    assert_eq!(message["type"], "next", "{message}");
    message["payload"]["data"]["myInterviewEvents"].clone()
}

api_test! {
    async fn the_owner_hears_created_updated_and_deleted_and_nobody_else_does(app: TestApp) {
        let alice = app.new_user().await;
        let bob = app.new_user().await;
        let mut tab = WsClient::connected(&app, Some(&alice)).await;
        subscribe(&app, &mut tab, "mine", Value::Null).await;
        let mut other = WsClient::connected(&app, Some(&bob)).await;
        subscribe(&app, &mut other, "theirs", Value::Null).await;

        let interview = schedule(&app, &alice, "2027-08-10T09:00:00Z", "Europe/London").await;
        let id = interview["id"].as_str().unwrap().to_owned();
        let created = next_event(&mut tab).await;
        assert_eq!((created["kind"].clone(), created["interviewId"].clone(), created["version"].clone()), (json!("CREATED"), json!(id), json!(1)));
        assert_eq!(created["interview"]["plan"].as_array().unwrap().len(), 9);

        // A ticked task is an UPDATED with the new version and the task done.
        let task = interview["plan"][2]["id"].as_str().unwrap().to_owned();
        set_done(&app, &alice, &task, true).await;
        let ticked = next_event(&mut tab).await;
        assert_eq!((ticked["kind"].clone(), ticked["version"].clone()), (json!("UPDATED"), json!(2)));
        let plan = ticked["interview"]["plan"].as_array().unwrap();
        assert_eq!(plan.iter().find(|t| t["id"] == task.as_str()).unwrap()["done"], true);

        // So is a reschedule.
        app.data_as(
            &alice,
            "mutation($id: ID!) { updateInterview(input: { id: $id, expectedVersion: 2, scheduledAt: \"2027-08-17T09:00:00Z\" }) { version } }",
            json!({ "id": id }),
        )
        .await;
        let moved = next_event(&mut tab).await;
        assert_eq!((moved["kind"].clone(), moved["version"].clone()), (json!("UPDATED"), json!(3)));
        assert_eq!(moved["interview"]["localDate"], "2027-08-17");

        app.data_as(&alice, "mutation($id: ID!) { deleteInterview(id: $id) }", json!({ "id": id })).await;
        let deleted = next_event(&mut tab).await;
        assert_eq!(deleted, json!({ "kind": "DELETED", "interviewId": id, "version": 3, "interview": null }));

        // Bob's first event is his own interview: none of Alice's reached him.
        let his = schedule(&app, &bob, "2027-08-11T09:00:00Z", "UTC").await;
        let seen = next_event(&mut other).await;
        assert_eq!((seen["kind"].clone(), seen["interviewId"].clone()), (json!("CREATED"), his["id"].clone()));

        let mut anonymous = WsClient::connected(&app, None).await;
        anonymous.subscribe("x", EVENTS, json!({})).await;
        let error = anonymous.recv().await;
        assert_eq!(error["type"], "error");
        assert_eq!(error["payload"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
}

api_test! {
    async fn since_catches_up_with_interviews_changed_after_the_clients_read(app: TestApp) {
        let token = app.new_user().await;
        let older = schedule(&app, &token, "2027-08-10T09:00:00Z", "UTC").await;
        let read = app
            .data_as(&token, "query($id: ID!) { interview(id: $id) { updatedAt } }", json!({ "id": older["id"] }))
            .await;
        let since = read["interview"]["updatedAt"].clone();
        // After the read, before the subscription.
        set_done(&app, &token, older["plan"][0]["id"].as_str().unwrap(), true).await;
        let mut tab = WsClient::connected(&app, Some(&token)).await;
        subscribe(&app, &mut tab, "all", since).await;
        let caught_up = next_event(&mut tab).await;
        assert_eq!((caught_up["kind"].clone(), caught_up["interviewId"].clone(), caught_up["version"].clone()), (json!("UPDATED"), older["id"].clone(), json!(2)));
        // Then live, without repeating version 2.
        set_done(&app, &token, older["plan"][1]["id"].as_str().unwrap(), true).await;
        assert_eq!(next_event(&mut tab).await["version"], 3);
    }
}

/// Two instances on one PostgreSQL database: changes through B reach a subscriber on A.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interview_events_cross_instances_on_postgres() {
    if crate::helpers::postgres_url().is_none() {
        eprintln!("TEST_POSTGRES_URL is not set: multi-instance interview test not run");
        return;
    }
    let a = TestApp::spawn_with(crate::helpers::Backend::Postgres, Settings::default()).await;
    let b = a.second_instance().await;
    let token = a.new_user().await;
    let mut on_a = WsClient::connected(&a, Some(&token)).await;
    subscribe(&a, &mut on_a, "all", Value::Null).await;

    let interview = schedule(&b, &token, "2027-09-01T09:00:00Z", "America/New_York").await;
    let created = next_event(&mut on_a).await;
    assert_eq!(
        (created["kind"].clone(), created["interviewId"].clone()),
        (json!("CREATED"), interview["id"].clone())
    );
    set_done(
        &b,
        &token,
        interview["plan"][0]["id"].as_str().unwrap(),
        true,
    )
    .await;
    let updated = next_event(&mut on_a).await;
    assert_eq!(
        (updated["kind"].clone(), updated["version"].clone()),
        (json!("UPDATED"), json!(2))
    );
    b.data_as(
        &token,
        "mutation($id: ID!) { deleteInterview(id: $id) }",
        json!({ "id": interview["id"] }),
    )
    .await;
    assert_eq!(next_event(&mut on_a).await["kind"], "DELETED");
}
