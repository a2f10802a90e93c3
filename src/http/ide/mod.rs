//! The GraphQL IDEs, GraphQL Playground and GraphiQL: their pages and their
//! browser assets.
//!
//! The assets come from the npm packages pinned in `package.json` beside this
//! file. Installed (`npm ci --prefix src/http/ide`), they are served from
//! `/ide/assets/`, so the IDEs work with no internet; not installed, the pages
//! load the same versions from a CDN. Nothing of the packages is committed.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt as _;
use tower_http::services::ServeFile;

use std::sync::Arc;

/// Where the pages load packages from when they are not installed locally.
const CDN: &str = "https://cdn.jsdelivr.net/npm";

/// The query both IDEs open with: the bundled role page, every section.
pub const EXAMPLE_QUERY: &str = include_str!("example.graphql");

const PLAYGROUND_PAGE: &str = include_str!("playground.html");
const GRAPHIQL_PAGE: &str = include_str!("graphiql.html");
/// Public reads as GET by persisted-query hash, inlined into both pages.
const PERSISTED_GET_SCRIPT: &str = include_str!("persisted_get.js");

/// One browser file an IDE page loads.
struct Asset {
    /// Its name under `/ide/assets/`, and its placeholder in the page templates.
    name: &'static str,
    /// The npm package it comes from.
    package: &'static str,
    /// The package's version; `package.json` pins the same (a test checks).
    version: &'static str,
    /// The file inside the package.
    path: &'static str,
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "react.js",
        package: "react",
        version: "18.3.1",
        path: "umd/react.production.min.js",
    },
    Asset {
        name: "react-dom.js",
        package: "react-dom",
        version: "18.3.1",
        path: "umd/react-dom.production.min.js",
    },
    Asset {
        name: "graphiql.js",
        package: "graphiql",
        version: "4.1.2",
        path: "graphiql.min.js",
    },
    Asset {
        name: "graphiql.css",
        package: "graphiql",
        version: "4.1.2",
        path: "graphiql.min.css",
    },
    Asset {
        name: "playground.js",
        package: "graphql-playground-react",
        version: "1.7.28",
        path: "build/static/js/middleware.js",
    },
    Asset {
        name: "playground.css",
        package: "graphql-playground-react",
        version: "1.7.28",
        path: "build/static/css/middleware.css",
    },
    Asset {
        name: "playground-favicon.png",
        package: "graphql-playground-react",
        version: "1.7.28",
        path: "build/favicon.png",
    },
];

impl Asset {
    fn file_in(&self, packages: &Path) -> PathBuf {
        packages.join(self.package).join(self.path)
    }
}

/// Each asset's name under `/ide/assets/` and its file inside a `node_modules`
/// directory: what an install must provide for the assets to be served locally.
pub fn asset_files() -> impl Iterator<Item = (&'static str, PathBuf)> {
    ASSETS
        .iter()
        .map(|asset| (asset.name, Path::new(asset.package).join(asset.path)))
}

/// Where the IDE pages load their assets from; decided once, at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdeAssets {
    /// From this `node_modules` directory, served under `/ide/assets/`.
    Local(PathBuf),
    /// From the CDN.
    Cdn,
}

impl IdeAssets {
    /// Local when every asset is installed in `packages` (a `node_modules`
    /// directory), the CDN otherwise: a half-installed set is not mixed in.
    pub fn discover(packages: &Path) -> Self {
        match ASSETS.iter().find(|a| !a.file_in(packages).is_file()) {
            None => {
                tracing::info!(dir = %packages.display(), "IDE assets served locally");
                Self::Local(packages.to_owned())
            }
            Some(_) if !packages.exists() => {
                tracing::info!(
                    dir = %packages.display(),
                    "IDE assets not installed (npm ci --prefix src/http/ide); the IDE pages load them from {CDN}"
                );
                Self::Cdn
            }
            Some(missing) => {
                // A directory that is there but incomplete is a broken install.
                tracing::warn!(
                    dir = %packages.display(),
                    missing = %missing.file_in(packages).display(),
                    "IDE assets incomplete (run npm ci --prefix src/http/ide); the IDE pages load them from {CDN}"
                );
                Self::Cdn
            }
        }
    }

    fn url(&self, asset: &Asset) -> String {
        match self {
            // The version in the query string makes an upgrade bypass caches.
            Self::Local(_) => format!("/ide/assets/{}?v={}", asset.name, asset.version),
            Self::Cdn => format!("{CDN}/{}@{}/{}", asset.package, asset.version, asset.path),
        }
    }

    /// A page template with its asset placeholders filled in, the shared
    /// `{{persisted-get.js}}` script inlined, and `{{config}}` with the
    /// endpoint and `query`.
    fn render(&self, template: &str, query: &str) -> String {
        let page = ASSETS.iter().fold(template.to_owned(), |page, asset| {
            page.replace(&format!("{{{{{}}}}}", asset.name), &self.url(asset))
        });
        page.replace("{{persisted-get.js}}", PERSISTED_GET_SCRIPT)
            .replace("{{config}}", &script_config(query))
    }
}

/// The pages' configuration as a JavaScript literal that is safe inside a
/// `<script>` element: JSON with every `<` escaped, so no text can end the element.
fn script_config(query: &str) -> String {
    serde_json::json!({ "endpoint": "/graphql", "query": query })
        .to_string()
        .replace('<', "\\u003c")
}

/// The pages are not cached, so a restart after installing (or removing) the
/// assets shows at the next load.
fn page(html: String) -> Response {
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        Html(html),
    )
        .into_response()
}

/// GraphQL Playground, with the subscription endpoint set and the example query open.
pub async fn playground(State(ide): State<Arc<IdeAssets>>) -> Response {
    page(ide.render(PLAYGROUND_PAGE, EXAMPLE_QUERY))
}

/// GraphiQL, with the subscription endpoint set and the example query open.
pub async fn graphiql(State(ide): State<Arc<IdeAssets>>) -> Response {
    page(ide.render(GRAPHIQL_PAGE, EXAMPLE_QUERY))
}

/// `/ide/assets/{name}`: one of the known asset files, when installed; 404 otherwise.
/// Only the listed files are reachable, never the rest of `node_modules`.
pub async fn asset(
    State(ide): State<Arc<IdeAssets>>,
    UrlPath(name): UrlPath<String>,
    request: Request,
) -> Response {
    let (IdeAssets::Local(packages), Some(asset)) =
        (ide.as_ref(), ASSETS.iter().find(|a| a.name == name))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // `.br` / `.gz` beside the file, made once at install (`compress.mjs`), are
    // sent to clients that accept them.
    match ServeFile::new(asset.file_in(packages))
        .precompressed_br()
        .precompressed_gzip()
        .oneshot(request)
        .await
    {
        Ok(response) => {
            let mut response = response.map(Body::new);
            response.headers_mut().insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            if response.status().is_success() {
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=86400"),
                );
            }
            response
        }
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_versions_match_package_json() {
        let manifest: serde_json::Value =
            serde_json::from_str(include_str!("package.json")).unwrap();
        for asset in ASSETS {
            assert_eq!(
                manifest["dependencies"][asset.package].as_str(),
                Some(asset.version),
                "{} in package.json",
                asset.package
            );
        }
    }

    #[test]
    fn install_precompresses_every_text_asset() {
        let script = include_str!("compress.mjs");
        for asset in ASSETS.iter().filter(|a| !a.path.ends_with(".png")) {
            let file = format!("'{}/{}'", asset.package, asset.path);
            assert!(script.contains(&file), "{file} missing from compress.mjs");
        }
    }

    #[test]
    fn every_placeholder_is_filled() {
        for template in [PLAYGROUND_PAGE, GRAPHIQL_PAGE] {
            for assets in [IdeAssets::Cdn, IdeAssets::Local(PathBuf::from("x"))] {
                let page = assets.render(template, EXAMPLE_QUERY);
                assert!(!page.contains("{{"), "{page}");
            }
        }
    }

    #[test]
    fn a_query_cannot_close_the_script_element() {
        let hostile = "</script><script>alert(1)</script><!--";
        for template in [PLAYGROUND_PAGE, GRAPHIQL_PAGE] {
            let page = IdeAssets::Cdn.render(template, hostile);
            assert_eq!(
                page.matches("<script").count(),
                page.matches("</script>").count(),
                "{page}"
            );
            assert!(!page.contains("alert(1)</script>"));
        }
        let config: serde_json::Value = serde_json::from_str(&script_config(hostile)).unwrap();
        assert_eq!(config["query"], hostile);
    }

    #[test]
    fn half_installed_assets_fall_back_to_the_cdn() {
        let dir = std::env::temp_dir().join(format!("prep_ide_half_{}", std::process::id()));
        let (_, first) = asset_files().next().unwrap();
        std::fs::create_dir_all(dir.join(&first).parent().unwrap()).unwrap();
        std::fs::write(dir.join(&first), "x").unwrap();
        assert_eq!(IdeAssets::discover(&dir), IdeAssets::Cdn);
        for (_, file) in asset_files() {
            std::fs::create_dir_all(dir.join(&file).parent().unwrap()).unwrap();
            std::fs::write(dir.join(&file), "x").unwrap();
        }
        assert_eq!(IdeAssets::discover(&dir), IdeAssets::Local(dir.clone()));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn cdn_urls_pin_the_package_versions() {
        let page = IdeAssets::Cdn.render(GRAPHIQL_PAGE, EXAMPLE_QUERY);
        assert!(page.contains("https://cdn.jsdelivr.net/npm/graphiql@4.1.2/graphiql.min.js"));
        assert!(
            page.contains("https://cdn.jsdelivr.net/npm/react@18.3.1/umd/react.production.min.js")
        );
    }
}
