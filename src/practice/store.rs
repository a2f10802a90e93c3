//! Practice attempts in the database, through the records kit: an attempt
//! is a record ([`crate::records::Owned`]), read only through its owner's
//! scope, so another user's attempt looks exactly like one that does not
//! exist.
//!
//! The duration used is the client's measurement when it is no longer than
//! the server's own elapsed time plus a tolerance (the client's clock starts
//! after the request reached us, so it is slightly shorter), otherwise the
//! server's. An attempt is finished once, within a set maximum after its
//! start. Its feedback is computed then and kept with it, so what it says
//! does not change when the draft is edited later.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Select,
};

use entity::{practice_attempt, question, star_draft};

use crate::config::PracticeLimits;
use crate::db::{begin_write, now};
use crate::drafts::feedback::Answer;
use crate::error::{AppError, AppResult};
use crate::records::scope::{check_cap, find_owned, lock_owned, owned_by};
use crate::records::{self, ChangeKind, EventBus};
use crate::viewer::Viewer;

use super::feedback::{self, PracticeFeedback};

/// What is practised: exactly one draft or one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Draft(i32),
    Question(i32),
}

impl Subject {
    /// The subject of `startPractice`'s arguments; both or neither is BAD_USER_INPUT.
    pub fn of(draft_id: Option<i32>, question_id: Option<i32>) -> AppResult<Self> {
        match (draft_id, question_id) {
            (Some(d), None) => Ok(Self::Draft(d)),
            (None, Some(q)) => Ok(Self::Question(q)),
            (Some(_), Some(_)) => Err(AppError::bad_input(
                "questionId",
                "give draftId or questionId, not both",
            )),
            (None, None) => Err(AppError::bad_input(
                "draftId",
                "give draftId or questionId: the draft or the question to practise",
            )),
        }
    }

    /// The attempts on this subject.
    fn filter(self, query: Select<practice_attempt::Entity>) -> Select<practice_attempt::Entity> {
        match self {
            Self::Draft(id) => query.filter(practice_attempt::Column::DraftId.eq(id)),
            Self::Question(id) => query.filter(practice_attempt::Column::QuestionId.eq(id)),
        }
    }
}

/// The subject of a stored attempt.
pub fn subject_of(row: &practice_attempt::Model) -> AppResult<Subject> {
    match (row.draft_id, row.question_id) {
        (Some(d), None) => Ok(Subject::Draft(d)),
        (None, Some(q)) => Ok(Subject::Question(q)),
        _ => Err(AppError::internal(anyhow::anyhow!(
            "practice attempt {} has not exactly one subject",
            row.id
        ))),
    }
}

records::record!(practice_attempt {
    noun: "practice attempt",
    plural: "practice attempts",
    owner: user_id / UserId,
});

/// An attempt is live (`myPracticeEvents`) so that whatever counts practice
/// (readiness) follows it. It changes once after its start, when `finish`
/// writes it (never through [`records::write_version`]), so it has no version
/// column: its version is implied, 1 while started and 2 once finished, and
/// its time of change is `finished_at` (the catch-up after `since` replays
/// the finished attempts, the only ones anything counts).
impl records::Versioned for practice_attempt::Entity {
    /// The column whose being set makes an attempt version 2.
    fn version_column() -> practice_attempt::Column {
        practice_attempt::Column::FinishedAt
    }
    fn updated_at_column() -> practice_attempt::Column {
        practice_attempt::Column::FinishedAt
    }
    fn version_of(row: &practice_attempt::Model) -> i32 {
        if row.finished_at.is_some() { 2 } else { 1 }
    }
    fn updated_at_of(row: &practice_attempt::Model) -> DateTime<Utc> {
        row.finished_at.unwrap_or(row.started_at)
    }
}

impl records::Live for practice_attempt::Entity {
    const TOPIC: &'static str = "practice_attempts";
}

/// Starts an attempt at `subject` now.
pub async fn start(
    db: &DatabaseConnection,
    viewer: &Viewer,
    subject: Subject,
    limits: &PracticeLimits,
) -> AppResult<practice_attempt::Model> {
    let tx = begin_write(db).await?;
    match subject {
        Subject::Draft(id) => {
            if find_owned::<star_draft::Entity>(&tx, viewer, id)
                .await?
                .is_none()
            {
                return Err(AppError::bad_input("draftId", "no such draft"));
            }
        }
        Subject::Question(id) => {
            if question::Entity::find_by_id(id).one(&tx).await?.is_none() {
                return Err(AppError::bad_input("questionId", "no such question"));
            }
        }
    }
    check_cap::<practice_attempt::Entity>(
        &tx,
        viewer.user_id,
        limits.max_practice_attempts_per_user,
    )
    .await?;
    let (draft_id, question_id) = match subject {
        Subject::Draft(id) => (Some(id), None),
        Subject::Question(id) => (None, Some(id)),
    };
    let row = practice_attempt::Entity::insert(practice_attempt::ActiveModel {
        id: NotSet,
        user_id: Set(viewer.user_id),
        draft_id: Set(draft_id),
        question_id: Set(question_id),
        started_at: Set(now()),
        finished_at: Set(None),
        duration_seconds: Set(None),
        transcript: Set(None),
        words_per_minute: Set(None),
        feedback: Set(None),
    })
    .exec_with_returning(&tx)
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// The duration to use, in whole seconds: the client's when it is at most
/// the server's elapsed time plus `tolerance_secs`, else the server's
/// (rounded, at least 1).
pub fn duration_used(
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    client_seconds: Option<i32>,
    tolerance_secs: u32,
) -> i32 {
    let elapsed_ms = (finished_at - started_at).num_milliseconds().max(0);
    let server = i32::try_from((elapsed_ms + 500) / 1000)
        .unwrap_or(i32::MAX)
        .max(1);
    match client_seconds {
        Some(c)
            if c > 0 && i64::from(c) * 1000 <= elapsed_ms + i64::from(tolerance_secs) * 1000 =>
        {
            c
        }
        _ => server,
    }
}

/// Finishes the viewer's attempt `id` with `transcript`; `client_seconds` is
/// the duration the client measured, if it did.
pub async fn finish(
    db: &DatabaseConnection,
    events: &EventBus,
    viewer: &Viewer,
    id: i32,
    transcript: &str,
    client_seconds: Option<i32>,
    limits: &PracticeLimits,
) -> AppResult<practice_attempt::Model> {
    let transcript = transcript.trim();
    if transcript.is_empty() {
        return Err(AppError::bad_input("transcript", "must not be empty"));
    }
    AppError::check_length(
        "transcript",
        transcript,
        limits.practice_transcript_max_chars,
    )?;
    if client_seconds.is_some_and(|c| c <= 0) {
        return Err(AppError::bad_input("durationSeconds", "must be positive"));
    }
    let tx = begin_write(db).await?;
    let attempt = lock_owned::<practice_attempt::Entity>(&tx, viewer, id).await?;
    if attempt.finished_at.is_some() {
        return Err(AppError::bad_input(
            "id",
            "is already finished; start a new attempt",
        ));
    }
    let finished_at = now();
    let max = chrono::Duration::minutes(i64::from(limits.practice_max_minutes));
    if finished_at - attempt.started_at > max {
        return Err(AppError::bad_input(
            "id",
            format!(
                "started more than {} minutes ago; start a new attempt",
                limits.practice_max_minutes
            ),
        ));
    }
    let subject = subject_of(&attempt)?;
    let duration = duration_used(
        attempt.started_at,
        finished_at,
        client_seconds,
        limits.practice_duration_tolerance_secs,
    );
    let previous = subject
        .filter(owned_by::<practice_attempt::Entity>(viewer.user_id))
        .filter(practice_attempt::Column::FinishedAt.is_not_null())
        .filter(practice_attempt::Column::Id.ne(id))
        .order_by_desc(practice_attempt::Column::FinishedAt)
        .order_by_desc(practice_attempt::Column::Id)
        .one(&tx)
        .await?
        .and_then(|p| p.words_per_minute);
    let draft = match subject {
        Subject::Draft(draft_id) => find_owned::<star_draft::Entity>(&tx, viewer, draft_id).await?,
        Subject::Question(_) => None,
    };
    let answer = draft.as_ref().map(|d| Answer {
        situation: &d.situation,
        task: &d.task,
        action: &d.action,
        result: &d.result,
    });
    let feedback = feedback::analyse(
        transcript,
        duration.unsigned_abs(),
        answer.as_ref(),
        previous,
    );
    let stored = serde_json::to_string(&feedback)
        .map_err(|e| AppError::internal(anyhow::anyhow!("feedback to JSON: {e}")))?;
    practice_attempt::Entity::update_many()
        .col_expr(
            practice_attempt::Column::FinishedAt,
            Expr::value(finished_at),
        )
        .col_expr(
            practice_attempt::Column::DurationSeconds,
            Expr::value(duration),
        )
        .col_expr(
            practice_attempt::Column::Transcript,
            Expr::value(transcript.to_owned()),
        )
        .col_expr(
            practice_attempt::Column::WordsPerMinute,
            Expr::value(feedback.words_per_minute),
        )
        .col_expr(
            practice_attempt::Column::Feedback,
            Expr::value(stored.clone()),
        )
        .filter(practice_attempt::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    let row = practice_attempt::Model {
        finished_at: Some(finished_at),
        duration_seconds: Some(duration),
        transcript: Some(transcript.to_owned()),
        words_per_minute: Some(feedback.words_per_minute),
        feedback: Some(stored),
        ..attempt
    };
    records::commit::<practice_attempt::Entity>(tx, events, ChangeKind::Updated, &row).await?;
    Ok(row)
}

/// The feedback kept with a finished attempt; `None` while it is not finished.
pub fn feedback_of(row: &practice_attempt::Model) -> AppResult<Option<PracticeFeedback>> {
    row.feedback
        .as_deref()
        .map(|json| {
            serde_json::from_str(json).map_err(|e| {
                AppError::internal(anyhow::anyhow!(
                    "stored feedback of attempt {}: {e}",
                    row.id
                ))
            })
        })
        .transpose()
}

/// How many attempts user `owner_id` finished at or after `since`.
pub async fn finished_since(
    db: &impl ConnectionTrait,
    owner_id: i32,
    since: DateTime<Utc>,
) -> AppResult<u64> {
    Ok(owned_by::<practice_attempt::Entity>(owner_id)
        .filter(practice_attempt::Column::FinishedAt.gte(since))
        .count(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_800_000_000_000 + ms).unwrap()
    }

    #[test]
    fn the_client_duration_counts_within_the_tolerance() {
        // Server saw 100.4 s.
        let (start, end) = (at(0), at(100_400));
        assert_eq!(duration_used(start, end, Some(98), 5), 98);
        assert_eq!(duration_used(start, end, Some(105), 5), 105);
        assert_eq!(duration_used(start, end, Some(106), 5), 100);
        assert_eq!(duration_used(start, end, None, 5), 100);
        assert_eq!(duration_used(start, end, Some(0), 5), 100);
        // A near-instant finish still divides by a second.
        assert_eq!(duration_used(start, at(10), None, 5), 1);
    }

    #[test]
    fn exactly_one_subject() {
        assert_eq!(Subject::of(Some(1), None).ok(), Some(Subject::Draft(1)));
        assert_eq!(Subject::of(None, Some(2)).ok(), Some(Subject::Question(2)));
        let both = Subject::of(Some(1), Some(2)).unwrap_err();
        assert!(matches!(both, AppError::BadUserInput { ref field, .. } if field == "questionId"));
        let neither = Subject::of(None, None).unwrap_err();
        assert!(matches!(neither, AppError::BadUserInput { ref field, .. } if field == "draftId"));
    }
}
