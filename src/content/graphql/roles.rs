//! Roles, skills and questions: the browsable, public part of the API.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use entity::{
    competency, faq, mistake, prep_step, question, resource, role, role_skill, salary_benchmark,
    skill, timeline_phase,
};

use super::competency::{Competency, competencies_of_questions, competencies_of_roles};
use super::loaders::{RoleOfQuestion, RolesOfSkill, SkillsOfRole};
use super::role_page::{Faq, Mistake, PrepStep, Resource, SalaryBenchmark, TimelinePhase};
use crate::error::{AppError, AppResult};
use crate::graphql::context::{api_limits, database};
use crate::graphql::ids::{self, IdKind};
use crate::graphql::joined::{Joined, joined};
use crate::graphql::loaders::{Rows, Siblings};
use crate::graphql::pagination::{LIST_COST, PageRequest};
use crate::stored::StoredEnum;

/// A role page.
pub struct Role {
    /// Shared with the role's questions (`Question.role`) rather than copied to each.
    row: Arc<role::Model>,
    siblings: Arc<Siblings>,
}

impl Role {
    /// A role fetched together with `siblings`.
    pub fn new(row: role::Model, siblings: Arc<Siblings>) -> Self {
        Self {
            row: Arc::new(row),
            siblings,
        }
    }

    /// A role fetched on its own.
    pub fn alone(row: role::Model) -> Self {
        let siblings = Siblings::new(vec![row.id]);
        Self::new(row, siblings)
    }
}

/// Who reviewed a role page.
#[derive(SimpleObject)]
pub struct Reviewer {
    name: String,
    title: String,
}

#[Object]
impl Role {
    pub async fn id(&self) -> ID {
        ids::encode(IdKind::Role, self.row.id)
    }

    /// URL-safe unique name, e.g. `backend-developer`.
    async fn slug(&self) -> &str {
        &self.row.slug
    }

    async fn title(&self) -> &str {
        &self.row.title
    }

    /// One paragraph on what the role does.
    async fn summary(&self) -> &str {
        &self.row.summary
    }

    async fn reviewer(&self) -> Reviewer {
        Reviewer {
            name: self.row.reviewer_name.clone(),
            title: self.row.reviewer_title.clone(),
        }
    }

    /// When the role's content last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.row.updated_at
    }

    /// The skills interviewers look for, most important first.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn key_skills(&self, ctx: &Context<'_>) -> AppResult<Vec<Joined<Skill>>> {
        let loaded = self
            .siblings
            .load(
                ctx,
                SkillsOfRole,
                |k| k.0,
                |skills: &Rows<skill::Model>| skills.iter().map(|s| s.id).collect(),
            )
            .await?;
        let skills = loaded.get(self.row.id).unwrap_or_default();
        Ok(joined(
            skills
                .iter()
                .map(|s| Skill::new(s.clone(), loaded.next.clone())),
        ))
    }

    /// The competencies (themes such as leadership) the role's interviews probe, in order.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn competencies(&self, ctx: &Context<'_>) -> AppResult<Vec<Competency>> {
        let loaded = competencies_of_roles(ctx, &self.siblings).await?;
        Ok(loaded
            .get(self.row.id)
            .unwrap_or_default()
            .into_iter()
            .map(Competency)
            .collect())
    }

    /// The fields of the role that depend on the viewer (`myCoverage`),
    /// defined by the story bank and shown here, in this place.
    #[graphql(flatten)]
    async fn of_viewer(&self) -> RoleOfViewer {
        RoleOfViewer {
            row: Arc::clone(&self.row),
            siblings: Arc::clone(&self.siblings),
        }
    }

    /// Common interview questions in order, optionally of one category.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn questions(
        &self,
        ctx: &Context<'_>,
        category: Option<QuestionCategory>,
    ) -> AppResult<Vec<Joined<Question>>> {
        let (rows, next) = self
            .siblings
            .children::<question::Entity>(ctx, self.row.id)
            .await?;
        Ok(joined(
            rows.into_iter()
                .filter(|q| category.is_none_or(|c| c.stored() == q.category))
                .map(|q| Question::with_role(q, Arc::clone(&self.row), next.clone())),
        ))
    }

    /// Preparation steps in order.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn prep_steps(&self, ctx: &Context<'_>) -> AppResult<Vec<Joined<PrepStep>>> {
        let (rows, _) = self
            .siblings
            .children::<prep_step::Entity>(ctx, self.row.id)
            .await?;
        Ok(joined(rows.into_iter().map(PrepStep)))
    }

    /// Phases before the interview, earliest (most days before) first.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn timeline(&self, ctx: &Context<'_>) -> AppResult<Vec<Joined<TimelinePhase>>> {
        let (rows, next) = self
            .siblings
            .children::<timeline_phase::Entity>(ctx, self.row.id)
            .await?;
        Ok(joined(
            rows.into_iter()
                .map(|row| TimelinePhase::new(row, next.clone())),
        ))
    }

    /// Common mistakes in order.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn mistakes(&self, ctx: &Context<'_>) -> AppResult<Vec<Joined<Mistake>>> {
        let (rows, _) = self
            .siblings
            .children::<mistake::Entity>(ctx, self.row.id)
            .await?;
        Ok(joined(rows.into_iter().map(Mistake)))
    }

    /// Salary benchmarks, one per country; `country` (ISO 3166-1 alpha-2) picks one.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn salary_benchmarks(
        &self,
        ctx: &Context<'_>,
        country: Option<String>,
    ) -> AppResult<Vec<Joined<SalaryBenchmark>>> {
        let (rows, next) = self
            .siblings
            .children::<salary_benchmark::Entity>(ctx, self.row.id)
            .await?;
        let country = country.map(|c| c.trim().to_ascii_uppercase());
        Ok(joined(
            rows.into_iter()
                .filter(|b| country.as_ref().is_none_or(|c| *c == b.country))
                .map(|row| SalaryBenchmark::new(row, next.clone())),
        ))
    }

    /// Frequently asked questions in order.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn faqs(&self, ctx: &Context<'_>) -> AppResult<Vec<Joined<Faq>>> {
        let (rows, _) = self
            .siblings
            .children::<faq::Entity>(ctx, self.row.id)
            .await?;
        Ok(joined(rows.into_iter().map(Faq)))
    }

    /// Further reading in order.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn resources(&self, ctx: &Context<'_>) -> AppResult<Vec<Joined<Resource>>> {
        let (rows, _) = self
            .siblings
            .children::<resource::Entity>(ctx, self.row.id)
            .await?;
        Ok(joined(rows.into_iter().map(Resource)))
    }
}

/// A skill; the same skill can be key to several roles.
pub struct Skill {
    row: skill::Model,
    siblings: Arc<Siblings>,
}

impl Skill {
    /// A skill fetched together with `siblings`.
    pub fn new(row: skill::Model, siblings: Arc<Siblings>) -> Self {
        Self { row, siblings }
    }

    /// A skill fetched on its own.
    pub fn alone(row: skill::Model) -> Self {
        let siblings = Siblings::new(vec![row.id]);
        Self::new(row, siblings)
    }
}

#[Object]
impl Skill {
    pub async fn id(&self) -> ID {
        ids::encode(IdKind::Skill, self.row.id)
    }

    async fn name(&self) -> &str {
        &self.row.name
    }

    async fn slug(&self) -> &str {
        &self.row.slug
    }

    /// The roles that list this skill, by title.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn roles(&self, ctx: &Context<'_>) -> AppResult<Vec<Joined<Role>>> {
        let loaded = self
            .siblings
            .load(
                ctx,
                RolesOfSkill,
                |k| k.0,
                |roles: &Rows<role::Model>| roles.iter().map(|r| r.id).collect(),
            )
            .await?;
        let roles = loaded.get(self.row.id).unwrap_or_default();
        Ok(joined(
            roles
                .iter()
                .map(|r| Role::new(r.clone(), loaded.next.clone())),
        ))
    }
}

pub use crate::stored::QuestionCategory;

/// An interview question of a role.
pub struct Question {
    row: question::Model,
    /// The role, when the question was reached through it: saves loading it again.
    role: Option<Arc<role::Model>>,
    siblings: Arc<Siblings>,
}

impl Question {
    /// A question fetched together with `siblings`; its role is loaded on demand.
    pub fn new(row: question::Model, siblings: Arc<Siblings>) -> Self {
        Self {
            row,
            role: None,
            siblings,
        }
    }

    /// A question fetched on its own.
    pub fn alone(row: question::Model) -> Self {
        let siblings = Siblings::new(vec![row.id]);
        Self::new(row, siblings)
    }

    /// A question reached through its `role`.
    pub fn with_role(
        row: question::Model,
        role: Arc<role::Model>,
        siblings: Arc<Siblings>,
    ) -> Self {
        Self {
            row,
            role: Some(role),
            siblings,
        }
    }
}

#[Object]
impl Question {
    pub async fn id(&self) -> ID {
        ids::encode(IdKind::Question, self.row.id)
    }

    /// 1-based place in the role's list.
    async fn position(&self) -> i32 {
        self.row.position
    }

    async fn prompt(&self) -> &str {
        &self.row.prompt
    }

    async fn category(&self) -> AppResult<QuestionCategory> {
        QuestionCategory::from_stored(&self.row.category)
    }

    async fn role(&self, ctx: &Context<'_>) -> AppResult<Role> {
        if let Some(role) = &self.role {
            return Ok(Role {
                row: Arc::clone(role),
                siblings: Siblings::new(vec![role.id]),
            });
        }
        let loaded = self
            .siblings
            .load(ctx, RoleOfQuestion, |k| k.0, |r: &role::Model| vec![r.id])
            .await?;
        loaded
            .get(self.row.id)
            .map(|r| Role::new(r, loaded.next.clone()))
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("question {} has no role", self.row.id))
            })
    }

    /// The competencies this question gives a chance to show, in order.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn competencies(&self, ctx: &Context<'_>) -> AppResult<Vec<Competency>> {
        let loaded = competencies_of_questions(ctx, &self.siblings).await?;
        Ok(loaded
            .get(self.row.id)
            .unwrap_or_default()
            .into_iter()
            .map(Competency)
            .collect())
    }

    /// The fields of the question that depend on the viewer
    /// (`myStarDrafts`), defined by the story bank and shown here.
    #[graphql(flatten)]
    async fn of_viewer(&self) -> QuestionOfViewer {
        QuestionOfViewer {
            id: self.row.id,
            siblings: Arc::clone(&self.siblings),
        }
    }
}

/// A role, as the fields that depend on the viewer see it. Content declares
/// the place; the feature that owns those fields implements its `#[Object]`,
/// so content imports no feature. Every field of it is viewer-dependent: the
/// `OfViewer` name is the mark the response cache reads
/// (`schema::viewer_fields`).
pub struct RoleOfViewer {
    pub row: Arc<role::Model>,
    pub siblings: Arc<Siblings>,
}

/// A question, as the fields that depend on the viewer see it (see [`RoleOfViewer`]).
pub struct QuestionOfViewer {
    pub id: i32,
    pub siblings: Arc<Siblings>,
}

/// The filters of `roles`, kept for the lazily computed `totalCount`.
#[derive(Clone)]
pub struct RoleFilter(Condition);

impl RoleFilter {
    fn new(search: Option<&str>, skill_slug: Option<&str>) -> Self {
        let mut cond = Condition::all();
        if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
            let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
            let like = |col: role::Column| {
                Expr::expr(Func::lower(Expr::col((role::Entity, col))))
                    .like(LikeExpr::new(pattern.clone()).escape('\\'))
            };
            cond = cond.add(
                Condition::any()
                    .add(like(role::Column::Title))
                    .add(like(role::Column::Summary)),
            );
        }
        if let Some(slug) = skill_slug {
            cond = cond.add(
                role::Column::Id.in_subquery(
                    Query::select()
                        .column((role_skill::Entity, role_skill::Column::RoleId))
                        .from(role_skill::Entity)
                        .inner_join(
                            skill::Entity,
                            Expr::col((skill::Entity, skill::Column::Id))
                                .equals((role_skill::Entity, role_skill::Column::SkillId)),
                        )
                        .and_where(Expr::col((skill::Entity, skill::Column::Slug)).eq(slug))
                        .to_owned(),
                ),
            );
        }
        Self(cond)
    }
}

/// Escapes `%`, `_` and the escape character itself for a LIKE pattern.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Fields of `RoleConnection` beside edges and pageInfo.
pub struct RoleConnectionFields {
    filter: RoleFilter,
}

#[Object]
impl RoleConnectionFields {
    /// Roles matching the filters, on every page together.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        Ok(role::Entity::find()
            .filter(self.filter.0.clone())
            .count(database(ctx)?)
            .await?)
    }
}

/// The public role queries.
#[derive(Default)]
pub struct RoleQuery;

#[Object]
impl RoleQuery {
    /// Roles in the order they were added, paginated; `search` matches title and summary case-insensitively,
    /// `skill` keeps roles listing the skill with that slug.
    async fn roles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        search: Option<String>,
        skill: Option<String>,
    ) -> AppResult<Connection<String, Joined<Role>, RoleConnectionFields>> {
        let page = PageRequest::new(
            IdKind::Role.name(),
            first,
            after,
            last,
            before,
            api_limits(ctx)?,
        )?;
        let filter = RoleFilter::new(search.as_deref(), skill.as_deref());
        let rows = fetch_role_page(database(ctx)?, &filter, &page).await?;
        // The page's roles only: the extra row that tells whether there is a
        // next page is dropped by `finish`, so its children are never needed.
        let shown = rows
            .len()
            .min(usize::try_from(page.limit).unwrap_or(usize::MAX));
        let siblings = Siblings::of::<role::Entity>(&rows[..shown]);
        Ok(page.finish(
            IdKind::Role.name(),
            rows,
            |r| r.id.to_string(),
            |r| Joined(Role::new(r, siblings.clone())),
            RoleConnectionFields { filter },
        ))
    }

    /// The role with this slug, or null.
    async fn role(&self, ctx: &Context<'_>, slug: String) -> AppResult<Option<Joined<Role>>> {
        Ok(role::Entity::find()
            .filter(role::Column::Slug.eq(slug))
            .one(database(ctx)?)
            .await?
            .map(|row| Joined(Role::alone(row))))
    }

    /// Every competency of every role, by name (what a story can be tagged with).
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn competencies(&self, ctx: &Context<'_>) -> AppResult<Vec<Competency>> {
        Ok(competency::Entity::find()
            .order_by_asc(competency::Column::Name)
            .order_by_asc(competency::Column::Id)
            .all(database(ctx)?)
            .await?
            .into_iter()
            .map(Competency)
            .collect())
    }

    /// Every skill, by name.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn skills(&self, ctx: &Context<'_>) -> AppResult<Vec<Joined<Skill>>> {
        let rows = skill::Entity::find()
            .order_by_asc(skill::Column::Name)
            .all(database(ctx)?)
            .await?;
        let siblings = Siblings::of::<skill::Entity>(&rows);
        Ok(joined(
            rows.into_iter()
                .map(|row| Skill::new(row, siblings.clone())),
        ))
    }
}

/// One page of roles in id order (reversed when reading backwards), plus one row to detect more.
async fn fetch_role_page(
    db: &DatabaseConnection,
    filter: &RoleFilter,
    page: &PageRequest,
) -> AppResult<Vec<role::Model>> {
    let key = |payload: &str, field: &str| {
        payload
            .parse::<i32>()
            .map_err(|_| AppError::bad_input(field, "malformed cursor"))
    };
    let mut query = role::Entity::find().filter(filter.0.clone());
    if let Some(after) = &page.after {
        query = query.filter(role::Column::Id.gt(key(after, "after")?));
    }
    if let Some(before) = &page.before {
        query = query.filter(role::Column::Id.lt(key(before, "before")?));
    }
    query = if page.backward {
        query.order_by_desc(role::Column::Id)
    } else {
        query.order_by_asc(role::Column::Id)
    };
    Ok(query.limit(page.limit + 1).all(db).await?)
}
