//! (g) A real HTTP cache in front: Debian's nginx with `proxy_cache`, started
//! as a child on a configuration written into a temporary directory.
//!
//! It checks what a shared cache must do with the server's answers (any
//! failure fails the run, `--smoke` included): repeated public GETs are
//! HITs, after `max-age` a revalidation gets 304 while nothing changed and
//! the new answer once an import has committed, and a request with
//! `Authorization` is never answered from the cache. Then it measures GETs
//! through nginx against the same GETs sent to the server directly.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::load::{self, Run};
use crate::process::Server;

/// `max-age` the server is started with: revalidations come within the run.
const MAX_AGE_SECS: u64 = 1;

/// How long until nginx sees a copy as expired: it counts in whole seconds
/// and a copy stored late in a second stays valid through the next one.
const EXPIRY: Duration = Duration::from_millis(MAX_AGE_SECS * 1000 + 1200);

/// The nginx binary: on `PATH`, or where Debian puts it (`/usr/sbin` is not
/// on every user's `PATH`).
pub fn find() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|dir| dir.join("nginx"))
        .find(|candidate| candidate.is_file())
}

/// A running nginx and the directory it lives in (removed on stop).
pub struct Nginx {
    child: Child,
    dir: PathBuf,
    /// `http://127.0.0.1:<port>`.
    pub address: String,
}

impl Nginx {
    /// Starts `binary` as a caching proxy in front of `upstream` (`http://host:port`).
    pub async fn start(binary: &Path, upstream: &str) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("prep_bench_nginx_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let port = free_port()?;
        let upstream = upstream
            .strip_prefix("http://")
            .ok_or_else(|| anyhow::anyhow!("upstream {upstream} is not http://"))?;
        std::fs::write(dir.join("nginx.conf"), config(&dir, port, upstream))?;
        let child = Command::new(binary)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .arg("-e")
            .arg(dir.join("error.log"))
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let mut nginx = Self {
            child,
            dir,
            address: format!("http://127.0.0.1:{port}"),
        };
        // Ready once it accepts connections; an nginx that exits says why in its error log.
        for _ in 0..100 {
            if let Some(status) = nginx.child.try_wait()? {
                let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default();
                anyhow::bail!("nginx exited ({status}): {log}");
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Ok(nginx);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        nginx.stop().await;
        anyhow::bail!("nginx did not listen on port {port} within 5 s")
    }

    /// Stops nginx (the master takes its worker along) and removes its directory.
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port nothing listens on now (nginx binds it right after).
fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Whether this process runs as root (nginx's workers then need `user`).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1).map(|uid| uid == "0"))
        .unwrap_or(false)
}

/// The configuration: one worker, every path inside `dir`, a cache keyed on
/// the whole URL (the query is in its arguments), revalidated with the
/// server's `ETag`, bypassed and never filled by a request with `Authorization`.
fn config(dir: &Path, port: u16, upstream: &str) -> String {
    let dir = dir.display();
    // Run as root, the workers would otherwise be `nobody` and could not write here.
    let user = if is_root() { "user root;" } else { "" };
    format!(
        r#"{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy_temp;
    fastcgi_temp_path {dir}/fastcgi_temp;
    uwsgi_temp_path {dir}/uwsgi_temp;
    scgi_temp_path {dir}/scgi_temp;
    proxy_cache_path {dir}/cache levels=1:2 keys_zone=graphql:10m max_size=512m inactive=10m use_temp_path=off;
    upstream prep {{
        server {upstream};
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://prep;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffers 64 16k;
            proxy_cache graphql;
            proxy_cache_key "$request_method $host $request_uri";
            proxy_cache_revalidate on;
            proxy_cache_lock on;
            proxy_no_cache $http_authorization;
            proxy_cache_bypass $http_authorization;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"#
    )
}

/// The path and query string of a GET of `query` with `variables`.
pub fn path_and_query(query: &str, variables: &Value) -> String {
    let params = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("query", query)
        .append_pair("variables", &variables.to_string())
        .finish();
    format!("/graphql?{params}")
}

/// The URL of a GET of `query` with `variables` at `address`.
fn get_url(address: &str, query: &str, variables: &Value) -> String {
    format!("{address}{}", path_and_query(query, variables))
}

/// One GET: status, `X-Cache-Status`, `Cache-Control` and the JSON body.
struct Got {
    status: u16,
    cache: String,
    cache_control: String,
    body: Value,
}

async fn fetch(client: &reqwest::Client, url: &str, token: Option<&str>) -> anyhow::Result<Got> {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_owned()
    };
    let (status, cache, cache_control) = (
        response.status().as_u16(),
        header("x-cache-status"),
        header("cache-control"),
    );
    let body = response.json().await?;
    Ok(Got {
        status,
        cache,
        cache_control,
        body,
    })
}

fn ensure_cache(got: &Got, want: &[&str], what: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        got.status == 200 && want.contains(&got.cache.as_str()),
        "{what}: wanted X-Cache-Status {want:?} and 200, got {} {} ({})",
        got.cache,
        got.status,
        got.cache_control
    );
    anyhow::ensure!(got.body.get("errors").is_none(), "{what}: {}", got.body);
    Ok(())
}

/// The cache behaviour checks, through `nginx` in front of `server`.
/// `import` adds one role to the database the server reads.
pub async fn check(
    nginx: &Nginx,
    server: &Server,
    token: &str,
    import: impl std::future::Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let query = "query RoleCount { roles(first: 3) { totalCount edges { node { slug } } } }";
    let url = get_url(&nginx.address, query, &json!({}));
    let total = |got: &Got| got.body["data"]["roles"]["totalCount"].as_i64();

    let first = fetch(&client, &url, None).await?;
    ensure_cache(&first, &["MISS"], "first GET")?;
    anyhow::ensure!(
        first.cache_control.starts_with("public"),
        "a public read is public: {}",
        first.cache_control
    );
    for i in 0..3 {
        let again = fetch(&client, &url, None).await?;
        ensure_cache(&again, &["HIT"], &format!("repeated GET #{i}"))?;
        anyhow::ensure!(again.body == first.body, "a HIT is the same answer");
    }

    // Authorization: never from the cache, never into it.
    for i in 0..3 {
        let signed_in = fetch(&client, &url, Some(token)).await?;
        ensure_cache(
            &signed_in,
            &["BYPASS"],
            &format!("GET with Authorization #{i}"),
        )?;
        anyhow::ensure!(
            signed_in.cache_control == "private, no-store",
            "a signed-in answer is private: {}",
            signed_in.cache_control
        );
    }
    let direct = get_url(&server.address, query, &json!({}));
    let signed_in = fetch(&client, &direct, Some(token)).await?;
    anyhow::ensure!(signed_in.cache_control == "private, no-store");

    // Expired, nothing changed: the server confirms the copy with 304.
    tokio::time::sleep(EXPIRY).await;
    let confirmed = fetch(&client, &url, None).await?;
    ensure_cache(
        &confirmed,
        &["REVALIDATED"],
        "revalidation before the import",
    )?;
    anyhow::ensure!(confirmed.body == first.body);

    import.await?;
    // The server hears of the import at once on SQLite (the WAL header) and
    // within milliseconds on PostgreSQL (the notice); max-age is longer.
    tokio::time::sleep(EXPIRY).await;
    let fresh = fetch(&client, &url, None).await?;
    ensure_cache(&fresh, &["EXPIRED"], "revalidation after the import")?;
    let (before, after) = (total(&first), total(&fresh));
    anyhow::ensure!(
        before.is_some() && after == before.map(|n| n + 1),
        "the revalidation fetched the new answer: {} then {}",
        first.body,
        fresh.body
    );
    let hit = fetch(&client, &url, None).await?;
    ensure_cache(&hit, &["HIT"], "GET after the revalidation")?;
    anyhow::ensure!(hit.body == fresh.body, "the new answer is cached");
    Ok(())
}

/// Arguments the server runs with under (g): `max-age` short enough for the checks.
pub fn server_args() -> Vec<String> {
    vec![
        "--http-cache-max-age-secs".into(),
        MAX_AGE_SECS.to_string(),
        "--http-cache-swr-secs".into(),
        "0".into(),
    ]
}

/// GETs of `path_and_query` through nginx and directly, interleaved in
/// `rounds`; with the server's CPU per request under each.
pub async fn measure(
    nginx: &Nginx,
    server: &Server,
    path_and_query: &str,
    concurrency: usize,
    seconds: u64,
    rounds: usize,
) -> [(Run, f64); 2] {
    let through = format!("{}{path_and_query}", nginx.address);
    let direct = format!("{}{path_and_query}", server.address);
    let duration = Duration::from_secs(seconds);
    let mut out = [(Run::default(), 0.0), (Run::default(), 0.0)];
    for url in [&through, &direct] {
        load::run_get(url, concurrency, Duration::from_millis(300)).await;
    }
    for _ in 0..rounds {
        for (url, (run, cpu)) in [&through, &direct].into_iter().zip(out.iter_mut()) {
            let before = server.cpu_seconds();
            let r = load::run_get(url, concurrency, duration).await;
            *cpu += server.cpu_seconds() - before;
            *run = std::mem::take(run).merge(r);
        }
    }
    for (run, cpu) in &mut out {
        *cpu = *cpu * 1000.0 / run.requests.max(1) as f64;
    }
    out
}
