//! The owner's interview mutations: schedule, update, delete, the plan's
//! tasks, and the calendar feed's token.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, NaiveDate, Utc};

use super::types::{Interview, PlanTask};
use crate::config::InterviewLimits;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{database, events};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::viewer::require_viewer;
use crate::interviews::calendar;
use crate::interviews::store::{self, InterviewPatch, NewInterview};
use crate::stored::InterviewStage;

/// `scheduleInterview` arguments.
#[derive(InputObject)]
pub struct ScheduleInterviewInput {
    /// The role the interview is for.
    role_id: ID,
    company: String,
    stage: InterviewStage,
    /// The instant it starts (RFC 3339).
    scheduled_at: DateTime<Utc>,
    /// IANA time zone name, e.g. "Europe/London".
    time_zone: String,
    notes: Option<String>,
}

/// `updateInterview` arguments: the fields given change, the others stay.
#[derive(InputObject)]
pub struct UpdateInterviewInput {
    id: ID,
    /// The version the change was made on; a stale one gives VERSION_CONFLICT.
    expected_version: i32,
    company: Option<String>,
    stage: Option<InterviewStage>,
    /// A new start re-dates the plan's open timeline tasks.
    scheduled_at: Option<DateTime<Utc>>,
    /// A new zone re-dates the plan's open timeline tasks.
    time_zone: Option<String>,
    notes: Option<String>,
}

/// `addPlanTask` arguments.
#[derive(InputObject)]
pub struct AddPlanTaskInput {
    interview_id: ID,
    text: String,
    /// The day it is due, in the interview's zone.
    due_on: NaiveDate,
}

/// Interview mutations; all need a signed-in viewer.
#[derive(Default)]
pub struct InterviewMutation;

#[Object]
impl InterviewMutation {
    /// Schedules an interview; its plan is the role's timeline, dated.
    async fn schedule_interview(
        &self,
        ctx: &Context<'_>,
        input: ScheduleInterviewInput,
    ) -> AppResult<Interview> {
        let viewer = require_viewer(ctx)?;
        let role_id = ids::decode_as(IdKind::Role, &input.role_id, "roleId")?;
        let row = store::schedule(
            database(ctx)?,
            viewer,
            NewInterview {
                role_id,
                company: input.company,
                stage: input.stage,
                scheduled_at: input.scheduled_at,
                time_zone: input.time_zone,
                notes: input.notes.unwrap_or_default(),
            },
            interview_limits(ctx)?,
            events(ctx)?,
        )
        .await?;
        Ok(Interview::alone(row))
    }

    /// Changes the fields given, made on `expectedVersion`. A new start or
    /// zone re-dates the open timeline tasks; done tasks and the candidate's
    /// own keep their dates.
    async fn update_interview(
        &self,
        ctx: &Context<'_>,
        input: UpdateInterviewInput,
    ) -> AppResult<Interview> {
        let viewer = require_viewer(ctx)?;
        let id = ids::decode_as(IdKind::Interview, &input.id, "id")?;
        let patch = InterviewPatch {
            company: input.company,
            stage: input.stage,
            scheduled_at: input.scheduled_at,
            time_zone: input.time_zone,
            notes: input.notes,
        };
        let row = store::update(
            database(ctx)?,
            viewer,
            id,
            input.expected_version,
            patch,
            interview_limits(ctx)?,
            events(ctx)?,
        )
        .await?;
        Ok(Interview::alone(row))
    }

    /// Deletes an interview and its plan; returns its ID.
    async fn delete_interview(&self, ctx: &Context<'_>, id: ID) -> AppResult<ID> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::Interview, &id, "id")?;
        store::delete(database(ctx)?, viewer, key, events(ctx)?).await?;
        Ok(id)
    }

    /// Ticks a plan task off, or back on.
    async fn set_plan_task_done(
        &self,
        ctx: &Context<'_>,
        id: ID,
        done: bool,
    ) -> AppResult<PlanTask> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::PlanTask, &id, "id")?;
        let (task, interview) =
            store::set_task_done(database(ctx)?, viewer, key, done, events(ctx)?).await?;
        PlanTask::alone(task, interview)
    }

    /// Adds a task of the candidate's own to an interview's plan.
    async fn add_plan_task(
        &self,
        ctx: &Context<'_>,
        input: AddPlanTaskInput,
    ) -> AppResult<PlanTask> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::Interview, &input.interview_id, "interviewId")?;
        let (task, interview) = store::add_task(
            database(ctx)?,
            viewer,
            key,
            &input.text,
            input.due_on,
            interview_limits(ctx)?,
            events(ctx)?,
        )
        .await?;
        PlanTask::alone(task, interview)
    }

    /// Deletes a task the candidate added; a timeline task is BAD_USER_INPUT.
    async fn delete_plan_task(&self, ctx: &Context<'_>, id: ID) -> AppResult<ID> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::PlanTask, &id, "id")?;
        store::delete_task(database(ctx)?, viewer, key, events(ctx)?).await?;
        Ok(id)
    }

    /// Makes a new secret calendar feed URL path, "/calendar/<token>.ics";
    /// the previous one stops working.
    async fn rotate_calendar_token(&self, ctx: &Context<'_>) -> AppResult<String> {
        let viewer = require_viewer(ctx)?;
        let token = calendar::rotate_token(database(ctx)?, viewer).await?;
        Ok(calendar::feed_path(&token))
    }
}

fn interview_limits<'a>(ctx: &Context<'a>) -> AppResult<&'a InterviewLimits> {
    ctx.data::<InterviewLimits>()
        .map_err(|e| AppError::internal(anyhow::anyhow!("no interview limits: {}", e.message)))
}
