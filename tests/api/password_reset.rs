//! Password reset by a mailed one-time link, read from a test SMTP server.

use std::sync::atomic::Ordering;
use std::time::Duration;

use prep_graphql::config::{AuthConfig, HttpConfig, MailConfig, Settings};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, TestDatabase, api_test, error_code, new_email};
use crate::smtp::{TestSmtp, body_text, reset_secret};
use crate::subscriptions::subscribe;
use crate::ws_client::WsClient;

const REQUEST: &str = "mutation($e: String!) { requestPasswordReset(email: $e) }";
const RESET: &str = "mutation($s: String!, $n: String!) { resetPassword(secret: $s, new: $n) }";
const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { token } }";
const PUBLIC: &str = "https://prep.example";

/// Settings that send mail to `smtp`.
fn mail_settings(smtp: &TestSmtp, auth: AuthConfig) -> Settings {
    Settings {
        auth,
        mail: MailConfig {
            smtp_url: Some(smtp.url.clone()),
            public_url: PUBLIC.to_owned(),
            mail_poll_secs: 1,
            mail_retry_base_secs: 1,
            ..MailConfig::default()
        },
        ..Settings::default()
    }
}

/// Declares a test on both backends with a test SMTP server and a server
/// sending to it (`$auth` its auth settings).
macro_rules! mail_test {
    (auth = $auth:expr; async fn $name:ident($app:ident, $smtp:ident) $body:block) => {
        mod $name {
            use super::*;

            async fn run(backend: Backend) {
                let $smtp = TestSmtp::start().await;
                let $app = TestApp::spawn_with(backend, mail_settings(&$smtp, $auth)).await;
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if crate::helpers::postgres_url().is_none() {
                    eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL variant not run");
                    return;
                }
                run(Backend::Postgres).await;
            }
        }
    };
}

async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    app.graphql(
        LOGIN,
        json!({ "input": { "email": email, "password": password } }),
    )
    .await
}

mail_test! {
    auth = AuthConfig::default();
    async fn a_mailed_link_resets_the_password_once_and_ends_every_session(app, smtp) {
        let email = new_email();
        let token = app.register(&email).await;
        let mut tab = WsClient::connected(&app, Some(&token)).await;
        subscribe(&app, &mut tab, "all", "subscription { myStarDraftEvents { kind } }", json!({})).await;

        let asked = app.data(REQUEST, json!({ "e": email.to_uppercase() })).await;
        assert_eq!(asked["requestPasswordReset"], true);
        let mail = smtp.next_message().await;
        assert!(mail.contains(&format!("To: {email}")), "{mail}");
        assert!(body_text(&mail).contains(&format!("{PUBLIC}/reset-password#secret=")), "{mail}");
        let secret = reset_secret(&mail);
        assert_eq!(secret.len(), 43, "256 bits, base64url");

        // A bad new password is refused and uses nothing up.
        let short = app.graphql(RESET, json!({ "s": secret, "n": "short" })).await;
        assert_eq!(error_code(&short), "BAD_USER_INPUT");
        assert_eq!(short["errors"][0]["extensions"]["field"], "new");
        assert!(login(&app, &email, PASSWORD).await["data"]["login"]["token"].is_string());

        let done = app.data(RESET, json!({ "s": secret, "n": "a brand new password" })).await;
        assert_eq!(done["resetPassword"], true);
        assert_eq!(error_code(&app.graphql_as(Some(&token), "{ me { email } }", json!({})).await), "UNAUTHENTICATED");
        assert_eq!(tab.closed().await.0, 4403);
        assert_eq!(error_code(&login(&app, &email, PASSWORD).await), "UNAUTHENTICATED");
        assert!(login(&app, &email, "a brand new password").await["data"]["login"]["token"].is_string());

        // Used once; a made-up secret is the same error.
        for secret in [secret.as_str(), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "nope"] {
            let again = app.graphql(RESET, json!({ "s": secret, "n": "yet another password" })).await;
            assert_eq!(error_code(&again), "BAD_USER_INPUT", "{again}");
            assert_eq!(again["errors"][0]["extensions"]["field"], "secret");
        }
        // Sent mails leave the outbox.
        assert_eq!(entity::mail_outbox::Entity::find().count(&app.db).await.unwrap(), 0);
    }
}

mail_test! {
    auth = AuthConfig::default();
    async fn an_unknown_email_gets_the_same_answer_and_no_mail(app, smtp) {
        let known = new_email();
        app.register(&known).await;
        let unknown = app.graphql(REQUEST, json!({ "e": new_email() })).await;
        let existing = app.graphql(REQUEST, json!({ "e": known })).await;
        assert_eq!(unknown, existing, "the same answer either way");
        assert_eq!(unknown, json!({ "data": { "requestPasswordReset": true } }));
        let mail = smtp.next_message().await;
        assert!(mail.contains(&format!("To: {known}")), "the one mail is the account's: {mail}");
        assert!(smtp.message_within(Duration::from_secs(2)).await.is_none(), "no mail for the unknown email");
        // Bad input is refused alike, whoever asks.
        let bad = app.graphql(REQUEST, json!({ "e": "not an email" })).await;
        assert_eq!(error_code(&bad), "BAD_USER_INPUT");
        assert_eq!(bad["errors"][0]["extensions"]["field"], "email");
    }
}

mail_test! {
    auth = AuthConfig { reset_requests_per_email: 2, reset_requests_per_address: 4, ..AuthConfig::default() };
    async fn reset_requests_are_throttled_per_email_and_per_address(app, smtp) {
        let _ = &smtp;
        let email = new_email();
        for _ in 0..2 {
            app.data(REQUEST, json!({ "e": email })).await;
        }
        let third = app.graphql(REQUEST, json!({ "e": email })).await;
        assert_eq!(error_code(&third), "RATE_LIMITED");
        assert!(third["errors"][0]["extensions"]["retryAfterSeconds"].as_u64().unwrap() > 0);
        // Per address: two more emails fill the address's four.
        app.data(REQUEST, json!({ "e": new_email() })).await;
        app.data(REQUEST, json!({ "e": new_email() })).await;
        let fifth = app.graphql(REQUEST, json!({ "e": new_email() })).await;
        assert_eq!(error_code(&fifth), "RATE_LIMITED");
    }
}

mail_test! {
    auth = AuthConfig::default();
    async fn a_mail_server_that_is_down_delays_the_mail_and_loses_nothing(app, smtp) {
        smtp.refusing.store(true, Ordering::SeqCst);
        let email = new_email();
        app.register(&email).await;
        app.data(REQUEST, json!({ "e": email })).await;
        // The failed attempt is recorded and the mail kept.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let rows = entity::mail_outbox::Entity::find().all(&app.db).await.unwrap();
            if rows.first().is_some_and(|m| m.attempts >= 1 && m.last_error.is_some()) {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "no failed attempt recorded: {rows:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        smtp.refusing.store(false, Ordering::SeqCst);
        let mail = smtp.next_message().await;
        assert!(mail.contains(&format!("To: {email}")));
        let secret = reset_secret(&mail);
        app.data(RESET, json!({ "s": secret, "n": "a brand new password" })).await;
    }
}

api_test! {
    settings = Settings { http: HttpConfig { production: true, ..HttpConfig::default() }, ..Settings::default() };
    async fn production_without_a_mail_server_refuses_reset_clearly(app: TestApp) {
        let body = app.graphql(REQUEST, json!({ "e": new_email() })).await;
        assert_eq!(error_code(&body), "FORBIDDEN");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("mail server"), "{body}");
    }
}

/// The whole reset through the real binary at debug level: the secret is in
/// the mail and nowhere in the server's log.
async fn the_secret_never_reaches_the_log(backend: Backend) {
    use tokio::io::AsyncReadExt;
    let smtp = TestSmtp::start().await;
    let database = TestDatabase::create(backend).await;
    // A free port: taken and given back (the server binds it right after).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("http://127.0.0.1:{port}");
    let bind = format!("127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_prep-graphql"))
        .args([
            "serve",
            "--bind",
            &bind,
            "--smtp-url",
            &smtp.url,
            "--public-url",
            PUBLIC,
        ])
        .env("DATABASE_URL", &database.url)
        .env("RUST_LOG", "debug")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_task = tokio::spawn(async move {
        let mut all = Vec::new();
        let _ = stdout.read_to_end(&mut all).await;
        String::from_utf8_lossy(&all).into_owned()
    });
    let err_task = tokio::spawn(async move {
        let mut all = Vec::new();
        let _ = stderr.read_to_end(&mut all).await;
        String::from_utf8_lossy(&all).into_owned()
    });
    let client = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while client
        .get(format!("{address}/healthz"))
        .send()
        .await
        .is_err()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server did not listen"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let call = |query: &'static str, variables: Value| {
        let (client, address) = (client.clone(), address.clone());
        async move {
            client
                .post(format!("{address}/graphql"))
                .json(&json!({ "query": query, "variables": variables }))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let email = new_email();
    let registered = call(
        "mutation($e: String!) { register(input: { email: $e, password: \"correct horse battery\", displayName: \"L\" }) { token } }",
        json!({ "e": email }),
    )
    .await;
    assert!(
        registered["data"]["register"]["token"].is_string(),
        "{registered}"
    );
    call(REQUEST, json!({ "e": email })).await;
    let secret = reset_secret(&smtp.next_message().await);
    let done = call(RESET, json!({ "s": secret, "n": "a brand new password" })).await;
    assert_eq!(done["data"]["resetPassword"], true, "{done}");
    child.kill().await.unwrap();
    let log = out_task.await.unwrap() + &err_task.await.unwrap();
    assert!(log.contains("graphql"), "the log was captured: {log}");
    assert!(!log.contains(&secret), "the reset secret is in the log");
    let hash = prep_graphql::secrets::hash_token(&secret);
    assert!(!log.contains(&hash), "the secret's hash is in the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reset_secret_never_reaches_the_log_sqlite() {
    the_secret_never_reaches_the_log(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reset_secret_never_reaches_the_log_postgres() {
    if crate::helpers::postgres_url().is_none() {
        return;
    }
    the_secret_never_reaches_the_log(Backend::Postgres).await;
}
