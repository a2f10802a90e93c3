//! Failure: database outages, graceful shutdown, a killed server, concurrent writers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use prep_graphql::config::Settings;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::drafts::create_draft;
use crate::helpers::{Backend, Proxy, TestApp, TestDatabase, api_test, postgres_url};
use crate::ws_client::WsClient;

/// PostgreSQL goes away and comes back: readiness says so, requests fail fast
/// with a clear code, and the server recovers without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_reported_and_recovered_from() {
    let Some(_) = postgres_url() else {
        eprintln!("TEST_POSTGRES_URL is not set: outage test not run (SQLite is embedded)");
        return;
    };
    let database = Arc::new(TestDatabase::create(Backend::Postgres).await);
    let mut url = url::Url::parse(&database.url).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let proxy = Proxy::start(target).await;
    url.set_host(Some("127.0.0.1")).unwrap();
    url.set_port(Some(proxy.address.port())).unwrap();
    let app = TestApp::spawn_via(database, url.as_str(), Settings::default()).await;
    let ready = || async {
        app.client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(ready().await, 200);

    proxy.cut();
    assert_eq!(ready().await, 503);
    let body = tokio::time::timeout(
        Duration::from_secs(30),
        app.graphql("{ skills { id } }", json!({})),
    )
    .await
    .expect("a request during the outage must not hang");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE",
        "{body}"
    );
    assert!(
        !body.to_string().contains("127.0.0.1"),
        "no internals: {body}"
    );

    proxy.restore();
    assert_eq!(ready().await, 200);
    let data = app.data("{ skills { id } }", json!({})).await;
    assert_eq!(data["skills"].as_array().unwrap().len(), 5);
}

api_test! {
    async fn shutdown_closes_sockets_and_lets_requests_in_flight_finish(app: TestApp) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let token = app.new_user().await;
        let mut ws = WsClient::connected(&app, Some(&token)).await;

        // A request in flight: its handler is waiting for the body. `Expect:
        // 100-continue` makes the server say when the handler asks for it.
        let body = json!({ "query": "{ skills { name } }" }).to_string();
        let host = app.address.trim_start_matches("http://").to_owned();
        let mut tcp = tokio::net::TcpStream::connect(&host).await.unwrap();
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        let mut interim = Vec::new();
        while !interim.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8; 1];
            tcp.read_exact(&mut byte).await.unwrap();
            interim.push(byte[0]);
        }
        assert!(interim.starts_with(b"HTTP/1.1 100"), "{}", String::from_utf8_lossy(&interim));

        app.begin_shutdown();
        assert_eq!(ws.closed().await.0, 1001);
        assert!(tokio::net::TcpStream::connect(&host).await.is_err(), "no new connections");

        tcp.write_all(body.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut response))
            .await
            .expect("the in-flight request finishes")
            .unwrap();
        let response = String::from_utf8_lossy(&response);
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(response.contains("Cloud Services"), "{response}");
        tokio::time::timeout(Duration::from_secs(10), app.stopped.take().unwrap())
            .await
            .expect("the server stops")
            .unwrap();
    }
}

api_test! {
    // 24 accounts from one address: more than the registration throttle allows,
    // and, being anonymous from one address, one viewer's share of the turns.
    settings = Settings {
        auth: prep_graphql::config::AuthConfig { registrations_per_address: 100, ..Default::default() },
        http: prep_graphql::config::HttpConfig { max_concurrent_operations_per_viewer: 64, ..Default::default() },
        ..Settings::default()
    };
    async fn concurrent_writers_never_see_a_locked_database(app: TestApp) {
        let writers = (0..24).map(|i| {
            let app = &app;
            async move {
                let token = app.new_user().await;
                let id = create_draft(app, &token, json!({ "title": format!("w{i}") })).await;
                for v in 1..=3 {
                    let body = app
                        .graphql_as(
                            Some(&token),
                            "mutation($id: ID!, $v: Int!) { updateStarDraft(input: { id: $id, expectedVersion: $v, result: \"5% better\" }) { version } }",
                            json!({ "id": id, "v": v }),
                        )
                        .await;
                    assert!(body.get("errors").is_none(), "writer {i}: {body}");
                }
            }
        });
        futures_util::future::join_all(writers).await;
    }
}

/// Starts the real binary on `url`; returns the child and its address.
async fn start_binary(url: &str) -> (tokio::process::Child, String) {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_prep-graphql"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let address = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(addr) = line.strip_prefix("prep-graphql listening on ") {
                return addr.trim().to_owned();
            }
        }
        panic!("the server exited before listening");
    })
    .await
    .expect("the server starts");
    // Keep reading, so the server never writes to a closed pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, address)
}

async fn kill_during_a_burst_and_check(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let (mut child, address) = start_binary(&database.url).await;
    let client = reqwest::Client::new();
    let call = move |token: Option<String>, query: &'static str, variables: Value| {
        let (client, address) = (client.clone(), address.clone());
        async move {
            let mut request = client
                .post(format!("{address}/graphql"))
                .json(&json!({ "query": query, "variables": variables }));
            if let Some(t) = token {
                request = request.bearer_auth(t);
            }
            request.send().await.ok()?.json::<Value>().await.ok()
        }
    };
    let registered = call(
        None,
        "mutation($e: String!) { register(input: { email: $e, password: \"correct horse battery\", displayName: \"K\" }) { token } }",
        json!({ "e": crate::helpers::new_email() }),
    )
    .await
    .unwrap();
    let token = registered["data"]["register"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let saved = Arc::new(AtomicUsize::new(0));
    let enough = Arc::new(tokio::sync::Notify::new());
    let mut writers = Vec::new();
    for i in 0..8 {
        let created = call(
            Some(token.clone()),
            "mutation { createStarDraft(input: { title: \"k\" }) { id } }",
            json!({}),
        )
        .await
        .unwrap();
        let id = created["data"]["createStarDraft"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (token, saved, enough, call) =
            (token.clone(), saved.clone(), enough.clone(), call.clone());
        writers.push(tokio::spawn(async move {
            let mut version = 1;
            loop {
                let text = format!("writer {i} version {}", version + 1);
                let Some(body) = call(
                    Some(token.clone()),
                    "mutation($id: ID!, $v: Int!, $t: String!) { updateStarDraft(input: { id: $id, expectedVersion: $v, situation: $t, result: $t }) { version } }",
                    json!({ "id": id, "v": version, "t": text }),
                )
                .await
                else {
                    return; // the server is gone
                };
                if let Some(v) = body["data"]["updateStarDraft"]["version"].as_i64() {
                    version = v as i32;
                    if saved.fetch_add(1, Ordering::SeqCst) + 1 == 40 {
                        enough.notify_one();
                    }
                }
            }
        }));
    }
    tokio::time::timeout(Duration::from_secs(60), enough.notified())
        .await
        .expect("40 saves");
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    for writer in writers {
        let _ = writer.await;
    }

    // Restarted, every draft is at a version whose text its revision holds.
    let (_child, _) = start_binary(&database.url).await;
    let db = database.connect().await;
    let drafts = entity::star_draft::Entity::find().all(&db).await.unwrap();
    assert_eq!(drafts.len(), 8);
    for draft in drafts {
        let revisions = entity::star_draft_revision::Entity::find()
            .filter(entity::star_draft_revision::Column::DraftId.eq(draft.id))
            .all(&db)
            .await
            .unwrap();
        let versions: Vec<i32> = revisions.iter().map(|r| r.version).collect();
        let expected: Vec<i32> = (1..=draft.version).collect();
        let mut sorted = versions.clone();
        sorted.sort();
        assert_eq!(sorted, expected, "draft {} revisions", draft.id);
        let latest = revisions
            .iter()
            .find(|r| r.version == draft.version)
            .unwrap();
        assert_eq!(
            (&latest.situation, &latest.result),
            (&draft.situation, &draft.result)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_leaves_no_half_done_write_sqlite() {
    kill_during_a_burst_and_check(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_leaves_no_half_done_write_postgres() {
    if postgres_url().is_none() {
        eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL variant not run");
        return;
    }
    kill_during_a_burst_and_check(Backend::Postgres).await;
}
