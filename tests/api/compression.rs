//! Responses are compressed (br or gzip) when the client accepts it and they are
//! big enough; the app's prebuilt `.br` / `.gz` files are sent as they are, and
//! so are the compressed forms the response cache stores with an answer.

use std::io::Read as _;

use prep_graphql::config::{HttpConfig, Settings};
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use serde_json::{Value, json};

use crate::fixtures::{ROLE_FIELDS, import_generated_roles};
use crate::helpers::{TestApp, api_test, temp_dir};
use crate::ws_client::WsClient;

/// An answer of several KiB: every type's name and description.
const BIG_QUERY: &str = "{ __schema { types { name description fields { name description } } } }";

pub(crate) fn decode(encoding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "br" => {
            brotli::Decompressor::new(body, 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        "gzip" => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut out)
                .unwrap();
        }
        other => panic!("unexpected encoding {other}"),
    }
    out
}

fn brotli(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::CompressorReader::new(body, 4096, 9, 22)
        .read_to_end(&mut out)
        .unwrap();
    out
}

api_test! {
    async fn graphql_answers_are_compressed_when_accepted(app: TestApp) {
        let plain = post(&app, BIG_QUERY, None).await;
        assert_eq!(plain.status(), 200);
        assert!(plain.headers().get(CONTENT_ENCODING).is_none(), "no Accept-Encoding, no compression");
        let plain = plain.bytes().await.unwrap();
        let expected: Value = serde_json::from_slice(&plain).unwrap();
        assert!(expected["errors"].is_null(), "{expected}");
        assert!(plain.len() > 4096, "the answer is big enough to compress: {} bytes", plain.len());

        for (accept, encoding) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
            // Twice: the second answer is the response cache's stored form.
            for round in 0..2 {
                let response = post(&app, BIG_QUERY, Some(accept)).await;
                assert_eq!(response.status(), 200);
                assert_eq!(response.headers()[CONTENT_ENCODING], encoding, "{accept} #{round}");
                assert!(response.headers()[VARY].to_str().unwrap().contains("accept-encoding"));
                assert!(response.headers()[CONTENT_TYPE].to_str().unwrap().contains("json"));
                let body = response.bytes().await.unwrap();
                assert!(body.len() * 3 < plain.len(), "{accept}: {} of {} bytes", body.len(), plain.len());
                let decoded: Value = serde_json::from_slice(&decode(encoding, &body)).unwrap();
                assert_eq!(decoded, expected, "{accept} #{round}");
            }
        }

        // A small answer goes as it is: below --compress-min-bytes it saves too little.
        let small = post(&app, "{ __typename }", Some("br")).await;
        assert!(small.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(small.json::<Value>().await.unwrap()["data"]["__typename"], "QueryRoot");
    }
}

/// POSTs `query`, with `Accept-Encoding: encoding` when given.
async fn post(app: &TestApp, query: &str, encoding: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": query }));
    if let Some(encoding) = encoding {
        request = request.header(ACCEPT_ENCODING, encoding);
    }
    request.send().await.unwrap()
}

/// The sum of the `/metrics` samples of `name` whose labels include every one of `labels`.
async fn metric(app: &TestApp, name: &str, labels: &[&str]) -> f64 {
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
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .filter(|l| labels.iter().all(|label| l.contains(label)))
        .filter_map(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()))
        .sum()
}

/// HTTP answers sent from the response cache in `encoding`, from `source` (stored, compressed).
async fn sent(app: &TestApp, encoding: &str, source: &str) -> f64 {
    let encoding = format!("encoding=\"{encoding}\"");
    let source = format!("source=\"{source}\"");
    metric(app, "prep_response_cache_sent_total", &[&encoding, &source]).await
}

api_test! {
    async fn cached_answers_are_sent_from_their_stored_compressed_forms(app: TestApp) {
        import_generated_roles(&app.db, 6).await;
        let query = format!("query RoleList {{ roles(first: 100) {{ edges {{ node {{ {ROLE_FIELDS} }} }} }} }}");

        // Computed and cached; no Accept-Encoding: the JSON itself.
        let first = post(&app, &query, None).await;
        assert_eq!(first.status(), 200);
        assert!(first.headers().get(CONTENT_ENCODING).is_none());
        let plain = first.bytes().await.unwrap();
        let expected: Value = serde_json::from_slice(&plain).unwrap();
        assert!(expected["errors"].is_null(), "{expected}");
        assert!(plain.len() > 8192, "a large answer: {} bytes", plain.len());

        for encoding in ["br", "gzip"] {
            let mut bodies = Vec::new();
            for round in 0..3 {
                let response = post(&app, &query, Some(encoding)).await;
                assert_eq!(response.status(), 200);
                assert_eq!(response.headers()[CONTENT_ENCODING], encoding, "#{round}");
                assert!(response.headers()[VARY].to_str().unwrap().contains("accept-encoding"));
                assert!(response.headers()[CONTENT_TYPE].to_str().unwrap().contains("json"));
                let body = response.bytes().await.unwrap();
                assert!(body.len() * 4 < plain.len(), "{encoding}: {} of {} bytes", body.len(), plain.len());
                assert_eq!(decode(encoding, &body), plain, "{encoding} #{round} decodes to the answer");
                bodies.push(body);
            }
            assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{encoding}: the same stored bytes");
            // Compressed for the first of these hits only; the later ones sent what was stored.
            assert_eq!(sent(&app, encoding, "compressed").await, 1.0, "{encoding}");
            assert_eq!(sent(&app, encoding, "stored").await, 2.0, "{encoding}");
        }
        let hits = metric(&app, "prep_graphql_requests_total", &["operation=\"RoleList\"", "outcome=\"cached\""]).await;
        assert_eq!(hits, 6.0, "every request after the first was a cache hit");

        // The client's weights decide, br first when equal; q=0 refuses a coding.
        for (accept, encoding) in [
            ("gzip;q=0.8, br;q=0.5", "gzip"),
            ("br;q=0, *", "gzip"),
            ("gzip, br", "br"),
            ("*", "br"),
        ] {
            let response = post(&app, &query, Some(accept)).await;
            assert_eq!(response.headers()[CONTENT_ENCODING], encoding, "{accept}");
            assert_eq!(decode(encoding, &response.bytes().await.unwrap()), plain, "{accept}");
        }
        assert_eq!(sent(&app, "br", "compressed").await + sent(&app, "gzip", "compressed").await, 2.0);

        // Identity asked for, or every coding refused: the JSON, never compressed on the way out.
        for accept in ["identity", "br;q=0, gzip;q=0", "identity, br;q=0.5", "deflate"] {
            let response = post(&app, &query, Some(accept)).await;
            assert_eq!(response.status(), 200);
            assert!(response.headers().get(CONTENT_ENCODING).is_none(), "{accept}");
            assert!(response.headers()[VARY].to_str().unwrap().contains("accept-encoding"), "{accept}");
            assert_eq!(response.bytes().await.unwrap(), plain, "{accept}");
        }
        assert_eq!(sent(&app, "identity", "stored").await, 5.0);

        // The WebSocket carries the same cached answer as plain JSON.
        let mut ws = WsClient::connected(&app, None).await;
        ws.subscribe("1", &query, json!({})).await;
        let text = ws.recv_text().await;
        assert!(text.contains(std::str::from_utf8(&plain).unwrap()), "the JSON as stored");
        let message: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(message["type"], "next");
        assert_eq!(message["payload"], expected);
        let ws_hits = metric(&app, "prep_graphql_requests_total", &["operation=\"RoleList\"", "outcome=\"cached\"", "transport=\"ws\""]).await;
        assert_eq!(ws_hits, 1.0);
    }
}

api_test! {
    async fn a_small_cached_answer_is_not_compressed(app: TestApp) {
        let query = "query Skills { skills { id } }";
        for _ in 0..2 {
            let response = post(&app, query, Some("br, gzip")).await;
            assert_eq!(response.status(), 200);
            assert!(response.headers().get(CONTENT_ENCODING).is_none());
            let body = response.bytes().await.unwrap();
            assert!(body.len() < 1024, "{} bytes: under --compress-min-bytes", body.len());
            let value: Value = serde_json::from_slice(&body).unwrap();
            assert!(!value["data"]["skills"].as_array().unwrap().is_empty());
        }
        let hits = metric(&app, "prep_graphql_requests_total", &["operation=\"Skills\"", "outcome=\"cached\""]).await;
        assert_eq!(hits, 1.0, "the second was a cache hit");
        for encoding in ["br", "gzip", "identity"] {
            assert_eq!(sent(&app, encoding, "compressed").await + sent(&app, encoding, "stored").await, 0.0);
        }
    }
}

fn with_threshold(min_bytes: u16) -> Settings {
    Settings {
        http: HttpConfig {
            compress_min_bytes: min_bytes,
            ..HttpConfig::default()
        },
        ..Settings::default()
    }
}

api_test! {
    settings = with_threshold(8);
    async fn the_threshold_is_a_setting(app: TestApp) {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header(ACCEPT_ENCODING, "gzip")
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[CONTENT_ENCODING], "gzip");
        let body = response.bytes().await.unwrap();
        let decoded: Value = serde_json::from_slice(&decode("gzip", &body)).unwrap();
        assert_eq!(decoded["data"]["__typename"], "QueryRoot");
    }
}

/// A build with a big script, its prebuilt `.br` (marked so it is told apart from
/// one made per request), and a big stylesheet with no prebuilt files.
fn built_spa(script: &str, prebuilt_br: &[u8], style: &str) -> std::path::PathBuf {
    let dir = temp_dir("spa_compressed");
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>app</title>").unwrap();
    std::fs::write(dir.join("assets/index-1a2b.js"), script).unwrap();
    std::fs::write(dir.join("assets/index-1a2b.js.br"), prebuilt_br).unwrap();
    std::fs::write(dir.join("assets/index-1a2b.css"), style).unwrap();
    dir
}

fn script() -> String {
    "console.log('the app');\n".repeat(200)
}

/// The prebuilt file holds a different (still valid) script, so the test can tell it was sent.
fn prebuilt_script() -> String {
    format!("{}// prebuilt\n", script())
}

fn style() -> String {
    ".card { padding: 1rem; }\n".repeat(200)
}

fn spa_settings() -> Settings {
    let mut settings = with_threshold(1024);
    settings.http.spa_dir = Some(built_spa(
        &script(),
        &brotli(prebuilt_script().as_bytes()),
        &style(),
    ));
    settings
}

api_test! {
    settings = spa_settings();
    async fn app_assets_use_their_prebuilt_compressed_files(app: TestApp) {
        let get = |path: &str, encoding: Option<&str>| {
            let mut request = app.client.get(format!("{}{path}", app.address)).header(ACCEPT, "*/*");
            if let Some(encoding) = encoding {
                request = request.header(ACCEPT_ENCODING, encoding);
            }
            request.send()
        };

        // br accepted: the prebuilt file, as it is.
        let response = get("/assets/index-1a2b.js", Some("br")).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()[CONTENT_ENCODING], "br");
        assert!(response.headers()[CONTENT_TYPE].to_str().unwrap().contains("javascript"));
        let body = response.bytes().await.unwrap();
        assert_eq!(String::from_utf8(decode("br", &body)).unwrap(), prebuilt_script());

        // No Accept-Encoding: the file itself.
        let response = get("/assets/index-1a2b.js", None).await.unwrap();
        assert!(response.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(response.text().await.unwrap(), script());

        // gzip accepted but no prebuilt .gz: compressed on the way out instead.
        let response = get("/assets/index-1a2b.js", Some("gzip")).await.unwrap();
        assert_eq!(response.headers()[CONTENT_ENCODING], "gzip");
        let body = response.bytes().await.unwrap();
        assert_eq!(String::from_utf8(decode("gzip", &body)).unwrap(), script());

        let response = get("/assets/index-1a2b.css", Some("br")).await.unwrap();
        assert_eq!(response.headers()[CONTENT_ENCODING], "br");
        let body = response.bytes().await.unwrap();
        assert_eq!(String::from_utf8(decode("br", &body)).unwrap(), style());
    }
}

/// Whether `response` says it varies by `Accept-Encoding`.
fn varies_by_encoding(response: &reqwest::Response) -> bool {
    response.headers().get_all(VARY).iter().any(|v| {
        v.to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-encoding")
    })
}

api_test! {
    settings = spa_settings();
    async fn the_favicon_the_feed_and_prebuilt_files_are_compressed_and_vary_by_encoding(app: TestApp) {
        let get = |path: String, encoding: Option<&str>| {
            let mut request = app.client.get(format!("{}{path}", app.address)).header(ACCEPT, "*/*");
            if let Some(encoding) = encoding {
                request = request.header(ACCEPT_ENCODING, encoding);
            }
            request.send()
        };

        // A prebuilt .br and the file itself: one URL, two bodies, so a cache must key on the encoding.
        for encoding in [Some("br"), None] {
            let response = get("/assets/index-1a2b.js".into(), encoding).await.unwrap();
            assert!(varies_by_encoding(&response), "{encoding:?}: {:?}", response.headers());
        }

        // The favicon, an uncompressed bitmap, as br and gzip.
        const ICON: &[u8] = include_bytes!("../../src/http/favicon.ico");
        for encoding in ["br", "gzip"] {
            let response = get("/favicon.ico".into(), Some(encoding)).await.unwrap();
            assert_eq!(response.headers()[CONTENT_ENCODING], encoding);
            assert!(varies_by_encoding(&response));
            let body = response.bytes().await.unwrap();
            assert!(body.len() < ICON.len() / 2, "{encoding}: {} bytes", body.len());
            assert_eq!(decode(encoding, &body), ICON);
        }
        let response = get("/favicon.ico".into(), None).await.unwrap();
        assert!(response.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(response.bytes().await.unwrap(), ICON);

        // The calendar feed, compressed like any answer above the threshold.
        let token = app.new_user().await;
        let at = chrono::Utc::now() + chrono::Duration::days(30);
        crate::interviews::schedule(&app, &token, &at.format("%Y-%m-%dT09:00:00Z").to_string(), "Europe/London").await;
        let path = app.data_as(&token, "mutation { rotateCalendarToken }", json!({})).await
            ["rotateCalendarToken"].as_str().unwrap().to_owned();
        let plain = get(path.clone(), None).await.unwrap();
        assert!(plain.headers().get(CONTENT_ENCODING).is_none());
        let plain = plain.text().await.unwrap();
        assert!(plain.len() >= 1024, "{} bytes", plain.len());
        let response = get(path, Some("gzip")).await.unwrap();
        assert_eq!(response.headers()[CONTENT_ENCODING], "gzip");
        assert!(varies_by_encoding(&response));
        let body = response.bytes().await.unwrap();
        assert_eq!(String::from_utf8(decode("gzip", &body)).unwrap(), plain);
    }
}
