//! Writing validated content into the database: upsert by slug, all files in one transaction.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use entity::{
    competency, content_version, faq, mistake, prep_step, question, question_competency, resource,
    role, role_competency, role_skill, salary_benchmark, salary_level, skill, timeline_phase,
    timeline_task,
};

use super::model::RoleContent;
use super::validate::{ContentLimits, validate};
use crate::records::Notice;

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The files are invalid; one line per problem, naming file, item and field.
    #[error("{}", .0.join("\n"))]
    Invalid(Vec<String>),
    /// The database failed; the transaction was rolled back.
    #[error("database error during import: {0}")]
    Database(#[from] DbErr),
}

/// What an import did, role by role.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
}

/// Parses and validates every file, then writes them all in one transaction.
///
/// A role whose [content hash](RoleContent::content_hash) is unchanged is not touched, so importing the
/// same files twice leaves the database as it was. Questions keep their rows
/// (and so their IDs and the drafts written for them) when updated in place;
/// skills and competencies are upserted by slug and never deleted, so a
/// draft's tags survive too; the other lists of a changed role are replaced.
pub async fn import(
    db: &DatabaseConnection,
    files: &[(String, String)],
    limits: &ContentLimits,
) -> Result<ImportReport, ImportError> {
    import_with_progress(db, files, limits, |_| {}).await
}

/// [`import`], telling `progress` of each validated role once it is written
/// (with how many roles there are in all), for a progress display.
pub async fn import_with_progress(
    db: &DatabaseConnection,
    files: &[(String, String)],
    limits: &ContentLimits,
    mut progress: impl FnMut(Progress),
) -> Result<ImportReport, ImportError> {
    let roles = parse_all(files, limits)?;
    let tx = crate::db::begin_write(db).await?;
    let mut report = ImportReport::default();
    for (done, role) in roles.iter().enumerate() {
        progress(Progress {
            done,
            total: roles.len(),
        });
        let hash = role.content_hash();
        let existing = role::Entity::find()
            .filter(role::Column::Slug.eq(&role.slug))
            .one(&tx)
            .await?;
        match existing {
            Some(row) if row.content_hash == hash => report.unchanged.push(role.slug.clone()),
            Some(row) => {
                write_role(&tx, role, &hash, Some(row.id)).await?;
                report.updated.push(role.slug.clone());
            }
            None => {
                write_role(&tx, role, &hash, None).await?;
                report.created.push(role.slug.clone());
            }
        }
    }
    if !report.created.is_empty() || !report.updated.is_empty() {
        // In the same transaction: whoever sees the new content sees the new version.
        content_version::Entity::update_many()
            .col_expr(
                content_version::Column::Version,
                Expr::col(content_version::Column::Version).add(1),
            )
            .filter(content_version::Column::Id.eq(content_version::ROW_ID))
            .exec(&tx)
            .await?;
        let version = content_version::Entity::find_by_id(content_version::ROW_ID)
            .one(&tx)
            .await?
            .map_or(0, |row| row.version);
        // Sent by the commit to every server instance's listener (PostgreSQL;
        // the command may run in a process of its own), which then keys its
        // response cache on the new version without reading it per request.
        crate::records::bus::stage_notice(&tx, &Notice::ContentChanged { version }).await?;
    }
    progress(Progress {
        done: roles.len(),
        total: roles.len(),
    });
    tx.commit().await?;
    Ok(report)
}

/// How far an import's writing has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Roles written (or found unchanged) so far.
    pub done: usize,
    /// Roles of the run.
    pub total: usize,
}

impl ImportReport {
    /// What `prep-graphql import` prints of a run over `files` files: the
    /// counts, and the roles' slugs only when `verbose` (a run of 1,000 roles
    /// would otherwise print tens of kilobytes).
    pub fn summary(&self, files: usize, verbose: bool) -> String {
        let mut text = format!(
            "imported {files} file(s): {} created, {} updated, {} unchanged\n",
            self.created.len(),
            self.updated.len(),
            self.unchanged.len()
        );
        if verbose {
            for (label, slugs) in [
                ("created", &self.created),
                ("updated", &self.updated),
                ("unchanged", &self.unchanged),
            ] {
                if !slugs.is_empty() {
                    text.push_str(&format!("{label}: {}\n", slugs.join(", ")));
                }
            }
        }
        text
    }
}

/// Parses and validates all files; also checks what only shows across files.
fn parse_all(
    files: &[(String, String)],
    limits: &ContentLimits,
) -> Result<Vec<RoleContent>, ImportError> {
    let mut errors = Vec::new();
    let mut roles = Vec::new();
    let mut role_files: HashMap<String, String> = HashMap::new();
    let mut skill_names: HashMap<String, (String, String)> = HashMap::new();
    // A competency is shared: every file naming it must give it the same text.
    let mut competency_texts: HashMap<String, ((String, String), String)> = HashMap::new();
    for (name, text) in files {
        let role: RoleContent = match toml::from_str(text) {
            Ok(role) => role,
            Err(e) => {
                errors.push(format!("{name}: invalid TOML: {}", e.message()));
                continue;
            }
        };
        errors.extend(validate(name, &role, limits));
        if let Some(first) = role_files.insert(role.slug.clone(), name.clone()) {
            errors.push(format!(
                "{name}: slug: {:?} is also the slug of {first}",
                role.slug
            ));
        }
        for (i, c) in role.competencies.iter().enumerate() {
            let text = (c.name.trim().to_owned(), c.description.trim().to_owned());
            match competency_texts.get(&c.slug) {
                Some((other, other_file)) if *other != text => {
                    let field = if other.0 == text.0 {
                        "description"
                    } else {
                        "name"
                    };
                    errors.push(format!(
                        "{name}: competencies[{i}].{field}: differs from the competency {:?} in {other_file}",
                        c.slug
                    ));
                }
                _ => {
                    competency_texts.insert(c.slug.clone(), (text, name.clone()));
                }
            }
        }
        for (i, s) in role.skills.iter().enumerate() {
            match skill_names.get(&s.slug) {
                Some((other_name, other_file)) if *other_name != s.name => errors.push(format!(
                    "{name}: skills[{i}].name: {:?} differs from {other_name:?} in {other_file}",
                    s.name
                )),
                _ => {
                    skill_names.insert(s.slug.clone(), (s.name.clone(), name.clone()));
                }
            }
        }
        roles.push(role);
    }
    if errors.is_empty() {
        Ok(roles)
    } else {
        Err(ImportError::Invalid(errors))
    }
}

/// Inserts or rewrites one role and all its parts.
async fn write_role(
    tx: &impl ConnectionTrait,
    role: &RoleContent,
    hash: &str,
    existing: Option<i32>,
) -> Result<(), DbErr> {
    let row = role::ActiveModel {
        id: existing.map_or(NotSet, Set),
        slug: Set(role.slug.clone()),
        title: Set(role.title.trim().to_owned()),
        summary: Set(role.summary.trim().to_owned()),
        reviewer_name: Set(role.reviewer.name.trim().to_owned()),
        reviewer_title: Set(role.reviewer.title.trim().to_owned()),
        content_hash: Set(hash.to_owned()),
        updated_at: Set(Utc::now()),
    };
    let role_id = match existing {
        Some(id) => {
            role::Entity::update(row).exec(tx).await?;
            clear_children(tx, id).await?;
            id
        }
        None => role::Entity::insert(row).exec(tx).await?.last_insert_id,
    };

    write_skills(tx, role, role_id).await?;
    let competencies = write_competencies(tx, role, role_id).await?;
    let questions = write_questions(tx, role, role_id).await?;
    write_question_competencies(tx, role, &questions, &competencies).await?;

    insert_all(
        tx,
        role.prep_steps
            .iter()
            .enumerate()
            .map(|(i, s)| prep_step::ActiveModel {
                id: NotSet,
                role_id: Set(role_id),
                position: Set(position(i)),
                text: Set(s.text.trim().to_owned()),
            }),
    )
    .await?;

    for (i, phase) in role.timeline.iter().enumerate() {
        let phase_id = timeline_phase::Entity::insert(timeline_phase::ActiveModel {
            id: NotSet,
            role_id: Set(role_id),
            position: Set(position(i)),
            label: Set(phase.label.trim().to_owned()),
            days_before: Set(phase.days_before as i32),
        })
        .exec(tx)
        .await?
        .last_insert_id;
        insert_all(
            tx,
            phase
                .tasks
                .iter()
                .enumerate()
                .map(|(j, t)| timeline_task::ActiveModel {
                    id: NotSet,
                    phase_id: Set(phase_id),
                    position: Set(position(j)),
                    text: Set(t.trim().to_owned()),
                }),
        )
        .await?;
    }

    insert_all(
        tx,
        role.mistakes
            .iter()
            .enumerate()
            .map(|(i, m)| mistake::ActiveModel {
                id: NotSet,
                role_id: Set(role_id),
                position: Set(position(i)),
                title: Set(m.title.trim().to_owned()),
                explanation: Set(m.explanation.trim().to_owned()),
            }),
    )
    .await?;

    for (i, s) in role.salary.iter().enumerate() {
        let benchmark_id = salary_benchmark::Entity::insert(salary_benchmark::ActiveModel {
            id: NotSet,
            role_id: Set(role_id),
            position: Set(position(i)),
            country: Set(s.country.clone()),
            currency: Set(s.currency.clone()),
            median: Set(s.median as i32),
            low: Set(s.low as i32),
            high: Set(s.high as i32),
            source: Set(s.source.trim().to_owned()),
            as_of: Set(NaiveDate::parse_from_str(&s.as_of, "%Y-%m-%d").unwrap_or_default()),
        })
        .exec(tx)
        .await?
        .last_insert_id;
        insert_all(
            tx,
            s.levels
                .present()
                .map(|(level, rank, amount)| salary_level::ActiveModel {
                    id: NotSet,
                    benchmark_id: Set(benchmark_id),
                    level: Set(level.to_owned()),
                    rank: Set(rank),
                    amount: Set(amount as i32),
                }),
        )
        .await?;
    }

    insert_all(
        tx,
        role.faqs.iter().enumerate().map(|(i, f)| faq::ActiveModel {
            id: NotSet,
            role_id: Set(role_id),
            position: Set(position(i)),
            question: Set(f.question.trim().to_owned()),
            answer: Set(f.answer.trim().to_owned()),
        }),
    )
    .await?;

    insert_all(
        tx,
        role.resources
            .iter()
            .enumerate()
            .map(|(i, r)| resource::ActiveModel {
                id: NotSet,
                role_id: Set(role_id),
                position: Set(position(i)),
                title: Set(r.title.trim().to_owned()),
                kind: Set(r.kind.clone()),
                url: Set(r.url.clone()),
            }),
    )
    .await
}

/// Positions are 1-based, in file order.
fn position(index: usize) -> i32 {
    index as i32 + 1
}

/// Inserts rows of one table in one statement; nothing for an empty list.
async fn insert_all<A>(
    tx: &impl ConnectionTrait,
    rows: impl Iterator<Item = A>,
) -> Result<(), DbErr>
where
    A: sea_orm::ActiveModelTrait,
{
    let rows: Vec<A> = rows.collect();
    if rows.is_empty() {
        return Ok(());
    }
    <A::Entity as EntityTrait>::insert_many(rows)
        .exec(tx)
        .await?;
    Ok(())
}

/// Deletes the replaceable parts of a role (not its questions: see [`write_questions`]).
async fn clear_children(tx: &impl ConnectionTrait, role_id: i32) -> Result<(), DbErr> {
    role_skill::Entity::delete_many()
        .filter(role_skill::Column::RoleId.eq(role_id))
        .exec(tx)
        .await?;
    role_competency::Entity::delete_many()
        .filter(role_competency::Column::RoleId.eq(role_id))
        .exec(tx)
        .await?;
    prep_step::Entity::delete_many()
        .filter(prep_step::Column::RoleId.eq(role_id))
        .exec(tx)
        .await?;
    timeline_phase::Entity::delete_many()
        .filter(timeline_phase::Column::RoleId.eq(role_id))
        .exec(tx)
        .await?;
    mistake::Entity::delete_many()
        .filter(mistake::Column::RoleId.eq(role_id))
        .exec(tx)
        .await?;
    salary_benchmark::Entity::delete_many()
        .filter(salary_benchmark::Column::RoleId.eq(role_id))
        .exec(tx)
        .await?;
    faq::Entity::delete_many()
        .filter(faq::Column::RoleId.eq(role_id))
        .exec(tx)
        .await?;
    resource::Entity::delete_many()
        .filter(resource::Column::RoleId.eq(role_id))
        .exec(tx)
        .await?;
    Ok(())
}

/// Upserts the role's skills by slug and links them in order.
async fn write_skills(
    tx: &impl ConnectionTrait,
    role: &RoleContent,
    role_id: i32,
) -> Result<(), DbErr> {
    for (i, s) in role.skills.iter().enumerate() {
        let existing = skill::Entity::find()
            .filter(skill::Column::Slug.eq(&s.slug))
            .one(tx)
            .await?;
        let skill_id = match existing {
            Some(row) if row.name == s.name.trim() => row.id,
            Some(row) => {
                skill::Entity::update(skill::ActiveModel {
                    id: Set(row.id),
                    slug: NotSet,
                    name: Set(s.name.trim().to_owned()),
                })
                .exec(tx)
                .await?;
                row.id
            }
            None => {
                skill::Entity::insert(skill::ActiveModel {
                    id: NotSet,
                    slug: Set(s.slug.clone()),
                    name: Set(s.name.trim().to_owned()),
                })
                .exec(tx)
                .await?
                .last_insert_id
            }
        };
        role_skill::Entity::insert(role_skill::ActiveModel {
            id: NotSet,
            role_id: Set(role_id),
            skill_id: Set(skill_id),
            position: Set(position(i)),
        })
        .exec(tx)
        .await?;
    }
    Ok(())
}

/// Upserts the role's competencies by slug and links them in order; returns
/// each slug's id.
async fn write_competencies(
    tx: &impl ConnectionTrait,
    role: &RoleContent,
    role_id: i32,
) -> Result<HashMap<String, i32>, DbErr> {
    let mut ids = HashMap::new();
    if role.competencies.is_empty() {
        return Ok(ids);
    }
    let existing: HashMap<String, competency::Model> = competency::Entity::find()
        .filter(competency::Column::Slug.is_in(role.competencies.iter().map(|c| c.slug.clone())))
        .all(tx)
        .await?
        .into_iter()
        .map(|c| (c.slug.clone(), c))
        .collect();
    for c in &role.competencies {
        let name = c.name.trim().to_owned();
        let description = c.description.trim().to_owned();
        let id = match existing.get(&c.slug) {
            Some(row) if row.name == name && row.description == description => row.id,
            Some(row) => {
                competency::Entity::update(competency::ActiveModel {
                    id: Set(row.id),
                    slug: NotSet,
                    name: Set(name),
                    description: Set(description),
                })
                .exec(tx)
                .await?;
                row.id
            }
            None => {
                competency::Entity::insert(competency::ActiveModel {
                    id: NotSet,
                    slug: Set(c.slug.clone()),
                    name: Set(name),
                    description: Set(description),
                })
                .exec(tx)
                .await?
                .last_insert_id
            }
        };
        ids.insert(c.slug.clone(), id);
    }
    insert_all(
        tx,
        role.competencies.iter().enumerate().filter_map(|(i, c)| {
            ids.get(&c.slug).map(|id| role_competency::ActiveModel {
                id: NotSet,
                role_id: Set(role_id),
                competency_id: Set(*id),
                position: Set(position(i)),
            })
        }),
    )
    .await?;
    Ok(ids)
}

/// Replaces the competency tags of the role's questions (`question_ids` in
/// file order); validation made sure every slug is one of the role's.
async fn write_question_competencies(
    tx: &impl ConnectionTrait,
    role: &RoleContent,
    question_ids: &[i32],
    competencies: &HashMap<String, i32>,
) -> Result<(), DbErr> {
    question_competency::Entity::delete_many()
        .filter(question_competency::Column::QuestionId.is_in(question_ids.iter().copied()))
        .exec(tx)
        .await?;
    let rows = role
        .questions
        .iter()
        .zip(question_ids)
        .flat_map(|(q, question_id)| {
            q.competencies
                .iter()
                .enumerate()
                .filter_map(move |(j, slug)| {
                    competencies
                        .get(slug)
                        .map(|competency_id| question_competency::ActiveModel {
                            id: NotSet,
                            question_id: Set(*question_id),
                            competency_id: Set(*competency_id),
                            position: Set(position(j)),
                        })
                })
        });
    insert_all(tx, rows).await
}

/// Updates questions in place by position, adds new ones and removes the surplus,
/// so a question keeps its ID (and its drafts) across content edits. Returns
/// the ids of the role's questions in file order.
async fn write_questions(
    tx: &impl ConnectionTrait,
    role: &RoleContent,
    role_id: i32,
) -> Result<Vec<i32>, DbErr> {
    let existing = question::Entity::find()
        .filter(question::Column::RoleId.eq(role_id))
        .order_by_asc(question::Column::Position)
        .all(tx)
        .await?;
    let mut ids = Vec::with_capacity(role.questions.len());
    for (i, q) in role.questions.iter().enumerate() {
        let prompt = q.prompt.trim().to_owned();
        match existing.get(i) {
            Some(row) if row.prompt == prompt && row.category == q.category => ids.push(row.id),
            Some(row) => {
                ids.push(row.id);
                question::Entity::update(question::ActiveModel {
                    id: Set(row.id),
                    role_id: NotSet,
                    position: NotSet,
                    prompt: Set(prompt),
                    category: Set(q.category.clone()),
                })
                .exec(tx)
                .await?;
            }
            None => {
                let id = question::Entity::insert(question::ActiveModel {
                    id: NotSet,
                    role_id: Set(role_id),
                    position: Set(position(i)),
                    prompt: Set(prompt),
                    category: Set(q.category.clone()),
                })
                .exec(tx)
                .await?
                .last_insert_id;
                ids.push(id);
            }
        }
    }
    question::Entity::delete_many()
        .filter(question::Column::RoleId.eq(role_id))
        .filter(question::Column::Position.gt(position(role.questions.len()) - 1))
        .exec(tx)
        .await?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::ImportReport;

    fn report() -> ImportReport {
        ImportReport {
            created: vec!["a".into(), "b".into()],
            updated: vec![],
            unchanged: vec!["c".into()],
        }
    }

    #[test]
    fn the_summary_counts_and_names_only_when_verbose() {
        assert_eq!(
            report().summary(3, false),
            "imported 3 file(s): 2 created, 0 updated, 1 unchanged\n"
        );
        assert_eq!(
            report().summary(3, true),
            "imported 3 file(s): 2 created, 0 updated, 1 unchanged\ncreated: a, b\nunchanged: c\n"
        );
    }
}
