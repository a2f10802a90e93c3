//! Accounts: register, login, logout, me, bad tokens and login throttling.

use prep_graphql::config::{AuthConfig, Settings};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, api_test, error_code, new_email};

const ME: &str = "{ me { id email displayName createdAt } }";
const LOGIN: &str =
    "mutation($input: LoginInput!) { login(input: $input) { token user { email } } }";

async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    app.graphql(
        LOGIN,
        json!({ "input": { "email": email, "password": password } }),
    )
    .await
}

async fn register(app: &TestApp, email: &str, password: &str, name: &str) -> Value {
    app.graphql(
        "mutation($input: RegisterInput!) { register(input: $input) { token } }",
        json!({ "input": { "email": email, "password": password, "displayName": name } }),
    )
    .await
}

api_test! {
    async fn register_login_me_and_logout(app: TestApp) {
        let body = app
            .graphql(
                "mutation($input: RegisterInput!) { register(input: $input) { token user { email displayName } } }",
                json!({ "input": { "email": "  Ada.Lovelace@Example.COM ", "password": PASSWORD, "displayName": " Ada " } }),
            )
            .await;
        let payload = &body["data"]["register"];
        assert_eq!(payload["user"], json!({ "email": "ada.lovelace@example.com", "displayName": "Ada" }));
        let first = payload["token"].as_str().unwrap().to_owned();
        assert!(first.len() >= 43, "a token carries at least 256 bits");

        let me = app.data_as(&first, ME, json!({})).await;
        assert_eq!(me["me"]["email"], "ada.lovelace@example.com");

        let body = login(&app, "ADA.lovelace@example.com", PASSWORD).await;
        let second = body["data"]["login"]["token"].as_str().unwrap().to_owned();
        assert_ne!(first, second);

        let out = app.data_as(&first, "mutation { logout }", json!({})).await;
        assert_eq!(out["logout"], true);
        let revoked = app.graphql_as(Some(&first), ME, json!({})).await;
        assert_eq!(error_code(&revoked), "UNAUTHENTICATED");
        // Revoking one session leaves the others.
        let me = app.data_as(&second, ME, json!({})).await;
        assert_eq!(me["me"]["email"], "ada.lovelace@example.com");
    }
}

api_test! {
    async fn registration_checks_each_field(app: TestApp) {
        let cases = [
            (register(&app, "not-an-email", PASSWORD, "A").await, "email"),
            (register(&app, &new_email(), "short", "A").await, "password"),
            (register(&app, &new_email(), "123456789", "A").await, "password"),
            (register(&app, &new_email(), PASSWORD, "   ").await, "displayName"),
        ];
        for (body, field) in cases {
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body:#}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field);
        }
        app.register("taken@example.com").await;
        let body = register(&app, "  TAKEN@example.com", PASSWORD, "Twin").await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        assert_eq!(body["errors"][0]["extensions"]["field"], "email");
        assert!(body["data"].is_null());
    }
}

api_test! {
    async fn registration_reports_every_bad_field_at_once(app: TestApp) {
        let body = register(&app, "not-an-email", "short", "   ").await;
        assert!(body["data"].is_null(), "{body:#}");
        let errors = body["errors"].as_array().unwrap();
        let fields: Vec<&str> = errors
            .iter()
            .map(|e| e["extensions"]["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["email", "password", "displayName"], "{body:#}");
        for error in errors {
            assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body:#}");
            let field = error["extensions"]["field"].as_str().unwrap();
            assert!(error["message"].as_str().unwrap().starts_with(&format!("{field}: ")), "{error}");
        }
        // Nothing was created: the same email with good fields registers.
        let ok = register(&app, "fine@example.com", PASSWORD, "Fine").await;
        assert!(ok["errors"].is_null(), "{ok:#}");
    }
}

api_test! {
    async fn wrong_password_and_unknown_email_fail_alike(app: TestApp) {
        let email = new_email();
        app.register(&email).await;
        let wrong = login(&app, &email, "not the password").await;
        let unknown = login(&app, &new_email(), PASSWORD).await;
        for body in [&wrong, &unknown] {
            assert_eq!(error_code(body), "UNAUTHENTICATED");
            assert_eq!(body["errors"][0]["message"], "invalid email or password");
            assert!(body["data"].is_null());
        }
    }
}

api_test! {
    async fn bad_tokens_are_refused_and_no_token_is_anonymous(app: TestApp) {
        let anonymous = app.data("{ me { id } role(slug: \"backend-developer\") { title } }", json!({})).await;
        assert_eq!(anonymous["me"], Value::Null);
        assert_eq!(anonymous["role"]["title"], "Backend Developer");

        for header in ["Bearer not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer "] {
            let response = app
                .client
                .post(format!("{}/graphql", app.address))
                .header("Authorization", header)
                .json(&json!({ "query": "{ role(slug: \"backend-developer\") { title } }" }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 401, "{header}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(error_code(&body), "UNAUTHENTICATED", "{header}");
            assert!(body.get("data").is_none_or(Value::is_null), "public data must not leak past a bad token");
        }
    }
}

api_test! {
    settings = Settings { auth: AuthConfig { session_ttl_secs: 0, ..AuthConfig::default() }, ..Settings::default() };
    async fn an_expired_token_is_unauthenticated(app: TestApp) {
        let token = app.new_user().await;
        let body = app.graphql_as(Some(&token), ME, json!({})).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
    }
}

api_test! {
    settings = Settings {
        auth: AuthConfig { login_failures_per_email: 3, login_failures_per_address: 5, ..AuthConfig::default() },
        ..Settings::default()
    };
    async fn failed_logins_are_rate_limited_per_email_and_per_address(app: TestApp) {
        let email = new_email();
        app.register(&email).await;
        for _ in 0..3 {
            assert_eq!(error_code(&login(&app, &email, "wrong password!").await), "UNAUTHENTICATED");
        }
        // Past the limit even the right password is refused, with the wait.
        let limited = login(&app, &email, PASSWORD).await;
        assert_eq!(error_code(&limited), "RATE_LIMITED");
        let wait = limited["errors"][0]["extensions"]["retryAfterSeconds"].as_u64().unwrap();
        assert!((1..=900).contains(&wait), "{wait}");

        // Other emails from the same address: 3 failures counted already, 2 left.
        let other = new_email();
        app.register(&other).await;
        assert_eq!(error_code(&login(&app, &other, "wrong password!").await), "UNAUTHENTICATED");
        assert_eq!(error_code(&login(&app, &new_email(), "wrong password!").await), "UNAUTHENTICATED");
        assert_eq!(error_code(&login(&app, &other, PASSWORD).await), "RATE_LIMITED");
    }
}
