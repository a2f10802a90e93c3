//! HTTP caching of public reads: an anonymous GET of a public query carries
//! `Cache-Control: public`, a strong `ETag` and gets 304 for it; everything
//! that depends on the viewer, any POST and any error is `private, no-store`.

use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT_ENCODING, AUTHORIZATION, CACHE_CONTROL, CONTENT_ENCODING, ETAG, HeaderMap,
    IF_NONE_MATCH, VARY,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::fixtures::import_generated_roles;
use crate::helpers::{TestApp, api_test, error_code};

/// Counts every role: changes with every import of a new role.
const ROLES: &str = "{ roles(first: 100) { totalCount edges { node { slug title } } } }";

const PUBLIC: &str = "public, max-age=60, stale-while-revalidate=60";
const PRIVATE: &str = "private, no-store";

/// `GET /graphql` with `params` (URL-encoded) and extra `headers`.
async fn get(
    app: &TestApp,
    params: &[(&str, String)],
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(params);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

async fn get_query(app: &TestApp, query: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    get(app, &[("query", query.to_owned())], headers).await
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> &str {
    headers
        .get(&name)
        .unwrap_or_else(|| panic!("no {name} in {headers:?}"))
        .to_str()
        .unwrap()
}

/// The tokens of every `Vary` header, lowercase.
fn vary(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(VARY)
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .collect()
}

fn assert_private(headers: &HeaderMap, what: &str) {
    assert_eq!(header(headers, CACHE_CONTROL), PRIVATE, "{what}");
    assert!(headers.get(ETAG).is_none(), "{what}: no ETag");
}

fn total(body: &Value) -> i64 {
    body["data"]["roles"]["totalCount"]
        .as_i64()
        .expect("totalCount")
}

api_test! {
    async fn a_public_get_may_be_kept_by_shared_caches_under_a_stable_etag(app: TestApp) {
        let first = get_query(&app, ROLES, &[]).await;
        assert_eq!(first.status(), 200);
        let headers = first.headers().clone();
        assert_eq!(header(&headers, CACHE_CONTROL), PUBLIC);
        let etag = header(&headers, ETAG).to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "a strong tag: {etag}");
        let tokens = vary(&headers);
        for token in ["accept", "accept-encoding", "authorization"] {
            assert!(tokens.iter().any(|t| t == token), "Vary has {token}: {tokens:?}");
        }
        let body: Value = first.json().await.unwrap();
        assert!(body["errors"].is_null(), "{body}");

        // Again (now from the response cache): the same tag and body.
        let again = get_query(&app, ROLES, &[]).await;
        assert_eq!(header(again.headers(), ETAG), etag);
        assert_eq!(again.json::<Value>().await.unwrap(), body);

        // Another document or other variables: another tag.
        let other = get_query(&app, "{ roles(first: 99) { totalCount } }", &[]).await;
        assert_ne!(header(other.headers(), ETAG), etag);
        let with_vars = get(&app, &[
            ("query", "query($n: Int) { roles(first: $n) { totalCount } }".to_owned()),
            ("variables", json!({ "n": 3 }).to_string()),
        ], &[]).await;
        let with_other_vars = get(&app, &[
            ("query", "query($n: Int) { roles(first: $n) { totalCount } }".to_owned()),
            ("variables", json!({ "n": 4 }).to_string()),
        ], &[]).await;
        assert_ne!(header(with_vars.headers(), ETAG), header(with_other_vars.headers(), ETAG));
    }
}

api_test! {
    async fn a_matching_if_none_match_gets_304_without_running_anything(app: TestApp) {
        app.know_content_version().await;
        let etag = header(get_query(&app, ROLES, &[]).await.headers(), ETAG).to_owned();
        app.reset_statements();
        let revalidated = get_query(&app, ROLES, &[("if-none-match", &etag)]).await;
        assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
        let headers = revalidated.headers().clone();
        assert_eq!(header(&headers, ETAG), etag);
        assert_eq!(header(&headers, CACHE_CONTROL), PUBLIC, "the 304 refreshes the cache's copy");
        assert!(vary(&headers).iter().any(|t| t == "authorization"));
        assert!(revalidated.bytes().await.unwrap().is_empty());
        let (count, sql) = app.statements();
        assert_eq!(count, 0, "a 304 runs no SQL:\n{}", sql.join("\n"));

        // A list of tags and a weak form match too; a foreign tag does not.
        let list = format!("\"nope\", W/{etag}");
        assert_eq!(get_query(&app, ROLES, &[("if-none-match", &list)]).await.status(), 304);
        let other = get_query(&app, ROLES, &[("if-none-match", "\"nope\"")]).await;
        assert_eq!(other.status(), 200);
        assert_eq!(header(other.headers(), ETAG), etag);
    }
}

api_test! {
    async fn an_import_changes_the_etag_and_the_next_revalidation_gets_the_new_answer(app: TestApp) {
        let first = get_query(&app, ROLES, &[]).await;
        let etag = header(first.headers(), ETAG).to_owned();
        let before: Value = first.json().await.unwrap();

        import_generated_roles(&app.db, 1).await;
        app.content_caught_up().await;

        let revalidated = get_query(&app, ROLES, &[("if-none-match", &etag)]).await;
        assert_eq!(revalidated.status(), 200, "the copy is stale now");
        let new_etag = header(revalidated.headers(), ETAG).to_owned();
        assert_ne!(new_etag, etag);
        assert_eq!(header(revalidated.headers(), CACHE_CONTROL), PUBLIC);
        let after: Value = revalidated.json().await.unwrap();
        assert_eq!(total(&after), total(&before) + 1, "{after}");
        // And the new tag is stable.
        let again = get_query(&app, ROLES, &[("if-none-match", &new_etag)]).await;
        assert_eq!(again.status(), 304);
    }
}

api_test! {
    async fn compressed_representations_have_tags_of_their_own(app: TestApp) {
        import_generated_roles(&app.db, 3).await;
        app.content_caught_up().await;
        // Above --compress-min-bytes, so it is compressed when accepted.
        const ROLES: &str = "{ roles(first: 100) { edges { node { slug title summary questions { prompt } faqs { question answer } } } } }";
        let plain = get_query(&app, ROLES, &[]).await;
        assert!(plain.headers().get(CONTENT_ENCODING).is_none());
        let plain_tag = header(plain.headers(), ETAG).to_owned();
        for encoding in ["br", "gzip"] {
            let coded = get_query(&app, ROLES, &[(ACCEPT_ENCODING.as_str(), encoding)]).await;
            assert_eq!(header(coded.headers(), CONTENT_ENCODING), encoding);
            let tag = header(coded.headers(), ETAG).to_owned();
            assert_eq!(tag, format!("{}-{encoding}\"", plain_tag.trim_end_matches('"')));
            assert_eq!(header(coded.headers(), CACHE_CONTROL), PUBLIC);
            let not_modified = get_query(&app, ROLES, &[
                (ACCEPT_ENCODING.as_str(), encoding),
                (IF_NONE_MATCH.as_str(), &tag),
            ]).await;
            assert_eq!(not_modified.status(), 304, "{encoding}");
            assert_eq!(header(not_modified.headers(), ETAG), tag);
        }
    }
}

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

api_test! {
    async fn apq_over_get_is_cacheable_by_hash_and_a_miss_is_not(app: TestApp) {
        let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256(ROLES) } }).to_string();
        let by_hash = [("extensions", extensions.clone())];

        let miss = get(&app, &by_hash, &[]).await;
        assert_private(miss.headers(), "PERSISTED_QUERY_NOT_FOUND must not be kept");
        assert_eq!(error_code(&miss.json::<Value>().await.unwrap()), "PERSISTED_QUERY_NOT_FOUND");

        let registered = get(&app, &[("query", ROLES.to_owned()), ("extensions", extensions.clone())], &[]).await;
        assert_eq!(header(registered.headers(), CACHE_CONTROL), PUBLIC);
        let by_text_tag = header(registered.headers(), ETAG).to_owned();

        let hit = get(&app, &by_hash, &[]).await;
        assert_eq!(hit.status(), 200);
        assert_eq!(header(hit.headers(), CACHE_CONTROL), PUBLIC);
        assert_eq!(header(hit.headers(), ETAG), by_text_tag, "the same document, the same tag");
        assert!(hit.json::<Value>().await.unwrap()["errors"].is_null());
        let revalidated = get(&app, &by_hash, &[("if-none-match", &by_text_tag)]).await;
        assert_eq!(revalidated.status(), 304);
    }
}

api_test! {
    async fn viewer_reads_signed_in_requests_posts_and_errors_are_private(app: TestApp) {
        let token = app.new_user().await;
        let bearer = format!("Bearer {token}");

        let signed_in = get_query(&app, ROLES, &[(AUTHORIZATION.as_str(), &bearer)]).await;
        assert_eq!(signed_in.status(), 200);
        assert_private(signed_in.headers(), "a signed-in GET");
        assert!(vary(signed_in.headers()).iter().any(|t| t == "authorization"));
        assert!(signed_in.json::<Value>().await.unwrap()["errors"].is_null());

        // Even with the tag of the public answer: no 304 for a signed-in request.
        let etag = header(get_query(&app, ROLES, &[]).await.headers(), ETAG).to_owned();
        let conditional = get_query(&app, ROLES, &[
            (AUTHORIZATION.as_str(), &bearer),
            (IF_NONE_MATCH.as_str(), &etag),
        ]).await;
        assert_eq!(conditional.status(), 200);
        assert_private(conditional.headers(), "a signed-in conditional GET");

        let viewer = get_query(&app, "{ me { id } }", &[]).await;
        assert_eq!(viewer.status(), 200);
        assert_private(viewer.headers(), "a viewer field, anonymous");
        let mixed = get_query(&app, "{ roles(first: 1) { totalCount } myStarDrafts { totalCount } }", &[
            (AUTHORIZATION.as_str(), &bearer),
        ]).await;
        assert_private(mixed.headers(), "a viewer field, signed in");

        let post = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": ROLES }))
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), 200);
        assert_private(post.headers(), "a POST of a public query");

        let failed = get_query(&app, "{ roles(first: 100000) { totalCount } }", &[]).await;
        assert_private(failed.headers(), "an answer with errors");
        assert_eq!(error_code(&failed.json::<Value>().await.unwrap()), "BAD_USER_INPUT");

        let mutation = get_query(&app, "mutation { logout }", &[]).await;
        assert_eq!(mutation.status(), 405);
        assert_private(mutation.headers(), "a mutation over GET");
    }
}

api_test! {
    settings = {
        let mut settings = prep_graphql::config::Settings::default();
        settings.http.response_cache_entries = 0;
        settings.http.http_cache_max_age_secs = 5;
        settings.http.http_cache_swr_secs = 0;
        settings
    };
    async fn with_the_response_cache_off_public_gets_still_carry_tags(app: TestApp) {
        let first = get_query(&app, ROLES, &[]).await;
        assert_eq!(header(first.headers(), CACHE_CONTROL), "public, max-age=5");
        let etag = header(first.headers(), ETAG).to_owned();
        assert_eq!(get_query(&app, ROLES, &[("if-none-match", &etag)]).await.status(), 304);
    }
}
