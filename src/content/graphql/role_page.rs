//! The ordered parts of a role page: steps, timeline, mistakes, salaries, FAQs, resources.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::NaiveDate;

use entity::{
    faq, mistake, prep_step, resource, salary_benchmark, salary_level, timeline_phase,
    timeline_task,
};

use crate::content::money;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::joined::{Joined, joined};
use crate::graphql::loaders::Siblings;
use crate::stored::StoredEnum;

/// A step of preparation.
pub struct PrepStep(pub prep_step::Model);

#[Object]
impl PrepStep {
    async fn id(&self) -> ID {
        ids::encode(IdKind::PrepStep, self.0.id)
    }
    async fn position(&self) -> i32 {
        self.0.position
    }
    async fn text(&self) -> &str {
        &self.0.text
    }
}

/// A phase of the preparation timeline.
pub struct TimelinePhase {
    row: timeline_phase::Model,
    siblings: Arc<Siblings>,
}

impl TimelinePhase {
    /// A phase fetched together with `siblings`.
    pub fn new(row: timeline_phase::Model, siblings: Arc<Siblings>) -> Self {
        Self { row, siblings }
    }
}

#[Object]
impl TimelinePhase {
    async fn id(&self) -> ID {
        ids::encode(IdKind::TimelinePhase, self.row.id)
    }
    async fn position(&self) -> i32 {
        self.row.position
    }
    /// e.g. "Two weeks before".
    async fn label(&self) -> &str {
        &self.row.label
    }
    /// Days before the interview that the phase starts.
    async fn days_before(&self) -> i32 {
        self.row.days_before
    }
    /// The phase's tasks in order.
    #[graphql(complexity = "crate::graphql::pagination::LIST_COST * child_complexity")]
    async fn tasks(&self, ctx: &Context<'_>) -> AppResult<Vec<Joined<TimelineTask>>> {
        let (rows, _) = self
            .siblings
            .children::<timeline_task::Entity>(ctx, self.row.id)
            .await?;
        Ok(joined(rows.into_iter().map(TimelineTask)))
    }
}

/// A task of a timeline phase.
pub struct TimelineTask(pub timeline_task::Model);

#[Object]
impl TimelineTask {
    async fn id(&self) -> ID {
        ids::encode(IdKind::TimelineTask, self.0.id)
    }
    async fn position(&self) -> i32 {
        self.0.position
    }
    async fn text(&self) -> &str {
        &self.0.text
    }
}

/// A common mistake in interviews for the role.
pub struct Mistake(pub mistake::Model);

#[Object]
impl Mistake {
    async fn id(&self) -> ID {
        ids::encode(IdKind::Mistake, self.0.id)
    }
    async fn position(&self) -> i32 {
        self.0.position
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn explanation(&self) -> &str {
        &self.0.explanation
    }
}

/// A frequently asked question and its answer.
pub struct Faq(pub faq::Model);

#[Object]
impl Faq {
    async fn id(&self) -> ID {
        ids::encode(IdKind::Faq, self.0.id)
    }
    async fn position(&self) -> i32 {
        self.0.position
    }
    async fn question(&self) -> &str {
        &self.0.question
    }
    async fn answer(&self) -> &str {
        &self.0.answer
    }
}

pub use crate::stored::ResourceKind;

/// A linked resource.
pub struct Resource(pub resource::Model);

#[Object]
impl Resource {
    async fn id(&self) -> ID {
        ids::encode(IdKind::Resource, self.0.id)
    }
    async fn position(&self) -> i32 {
        self.0.position
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn kind(&self) -> AppResult<ResourceKind> {
        ResourceKind::from_stored(&self.0.kind)
    }
    async fn url(&self) -> &str {
        &self.0.url
    }
}

/// An amount of money in whole currency units.
#[derive(SimpleObject)]
pub struct Money {
    amount: i32,
    /// ISO 4217 code.
    currency: String,
    /// For display, e.g. "£62,000".
    formatted: String,
}

impl Money {
    fn joined(amount: i32, currency: &str) -> Joined<Self> {
        Joined(Self {
            amount,
            currency: currency.to_owned(),
            formatted: money::format(i64::from(amount), currency),
        })
    }
}

/// Seniority of a salary figure.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SeniorityLevel {
    Junior,
    Mid,
    Senior,
}

/// The salary at one seniority level.
#[derive(SimpleObject)]
pub struct SalaryLevel {
    level: SeniorityLevel,
    amount: Joined<Money>,
}

/// Salaries of a role in one country.
pub struct SalaryBenchmark {
    row: salary_benchmark::Model,
    siblings: Arc<Siblings>,
}

impl SalaryBenchmark {
    /// A benchmark fetched together with `siblings`.
    pub fn new(row: salary_benchmark::Model, siblings: Arc<Siblings>) -> Self {
        Self { row, siblings }
    }
}

#[Object]
impl SalaryBenchmark {
    async fn id(&self) -> ID {
        ids::encode(IdKind::SalaryBenchmark, self.row.id)
    }
    /// ISO 3166-1 alpha-2 code, e.g. "GB".
    async fn country(&self) -> &str {
        &self.row.country
    }
    /// ISO 4217 code, e.g. "GBP".
    async fn currency(&self) -> &str {
        &self.row.currency
    }
    async fn median(&self) -> Joined<Money> {
        Money::joined(self.row.median, &self.row.currency)
    }
    async fn low(&self) -> Joined<Money> {
        Money::joined(self.row.low, &self.row.currency)
    }
    async fn high(&self) -> Joined<Money> {
        Money::joined(self.row.high, &self.row.currency)
    }
    /// Figures per seniority, most junior first.
    #[graphql(complexity = "crate::graphql::pagination::LIST_COST * child_complexity")]
    async fn levels(&self, ctx: &Context<'_>) -> AppResult<Vec<Joined<SalaryLevel>>> {
        let (rows, _) = self
            .siblings
            .children::<salary_level::Entity>(ctx, self.row.id)
            .await?;
        rows.into_iter()
            .map(|row| {
                let level = match row.level.as_str() {
                    "junior" => SeniorityLevel::Junior,
                    "mid" => SeniorityLevel::Mid,
                    "senior" => SeniorityLevel::Senior,
                    other => {
                        return Err(AppError::internal(anyhow::anyhow!(
                            "salary level {} is {other:?}",
                            row.id
                        )));
                    }
                };
                Ok(Joined(SalaryLevel {
                    level,
                    amount: Money::joined(row.amount, &self.row.currency),
                }))
            })
            .collect()
    }
    /// Where the figures come from.
    async fn source(&self) -> &str {
        &self.row.source
    }
    /// The date the figures describe.
    async fn as_of(&self) -> NaiveDate {
        self.row.as_of
    }
}
