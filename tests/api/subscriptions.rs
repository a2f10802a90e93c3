//! Live draft updates over WebSocket: delivery, privacy, protocol rules, fan-out.

use std::time::Duration;

use prep_graphql::config::{Settings, WsConfig};
use prep_graphql::records::{BusMessage, ChangeKind, Live};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::drafts::create_draft;
use crate::helpers::{TestApp, api_test};
use crate::ws_client::WsClient;

const ONE: &str = "subscription($id: ID!) { starDraftUpdated(id: $id) { kind draftId version draft { title version } } }";
const ALL: &str = "subscription { myStarDraftEvents { kind draftId version draft { title } } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $title: String) {
    updateStarDraft(input: { id: $id, expectedVersion: $v, title: $title }) { version } }";

/// Creates a draft and waits until its CREATED event has passed through the
/// server's event bus (on PostgreSQL it travels through NOTIFY), so that a
/// subscription made afterwards cannot receive it late.
async fn create_draft_delivered(app: &TestApp, token: &str, input: Value) -> String {
    let mut bus = app.events.subscribe();
    let id = create_draft(app, token, input).await;
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match bus.recv().await {
                Ok(BusMessage::Record(change))
                    if change.notice.topic == entity::star_draft::Entity::TOPIC
                        && change.notice.kind == ChangeKind::Created =>
                {
                    return;
                }
                Err(RecvError::Closed) => panic!("event bus gone"),
                _ => {}
            }
        }
    })
    .await
    .expect("the creation's event did not arrive");
    id
}

/// Receivers of the event bus handed out so far.
fn subscriptions_now(app: &TestApp) -> u64 {
    *app.events.subscriptions_made().borrow()
}

/// Waits until the server has subscribed `n` more receivers than `before`.
async fn await_subscriptions(app: &TestApp, before: u64, n: u64) {
    let mut made = app.events.subscriptions_made();
    tokio::time::timeout(Duration::from_secs(10), made.wait_for(|m| *m >= before + n))
        .await
        .expect("the server did not subscribe in time")
        .expect("event bus gone");
}

/// Subscribes `query` as operation `id` and waits until the server listens.
pub(crate) async fn subscribe(
    app: &TestApp,
    client: &mut WsClient,
    id: &str,
    query: &str,
    variables: Value,
) {
    let before = subscriptions_now(app);
    client.subscribe(id, query, variables).await;
    await_subscriptions(app, before, 1).await;
}

async fn retitle(app: &TestApp, token: &str, id: &str, version: i64, title: &str) {
    app.data_as(
        token,
        UPDATE,
        json!({ "id": id, "v": version, "title": title }),
    )
    .await;
}

api_test! {
    async fn two_tabs_see_an_update_and_another_user_sees_nothing(app: TestApp) {
        let alice = app.new_user().await;
        let bob = app.new_user().await;
        let id = create_draft_delivered(&app, &alice, json!({ "title": "v1" })).await;

        let mut tab1 = WsClient::connected(&app, Some(&alice)).await;
        subscribe(&app, &mut tab1, "one", ONE, json!({ "id": id })).await;
        let mut tab2 = WsClient::connected(&app, Some(&alice)).await;
        subscribe(&app, &mut tab2, "all", ALL, json!({})).await;
        let mut other = WsClient::connected(&app, Some(&bob)).await;
        subscribe(&app, &mut other, "all", ALL, json!({})).await;

        retitle(&app, &alice, &id, 1, "v2").await;
        let seen = tab1.recv().await;
        assert_eq!(seen["type"], "next");
        assert_eq!(seen["id"], "one");
        assert_eq!(
            seen["payload"]["data"]["starDraftUpdated"],
            json!({ "kind": "UPDATED", "draftId": id, "version": 2, "draft": { "title": "v2", "version": 2 } })
        );
        let seen = tab2.recv().await;
        assert_eq!(
            seen["payload"]["data"]["myStarDraftEvents"],
            json!({ "kind": "UPDATED", "draftId": id, "version": 2, "draft": { "title": "v2" } })
        );

        // Bob's first event is his own draft's creation: Alice's update, sent
        // before it, never reached him.
        let bobs = create_draft(&app, &bob, json!({ "title": "bob's" })).await;
        let seen = other.recv().await;
        assert_eq!(
            seen["payload"]["data"]["myStarDraftEvents"],
            json!({ "kind": "CREATED", "draftId": bobs, "version": 1, "draft": { "title": "bob's" } })
        );
    }
}

api_test! {
    async fn events_come_in_version_order_and_deletion_ends_the_subscription(app: TestApp) {
        let token = app.new_user().await;
        let id = create_draft_delivered(&app, &token, json!({ "title": "v1" })).await;
        let mut tab = WsClient::connected(&app, Some(&token)).await;
        subscribe(&app, &mut tab, "1", ONE, json!({ "id": id })).await;
        for v in 1..=3 {
            retitle(&app, &token, &id, v, &format!("v{}", v + 1)).await;
        }
        let mut versions = Vec::new();
        while versions.last() != Some(&4) {
            let message = tab.recv().await;
            versions.push(message["payload"]["data"]["starDraftUpdated"]["version"].as_i64().unwrap());
        }
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
        assert_eq!(versions.last(), Some(&4));

        app.data_as(&token, "mutation($id: ID!) { deleteStarDraft(id: $id) }", json!({ "id": id })).await;
        let deleted = tab.recv().await;
        assert_eq!(deleted["payload"]["data"]["starDraftUpdated"]["kind"], "DELETED");
        assert_eq!(deleted["payload"]["data"]["starDraftUpdated"]["draft"], Value::Null);
        assert_eq!(tab.recv().await, json!({ "type": "complete", "id": "1" }));
    }
}

api_test! {
    async fn a_known_version_behind_the_draft_starts_with_the_current_draft(app: TestApp) {
        const FROM: &str = "subscription($id: ID!, $known: Int) {
            starDraftUpdated(id: $id, knownVersion: $known) { kind version draft { title } } }";
        let token = app.new_user().await;
        let id = create_draft(&app, &token, json!({ "title": "v1" })).await;
        // The client read version 1; version 2 was saved before it subscribed.
        retitle(&app, &token, &id, 1, "v2").await;

        let mut behind = WsClient::connected(&app, Some(&token)).await;
        subscribe(&app, &mut behind, "behind", FROM, json!({ "id": id, "known": 1 })).await;
        let mut current = WsClient::connected(&app, Some(&token)).await;
        subscribe(&app, &mut current, "current", FROM, json!({ "id": id, "known": 2 })).await;

        let first = behind.recv().await;
        assert_eq!(
            first["payload"]["data"]["starDraftUpdated"],
            json!({ "kind": "UPDATED", "version": 2, "draft": { "title": "v2" } })
        );
        // Up to date: its first event is the next change, and no repeat of 2.
        retitle(&app, &token, &id, 2, "v3").await;
        for tab in [&mut current, &mut behind] {
            let next = tab.recv().await;
            assert_eq!(next["payload"]["data"]["starDraftUpdated"]["version"], 3, "{next}");
        }
    }
}

api_test! {
    async fn my_draft_events_since_a_time_start_with_the_drafts_changed_after_it(app: TestApp) {
        const SINCE: &str = "subscription($since: DateTime) {
            myStarDraftEvents(since: $since) { kind version draft { title } } }";
        let token = app.new_user().await;
        let older = create_draft(&app, &token, json!({ "title": "older" })).await;
        let read = app
            .data_as(&token, "{ myStarDrafts(first: 10) { nodes { id updatedAt } } }", json!({}))
            .await;
        let newest = read["myStarDrafts"]["nodes"][0]["updatedAt"].clone();
        // Changed after the client's read, before its subscribe.
        let later = create_draft(&app, &token, json!({ "title": "later" })).await;
        retitle(&app, &token, &older, 1, "older, edited").await;

        let mut tab = WsClient::connected(&app, Some(&token)).await;
        subscribe(&app, &mut tab, "all", SINCE, json!({ "since": newest })).await;
        let mut seen = Vec::new();
        for _ in 0..2 {
            let event = tab.recv().await;
            seen.push(event["payload"]["data"]["myStarDraftEvents"].clone());
        }
        seen.sort_by_key(|e| e["draft"]["title"].as_str().unwrap_or_default().to_owned());
        assert_eq!(
            seen,
            vec![
                json!({ "kind": "UPDATED", "version": 1, "draft": { "title": "later" } }),
                json!({ "kind": "UPDATED", "version": 2, "draft": { "title": "older, edited" } }),
            ]
        );
        // Then live, without repeats.
        retitle(&app, &token, &later, 1, "later, edited").await;
        let next = tab.recv().await;
        assert_eq!(
            next["payload"]["data"]["myStarDraftEvents"],
            json!({ "kind": "UPDATED", "version": 2, "draft": { "title": "later, edited" } })
        );
    }
}

api_test! {
    async fn open_connections_and_subscriptions_are_counted_in_metrics(app: TestApp) {
        let gauge = |text: &str, name: &str| -> i64 {
            text.lines()
                .find(|l| l.starts_with(&format!("{name} ")))
                .and_then(|l| l.rsplit(' ').next())
                .and_then(|v| v.parse().ok())
                .unwrap()
        };
        let scrape = || async { app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap() };
        let token = app.new_user().await;
        let mut tab = WsClient::connected(&app, Some(&token)).await;
        subscribe(&app, &mut tab, "a", ALL, json!({})).await;
        subscribe(&app, &mut tab, "b", ALL, json!({})).await;
        let text = scrape().await;
        assert_eq!((gauge(&text, "prep_ws_connections"), gauge(&text, "prep_ws_operations")), (1, 2), "{text}");
    }
}

api_test! {
    async fn subscribing_to_another_users_draft_is_not_found(app: TestApp) {
        let alice = app.new_user().await;
        let bob = app.new_user().await;
        let id = create_draft(&app, &alice, json!({ "title": "secret" })).await;
        let mut client = WsClient::connected(&app, Some(&bob)).await;
        client.subscribe("x", ONE, json!({ "id": id })).await;
        let error = client.recv().await;
        assert_eq!(error["type"], "error");
        assert_eq!(error["id"], "x");
        assert_eq!(error["payload"][0]["extensions"]["code"], "NOT_FOUND");

        let mut anonymous = WsClient::connected(&app, None).await;
        anonymous.subscribe("y", ALL, json!({})).await;
        let error = anonymous.recv().await;
        assert_eq!(error["payload"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
}

api_test! {
    async fn logout_ends_the_subscriptions_made_with_the_token(app: TestApp) {
        let token = app.new_user().await;
        let mut tab = WsClient::connected(&app, Some(&token)).await;
        subscribe(&app, &mut tab, "all", ALL, json!({})).await;
        app.data_as(&token, "mutation { logout }", json!({})).await;
        let (code, _) = tab.closed().await;
        assert_eq!(code, 4403);
    }
}

api_test! {
    settings = Settings { auth: prep_graphql::config::AuthConfig { session_ttl_secs: 4, ..Default::default() }, ..Settings::default() };
    async fn an_expiring_session_ends_its_subscriptions(app: TestApp) {
        let token = app.new_user().await;
        let mut tab = WsClient::connected(&app, Some(&token)).await;
        subscribe(&app, &mut tab, "all", ALL, json!({})).await;
        let (code, reason) = tab.closed().await;
        assert_eq!(code, 4403);
        assert!(reason.contains("expired"), "{reason}");
    }
}

api_test! {
    async fn the_upgrade_requests_authorization_header_is_accepted(app: TestApp) {
        let token = app.new_user().await;
        let id = create_draft(&app, &token, json!({ "title": "v1" })).await;
        let mut tab = WsClient::connect_with(&app, Some("graphql-transport-ws"), Some(&format!("Bearer {token}"))).await;
        assert_eq!(tab.protocol.as_deref(), Some("graphql-transport-ws"));
        tab.init(None).await;
        subscribe(&app, &mut tab, "1", ONE, json!({ "id": id })).await;
        retitle(&app, &token, &id, 1, "v2").await;
        assert_eq!(tab.recv().await["payload"]["data"]["starDraftUpdated"]["version"], 2);
    }
}

api_test! {
    async fn the_legacy_graphql_ws_protocol_is_spoken(app: TestApp) {
        let token = app.new_user().await;
        let id = create_draft(&app, &token, json!({ "title": "v1" })).await;
        let mut old = WsClient::connect_with(&app, Some("graphql-ws"), None).await;
        assert_eq!(old.protocol.as_deref(), Some("graphql-ws"));
        old.send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })).await;
        assert_eq!(old.recv_skipping_keepalive().await["type"], "connection_ack");
        let before = subscriptions_now(&app);
        old.send(json!({ "type": "start", "id": "7", "payload": { "query": ONE, "variables": { "id": id } } })).await;
        await_subscriptions(&app, before, 1).await;
        retitle(&app, &token, &id, 1, "v2").await;
        let data = old.recv_skipping_keepalive().await;
        assert_eq!(data["type"], "data");
        assert_eq!(data["id"], "7");
        assert_eq!(data["payload"]["data"]["starDraftUpdated"]["version"], 2);
        old.send(json!({ "type": "stop", "id": "7" })).await;
        old.send(json!({ "type": "connection_terminate" })).await;
    }
}

api_test! {
    async fn each_protocol_rule_closes_with_its_code(app: TestApp) {
        // An invalid message.
        let mut c = WsClient::connected(&app, None).await;
        c.send_text("this is not JSON").await;
        assert_eq!(c.closed().await.0, 4400);
        let mut c = WsClient::connected(&app, None).await;
        c.send(json!({ "type": "no-such-type" })).await;
        assert_eq!(c.closed().await.0, 4400);
        let mut c = WsClient::connected(&app, None).await;
        c.send(json!({ "type": "subscribe", "id": "1", "payload": {} })).await;
        assert_eq!(c.closed().await.0, 4400);

        // Subscribe before the ack.
        let mut c = WsClient::connect(&app).await;
        c.subscribe("1", ALL, json!({})).await;
        assert_eq!(c.closed().await.0, 4401);

        // A second connection_init.
        let mut c = WsClient::connected(&app, None).await;
        c.send(json!({ "type": "connection_init" })).await;
        assert_eq!(c.closed().await.0, 4429);

        // Rejected authentication.
        let mut c = WsClient::connect(&app).await;
        c.send(json!({ "type": "connection_init", "payload": { "authorization": "Bearer nope" } })).await;
        assert_eq!(c.closed().await.0, 4403);

        // An id already in use.
        let token = app.new_user().await;
        let mut c = WsClient::connected(&app, Some(&token)).await;
        subscribe(&app, &mut c, "dup", ALL, json!({})).await;
        c.subscribe("dup", ALL, json!({})).await;
        let (code, reason) = c.closed().await;
        assert_eq!(code, 4409);
        assert!(reason.contains("dup"), "{reason}");

        // ping gets pong, with its payload.
        let mut c = WsClient::connected(&app, None).await;
        c.send(json!({ "type": "ping", "payload": { "n": 1 } })).await;
        assert_eq!(c.recv().await, json!({ "type": "pong", "payload": { "n": 1 } }));

        // A subprotocol we do not speak: strict clients (browsers, tungstenite)
        // fail such a handshake themselves, so read the close frame off the wire.
        assert_eq!(raw_close_code(&app, "mqtt").await, 4406);
    }
}

api_test! {
    settings = Settings { ws: WsConfig { ws_init_timeout_secs: 1, ..WsConfig::default() }, ..Settings::default() };
    async fn no_connection_init_in_time_closes_4408(app: TestApp) {
        let mut c = WsClient::connect(&app).await;
        let (code, reason) = c.closed().await;
        assert_eq!(code, 4408, "{reason}");
    }
}

api_test! {
    settings = Settings {
        ws: WsConfig { ws_max_subscriptions_per_connection: 2, ws_max_connections_per_user: 1, ..WsConfig::default() },
        ..Settings::default()
    };
    async fn subscriptions_per_connection_and_connections_per_user_are_capped(app: TestApp) {
        let token = app.new_user().await;
        let mut c = WsClient::connected(&app, Some(&token)).await;
        subscribe(&app, &mut c, "1", ALL, json!({})).await;
        subscribe(&app, &mut c, "2", ALL, json!({})).await;
        c.subscribe("3", ALL, json!({})).await;
        let refused = c.recv().await;
        assert_eq!(refused["type"], "error");
        assert_eq!(refused["id"], "3");
        assert_eq!(refused["payload"][0]["extensions"]["code"], "RATE_LIMITED");

        let mut second = WsClient::connect(&app).await;
        second.send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
        let (code, reason) = second.closed().await;
        assert_eq!(code, 4429);
        assert!(reason.contains("connections"), "{reason}");

        // Completing one makes room for another.
        c.send(json!({ "type": "complete", "id": "1" })).await;
        subscribe(&app, &mut c, "4", ALL, json!({})).await;
    }
}

/// Upgrades with raw HTTP asking for `protocol` and returns the code of the
/// server's first frame, which must be a close frame.
async fn raw_close_code(app: &TestApp, protocol: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.address.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!(
        "GET /graphql HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: {protocol}\r\n\r\n"
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    let frame = loop {
        let n = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut chunk))
            .await
            .expect("a reply in time")
            .unwrap();
        assert!(
            n > 0,
            "connection closed: {}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            assert!(head.starts_with("HTTP/1.1 101"), "{head}");
            if buf.len() >= end + 6 {
                break buf[end + 4..].to_vec();
            }
        }
    };
    assert_eq!(frame[0], 0x88, "a close frame");
    u16::from_be_bytes([frame[2], frame[3]])
}

/// Two instances on one PostgreSQL database: a change through B reaches a subscriber on A.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_instance_reaches_subscribers_on_another() {
    if crate::helpers::postgres_url().is_none() {
        eprintln!("TEST_POSTGRES_URL is not set: multi-instance test not run");
        return;
    }
    let a = TestApp::spawn_with(crate::helpers::Backend::Postgres, Settings::default()).await;
    let b = a.second_instance().await;
    let token = a.new_user().await;
    let id = create_draft_delivered(&a, &token, json!({ "title": "v1" })).await;

    let mut on_a = WsClient::connected(&a, Some(&token)).await;
    subscribe(&a, &mut on_a, "1", ONE, json!({ "id": id })).await;
    let mut all_on_a = WsClient::connected(&a, Some(&token)).await;
    subscribe(&a, &mut all_on_a, "all", ALL, json!({})).await;
    for v in 1..=3 {
        retitle(&b, &token, &id, v, &format!("v{}", v + 1)).await;
    }
    let mut versions = Vec::new();
    while versions.last() != Some(&4) {
        let message = on_a.recv().await;
        versions.push(
            message["payload"]["data"]["starDraftUpdated"]["version"]
                .as_i64()
                .unwrap(),
        );
    }
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    let created = create_draft(&b, &token, json!({ "title": "made on B" })).await;
    loop {
        let event = all_on_a.recv().await["payload"]["data"]["myStarDraftEvents"].clone();
        if event["kind"] == "CREATED" {
            assert_eq!(event["draftId"], created.as_str());
            break;
        }
        assert_eq!(event["draftId"], id.as_str());
    }
}

/// When the listener's connection drops, it reconnects and the subscriber still gets the latest state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_reconnects_after_its_connection_drops() {
    if crate::helpers::postgres_url().is_none() {
        eprintln!("TEST_POSTGRES_URL is not set: listener test not run");
        return;
    }
    let app = TestApp::spawn_with(crate::helpers::Backend::Postgres, Settings::default()).await;
    let token = app.new_user().await;
    let id = create_draft(&app, &token, json!({ "title": "v1" })).await;
    let mut tab = WsClient::connected(&app, Some(&token)).await;
    subscribe(&app, &mut tab, "1", ONE, json!({ "id": id })).await;

    use sea_orm::ConnectionTrait;
    let killed = app
        .db
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
        )
        .await
        .unwrap();
    assert_eq!(
        killed.rows_affected(),
        1,
        "exactly the listener's connection"
    );

    retitle(&app, &token, &id, 1, "v2").await;
    let seen = tab.recv().await;
    assert_eq!(seen["payload"]["data"]["starDraftUpdated"]["version"], 2);
    assert_eq!(
        seen["payload"]["data"]["starDraftUpdated"]["draft"]["title"],
        "v2"
    );
}

api_test! {
    async fn an_operation_id_is_free_again_once_its_operation_completes(app: TestApp) {
        let mut c = WsClient::connected(&app, None).await;
        for _ in 0..3 {
            c.subscribe("q", "{ skills { slug } }", json!({})).await;
            let next = c.recv().await;
            assert_eq!(next["type"], "next");
            assert_eq!(next["payload"]["data"]["skills"].as_array().unwrap().len(), 5);
            assert_eq!(c.recv().await, json!({ "type": "complete", "id": "q" }));
        }
        c.send(json!({ "type": "ping" })).await;
        assert_eq!(c.recv().await["type"], "pong", "the connection is still open");
    }
}
