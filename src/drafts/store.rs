//! Drafts in the database, through the records kit: a draft is a record
//! ([`crate::records::Owned`], [`Versioned`], [`Live`]), read only through its
//! owner's scope, so another user's draft looks exactly like one that does
//! not exist.
//!
//! Every write is one transaction that changes the draft and records the new
//! version's full text and links (see [`super::links`]) as a revision. Updates and
//! restores are conditional writes (`UPDATE .. WHERE id = ? AND version = ?`),
//! so of concurrent writers on one version exactly one wins and the others get
//! VERSION_CONFLICT.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use entity::{star_draft, star_draft_revision};

use super::links::{self, DraftLinks};
use crate::config::DraftLimits;
use crate::db::{begin_write, now};
use crate::error::{AppError, AppResult};
use crate::records;
use crate::records::scope::{check_cap, lock_owned};
use crate::records::{ChangeKind, EventBus, check_version, commit};
use crate::stored::StoredEnum;
use crate::viewer::Viewer;

pub use crate::stored::StarDraftStatus;

records::record!(star_draft {
    noun: "draft", plural: "drafts", owner: user_id / UserId,
    shared: Draft / DraftId, story_bank: true,
    versioned: version / Version, updated_at / UpdatedAt,
    live: "star_drafts",
});

/// The text of a draft: what a revision keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftText {
    pub title: String,
    pub situation: String,
    pub task: String,
    pub action: String,
    pub result: String,
}

impl DraftText {
    fn of(draft: &star_draft::Model) -> Self {
        Self {
            title: draft.title.clone(),
            situation: draft.situation.clone(),
            task: draft.task.clone(),
            action: draft.action.clone(),
            result: draft.result.clone(),
        }
    }

    fn check(&self, limits: &DraftLimits) -> AppResult<()> {
        let fields = [
            ("title", &self.title, limits.title_max_chars),
            ("situation", &self.situation, limits.section_max_chars),
            ("task", &self.task, limits.section_max_chars),
            ("action", &self.action, limits.section_max_chars),
            ("result", &self.result, limits.section_max_chars),
        ];
        for (field, value, max) in fields {
            AppError::check_length(field, value, max)?;
        }
        Ok(())
    }
}

/// A new draft: its text and what it links to.
#[derive(Debug, Clone, Default)]
pub struct NewDraft {
    pub text: DraftText,
    /// Competency slugs, in the owner's order.
    pub competencies: Vec<String>,
    /// Question keys, in the owner's order; the first is the draft's `question`.
    pub question_ids: Vec<i32>,
}

/// The fields an update may change; `None` leaves a field as it is. A link
/// list, when given, replaces the draft's set (an empty one clears it).
#[derive(Debug, Clone, Default)]
pub struct DraftPatch {
    pub title: Option<String>,
    pub situation: Option<String>,
    pub task: Option<String>,
    pub action: Option<String>,
    pub result: Option<String>,
    pub status: Option<StarDraftStatus>,
    /// Competency slugs.
    pub competencies: Option<Vec<String>>,
    /// Question keys.
    pub question_ids: Option<Vec<i32>>,
}

impl DraftPatch {
    fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.situation.is_none()
            && self.task.is_none()
            && self.action.is_none()
            && self.result.is_none()
            && self.status.is_none()
            && self.competencies.is_none()
            && self.question_ids.is_none()
    }

    fn apply(&mut self, text: &mut DraftText) {
        let set = |target: &mut String, value: Option<String>| {
            if let Some(v) = value {
                *target = v;
            }
        };
        set(
            &mut text.title,
            self.title.take().map(|t| t.trim().to_owned()),
        );
        set(&mut text.situation, self.situation.take());
        set(&mut text.task, self.task.take());
        set(&mut text.action, self.action.take());
        set(&mut text.result, self.result.take());
    }
}

/// The state a version records: what a revision keeps.
struct Version<'a> {
    text: &'a DraftText,
    status: StarDraftStatus,
    links: &'a DraftLinks,
}

async fn insert_revision(
    db: &impl ConnectionTrait,
    draft_id: i32,
    version: i32,
    state: &Version<'_>,
    at: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let text = state.text;
    star_draft_revision::Entity::insert(star_draft_revision::ActiveModel {
        id: NotSet,
        draft_id: Set(draft_id),
        version: Set(version),
        title: Set(text.title.clone()),
        situation: Set(text.situation.clone()),
        task: Set(text.task.clone()),
        action: Set(text.action.clone()),
        result: Set(text.result.clone()),
        status: Set(state.status.stored().to_owned()),
        created_at: Set(at),
        competency_ids: Set(state.links.competencies_json()),
        question_ids: Set(state.links.questions_json()),
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Creates a draft at version 1 (status DRAFT) with its links and first revision.
///
/// `question_field` names the argument the question keys came from, for errors.
pub async fn create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    draft: NewDraft,
    question_field: &str,
    limits: &DraftLimits,
    events: &EventBus,
) -> AppResult<star_draft::Model> {
    let NewDraft {
        mut text,
        competencies,
        question_ids,
    } = draft;
    text.title = text.title.trim().to_owned();
    text.check(limits)?;
    let tx = begin_write(db).await?;
    let links = DraftLinks {
        competency_ids: links::resolve_competencies(&tx, competencies, limits).await?,
        question_ids: links::resolve_questions(&tx, question_ids, question_field, limits).await?,
    };
    check_cap::<star_draft::Entity>(&tx, viewer.user_id, limits.max_drafts_per_user).await?;
    let at = now();
    let draft = star_draft::Entity::insert(star_draft::ActiveModel {
        id: NotSet,
        user_id: Set(viewer.user_id),
        question_id: Set(links.first_question()),
        title: Set(text.title.clone()),
        situation: Set(text.situation.clone()),
        task: Set(text.task.clone()),
        action: Set(text.action.clone()),
        result: Set(text.result.clone()),
        status: Set(StarDraftStatus::Draft.stored().to_owned()),
        version: Set(1),
        created_at: Set(at),
        updated_at: Set(at),
    })
    .exec_with_returning(&tx)
    .await?;
    links.write(&tx, draft.id).await?;
    let state = Version {
        text: &text,
        status: StarDraftStatus::Draft,
        links: &links,
    };
    insert_revision(&tx, draft.id, 1, &state, at).await?;
    commit::<star_draft::Entity>(tx, events, ChangeKind::Created, &draft).await?;
    Ok(draft)
}

/// Writes `state` as the version after `expected`, or fails with
/// VERSION_CONFLICT when the draft is no longer at `expected`. The link rows
/// are rewritten only when `links_changed`.
async fn write_version(
    tx: &impl ConnectionTrait,
    draft: &star_draft::Model,
    expected: i32,
    state: &Version<'_>,
    links_changed: bool,
) -> AppResult<star_draft::Model> {
    let (text, status) = (state.text, state.status);
    let first_question = state.links.first_question();
    let changes = star_draft::Entity::update_many()
        .col_expr(star_draft::Column::Title, Expr::value(text.title.clone()))
        .col_expr(
            star_draft::Column::Situation,
            Expr::value(text.situation.clone()),
        )
        .col_expr(star_draft::Column::Task, Expr::value(text.task.clone()))
        .col_expr(star_draft::Column::Action, Expr::value(text.action.clone()))
        .col_expr(star_draft::Column::Result, Expr::value(text.result.clone()))
        .col_expr(star_draft::Column::Status, Expr::value(status.stored()))
        .col_expr(star_draft::Column::QuestionId, Expr::value(first_question));
    let (version, at) =
        records::write_version(tx, draft.id, draft.user_id, expected, changes).await?;
    if links_changed {
        state.links.write(tx, draft.id).await?;
    }
    insert_revision(tx, draft.id, version, state, at).await?;
    Ok(star_draft::Model {
        question_id: first_question,
        title: text.title.clone(),
        situation: text.situation.clone(),
        task: text.task.clone(),
        action: text.action.clone(),
        result: text.result.clone(),
        status: status.stored().to_owned(),
        version,
        updated_at: at,
        ..draft.clone()
    })
}

/// Applies `patch` to the viewer's draft `id`, made on `expected_version`.
pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    expected_version: i32,
    mut patch: DraftPatch,
    limits: &DraftLimits,
    events: &EventBus,
) -> AppResult<star_draft::Model> {
    if patch.is_empty() {
        return Err(AppError::bad_input("input", "gives no field to change"));
    }
    let tx = begin_write(db).await?;
    let draft = lock_owned::<star_draft::Entity>(&tx, viewer, id).await?;
    check_version::<star_draft::Entity>(&draft, expected_version)?;
    let status = match patch.status {
        Some(s) => s,
        None => StarDraftStatus::from_stored(&draft.status)?,
    };
    let mut text = DraftText::of(&draft);
    patch.apply(&mut text);
    text.check(limits)?;
    let links_changed = patch.competencies.is_some() || patch.question_ids.is_some();
    let mut links = DraftLinks::of(&tx, draft.id).await?;
    if let Some(slugs) = patch.competencies {
        links.competency_ids = links::resolve_competencies(&tx, slugs, limits).await?;
    }
    if let Some(question_ids) = patch.question_ids {
        links.question_ids =
            links::resolve_questions(&tx, question_ids, "questionIds", limits).await?;
    }
    let state = Version {
        text: &text,
        status,
        links: &links,
    };
    let updated = write_version(&tx, &draft, expected_version, &state, links_changed).await?;
    commit::<star_draft::Entity>(tx, events, ChangeKind::Updated, &updated).await?;
    Ok(updated)
}

/// Makes a new version of the viewer's draft `id` with the text, status and
/// links of its revision `version` (less any competency or question removed
/// from the content since); with `expected_version`, refuses a stale restore.
pub async fn restore(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    expected_version: Option<i32>,
    events: &EventBus,
) -> AppResult<star_draft::Model> {
    let tx = begin_write(db).await?;
    let draft = lock_owned::<star_draft::Entity>(&tx, viewer, id).await?;
    let expected = expected_version.unwrap_or(draft.version);
    check_version::<star_draft::Entity>(&draft, expected)?;
    let revision = star_draft_revision::Entity::find()
        .filter(star_draft_revision::Column::DraftId.eq(id))
        .filter(star_draft_revision::Column::Version.eq(version))
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("the draft has no version {version}")))?;
    let text = DraftText {
        title: revision.title,
        situation: revision.situation,
        task: revision.task,
        action: revision.action,
        result: revision.result,
    };
    let state = Version {
        text: &text,
        status: StarDraftStatus::from_stored(&revision.status)?,
        links: &DraftLinks::recorded(&tx, &revision.competency_ids, &revision.question_ids).await?,
    };
    let restored = write_version(&tx, &draft, expected, &state, true).await?;
    commit::<star_draft::Entity>(tx, events, ChangeKind::Updated, &restored).await?;
    Ok(restored)
}

/// Deletes the viewer's draft `id` and its revisions; returns the deleted row.
pub async fn delete(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    events: &EventBus,
) -> AppResult<star_draft::Model> {
    let tx = begin_write(db).await?;
    let draft = lock_owned::<star_draft::Entity>(&tx, viewer, id).await?;
    star_draft::Entity::delete_by_id(id).exec(&tx).await?;
    commit::<star_draft::Entity>(tx, events, ChangeKind::Deleted, &draft).await?;
    Ok(draft)
}
