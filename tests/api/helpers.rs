//! `TestApp`: the real server on a free port over its own fresh database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prep_graphql::config::{DEFAULT_SQLITE_ROW_BUFFER, DatabaseConfig, Settings};
use prep_graphql::{app, db};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server URL tests create their databases on, if set.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

fn init_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info,sqlx=warn")
            .with_test_writer()
            .try_init();
    }
}

fn unique_name() -> String {
    format!("prep_test_{}", prep_graphql::secrets::random_hex(8))
}

/// A fresh, empty database; removed again on drop.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// Creates an empty database on `backend`.
    ///
    /// For PostgreSQL an unreachable TEST_POSTGRES_URL panics: it never skips silently.
    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
                Self {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    cleanup: Cleanup::File(path),
                }
            }
            Backend::Postgres => {
                let admin_url = postgres_url().expect("TEST_POSTGRES_URL is not set");
                let name = unique_name();
                let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!("TEST_POSTGRES_URL={admin_url} is unreachable: {e}")
                });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("CREATE DATABASE");
                admin.close().await.ok();
                let mut url = url::Url::parse(&admin_url).expect("TEST_POSTGRES_URL is a URL");
                url.set_path(&format!("/{name}"));
                Self {
                    url: url.to_string(),
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
        }
    }

    /// A connection pool on this database, as the server opens it.
    pub async fn connect(&self) -> DatabaseConnection {
        db::connect(&DatabaseConfig {
            database_url: self.url.clone(),
            db_max_connections: 5,
            db_acquire_timeout_secs: 10,
            sqlite_row_buffer: DEFAULT_SQLITE_ROW_BUFFER,
        })
        .await
        .expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs outside any async context we may block: use a thread with its own runtime.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    rt.block_on(async {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                                ))
                                .await;
                            admin.close().await.ok();
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A TCP proxy the test controls: `cut` drops every connection and refuses new ones.
pub struct Proxy {
    pub address: SocketAddr,
    up: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    pub async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (up2, conns2) = (up.clone(), connections.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused
                }
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                conns2.lock().unwrap().push(task);
            }
        });
        Self {
            address,
            up,
            connections,
            accept,
        }
    }

    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}

/// `url` with its host and port replaced by `proxy`'s, and the proxy's target (`host:port` of `url`).
pub fn proxied(url: &str) -> (String, String) {
    let mut url = url::Url::parse(url).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    url.set_host(Some("127.0.0.1")).unwrap();
    (url.to_string(), target)
}

/// The running server of one test.
pub struct TestApp {
    pub address: String,
    /// The `--admin-bind` listener: health, readiness and metrics only.
    pub admin_address: String,
    pub client: reqwest::Client,
    /// The server's pool (shares the statement counter).
    pub db: DatabaseConnection,
    statements: Arc<AtomicUsize>,
    sql_log: Arc<Mutex<Vec<String>>>,
    /// The server's event bus, to await subscriptions.
    pub events: prep_graphql::records::EventBus,
    /// The content version the server's response cache keys on.
    pub content: Arc<prep_graphql::http::content_version::ContentVersion>,
    shutdown: Option<oneshot::Sender<()>>,
    /// Resolves when the server has stopped.
    pub stopped: Option<oneshot::Receiver<()>>,
    // Declared last: dropped after the server's pool handle above.
    pub database: Arc<TestDatabase>,
}

impl TestApp {
    /// Starts a server on `backend` with `settings`.
    pub async fn spawn_with(backend: Backend, settings: Settings) -> Self {
        init_logs();
        let database = Arc::new(TestDatabase::create(backend).await);
        Self::spawn_on(database, settings).await
    }

    /// Another server instance on this app's database (as behind a load balancer).
    pub async fn second_instance(&self) -> Self {
        Self::spawn_on(self.database.clone(), Settings::default()).await
    }

    async fn spawn_on(database: Arc<TestDatabase>, settings: Settings) -> Self {
        let url = database.url.clone();
        Self::spawn_via(database, &url, settings).await
    }

    /// A server on `database` that reaches it through `url` (e.g. a proxy).
    pub async fn spawn_via(database: Arc<TestDatabase>, url: &str, settings: Settings) -> Self {
        let config = DatabaseConfig {
            database_url: url.to_owned(),
            db_max_connections: 5,
            db_acquire_timeout_secs: 2,
            sqlite_row_buffer: DEFAULT_SQLITE_ROW_BUFFER,
        };
        Self::spawn_connected(database, config, None, settings).await
    }

    /// A server on `database` whose event bus (its listener included) reaches
    /// it through `events_url` (e.g. a proxy), its requests directly.
    pub async fn spawn_with_events_via(database: Arc<TestDatabase>, events_url: &str) -> Self {
        let config = DatabaseConfig {
            database_url: database.url.clone(),
            db_max_connections: 5,
            db_acquire_timeout_secs: 2,
            sqlite_row_buffer: DEFAULT_SQLITE_ROW_BUFFER,
        };
        Self::spawn_connected(database, config, Some(events_url), Settings::default()).await
    }

    /// A server on a fresh `backend` database whose SQLite connections hand
    /// rows over `row_buffer` at a time (`--sqlite-row-buffer`).
    pub async fn spawn_with_row_buffer(backend: Backend, row_buffer: usize) -> Self {
        init_logs();
        let database = Arc::new(TestDatabase::create(backend).await);
        let config = DatabaseConfig {
            database_url: database.url.clone(),
            db_max_connections: 5,
            db_acquire_timeout_secs: 2,
            sqlite_row_buffer: row_buffer,
        };
        Self::spawn_connected(database, config, None, Settings::default()).await
    }

    async fn spawn_connected(
        database: Arc<TestDatabase>,
        config: DatabaseConfig,
        events_url: Option<&str>,
        settings: Settings,
    ) -> Self {
        let mut db = db::connect(&config)
            .await
            .expect("connect to the test database");
        // Installed before the pool is cloned into the app, so the server's statements count.
        let statements = Arc::new(AtomicUsize::new(0));
        let sql_log = Arc::new(Mutex::new(Vec::new()));
        {
            let (n, log) = (statements.clone(), sql_log.clone());
            db.set_metric_callback(move |info| {
                n.fetch_add(1, Ordering::SeqCst);
                if let Ok(mut log) = log.lock() {
                    log.push(info.statement.sql.clone());
                }
            });
        }
        app::prepare(&db).await.expect("prepare the database");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("address"));
        let admin = TcpListener::bind("127.0.0.1:0").await.expect("bind admin");
        let admin_address = format!("http://{}", admin.local_addr().expect("admin address"));
        let (shutdown, stop_signal) = oneshot::channel::<()>();
        let (stopped_tx, stopped) = oneshot::channel::<()>();
        // The event bus gets its own pool, so background event loads are not
        // counted as statements of the request under test.
        let events_db = match events_url {
            None => database.connect().await,
            Some(url) => db::connect(&DatabaseConfig {
                database_url: url.to_owned(),
                ..config.clone()
            })
            .await
            .expect("connect the event pool"),
        };
        let state =
            prep_graphql::http::state::AppState::with_event_pool(db.clone(), events_db, settings)
                .expect("application state");
        let events = state.events.clone();
        let content = state.content.clone();
        // Ready as a deployment is once it listens: until then every request
        // reads the content version, which would make statement counts vary.
        tokio::time::timeout(
            Duration::from_secs(10),
            events.listening().wait_for(|l| {
                matches!(
                    l,
                    prep_graphql::records::Listening::Up { .. }
                        | prep_graphql::records::Listening::Local
                )
            }),
        )
        .await
        .expect("the event listener comes up")
        .expect("the bus is running");
        tokio::spawn(async move {
            let stop = async move {
                let _ = stop_signal.await;
            };
            app::serve_with_admin(listener, Some(admin), state, stop, Duration::from_secs(5))
                .await
                .expect("server error");
            let _ = stopped_tx.send(());
        });
        Self {
            address,
            admin_address,
            client: reqwest::Client::new(),
            db,
            statements,
            sql_log,
            events,
            content,
            shutdown: Some(shutdown),
            stopped: Some(stopped),
            database,
        }
    }

    /// Starts the server's graceful shutdown (as SIGTERM does).
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// POSTs a GraphQL request and returns the JSON body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(None, query, variables).await
    }

    /// POSTs a GraphQL request with an optional bearer token.
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        response.json().await.expect("JSON body")
    }

    /// Like [`Self::graphql`], but panics on errors and returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Waits until the server has heard of the content version in the
    /// database (an import's notice reaches it after the import's commit, on
    /// PostgreSQL through the listener; on SQLite the next request looks).
    pub async fn content_caught_up(&self) {
        use sea_orm::{DbBackend, Statement};
        if self.db.get_database_backend() != DbBackend::Postgres {
            return;
        }
        // Read on its own connection: not a statement of the server's.
        let db = self.database.connect().await;
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT version FROM content_version WHERE id = 1",
            ))
            .await
            .expect("read the content version")
            .expect("the content version row");
        let version: i64 = row.try_get("", "version").expect("version");
        db.close().await.ok();
        // A server that vouches for no version reads it per request: caught up too.
        let mut listening = self.events.listening();
        let mut seen = self.content.seen();
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                seen.borrow_and_update();
                listening.borrow_and_update();
                if self.content.vouched().is_none_or(|v| v >= version) {
                    return;
                }
                tokio::select! {
                    _ = seen.changed() => {}
                    _ = listening.changed() => {}
                }
            }
        })
        .await
        .expect("the server hears of the import");
    }

    /// Makes the server vouch for the content version (on PostgreSQL once it
    /// listens), so that the statements counted next are the same whether or
    /// not a request is the first to need the version.
    pub async fn know_content_version(&self) {
        use prep_graphql::records::Listening;
        let mut listening = self.events.listening();
        tokio::time::timeout(
            Duration::from_secs(10),
            listening.wait_for(|l| matches!(l, Listening::Up { .. } | Listening::Local)),
        )
        .await
        .expect("the listener comes up")
        .expect("the bus is running");
        self.data("{ skills { slug } }", json!({})).await;
        assert!(
            self.content.vouched().is_some(),
            "the server vouches for the version"
        );
    }

    /// Zeroes the statement counter.
    pub fn reset_statements(&self) {
        self.statements.store(0, Ordering::SeqCst);
        if let Ok(mut log) = self.sql_log.lock() {
            log.clear();
        }
    }

    /// Statements executed since the last reset, and their SQL.
    pub fn statements(&self) -> (usize, Vec<String>) {
        let log = self.sql_log.lock().map(|l| l.clone()).unwrap_or_default();
        (self.statements.load(Ordering::SeqCst), log)
    }
}

/// A fresh account's email (unique per call).
pub fn new_email() -> String {
    format!("user-{}@example.com", prep_graphql::secrets::random_hex(6))
}

/// The password test accounts use.
pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// Registers an account and returns its token.
    pub async fn register(&self, email: &str) -> String {
        let body = self
            .graphql(
                "mutation($input: RegisterInput!) { register(input: $input) { token } }",
                json!({ "input": { "email": email, "password": PASSWORD, "displayName": "Tester" } }),
            )
            .await;
        body["data"]["register"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("register failed: {body:#}"))
            .to_owned()
    }

    /// Registers a fresh account and returns its token.
    pub async fn new_user(&self) -> String {
        self.register(&new_email()).await
    }

    /// Like [`Self::graphql_as`], but panics on errors and returns `data`.
    pub async fn data_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.graphql_as(Some(token), query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }
}

/// The `extensions.code` of the first error of a response.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body:#}"))
}

/// Declares a test that runs once on SQLite and, when TEST_POSTGRES_URL is
/// set, once on PostgreSQL, each with its own server and database.
macro_rules! api_test {
    ($(#[$meta:meta])* async fn $name:ident($app:ident: TestApp) $body:block) => {
        $crate::helpers::api_test! {
            settings = prep_graphql::config::Settings::default();
            $(#[$meta])* async fn $name($app: TestApp) $body
        }
    };
    (settings = $settings:expr; $(#[$meta:meta])* async fn $name:ident($app:ident: TestApp) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                #[allow(unused_mut)]
                let mut $app = $crate::helpers::TestApp::spawn_with($crate::helpers::Backend::Sqlite, $settings).await;
                $body
            }

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::helpers::postgres_url().is_none() {
                    eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL variant not run");
                    return;
                }
                #[allow(unused_mut)]
                let mut $app = $crate::helpers::TestApp::spawn_with($crate::helpers::Backend::Postgres, $settings).await;
                $body
            }
        }
    };
}
pub(crate) use api_test;

/// A fresh directory under the system's temporary one, named for its `purpose`.
pub fn temp_dir(purpose: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "prep_{purpose}_{}",
        prep_graphql::secrets::random_hex(6)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
