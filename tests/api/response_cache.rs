//! The response cache's content version: a hit runs no SQL, and no instance
//! answers from before an import it could have missed.

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use prep_graphql::records::Listening;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::fixtures::{generated_role, import_generated_roles};
use crate::helpers::{Backend, Proxy, TestApp, TestDatabase, api_test, postgres_url, proxied};

/// Counts every role: changes with every import of a new role.
const ROLES: &str = "{ roles(first: 100) { totalCount edges { node { slug title } } } }";

fn total(data: &Value) -> i64 {
    data["roles"]["totalCount"].as_i64().expect("totalCount")
}

/// Waits (bounded) until `app`'s listener is in a state `accept`s; returns it.
async fn listening(app: &TestApp, accept: impl Fn(&Listening) -> bool) -> Listening {
    let mut rx = app.events.listening();
    let state = tokio::time::timeout(Duration::from_secs(20), rx.wait_for(|l| accept(l)))
        .await
        .expect("the listener reaches the awaited state")
        .expect("the bus is running");
    *state
}

/// The listener's connection count while up; 0 otherwise.
fn generation_of(state: &Listening) -> u64 {
    match *state {
        Listening::Up { generation, .. } => generation,
        _ => 0,
    }
}

/// Waits until `app` listens (PostgreSQL) or at once (SQLite).
async fn listening_up(app: &TestApp) -> Listening {
    listening(app, |l| {
        matches!(l, Listening::Up { .. } | Listening::Local)
    })
    .await
}

api_test! {
    async fn a_cache_hit_runs_no_statement(app: TestApp) {
        listening_up(&app).await;
        let first = app.data(ROLES, json!({})).await;
        for _ in 0..3 {
            app.reset_statements();
            let again = app.data(ROLES, json!({})).await;
            let (count, sql) = app.statements();
            assert_eq!(again, first);
            assert_eq!(count, 0, "a hit runs no SQL:\n{}", sql.join("\n"));
        }
        // Another query is a miss; it does not read the version again.
        app.reset_statements();
        app.data("{ skills { slug } }", json!({})).await;
        let (_, sql) = app.statements();
        assert!(!sql.iter().any(|s| s.contains("content_version")), "{}", sql.join("\n"));
    }
}

api_test! {
    async fn an_import_by_another_process_is_answered_next(app: TestApp) {
        listening_up(&app).await;
        let before = app.data(ROLES, json!({})).await;
        app.data(ROLES, json!({})).await;
        // `prep-graphql import` in a process of its own, on the same database:
        // on SQLite no bus hears it; the WAL index header shows it.
        let dir = crate::helpers::temp_dir("another_process");
        let path = dir.join("generated.toml");
        std::fs::write(&path, generated_role(7)).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_prep-graphql"))
            .arg("import")
            .arg(&path)
            .env("DATABASE_URL", &app.database.url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run prep-graphql import");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        app.content_caught_up().await;
        let after = app.data(ROLES, json!({})).await;
        assert_eq!(total(&after), total(&before) + 1, "{after:#}");
        // And it is cached again at the new version.
        app.reset_statements();
        assert_eq!(app.data(ROLES, json!({})).await, after);
        assert_eq!(app.statements().0, 0);
    }
}

/// Two instances on one fresh PostgreSQL database, both listening; `None`
/// without TEST_POSTGRES_URL.
async fn two_postgres_instances() -> Option<(TestApp, TestApp)> {
    if postgres_url().is_none() {
        eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL-only test not run");
        return None;
    }
    let a = TestApp::spawn_with(Backend::Postgres, Default::default()).await;
    let b = a.second_instance().await;
    listening_up(&a).await;
    listening_up(&b).await;
    Some((a, b))
}

/// An import through instance B's database is announced to instance A, whose
/// next answer is the new content, and which then serves it without SQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_on_one_instance_is_answered_by_the_other() {
    let Some((a, b)) = two_postgres_instances().await else {
        return;
    };
    let before = a.data(ROLES, json!({})).await;
    a.reset_statements();
    assert_eq!(a.data(ROLES, json!({})).await, before);
    assert_eq!(a.statements().0, 0, "cached on A");

    let mut seen = a.content.seen();
    let old = *seen.borrow_and_update();
    import_generated_roles(&b.db, 1).await;
    // The notice is the event A waits for: it arrives after B's commit.
    tokio::time::timeout(Duration::from_secs(10), seen.wait_for(|v| *v > old))
        .await
        .expect("A hears of B's import")
        .unwrap();
    a.reset_statements();
    let after = a.data(ROLES, json!({})).await;
    assert_eq!(total(&after), total(&before) + 1, "{after:#}");
    let (_, sql) = a.statements();
    assert!(
        !sql.iter().any(|s| s.contains("content_version")),
        "A knows the version from the notice:\n{}",
        sql.join("\n")
    );
    a.reset_statements();
    assert_eq!(a.data(ROLES, json!({})).await, after);
    assert_eq!(a.statements().0, 0, "and caches the new answer");
}

/// Kills A's listener connection on the server: until A listens again it reads
/// the version per request, and after it does it reads it once before trusting
/// it, so an import it could not hear is never answered stale.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_listener_serves_no_stale_answer() {
    let Some((a, b)) = two_postgres_instances().await else {
        return;
    };
    let before = a.data(ROLES, json!({})).await;
    a.data(ROLES, json!({})).await;
    let Listening::Up {
        generation,
        backend_pid,
    } = listening_up(&a).await
    else {
        unreachable!("PostgreSQL listens")
    };
    // The listener publishes its backend's pid: that connection and no other.
    let killed =
        b.db.query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_terminate_backend($1) AS killed",
            [backend_pid.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    assert!(killed.try_get::<bool>("", "killed").unwrap());
    // A has noticed (down, or already listening on a new connection).
    listening(&a, |l| generation_of(l) != generation).await;
    import_generated_roles(&b.db, 1).await;
    let during = a.data(ROLES, json!({})).await;
    assert_eq!(
        total(&during),
        total(&before) + 1,
        "no stale answer: {during:#}"
    );

    // Back: trusted again only after a read made while listening.
    listening(&a, |l| generation_of(l) > generation).await;
    let after = a.data(ROLES, json!({})).await;
    assert_eq!(after, during);
    a.reset_statements();
    assert_eq!(a.data(ROLES, json!({})).await, after);
    let (count, sql) = a.statements();
    assert_eq!(count, 0, "trusted again:\n{}", sql.join("\n"));
}

/// A's listener reaches PostgreSQL through a proxy that is cut, so it stays
/// down: every answer in the meantime is current (the version is read per
/// request), and once the proxy is back A listens and trusts again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_listener_is_down_the_version_is_read_per_request() {
    if postgres_url().is_none() {
        eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL-only test not run");
        return;
    }
    let database = Arc::new(TestDatabase::create(Backend::Postgres).await);
    let (url, target) = proxied(&database.url);
    let proxy = Proxy::start(target).await;
    let mut events_url = url::Url::parse(&url).unwrap();
    events_url.set_port(Some(proxy.address.port())).unwrap();
    let a = TestApp::spawn_with_events_via(database, events_url.as_str()).await;
    let b = a.second_instance().await;
    let up = listening_up(&a).await;
    listening_up(&b).await;
    let before = a.data(ROLES, json!({})).await;
    a.reset_statements();
    a.data(ROLES, json!({})).await;
    assert_eq!(a.statements().0, 0);

    proxy.cut();
    listening(&a, |l| *l == Listening::Down).await;
    for n in 1..=2 {
        import_generated_roles(&b.db, n).await;
        a.reset_statements();
        let during = a.data(ROLES, json!({})).await;
        assert_eq!(
            total(&during),
            total(&before) + n as i64,
            "no stale answer: {during:#}"
        );
        a.reset_statements();
        a.data(ROLES, json!({})).await;
        let (_, sql) = a.statements();
        assert!(
            sql.iter().any(|s| s.contains("content_version")),
            "down: the version is read per request:\n{}",
            sql.join("\n")
        );
    }

    proxy.restore();
    listening(&a, |l| generation_of(l) > generation_of(&up)).await;
    let after = a.data(ROLES, json!({})).await;
    assert_eq!(total(&after), total(&before) + 2);
    a.reset_statements();
    assert_eq!(a.data(ROLES, json!({})).await, after);
    assert_eq!(a.statements().0, 0, "listening again: trusted again");
}
