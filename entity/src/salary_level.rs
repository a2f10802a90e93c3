//! The salary of one seniority level within a benchmark.

use sea_orm::entity::prelude::*;

/// One row of `salary_levels`; `amount` is in whole units of the benchmark's currency.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "salary_levels")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub benchmark_id: i32,
    /// One of `junior`, `mid`, `senior`; also the sort key, via `rank`.
    pub level: String,
    /// 1 for junior, 2 for mid, 3 for senior: lets SQL order levels by seniority.
    pub rank: i32,
    pub amount: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::salary_benchmark::Entity",
        from = "Column::BenchmarkId",
        to = "super::salary_benchmark::Column::Id",
        on_delete = "Cascade"
    )]
    Benchmark,
}

impl Related<super::salary_benchmark::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Benchmark.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
