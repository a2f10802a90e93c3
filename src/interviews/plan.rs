//! Making a plan from a role's timeline, and moving it with its interview.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::{plan_task, timeline_phase, timeline_task};

use super::dating::{self, Dated, TaskDates};
use crate::error::AppResult;

/// One task of a role's timeline, with its phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineTask {
    pub phase_label: String,
    pub days_before: i32,
    pub text: String,
}

/// The timeline of role `role_id` as it is now: earliest phase first, then
/// the content's order. One statement.
pub async fn timeline_of(db: &impl ConnectionTrait, role_id: i32) -> AppResult<Vec<TimelineTask>> {
    let rows = timeline_task::Entity::find()
        .find_also_related(timeline_phase::Entity)
        .filter(timeline_phase::Column::RoleId.eq(role_id))
        .order_by_desc(timeline_phase::Column::DaysBefore)
        .order_by_asc(timeline_phase::Column::Position)
        .order_by_asc(timeline_task::Column::Position)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(task, phase)| {
            phase.map(|p| TimelineTask {
                phase_label: p.label,
                days_before: p.days_before,
                text: task.text,
            })
        })
        .collect())
}

/// The plan rows for `timeline`, dated for an interview on `interview_date`
/// by a plan made on `today` (both in the interview's zone).
pub fn plan_rows(
    interview_id: i32,
    timeline: &[TimelineTask],
    interview_date: NaiveDate,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> Vec<plan_task::ActiveModel> {
    timeline
        .iter()
        .enumerate()
        .map(|(i, task)| {
            let days = u32::try_from(task.days_before).unwrap_or(0);
            let dated = dating::date_task(interview_date, days, today);
            plan_task::ActiveModel {
                id: NotSet,
                interview_id: Set(interview_id),
                position: Set(i as i32 + 1),
                text: Set(task.text.clone()),
                due_on: Set(dated.due_on),
                done: Set(false),
                done_at: Set(None),
                phase_label: Set(Some(task.phase_label.clone())),
                days_before: Set(Some(task.days_before)),
                compressed: Set(dated.compressed),
                created_at: Set(at),
            }
        })
        .collect()
}

/// Inserts `rows` in one statement; nothing for an empty plan.
pub async fn insert_plan(
    db: &impl ConnectionTrait,
    rows: Vec<plan_task::ActiveModel>,
) -> AppResult<()> {
    if !rows.is_empty() {
        plan_task::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Re-dates the open timeline tasks of interview `interview_id` for its new
/// date; done tasks and the candidate's own keep theirs. One UPDATE per
/// distinct new date, not per task.
pub async fn redate_plan(
    db: &impl ConnectionTrait,
    interview_id: i32,
    interview_date: NaiveDate,
    today: NaiveDate,
) -> AppResult<()> {
    let tasks = plan_task::Entity::find()
        .filter(plan_task::Column::InterviewId.eq(interview_id))
        .all(db)
        .await?;
    let mut moves: Vec<(Dated, Vec<i32>)> = Vec::new();
    for task in tasks {
        let current = TaskDates {
            due_on: task.due_on,
            compressed: task.compressed,
            done: task.done,
            days_before: task.days_before,
        };
        let Some(dated) = dating::redate(current, interview_date, today) else {
            continue;
        };
        if dated.due_on == task.due_on && dated.compressed == task.compressed {
            continue;
        }
        match moves.iter_mut().find(|(d, _)| *d == dated) {
            Some((_, ids)) => ids.push(task.id),
            None => moves.push((dated, vec![task.id])),
        }
    }
    for (dated, ids) in moves {
        plan_task::Entity::update_many()
            .col_expr(plan_task::Column::DueOn, Expr::value(dated.due_on))
            .col_expr(plan_task::Column::Compressed, Expr::value(dated.compressed))
            .filter(plan_task::Column::Id.is_in(ids))
            .exec(db)
            .await?;
    }
    Ok(())
}
