//! The GraphQL types of interviews: `Interview`, `PlanTask`, `AgendaDay` and
//! the extra fields of `InterviewConnection`.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{PaginatorTrait, Select};

use entity::{interview, plan_task, role};

use super::loaders::PlanOfInterview;
use crate::content::graphql::roles::Role;
use crate::error::{AppError, AppResult};
use crate::graphql::context::database;
use crate::graphql::ids::{self, IdKind};
use crate::graphql::loaders::{ById, Siblings};
use crate::interviews::dating;
use crate::interviews::store;
use crate::interviews::targets::{self, ActionTarget, ActionTargetKind};
use crate::stored::InterviewStage;
use crate::stored::StoredEnum;

/// A candidate's interview and its plan; only its owner ever sees it.
#[derive(Clone)]
pub struct Interview {
    row: Arc<interview::Model>,
    /// The interviews fetched together with this one.
    siblings: Arc<Siblings>,
    /// The roles of those interviews, loaded together.
    roles: Arc<Siblings>,
}

impl Interview {
    /// Wraps rows fetched together: their plans and roles load in one batch each.
    pub fn list(rows: Vec<interview::Model>) -> Vec<Self> {
        let siblings = Siblings::new(rows.iter().map(|r| r.id).collect());
        let roles = Siblings::new(rows.iter().map(|r| r.role_id).collect());
        rows.into_iter()
            .map(|row| Self {
                row: Arc::new(row),
                siblings: siblings.clone(),
                roles: roles.clone(),
            })
            .collect()
    }

    /// An interview fetched on its own.
    pub fn alone(row: interview::Model) -> Self {
        let siblings = Siblings::new(vec![row.id]);
        let roles = Siblings::new(vec![row.role_id]);
        Self {
            row: Arc::new(row),
            siblings,
            roles,
        }
    }

    /// The row behind this object.
    pub fn row(&self) -> &interview::Model {
        &self.row
    }

    /// The role's row, loaded with the roles of the sibling interviews; and
    /// the roles loaded next to it.
    async fn role_row(&self, ctx: &Context<'_>) -> AppResult<(role::Model, Arc<Siblings>)> {
        let loaded = self
            .roles
            .load(
                ctx,
                ById::<role::Entity>::new,
                |k| k.0,
                |r: &role::Model| vec![r.id],
            )
            .await?;
        loaded
            .get(self.row.role_id)
            .map(|r| (r, loaded.next.clone()))
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!(
                    "interview {} has no role {}",
                    self.row.id,
                    self.row.role_id
                ))
            })
    }
}

#[Object]
impl Interview {
    pub async fn id(&self) -> ID {
        ids::encode(IdKind::Interview, self.row.id)
    }
    /// The role the candidate interviews for.
    async fn role(&self, ctx: &Context<'_>) -> AppResult<Role> {
        let (row, next) = self.role_row(ctx).await?;
        Ok(Role::new(row, next))
    }
    async fn company(&self) -> &str {
        &self.row.company
    }
    async fn stage(&self) -> AppResult<InterviewStage> {
        InterviewStage::from_stored(&self.row.stage)
    }
    async fn notes(&self) -> &str {
        &self.row.notes
    }
    /// The instant the interview starts.
    async fn scheduled_at(&self) -> DateTime<Utc> {
        self.row.scheduled_at
    }
    /// The IANA time zone it takes place in, e.g. "Europe/London".
    async fn time_zone(&self) -> &str {
        &self.row.time_zone
    }
    /// The interview's date in its time zone.
    async fn local_date(&self) -> NaiveDate {
        self.row.local_date
    }
    /// 1 when scheduled, one more with every change to it or its plan.
    async fn version(&self) -> i32 {
        self.row.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.row.updated_at
    }
    /// The dated plan, by due date, then position.
    async fn plan(&self, ctx: &Context<'_>) -> AppResult<Vec<PlanTask>> {
        let loaded = self
            .siblings
            .load(
                ctx,
                PlanOfInterview,
                |k| k.0,
                |_: &Vec<plan_task::Model>| Vec::new(),
            )
            .await?;
        let today = store::today_of(&self.row)?;
        Ok(loaded
            .get(self.row.id)
            .unwrap_or_default()
            .into_iter()
            .map(|row| PlanTask::new(row, self.clone(), today))
            .collect())
    }
    /// `readiness`, defined by practice (which reads plans, coverage and
    /// attempts) and shown here, in this place, so interviews import no
    /// feature above them.
    #[graphql(flatten)]
    async fn readiness_place(&self) -> InterviewReadinessPlace {
        InterviewReadinessPlace {
            row: Arc::clone(&self.row),
            siblings: Arc::clone(&self.siblings),
            roles: Arc::clone(&self.roles),
        }
    }
}

/// An interview as its readiness sees it; practice implements its `#[Object]`.
pub struct InterviewReadinessPlace {
    pub row: Arc<interview::Model>,
    pub siblings: Arc<Siblings>,
    pub roles: Arc<Siblings>,
}

/// One dated task of an interview's plan.
pub struct PlanTask {
    row: plan_task::Model,
    interview: Interview,
    /// Today in the interview's zone.
    today: NaiveDate,
}

impl PlanTask {
    /// Task `row` of `interview`, seen on `today` in the interview's zone.
    pub fn new(row: plan_task::Model, interview: Interview, today: NaiveDate) -> Self {
        Self {
            row,
            interview,
            today,
        }
    }

    /// Task `row` of interview `interview`, fetched on its own.
    pub fn alone(row: plan_task::Model, interview: interview::Model) -> AppResult<Self> {
        let today = store::today_of(&interview)?;
        Ok(Self::new(row, Interview::alone(interview), today))
    }
}

#[Object]
impl PlanTask {
    pub async fn id(&self) -> ID {
        ids::encode(IdKind::PlanTask, self.row.id)
    }
    async fn text(&self) -> &str {
        &self.row.text
    }
    /// The day the task is due, in the interview's zone.
    async fn due_on(&self) -> NaiveDate {
        self.row.due_on
    }
    async fn done(&self) -> bool {
        self.row.done
    }
    /// When it was marked done; null while it is not.
    async fn done_at(&self) -> Option<DateTime<Utc>> {
        self.row.done_at
    }
    /// The timeline phase it comes from; null for a task the candidate added.
    async fn phase_label(&self) -> Option<&str> {
        self.row.phase_label.as_deref()
    }
    /// The phase's days before the interview; null for a task the candidate added.
    async fn days_before(&self) -> Option<i32> {
        self.row.days_before
    }
    /// Added by the candidate rather than copied from the role's timeline.
    async fn custom(&self) -> bool {
        self.row.days_before.is_none()
    }
    /// Its timeline date had passed when the plan was dated, so it is due on that day instead.
    async fn compressed(&self) -> bool {
        self.row.compressed
    }
    /// Not done and due before today in the interview's zone.
    async fn overdue(&self) -> bool {
        dating::is_overdue(self.row.due_on, self.row.done, self.today)
    }
    async fn interview(&self) -> Interview {
        self.interview.clone()
    }
    /// Where the task is done in the app, for a link: writing a story,
    /// practising aloud; null for a task done elsewhere (research, logistics)
    /// and for the candidate's own tasks.
    async fn target(&self, ctx: &Context<'_>) -> AppResult<Option<ActionTarget>> {
        if self.row.days_before.is_none() {
            return Ok(None);
        }
        let Some(kind) = targets::kind_of_task(&self.row.text) else {
            return Ok(None);
        };
        let id = match kind {
            ActionTargetKind::Practice => Some(self.interview.role_row(ctx).await?.0.slug),
            ActionTargetKind::NewStory | ActionTargetKind::PlanTasks => None,
        };
        Ok(Some(ActionTarget {
            kind,
            id,
            due_by: None,
        }))
    }
}

/// One day of the agenda: the interviews on that local date and the tasks due.
#[derive(SimpleObject)]
pub struct AgendaDay {
    date: NaiveDate,
    interviews: Vec<Interview>,
    tasks: Vec<PlanTask>,
}

impl AgendaDay {
    /// The days `from`, `from + 1`, .. (`days` of them) with what falls on each.
    pub fn build(
        from: NaiveDate,
        days: u32,
        interviews: Vec<interview::Model>,
        tasks: Vec<(plan_task::Model, interview::Model)>,
    ) -> AppResult<Vec<Self>> {
        // One object per interview, shared by its tasks, all loading together.
        let mut rows: Vec<interview::Model> = interviews.clone();
        for (_, i) in &tasks {
            if !rows.iter().any(|r| r.id == i.id) {
                rows.push(i.clone());
            }
        }
        let objects: HashMap<i32, Interview> = Interview::list(rows)
            .into_iter()
            .map(|o| (o.row.id, o))
            .collect();
        let get = |id: i32| {
            objects
                .get(&id)
                .cloned()
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("agenda lost interview {id}")))
        };
        let mut out: Vec<Self> = from
            .iter_days()
            .take(days as usize)
            .map(|date| Self {
                date,
                interviews: Vec::new(),
                tasks: Vec::new(),
            })
            .collect();
        let index = |date: NaiveDate| usize::try_from((date - from).num_days()).ok();
        for i in interviews {
            if let Some(day) = index(i.local_date).and_then(|n| out.get_mut(n)) {
                day.interviews.push(get(i.id)?);
            }
        }
        for (task, i) in tasks {
            let today = store::today_of(&i)?;
            if let Some(day) = index(task.due_on).and_then(|n| out.get_mut(n)) {
                day.tasks.push(PlanTask::new(task, get(i.id)?, today));
            }
        }
        Ok(out)
    }
}

/// Fields of `InterviewConnection` beside edges and pageInfo.
pub struct InterviewConnectionFields {
    /// The viewer's interviews matching the filters.
    pub(super) matching: Select<interview::Entity>,
}

#[Object]
impl InterviewConnectionFields {
    /// Interviews matching the filters, on every page together.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        Ok(self.matching.clone().count(database(ctx)?).await?)
    }
}
