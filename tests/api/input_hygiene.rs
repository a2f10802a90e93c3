//! Input hygiene: emails and display names, canonical global IDs, and login
//! throttling that an attacker elsewhere cannot turn against an account's owner.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use prep_graphql::config::{HttpConfig, Settings};
use serde_json::{Value, json};

use crate::drafts::create_draft;
use crate::helpers::{PASSWORD, TestApp, api_test, error_code};

const REGISTER: &str = "mutation($input: RegisterInput!) { register(input: $input) { token user { email displayName } } }";
const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { token } }";

async fn register(app: &TestApp, email: &str, name: &str) -> Value {
    app.graphql(
        REGISTER,
        json!({ "input": { "email": email, "password": PASSWORD, "displayName": name } }),
    )
    .await
}

/// The field a BAD_USER_INPUT error names.
fn refused_field(body: &Value) -> &str {
    assert_eq!(error_code(body), "BAD_USER_INPUT", "{body:#}");
    assert!(body["data"].is_null(), "{body:#}");
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("")
}

fn unique() -> String {
    prep_graphql::secrets::random_hex(6)
}

api_test! {
    async fn emails_are_canonical_and_lookalikes_are_refused(app: TestApp) {
        let id = unique();
        let body = register(&app, &format!("  Ada.{id}@Example.COM "), "Ada").await;
        assert_eq!(body["data"]["register"]["user"]["email"], format!("ada.{id}@example.com"), "{body:#}");
        // The same address in another case is the same account, at registration and at login.
        let again = register(&app, &format!("ADA.{id}@example.com"), "Ada").await;
        assert_eq!(refused_field(&again), "email");
        assert!(again["errors"][0]["message"].as_str().unwrap().contains("already registered"), "{again:#}");
        let login = app
            .graphql(LOGIN, json!({ "input": { "email": format!(" ada.{ID}@EXAMPLE.com", ID = id.to_uppercase()), "password": PASSWORD } }))
            .await;
        assert!(login["data"]["login"]["token"].is_string(), "{login:#}");

        for email in [
            format!("p\u{430}ypal-{id}@example.com"),  // Cyrillic a
            format!("\u{ff41}da-{id}@example.com"),    // fullwidth a
            format!("ada-{id}\u{200b}@example.com"),   // zero-width space
            format!("ada-{id}@b\u{fc}cher.example"),   // non-ASCII domain (use xn--)
            format!("ada-{id}\u{7}@example.com"),      // BEL
            format!("ada {id}@example.com"),           // inner space
            format!("ada-{id}\u{a0}x@example.com"),    // no-break space
        ] {
            let body = register(&app, &email, "Ada").await;
            assert_eq!(refused_field(&body), "email", "{email:?}");
        }
    }
}

api_test! {
    async fn display_names_must_be_visible_and_free_of_control_characters(app: TestApp) {
        let body = register(&app, &format!("zoe-{}@example.com", unique()), " Zoe\u{308} ").await;
        // Stored in NFC: the decomposed ë comes back composed.
        assert_eq!(body["data"]["register"]["user"]["displayName"], "Zo\u{eb}", "{body:#}");
        // Marks on a letter are fine, and so is right-to-left text itself.
        let body = register(&app, &format!("ren-{}@example.com", unique()), "Ren\u{e9}e \u{5e9}\u{5dc}\u{5d5}\u{5dd}").await;
        assert_eq!(body["data"]["register"]["user"]["displayName"], "Ren\u{e9}e \u{5e9}\u{5dc}\u{5d5}\u{5dd}", "{body:#}");
        for name in ["\u{200b}\u{200d}\u{2060}", "\u{3164}", "\u{feff} \u{200e}", "Ada\u{1b}[2J", "Ada\u{0}", "A\u{7f}",
            // Marks with no letter to sit on, blank letters and symbols, bidi overrides.
            "\u{301}", "\u{301}\u{301}", "\u{17b4}", "\u{1d159}", "\u{202e}gnp.exe", "Ada\u{2066}x"] {
            let body = register(&app, &format!("name-{}@example.com", unique()), name).await;
            assert_eq!(refused_field(&body), "displayName", "{name:?}");
        }
    }
}

api_test! {
    async fn only_the_canonical_spelling_of_a_global_id_resolves(app: TestApp) {
        let token = app.new_user().await;
        let id = create_draft(&app, &token, json!({ "title": "mine" })).await;
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(&id).unwrap()).unwrap();
        let (kind, key) = text.split_once(':').unwrap();
        assert_eq!(kind, "StarDraft");
        let node = "query($id: ID!) { node(id: $id) { id ... on StarDraft { title } } }";
        let draft = "query($id: ID!) { starDraft(id: $id) { id title } }";
        let canonical = app.data_as(&token, node, json!({ "id": id })).await;
        assert_eq!(canonical["node"]["title"], "mine");
        assert_eq!(app.data_as(&token, draft, json!({ "id": id })).await["starDraft"]["title"], "mine");

        for spelling in [
            format!("StarDraft:0{key}"),
            format!("StarDraft:000{key}"),
            format!("StarDraft:+{key}"),
            format!("StarDraft: {key}"),
            format!("StarDraft:{key} "),
            format!(" StarDraft:{key}"),
        ] {
            let other = URL_SAFE_NO_PAD.encode(&spelling);
            for query in [node, draft] {
                let body = app.graphql_as(Some(&token), query, json!({ "id": other })).await;
                assert_eq!(refused_field(&body), "id", "{spelling:?} in {query}");
            }
        }
        // Padding is another spelling of the same bytes.
        let padded = format!("{id}=");
        let body = app.graphql_as(Some(&token), draft, json!({ "id": padded })).await;
        assert_eq!(refused_field(&body), "id");
    }
}

/// A login with `X-Forwarded-For: forwarded` (the test trusts 127.0.0.1 as a proxy).
async fn login_from(app: &TestApp, forwarded: &str, email: &str, password: &str) -> Value {
    app.client
        .post(format!("{}/graphql", app.address))
        .header("x-forwarded-for", forwarded)
        .json(&json!({ "query": LOGIN, "variables": { "input": { "email": email, "password": password } } }))
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
        ..Settings::default()
    };
    async fn failures_elsewhere_do_not_lock_the_owner_out(app: TestApp) {
        let email = format!("owner-{}@example.com", unique());
        app.register(&email).await;
        // An attacker at A fails more than the per-email limit (5).
        for _ in 0..6 {
            let body = login_from(&app, "203.0.113.66", &email, "wrong password!").await;
            assert!(body["data"].is_null(), "{body:#}");
        }
        // A is locked out of that account, even with the right password...
        let attacker = login_from(&app, "203.0.113.66", &email, PASSWORD).await;
        assert_eq!(error_code(&attacker), "RATE_LIMITED", "{attacker:#}");
        // ...the owner at B is not, and the email may be spelled in another case.
        let owner = login_from(&app, "198.51.100.20", &email.to_uppercase(), PASSWORD).await;
        assert!(owner["data"]["login"]["token"].is_string(), "{owner:#}");
    }
}

api_test! {
    async fn a_nul_in_a_variable_default_is_refused_and_writes_nothing(app: TestApp) {
        let token = app.new_user().await;
        // Each document leaves its variable out, so the default is what would run.
        let cases = [
            (r#"query($slug: String! = "x\u0000y") { role(slug: $slug) { title } }"#, "slug"),
            (r#"query($q: String = "x\u0000y") { roles(search: $q) { totalCount } }"#, "q"),
            (r#"query($s: String = "x\u0000y") { roles(skill: $s) { totalCount } }"#, "s"),
            (
                r#"mutation($i: LoginInput! = { email: "a\u0000@example.com", password: "correct horse battery" }) { login(input: $i) { token } }"#,
                "email",
            ),
            (r#"mutation($t: String = "x\u0000y") { createStarDraft(input: { title: $t }) { id } }"#, "t"),
            (
                r#"mutation($i: CreateStarDraftInput! = { title: "x\u0000y" }) { createStarDraft(input: $i) { id } }"#,
                "title",
            ),
            (
                r#"mutation($c: [String!] = ["ownership", "x\u0000y"]) { createStarDraft(input: { competencies: $c }) { id } }"#,
                "c",
            ),
        ];
        for (query, field) in cases {
            let body = app.graphql_as(Some(&token), query, json!({})).await;
            assert_eq!(refused_field(&body), field, "{query}");
        }
        let drafts = app.data_as(&token, "{ myStarDrafts(first: 10) { edges { node { id } } } }", json!({})).await;
        assert_eq!(drafts["myStarDrafts"]["edges"], json!([]), "nothing was written");
    }
}
