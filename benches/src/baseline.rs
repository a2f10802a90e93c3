//! The two baselines every GraphQL figure is compared with.
//!
//! - HTTP ceiling: axum returning the very bytes the real server answered, from memory.
//! - SQL ceiling: a hand-written handler doing the same reads with batched SQL
//!   (one statement per table, `IN (...)`) and serde, on the same database and pool size.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use sea_orm::{
    ColumnTrait, ConnectOptions, Database, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::{Value, json};

use entity::{
    faq, mistake, prep_step, question, resource, role, role_skill, salary_benchmark, salary_level,
    skill, timeline_phase, timeline_task,
};

/// Serves `app` on a free port and prints the address the bench waits for.
pub async fn listen(app: Router) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address: SocketAddr = listener.local_addr()?;
    println!("prep-graphql listening on http://{address}");
    axum::serve(listener, app).await?;
    Ok(())
}

/// Serves `bytes` for every POST /graphql.
pub async fn http_ceiling(bytes: Vec<u8>) -> anyhow::Result<()> {
    let bytes = Bytes::from(bytes);
    let app = Router::new().route(
        "/graphql",
        post(move || {
            let bytes = bytes.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], bytes) }
        }),
    );
    listen(app).await
}

/// Serves the role page (`variables.slug`) or the roles list (`variables.first`) with hand-written SQL.
pub async fn sql_ceiling(database_url: String, pool: u32) -> anyhow::Result<()> {
    let mut options = ConnectOptions::new(database_url);
    options.max_connections(pool).sqlx_logging(false);
    let db = Database::connect(options).await?;
    let app = Router::new().route("/graphql", post(handle)).with_state(db);
    listen(app).await
}

async fn handle(
    State(db): State<DatabaseConnection>,
    body: axum::Json<Value>,
) -> impl IntoResponse {
    let variables = &body["variables"];
    let roles = if let Some(slug) = variables["slug"].as_str() {
        role::Entity::find()
            .filter(role::Column::Slug.eq(slug))
            .all(&db)
            .await
    } else {
        let first = variables["first"].as_u64().unwrap_or(20);
        role::Entity::find()
            .order_by_asc(role::Column::Id)
            .limit(first)
            .all(&db)
            .await
    };
    // The engine scenario asks for neither `Skill.roles` nor resources: read only what is asked.
    let query = body["query"].as_str().unwrap_or_default();
    let wants = Wants {
        skill_roles: query.contains("roles { slug }"),
        resources: query.contains("resources"),
    };
    let result = match roles {
        Ok(roles) => pages(&db, roles, wants).await,
        Err(e) => Err(e),
    };
    let body = match result {
        Ok(pages) => {
            if variables["slug"].is_string() {
                json!({ "data": { "role": pages.into_iter().next() } })
            } else {
                let edges: Vec<Value> = pages
                    .into_iter()
                    .map(|node| json!({ "node": node }))
                    .collect();
                json!({ "data": { "roles": { "edges": edges } } })
            }
        }
        Err(e) => json!({ "errors": [{ "message": e.to_string() }] }),
    };
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}

fn group<M, F: Fn(&M) -> i32>(rows: Vec<M>, key: F) -> HashMap<i32, Vec<M>> {
    let mut map: HashMap<i32, Vec<M>> = HashMap::new();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}

fn rows<T>(map: &HashMap<i32, Vec<T>>, id: i32) -> &[T] {
    map.get(&id).map(Vec::as_slice).unwrap_or(&[])
}

fn money(amount: i32, currency: &str) -> Value {
    json!({ "amount": amount, "currency": currency, "formatted": format!("{currency} {amount}") })
}

/// The optional parts of a page.
#[derive(Clone, Copy)]
struct Wants {
    skill_roles: bool,
    resources: bool,
}

/// Every field of the role pages of `roles`, one statement per table.
async fn pages(
    db: &DatabaseConnection,
    roles: Vec<role::Model>,
    wants: Wants,
) -> Result<Vec<Value>, sea_orm::DbErr> {
    let ids: Vec<i32> = roles.iter().map(|r| r.id).collect();
    let links = role_skill::Entity::find()
        .find_also_related(skill::Entity)
        .filter(role_skill::Column::RoleId.is_in(ids.clone()))
        .order_by_asc(role_skill::Column::Position)
        .all(db)
        .await?;
    let skill_ids: Vec<i32> = links
        .iter()
        .filter_map(|(_, s)| s.as_ref().map(|s| s.id))
        .collect();
    let skill_roles = if wants.skill_roles {
        role_skill::Entity::find()
            .find_also_related(role::Entity)
            .filter(role_skill::Column::SkillId.is_in(skill_ids))
            .all(db)
            .await?
    } else {
        Vec::new()
    };
    let questions = group(
        question::Entity::find()
            .filter(question::Column::RoleId.is_in(ids.clone()))
            .order_by_asc(question::Column::Position)
            .all(db)
            .await?,
        |q| q.role_id,
    );
    let steps = group(
        prep_step::Entity::find()
            .filter(prep_step::Column::RoleId.is_in(ids.clone()))
            .order_by_asc(prep_step::Column::Position)
            .all(db)
            .await?,
        |r| r.role_id,
    );
    let phases_rows = timeline_phase::Entity::find()
        .filter(timeline_phase::Column::RoleId.is_in(ids.clone()))
        .order_by_asc(timeline_phase::Column::Position)
        .all(db)
        .await?;
    let phase_ids: Vec<i32> = phases_rows.iter().map(|p| p.id).collect();
    let tasks = group(
        timeline_task::Entity::find()
            .filter(timeline_task::Column::PhaseId.is_in(phase_ids))
            .order_by_asc(timeline_task::Column::Position)
            .all(db)
            .await?,
        |t| t.phase_id,
    );
    let phases = group(phases_rows, |p| p.role_id);
    let mistakes = group(
        mistake::Entity::find()
            .filter(mistake::Column::RoleId.is_in(ids.clone()))
            .order_by_asc(mistake::Column::Position)
            .all(db)
            .await?,
        |m| m.role_id,
    );
    let bench_rows = salary_benchmark::Entity::find()
        .filter(salary_benchmark::Column::RoleId.is_in(ids.clone()))
        .order_by_asc(salary_benchmark::Column::Position)
        .all(db)
        .await?;
    let bench_ids: Vec<i32> = bench_rows.iter().map(|b| b.id).collect();
    let levels = group(
        salary_level::Entity::find()
            .filter(salary_level::Column::BenchmarkId.is_in(bench_ids))
            .order_by_asc(salary_level::Column::Rank)
            .all(db)
            .await?,
        |l| l.benchmark_id,
    );
    let benchmarks = group(bench_rows, |b| b.role_id);
    let faqs = group(
        faq::Entity::find()
            .filter(faq::Column::RoleId.is_in(ids.clone()))
            .order_by_asc(faq::Column::Position)
            .all(db)
            .await?,
        |f| f.role_id,
    );
    let resources = if wants.resources {
        group(
            resource::Entity::find()
                .filter(resource::Column::RoleId.is_in(ids))
                .order_by_asc(resource::Column::Position)
                .all(db)
                .await?,
            |r| r.role_id,
        )
    } else {
        HashMap::new()
    };

    let mut roles_of_skill: HashMap<i32, Vec<Value>> = HashMap::new();
    for (link, r) in skill_roles {
        if let Some(r) = r {
            roles_of_skill
                .entry(link.skill_id)
                .or_default()
                .push(json!({ "slug": r.slug }));
        }
    }
    let mut skills_of_role: HashMap<i32, Vec<Value>> = HashMap::new();
    for (link, s) in links {
        if let Some(s) = s {
            skills_of_role.entry(link.role_id).or_default().push(json!({
                "id": s.id, "name": s.name, "slug": s.slug, "roles": roles_of_skill.get(&s.id).cloned().unwrap_or_default()
            }));
        }
    }
    Ok(roles.into_iter().map(|r| json!({
        "id": r.id, "slug": r.slug, "title": r.title, "summary": r.summary,
        "reviewer": { "name": r.reviewer_name, "title": r.reviewer_title }, "updatedAt": r.updated_at.to_rfc3339(),
        "keySkills": skills_of_role.get(&r.id).cloned().unwrap_or_default(),
        "questions": rows(&questions, r.id).iter().map(|q| json!({ "id": q.id, "position": q.position, "prompt": q.prompt, "category": q.category.to_uppercase(), "role": { "slug": r.slug } })).collect::<Vec<_>>(),
        "prepSteps": rows(&steps, r.id).iter().map(|s| json!({ "id": s.id, "position": s.position, "text": s.text })).collect::<Vec<_>>(),
        "timeline": rows(&phases, r.id).iter().map(|p| json!({ "id": p.id, "position": p.position, "label": p.label, "daysBefore": p.days_before,
            "tasks": rows(&tasks, p.id).iter().map(|t| json!({ "id": t.id, "position": t.position, "text": t.text })).collect::<Vec<_>>() })).collect::<Vec<_>>(),
        "mistakes": rows(&mistakes, r.id).iter().map(|m| json!({ "id": m.id, "position": m.position, "title": m.title, "explanation": m.explanation })).collect::<Vec<_>>(),
        "salaryBenchmarks": rows(&benchmarks, r.id).iter().map(|b| json!({ "id": b.id, "country": b.country, "currency": b.currency, "source": b.source, "asOf": b.as_of.to_string(),
            "median": money(b.median, &b.currency), "low": money(b.low, &b.currency), "high": money(b.high, &b.currency),
            "levels": rows(&levels, b.id).iter().map(|l| json!({ "level": l.level.to_uppercase(), "amount": money(l.amount, &b.currency) })).collect::<Vec<_>>() })).collect::<Vec<_>>(),
        "faqs": rows(&faqs, r.id).iter().map(|f| json!({ "id": f.id, "position": f.position, "question": f.question, "answer": f.answer })).collect::<Vec<_>>(),
        "resources": rows(&resources, r.id).iter().map(|x| json!({ "id": x.id, "position": x.position, "title": x.title, "kind": x.kind.to_uppercase(), "url": x.url })).collect::<Vec<_>>(),
    })).collect())
}
