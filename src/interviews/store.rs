//! Interviews in the database, through the records kit: an interview is a
//! record ([`crate::records::Owned`], [`Versioned`], [`Live`]); a plan task
//! belongs to whoever owns its interview.
//!
//! Every write is one transaction that changes the interview (or its plan)
//! and bumps the interview's version, so a ticked task, an added task and a
//! reschedule are each one new version and one UPDATED event. The interview
//! row is locked first (`SELECT .. FOR UPDATE` on PostgreSQL, `BEGIN
//! IMMEDIATE` on SQLite), so concurrent writers of one interview queue and
//! a stale `expectedVersion` is VERSION_CONFLICT.
//!
//! A plan is a copy of the role's timeline as it was when the interview was
//! scheduled: a later import that changes or removes the timeline leaves the
//! plan as it was made, and a role with interviews is never deleted (the
//! import only upserts roles; the foreign key refuses a deletion).

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, SelectTwo,
};

use entity::{interview, plan_task, role};

use super::{dating, plan};
use crate::config::InterviewLimits;
use crate::db::{begin_write, now};
use crate::error::{AppError, AppResult};
use crate::records::scope::{check_cap, lock_owned, owned_by};
use crate::records::{self, owner_is, readable_by};
use crate::records::{ChangeKind, EventBus, check_version, commit};
use crate::stored::{ShareAccess, StoredEnum};
use crate::viewer::Viewer;

pub use crate::stored::InterviewStage;

records::record!(interview {
    noun: "interview", plural: "interviews", owner: user_id / UserId,
    shared: Interview / InterviewId, story_bank: false,
    versioned: version / Version, updated_at / UpdatedAt,
    live: "interviews",
});

/// The plan tasks of user `owner_id`'s interviews, each with its interview:
/// a task belongs to whoever owns its interview.
pub fn tasks_owned_by(owner_id: i32) -> SelectTwo<plan_task::Entity, interview::Entity> {
    plan_task::Entity::find()
        .find_also_related(interview::Entity)
        .filter(owner_is::<interview::Entity>(owner_id))
}

/// The viewer's plan task `id` with its interview, or `None` (also when
/// another user owns the interview).
pub async fn find_owned_task(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> AppResult<Option<(plan_task::Model, interview::Model)>> {
    let found = tasks_owned_by(viewer.user_id)
        .filter(plan_task::Column::Id.eq(id))
        .one(db)
        .await?;
    Ok(found.and_then(|(task, interview)| interview.map(|i| (task, i))))
}

/// Plan task `id` with its interview when the viewer may read the interview
/// (owner, or a grantee of it), else `None`.
pub async fn find_readable_task(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> AppResult<Option<(plan_task::Model, interview::Model)>> {
    let found = plan_task::Entity::find()
        .find_also_related(interview::Entity)
        .filter(readable_by::<interview::Entity>(
            viewer.user_id,
            ShareAccess::Viewer,
        ))
        .filter(plan_task::Column::Id.eq(id))
        .one(db)
        .await?;
    Ok(found.and_then(|(task, interview)| interview.map(|i| (task, i))))
}

/// What `scheduleInterview` is given.
#[derive(Debug, Clone)]
pub struct NewInterview {
    pub role_id: i32,
    pub company: String,
    pub stage: InterviewStage,
    pub scheduled_at: DateTime<Utc>,
    pub time_zone: String,
    pub notes: String,
}

/// The fields `updateInterview` may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct InterviewPatch {
    pub company: Option<String>,
    pub stage: Option<InterviewStage>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub time_zone: Option<String>,
    pub notes: Option<String>,
}

impl InterviewPatch {
    fn is_empty(&self) -> bool {
        self.company.is_none()
            && self.stage.is_none()
            && self.scheduled_at.is_none()
            && self.time_zone.is_none()
            && self.notes.is_none()
    }

    /// Whether the interview moves (in time or zone), so its plan is re-dated.
    fn moves(&self) -> bool {
        self.scheduled_at.is_some() || self.time_zone.is_some()
    }
}

/// `value`, trimmed, if it is 1..=`max` characters long; else BAD_USER_INPUT about `field`.
fn required_text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    within(field, value, max)?;
    Ok(value.to_owned())
}

fn within(field: &str, value: &str, max: usize) -> AppResult<()> {
    AppError::check_length(field, value, max)
}

/// Refuses a start that has passed or lies beyond the scheduling horizon.
fn check_start(at: DateTime<Utc>, now: DateTime<Utc>, limits: &InterviewLimits) -> AppResult<()> {
    if at <= now {
        return Err(AppError::bad_input(
            "scheduledAt",
            "is not in the future; an interview is scheduled before it starts",
        ));
    }
    let horizon = now
        .checked_add_days(Days::new(u64::from(limits.max_days_ahead)))
        .unwrap_or(now);
    if at > horizon {
        return Err(AppError::bad_input(
            "scheduledAt",
            format!("is more than {} days ahead", limits.max_days_ahead),
        ));
    }
    Ok(())
}

/// Refuses a task date more than `max_days_ahead` days from `today` (the
/// interview's local date) either way: no plan needs more, and a date far
/// out (year 1, 9999, +99999) has no iCalendar form the feed could write.
fn check_due_on(due_on: NaiveDate, today: NaiveDate, limits: &InterviewLimits) -> AppResult<()> {
    let days = Days::new(u64::from(limits.max_days_ahead));
    let earliest = today.checked_sub_days(days).unwrap_or(today);
    let latest = today.checked_add_days(days).unwrap_or(today);
    if due_on < earliest || due_on > latest {
        return Err(AppError::bad_input(
            "dueOn",
            format!(
                "must be within {} days of today ({earliest} to {latest})",
                limits.max_days_ahead
            ),
        ));
    }
    Ok(())
}

/// NOT_FOUND for a plan task the viewer does not have.
pub fn task_not_found() -> AppError {
    AppError::NotFound("no such plan task".to_owned())
}

/// The zone an interview row names.
pub fn zone_of(interview: &interview::Model) -> AppResult<Tz> {
    interview
        .time_zone
        .parse::<Tz>()
        .map_err(|_| AppError::internal(anyhow::anyhow!("stored zone {:?}", interview.time_zone)))
}

/// Today in the interview's zone.
pub fn today_of(interview: &interview::Model) -> AppResult<NaiveDate> {
    Ok(dating::local_date(Utc::now(), zone_of(interview)?))
}

/// Writes `next` (an interview row with the changes applied, still at the
/// version they were made on) as the following version, or fails with
/// VERSION_CONFLICT when the stored row is no longer at that version.
async fn write_version(
    tx: &DatabaseTransaction,
    mut next: interview::Model,
) -> AppResult<interview::Model> {
    let changes = interview::Entity::update_many()
        .col_expr(
            interview::Column::Company,
            Expr::value(next.company.clone()),
        )
        .col_expr(interview::Column::Stage, Expr::value(next.stage.clone()))
        .col_expr(interview::Column::Notes, Expr::value(next.notes.clone()))
        .col_expr(
            interview::Column::ScheduledAt,
            Expr::value(next.scheduled_at),
        )
        .col_expr(
            interview::Column::TimeZone,
            Expr::value(next.time_zone.clone()),
        )
        .col_expr(interview::Column::LocalDate, Expr::value(next.local_date));
    (next.version, next.updated_at) =
        records::write_version(tx, next.id, next.user_id, next.version, changes).await?;
    Ok(next)
}

/// Schedules an interview at version 1 with its plan made from the role's timeline.
pub async fn schedule(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: NewInterview,
    limits: &InterviewLimits,
    events: &EventBus,
) -> AppResult<interview::Model> {
    let zone = dating::parse_zone(&new.time_zone, "timeZone")?;
    let company = required_text("company", &new.company, limits.company_max_chars)?;
    within("notes", &new.notes, limits.notes_max_chars)?;
    let at = now();
    check_start(new.scheduled_at, at, limits)?;
    let tx = begin_write(db).await?;
    if role::Entity::find_by_id(new.role_id)
        .one(&tx)
        .await?
        .is_none()
    {
        return Err(AppError::bad_input("roleId", "no such role"));
    }
    check_cap::<interview::Entity>(&tx, viewer.user_id, limits.max_interviews_per_user).await?;
    let local_date = dating::local_date(new.scheduled_at, zone);
    let row = interview::Entity::insert(interview::ActiveModel {
        id: NotSet,
        user_id: Set(viewer.user_id),
        role_id: Set(new.role_id),
        company: Set(company),
        stage: Set(new.stage.stored().to_owned()),
        notes: Set(new.notes),
        scheduled_at: Set(new.scheduled_at),
        time_zone: Set(zone.name().to_owned()),
        local_date: Set(local_date),
        version: Set(1),
        created_at: Set(at),
        updated_at: Set(at),
    })
    .exec_with_returning(&tx)
    .await?;
    let timeline = plan::timeline_of(&tx, new.role_id).await?;
    let today = dating::local_date(at, zone);
    plan::insert_plan(
        &tx,
        plan::plan_rows(row.id, &timeline, local_date, today, at),
    )
    .await?;
    commit::<interview::Entity>(tx, events, ChangeKind::Created, &row).await?;
    Ok(row)
}

/// Applies `patch` to the viewer's interview `id`, made on `expected_version`;
/// a new time or zone re-dates the open timeline tasks, in the same transaction.
pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    expected_version: i32,
    patch: InterviewPatch,
    limits: &InterviewLimits,
    events: &EventBus,
) -> AppResult<interview::Model> {
    if patch.is_empty() {
        return Err(AppError::bad_input("input", "gives no field to change"));
    }
    let zone = patch
        .time_zone
        .as_deref()
        .map(|z| dating::parse_zone(z, "timeZone"))
        .transpose()?;
    let company = patch
        .company
        .as_deref()
        .map(|c| required_text("company", c, limits.company_max_chars))
        .transpose()?;
    if let Some(notes) = &patch.notes {
        within("notes", notes, limits.notes_max_chars)?;
    }
    if let Some(at) = patch.scheduled_at {
        check_start(at, now(), limits)?;
    }
    let tx = begin_write(db).await?;
    let current = lock_owned::<interview::Entity>(&tx, viewer, id).await?;
    check_version::<interview::Entity>(&current, expected_version)?;
    let zone = match zone {
        Some(z) => z,
        None => zone_of(&current)?,
    };
    let mut next = current.clone();
    if let Some(company) = company {
        next.company = company;
    }
    if let Some(stage) = patch.stage {
        next.stage = stage.stored().to_owned();
    }
    if let Some(notes) = patch.notes.clone() {
        next.notes = notes;
    }
    if let Some(at) = patch.scheduled_at {
        next.scheduled_at = at;
    }
    next.time_zone = zone.name().to_owned();
    next.local_date = dating::local_date(next.scheduled_at, zone);
    if patch.moves() {
        let today = dating::local_date(Utc::now(), zone);
        plan::redate_plan(&tx, id, next.local_date, today).await?;
    }
    let updated = write_version(&tx, next).await?;
    commit::<interview::Entity>(tx, events, ChangeKind::Updated, &updated).await?;
    Ok(updated)
}

/// Deletes the viewer's interview `id` and its plan; returns the deleted row.
pub async fn delete(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    events: &EventBus,
) -> AppResult<interview::Model> {
    let tx = begin_write(db).await?;
    let row = lock_owned::<interview::Entity>(&tx, viewer, id).await?;
    plan_task::Entity::delete_many()
        .filter(plan_task::Column::InterviewId.eq(id))
        .exec(&tx)
        .await?;
    interview::Entity::delete_by_id(id).exec(&tx).await?;
    commit::<interview::Entity>(tx, events, ChangeKind::Deleted, &row).await?;
    Ok(row)
}

/// The viewer's task `task_id` and its interview, locked for a change.
async fn lock_task(
    tx: &DatabaseTransaction,
    viewer: &Viewer,
    task_id: i32,
) -> AppResult<(plan_task::Model, interview::Model)> {
    let (task, _) = find_owned_task(tx, viewer, task_id)
        .await?
        .ok_or_else(task_not_found)?;
    // Found through its owner's scope; gone only when deleted meanwhile.
    let interview = match lock_owned::<interview::Entity>(tx, viewer, task.interview_id).await {
        Err(AppError::NotFound(_)) => Err(task_not_found()),
        locked => locked,
    }?;
    Ok((task, interview))
}

/// Marks the viewer's plan task done or not; returns it with its interview.
/// Setting the state it already has changes nothing.
pub async fn set_task_done(
    db: &DatabaseConnection,
    viewer: &Viewer,
    task_id: i32,
    done: bool,
    events: &EventBus,
) -> AppResult<(plan_task::Model, interview::Model)> {
    let tx = begin_write(db).await?;
    let (task, interview) = lock_task(&tx, viewer, task_id).await?;
    if task.done == done {
        return Ok((task, interview));
    }
    let done_at = done.then(now);
    plan_task::Entity::update_many()
        .col_expr(plan_task::Column::Done, Expr::value(done))
        .col_expr(plan_task::Column::DoneAt, Expr::value(done_at))
        .filter(plan_task::Column::Id.eq(task_id))
        .exec(&tx)
        .await?;
    let interview = write_version(&tx, interview).await?;
    commit::<interview::Entity>(tx, events, ChangeKind::Updated, &interview).await?;
    Ok((
        plan_task::Model {
            done,
            done_at,
            ..task
        },
        interview,
    ))
}

/// Adds the candidate's own task to the plan of interview `interview_id`.
pub async fn add_task(
    db: &DatabaseConnection,
    viewer: &Viewer,
    interview_id: i32,
    text: &str,
    due_on: NaiveDate,
    limits: &InterviewLimits,
    events: &EventBus,
) -> AppResult<(plan_task::Model, interview::Model)> {
    let text = required_text("text", text, limits.task_text_max_chars)?;
    let tx = begin_write(db).await?;
    let interview = lock_owned::<interview::Entity>(&tx, viewer, interview_id).await?;
    check_due_on(due_on, today_of(&interview)?, limits)?;
    let tasks: Vec<plan_task::Model> = plan_task::Entity::find()
        .filter(plan_task::Column::InterviewId.eq(interview_id))
        .order_by_desc(plan_task::Column::Position)
        .all(&tx)
        .await?;
    let custom = tasks.iter().filter(|t| t.days_before.is_none()).count() as u64;
    if custom >= limits.max_custom_tasks_per_interview {
        return Err(AppError::bad_input(
            "input",
            format!("the plan has {custom} tasks of your own, the most one interview may have"),
        ));
    }
    let position = tasks.first().map_or(1, |t| t.position + 1);
    let task = plan_task::Entity::insert(plan_task::ActiveModel {
        id: NotSet,
        interview_id: Set(interview_id),
        position: Set(position),
        text: Set(text),
        due_on: Set(due_on),
        done: Set(false),
        done_at: Set(None),
        phase_label: Set(None),
        days_before: Set(None),
        compressed: Set(false),
        created_at: Set(now()),
    })
    .exec_with_returning(&tx)
    .await?;
    let interview = write_version(&tx, interview).await?;
    commit::<interview::Entity>(tx, events, ChangeKind::Updated, &interview).await?;
    Ok((task, interview))
}

/// Deletes one of the candidate's own tasks; a timeline task is BAD_USER_INPUT.
pub async fn delete_task(
    db: &DatabaseConnection,
    viewer: &Viewer,
    task_id: i32,
    events: &EventBus,
) -> AppResult<interview::Model> {
    let tx = begin_write(db).await?;
    let (task, interview) = lock_task(&tx, viewer, task_id).await?;
    if task.days_before.is_some() {
        return Err(AppError::bad_input(
            "id",
            "is a task of the role's timeline, which stays in the plan; mark it done instead",
        ));
    }
    plan_task::Entity::delete_by_id(task_id).exec(&tx).await?;
    let interview = write_version(&tx, interview).await?;
    commit::<interview::Entity>(tx, events, ChangeKind::Updated, &interview).await?;
    Ok(interview)
}

/// The interviews of the viewer whose local date is in `from..until`, and
/// the tasks of the viewer's interviews due then (two statements).
pub async fn agenda(
    db: &DatabaseConnection,
    viewer: &Viewer,
    from: NaiveDate,
    until: NaiveDate,
) -> AppResult<(
    Vec<interview::Model>,
    Vec<(plan_task::Model, interview::Model)>,
)> {
    let interviews = owned_by::<interview::Entity>(viewer.user_id)
        .filter(interview::Column::LocalDate.gte(from))
        .filter(interview::Column::LocalDate.lt(until))
        .order_by_asc(interview::Column::ScheduledAt)
        .order_by_asc(interview::Column::Id)
        .all(db)
        .await?;
    let tasks = tasks_owned_by(viewer.user_id)
        .filter(plan_task::Column::DueOn.gte(from))
        .filter(plan_task::Column::DueOn.lt(until))
        .order_by_asc(plan_task::Column::DueOn)
        .order_by_asc(interview::Column::ScheduledAt)
        .order_by_asc(plan_task::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(t, i)| i.map(|i| (t, i)))
        .collect();
    Ok((interviews, tasks))
}
