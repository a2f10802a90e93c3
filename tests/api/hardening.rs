//! Production hardening: attack documents, the HTTP spec, CSRF and CORS,
//! production mode, persisted queries, metrics, readiness and timeouts.

use std::time::Duration;

use prep_graphql::config::{HttpConfig, Settings};
use prep_graphql::http::operation::persisted::hash;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, api_test, new_email};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// POSTs raw `body` with `content_type` and `accept`.
async fn post_raw(
    app: &TestApp,
    body: impl Into<reqwest::Body>,
    content_type: &str,
    accept: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", content_type)
        .body(body);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    request.send().await.unwrap()
}

async fn post_query(
    app: &TestApp,
    query: &str,
    accept: Option<&str>,
) -> (StatusCode, String, Value) {
    let response = post_raw(
        app,
        json!({ "query": query }).to_string(),
        "application/json",
        accept,
    )
    .await;
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, content_type, body)
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

api_test! {
    async fn an_ide_introspection_query_fits_the_default_depth_limit(app: TestApp) {
        // GraphiQL's introspection nests type references 14 levels deep.
        let query = format!(
            "{{ __schema {{ types {{ fields {{ type {{ {}name{} }} }} }} }} }}",
            "ofType { ".repeat(9),
            " }".repeat(9)
        );
        let (status, _, body) = post_query(&app, &query, Some(GRAPHQL_RESPONSE)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["data"]["__schema"]["types"].as_array().is_some_and(|t| !t.is_empty()), "{body}");
    }
}

api_test! {
    async fn aliased_schema_introspection_is_refused_as_too_complex(app: TestApp) {
        let accept = Some(GRAPHQL_RESPONSE);
        // What an over-complex document gets: 10^6 under the default limit of 250,000.
        let nested = format!(
            "{{ role(slug: \"backend-developer\") {{ {}id{} }} }}",
            "keySkills { roles { ".repeat(3),
            " } }".repeat(3)
        );
        let (complex_status, _, body) = post_query(&app, &nested, accept).await;
        let complex_code = code(&body).to_owned();
        assert_eq!((complex_status, complex_code.as_str()), (StatusCode::BAD_REQUEST, "GRAPHQL_VALIDATION_FAILED"), "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("too complex"), "{body}");

        // 50 aliased __schema in ~5.5 KB: each would answer the whole schema.
        let one = "types { name kind fields { name args { name } type { name kind ofType { name kind } } } }";
        let fifty = format!(
            "{{ {} }}",
            (0..50).map(|i| format!("s{i}: __schema {{ {one} }}")).collect::<Vec<_>>().join(" ")
        );
        assert!(fifty.len() < 6000, "{}", fifty.len());
        let (status, _, body) = post_query(&app, &fifty, accept).await;
        assert_eq!((status, code(&body)), (complex_status, complex_code.as_str()), "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("too complex"), "{body}");
        assert!(body.get("data").is_none_or(Value::is_null), "{body}");
        // Also when the copies hide in a fragment.
        let fragment = format!(
            "{{ ...F }} fragment F on QueryRoot {{ {} }}",
            (0..3).map(|i| format!("s{i}: __schema {{ {one} }}")).collect::<Vec<_>>().join(" ")
        );
        let (status, _, body) = post_query(&app, &fragment, accept).await;
        assert_eq!((status, code(&body)), (complex_status, complex_code.as_str()), "{body}");

        // One introspection query, as an IDE sends it, still answers.
        let ide = format!(
            "query IntrospectionQuery {{ __schema {{ queryType {{ name }} mutationType {{ name }} subscriptionType {{ name }} \
             types {{ kind name description fields(includeDeprecated: true) {{ name args {{ name type {{ {}name{} }} }} \
             type {{ {}name{} }} }} }} directives {{ name locations args {{ name }} }} }} }}",
            "kind ofType { ".repeat(6), " }".repeat(6), "kind ofType { ".repeat(6), " }".repeat(6)
        );
        let (status, _, body) = post_query(&app, &ide, accept).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["__schema"]["queryType"]["name"], "QueryRoot", "{body}");
    }
}

api_test! {
    async fn attack_documents_are_refused_cheaply(app: TestApp) {
        let accept = Some(GRAPHQL_RESPONSE);
        // 10,000 levels deep.
        let deep = format!("{}{}", "{ a ".repeat(10_000), "}".repeat(10_000));
        let (status, _, body) = post_query(&app, &deep, accept).await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "QUERY_TOO_LARGE"), "{body}");

        // Too deep for the depth limit, yet small.
        let nested = format!(
            "{{ role(slug: \"backend-developer\") {{ {}id{} }} }}",
            "keySkills { roles { ".repeat(8),
            " } }".repeat(8)
        );
        let (status, _, body) = post_query(&app, &nested, accept).await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "GRAPHQL_VALIDATION_FAILED"), "{body}");

        // 1,000 aliases, and 60 (under the token limit, over the alias limit).
        let aliases = |n: usize| format!("{{ {} }}", (0..n).map(|i| format!("a{i}: skills {{ id }}")).collect::<Vec<_>>().join(" "));
        let (status, _, body) = post_query(&app, &aliases(1000), accept).await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "QUERY_TOO_LARGE"));
        let (status, _, body) = post_query(&app, &aliases(60), accept).await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "QUERY_TOO_LARGE"));
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("aliases"), "{body}");

        // Circular fragments.
        let circular = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
        let (status, _, body) = post_query(&app, circular, accept).await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "GRAPHQL_VALIDATION_FAILED"), "{body}");

        // A 1 MiB document: past the body limit.
        let huge = format!("{{ skills {{ id }} }} #{}", "x".repeat(1 << 20));
        let (status, _, body) = post_query(&app, &huge, accept).await;
        assert_eq!((status, code(&body)), (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE"));

        // A batch of 1,000.
        let batch: Vec<Value> = (0..1000).map(|_| json!({ "query": "{ skills { id } }" })).collect();
        let response = post_raw(&app, Value::Array(batch).to_string(), "application/json", accept).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);

        // An endless chunked body gets 413 as soon as the limit is passed.
        assert_eq!(endless_body_status(&app).await, 413);

        // The server still serves.
        let (status, _, body) = post_query(&app, "{ skills { name } }", accept).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"]["skills"].as_array().unwrap().len(), 5);
    }
}

/// Streams a chunked body that never ends and returns the status the server answers with.
async fn endless_body_status(app: &TestApp) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let tcp = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    let (mut read, mut write) = tcp.into_split();
    let writer = tokio::spawn(async move {
        let head = "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        if write.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
        while write.write_all(chunk.as_bytes()).await.is_ok() {}
    });
    let mut buf = vec![0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(10), read.read(&mut buf))
        .await
        .expect("an answer before the body ends")
        .unwrap();
    writer.abort();
    let head = String::from_utf8_lossy(&buf[..n]).to_string();
    head.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{head}"))
}

api_test! {
    async fn the_full_role_page_fits_the_default_limits(app: TestApp) {
        let query = format!(
            "query RolePage {{ roles(first: 100) {{ totalCount edges {{ node {{ {} }} }} }} }}",
            crate::fixtures::ROLE_FIELDS
        );
        let (status, _, body) = post_query(&app, &query, Some(GRAPHQL_RESPONSE)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
    }
}

api_test! {
    async fn responses_follow_the_graphql_over_http_spec(app: TestApp) {
        let (status, content_type, _) = post_query(&app, "{ skills { id } }", Some(GRAPHQL_RESPONSE)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with(GRAPHQL_RESPONSE), "{content_type}");
        let (_, content_type, _) = post_query(&app, "{ skills { id } }", Some("application/json")).await;
        assert!(content_type.starts_with("application/json"), "{content_type}");
        let (status, _, _) = post_query(&app, "{ skills { id } }", Some("text/html")).await;
        assert_eq!(status, StatusCode::NOT_ACCEPTABLE);

        // Parse and validation errors: 4xx with graphql-response+json, 200 with application/json.
        let (status, _, body) = post_query(&app, "{ skills { id ", Some(GRAPHQL_RESPONSE)).await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "GRAPHQL_PARSE_FAILED"));
        let (status, _, body) = post_query(&app, "{ skills { id ", Some("application/json")).await;
        assert_eq!((status, code(&body)), (StatusCode::OK, "GRAPHQL_PARSE_FAILED"));
        let (status, _, body) = post_query(&app, "{ nope }", Some(GRAPHQL_RESPONSE)).await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "GRAPHQL_VALIDATION_FAILED"));
        let (status, _, _) = post_query(&app, "{ nope }", Some("application/json")).await;
        assert_eq!(status, StatusCode::OK);

        // Malformed JSON is 400; a non-JSON body is 415.
        let response = post_raw(&app, "{\"query\": ", "application/json", None).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let response = post_raw(&app, "{ skills { id } }", "application/graphql", None).await;
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

        // GET with every parameter of the spec.
        let get = |params: Vec<(&'static str, String)>| {
            app.client.get(format!("{}/graphql", app.address)).query(&params).send()
        };
        let response = get(vec![
            ("query", "query A($s: String!) { role(slug: $s) { title } } query B { skills { id } }".into()),
            ("operationName", "A".into()),
            ("variables", json!({ "s": "backend-developer" }).to_string()),
            ("extensions", "{}".into()),
        ])
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["data"]["role"]["title"], "Backend Developer");
        let response = get(vec![("query", "{ skills { id } }".into()), ("variables", "{not json".into())]).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let response = get(vec![("query", "mutation { logout }".into())]).await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()["allow"], "POST");
    }
}

api_test! {
    async fn a_cross_site_simple_request_changes_nothing(app: TestApp) {
        // A form or text/plain POST needs no preflight in a browser: it must be refused.
        let email = new_email();
        let mutation = json!({ "query": format!(
            "mutation {{ register(input: {{ email: \"{email}\", password: \"correct horse battery\", displayName: \"X\" }}) {{ token }} }}"
        ) })
        .to_string();
        for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
            let response = post_raw(&app, mutation.clone(), content_type, None).await;
            assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}");
        }
        // Nothing was registered: the email is still free.
        app.register(&email).await;
    }
}

api_test! {
    settings = Settings { http: HttpConfig { cors_origins: vec!["https://app.example".into()], ..HttpConfig::default() }, ..Settings::default() };
    async fn cors_allows_only_listed_origins(app: TestApp) {
        let preflight = |origin: &'static str| {
            app.client
                .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type, authorization")
                .send()
        };
        let allowed = preflight("https://app.example").await.unwrap();
        assert_eq!(allowed.headers()["access-control-allow-origin"], "https://app.example");
        let refused = preflight("https://evil.example").await.unwrap();
        assert!(refused.headers().get("access-control-allow-origin").is_none());
    }
}

api_test! {
    async fn without_configured_origins_no_cors_headers_are_sent(app: TestApp) {
        let response = app
            .client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("origin", "https://app.example")
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert!(response.headers().get("access-control-allow-origin").is_none());
    }
}

api_test! {
    settings = Settings { http: HttpConfig { production: true, ..HttpConfig::default() }, ..Settings::default() };
    async fn production_mode_hides_introspection_suggestions_and_ides(app: TestApp) {
        let body = app.graphql("{ __schema { types { name } } }", json!({})).await;
        assert_eq!(body["data"]["__schema"], Value::Null, "{body}");
        assert!(!body.to_string().contains("QueryRoot"), "{body}");
        let body = app.graphql("{ skils { id } }", json!({})).await;
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(!message.contains("Did you mean"), "{message}");
        for path in ["/playground", "/graphiql", "/"] {
            let response = app.client.get(format!("{}{path}", app.address)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }
}

api_test! {
    async fn outside_production_mode_suggestions_and_introspection_work(app: TestApp) {
        let body = app.graphql("{ skils { id } }", json!({})).await;
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("Did you mean"), "{body}");
        let data = app.data("{ __schema { queryType { name } } }", json!({})).await;
        assert_eq!(data["__schema"]["queryType"]["name"], "QueryRoot");
    }
}

api_test! {
    async fn automatic_persisted_queries_miss_register_and_hit(app: TestApp) {
        let query = "{ skills { slug } }";
        let sha = hash(query);
        let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha } });
        let send = |body: Value| post_raw(&app, body.to_string(), "application/json", None);

        let miss: Value = send(json!({ "extensions": ext })).await.json().await.unwrap();
        assert_eq!(code(&miss), "PERSISTED_QUERY_NOT_FOUND");
        let registered: Value = send(json!({ "query": query, "extensions": ext })).await.json().await.unwrap();
        assert_eq!(registered["data"]["skills"].as_array().unwrap().len(), 5);
        let hit: Value = send(json!({ "extensions": ext })).await.json().await.unwrap();
        assert_eq!(hit["data"], registered["data"]);
        // Also over GET, as Apollo clients send hashed queries.
        let response = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[("extensions", ext.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.json::<Value>().await.unwrap()["data"], registered["data"]);
        let wrong: Value = send(json!({ "query": "{ skills { id } }", "extensions": ext })).await.json().await.unwrap();
        assert_eq!(code(&wrong), "BAD_USER_INPUT");
    }
}

/// The value of the unlabelled metric `name` in a `/metrics` scrape.
async fn gauge(app: &TestApp, name: &str) -> f64 {
    let text = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {name} in {text}"))
        .parse()
        .unwrap()
}

api_test! {
    settings = Settings { http: HttpConfig { apq_cache_max_bytes: 2000, ..HttpConfig::default() }, ..Settings::default() };
    async fn persisted_queries_store_only_checked_documents_within_a_byte_bound(app: TestApp) {
        let send = |query: Option<&str>, sha: &str| {
            let mut body = json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha } } });
            if let Some(query) = query {
                body["query"] = json!(query);
            }
            post_raw(&app, body.to_string(), "application/json", None)
        };
        // Over the token limit (4,000), under the document and body limits.
        let long = format!("{{ {} }}", "skills { id } ".repeat(1500));
        let sha = hash(&long);
        let refused: Value = send(Some(&long), &sha).await.json().await.unwrap();
        assert_eq!(code(&refused), "QUERY_TOO_LARGE", "{refused}");
        let later: Value = send(None, &sha).await.json().await.unwrap();
        assert_eq!(code(&later), "PERSISTED_QUERY_NOT_FOUND", "the refused document was stored: {later}");
        // One that fails to parse is not stored either.
        let broken = "{ skills { id } ";
        let _ = send(Some(broken), &hash(broken)).await;
        let later: Value = send(None, &hash(broken)).await.json().await.unwrap();
        assert_eq!(code(&later), "PERSISTED_QUERY_NOT_FOUND", "{later}");
        assert_eq!(gauge(&app, "prep_apq_cache_bytes").await, 0.0);

        // Ten documents of ~500 bytes against a 2,000-byte bound: the oldest go.
        let docs: Vec<String> = (0..10)
            .map(|i| format!("query Q{i} {{ skills {{ id }} }} # {}", "x".repeat(450)))
            .collect();
        for doc in &docs {
            let ok: Value = send(Some(doc), &hash(doc)).await.json().await.unwrap();
            assert_eq!(ok["data"]["skills"].as_array().unwrap().len(), 5, "{ok}");
            let bytes = gauge(&app, "prep_apq_cache_bytes").await;
            assert!(bytes > 0.0 && bytes <= 2000.0, "{bytes}");
        }
        let first: Value = send(None, &hash(&docs[0])).await.json().await.unwrap();
        assert_eq!(code(&first), "PERSISTED_QUERY_NOT_FOUND", "{first}");
        let last: Value = send(None, &hash(&docs[9])).await.json().await.unwrap();
        assert_eq!(last["data"]["skills"].as_array().unwrap().len(), 5, "{last}");
    }
}

/// A directory with one registered document.
fn allow_list_dir() -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("prep_pq_{}", prep_graphql::secrets::random_hex(6)));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("skills.graphql"),
        "query Skills { skills { slug } }\n",
    )
    .unwrap();
    dir
}

api_test! {
    settings = Settings { http: HttpConfig { persisted_queries_dir: Some(allow_list_dir()), ..HttpConfig::default() }, ..Settings::default() };
    async fn allow_list_mode_runs_only_registered_documents(app: TestApp) {
        let registered = "query Skills { skills { slug } }";
        let by_hash = json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash(registered) } } });
        let response = post_raw(&app, by_hash.to_string(), "application/json", None).await;
        assert_eq!(response.json::<Value>().await.unwrap()["data"]["skills"].as_array().unwrap().len(), 5);
        let by_text = app.data(registered, json!({})).await;
        assert_eq!(by_text["skills"].as_array().unwrap().len(), 5);

        let response = post_raw(&app, json!({ "query": "{ skills { id } }" }).to_string(), "application/json", Some(GRAPHQL_RESPONSE)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(code(&response.json().await.unwrap()), "PERSISTED_QUERY_NOT_ALLOWED");
    }
}

api_test! {
    async fn metrics_are_exposed_and_move(app: TestApp) {
        let scrape = || async { app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap() };
        // Every outcome of the probe (the first is "ok", repeats are "cached").
        let count = |text: &str| -> f64 {
            text.lines()
                .filter(|l| l.starts_with("prep_graphql_requests_total{operation=\"MetricsProbe\""))
                .filter_map(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()))
                .sum()
        };
        let before = count(&scrape().await);
        for _ in 0..3 {
            app.data("query MetricsProbe { skills { id } }", json!({})).await;
        }
        let text = scrape().await;
        assert_eq!(count(&text) - before, 3.0, "{text}");
        for name in ["prep_graphql_request_duration_seconds_bucket", "prep_db_pool_connections", "prep_ws_connections", "prep_ws_operations"] {
            assert!(text.contains(name), "{name} missing:\n{text}");
        }
    }
}

api_test! {
    settings = Settings { http: HttpConfig { execution_timeout_secs: 0, ..HttpConfig::default() }, ..Settings::default() };
    async fn an_operation_past_the_execution_timeout_is_cut_off(app: TestApp) {
        // A page of every role field takes longer than the zero-second budget.
        let query = format!("{{ roles(first: 100) {{ edges {{ node {{ {} }} }} }} }}", crate::fixtures::ROLE_FIELDS);
        let body = app.graphql(&query, json!({})).await;
        assert_eq!(code(&body), "TIMEOUT", "{body}");
    }
}

api_test! {
    async fn readiness_reports_a_ready_server(app: TestApp) {
        let response = app.client.get(format!("{}/readyz", app.address)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let response = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}

api_test! {
    settings = Settings { http: HttpConfig { header_read_timeout_secs: 1, ..HttpConfig::default() }, ..Settings::default() };
    async fn a_client_that_never_finishes_its_headers_is_disconnected(app: TestApp) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut tcp = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
        tcp.write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        let mut buf = [0u8; 1024];
        let read = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match tcp.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(read.is_ok(), "the server kept a connection with unfinished headers");
    }
}

api_test! {
    settings = Settings { http: HttpConfig { max_concurrent_operations: 1, ..HttpConfig::default() }, ..Settings::default() };
    async fn operations_past_the_concurrency_cap_wait_their_turn(app: TestApp) {
        use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
        let create = "mutation($input: CreateStarDraftInput!) { createStarDraft(input: $input) { title } }";
        let (alice, bob) = (app.new_user().await, app.new_user().await);
        // Another connection holds the drafts table, so a draft's insert blocks
        // in the database, keeping its turn to execute until the commit.
        let blocker = app.database.connect().await;
        let hold = blocker.begin().await.unwrap();
        let lock = match blocker.get_database_backend() {
            DbBackend::Postgres => "LOCK TABLE star_drafts IN EXCLUSIVE MODE",
            _ => "UPDATE content_version SET version = version",
        };
        hold.execute_unprepared(lock).await.unwrap();
        let waiting = || async {
            let text = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
            text.lines().find_map(|l| l.strip_prefix("prep_graphql_operations_waiting ")).map(|v| v.trim().to_owned())
        };
        let release = async {
            // With one turn, whichever mutation arrives second waits for it.
            let deadline = std::time::Instant::now() + Duration::from_secs(8);
            let mut seen = None;
            while std::time::Instant::now() < deadline {
                seen = waiting().await;
                if seen.as_deref() == Some("1") {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            hold.commit().await.unwrap();
            seen
        };
        let (a, b, seen) = tokio::join!(
            app.graphql_as(Some(&alice), create, json!({ "input": { "title": "alice's" } })),
            app.graphql_as(Some(&bob), create, json!({ "input": { "title": "bob's" } })),
            release,
        );
        assert_eq!(seen.as_deref(), Some("1"), "one operation waited for its turn");
        assert_eq!(a["data"]["createStarDraft"]["title"], "alice's", "{a}");
        assert_eq!(b["data"]["createStarDraft"]["title"], "bob's", "{b}");
        assert_eq!(waiting().await.as_deref(), Some("0"));
    }
}
