//! The story bank over GraphQL: competencies (public content, shared between
//! roles) and a role's coverage by the viewer's stories.
//!
//! `Role.myCoverage` costs a constant number of statements for a page of
//! roles: the role's competencies and questions load for the whole page
//! (through [`Siblings`]), then the viewer's drafts for all those
//! competencies and all those questions, one statement each, through the
//! owner-scoped loaders of [`crate::drafts::graphql::loaders`].
//!
//! The viewer's fields of content objects are defined here, on the
//! [`RoleOfViewer`] and [`QuestionOfViewer`] places content keeps for them.

use std::sync::Arc;

use async_graphql::{Context, Object};
use futures_util::future::try_join;

use entity::{question, role, star_draft};

use super::coverage::{self, Covered};
use crate::content::graphql::competency::{Competency, competencies_of_roles};
use crate::content::graphql::roles::{Question, QuestionOfViewer, RoleOfViewer};
use crate::drafts::graphql::loaders::{drafts_of_competencies, drafts_of_questions};
use crate::drafts::graphql::types::StarDraft;
use crate::error::AppResult;
use crate::graphql::loaders::{Loaded, Siblings};
use crate::graphql::pagination::{LIST_COST, STORY_LIST_COST};
use crate::graphql::viewer::viewer;

/// A draft is a story: coverage reads its id and status.
impl coverage::Story for StarDraft {
    fn id(&self) -> i32 {
        self.row().id
    }
    fn status(&self) -> &str {
        &self.row().status
    }
}

/// A competency and the viewer's stories tagged with it.
pub struct CompetencyCoverage(Covered<Competency, StarDraft>);

#[Object]
impl CompetencyCoverage {
    async fn competency(&self) -> &Competency {
        &self.0.item
    }
    /// The viewer's drafts tagged with the competency, newest change first.
    #[graphql(complexity = "STORY_LIST_COST * child_complexity")]
    async fn stories(&self) -> &[StarDraft] {
        &self.0.stories
    }
    /// Whether one of the stories is READY.
    async fn covered(&self) -> bool {
        self.0.covered
    }
}

/// A question and the viewer's stories linked to it.
pub struct QuestionCoverage(Covered<Question, StarDraft>);

#[Object]
impl QuestionCoverage {
    async fn question(&self) -> &Question {
        &self.0.item
    }
    /// The viewer's drafts linked to the question, newest change first.
    #[graphql(complexity = "STORY_LIST_COST * child_complexity")]
    async fn stories(&self) -> &[StarDraft] {
        &self.0.stories
    }
    /// Whether one of the stories is READY.
    async fn covered(&self) -> bool {
        self.0.covered
    }
}

/// How well the viewer's stories cover a role.
pub struct Coverage {
    competencies: Vec<CompetencyCoverage>,
    questions: Vec<QuestionCoverage>,
    gaps: Vec<Competency>,
    ready_stories: usize,
}

impl Coverage {
    /// The names of the competencies no READY story covers, in the role's order.
    pub fn gap_names(&self) -> Vec<String> {
        self.gaps.iter().map(|c| c.0.name.clone()).collect()
    }

    /// The slugs of the competencies no READY story covers, in the order of [`Self::gap_names`].
    pub fn gap_slugs(&self) -> Vec<String> {
        self.gaps.iter().map(|c| c.0.slug.clone()).collect()
    }

    /// How many competencies the role has.
    pub fn competencies_total(&self) -> usize {
        self.competencies.len()
    }

    /// READY stories that cover a competency or question of the role.
    pub fn ready_story_count(&self) -> usize {
        self.ready_stories
    }
}

#[Object]
impl Coverage {
    /// Each of the role's competencies, in the role's order.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn competencies(&self) -> &[CompetencyCoverage] {
        &self.competencies
    }
    /// Each of the role's questions, in the role's order.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn questions(&self) -> &[QuestionCoverage] {
        &self.questions
    }
    /// The competencies that no READY story covers yet, in the role's order.
    #[graphql(complexity = "LIST_COST * child_complexity")]
    async fn gaps(&self) -> &[Competency] {
        &self.gaps
    }
    /// READY stories that cover at least one competency or question of the role.
    async fn ready_stories(&self) -> i32 {
        i32::try_from(self.ready_stories).unwrap_or(i32::MAX)
    }
}

/// The viewer's drafts for every competency and question of a page of
/// roles, as one set of siblings: whatever the stories' own fields load, they
/// load once for the whole page, however the two lists overlap in time.
struct PageStories {
    by_competency: Arc<Loaded<Vec<star_draft::Model>>>,
    by_question: Arc<Loaded<Vec<star_draft::Model>>>,
    siblings: Arc<Siblings>,
}

impl PageStories {
    fn of(
        loaded: &Loaded<Vec<star_draft::Model>>,
        key: i32,
        siblings: &Arc<Siblings>,
    ) -> Vec<StarDraft> {
        loaded
            .get(key)
            .unwrap_or_default()
            .into_iter()
            .map(|row| StarDraft::new(row, siblings.clone()))
            .collect()
    }
}

/// The coverage of `role` (fetched with `roles`) by the drafts of `user_id`,
/// computed once per role and viewer for the whole sibling set: a page of
/// 100 interviews of one role (each with its readiness) builds it once, not
/// 100 times over the same 500 stories.
pub async fn coverage_of(
    ctx: &Context<'_>,
    user_id: i32,
    role: &Arc<role::Model>,
    roles: &Siblings,
) -> AppResult<Arc<Coverage>> {
    // Boxed: the computation's future is about 26 KB, and unboxed it made
    // every field future of `Role` that size (a role's fields share one
    // generated `resolve_field`, which includes this one through the
    // flattened `RoleOfViewer`): 350 KB held per role while it resolved,
    // most of an uncached page's memory (BENCHMARKS.md, "Issue 28's table, the last round").
    roles
        .shared(
            format!("coverage:{user_id}:role:{}", role.id),
            Box::pin(compute_coverage(ctx, user_id, role, roles)),
        )
        .await
}

async fn compute_coverage(
    ctx: &Context<'_>,
    user_id: i32,
    role: &Arc<role::Model>,
    roles: &Siblings,
) -> AppResult<Coverage> {
    let (competencies, (questions, question_siblings)) = try_join(
        competencies_of_roles(ctx, roles),
        roles.children::<question::Entity>(ctx, role.id),
    )
    .await?;
    // Both lists' sibling sets are the page's (loaded once above), so the
    // first role to get here loads the stories of every role.
    let stories = roles
        .shared(format!("coverage:{user_id}"), async {
            let (by_competency, by_question) = try_join(
                drafts_of_competencies(ctx, &competencies.next, user_id),
                drafts_of_questions(ctx, &question_siblings, user_id),
            )
            .await?;
            let ids = by_competency
                .next
                .ids()
                .iter()
                .chain(by_question.next.ids())
                .copied()
                .collect::<std::collections::BTreeSet<i32>>();
            Ok(PageStories {
                by_competency,
                by_question,
                siblings: Siblings::new(ids.into_iter().collect()),
            })
        })
        .await?;
    let competency_rows = competencies.get(role.id).unwrap_or_default();
    let by_competency_key = competency_rows
        .iter()
        .map(|c| {
            (
                c.id,
                PageStories::of(&stories.by_competency, c.id, &stories.siblings),
            )
        })
        .collect();
    let by_question_key = questions
        .iter()
        .map(|q| {
            (
                q.id,
                PageStories::of(&stories.by_question, q.id, &stories.siblings),
            )
        })
        .collect();
    let result = coverage::coverage(
        competency_rows
            .into_iter()
            .map(|c| (c.id, Competency(c)))
            .collect(),
        questions
            .into_iter()
            .map(|q| {
                (
                    q.id,
                    Question::with_role(q, Arc::clone(role), question_siblings.clone()),
                )
            })
            .collect(),
        &by_competency_key,
        &by_question_key,
    );
    Ok(Coverage {
        competencies: result
            .competencies
            .into_iter()
            .map(CompetencyCoverage)
            .collect(),
        questions: result.questions.into_iter().map(QuestionCoverage).collect(),
        gaps: result.gaps,
        ready_stories: result.ready_stories,
    })
}

#[Object]
impl RoleOfViewer {
    /// How the viewer's stories cover the role's competencies and questions;
    /// null for anonymous viewers.
    async fn my_coverage(&self, ctx: &Context<'_>) -> AppResult<Option<Arc<Coverage>>> {
        let Some(viewer) = viewer(ctx) else {
            return Ok(None);
        };
        coverage_of(ctx, viewer.user_id, &self.row, &self.siblings)
            .await
            .map(Some)
    }
}

#[Object]
impl QuestionOfViewer {
    /// The viewer's drafts linked to this question, newest change first; empty for anonymous viewers.
    #[graphql(complexity = "STORY_LIST_COST * child_complexity")]
    async fn my_star_drafts(&self, ctx: &Context<'_>) -> AppResult<Vec<StarDraft>> {
        let Some(viewer) = viewer(ctx) else {
            return Ok(Vec::new());
        };
        let loaded = drafts_of_questions(ctx, &self.siblings, viewer.user_id).await?;
        Ok(loaded
            .get(self.id)
            .unwrap_or_default()
            .into_iter()
            .map(|row| StarDraft::new(row, loaded.next.clone()))
            .collect())
    }
}
