//! The owner's interview queries: `interview`, `myInterviews` and `myAgenda`.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use chrono::{Days, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect};

use entity::interview;

use super::cursor::{interview_cursor, parse_interview_cursor};
use super::types::{AgendaDay, Interview, InterviewConnectionFields};
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::pagination::PageRequest;
use crate::graphql::viewer::require_viewer;
use crate::graphql::{api_limits, database};
use crate::interviews::{self, owned};

/// Most days one `myAgenda` covers.
pub const AGENDA_MAX_DAYS: i32 = 62;

/// Interview queries; all need a signed-in viewer.
#[derive(Default)]
pub struct InterviewQuery;

#[Object]
impl InterviewQuery {
    /// The viewer's interview with this ID; null for anyone else's.
    async fn interview(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Interview>> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::Interview, &id, "id")?;
        Ok(interviews::find_owned(database(ctx)?, viewer, key)
            .await?
            .map(Interview::alone))
    }

    /// The viewer's interviews, soonest first. `upcoming: true` keeps those
    /// not yet started, `false` those that have.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn my_interviews(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        upcoming: Option<bool>,
    ) -> AppResult<Connection<String, Interview, InterviewConnectionFields>> {
        let viewer = require_viewer(ctx)?;
        let page = PageRequest::new(
            IdKind::Interview.name(),
            first,
            after,
            None,
            None,
            api_limits(ctx)?,
        )?;
        let mut matching = owned::owned_by(viewer.user_id);
        let now = Utc::now();
        match upcoming {
            Some(true) => matching = matching.filter(interview::Column::ScheduledAt.gt(now)),
            Some(false) => matching = matching.filter(interview::Column::ScheduledAt.lte(now)),
            None => {}
        }
        let mut query = matching.clone();
        if let Some(after) = &page.after {
            let (at, id) = parse_interview_cursor(after, "after")?;
            query = query.filter(
                Condition::any()
                    .add(interview::Column::ScheduledAt.gt(at))
                    .add(
                        Condition::all()
                            .add(interview::Column::ScheduledAt.eq(at))
                            .add(interview::Column::Id.gt(id)),
                    ),
            );
        }
        let rows = query
            .order_by_asc(interview::Column::ScheduledAt)
            .order_by_asc(interview::Column::Id)
            .limit(page.limit + 1)
            .all(database(ctx)?)
            .await?;
        Ok(page.finish(
            IdKind::Interview.name(),
            Interview::list(rows),
            |o: &Interview| interview_cursor(o.row()),
            |o| o,
            InterviewConnectionFields { matching },
        ))
    }

    /// Day by day from `from`, for `days` days (1 to 62): the viewer's
    /// interviews on each local date and the plan tasks due on it.
    #[graphql(complexity = "days.clamp(1, 62) as usize * child_complexity")]
    async fn my_agenda(
        &self,
        ctx: &Context<'_>,
        from: NaiveDate,
        days: i32,
    ) -> AppResult<Vec<AgendaDay>> {
        let viewer = require_viewer(ctx)?;
        if !(1..=AGENDA_MAX_DAYS).contains(&days) {
            return Err(AppError::bad_input(
                "days",
                format!("must be between 1 and {AGENDA_MAX_DAYS}"),
            ));
        }
        let span = days as u32;
        let until = from
            .checked_add_days(Days::new(u64::from(span)))
            .ok_or_else(|| AppError::bad_input("from", "is too far in the future"))?;
        let (interviews, tasks) = interviews::agenda(database(ctx)?, viewer, from, until).await?;
        AgendaDay::build(from, span, interviews, tasks)
    }
}
