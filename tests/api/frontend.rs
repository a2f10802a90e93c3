//! What the server gives browsers besides the API: the single-page app from
//! `--spa-dir`, and the IDEs' assets, local when installed, else from the CDN.

use std::path::PathBuf;

use prep_graphql::config::{HttpConfig, Settings};
use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::helpers::{api_test, temp_dir};

const INDEX_HTML: &str = "<!doctype html><title>app</title><div id=root></div>";
const APP_JS: &str = "console.log('app');";

/// A built app as the bundler leaves it: `index.html` and hashed assets.
fn built_spa() -> PathBuf {
    let dir = temp_dir("spa");
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), INDEX_HTML).unwrap();
    std::fs::write(dir.join("assets/index-3f2a.js"), APP_JS).unwrap();
    std::fs::write(dir.join(".env"), "SECRET=1").unwrap();
    dir
}

/// A `node_modules` holding every IDE asset; each file's text is its own name.
fn installed_ide_assets() -> PathBuf {
    let dir = temp_dir("ide_assets");
    for (name, file) in prep_graphql::http::ide::asset_files() {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, format!("/* {name} */")).unwrap();
    }
    dir
}

fn http(configure: impl FnOnce(&mut HttpConfig)) -> Settings {
    let mut http = HttpConfig::default();
    configure(&mut http);
    Settings {
        http,
        ..Settings::default()
    }
}

api_test! {
    settings = http(|h| h.spa_dir = Some(built_spa()));
    async fn the_spa_is_served_beside_the_api(app: TestApp) {
        let get = |path: &str, accept: &str| {
            app.client.get(format!("{}{path}", app.address)).header(ACCEPT, accept).send()
        };
        let html = "text/html,application/xhtml+xml,*/*;q=0.8";

        let root = get("/", html).await.unwrap();
        assert_eq!(root.status(), 200);
        assert_eq!(root.headers()[CACHE_CONTROL], "no-cache");
        assert_eq!(root.headers()["x-frame-options"], "DENY");
        assert_eq!(root.headers()["content-security-policy"], "frame-ancestors 'none'");
        assert_eq!(root.text().await.unwrap(), INDEX_HTML);

        // The app's own routes load the app, so reloads and shared links work.
        for path in ["/roles/backend-developer", "/drafts/abc", "/signin"] {
            let page = get(path, html).await.unwrap();
            assert_eq!(page.status(), 200, "{path}");
            assert_eq!(page.text().await.unwrap(), INDEX_HTML, "{path}");
        }

        let script = get("/assets/index-3f2a.js", "*/*").await.unwrap();
        assert_eq!(script.status(), 200);
        assert!(script.headers()[CONTENT_TYPE].to_str().unwrap().contains("javascript"));
        assert_eq!(script.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
        assert_eq!(script.headers()["x-content-type-options"], "nosniff");
        assert_eq!(script.text().await.unwrap(), APP_JS);

        // A missing file is 404, not the app, when it is not a page navigation.
        assert_eq!(get("/assets/index-0000.js", "*/*").await.unwrap().status(), 404);
        assert_eq!(get("/assets/index-0000.js", html).await.unwrap().status(), 404);
        // The icon is the server's own, whatever the app's build holds.
        let icon = get("/favicon.ico", "image/*").await.unwrap();
        assert_eq!(icon.status(), 200);
        assert_eq!(icon.headers()[CONTENT_TYPE], "image/x-icon");
        assert_eq!(&icon.bytes().await.unwrap()[..4], &[0, 0, 1, 0], "an ICO file");
        // Hidden files are never served, not even as a page navigation.
        for path in ["/.env", "/%2eenv", "/assets/../.env"] {
            let hidden = get(path, html).await.unwrap();
            assert_eq!(hidden.status(), 404, "{path}");
            assert!(!hidden.text().await.unwrap().contains("SECRET"), "{path}");
        }

        // The API and the IDEs keep their paths.
        let body: Value = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": "{ role(slug: \"backend-developer\") { title } }" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["data"]["role"]["title"], "Backend Developer");
        let playground = get("/playground", html).await.unwrap().text().await.unwrap();
        assert!(playground.contains("GraphQLPlayground.init"));
    }
}

api_test! {
    async fn without_a_spa_the_root_opens_the_playground(app: TestApp) {
        let root = app.client.get(format!("{}/", app.address)).send().await.unwrap();
        assert_eq!(root.url().path(), "/playground");
        let other = app
            .client
            .get(format!("{}/roles/x", app.address))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 404);
    }
}

/// Why the server refuses to start with `--spa-dir dir`.
async fn refusal(dir: &std::path::Path) -> String {
    let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
    let error =
        prep_graphql::http::state::AppState::new(db, http(|h| h.spa_dir = Some(dir.to_owned())))
            .err()
            .expect("the directory is refused");
    let message = error.to_string();
    assert!(message.contains(&dir.display().to_string()), "{message}");
    message
}

#[tokio::test]
async fn a_spa_dir_that_is_not_a_built_app_is_refused_at_start() {
    let empty = temp_dir("spa_empty");
    assert!(refusal(&empty).await.contains("no index.html"));

    // The app's source folder has an index.html too, but is not for serving.
    let source = built_spa();
    std::fs::write(source.join("package.json"), "{}").unwrap();
    assert!(refusal(&source).await.contains("source folder"));
}

api_test! {
    settings = http(|h| h.ide_assets_dir = installed_ide_assets());
    async fn installed_ide_assets_are_served_locally(app: TestApp) {
        let get = |path: &str| app.client.get(format!("{}{path}", app.address)).send();
        for (path, assets) in [
            ("/graphiql", ["react.js", "react-dom.js", "graphiql.js", "graphiql.css"].as_slice()),
            ("/playground", ["playground.js", "playground.css"].as_slice()),
        ] {
            let page = get(path).await.unwrap();
            assert_eq!(page.headers()[CACHE_CONTROL], "no-cache");
            let html = page.text().await.unwrap();
            assert!(!html.contains("cdn.jsdelivr.net"), "{path} loads nothing from the CDN");
            assert!(html.contains("query RolePage"), "{path} opens the example query");
            for asset in assets {
                assert!(html.contains(&format!("/ide/assets/{asset}?v=")), "{path} loads {asset}");
            }
        }

        let script = get("/ide/assets/graphiql.js?v=4.1.2").await.unwrap();
        assert_eq!(script.status(), 200);
        assert!(script.headers()[CONTENT_TYPE].to_str().unwrap().contains("javascript"));
        assert_eq!(script.headers()[CACHE_CONTROL], "public, max-age=86400");
        assert_eq!(script.headers()["x-content-type-options"], "nosniff");
        assert_eq!(script.text().await.unwrap(), "/* graphiql.js */");
        let style = get("/ide/assets/playground.css").await.unwrap();
        assert!(style.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/css"));

        // Only the listed files: nothing else of node_modules is reachable.
        for path in ["/ide/assets/package.json", "/ide/assets/graphiql", "/ide/assets/..%2Fgraphiql%2Fpackage.json"] {
            assert_eq!(get(path).await.unwrap().status(), 404, "{path}");
        }
    }
}

api_test! {
    settings = http(|h| h.ide_assets_dir = temp_dir("ide_assets_missing"));
    async fn without_installed_ide_assets_the_pages_load_them_from_the_cdn(app: TestApp) {
        let get = |path: &str| app.client.get(format!("{}{path}", app.address)).send();
        let graphiql = get("/graphiql").await.unwrap().text().await.unwrap();
        assert!(graphiql.contains("https://cdn.jsdelivr.net/npm/graphiql@4.1.2/graphiql.min.js"));
        assert!(graphiql.contains("https://cdn.jsdelivr.net/npm/react-dom@18.3.1/umd/react-dom.production.min.js"));
        let playground = get("/playground").await.unwrap().text().await.unwrap();
        assert!(playground.contains(
            "https://cdn.jsdelivr.net/npm/graphql-playground-react@1.7.28/build/static/js/middleware.js"
        ));
        assert!(!playground.contains("/ide/assets/"));
        assert_eq!(get("/ide/assets/graphiql.js").await.unwrap().status(), 404);
    }
}

api_test! {
    settings = http(|h| { h.ide_assets_dir = installed_ide_assets(); h.disable_ide = true; });
    async fn with_the_ides_off_their_assets_are_not_served(app: TestApp) {
        let get = |path: &str| app.client.get(format!("{}{path}", app.address)).send();
        assert_eq!(get("/graphiql").await.unwrap().status(), 404);
        assert_eq!(get("/ide/assets/graphiql.js").await.unwrap().status(), 404);
    }
}
