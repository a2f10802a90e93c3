//! One front door: every document HTTP refuses is refused over the WebSocket
//! with the same code, and the socket's own bounds (message size, sockets per
//! address before and after `connection_init`, idle timeout) hold.

use std::time::Duration;

use prep_graphql::config::{HttpConfig, Settings, WsConfig};
use serde_json::{Value, json};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::{TestApp, api_test};
use crate::ws_client::WsClient;

/// What HTTP answers `query`, and the first message the socket answers it with.
async fn over_both(app: &TestApp, query: &str, variables: Value) -> (Value, Value) {
    let http = app.graphql(query, variables.clone()).await;
    let mut ws = WsClient::connected(app, None).await;
    ws.subscribe("1", query, variables).await;
    (http, ws.recv().await)
}

fn http_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

/// The code of a WebSocket `error` message; panics on any other message.
fn ws_code(message: &Value) -> &str {
    assert_eq!(
        message["type"], "error",
        "expected an error message: {message}"
    );
    assert!(
        message["payload"].is_array(),
        "an error carries only errors: {message}"
    );
    message["payload"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

/// Asserts that HTTP and the socket refuse `query` with `code` and no data.
async fn refused_alike(app: &TestApp, query: &str, variables: Value, code: &str) {
    let (http, ws) = over_both(app, query, variables).await;
    assert_eq!(http_code(&http), code, "HTTP: {http}");
    assert!(http["data"].is_null(), "HTTP ran it: {http}");
    assert_eq!(ws_code(&ws), code, "WebSocket: {ws}");
}

api_test! {
    async fn every_document_http_refuses_is_refused_over_the_socket(app: TestApp) {
        let limits = HttpConfig::default();
        let long = format!("{{ skills {{ id }} {} }}", "# padding\n".repeat(limits.max_document_bytes / 10 + 1));
        refused_alike(&app, &long, json!({}), "QUERY_TOO_LARGE").await;
        let many_tokens = format!("{{ {} }}", "skills { id } ".repeat(limits.max_tokens / 4 + 1));
        assert!(many_tokens.len() < limits.max_document_bytes);
        refused_alike(&app, &many_tokens, json!({}), "QUERY_TOO_LARGE").await;
        let aliases: String = (0..=limits.max_aliases)
            .map(|i| format!("r{i}: role(slug: \"backend-developer\") {{ title }} "))
            .collect();
        refused_alike(&app, &format!("{{ {aliases} }}"), json!({}), "QUERY_TOO_LARGE").await;
        let logins: String = (0..=limits.max_aliases)
            .map(|i| format!("l{i}: login(input: {{ email: \"a@b.c\", password: \"x\" }}) {{ token }} "))
            .collect();
        refused_alike(&app, &format!("mutation {{ {logins} }}"), json!({}), "QUERY_TOO_LARGE").await;
        refused_alike(&app, "{ skills { id }", json!({}), "GRAPHQL_PARSE_FAILED").await;
        refused_alike(&app, "{ noSuchField }", json!({}), "GRAPHQL_VALIDATION_FAILED").await;
        let deep = format!("{{ __schema {{ types {{ {}name{} }} }} }}", "fields { type { ".repeat(10), " } }".repeat(10));
        refused_alike(&app, &deep, json!({}), "GRAPHQL_VALIDATION_FAILED").await;
        let directives = "{ skills @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) { id } }";
        refused_alike(&app, directives, json!({}), "GRAPHQL_VALIDATION_FAILED").await;
    }
}

api_test! {
    async fn nul_characters_are_refused_on_both_transports(app: TestApp) {
        refused_alike(&app, "{ role(slug: \"backend\\u0000\") { title } }", json!({}), "BAD_USER_INPUT").await;
        let (http, ws) = over_both(
            &app,
            "query($q: String) { roles(search: $q) { totalCount } }",
            json!({ "q": "back\u{0}end" }),
        )
        .await;
        assert_eq!(http["errors"][0]["extensions"]["field"], "q", "{http}");
        assert_eq!(ws_code(&ws), "BAD_USER_INPUT");
        assert_eq!(ws["payload"][0]["extensions"]["field"], "q", "{ws}");
        let register = app
            .graphql(
                "mutation($input: RegisterInput!) { register(input: $input) { token } }",
                json!({ "input": { "email": "nul@example.com", "password": "pass\u{0}word-long", "displayName": "N" } }),
            )
            .await;
        assert_eq!(http_code(&register), "BAD_USER_INPUT", "{register}");
        assert_eq!(register["errors"][0]["extensions"]["field"], "password");
    }
}

/// A directory with one registered document.
fn allow_list() -> std::path::PathBuf {
    let dir = crate::helpers::temp_dir("front_door_pq");
    std::fs::write(
        dir.join("skills.graphql"),
        "query Skills { skills { slug } }\n",
    )
    .unwrap();
    dir
}

api_test! {
    settings = Settings { http: HttpConfig { persisted_queries_dir: Some(allow_list()), production: true, ..HttpConfig::default() }, ..Settings::default() };
    async fn allow_list_mode_holds_on_the_socket(app: TestApp) {
        refused_alike(&app, "{ skills { id } }", json!({}), "PERSISTED_QUERY_NOT_ALLOWED").await;
        let mut ws = WsClient::connected(&app, None).await;
        ws.subscribe("1", "query Skills { skills { slug } }", json!({})).await;
        let next = ws.recv().await;
        assert_eq!(next["type"], "next", "{next}");
        assert_eq!(next["payload"]["data"]["skills"].as_array().unwrap().len(), 5, "{next}");
        assert_eq!(ws.recv().await["type"], "complete");
    }
}

api_test! {
    settings = Settings { http: HttpConfig { production: true, ..HttpConfig::default() }, ..Settings::default() };
    async fn production_switches_hold_on_the_socket(app: TestApp) {
        let (http, ws) = over_both(&app, "{ __schema { types { name } } }", json!({})).await;
        assert!(http["data"]["__schema"].is_null(), "{http}");
        if http["data"].is_null() {
            assert_eq!(ws_code(&ws), http_code(&http));
        } else {
            assert_eq!(ws["payload"], http, "the socket answers introspection as HTTP does");
        }
        assert!(!ws.to_string().contains("QueryRoot"), "{ws}");
        let (http, ws) = over_both(&app, "{ skils { id } }", json!({})).await;
        assert_eq!(ws_code(&ws), http_code(&http));
        assert!(!ws.to_string().contains("Did you mean"), "{ws}");
    }
}

api_test! {
    settings = Settings { http: HttpConfig { execution_timeout_secs: 0, ..HttpConfig::default() }, ..Settings::default() };
    async fn a_slow_query_over_the_socket_hits_the_execution_timeout(app: TestApp) {
        let query = format!("{{ roles(first: 100) {{ edges {{ node {{ {} }} }} }} }}", crate::fixtures::ROLE_FIELDS);
        refused_alike(&app, &query, json!({}), "TIMEOUT").await;
    }
}

api_test! {
    async fn socket_operations_are_counted_in_metrics(app: TestApp) {
        let scrape = || async { app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap() };
        let count = |text: &str, outcome: &str| -> f64 {
            let prefix = format!("prep_graphql_requests_total{{operation=\"WsProbe\",outcome=\"{outcome}\",transport=\"ws\"}}");
            text.lines()
                .filter(|l| l.starts_with(&prefix))
                .filter_map(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()))
                .sum()
        };
        let mut ws = WsClient::connected(&app, None).await;
        for i in 0..3 {
            ws.subscribe(&i.to_string(), "query WsProbe { skills { id } }", json!({})).await;
            assert_eq!(ws.recv().await["type"], "next");
            assert_eq!(ws.recv().await["type"], "complete");
        }
        // Refused before parsing: the name comes from `operationName`.
        let big = format!("query WsProbe {{ {} }}", "skills { id } ".repeat(2000));
        ws.send(json!({ "type": "subscribe", "id": "refused", "payload": { "query": big, "operationName": "WsProbe" } })).await;
        assert_eq!(ws_code(&ws.recv().await), "QUERY_TOO_LARGE");
        let text = scrape().await;
        assert_eq!(count(&text, "ok") + count(&text, "cached"), 3.0, "{text}");
        assert_eq!(count(&text, "refused"), 1.0, "{text}");
    }
}

api_test! {
    settings = Settings { ws: WsConfig { ws_max_message_bytes: Some(4096), ..WsConfig::default() }, ..Settings::default() };
    async fn a_message_over_the_cap_closes_the_socket_before_init(app: TestApp) {
        let mut ws = WsClient::connect(&app).await;
        let payload = "x".repeat(8192);
        ws.send(json!({ "type": "connection_init", "payload": { "pad": payload } })).await;
        let (code, _) = ws.closed().await;
        assert_eq!(code, 1009);
        // Within the cap the same socket protocol works.
        let mut ws = WsClient::connected(&app, None).await;
        ws.subscribe("1", "{ skills { id } }", json!({})).await;
        assert_eq!(ws.recv().await["type"], "next");
    }
}

/// The HTTP status of a WebSocket upgrade that the server refused, or `None` when accepted.
async fn upgrade_status(app: &TestApp) -> Option<u16> {
    let url = format!("{}/graphql", app.address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    match connect_async(request).await {
        Ok(_) => None,
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Some(response.status().as_u16())
        }
        Err(e) => panic!("unexpected upgrade failure: {e}"),
    }
}

api_test! {
    settings = Settings { ws: WsConfig { ws_max_pending_per_address: 2, ws_max_anonymous_per_address: 1, ..WsConfig::default() }, ..Settings::default() };
    async fn sockets_per_address_are_capped_before_and_after_init(app: TestApp) {
        let token = app.new_user().await;
        let mut first = WsClient::connect(&app).await;
        let _second = WsClient::connect(&app).await;
        assert_eq!(upgrade_status(&app).await, Some(429), "a third uninitialised socket");
        // Initialising moves a socket out of the pending count.
        first.init(None).await;
        // A signed-in socket then counts against its account, not the address.
        let mut signed_in = WsClient::connect(&app).await;
        signed_in.init(Some(&token)).await;
        // But only one anonymous socket per address may be acknowledged.
        let mut third = WsClient::connect(&app).await;
        third.send(json!({ "type": "connection_init", "payload": {} })).await;
        assert_eq!(third.closed().await.0, 4429);
    }
}

api_test! {
    settings = Settings { ws: WsConfig { ws_idle_timeout_secs: 1, ..WsConfig::default() }, ..Settings::default() };
    async fn an_idle_socket_is_closed_and_a_busy_one_is_not(app: TestApp) {
        let mut idle = WsClient::connected(&app, None).await;
        let (code, reason) = idle.closed().await;
        assert_eq!(code, 1000);
        assert!(reason.contains("Idle"), "{reason}");

        let token = app.new_user().await;
        let mut busy = WsClient::connected(&app, Some(&token)).await;
        busy.subscribe("events", "subscription { myStarDraftEvents { kind version } }", json!({})).await;
        tokio::time::sleep(Duration::from_millis(2500)).await;
        app.data_as(&token, "mutation { createStarDraft(input: { title: \"Kept open\" }) { id } }", json!({})).await;
        let event = busy.recv().await;
        assert_eq!(event["type"], "next", "{event}");
        assert_eq!(event["payload"]["data"]["myStarDraftEvents"]["kind"], "CREATED");
    }
}

api_test! {
    async fn the_bearer_scheme_is_case_insensitive(app: TestApp) {
        let token = app.new_user().await;
        for scheme in ["bearer", "BEARER", "Bearer"] {
            let body: Value = app
                .client
                .post(format!("{}/graphql", app.address))
                .header("authorization", format!("{scheme} {token}"))
                .json(&json!({ "query": "{ me { email } }" }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(body["data"]["me"]["email"].is_string(), "{scheme}: {body}");
        }
        let mut ws = WsClient::connect_with(&app, Some("graphql-transport-ws"), Some(&format!("bearer {token}"))).await;
        ws.init(None).await;
        ws.subscribe("1", "{ me { email } }", json!({})).await;
        assert!(ws.recv().await["payload"]["data"]["me"]["email"].is_string());
        // A malformed Authorization header on the upgrade is no anonymous pass.
        let mut ws = WsClient::connect_with(&app, Some("graphql-transport-ws"), Some("Token abc")).await;
        ws.send(json!({ "type": "connection_init", "payload": {} })).await;
        assert_eq!(ws.closed().await.0, 4403);
    }
}
