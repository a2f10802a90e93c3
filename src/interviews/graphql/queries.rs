//! The owner's interview queries: `interview`, `myInterviews` and `myAgenda`.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use chrono::{Days, NaiveDate, Utc};
use sea_orm::{ColumnTrait, QueryFilter};

use entity::interview;

use super::types::{AgendaDay, Interview, InterviewConnectionFields};
use crate::error::{AppError, AppResult};
use crate::graphql::context::{api_limits, database};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::pagination::PageRequest;
use crate::graphql::viewer::require_viewer;
use crate::interviews::store;
use crate::records::page::Keyset;
use crate::records::{find_readable, owned_by};

/// Most days one `myAgenda` covers.
pub const AGENDA_MAX_DAYS: i32 = 62;

/// Interview queries; all need a signed-in viewer.
#[derive(Default)]
pub struct InterviewQuery;

#[Object]
impl InterviewQuery {
    /// The interview with this ID when the viewer owns it or holds a live
    /// grant that covers it; null otherwise, as for one that never existed.
    async fn interview(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Interview>> {
        let viewer = require_viewer(ctx)?;
        let key = ids::decode_as(IdKind::Interview, &id, "id")?;
        Ok(
            find_readable::<interview::Entity>(database(ctx)?, viewer, key)
                .await?
                .map(Interview::alone),
        )
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
        let page = PageRequest::forward(IdKind::Interview.name(), first, after, api_limits(ctx)?)?;
        let mut matching = owned_by::<interview::Entity>(viewer.user_id);
        let now = Utc::now();
        match upcoming {
            Some(true) => matching = matching.filter(interview::Column::ScheduledAt.gt(now)),
            Some(false) => matching = matching.filter(interview::Column::ScheduledAt.lte(now)),
            None => {}
        }
        let order = Keyset::ascending(interview::Column::ScheduledAt, |r: &interview::Model| {
            r.scheduled_at
        });
        let rows = order
            .fetch(
                database(ctx)?,
                matching.clone(),
                page.after.as_deref(),
                page.limit,
            )
            .await?;
        Ok(page.finish(
            IdKind::Interview.name(),
            Interview::list(rows),
            |o: &Interview| order.cursor_of(o.row()),
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
        let (interviews, tasks) = store::agenda(database(ctx)?, viewer, from, until).await?;
        AgendaDay::build(from, span, interviews, tasks)
    }
}
