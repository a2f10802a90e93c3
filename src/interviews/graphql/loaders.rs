//! Batch loader of interview data: the plan of each interview.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use entity::plan_task;

use crate::graphql::loaders::Db;

/// Key: the plan of interview `.0`, by due date, then position.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlanOfInterview(pub i32);

impl Loader<PlanOfInterview> for Db {
    type Value = Vec<plan_task::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[PlanOfInterview],
    ) -> Result<HashMap<PlanOfInterview, Self::Value>, Self::Error> {
        // The keys are interviews already read through the owner's scope.
        let rows = plan_task::Entity::find()
            .filter(plan_task::Column::InterviewId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(plan_task::Column::InterviewId)
            .order_by_asc(plan_task::Column::DueOn)
            .order_by_asc(plan_task::Column::Position)
            .all(&self.0)
            .await?;
        let mut out: HashMap<PlanOfInterview, Vec<plan_task::Model>> = HashMap::new();
        for row in rows {
            out.entry(PlanOfInterview(row.interview_id))
                .or_default()
                .push(row);
        }
        Ok(out)
    }
}
