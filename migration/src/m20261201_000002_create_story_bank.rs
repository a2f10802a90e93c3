//! The story bank: competencies (shared between roles, like skills), the
//! competencies of roles and questions, and a draft's links to competencies
//! and to any number of questions.
//!
//! A revision keeps the link sets of its version as JSON arrays of ids
//! (`competency_ids`, `question_ids`), beside its text: one row still holds
//! one whole version, so restore reads one row. Existing drafts keep their one
//! question as their first link, and their revisions record it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Competencies {
    Table,
    Id,
    Slug,
    Name,
    Description,
}

#[derive(DeriveIden)]
enum RoleCompetencies {
    Table,
    Id,
    RoleId,
    CompetencyId,
    Position,
}

#[derive(DeriveIden)]
enum QuestionCompetencies {
    Table,
    Id,
    QuestionId,
    CompetencyId,
    Position,
}

#[derive(DeriveIden)]
enum StarDraftCompetencies {
    Table,
    Id,
    DraftId,
    CompetencyId,
    Position,
}

#[derive(DeriveIden)]
enum StarDraftQuestions {
    Table,
    Id,
    DraftId,
    QuestionId,
    Position,
}

#[derive(DeriveIden)]
enum StarDraftRevisions {
    Table,
    CompetencyIds,
    QuestionIds,
}

#[derive(DeriveIden)]
enum StarDrafts {
    Table,
    Id,
    QuestionId,
}

#[derive(DeriveIden)]
enum Roles {
    Table,
}

#[derive(DeriveIden)]
enum Questions {
    Table,
}

/// An ordered link table: (`owner`, `target`) unique, (`owner`, position)
/// unique, both foreign keys cascading, and the target indexed for the
/// reverse lookups (a competency's or question's drafts).
struct LinkTable {
    table: DynIden,
    owner: (DynIden, DynIden),
    target: (DynIden, DynIden),
    position: DynIden,
    id: DynIden,
    name: &'static str,
}

impl LinkTable {
    async fn create(&self, m: &SchemaManager<'_>) -> Result<(), DbErr> {
        let fk = |column: &DynIden, parent: &DynIden, what: &str| {
            ForeignKey::create()
                .name(format!("fk_{}_{what}", self.name))
                .from(self.table.clone(), column.clone())
                .to(parent.clone(), Alias::new("id"))
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned()
        };
        m.create_table(
            Table::create()
                .table(self.table.clone())
                .col(pk_auto(self.id.clone()))
                .col(integer(self.owner.0.clone()))
                .col(integer(self.target.0.clone()))
                .col(integer(self.position.clone()))
                .foreign_key(&mut fk(&self.owner.0, &self.owner.1, "owner"))
                .foreign_key(&mut fk(&self.target.0, &self.target.1, "target"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(format!("uq_{}_owner_target", self.name))
                .table(self.table.clone())
                .col(self.owner.0.clone())
                .col(self.target.0.clone())
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(format!("uq_{}_owner_position", self.name))
                .table(self.table.clone())
                .col(self.owner.0.clone())
                .col(self.position.clone())
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(format!("idx_{}_target", self.name))
                .table(self.table.clone())
                .col(self.target.0.clone())
                .to_owned(),
        )
        .await
    }
}

fn link_tables() -> [LinkTable; 4] {
    let competencies = Competencies::Table.into_iden();
    [
        LinkTable {
            table: RoleCompetencies::Table.into_iden(),
            owner: (
                RoleCompetencies::RoleId.into_iden(),
                Roles::Table.into_iden(),
            ),
            target: (
                RoleCompetencies::CompetencyId.into_iden(),
                competencies.clone(),
            ),
            position: RoleCompetencies::Position.into_iden(),
            id: RoleCompetencies::Id.into_iden(),
            name: "role_competencies",
        },
        LinkTable {
            table: QuestionCompetencies::Table.into_iden(),
            owner: (
                QuestionCompetencies::QuestionId.into_iden(),
                Questions::Table.into_iden(),
            ),
            target: (
                QuestionCompetencies::CompetencyId.into_iden(),
                competencies.clone(),
            ),
            position: QuestionCompetencies::Position.into_iden(),
            id: QuestionCompetencies::Id.into_iden(),
            name: "question_competencies",
        },
        LinkTable {
            table: StarDraftCompetencies::Table.into_iden(),
            owner: (
                StarDraftCompetencies::DraftId.into_iden(),
                StarDrafts::Table.into_iden(),
            ),
            target: (
                StarDraftCompetencies::CompetencyId.into_iden(),
                competencies,
            ),
            position: StarDraftCompetencies::Position.into_iden(),
            id: StarDraftCompetencies::Id.into_iden(),
            name: "star_draft_competencies",
        },
        LinkTable {
            table: StarDraftQuestions::Table.into_iden(),
            owner: (
                StarDraftQuestions::DraftId.into_iden(),
                StarDrafts::Table.into_iden(),
            ),
            target: (
                StarDraftQuestions::QuestionId.into_iden(),
                Questions::Table.into_iden(),
            ),
            position: StarDraftQuestions::Position.into_iden(),
            id: StarDraftQuestions::Id.into_iden(),
            name: "star_draft_questions",
        },
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Competencies::Table)
                .col(pk_auto(Competencies::Id))
                .col(string_uniq(Competencies::Slug))
                .col(string(Competencies::Name))
                .col(text(Competencies::Description))
                .to_owned(),
        )
        .await?;
        for link in link_tables() {
            link.create(m).await?;
        }

        // SQLite takes one change per ALTER TABLE.
        for column in [
            StarDraftRevisions::CompetencyIds,
            StarDraftRevisions::QuestionIds,
        ] {
            m.alter_table(
                Table::alter()
                    .table(StarDraftRevisions::Table)
                    .add_column(text(column).default("[]"))
                    .to_owned(),
            )
            .await?;
        }

        // A draft's one question becomes its first linked question...
        m.exec_stmt(
            Query::insert()
                .into_table(StarDraftQuestions::Table)
                .columns([
                    StarDraftQuestions::DraftId,
                    StarDraftQuestions::QuestionId,
                    StarDraftQuestions::Position,
                ])
                .select_from(
                    Query::select()
                        .column(StarDrafts::Id)
                        .column(StarDrafts::QuestionId)
                        .expr(Expr::val(1))
                        .from(StarDrafts::Table)
                        .and_where(Expr::col(StarDrafts::QuestionId).is_not_null())
                        .to_owned(),
                )
                .map_err(|e| DbErr::Migration(e.to_string()))?
                .to_owned(),
        )
        .await?;
        // ... and every revision records it: a draft's question never changed
        // before links existed, so each of its versions had that one.
        m.get_connection()
            .execute_unprepared(
                "UPDATE star_draft_revisions SET question_ids = COALESCE(\
                 (SELECT '[' || CAST(d.question_id AS TEXT) || ']' FROM star_drafts d \
                  WHERE d.id = star_draft_revisions.draft_id), '[]')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            StarDraftRevisions::QuestionIds,
            StarDraftRevisions::CompetencyIds,
        ] {
            m.alter_table(
                Table::alter()
                    .table(StarDraftRevisions::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        let mut tables: Vec<DynIden> = link_tables().into_iter().map(|l| l.table).collect();
        tables.reverse();
        tables.push(Competencies::Table.into_iden());
        for table in tables {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
