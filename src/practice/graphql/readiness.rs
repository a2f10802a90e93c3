//! `Interview.readiness`, batched: for a page of interviews the plans, the
//! roles, their coverage by the viewer's stories and the viewer's recent
//! practice each load once for the whole page (through [`Siblings`]), so
//! the cost in statements does not grow with the page.

use std::sync::Arc;

use chrono::{Duration, Utc};

use entity::{interview, plan_task, role};

use crate::error::{AppError, AppResult};
use crate::graphql::context::database;
use crate::graphql::ids::{self, IdKind};
use crate::graphql::loaders::{ById, Siblings};
use crate::interviews::graphql::loaders::PlanOfInterview;
use crate::interviews::graphql::types::InterviewReadinessPlace;
use crate::interviews::store::today_of;
use crate::practice::readiness::{self, Evidence, Keys, PRACTICE_DAYS, Readiness, Task};
use crate::practice::store::finished_since;
use crate::story_bank::graphql::coverage_of;

/// The readiness of interview `row`, fetched together with the interviews
/// `siblings`, whose roles are `roles`.
pub async fn readiness_of(
    ctx: &async_graphql::Context<'_>,
    row: &interview::Model,
    siblings: &Siblings,
    roles: &Siblings,
) -> AppResult<Readiness> {
    let plans = siblings
        .load(
            ctx,
            PlanOfInterview,
            |k| k.0,
            |_: &Vec<plan_task::Model>| Vec::new(),
        )
        .await?;
    let loaded_roles = roles
        .load(
            ctx,
            ById::<role::Entity>::new,
            |k| k.0,
            |r: &role::Model| vec![r.id],
        )
        .await?;
    let role = loaded_roles.get(row.role_id).map(Arc::new).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "interview {} has no role {}",
            row.id,
            row.role_id
        ))
    })?;
    let coverage = coverage_of(ctx, row.user_id, &role, roles).await?;
    let owner = row.user_id;
    let attempts = siblings
        .shared(format!("practice-since:{owner}"), async move {
            let since = Utc::now() - Duration::days(PRACTICE_DAYS);
            finished_since(database(ctx)?, owner, since).await
        })
        .await?;
    let tasks: Vec<Task> = plans
        .get(row.id)
        .unwrap_or_default()
        .iter()
        .map(|t| Task {
            due_on: t.due_on,
            done: t.done,
        })
        .collect();
    let gaps = coverage.gap_names();
    let gap_slugs = coverage.gap_slugs();
    let interview_id = ids::encode(IdKind::Interview, row.id);
    Ok(readiness::readiness_with_targets(
        &Evidence {
            tasks: &tasks,
            today: today_of(row)?,
            competencies_total: coverage.competencies_total(),
            gaps: &gaps,
            ready_stories: coverage.ready_story_count(),
            practice_attempts: *attempts,
        },
        &Keys {
            interview_id: interview_id.as_str(),
            role_slug: &role.slug,
            gap_slugs: &gap_slugs,
        },
    ))
}

#[async_graphql::Object]
impl InterviewReadinessPlace {
    /// How ready the viewer is: plan, competencies covered by READY stories
    /// and recent practice, scored 0–100 (the formula is on `Readiness`).
    async fn readiness(&self, ctx: &async_graphql::Context<'_>) -> AppResult<Readiness> {
        readiness_of(ctx, &self.row, &self.siblings, &self.roles).await
    }
}
