//! "Take my data with me" (GDPR article 20): everything an account owns as
//! one JSON document, written in pieces so a full account is never held
//! whole in memory by the HTTP route (`GET /me/export`).
//!
//! The document (`version` 1; a later version only adds fields):
//!
//! ```text
//! { "format": "prep-graphql/account-export", "version": 1, "exportedAt": RFC 3339,
//!   "profile": { id email displayName createdAt },
//!   "sessions": [ { createdAt lastUsedAt expiresAt userAgent address } ],
//!   "drafts": [ { id title situation task action result status version createdAt updatedAt
//!                 competencies: [slug], questions: [ { id role position prompt } ],
//!                 revisions: [ { version title situation task action result status createdAt } ],
//!                 comments: [ comment ] } ],
//!   "interviews": [ { id role company stage notes scheduledAt timeZone localDate version
//!                     createdAt updatedAt plan: [ { id text dueOn done doneAt phaseLabel daysBefore compressed } ] } ],
//!   "practiceAttempts": [ { id draftId questionId startedAt finishedAt durationSeconds transcript
//!                           wordsPerMinute feedback } ],
//!   "shares": [ { id targetKind draftId interviewId access note expiresAt createdAt
//!                 acceptedBy: [ { displayName acceptedAt } ] } ],
//!   "sharedWithMe": [ { ownerName targetKind draftId interviewId access since expiresAt } ],
//!   "commentsOnSharedDrafts": [ comment ] }
//!
//! comment = { id draftId parentId section quote body authorName byMe draftVersion
//!             version createdAt updatedAt resolvedAt }
//! ```
//!
//! A draft's `comments` are every comment on it, the coaches' too (the
//! owner reads them in the app); `commentsOnSharedDrafts` are the ones the
//! account wrote on drafts others shared with it. Of other people the
//! export names display names only, never an email.
//!
//! IDs are the API's global IDs. Records are read a page at a time (by
//! id, each page's children in one statement per table), inside one read
//! transaction, so the document is one consistent snapshot.

use std::collections::{HashMap, HashSet};

use axum::body::Bytes;
use sea_orm::{
    AccessMode, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, IsolationLevel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use entity::{
    comment, competency, interview, plan_task, practice_attempt, question, role, session, share,
    share_grant, star_draft, star_draft_competency, star_draft_question, star_draft_revision, user,
};

use crate::db::now;
use crate::graphql::ids::{IdKind, encode};
use crate::records::OwnedPages;

/// The `format` field of every export.
pub const FORMAT: &str = "prep-graphql/account-export";
/// The `version` field: bumped when a field changes meaning or goes.
pub const VERSION: u32 = 1;
/// Records read per statement.
const PAGE: u64 = 50;
/// Bytes gathered before a piece is handed to the reader.
const PIECE_BYTES: usize = 64 * 1024;

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    /// The reader went away (the client closed the download).
    #[error("the reader went away")]
    Closed,
}

/// Starts writing `user_id`'s export; the pieces arrive on the receiver
/// (a few at a time: the writer waits for a slow reader), an `Err` last
/// when it failed half-way.
pub fn start(
    db: DatabaseConnection,
    user_id: i32,
) -> mpsc::Receiver<Result<Bytes, std::io::Error>> {
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        let mut out = Out {
            tx: tx.clone(),
            buf: Vec::with_capacity(PIECE_BYTES),
        };
        match write(&db, user_id, &mut out).await {
            Ok(()) | Err(ExportError::Closed) => {}
            Err(e) => {
                tracing::error!(error = %e, "writing an account export failed");
                let _ = tx
                    .send(Err(std::io::Error::other("the export failed")))
                    .await;
            }
        }
    });
    rx
}

/// The whole export as one value (GraphQL `exportMyData`).
pub async fn collect(db: DatabaseConnection, user_id: i32) -> Result<Value, anyhow::Error> {
    let mut rx = start(db, user_id);
    let mut all = Vec::new();
    while let Some(piece) = rx.recv().await {
        all.extend_from_slice(&piece?);
    }
    Ok(serde_json::from_slice(&all)?)
}

/// The writer's side: gathers text into pieces of about [`PIECE_BYTES`].
struct Out {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl Out {
    fn raw(&mut self, text: &str) {
        self.buf.extend_from_slice(text.as_bytes());
    }

    /// Writes `value`, preceded by a comma unless it is the first of its list.
    async fn item(&mut self, first: &mut bool, value: &Value) -> Result<(), ExportError> {
        if !std::mem::take(first) {
            self.raw(",");
        }
        serde_json::to_writer(&mut self.buf, value).map_err(|e| DbErr::Custom(e.to_string()))?;
        if self.buf.len() >= PIECE_BYTES {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), ExportError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(PIECE_BYTES),
        ));
        self.tx
            .send(Ok(piece))
            .await
            .map_err(|_| ExportError::Closed)
    }
}

async fn snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await
    } else {
        // A SQLite read transaction sees one snapshot (WAL) from its first read.
        db.begin().await
    }
}

async fn write(db: &DatabaseConnection, user_id: i32, out: &mut Out) -> Result<(), ExportError> {
    let tx = snapshot(db).await?;
    let Some(profile) = user::Entity::find_by_id(user_id).one(&tx).await? else {
        return Err(DbErr::RecordNotFound("the account".to_owned()).into());
    };
    let head = json!({
        "format": FORMAT,
        "version": VERSION,
        "exportedAt": now(),
        "profile": {
            "id": encode(IdKind::User, profile.id).0,
            "email": profile.email,
            "displayName": profile.display_name,
            "createdAt": profile.created_at,
        },
    });
    // The head's fields, then the lists, in one object.
    let head = serde_json::to_string(&head).map_err(|e| DbErr::Custom(e.to_string()))?;
    out.raw(head.trim_end_matches('}'));

    out.raw(",\"sessions\":[");
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now()))
        .order_by_asc(session::Column::Id)
        .all(&tx)
        .await?;
    let mut first = true;
    for s in sessions {
        let row = json!({
            "createdAt": s.created_at,
            "lastUsedAt": s.last_used_at.unwrap_or(s.created_at),
            "expiresAt": s.expires_at,
            "userAgent": s.user_agent,
            "address": s.address,
        });
        out.item(&mut first, &row).await?;
    }

    out.raw("],\"drafts\":[");
    drafts(&tx, user_id, out).await?;
    out.raw("],\"interviews\":[");
    interviews(&tx, user_id, out).await?;
    out.raw("],\"practiceAttempts\":[");
    attempts(&tx, user_id, out).await?;
    out.raw("],\"shares\":[");
    shares(&tx, user_id, out).await?;
    out.raw("],\"sharedWithMe\":[");
    grants(&tx, user_id, out).await?;
    out.raw("],\"commentsOnSharedDrafts\":[");
    own_comments_elsewhere(&tx, user_id, out).await?;
    out.raw("]}");
    out.flush().await?;
    tx.commit().await?;
    Ok(())
}

async fn drafts(tx: &DatabaseTransaction, user_id: i32, out: &mut Out) -> Result<(), ExportError> {
    let mut pages = OwnedPages::<star_draft::Entity>::new(user_id, PAGE);
    let mut first = true;
    while let Some(page) = pages.next(tx).await? {
        let ids: Vec<i32> = page.iter().map(|d| d.id).collect();
        let mut comments = comments_by_draft(tx, user_id, &ids).await?;
        let mut revisions: HashMap<i32, Vec<Value>> = HashMap::new();
        for r in star_draft_revision::Entity::find()
            .filter(star_draft_revision::Column::DraftId.is_in(ids.clone()))
            .order_by_asc(star_draft_revision::Column::DraftId)
            .order_by_asc(star_draft_revision::Column::Version)
            .all(tx)
            .await?
        {
            revisions.entry(r.draft_id).or_default().push(json!({
                "version": r.version, "title": r.title, "situation": r.situation, "task": r.task,
                "action": r.action, "result": r.result, "status": r.status, "createdAt": r.created_at,
            }));
        }
        let tags = star_draft_competency::Entity::find()
            .filter(star_draft_competency::Column::DraftId.is_in(ids.clone()))
            .order_by_asc(star_draft_competency::Column::Position)
            .all(tx)
            .await?;
        let slugs: HashMap<i32, String> = competency::Entity::find()
            .filter(competency::Column::Id.is_in(unique(tags.iter().map(|t| t.competency_id))))
            .all(tx)
            .await?
            .into_iter()
            .map(|c| (c.id, c.slug))
            .collect();
        let links = star_draft_question::Entity::find()
            .filter(star_draft_question::Column::DraftId.is_in(ids.clone()))
            .order_by_asc(star_draft_question::Column::Position)
            .all(tx)
            .await?;
        let questions: HashMap<i32, question::Model> = question::Entity::find()
            .filter(question::Column::Id.is_in(unique(links.iter().map(|l| l.question_id))))
            .all(tx)
            .await?
            .into_iter()
            .map(|q| (q.id, q))
            .collect();
        let roles = role_slugs(tx, questions.values().map(|q| q.role_id)).await?;
        for draft in page {
            let competencies: Vec<&str> = tags
                .iter()
                .filter(|t| t.draft_id == draft.id)
                .filter_map(|t| slugs.get(&t.competency_id).map(String::as_str))
                .collect();
            let linked: Vec<Value> = links
                .iter()
                .filter(|l| l.draft_id == draft.id)
                .filter_map(|l| questions.get(&l.question_id))
                .map(|q| {
                    json!({
                        "id": encode(IdKind::Question, q.id).0,
                        "role": roles.get(&q.role_id),
                        "position": q.position,
                        "prompt": q.prompt,
                    })
                })
                .collect();
            let row = json!({
                "id": encode(IdKind::StarDraft, draft.id).0,
                "title": draft.title, "situation": draft.situation, "task": draft.task,
                "action": draft.action, "result": draft.result, "status": draft.status,
                "version": draft.version, "createdAt": draft.created_at, "updatedAt": draft.updated_at,
                "competencies": competencies,
                "questions": linked,
                "revisions": revisions.remove(&draft.id).unwrap_or_default(),
                "comments": comments.remove(&draft.id).unwrap_or_default(),
            });
            out.item(&mut first, &row).await?;
        }
    }
    Ok(())
}

async fn interviews(
    tx: &DatabaseTransaction,
    user_id: i32,
    out: &mut Out,
) -> Result<(), ExportError> {
    let mut pages = OwnedPages::<interview::Entity>::new(user_id, PAGE);
    let mut first = true;
    while let Some(page) = pages.next(tx).await? {
        let tasks = plan_task::Entity::find()
            .filter(plan_task::Column::InterviewId.is_in(page.iter().map(|i| i.id)))
            .order_by_asc(plan_task::Column::DueOn)
            .order_by_asc(plan_task::Column::Position)
            .all(tx)
            .await?;
        let roles = role_slugs(tx, page.iter().map(|i| i.role_id)).await?;
        for i in page {
            let plan: Vec<Value> = tasks
                .iter()
                .filter(|t| t.interview_id == i.id)
                .map(|t| {
                    json!({
                        "id": encode(IdKind::PlanTask, t.id).0, "text": t.text, "dueOn": t.due_on,
                        "done": t.done, "doneAt": t.done_at, "phaseLabel": t.phase_label,
                        "daysBefore": t.days_before, "compressed": t.compressed,
                    })
                })
                .collect();
            let row = json!({
                "id": encode(IdKind::Interview, i.id).0, "role": roles.get(&i.role_id),
                "company": i.company, "stage": i.stage, "notes": i.notes,
                "scheduledAt": i.scheduled_at, "timeZone": i.time_zone, "localDate": i.local_date,
                "version": i.version, "createdAt": i.created_at, "updatedAt": i.updated_at,
                "plan": plan,
            });
            out.item(&mut first, &row).await?;
        }
    }
    Ok(())
}

async fn attempts(
    tx: &DatabaseTransaction,
    user_id: i32,
    out: &mut Out,
) -> Result<(), ExportError> {
    let mut pages = OwnedPages::<practice_attempt::Entity>::new(user_id, PAGE);
    let mut first = true;
    while let Some(page) = pages.next(tx).await? {
        for a in page {
            // Stored as the JSON it was computed as, in Rust's field names:
            // exported in the API's camelCase like everything else.
            let feedback: Value = a
                .feedback
                .as_deref()
                .and_then(|f| serde_json::from_str(f).ok())
                .map(camel_keys)
                .unwrap_or(Value::Null);
            let row = json!({
                "id": encode(IdKind::PracticeAttempt, a.id).0,
                "draftId": a.draft_id.map(|d| encode(IdKind::StarDraft, d).0),
                "questionId": a.question_id.map(|q| encode(IdKind::Question, q).0),
                "startedAt": a.started_at, "finishedAt": a.finished_at,
                "durationSeconds": a.duration_seconds, "transcript": a.transcript,
                "wordsPerMinute": a.words_per_minute, "feedback": feedback,
            });
            out.item(&mut first, &row).await?;
        }
    }
    Ok(())
}

/// Every comment on `drafts` (the account's own), oldest first per draft.
async fn comments_by_draft(
    tx: &DatabaseTransaction,
    user_id: i32,
    drafts: &[i32],
) -> Result<HashMap<i32, Vec<Value>>, DbErr> {
    let rows = comment::Entity::find()
        .filter(comment::Column::DraftId.is_in(drafts.iter().copied()))
        .order_by_asc(comment::Column::Id)
        .all(tx)
        .await?;
    let names = display_names(tx, rows.iter().map(|c| c.author_id)).await?;
    let mut out: HashMap<i32, Vec<Value>> = HashMap::new();
    for c in rows {
        let row = comment_json(&c, user_id, &names);
        out.entry(c.draft_id).or_default().push(row);
    }
    Ok(out)
}

/// The comments the account wrote on drafts that others own, a page at a time.
async fn own_comments_elsewhere(
    tx: &DatabaseTransaction,
    user_id: i32,
    out: &mut Out,
) -> Result<(), ExportError> {
    let mut pages = OwnedPages::<comment::Entity>::new(user_id, PAGE);
    let mut first = true;
    let names = display_names(tx, std::iter::once(user_id)).await?;
    while let Some(page) = pages.next(tx).await? {
        let owners: HashMap<i32, i32> = star_draft::Entity::find()
            .filter(star_draft::Column::Id.is_in(unique(page.iter().map(|c| c.draft_id))))
            .all(tx)
            .await?
            .into_iter()
            .map(|d| (d.id, d.user_id))
            .collect();
        for c in page {
            // The ones on the account's own drafts are under those drafts.
            if owners.get(&c.draft_id) == Some(&user_id) {
                continue;
            }
            out.item(&mut first, &comment_json(&c, user_id, &names))
                .await?;
        }
    }
    Ok(())
}

fn comment_json(c: &comment::Model, user_id: i32, names: &HashMap<i32, String>) -> Value {
    json!({
        "id": encode(IdKind::Comment, c.id).0,
        "draftId": encode(IdKind::StarDraft, c.draft_id).0,
        "parentId": c.parent_id.map(|p| encode(IdKind::Comment, p).0),
        "section": c.section, "quote": c.quote, "body": c.body,
        "authorName": names.get(&c.author_id), "byMe": c.author_id == user_id,
        "draftVersion": c.draft_version, "version": c.version,
        "createdAt": c.created_at, "updatedAt": c.updated_at, "resolvedAt": c.resolved_at,
    })
}

/// The account's shares with who accepted each (at most
/// `--max-shares-per-user` x `--max-grants-per-share` rows: read at once).
async fn shares(tx: &DatabaseTransaction, user_id: i32, out: &mut Out) -> Result<(), ExportError> {
    let rows = share::Entity::find()
        .filter(share::Column::OwnerId.eq(user_id))
        .order_by_asc(share::Column::Id)
        .all(tx)
        .await?;
    let accepted = share_grant::Entity::find()
        .filter(share_grant::Column::ShareId.is_in(rows.iter().map(|s| s.id)))
        .order_by_asc(share_grant::Column::Id)
        .all(tx)
        .await?;
    let names = display_names(tx, accepted.iter().map(|g| g.grantee_id)).await?;
    let mut first = true;
    for s in rows {
        let accepted_by: Vec<Value> = accepted
            .iter()
            .filter(|g| g.share_id == s.id)
            .map(|g| json!({ "displayName": names.get(&g.grantee_id), "acceptedAt": g.created_at }))
            .collect();
        let row = json!({
            "id": encode(IdKind::Share, s.id).0, "targetKind": s.target_kind,
            "draftId": s.draft_id.map(|d| encode(IdKind::StarDraft, d).0),
            "interviewId": s.interview_id.map(|i| encode(IdKind::Interview, i).0),
            "access": s.access, "note": s.note, "expiresAt": s.expires_at,
            "createdAt": s.created_at, "acceptedBy": accepted_by,
        });
        out.item(&mut first, &row).await?;
    }
    Ok(())
}

/// What others shared with the account (its grants), a page at a time.
async fn grants(tx: &DatabaseTransaction, user_id: i32, out: &mut Out) -> Result<(), ExportError> {
    let mut after = 0;
    let mut first = true;
    loop {
        let page = share_grant::Entity::find()
            .find_also_related(share::Entity)
            .filter(share_grant::Column::GranteeId.eq(user_id))
            .filter(share_grant::Column::Id.gt(after))
            .order_by_asc(share_grant::Column::Id)
            .limit(PAGE)
            .all(tx)
            .await?;
        let Some((last, _)) = page.last() else {
            return Ok(());
        };
        after = last.id;
        let names = display_names(
            tx,
            page.iter()
                .filter_map(|(_, s)| s.as_ref().map(|s| s.owner_id)),
        )
        .await?;
        for (grant, s) in page {
            let Some(s) = s else { continue };
            let row = json!({
                "ownerName": names.get(&s.owner_id), "targetKind": s.target_kind,
                "draftId": s.draft_id.map(|d| encode(IdKind::StarDraft, d).0),
                "interviewId": s.interview_id.map(|i| encode(IdKind::Interview, i).0),
                "access": s.access, "since": grant.created_at, "expiresAt": s.expires_at,
            });
            out.item(&mut first, &row).await?;
        }
    }
}

async fn display_names(
    tx: &DatabaseTransaction,
    ids: impl Iterator<Item = i32>,
) -> Result<HashMap<i32, String>, DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(unique(ids)))
        .all(tx)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// `value` with every object key from snake_case to camelCase.
fn camel_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let mut key = String::with_capacity(k.len());
                    let mut upper = false;
                    for c in k.chars() {
                        if c == '_' {
                            upper = true;
                        } else if upper {
                            key.extend(c.to_uppercase());
                            upper = false;
                        } else {
                            key.push(c);
                        }
                    }
                    (key, camel_keys(v))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camel_keys).collect()),
        other => other,
    }
}

fn unique(ids: impl Iterator<Item = i32>) -> Vec<i32> {
    ids.collect::<HashSet<_>>().into_iter().collect()
}

async fn role_slugs(
    tx: &DatabaseTransaction,
    ids: impl Iterator<Item = i32>,
) -> Result<HashMap<i32, String>, DbErr> {
    Ok(role::Entity::find()
        .filter(role::Column::Id.is_in(unique(ids)))
        .all(tx)
        .await?
        .into_iter()
        .map(|r| (r.id, r.slug))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_feedback_keys_become_camel_case() {
        let stored =
            json!({ "word_count": 3, "suggestions": [{ "code": "X", "filler_words": [] }] });
        assert_eq!(
            camel_keys(stored),
            json!({ "wordCount": 3, "suggestions": [{ "code": "X", "fillerWords": [] }] })
        );
    }
}
