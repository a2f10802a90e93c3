//! The kind of SQL baseline: (f)'s reads written on sqlx directly.
//!
//! The same 10 batched statements as the engine sends (roles, then one per
//! child table with the parents' ids), columns decoded by position, rows
//! grouped in hash maps and serialized by serde straight from borrowed
//! structs (no `Value` tree). PostgreSQL binds the ids as one array
//! (`= ANY($1)`, one statement text whatever the count); SQLite has no arrays,
//! so it gets one `?` per id. It serves (f)'s query only (`variables.first`).

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use serde::Serialize;
use sqlx::postgres::{PgPoolOptions, PgRow};
use sqlx::sqlite::{SqlitePoolOptions, SqliteRow};
use sqlx::types::chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, PgPool, Row, SqlitePool};

/// Column reads by position, the same on both backends.
trait Columns {
    fn int(&self, i: usize) -> sqlx::Result<i32>;
    fn text(&self, i: usize) -> sqlx::Result<String>;
    fn date(&self, i: usize) -> sqlx::Result<NaiveDate>;
    fn time(&self, i: usize) -> sqlx::Result<DateTime<Utc>>;
}

macro_rules! columns {
    ($row:ty) => {
        impl Columns for $row {
            fn int(&self, i: usize) -> sqlx::Result<i32> {
                self.try_get(i)
            }
            fn text(&self, i: usize) -> sqlx::Result<String> {
                self.try_get(i)
            }
            fn date(&self, i: usize) -> sqlx::Result<NaiveDate> {
                self.try_get(i)
            }
            fn time(&self, i: usize) -> sqlx::Result<DateTime<Utc>> {
                self.try_get(i)
            }
        }
    };
}
columns!(PgRow);
columns!(SqliteRow);

type Decode<T> = fn(&dyn Columns) -> sqlx::Result<T>;

/// The pool of either backend.
#[derive(Clone)]
enum Pool {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

impl Pool {
    /// Runs `sql`, whose `{ids}` stands for "is one of `ids`", and decodes every row.
    async fn rows<T>(&self, sql: &str, ids: &[i32], decode: Decode<T>) -> sqlx::Result<Vec<T>> {
        match self {
            Self::Postgres(pool) => {
                let sql = sql.replace("{ids}", "= ANY($1)");
                let rows = sqlx::query(AssertSqlSafe(sql))
                    .bind(ids)
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(|r| decode(r)).collect()
            }
            Self::Sqlite(pool) => {
                let marks = vec!["?"; ids.len()].join(", ");
                let sql = sql.replace("{ids}", &format!("IN ({marks})"));
                let mut query = sqlx::query(AssertSqlSafe(sql));
                for id in ids {
                    query = query.bind(id);
                }
                let rows = query.fetch_all(pool).await?;
                rows.iter().map(|r| decode(r)).collect()
            }
        }
    }

    /// The first `n` roles by id.
    async fn roles(&self, n: i64) -> sqlx::Result<Vec<RoleRow>> {
        const SQL: &str = "SELECT id, slug, title, summary, reviewer_name, reviewer_title, updated_at FROM roles ORDER BY id LIMIT ";
        match self {
            Self::Postgres(pool) => {
                let rows = sqlx::query(AssertSqlSafe(format!("{SQL}$1")))
                    .bind(n)
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(|r| RoleRow::decode(r)).collect()
            }
            Self::Sqlite(pool) => {
                let rows = sqlx::query(AssertSqlSafe(format!("{SQL}?")))
                    .bind(n)
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(|r| RoleRow::decode(r)).collect()
            }
        }
    }
}

/// Serves (f)'s query over the database at `database_url` with `pool` connections.
pub async fn serve(database_url: String, pool: u32) -> anyhow::Result<()> {
    let pool = if database_url.starts_with("sqlite:") {
        Pool::Sqlite(
            SqlitePoolOptions::new()
                .max_connections(pool)
                .connect(&database_url)
                .await?,
        )
    } else {
        Pool::Postgres(
            PgPoolOptions::new()
                .max_connections(pool)
                .connect(&database_url)
                .await?,
        )
    };
    let app = Router::new()
        .route("/graphql", post(handle))
        .with_state(pool);
    super::baseline::listen(app).await
}

async fn handle(
    State(pool): State<Pool>,
    body: axum::Json<serde_json::Value>,
) -> impl IntoResponse {
    let first = body["variables"]["first"].as_i64().unwrap_or(20);
    let bytes = match pages(&pool, first).await {
        Ok(bytes) => bytes,
        Err(e) => {
            serde_json::to_vec(&serde_json::json!({ "errors": [{ "message": e.to_string() }] }))
                .unwrap_or_default()
        }
    };
    (
        [(header::CONTENT_TYPE, "application/json")],
        Bytes::from(bytes),
    )
}

struct RoleRow {
    id: i32,
    slug: String,
    title: String,
    summary: String,
    reviewer_name: String,
    reviewer_title: String,
    updated_at: DateTime<Utc>,
}

impl RoleRow {
    fn decode(r: &dyn Columns) -> sqlx::Result<Self> {
        Ok(Self {
            id: r.int(0)?,
            slug: r.text(1)?,
            title: r.text(2)?,
            summary: r.text(3)?,
            reviewer_name: r.text(4)?,
            reviewer_title: r.text(5)?,
            updated_at: r.time(6)?,
        })
    }
}

/// A child row and the id of its parent row.
struct Child<T> {
    parent: i32,
    row: T,
}

#[derive(Serialize)]
struct SkillOut {
    id: i32,
    name: String,
    slug: String,
}

#[derive(Serialize)]
struct QuestionOut {
    id: i32,
    position: i32,
    prompt: String,
    category: String,
}

#[derive(Serialize)]
struct StepOut {
    id: i32,
    position: i32,
    text: String,
}

struct PhaseRow {
    id: i32,
    position: i32,
    label: String,
    days_before: i32,
}

#[derive(Serialize)]
struct MistakeOut {
    id: i32,
    position: i32,
    title: String,
    explanation: String,
}

struct BenchmarkRow {
    id: i32,
    country: String,
    currency: String,
    median: i32,
    low: i32,
    high: i32,
    source: String,
    as_of: NaiveDate,
}

struct LevelRow {
    level: String,
    amount: i32,
}

#[derive(Serialize)]
struct FaqOut {
    id: i32,
    position: i32,
    question: String,
    answer: String,
}

const SKILLS: &str = "SELECT rs.role_id, s.id, s.name, s.slug FROM role_skills rs JOIN skills s ON s.id = rs.skill_id WHERE rs.role_id {ids} ORDER BY rs.role_id, rs.position";
const QUESTIONS: &str = "SELECT role_id, id, position, prompt, category FROM questions WHERE role_id {ids} ORDER BY role_id, position";
const STEPS: &str = "SELECT role_id, id, position, text FROM prep_steps WHERE role_id {ids} ORDER BY role_id, position";
const PHASES: &str = "SELECT role_id, id, position, label, days_before FROM timeline_phases WHERE role_id {ids} ORDER BY role_id, position";
const TASKS: &str = "SELECT phase_id, id, position, text FROM timeline_tasks WHERE phase_id {ids} ORDER BY phase_id, position";
const MISTAKES: &str = "SELECT role_id, id, position, title, explanation FROM mistakes WHERE role_id {ids} ORDER BY role_id, position";
const BENCHMARKS: &str = "SELECT role_id, id, country, currency, median, low, high, source, as_of FROM salary_benchmarks WHERE role_id {ids} ORDER BY role_id, position";
const LEVELS: &str = "SELECT benchmark_id, level, amount FROM salary_levels WHERE benchmark_id {ids} ORDER BY benchmark_id, rank";
const FAQS: &str = "SELECT role_id, id, position, question, answer FROM faqs WHERE role_id {ids} ORDER BY role_id, position";

/// Groups child rows by parent id, keeping their order.
fn by_parent<T>(rows: Vec<Child<T>>) -> HashMap<i32, Vec<T>> {
    let mut out: HashMap<i32, Vec<T>> = HashMap::new();
    for c in rows {
        out.entry(c.parent).or_default().push(c.row);
    }
    out
}

fn of<T>(map: &HashMap<i32, Vec<T>>, id: i32) -> &[T] {
    map.get(&id).map(Vec::as_slice).unwrap_or(&[])
}

/// The answer to (f)'s query for the first `n` roles, serialized.
async fn pages(pool: &Pool, n: i64) -> anyhow::Result<Vec<u8>> {
    let roles = pool.roles(n).await?;
    let ids: Vec<i32> = roles.iter().map(|r| r.id).collect();
    let skills = by_parent(
        pool.rows(SKILLS, &ids, |r| {
            Ok(Child {
                parent: r.int(0)?,
                row: SkillOut {
                    id: r.int(1)?,
                    name: r.text(2)?,
                    slug: r.text(3)?,
                },
            })
        })
        .await?,
    );
    let questions = by_parent(
        pool.rows(QUESTIONS, &ids, |r| {
            Ok(Child {
                parent: r.int(0)?,
                row: QuestionOut {
                    id: r.int(1)?,
                    position: r.int(2)?,
                    prompt: r.text(3)?,
                    category: r.text(4)?.to_uppercase(),
                },
            })
        })
        .await?,
    );
    let step = |r: &dyn Columns| -> sqlx::Result<Child<StepOut>> {
        Ok(Child {
            parent: r.int(0)?,
            row: StepOut {
                id: r.int(1)?,
                position: r.int(2)?,
                text: r.text(3)?,
            },
        })
    };
    let steps = by_parent(pool.rows(STEPS, &ids, step).await?);
    let phase_rows = pool
        .rows(PHASES, &ids, |r| {
            Ok(Child {
                parent: r.int(0)?,
                row: PhaseRow {
                    id: r.int(1)?,
                    position: r.int(2)?,
                    label: r.text(3)?,
                    days_before: r.int(4)?,
                },
            })
        })
        .await?;
    let phase_ids: Vec<i32> = phase_rows.iter().map(|p| p.row.id).collect();
    let tasks = by_parent(pool.rows(TASKS, &phase_ids, step).await?);
    let phases = by_parent(phase_rows);
    let mistakes = by_parent(
        pool.rows(MISTAKES, &ids, |r| {
            Ok(Child {
                parent: r.int(0)?,
                row: MistakeOut {
                    id: r.int(1)?,
                    position: r.int(2)?,
                    title: r.text(3)?,
                    explanation: r.text(4)?,
                },
            })
        })
        .await?,
    );
    let benchmark_rows = pool
        .rows(BENCHMARKS, &ids, |r| {
            Ok(Child {
                parent: r.int(0)?,
                row: BenchmarkRow {
                    id: r.int(1)?,
                    country: r.text(2)?,
                    currency: r.text(3)?,
                    median: r.int(4)?,
                    low: r.int(5)?,
                    high: r.int(6)?,
                    source: r.text(7)?,
                    as_of: r.date(8)?,
                },
            })
        })
        .await?;
    let benchmark_ids: Vec<i32> = benchmark_rows.iter().map(|b| b.row.id).collect();
    let levels = by_parent(
        pool.rows(LEVELS, &benchmark_ids, |r| {
            Ok(Child {
                parent: r.int(0)?,
                row: LevelRow {
                    level: r.text(1)?.to_uppercase(),
                    amount: r.int(2)?,
                },
            })
        })
        .await?,
    );
    let benchmarks = by_parent(benchmark_rows);
    let faqs = by_parent(
        pool.rows(FAQS, &ids, |r| {
            Ok(Child {
                parent: r.int(0)?,
                row: FaqOut {
                    id: r.int(1)?,
                    position: r.int(2)?,
                    question: r.text(3)?,
                    answer: r.text(4)?,
                },
            })
        })
        .await?,
    );

    let edges: Vec<Edge> = roles
        .iter()
        .map(|r| Edge {
            node: RoleOut {
                id: r.id,
                slug: &r.slug,
                title: &r.title,
                summary: &r.summary,
                reviewer: Reviewer {
                    name: &r.reviewer_name,
                    title: &r.reviewer_title,
                },
                updated_at: r.updated_at.to_rfc3339(),
                key_skills: of(&skills, r.id),
                questions: of(&questions, r.id),
                prep_steps: of(&steps, r.id),
                timeline: of(&phases, r.id)
                    .iter()
                    .map(|p| PhaseOut {
                        id: p.id,
                        position: p.position,
                        label: &p.label,
                        days_before: p.days_before,
                        tasks: of(&tasks, p.id),
                    })
                    .collect(),
                mistakes: of(&mistakes, r.id),
                salary_benchmarks: of(&benchmarks, r.id)
                    .iter()
                    .map(|b| BenchmarkOut {
                        id: b.id,
                        country: &b.country,
                        currency: &b.currency,
                        source: &b.source,
                        as_of: b.as_of.to_string(),
                        median: Money::new(b.median, &b.currency),
                        low: Money::new(b.low, &b.currency),
                        high: Money::new(b.high, &b.currency),
                        levels: of(&levels, b.id)
                            .iter()
                            .map(|l| LevelOut {
                                level: &l.level,
                                amount: Money::new(l.amount, &b.currency),
                            })
                            .collect(),
                    })
                    .collect(),
                faqs: of(&faqs, r.id),
            },
        })
        .collect();
    Ok(serde_json::to_vec(&Answer {
        data: Data {
            roles: Roles { edges },
        },
    })?)
}

#[derive(Serialize)]
struct Answer<'a> {
    data: Data<'a>,
}

#[derive(Serialize)]
struct Data<'a> {
    roles: Roles<'a>,
}

#[derive(Serialize)]
struct Roles<'a> {
    edges: Vec<Edge<'a>>,
}

#[derive(Serialize)]
struct Edge<'a> {
    node: RoleOut<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleOut<'a> {
    id: i32,
    slug: &'a str,
    title: &'a str,
    summary: &'a str,
    reviewer: Reviewer<'a>,
    updated_at: String,
    key_skills: &'a [SkillOut],
    questions: &'a [QuestionOut],
    prep_steps: &'a [StepOut],
    timeline: Vec<PhaseOut<'a>>,
    mistakes: &'a [MistakeOut],
    salary_benchmarks: Vec<BenchmarkOut<'a>>,
    faqs: &'a [FaqOut],
}

#[derive(Serialize)]
struct Reviewer<'a> {
    name: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhaseOut<'a> {
    id: i32,
    position: i32,
    label: &'a str,
    days_before: i32,
    tasks: &'a [StepOut],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BenchmarkOut<'a> {
    id: i32,
    country: &'a str,
    currency: &'a str,
    source: &'a str,
    as_of: String,
    median: Money<'a>,
    low: Money<'a>,
    high: Money<'a>,
    levels: Vec<LevelOut<'a>>,
}

#[derive(Serialize)]
struct LevelOut<'a> {
    level: &'a str,
    amount: Money<'a>,
}

#[derive(Serialize)]
struct Money<'a> {
    amount: i32,
    currency: &'a str,
    formatted: String,
}

impl<'a> Money<'a> {
    fn new(amount: i32, currency: &'a str) -> Self {
        Self {
            amount,
            currency,
            formatted: format!("{currency} {amount}"),
        }
    }
}
