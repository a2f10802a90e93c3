//! prep-bench: measured speed and memory of prep-graphql, with baselines in the same run.
//!
//! `cargo build --release && cargo run --release -p prep-bench -- run` (see BENCHMARKS.md).
//! Everything runs on 127.0.0.1 with bounded counts and durations.

mod baseline;
mod data;
mod load;
mod nginx;
mod process;
mod sqlx_handler;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use futures_util::{SinkExt, StreamExt};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use load::Run;
use process::Server;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the suite and print BENCHMARKS.md's tables.
    Run(Options),
    /// Only (f), the uncached engine against the SQL handler, on fresh databases.
    Engine(Options),
    /// Only (g), nginx's proxy_cache in front of the server, on fresh databases.
    Nginx(Options),
    /// Writes `roles` synthetic roles (the suite's data) as content files into `dir`,
    /// for `prep-graphql import` when profiling by hand (BENCHMARKS.md, "Where the time goes").
    WriteRoles { dir: String, roles: usize },
    /// Prints (f)'s request body (20 roles, every child list), for profiling by hand.
    EngineQuery,
    /// Prints (a)'s request body (one role page with both fan-outs), for profiling by hand.
    PageQuery {
        /// The role to ask for.
        #[arg(long, default_value = PAGE_SLUG)]
        slug: String,
    },
    /// Internal: the HTTP ceiling, serving a file's bytes.
    BaselineHttp { file: String },
    /// Internal: the hand-written SQL handler.
    BaselineSql { database_url: String, pool: u32 },
    /// Internal: the hand-written sqlx handler of (f).
    BaselineSqlx { database_url: String, pool: u32 },
}

impl Options {
    fn smoke_settings(&mut self) {
        self.roles = 12;
        self.seconds = 1;
        self.rounds = 1;
        self.subscribers = vec![20];
    }
}

#[derive(Parser, Clone)]
struct Options {
    /// The release server binary.
    #[arg(long, default_value = "target/release/prep-graphql")]
    server_bin: String,
    /// Roles in the large dataset (the (e) sweep also uses 10 and 100).
    #[arg(long, default_value_t = 1000)]
    roles: usize,
    /// Seconds per measurement.
    #[arg(long, default_value_t = 3)]
    seconds: u64,
    /// Interleaved rounds of server / HTTP ceiling / SQL ceiling.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Subscription counts for the fan-out scenario.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    subscribers: Vec<usize>,
    /// Backends to run: sqlite, postgres.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    backends: Vec<String>,
    /// PostgreSQL server for the postgres backend (a database is created and dropped).
    #[arg(
        long,
        env = "BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres_url: String,
    /// Tiny settings for CI: proves the suite runs, measures nothing.
    #[arg(long)]
    smoke: bool,
}

const ROLE_FIELDS: &str = "id slug title summary reviewer { name title } updatedAt
  keySkills { id name slug roles { slug } }
  questions { id position prompt category role { slug } }
  prepSteps { id position text }
  timeline { id position label daysBefore tasks { id position text } }
  mistakes { id position title explanation }
  salaryBenchmarks { id country currency source asOf median { amount currency formatted } low { amount currency formatted } high { amount currency formatted } levels { level amount { amount currency formatted } } }
  faqs { id position question answer }
  resources { id position title kind url }";

/// Every child list of a role, without the `Skill.roles` fan-out: what the
/// engine costs per object when nothing is cached.
const ENGINE_FIELDS: &str = "id slug title summary reviewer { name title } updatedAt
  keySkills { id name slug }
  questions { id position prompt category }
  prepSteps { id position text }
  timeline { id position label daysBefore tasks { id position text } }
  mistakes { id position title explanation }
  salaryBenchmarks { id country currency source asOf median { amount currency formatted } low { amount currency formatted } high { amount currency formatted } levels { level amount { amount currency formatted } } }
  faqs { id position question answer }";

fn engine_query() -> String {
    format!(
        "query RoleEngine($first: Int) {{ roles(first: $first) {{ edges {{ node {{ {ENGINE_FIELDS} }} }} }} }}"
    )
}

/// The role (a) reads.
const PAGE_SLUG: &str = "bench-role-00003";

fn page_query() -> String {
    format!("query RolePage($slug: String!) {{ role(slug: $slug) {{ {ROLE_FIELDS} }} }}")
}

fn list_query() -> String {
    format!(
        "query RoleList($first: Int) {{ roles(first: $first) {{ edges {{ node {{ {ROLE_FIELDS} }} }} }} }}"
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Cmd::WriteRoles { dir, roles } => Ok(data::write_roles(std::path::Path::new(&dir), roles)?),
        Cmd::EngineQuery => {
            println!(
                "{}",
                json!({ "query": engine_query(), "variables": { "first": 20 } })
            );
            Ok(())
        }
        Cmd::PageQuery { slug } => {
            println!(
                "{}",
                json!({ "query": page_query(), "variables": { "slug": slug } })
            );
            Ok(())
        }
        Cmd::BaselineHttp { file } => baseline::http_ceiling(std::fs::read(file)?).await,
        Cmd::BaselineSql { database_url, pool } => baseline::sql_ceiling(database_url, pool).await,
        Cmd::BaselineSqlx { database_url, pool } => sqlx_handler::serve(database_url, pool).await,
        Cmd::Run(mut options) => {
            if options.smoke {
                options.smoke_settings();
            }
            suite(options).await
        }
        Cmd::Engine(mut options) => {
            if options.smoke {
                options.smoke_settings();
            }
            engine_only(options).await
        }
        Cmd::Nginx(mut options) => {
            if options.smoke {
                options.smoke_settings();
            }
            nginx_only(options).await
        }
    }
}

/// A fresh database on `backend`; returns its URL and, for PostgreSQL, its name.
async fn fresh_database(
    backend: &str,
    options: &Options,
    tag: &str,
) -> anyhow::Result<(String, Option<String>)> {
    let suffix = format!("{}_{}", tag, std::process::id());
    if backend == "sqlite" {
        let path = std::env::temp_dir().join(format!("prep_bench_{suffix}.db"));
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        return Ok((format!("sqlite://{}?mode=rwc", path.display()), None));
    }
    let name = format!("prep_bench_{suffix}");
    let admin = Database::connect(&options.postgres_url).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    admin.close().await?;
    let mut url = url::Url::parse(&options.postgres_url)?;
    url.set_path(&format!("/{name}"));
    Ok((url.to_string(), Some(name)))
}

async fn drop_database(options: &Options, name: Option<String>) {
    if let Some(name) = name
        && let Ok(admin) = Database::connect(&options.postgres_url).await
    {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
    }
}

/// Imports `n` synthetic roles through the server's own `import` command.
async fn import_roles(options: &Options, url: &str, n: usize) -> anyhow::Result<f64> {
    let dir = std::env::temp_dir().join(format!("prep_bench_roles_{}_{n}", std::process::id()));
    data::write_roles(&dir, n)?;
    let started = Instant::now();
    let status = tokio::process::Command::new(&options.server_bin)
        .args(["import", &dir.display().to_string()])
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .status()
        .await?;
    anyhow::ensure!(status.success(), "import failed");
    let _ = std::fs::remove_dir_all(dir);
    Ok(started.elapsed().as_secs_f64())
}

async fn start_server(options: &Options, url: &str, cache: bool) -> anyhow::Result<Server> {
    start_server_with(options, url, cache, &[]).await
}

/// [`start_server`] with `extra` arguments.
async fn start_server_with(
    options: &Options,
    url: &str,
    cache: bool,
    extra: &[String],
) -> anyhow::Result<Server> {
    let args: Vec<String> = [
        "serve".into(),
        "--bind".into(),
        "127.0.0.1:0".into(),
        "--response-cache-entries".into(),
        if cache { "512" } else { "0" }.into(),
        "--ws-max-subscriptions-per-connection".into(),
        "100".into(),
        "--ws-max-connections-per-user".into(),
        "100000".into(),
        "--event-buffer".into(),
        "4096".into(),
    ]
    .into_iter()
    .chain(extra.iter().cloned())
    .collect();
    Server::start(
        &options.server_bin,
        &args,
        &[
            ("DATABASE_URL", url.to_owned()),
            ("RUST_LOG", "warn".to_owned()),
        ],
    )
    .await
}

async fn post(address: &str, body: &Value, token: Option<&str>) -> anyhow::Result<Value> {
    let mut request = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .json(body);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    Ok(request.send().await?.json().await?)
}

async fn statements(address: &str) -> anyhow::Result<f64> {
    let text = reqwest::get(format!("{address}/metrics"))
        .await?
        .text()
        .await?;
    Ok(text
        .lines()
        .find(|l| l.starts_with("prep_db_statements_total "))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN))
}

/// Statements one request of `body` costs on the server.
async fn statements_for(address: &str, body: &Value) -> anyhow::Result<f64> {
    let before = statements(address).await?;
    let answer = post(address, body, None).await?;
    anyhow::ensure!(answer.get("errors").is_none(), "errors: {answer}");
    Ok(statements(address).await? - before)
}

struct Row {
    name: String,
    server: Run,
    http: Run,
    sql: Run,
    cpu_ms: f64,
    /// The SQL handler's CPU per request.
    sql_cpu_ms: f64,
    /// The sqlx handler's run and CPU per request, when the scenario has one.
    sqlx: Option<(Run, f64)>,
    peak_rss: f64,
    response_kib: f64,
}

fn print_row(backend: &str, row: &Row) {
    let (s, h, q) = (&row.server, &row.http, &row.sql);
    println!(
        "| {} | {backend} | {:.0} | {:.2} | {:.2} | {:.0} KiB | {:.0} ({:.2}x) | {:.0} ({:.2}x) | {:.2}x | {:.2} | {:.0} | {} |",
        row.name,
        s.rps(),
        s.percentile_ms(50.0),
        s.percentile_ms(99.0),
        row.response_kib,
        h.rps(),
        s.rps() / h.rps(),
        q.rps(),
        s.rps() / q.rps(),
        s.percentile_ms(99.0) / q.percentile_ms(99.0),
        row.cpu_ms,
        row.peak_rss,
        s.errors + h.errors + q.errors
    );
}

/// One read scenario: the server and both baselines, interleaved in rounds.
async fn read_scenario(
    options: &Options,
    name: &str,
    server: &Server,
    url: &str,
    body: Value,
    concurrency: usize,
    with_sqlx: bool,
) -> anyhow::Result<Row> {
    let answer = serde_json::to_vec(&post(&server.address, &body, None).await?)?;
    let file = std::env::temp_dir().join(format!("prep_bench_answer_{}.json", std::process::id()));
    std::fs::write(&file, &answer)?;
    let me = std::env::current_exe()?.display().to_string();
    let http = Server::start(
        &me,
        &["baseline-http".into(), file.display().to_string()],
        &[],
    )
    .await?;
    let sql = Server::start(
        &me,
        &["baseline-sql".into(), url.to_owned(), "10".into()],
        &[],
    )
    .await?;
    let sqlx = if with_sqlx {
        Some(
            Server::start(
                &me,
                &["baseline-sqlx".into(), url.to_owned(), "10".into()],
                &[],
            )
            .await?,
        )
    } else {
        None
    };
    let body = Arc::new(body);
    let duration = Duration::from_secs(options.seconds);
    let (mut s, mut h, mut q, mut x) = (
        Run::default(),
        Run::default(),
        Run::default(),
        Run::default(),
    );
    let (mut cpu, mut sql_cpu, mut sqlx_cpu) = (0.0, 0.0, 0.0);
    // Warm-up, then interleaved rounds so that machine noise hits all three alike.
    load::run(
        &format!("{}/graphql", server.address),
        body.clone(),
        vec![],
        concurrency,
        Duration::from_millis(300),
    )
    .await;
    for _ in 0..options.rounds {
        let before = server.cpu_seconds();
        let r = load::run(
            &format!("{}/graphql", server.address),
            body.clone(),
            vec![],
            concurrency,
            duration,
        )
        .await;
        cpu += server.cpu_seconds() - before;
        s = s.merge(r);
        h = h.merge(
            load::run(
                &format!("{}/graphql", http.address),
                body.clone(),
                vec![],
                concurrency,
                duration,
            )
            .await,
        );
        let before = sql.cpu_seconds();
        q = q.merge(
            load::run(
                &format!("{}/graphql", sql.address),
                body.clone(),
                vec![],
                concurrency,
                duration,
            )
            .await,
        );
        sql_cpu += sql.cpu_seconds() - before;
        if let Some(sqlx) = &sqlx {
            let before = sqlx.cpu_seconds();
            x = x.merge(
                load::run(
                    &format!("{}/graphql", sqlx.address),
                    body.clone(),
                    vec![],
                    concurrency,
                    duration,
                )
                .await,
            );
            sqlx_cpu += sqlx.cpu_seconds() - before;
        }
    }
    http.stop().await;
    sql.stop().await;
    let sqlx = match sqlx {
        Some(server) => {
            server.stop().await;
            let per_request = sqlx_cpu * 1000.0 / x.requests.max(1) as f64;
            Some((x, per_request))
        }
        None => None,
    };
    let _ = std::fs::remove_file(file);
    Ok(Row {
        name: format!("{name} (c={concurrency})"),
        cpu_ms: cpu * 1000.0 / s.requests.max(1) as f64,
        sql_cpu_ms: sql_cpu * 1000.0 / q.requests.max(1) as f64,
        sqlx,
        peak_rss: server.peak_rss_mib(),
        response_kib: answer.len() as f64 / 1024.0,
        server: s,
        http: h,
        sql: q,
    })
}

/// Registers a user (`name` makes the email unique) with one draft; returns its token and the draft's ID.
async fn user_with_draft(address: &str, name: &str) -> anyhow::Result<(String, String)> {
    let email = format!("{name}-{}@example.com", std::process::id());
    let reg = post(
        address,
        &json!({ "query": "mutation($e: String!) { register(input: { email: $e, password: \"correct horse battery\", displayName: \"Bench\" }) { token } }", "variables": { "e": email } }),
        None,
    )
    .await?;
    let token = reg["data"]["register"]["token"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("{reg}"))?
        .to_owned();
    let created = post(
        address,
        &json!({ "query": "mutation { createStarDraft(input: { title: \"bench\" }) { id } }" }),
        Some(&token),
    )
    .await?;
    let id = created["data"]["createStarDraft"]["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("{created}"))?
        .to_owned();
    Ok((token, id))
}

/// (c): `users` users each saving their own draft back to back.
async fn update_scenario(
    options: &Options,
    server: &Server,
    users: usize,
) -> anyhow::Result<(Run, f64)> {
    let mut drafts = Vec::new();
    for i in 0..users {
        drafts.push(user_with_draft(&server.address, &format!("bench{i}")).await?);
    }
    let deadline = Instant::now() + Duration::from_secs(options.seconds * options.rounds as u64);
    let cpu_before = server.cpu_seconds();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (token, id) in drafts {
        let address = server.address.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut run = Run::default();
            let mut version = 1;
            while Instant::now() < deadline {
                let t = Instant::now();
                let body = json!({ "query": "mutation($id: ID!, $v: Int!, $r: String!) { updateStarDraft(input: { id: $id, expectedVersion: $v, result: $r }) { version } }",
                    "variables": { "id": id, "v": version, "r": format!("Cut latency by {version}%") } });
                let answer: Option<Value> = match client.post(format!("{address}/graphql")).bearer_auth(&token).json(&body).send().await {
                    Ok(r) => r.json().await.ok(),
                    Err(_) => None,
                };
                run.latencies.push(t.elapsed().as_micros() as u64);
                run.requests += 1;
                match answer.as_ref().and_then(|a| a["data"]["updateStarDraft"]["version"].as_i64()) {
                    Some(v) => version = v,
                    None => run.errors += 1,
                }
            }
            run
        }));
    }
    let mut total = Run::default();
    for task in tasks {
        total = total.merge(task.await?);
    }
    total.seconds = started.elapsed().as_secs_f64();
    let cpu_ms = (server.cpu_seconds() - cpu_before) * 1000.0 / total.requests.max(1) as f64;
    Ok((total, cpu_ms))
}

/// (d): `n` subscriptions (100 per connection) to one user's drafts; latency
/// from sending a change to its delivery on each subscriber, and memory per
/// idle subscription.
async fn fanout_scenario(
    server: &Server,
    n: usize,
    changes: usize,
) -> anyhow::Result<(Run, f64, f64)> {
    let (token, id) = user_with_draft(&server.address, &format!("fan{n}")).await?;
    // After one request, so what the first request allocates is not counted as subscriptions.
    let rss_before = server.rss_mib();
    let received = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(i64, Instant)>();
    let per_connection = 100;
    let mut connections = Vec::new();
    for c in 0..n.div_ceil(per_connection) {
        let request = format!("{}/graphql", server.address.replacen("http", "ws", 1))
            .into_client_request()?;
        let mut request = request;
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await?;
        ws.send(Message::text(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }).to_string())).await?;
        let _ack = ws.next().await;
        let count = per_connection.min(n - c * per_connection);
        for s in 0..count {
            ws.send(Message::text(json!({ "type": "subscribe", "id": format!("{s}"), "payload": { "query": "subscription { myStarDraftEvents { version } }" } }).to_string())).await?;
        }
        let (tx, received) = (tx.clone(), received.clone());
        connections.push(tokio::spawn(async move {
            while let Some(Ok(Message::Text(text))) = ws.next().await {
                let at = Instant::now();
                if let Ok(v) = serde_json::from_str::<Value>(text.as_str())
                    && let Some(version) =
                        v["payload"]["data"]["myStarDraftEvents"]["version"].as_i64()
                {
                    received.fetch_add(1, Ordering::SeqCst);
                    let _ = tx.send((version, at));
                }
            }
        }));
    }
    let mut version = 1;
    let mut run = Run::default();
    // Warm-up: change until one change reaches every subscriber, so all are listening.
    let mut measured = 0;
    let mut warm = false;
    let mut attempts = 0;
    while measured < changes {
        attempts += 1;
        anyhow::ensure!(attempts < changes + 30, "subscribers never all listened");
        let sent = Instant::now();
        let body = json!({ "query": "mutation($id: ID!, $v: Int!) { updateStarDraft(input: { id: $id, expectedVersion: $v, title: \"x\" }) { version } }", "variables": { "id": id, "v": version } });
        let answer = post(&server.address, &body, Some(&token)).await?;
        version = answer["data"]["updateStarDraft"]["version"]
            .as_i64()
            .ok_or_else(|| anyhow::anyhow!("{answer}"))?;
        let mut latencies = Vec::with_capacity(n);
        let limit = if warm { 60 } else { 3 };
        let _ = tokio::time::timeout(Duration::from_secs(limit), async {
            while latencies.len() < n {
                match rx.recv().await {
                    Some((v, at)) if v == version => {
                        latencies.push(at.duration_since(sent).as_micros() as u64)
                    }
                    Some(_) => {}
                    None => break,
                }
            }
        })
        .await;
        if latencies.len() == n {
            if warm {
                run.latencies.extend(latencies);
                measured += 1;
            }
            warm = true;
        } else {
            anyhow::ensure!(
                !warm,
                "only {} of {n} subscribers got version {version}",
                latencies.len()
            );
        }
    }
    let per_subscription_kib = (server.rss_mib() - rss_before) * 1024.0 / n as f64;
    run.latencies.sort_unstable();
    run.requests = changes;
    let total_rss = server.rss_mib();
    for c in connections {
        c.abort();
    }
    Ok((run, per_subscription_kib, total_rss))
}

/// (f) on every backend: 1,000 roles, a list of 20 with every child list, the
/// response cache off, against the SQL handler doing the same reads (c=32).
async fn engine_only(options: Options) -> anyhow::Result<()> {
    println!(
        "# prep-bench engine: {} roles, {} s x {} rounds per figure\n",
        options.roles, options.seconds, options.rounds
    );
    print_engine_header();
    for backend in &options.backends {
        let (url, name) = fresh_database(backend, &options, &format!("{backend}_engine")).await?;
        import_roles(&options, &url, options.roles).await?;
        engine_scenario(&options, backend, &url).await?;
        drop_database(&options, name).await;
    }
    Ok(())
}

fn print_engine_header() {
    println!(
        "| scenario | backend | req/s | p99 ms | server CPU ms/req | baseline | baseline req/s (ratio) | baseline p99 ms | baseline CPU ms/req (ratio) | statements | response | peak RSS MiB | errors |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
}

/// One (f) row on `backend` per SQL handler (sea-orm, sqlx), over the database at `url`.
async fn engine_scenario(options: &Options, backend: &str, url: &str) -> anyhow::Result<()> {
    let server = start_server(options, url, false).await?;
    let body = json!({ "query": engine_query(), "variables": { "first": 20 } });
    let statements = statements_per_request(&server.address, &body).await?;
    let row = read_scenario(
        options,
        "(f) 20 roles, every child list, cache off",
        &server,
        url,
        body.clone(),
        32,
        true,
    )
    .await?;
    let s = &row.server;
    let mut baselines = vec![("sea-orm handler", &row.sql, row.sql_cpu_ms)];
    if let Some((run, cpu)) = &row.sqlx {
        baselines.push(("sqlx handler", run, *cpu));
    }
    for (baseline, q, q_cpu) in baselines {
        println!(
            "| {} | {backend} | {:.0} | {:.1} | {:.2} | {baseline} | {:.0} ({:.2}x) | {:.1} | {:.2} ({:.2}x) | {statements:.2} | {:.0} KiB | {:.0} | {} |",
            row.name,
            s.rps(),
            s.percentile_ms(99.0),
            row.cpu_ms,
            q.rps(),
            s.rps() / q.rps(),
            q.percentile_ms(99.0),
            q_cpu,
            row.cpu_ms / q_cpu,
            row.response_kib,
            row.peak_rss,
            s.errors + q.errors
        );
    }
    server.stop().await;
    side_by_side(options, backend, url, &body, &row, statements).await
}

/// Requests whose statements are averaged for a "SQL per request" figure.
const STATEMENT_SAMPLE: usize = 50;

/// Statements per request of `body` after a first one, averaged over
/// [`STATEMENT_SAMPLE`] requests, so that a background task's statements at
/// start-up (session pruning, the mail outbox) do not read as the request's.
async fn statements_per_request(address: &str, body: &Value) -> anyhow::Result<f64> {
    post(address, body, None).await?;
    let before = statements(address).await?;
    for _ in 0..STATEMENT_SAMPLE {
        let answer = post(address, body, None).await?;
        anyhow::ensure!(answer.get("errors").is_none(), "errors: {answer}");
    }
    Ok((statements(address).await? - before) / STATEMENT_SAMPLE as f64)
}

/// Issue 28's table for (f): the HTTP ceiling, the response cache, the sqlx
/// handler and the uncached engine, each at c=32 over the same database.
async fn side_by_side(
    options: &Options,
    backend: &str,
    url: &str,
    body: &Value,
    uncached: &Row,
    uncached_statements: f64,
) -> anyhow::Result<()> {
    let cached = start_server(options, url, true).await?;
    // The first answer fills the cache; hits follow.
    let per_hit = statements_per_request(&cached.address, body).await?;
    let endpoint = format!("{}/graphql", cached.address);
    let body = Arc::new(body.clone());
    load::run(
        &endpoint,
        body.clone(),
        vec![],
        32,
        Duration::from_millis(300),
    )
    .await;
    let mut hits = Run::default();
    let mut cpu = 0.0;
    for _ in 0..options.rounds {
        let before = cached.cpu_seconds();
        hits = hits.merge(
            load::run(
                &endpoint,
                body.clone(),
                vec![],
                32,
                Duration::from_secs(options.seconds),
            )
            .await,
        );
        cpu += cached.cpu_seconds() - before;
    }
    let hit_cpu_ms = cpu * 1000.0 / hits.requests.max(1) as f64;
    let cached_rss = cached.peak_rss_mib();
    cached.stop().await;

    let ceiling = &uncached.http;
    println!("\n#### (f) side by side, {backend} (c=32)\n");
    println!(
        "| target | req/s | ratio to the ceiling | p99 ms | server CPU ms/req | SQL per request | peak RSS MiB |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    println!(
        "| the same JSON served from memory (the ceiling) | {:.0} | 1.00x | {:.1} | - | 0 | - |",
        ceiling.rps(),
        ceiling.percentile_ms(99.0)
    );
    println!(
        "| prep-graphql, response cache on | {:.0} | {:.2}x | {:.1} | {hit_cpu_ms:.2} | {per_hit:.2} | {cached_rss:.0} |",
        hits.rps(),
        hits.rps() / ceiling.rps(),
        hits.percentile_ms(99.0)
    );
    if let Some((sqlx, sqlx_cpu)) = &uncached.sqlx {
        println!(
            "| hand-written SQL (sqlx + serde, 10 statements) | {:.0} | {:.2}x | {:.1} | {sqlx_cpu:.2} | 10 | - |",
            sqlx.rps(),
            sqlx.rps() / ceiling.rps(),
            sqlx.percentile_ms(99.0)
        );
    }
    println!(
        "| prep-graphql, response cache off | {:.0} | {:.2}x | {:.1} | {:.2} | {uncached_statements:.2} | {:.0} |",
        uncached.server.rps(),
        uncached.server.rps() / ceiling.rps(),
        uncached.server.percentile_ms(99.0),
        uncached.cpu_ms,
        uncached.peak_rss
    );
    Ok(())
}

async fn suite(options: Options) -> anyhow::Result<()> {
    println!(
        "# prep-bench: {} roles, {} s x {} rounds per figure\n",
        options.roles, options.seconds, options.rounds
    );
    for backend in &options.backends {
        println!("## {backend}\n");
        println!("### (e) SQL statements per request as roles grow\n");
        println!("| roles | import s | (a) role page | (b) list, 20 | (b) list, 100 |");
        println!("|---|---|---|---|---|");
        let mut sizes: Vec<usize> = [10, 100, options.roles]
            .into_iter()
            .filter(|n| *n <= options.roles)
            .collect();
        sizes.dedup();
        let last = *sizes.last().unwrap_or(&options.roles);
        for n in sizes {
            let (url, name) = fresh_database(backend, &options, &format!("{backend}_{n}")).await?;
            let import_s = import_roles(&options, &url, n).await?;
            let server = start_server(&options, &url, true).await?;
            let idle_rss = server.rss_mib();
            let page = json!({ "query": page_query(), "variables": { "slug": PAGE_SLUG } });
            let list20 = json!({ "query": list_query(), "variables": { "first": 20.min(n) } });
            let list100 = json!({ "query": list_query(), "variables": { "first": 100.min(n) } });
            println!(
                "| {n} | {import_s:.1} | {} | {} | {} |",
                statements_for(&server.address, &page).await?,
                statements_for(&server.address, &list20).await?,
                statements_for(&server.address, &list100).await?
            );
            if n == last {
                println!(
                    "\nServer RSS: {idle_rss:.1} MiB idle at start, {:.1} MiB after those requests\n",
                    server.rss_mib()
                );
                println!("### Reads against the HTTP ceiling and the hand-written SQL handler\n");
                println!(
                    "| scenario | backend | req/s | p50 ms | p99 ms | response | HTTP ceiling req/s (ratio) | SQL handler req/s (ratio) | p99 vs SQL | server CPU ms/req | peak RSS MiB | errors |"
                );
                println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
                for (label, body, c) in [
                    ("(a) role page", page.clone(), 1),
                    (
                        "(b) roles list, 20",
                        json!({ "query": list_query(), "variables": { "first": 20 } }),
                        8,
                    ),
                    (
                        "(b) roles list, 100",
                        json!({ "query": list_query(), "variables": { "first": 100 } }),
                        8,
                    ),
                ] {
                    let row = read_scenario(&options, label, &server, &url, body.clone(), c, false)
                        .await?;
                    print_row(backend, &row);
                    let uncached = start_server(&options, &url, false).await?;
                    let label = format!("{label}, cache off");
                    let row =
                        read_scenario(&options, &label, &uncached, &url, body, c, false).await?;
                    print_row(backend, &row);
                    uncached.stop().await;
                }
                println!("\n### (f) the uncached engine against the SQL handler\n");
                print_engine_header();
                engine_scenario(&options, backend, &url).await?;
                let (saves, cpu_ms) = update_scenario(&options, &server, 32).await?;
                println!("\n### (c) updateStarDraft, 32 users on their own drafts\n");
                println!(
                    "saves/s {:.0}, p50 {:.2} ms, p99 {:.2} ms, errors {}, server CPU {:.2} ms/save\n",
                    saves.rps(),
                    saves.percentile_ms(50.0),
                    saves.percentile_ms(99.0),
                    saves.errors,
                    cpu_ms
                );
                println!("### (d) subscription fan-out\n");
                println!(
                    "| subscriptions | changes | delivery p50 ms | delivery p99 ms | KiB per idle subscription | server RSS MiB |"
                );
                println!("|---|---|---|---|---|---|");
                for &subs in &options.subscribers {
                    // A fresh server per count, so its memory is that of the subscriptions.
                    let fresh = start_server(&options, &url, true).await?;
                    let changes = if options.smoke { 2 } else { 10 };
                    let (run, per_sub, rss) = fanout_scenario(&fresh, subs, changes).await?;
                    fresh.stop().await;
                    println!(
                        "| {subs} | {changes} | {:.1} | {:.1} | {per_sub:.1} | {rss:.0} |",
                        run.percentile_ms(50.0),
                        run.percentile_ms(99.0)
                    );
                }
                println!(
                    "\nPeak server RSS over the whole run: {:.0} MiB\n",
                    server.peak_rss_mib()
                );
                // Last: its import adds a role.
                nginx_scenario(&options, backend, &url, n).await?;
            }
            server.stop().await;
            drop_database(&options, name).await;
        }
    }
    Ok(())
}

/// (g) on every backend, on a fresh database of `--roles` roles.
async fn nginx_only(options: Options) -> anyhow::Result<()> {
    println!(
        "# prep-bench nginx: {} roles, {} s x {} rounds per figure\n",
        options.roles, options.seconds, options.rounds
    );
    for backend in &options.backends {
        let (url, name) = fresh_database(backend, &options, &format!("{backend}_nginx")).await?;
        import_roles(&options, &url, options.roles).await?;
        nginx_scenario(&options, backend, &url, options.roles).await?;
        drop_database(&options, name).await;
    }
    Ok(())
}

/// (g): nginx's `proxy_cache` in front of a server on the database at `url`
/// (holding `roles` synthetic roles; one more is imported). Fails when the
/// cache behaves wrongly; skipped with a message when nginx is missing.
async fn nginx_scenario(
    options: &Options,
    backend: &str,
    url: &str,
    roles: usize,
) -> anyhow::Result<()> {
    println!("### (g) an HTTP cache in front: nginx proxy_cache, GET\n");
    let Some(binary) = nginx::find() else {
        println!("nginx is not installed (Debian: apt-get install nginx-light): (g) skipped\n");
        return Ok(());
    };
    let server = start_server_with(options, url, true, &nginx::server_args()).await?;
    let proxy = match nginx::Nginx::start(&binary, &server.address).await {
        Ok(proxy) => proxy,
        Err(e) => {
            server.stop().await;
            return Err(e);
        }
    };
    let result = nginx_checks_and_load(options, backend, url, roles, &proxy, &server).await;
    proxy.stop().await;
    server.stop().await;
    result
}

async fn nginx_checks_and_load(
    options: &Options,
    backend: &str,
    url: &str,
    roles: usize,
    proxy: &nginx::Nginx,
    server: &Server,
) -> anyhow::Result<()> {
    let (token, _) = user_with_draft(&server.address, "nginx").await?;
    nginx::check(proxy, server, &token, async {
        import_roles(options, url, roles + 1).await.map(|_| ())
    })
    .await?;
    println!(
        "Checked: repeated GETs are HITs; after max-age a revalidation gets 304 (REVALIDATED) \
         until an import, then the new answer (EXPIRED, then HIT); a request with Authorization \
         is BYPASS and `private, no-store`.\n"
    );
    let path = nginx::path_and_query(&engine_query(), &json!({ "first": 20 }));
    let concurrency = 32;
    let [through, direct] = nginx::measure(
        proxy,
        server,
        &path,
        concurrency,
        options.seconds,
        options.rounds,
    )
    .await;
    println!(
        "| (c={concurrency}) 20 roles, every child list, GET | backend | req/s | p50 ms | p99 ms | response | server CPU ms/req | errors |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (label, (run, cpu)) in [
        ("through nginx (cache HITs)", through),
        ("direct (response cache hits)", direct),
    ] {
        println!(
            "| {label} | {backend} | {:.0} | {:.2} | {:.2} | {:.0} KiB | {cpu:.3} | {} |",
            run.rps(),
            run.percentile_ms(50.0),
            run.percentile_ms(99.0),
            run.bytes as f64 / run.requests.max(1) as f64 / 1024.0,
            run.errors
        );
    }
    println!();
    Ok(())
}
