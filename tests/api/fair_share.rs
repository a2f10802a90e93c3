//! Fair share under abuse (issue 27): one client address, one account or one
//! cheap document cannot take what everyone shares.

use std::time::Duration;

use prep_graphql::config::{AuthConfig, HttpConfig, Settings};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::helpers::{TestApp, api_test, error_code, new_email};
use crate::ws_client::WsClient;

/// A TCP connection to the server from the loopback address `source`
/// (all of 127.0.0.0/8 is local on Linux), as from another client.
async fn connect_from(app: &TestApp, source: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let server = app.address.trim_start_matches("http://").parse().unwrap();
    socket.connect(server).await.unwrap()
}

/// Whether the server closed `tcp` (EOF or reset) within `within`.
async fn closed_by_server(tcp: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 256];
    loop {
        match tokio::time::timeout(within, tcp.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

/// The status of `GET /healthz` sent on `tcp` (HTTP/1.1), if answered in time.
async fn healthz_on(tcp: &mut TcpStream) -> Option<u16> {
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .ok()?;
    let mut head = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(10), tcp.read_exact(&mut head))
        .await
        .ok()?
        .ok()?;
    String::from_utf8_lossy(&head[9..12]).parse().ok()
}

const REGISTER: &str = "mutation($input: RegisterInput!) { register(input: $input) { token } }";

/// `register` sent from the loopback address `source` on a connection of its
/// own that is not kept open (so it holds no place of that address after).
async fn register_from(app: &TestApp, source: &str, email: &str) -> Value {
    let client = reqwest::Client::builder()
        .local_address(source.parse::<std::net::IpAddr>().unwrap())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": REGISTER, "variables": { "input": {
            "email": email, "password": crate::helpers::PASSWORD, "displayName": "Tester" } } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// HTTP/2 with prior knowledge: the preface and an empty SETTINGS frame.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

api_test! {
    settings = Settings {
        // Long timeouts: only the per-address cap is under test.
        http: HttpConfig { max_connections_per_address: 3, header_read_timeout_secs: 60, ..HttpConfig::default() },
        ..Settings::default()
    };
    async fn one_address_holds_at_most_its_share_of_connections_on_every_protocol(app: TestApp) {
        // One of each protocol from 127.0.0.1: a signed-in WebSocket, an h2c
        // connection and a silent HTTP/1.1 one.
        let token = register_from(&app, "127.0.0.3", &new_email()).await["data"]["register"]["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut socket = WsClient::connected(&app, Some(&token)).await;
        let mut h2 = connect_from(&app, "127.0.0.1").await;
        h2.write_all(H2_PREFACE).await.unwrap();
        let silent = connect_from(&app, "127.0.0.1").await;
        // A fourth from the same address is closed at once, unanswered.
        let mut fourth = connect_from(&app, "127.0.0.1").await;
        assert!(closed_by_server(&mut fourth, Duration::from_secs(5)).await, "a fourth connection stayed open");
        assert_eq!(healthz_on(&mut connect_from(&app, "127.0.0.1").await).await, None);
        // Another client is served meanwhile.
        let mut other = connect_from(&app, "127.0.0.2").await;
        assert_eq!(healthz_on(&mut other).await, Some(200));
        // The socket still works: the cap refuses new connections, it never cuts old ones.
        socket.subscribe("1", "{ skills { slug } }", json!({})).await;
        assert_eq!(socket.recv().await["type"], "next");
        // One leaves: its place is free again.
        drop(silent);
        let mut again = None;
        for _ in 0..50 {
            let mut tcp = connect_from(&app, "127.0.0.1").await;
            if let Some(status) = healthz_on(&mut tcp).await {
                again = Some(status);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(again, Some(200));
    }
}

/// `register` through the trusted proxy at 127.0.0.1 for the client `forwarded`.
async fn register_via(app: &TestApp, forwarded: &str) -> Value {
    app.client
        .post(format!("{}/graphql", app.address))
        .header("x-forwarded-for", forwarded)
        .json(&json!({ "query": REGISTER, "variables": { "input": {
            "email": new_email(), "password": crate::helpers::PASSWORD, "displayName": "Tester" } } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

api_test! {
    settings = Settings {
        http: HttpConfig { trusted_proxies: "127.0.0.1/32".parse().unwrap(), ..HttpConfig::default() },
        auth: AuthConfig { registrations_per_address: 3, ..AuthConfig::default() },
        ..Settings::default()
    };
    async fn registrations_are_throttled_per_address_and_ipv6_per_64(app: TestApp) {
        // Three accounts from three addresses of one /64 ...
        for client in ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:abcd:ef01:2345:6789"] {
            let body = register_via(&app, client).await;
            assert!(body["data"]["register"]["token"].is_string(), "{body}");
        }
        // ... use up that network's share.
        let refused = register_via(&app, "2001:db8:1:2:ffff::9").await;
        assert_eq!(error_code(&refused), "RATE_LIMITED", "{refused}");
        assert!(refused["errors"][0]["extensions"]["retryAfterSeconds"].as_u64().unwrap() > 0);
        assert!(refused["data"].is_null(), "{refused}");
        // Input that is refused on its own does not count: the client learns what was wrong.
        let bad = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("x-forwarded-for", "2001:db8:1:3::1")
            .json(&json!({ "query": REGISTER, "variables": { "input": {
                "email": "not an email", "password": crate::helpers::PASSWORD, "displayName": "Tester" } } }))
            .send().await.unwrap().json::<Value>().await.unwrap();
        assert_eq!(error_code(&bad), "BAD_USER_INPUT");
        // The next /64 and an IPv4 client have their own.
        for client in ["2001:db8:1:3::1", "2001:db8:1:3::2", "2001:db8:1:3::3", "203.0.113.7"] {
            let body = register_via(&app, client).await;
            assert!(body["data"]["register"]["token"].is_string(), "{client}: {body}");
        }
        assert_eq!(error_code(&register_via(&app, "2001:db8:1:3::4").await), "RATE_LIMITED");
    }
}

api_test! {
    settings = Settings {
        auth: AuthConfig { registrations_per_address: 2, ..AuthConfig::default() },
        ..Settings::default()
    };
    async fn registrations_from_one_address_are_throttled(app: TestApp) {
        app.new_user().await;
        app.new_user().await;
        let body = register_from(&app, "127.0.0.1", &new_email()).await;
        assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
        // Nothing was written: the account does not exist.
        let email = new_email();
        register_from(&app, "127.0.0.1", &email).await;
        let login = app
            .graphql(
                "mutation($input: LoginInput!) { login(input: $input) { token } }",
                json!({ "input": { "email": email, "password": crate::helpers::PASSWORD } }),
            )
            .await;
        assert_eq!(error_code(&login), "UNAUTHENTICATED", "{login}");
        // Another address may still register.
        let other = register_from(&app, "127.0.0.2", &new_email()).await;
        assert!(other["data"]["register"]["token"].is_string(), "{other}");
    }
}

api_test! {
    settings = Settings {
        ws: prep_graphql::config::WsConfig {
            ws_max_subscriptions_per_user: 3,
            ..prep_graphql::config::WsConfig::default()
        },
        ..Settings::default()
    };
    async fn an_account_runs_at_most_its_share_of_operations_over_all_its_sockets(app: TestApp) {
        let token = app.new_user().await;
        let mut first = WsClient::connected(&app, Some(&token)).await;
        let mut second = WsClient::connected(&app, Some(&token)).await;
        let events = "subscription { myStarDraftEvents { kind } }";
        first.subscribe("a", events, json!({})).await;
        first.subscribe("b", events, json!({})).await;
        second.subscribe("c", events, json!({})).await;
        // A socket handles its messages in order: the pong says its subscribes were taken.
        for socket in [&mut first, &mut second] {
            socket.send(json!({ "type": "ping" })).await;
            assert_eq!(socket.recv().await["type"], "pong");
        }
        // The fourth, on either socket, is refused with its own error; the socket stays.
        second.subscribe("d", events, json!({})).await;
        let refused = second.recv().await;
        assert_eq!(refused["type"], "error", "{refused}");
        assert_eq!(refused["id"], "d");
        assert_eq!(refused["payload"][0]["extensions"]["code"], "RATE_LIMITED", "{refused}");
        // Another account is not held back by this one.
        let other = app.new_user().await;
        let mut third = WsClient::connected(&app, Some(&other)).await;
        third.subscribe("x", "{ skills { slug } }", json!({})).await;
        assert_eq!(third.recv().await["type"], "next");
        // Completing one gives its place back.
        first.send(json!({ "type": "complete", "id": "a" })).await;
        let mut started = false;
        for attempt in 0..50 {
            let id = format!("e{attempt}");
            second.subscribe(&id, "{ me { email } }", json!({})).await;
            let reply = second.recv().await;
            if reply["type"] == "next" {
                started = true;
                break;
            }
            assert_eq!(reply["payload"][0]["extensions"]["code"], "RATE_LIMITED", "{reply}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(started, "the place of a completed operation was not given back");
    }
}

api_test! {
    settings = Settings {
        ws: prep_graphql::config::WsConfig { ws_idle_timeout_secs: 1, ..prep_graphql::config::WsConfig::default() },
        ..Settings::default()
    };
    async fn a_socket_that_only_pings_is_closed_when_idle(app: TestApp) {
        let mut socket = WsClient::connected(&app, None).await;
        let started = std::time::Instant::now();
        let closed = loop {
            socket.send(json!({ "type": "ping" })).await;
            match socket.recv_or_closed().await {
                Ok(pong) => assert_eq!(pong["type"], "pong", "{pong}"),
                Err(close) => break close,
            }
            assert!(started.elapsed() < Duration::from_secs(8), "pinging kept the socket open");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(closed.0, 1000);
        assert!(closed.1.contains("Idle"), "{closed:?}");
    }
}

api_test! {
    settings = Settings {
        http: HttpConfig { max_connections: 2, header_read_timeout_secs: 60, ..HttpConfig::default() },
        ..Settings::default()
    };
    async fn health_readiness_and_metrics_answer_on_the_admin_listener_while_client_slots_are_full(app: TestApp) {
        let _held = [connect_from(&app, "127.0.0.1").await, connect_from(&app, "127.0.0.2").await];
        // The client listener has no slot left: its /healthz waits in the backlog.
        let mut waiting = connect_from(&app, "127.0.0.3").await;
        waiting.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut byte = [0u8; 1];
        let early = tokio::time::timeout(Duration::from_millis(500), waiting.read(&mut byte)).await;
        assert!(early.is_err(), "the client listener served past its cap");
        // The admin listener answers at once.
        let admin = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
        for (path, expected) in [("/healthz", "\"ok\""), ("/readyz", "\"ready\""), ("/metrics", "prep_ws_connections")] {
            let started = std::time::Instant::now();
            let response = admin.get(format!("{}{path}", app.admin_address)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            assert!(response.text().await.unwrap().contains(expected), "{path}");
            assert!(started.elapsed() < Duration::from_secs(1), "{path} took {:?}", started.elapsed());
        }
        // It serves nothing else.
        let graphql = admin.post(format!("{}/graphql", app.admin_address)).json(&json!({ "query": "{ skills { slug } }" })).send().await.unwrap();
        assert_eq!(graphql.status(), 404);
    }
}

api_test! {
    async fn story_lists_count_in_the_query_cost(app: TestApp) {
        let token = app.new_user().await;
        let coverage = "myCoverage { competencies { stories { situation task action result } } }";
        // One role's coverage with its stories' text: what the app asks, within the limit.
        let one = format!("{{ role(slug: \"backend-developer\") {{ {coverage} }} }}");
        let body = app.graphql_as(Some(&token), &one, json!({})).await;
        assert!(body.get("errors").is_none(), "{body}");
        // Thirteen of them: each story list may hold every draft an account keeps.
        let aliased: String = (0..13)
            .map(|i| format!("r{i}: role(slug: \"backend-developer\") {{ {coverage} }} "))
            .collect();
        let body = app.graphql_as(Some(&token), &format!("{{ {aliased} }}"), json!({})).await;
        assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("too complex"), "{body}");
        assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    }
}

api_test! {
    settings = Settings {
        http: HttpConfig { max_response_bytes: 4096, ..HttpConfig::default() },
        ..Settings::default()
    };
    async fn an_answer_over_the_byte_cap_is_refused_on_both_transports(app: TestApp) {
        let big = format!("{{ roles(first: 5) {{ edges {{ node {{ {} }} }} }} }}", crate::fixtures::ROLE_FIELDS);
        let body = app.graphql(&big, json!({})).await;
        assert_eq!(error_code(&body), "RESPONSE_TOO_LARGE", "{body}");
        assert!(body["data"].is_null(), "{body}");
        let token = app.new_user().await;
        let mut socket = WsClient::connected(&app, Some(&token)).await;
        socket.subscribe("1", &big, json!({})).await;
        let reply = socket.recv().await;
        assert_eq!(reply["payload"]["errors"][0]["extensions"]["code"], "RESPONSE_TOO_LARGE", "{reply}");
        // A small answer is untouched.
        let small = app.data("{ role(slug: \"backend-developer\") { title } }", json!({})).await;
        assert_eq!(small["role"]["title"], "Backend Developer");
    }
}

api_test! {
    settings = Settings {
        http: HttpConfig { max_concurrent_operations: 4, max_concurrent_operations_per_viewer: 1, ..HttpConfig::default() },
        auth: AuthConfig::default(),
        ..Settings::default()
    };
    async fn one_account_holds_at_most_its_share_of_the_executing_turns(app: TestApp) {
        use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
        let create = "mutation($input: CreateStarDraftInput!) { createStarDraft(input: $input) { title } }";
        let (alice, bob) = (app.new_user().await, app.new_user().await);
        // Another connection holds the drafts table, so alice's first insert
        // blocks in the database and keeps her only turn.
        let blocker = app.database.connect().await;
        let hold = blocker.begin().await.unwrap();
        let lock = match blocker.get_database_backend() {
            DbBackend::Postgres => "LOCK TABLE star_drafts IN EXCLUSIVE MODE",
            _ => "UPDATE content_version SET version = version",
        };
        hold.execute_unprepared(lock).await.unwrap();
        let waiting = || async {
            let text = app.client.get(format!("{}/metrics", app.admin_address)).send().await.unwrap().text().await.unwrap();
            text.lines().find_map(|l| l.strip_prefix("prep_graphql_operations_waiting ")).map(|v| v.trim().to_owned())
        };
        let scenario = async {
            let deadline = std::time::Instant::now() + Duration::from_secs(4);
            while waiting().await.as_deref() != Some("1") {
                assert!(std::time::Instant::now() < deadline, "alice's second operation never waited");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            // Two turns of four are free, yet alice's second waits for her own;
            // bob is answered meanwhile.
            let me = app.data_as(&bob, "{ me { displayName } }", json!({})).await;
            assert_eq!(me["me"]["displayName"], "Tester");
            assert_eq!(waiting().await.as_deref(), Some("1"), "alice's second was still waiting");
            hold.commit().await.unwrap();
        };
        let (a, b, ()) = tokio::join!(
            app.graphql_as(Some(&alice), create, json!({ "input": { "title": "first" } })),
            app.graphql_as(Some(&alice), create, json!({ "input": { "title": "second" } })),
            scenario,
        );
        assert!(a.get("errors").is_none() && b.get("errors").is_none(), "{a} {b}");
        assert_eq!(waiting().await.as_deref(), Some("0"));
    }
}

const EVENTS_SINCE: &str = "subscription($since: DateTime) {
    myStarDraftEvents(since: $since) { kind draftId draft { situation task action result } } }";

/// Creates `n` drafts of about 16 KB each for `token`.
async fn large_drafts(app: &TestApp, token: &str, n: usize) {
    let section = "word ".repeat(800);
    for i in 0..n {
        app.data_as(
            token,
            "mutation($input: CreateStarDraftInput!) { createStarDraft(input: $input) { id } }",
            json!({ "input": { "title": format!("draft {i}"), "situation": section, "task": section, "action": section, "result": section } }),
        )
        .await;
    }
}

/// The `prep_ws_connections` gauge, read on the admin listener.
async fn open_sockets(app: &TestApp) -> String {
    let text = app
        .client
        .get(format!("{}/metrics", app.admin_address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("prep_ws_connections "))
        .unwrap()
        .trim()
        .to_owned()
}

api_test! {
    async fn a_catch_up_is_paged_and_sends_every_record_changed_since(app: TestApp) {
        let token = app.new_user().await;
        // More than two pages.
        large_drafts(&app, &token, 40).await;
        let mut socket = WsClient::connected(&app, Some(&token)).await;
        socket.subscribe("all", EVENTS_SINCE, json!({ "since": "2000-01-01T00:00:00Z" })).await;
        let mut ids = std::collections::BTreeSet::new();
        for _ in 0..40 {
            let event = socket.recv().await;
            assert_eq!(event["payload"]["data"]["myStarDraftEvents"]["kind"], "UPDATED", "{event}");
            ids.insert(event["payload"]["data"]["myStarDraftEvents"]["draftId"].as_str().unwrap().to_owned());
        }
        assert_eq!(ids.len(), 40, "each draft once");
        // Then live events follow.
        app.data_as(&token, "mutation { createStarDraft(input: { title: \"live\" }) { id } }", json!({})).await;
        let live = socket.recv().await;
        assert_eq!(live["payload"]["data"]["myStarDraftEvents"]["kind"], "CREATED", "{live}");
    }
}

api_test! {
    settings = Settings {
        ws: prep_graphql::config::WsConfig { ws_max_queued_bytes: 64 * 1024, ..prep_graphql::config::WsConfig::default() },
        ..Settings::default()
    };
    async fn a_client_that_does_not_read_is_closed_not_buffered(app: TestApp) {
        non_reading_client_is_closed(&app, 20).await;
    }
}

api_test! {
    settings = Settings {
        // A budget it never reaches: the stalled write alone closes it.
        ws: prep_graphql::config::WsConfig {
            ws_max_queued_bytes: 1 << 30, ws_write_timeout_secs: 2,
            ..prep_graphql::config::WsConfig::default()
        },
        ..Settings::default()
    };
    async fn a_client_that_does_not_read_is_closed_after_the_write_timeout(app: TestApp) {
        non_reading_client_is_closed(&app, 20).await;
    }
}

/// Opens a socket with a small receive buffer, starts `catch_ups` catch-ups
/// over 30 large drafts, never reads, and waits for the server to close it.
async fn non_reading_client_is_closed(app: &TestApp, catch_ups: usize) {
    {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};
        let token = app.new_user().await;
        large_drafts(app, &token, 30).await;
        // A client with a small receive buffer, so the server's writes stall soon.
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let tcp = socket
            .connect(app.address.trim_start_matches("http://").parse().unwrap())
            .await
            .unwrap();
        let mut request = format!("{}/graphql", app.address.replacen("http", "ws", 1))
            .into_client_request()
            .unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (mut ws, _) = tokio_tungstenite::client_async(request, tcp).await.unwrap();
        let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
        ws.send(Message::text(init.to_string())).await.unwrap();
        let ack = ws.next().await.unwrap().unwrap();
        assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack:?}");
        // Twenty catch-ups of ~480 KB each, never read.
        for i in 0..catch_ups {
            let subscribe = json!({ "type": "subscribe", "id": format!("s{i}"), "payload": {
                "query": EVENTS_SINCE, "variables": { "since": "2000-01-01T00:00:00Z" } } });
            ws.send(Message::text(subscribe.to_string())).await.unwrap();
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while open_sockets(app).await != "0" {
            assert!(
                std::time::Instant::now() < deadline,
                "a socket that does not read stayed open"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // What reached the client ends with the close, if the close got through at all.
        let read_all = async {
            while let Some(Ok(message)) = ws.next().await {
                if let Message::Close(frame) = message {
                    return frame.map(|f| u16::from(f.code));
                }
            }
            None
        };
        if let Ok(Some(code)) = tokio::time::timeout(Duration::from_secs(10), read_all).await {
            assert_eq!(code, 4413);
        }
    }
}

api_test! {
    settings = Settings {
        http: HttpConfig { linger_max_bytes: 512 * 1024, ..HttpConfig::default() },
        ..Settings::default()
    };
    async fn a_client_writing_past_the_linger_limit_reads_its_413_after_its_write_fails(app: TestApp) {
        // A half-duplex client: it writes the whole (endless) body first and
        // reads only once a write fails, as most HTTP/1.1 clients do.
        let mut tcp = connect_from(&app, "127.0.0.1").await;
        let head = "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        tcp.write_all(head.as_bytes()).await.unwrap();
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
        let mut sent = 0usize;
        let written = tokio::time::timeout(Duration::from_secs(30), async {
            while tcp.write_all(chunk.as_bytes()).await.is_ok() {
                sent += chunk.len();
            }
        })
        .await;
        assert!(written.is_ok(), "the server never stopped an endless body ({sent} bytes taken)");
        let mut received = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut received)).await;
        let text = String::from_utf8_lossy(&received);
        assert!(text.starts_with("HTTP/1.1 413"), "{sent} bytes sent, then read {text:?}");
    }
}

/// A WebSocket upgrade through the trusted proxy at 127.0.0.1 for the client
/// `forwarded`: the socket once open, or the HTTP status that refused it.
async fn socket_via(app: &TestApp, forwarded: &str) -> Result<WsClient, u16> {
    match WsClient::try_connect_with_headers(app, &[("x-forwarded-for", forwarded)]).await {
        Ok(mut client) => {
            client.init(None).await;
            Ok(client)
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(e) => panic!("WebSocket connect: {e}"),
    }
}

api_test! {
    settings = Settings {
        http: HttpConfig {
            trusted_proxies: "127.0.0.1/32".parse().unwrap(),
            max_connections_per_address: 3,
            ..HttpConfig::default()
        },
        ..Settings::default()
    };
    async fn sockets_through_a_trusted_proxy_count_per_forwarded_client(app: TestApp) {
        // The proxy's connections carry many clients and are not capped; the
        // sockets they upgrade are, per client they are forwarded for.
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(socket_via(&app, "203.0.113.9").await.expect("within the cap"));
        }
        assert_eq!(socket_via(&app, "203.0.113.9").await.err(), Some(429));
        // Another client behind the same proxy has its own places, and plain
        // requests through the proxy are not refused.
        let other = socket_via(&app, "203.0.113.10").await;
        assert!(other.is_ok(), "another forwarded client is not capped by the first");
        let health = app.client.get(format!("{}/graphql?query=%7B__typename%7D", app.address))
            .header("x-forwarded-for", "203.0.113.9").send().await.unwrap();
        assert_eq!(health.status(), 200);
        // A socket that closes gives its place back.
        held.pop();
        let mut again = Err(0);
        for _ in 0..50 {
            again = socket_via(&app, "203.0.113.9").await;
            if again.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(again.is_ok(), "the closed socket's place is free again");
    }
}

/// The options `.cargo/config.toml` builds into jemalloc.
fn configured_allocator_options() -> String {
    let config =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.cargo/config.toml"))
            .unwrap();
    let line = config
        .lines()
        .find(|l| l.starts_with("JEMALLOC_SYS_WITH_MALLOC_CONF"))
        .expect("the allocator's options");
    line.split('"').nth(1).unwrap().to_owned()
}

api_test! {
    /// Memory a burst took must come back: the server allocates with jemalloc,
    /// whose purging options are built in (BENCHMARKS.md, "The allocator").
    async fn the_server_allocates_with_jemalloc_and_its_purging_options(app: TestApp) {
        let text = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
        let options = configured_allocator_options();
        for option in ["background_thread:true", "muzzy_decay_ms:0", "narenas:1"] {
            assert!(options.contains(option), "{option} not in {options}");
        }
        let info = format!("prep_allocator_info{{allocator=\"jemalloc\",background_thread=\"true\",options=\"{options}\"}} 1");
        assert!(text.lines().any(|l| l == info), "want {info} in:\n{text}");
        // The figures are the live allocator's, not zeros.
        for kind in ["allocated", "resident"] {
            let prefix = format!("prep_allocator_bytes{{kind=\"{kind}\"}} ");
            let value: f64 = text.lines().find_map(|l| l.strip_prefix(prefix.as_str())).unwrap_or_else(|| panic!("no {prefix}")).parse().unwrap();
            assert!(value > 1_000_000.0, "{kind}: {value}");
        }
    }
}
