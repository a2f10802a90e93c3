//! The transport at its limits: client addresses behind trusted proxies, early
//! answers to clients still sending, response media types, the connection cap
//! and idle timeouts on every protocol.

use std::time::Duration;

use prep_graphql::config::{AuthConfig, HttpConfig, Settings};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, api_test, error_code, new_email};

const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { token } }";

/// A failed login with `X-Forwarded-For: forwarded`; returns the error code.
async fn failed_login_via(app: &TestApp, forwarded: &str) -> String {
    let body: Value = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("x-forwarded-for", forwarded)
        .json(&json!({ "query": LOGIN, "variables": { "input": { "email": new_email(), "password": "wrong password!" } } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    error_code(&body).to_owned()
}

fn trusting_localhost(http: HttpConfig) -> HttpConfig {
    HttpConfig {
        trusted_proxies: "127.0.0.1/32".parse().unwrap(),
        ..http
    }
}

api_test! {
    async fn without_trusted_proxies_forwarded_addresses_are_ignored(app: TestApp) {
        // 20 failures (the per-address default), each "from" another forwarded address.
        for i in 0..20 {
            assert_eq!(failed_login_via(&app, &format!("203.0.113.{i}")).await, "UNAUTHENTICATED");
        }
        // They all came from 127.0.0.1: the 21st is throttled whatever it claims.
        assert_eq!(failed_login_via(&app, "198.51.100.77").await, "RATE_LIMITED");
    }
}

api_test! {
    settings = Settings {
        http: trusting_localhost(HttpConfig::default()),
        auth: AuthConfig { login_failures_per_address: 5, ..AuthConfig::default() },
        ..Settings::default()
    };
    async fn behind_a_trusted_proxy_each_client_is_throttled_on_its_own(app: TestApp) {
        for _ in 0..5 {
            assert_eq!(failed_login_via(&app, "203.0.113.1").await, "UNAUTHENTICATED");
        }
        assert_eq!(failed_login_via(&app, "203.0.113.1").await, "RATE_LIMITED");
        // Another client behind the same proxy is not.
        assert_eq!(failed_login_via(&app, "203.0.113.2").await, "UNAUTHENTICATED");
        // The right-most untrusted hop counts: a client cannot prepend its way out.
        assert_eq!(failed_login_via(&app, "198.51.100.9, 203.0.113.1").await, "RATE_LIMITED");
    }
}

/// The status code of an HTTP/1.1 response head read from `tcp`, with the
/// response's `Content-Length` body consumed.
async fn read_response(tcp: &mut TcpStream) -> (u16, String) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(20), tcp.read(&mut byte))
            .await
            .expect("a response in time")
            .expect("reading the response");
        assert_eq!(
            n,
            1,
            "connection closed before a full response head: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_lowercase();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    tcp.read_exact(&mut body).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

const TWO_MIB: usize = 2 * 1024 * 1024;

/// Sends a 2 MiB body (over the 256 KiB limit) to the end, only then reads.
async fn oversized_post(app: &TestApp, chunked: bool) -> (TcpStream, u16, String) {
    let mut tcp = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {TWO_MIB}")
    };
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: application/json\r\n{framing}\r\n\r\n"
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let piece = 64 * 1024;
    for _ in 0..TWO_MIB / piece {
        let data = " ".repeat(piece);
        let written = if chunked {
            tcp.write_all(format!("{piece:x}\r\n{data}\r\n").as_bytes())
                .await
        } else {
            tcp.write_all(data.as_bytes()).await
        };
        // Without lingering close the server has closed by now: EPIPE or a reset.
        written.expect("the server reads the body it will not use");
        // Paced like a client on a real network, so the server answers mid-body.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    if chunked {
        tcp.write_all(b"0\r\n\r\n").await.unwrap();
    }
    let (status, body) = read_response(&mut tcp).await;
    (tcp, status, body)
}

api_test! {
    async fn an_early_413_reaches_a_client_that_keeps_sending(app: TestApp) {
        for chunked in [false, true] {
            let (mut tcp, status, body) = oversized_post(&app, chunked).await;
            assert_eq!(status, 413, "chunked: {chunked}: {body}");
            assert!(body.contains("PAYLOAD_TOO_LARGE"), "{body}");
            // The body was read to its end, so the connection is still good.
            tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
            assert_eq!(read_response(&mut tcp).await.0, 200);
        }
    }
}

api_test! {
    settings = Settings {
        http: HttpConfig { linger_max_bytes: 512 * 1024, ..HttpConfig::default() },
        ..Settings::default()
    };
    async fn an_endless_body_is_drained_only_up_to_the_linger_limit(app: TestApp) {
        let tcp = TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
        let (mut read, mut write) = tcp.into_split();
        let writer = tokio::spawn(async move {
            let head = "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
            write.write_all(head.as_bytes()).await.unwrap();
            let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
            let mut sent = 0usize;
            while write.write_all(chunk.as_bytes()).await.is_ok() {
                sent += chunk.len();
            }
            sent
        });
        let mut received = Vec::new();
        // The answer comes while the client sends; then the server stops reading and closes.
        let _ = tokio::time::timeout(Duration::from_secs(30), read.read_to_end(&mut received)).await;
        let sent = tokio::time::timeout(Duration::from_secs(30), writer)
            .await
            .expect("the server closes an endless body")
            .unwrap();
        let text = String::from_utf8_lossy(&received);
        assert!(text.starts_with("HTTP/1.1 413"), "{text}");
        // Far less than an endless stream: the limit plus what the buffers held.
        assert!(sent < 64 * 1024 * 1024, "{sent} bytes accepted");
    }
}

api_test! {
    async fn any_media_type_is_answered_as_application_json(app: TestApp) {
        let post = |accept: &'static str, query: &'static str| {
            app.client
                .post(format!("{}/graphql", app.address))
                .header("accept", accept)
                .json(&json!({ "query": query }))
                .send()
        };
        for accept in ["*/*", "application/*", "text/html, */*;q=0.8"] {
            let response = post(accept, "{ skills { name } }").await.unwrap();
            assert_eq!(response.status(), 200);
            let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
            assert!(content_type.starts_with("application/json"), "{accept}: {content_type}");
            // application/json semantics: a request that fails validation is still 200.
            let invalid = post(accept, "{ noSuchField }").await.unwrap();
            assert_eq!(invalid.status(), 200, "{accept}");
        }
        let explicit = post("application/graphql-response+json", "{ noSuchField }").await.unwrap();
        assert_eq!(explicit.status(), 400);
        let content_type = explicit.headers()["content-type"].to_str().unwrap();
        assert!(content_type.starts_with("application/graphql-response+json"), "{content_type}");
    }
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Whether the server closed `tcp` (EOF or reset) within `within`.
async fn closed_by_server(tcp: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 256];
    loop {
        match tokio::time::timeout(within, tcp.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // HTTP/2 frames (SETTINGS, GOAWAY) before the close.
            Ok(Ok(_)) => continue,
        }
    }
}

api_test! {
    settings = Settings {
        // Long timeouts: only the cap is under test.
        http: HttpConfig { max_connections: 4, header_read_timeout_secs: 60, ..HttpConfig::default() },
        ..Settings::default()
    };
    async fn connections_over_the_cap_wait_for_a_free_slot(app: TestApp) {
        let mut silent = Vec::new();
        for _ in 0..4 {
            silent.push(connect(&app).await);
        }
        let mut fifth = connect(&app).await;
        fifth.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut byte = [0u8; 1];
        let early = tokio::time::timeout(Duration::from_millis(500), fifth.read(&mut byte)).await;
        assert!(early.is_err(), "a fifth connection was served past the cap of 4");
        // One silent client leaves: its slot goes to the waiting one.
        drop(silent.pop());
        let (status, _) = read_response(&mut fifth).await;
        assert_eq!(status, 200);
    }
}

/// HTTP/2 with prior knowledge: the preface and an empty SETTINGS frame.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// A HEADERS frame (END_STREAM | END_HEADERS) for `GET /healthz` on stream 1,
/// HPACK-encoded with static-table names and literal values.
fn h2_get_healthz() -> Vec<u8> {
    let mut block = vec![0x82, 0x86]; // :method GET, :scheme http
    block.extend([0x04, 8]); // :path, literal
    block.extend(b"/healthz");
    block.extend([0x01, 1, b'x']); // :authority x
    let mut frame = vec![0, 0, block.len() as u8, 0x01, 0x05, 0, 0, 0, 1];
    frame.extend(block);
    frame
}

/// Reads HTTP/2 frames until the connection closes; returns their types.
async fn h2_frame_types_until_closed(tcp: &mut TcpStream) -> Vec<u8> {
    let mut types = Vec::new();
    loop {
        let mut header = [0u8; 9];
        let read = tokio::time::timeout(Duration::from_secs(20), tcp.read_exact(&mut header))
            .await
            .expect("the server closes an idle HTTP/2 connection");
        if read.is_err() {
            return types;
        }
        let length = u32::from_be_bytes([0, header[0], header[1], header[2]]) as usize;
        let mut payload = vec![0u8; length];
        if tcp.read_exact(&mut payload).await.is_err() {
            return types;
        }
        types.push(header[3]);
        // Acknowledge the server's SETTINGS and PINGs, as a real client would.
        if header[3] == 0x04 && header[4] & 0x01 == 0 {
            let _ = tcp.write_all(&[0, 0, 0, 0x04, 0x01, 0, 0, 0, 0]).await;
        }
        if header[3] == 0x06 && header[4] & 0x01 == 0 {
            let mut ack = vec![0, 0, 8, 0x06, 0x01, 0, 0, 0, 0];
            ack.extend(&payload);
            let _ = tcp.write_all(&ack).await;
        }
    }
}

const GOAWAY: u8 = 0x07;
const HEADERS: u8 = 0x01;

api_test! {
    settings = Settings {
        http: HttpConfig { header_read_timeout_secs: 1, connection_idle_timeout_secs: 1, ..HttpConfig::default() },
        ..Settings::default()
    };
    async fn silent_and_idle_connections_are_closed_on_every_protocol(app: TestApp) {
        // More silent sockets than file descriptors would allow if none closed.
        let mut silent = Vec::new();
        for _ in 0..20 {
            silent.push(connect(&app).await);
        }
        for tcp in &mut silent {
            assert!(closed_by_server(tcp, Duration::from_secs(20)).await, "a silent connection stayed open");
        }
        // A client that sent a few bytes of the HTTP/2 preface and stopped.
        let mut partial = connect(&app).await;
        partial.write_all(b"PRI * HT").await.unwrap();
        assert!(closed_by_server(&mut partial, Duration::from_secs(20)).await, "a half preface stayed open");

        // HTTP/1.1 keep-alive after a request.
        let mut keep_alive = connect(&app).await;
        keep_alive.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        assert_eq!(read_response(&mut keep_alive).await.0, 200);
        assert!(closed_by_server(&mut keep_alive, Duration::from_secs(20)).await, "an idle keep-alive stayed open");

        // h2c that never sends a request, and h2c idle after one: GOAWAY, then closed.
        let mut h2_silent = connect(&app).await;
        h2_silent.write_all(H2_PREFACE).await.unwrap();
        let frames = h2_frame_types_until_closed(&mut h2_silent).await;
        assert!(frames.contains(&GOAWAY), "{frames:?}");

        let mut h2_idle = connect(&app).await;
        h2_idle.write_all(H2_PREFACE).await.unwrap();
        h2_idle.write_all(&h2_get_healthz()).await.unwrap();
        let frames = h2_frame_types_until_closed(&mut h2_idle).await;
        assert!(frames.contains(&HEADERS), "the request was answered: {frames:?}");
        let answered = frames.iter().position(|t| *t == HEADERS);
        assert!(frames.iter().rposition(|t| *t == GOAWAY) > answered, "{frames:?}");

        // And the server still answers.
        let health = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
        assert_eq!(health.status(), 200);
    }
}
