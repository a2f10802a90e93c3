//! The role-page tables: roles, skills and every ordered part of a page.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Roles {
    Table,
    Id,
    Slug,
    Title,
    Summary,
    ReviewerName,
    ReviewerTitle,
    ContentHash,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Skills {
    Table,
    Id,
    Slug,
    Name,
}

#[derive(DeriveIden)]
enum RoleSkills {
    Table,
    Id,
    RoleId,
    SkillId,
    Position,
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    Id,
    RoleId,
    Position,
    Prompt,
    Category,
}

#[derive(DeriveIden)]
enum PrepSteps {
    Table,
    Id,
    RoleId,
    Position,
    Text,
}

#[derive(DeriveIden)]
enum TimelinePhases {
    Table,
    Id,
    RoleId,
    Position,
    Label,
    DaysBefore,
}

#[derive(DeriveIden)]
enum TimelineTasks {
    Table,
    Id,
    PhaseId,
    Position,
    Text,
}

#[derive(DeriveIden)]
enum Mistakes {
    Table,
    Id,
    RoleId,
    Position,
    Title,
    Explanation,
}

#[derive(DeriveIden)]
enum SalaryBenchmarks {
    Table,
    Id,
    RoleId,
    Position,
    Country,
    Currency,
    Median,
    Low,
    High,
    Source,
    AsOf,
}

#[derive(DeriveIden)]
enum SalaryLevels {
    Table,
    Id,
    BenchmarkId,
    Level,
    Rank,
    Amount,
}

#[derive(DeriveIden)]
enum Faqs {
    Table,
    Id,
    RoleId,
    Position,
    Question,
    Answer,
}

#[derive(DeriveIden)]
enum Resources {
    Table,
    Id,
    RoleId,
    Position,
    Title,
    Kind,
    Url,
}

/// A foreign key from `table.column` to `parent.id` that deletes the child with its parent.
fn cascade_to(
    name: &str,
    table: impl IntoIden,
    column: impl IntoIden,
    parent: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(parent, Alias::new("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A unique index over `columns`; with the parent id first, it also indexes the foreign key.
fn unique_index(name: &str, table: impl IntoIden, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(table).unique().to_owned();
    for column in columns {
        index.col(Alias::new(*column));
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Roles::Table)
                .col(pk_auto(Roles::Id))
                .col(string_uniq(Roles::Slug))
                .col(string(Roles::Title))
                .col(text(Roles::Summary))
                .col(string(Roles::ReviewerName))
                .col(string(Roles::ReviewerTitle))
                .col(string(Roles::ContentHash))
                .col(timestamp_with_time_zone(Roles::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Skills::Table)
                .col(pk_auto(Skills::Id))
                .col(string_uniq(Skills::Slug))
                .col(string(Skills::Name))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RoleSkills::Table)
                .col(pk_auto(RoleSkills::Id))
                .col(integer(RoleSkills::RoleId))
                .col(integer(RoleSkills::SkillId))
                .col(integer(RoleSkills::Position))
                .foreign_key(&mut cascade_to(
                    "fk_role_skills_role",
                    RoleSkills::Table,
                    RoleSkills::RoleId,
                    Roles::Table,
                ))
                .foreign_key(&mut cascade_to(
                    "fk_role_skills_skill",
                    RoleSkills::Table,
                    RoleSkills::SkillId,
                    Skills::Table,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique_index(
            "uq_role_skills_role_position",
            RoleSkills::Table,
            &["role_id", "position"],
        ))
        .await?;
        m.create_index(unique_index(
            "uq_role_skills_role_skill",
            RoleSkills::Table,
            &["role_id", "skill_id"],
        ))
        .await?;
        m.create_index(
            Index::create()
                .name("idx_role_skills_skill")
                .table(RoleSkills::Table)
                .col(RoleSkills::SkillId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Questions::Table)
                .col(pk_auto(Questions::Id))
                .col(integer(Questions::RoleId))
                .col(integer(Questions::Position))
                .col(text(Questions::Prompt))
                .col(string(Questions::Category))
                .foreign_key(&mut cascade_to(
                    "fk_questions_role",
                    Questions::Table,
                    Questions::RoleId,
                    Roles::Table,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique_index(
            "uq_questions_role_position",
            Questions::Table,
            &["role_id", "position"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(PrepSteps::Table)
                .col(pk_auto(PrepSteps::Id))
                .col(integer(PrepSteps::RoleId))
                .col(integer(PrepSteps::Position))
                .col(text(PrepSteps::Text))
                .foreign_key(&mut cascade_to(
                    "fk_prep_steps_role",
                    PrepSteps::Table,
                    PrepSteps::RoleId,
                    Roles::Table,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique_index(
            "uq_prep_steps_role_position",
            PrepSteps::Table,
            &["role_id", "position"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(TimelinePhases::Table)
                .col(pk_auto(TimelinePhases::Id))
                .col(integer(TimelinePhases::RoleId))
                .col(integer(TimelinePhases::Position))
                .col(string(TimelinePhases::Label))
                .col(integer(TimelinePhases::DaysBefore))
                .foreign_key(&mut cascade_to(
                    "fk_timeline_phases_role",
                    TimelinePhases::Table,
                    TimelinePhases::RoleId,
                    Roles::Table,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique_index(
            "uq_timeline_phases_role_position",
            TimelinePhases::Table,
            &["role_id", "position"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(TimelineTasks::Table)
                .col(pk_auto(TimelineTasks::Id))
                .col(integer(TimelineTasks::PhaseId))
                .col(integer(TimelineTasks::Position))
                .col(text(TimelineTasks::Text))
                .foreign_key(&mut cascade_to(
                    "fk_timeline_tasks_phase",
                    TimelineTasks::Table,
                    TimelineTasks::PhaseId,
                    TimelinePhases::Table,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique_index(
            "uq_timeline_tasks_phase_position",
            TimelineTasks::Table,
            &["phase_id", "position"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Mistakes::Table)
                .col(pk_auto(Mistakes::Id))
                .col(integer(Mistakes::RoleId))
                .col(integer(Mistakes::Position))
                .col(string(Mistakes::Title))
                .col(text(Mistakes::Explanation))
                .foreign_key(&mut cascade_to(
                    "fk_mistakes_role",
                    Mistakes::Table,
                    Mistakes::RoleId,
                    Roles::Table,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique_index(
            "uq_mistakes_role_position",
            Mistakes::Table,
            &["role_id", "position"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(SalaryBenchmarks::Table)
                .col(pk_auto(SalaryBenchmarks::Id))
                .col(integer(SalaryBenchmarks::RoleId))
                .col(integer(SalaryBenchmarks::Position))
                .col(string_len(SalaryBenchmarks::Country, 2))
                .col(string_len(SalaryBenchmarks::Currency, 3))
                .col(integer(SalaryBenchmarks::Median))
                .col(integer(SalaryBenchmarks::Low))
                .col(integer(SalaryBenchmarks::High))
                .col(string(SalaryBenchmarks::Source))
                .col(date(SalaryBenchmarks::AsOf))
                .foreign_key(&mut cascade_to(
                    "fk_salary_benchmarks_role",
                    SalaryBenchmarks::Table,
                    SalaryBenchmarks::RoleId,
                    Roles::Table,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique_index(
            "uq_salary_benchmarks_role_position",
            SalaryBenchmarks::Table,
            &["role_id", "position"],
        ))
        .await?;
        m.create_index(unique_index(
            "uq_salary_benchmarks_role_country",
            SalaryBenchmarks::Table,
            &["role_id", "country"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(SalaryLevels::Table)
                .col(pk_auto(SalaryLevels::Id))
                .col(integer(SalaryLevels::BenchmarkId))
                .col(string(SalaryLevels::Level))
                .col(integer(SalaryLevels::Rank))
                .col(integer(SalaryLevels::Amount))
                .foreign_key(&mut cascade_to(
                    "fk_salary_levels_benchmark",
                    SalaryLevels::Table,
                    SalaryLevels::BenchmarkId,
                    SalaryBenchmarks::Table,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique_index(
            "uq_salary_levels_benchmark_level",
            SalaryLevels::Table,
            &["benchmark_id", "level"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Faqs::Table)
                .col(pk_auto(Faqs::Id))
                .col(integer(Faqs::RoleId))
                .col(integer(Faqs::Position))
                .col(text(Faqs::Question))
                .col(text(Faqs::Answer))
                .foreign_key(&mut cascade_to(
                    "fk_faqs_role",
                    Faqs::Table,
                    Faqs::RoleId,
                    Roles::Table,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique_index(
            "uq_faqs_role_position",
            Faqs::Table,
            &["role_id", "position"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Resources::Table)
                .col(pk_auto(Resources::Id))
                .col(integer(Resources::RoleId))
                .col(integer(Resources::Position))
                .col(string(Resources::Title))
                .col(string(Resources::Kind))
                .col(text(Resources::Url))
                .foreign_key(&mut cascade_to(
                    "fk_resources_role",
                    Resources::Table,
                    Resources::RoleId,
                    Roles::Table,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique_index(
            "uq_resources_role_position",
            Resources::Table,
            &["role_id", "position"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Children first, so no foreign key points at a dropped table.
        let tables = [
            Resources::Table.into_iden(),
            Faqs::Table.into_iden(),
            SalaryLevels::Table.into_iden(),
            SalaryBenchmarks::Table.into_iden(),
            Mistakes::Table.into_iden(),
            TimelineTasks::Table.into_iden(),
            TimelinePhases::Table.into_iden(),
            PrepSteps::Table.into_iden(),
            Questions::Table.into_iden(),
            RoleSkills::Table.into_iden(),
            Skills::Table.into_iden(),
            Roles::Table.into_iden(),
        ];
        for table in tables {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
