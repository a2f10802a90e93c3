//! The `Node` interface and `node(id:)`: any object with a global ID, fetched by it.

use async_graphql::{Context, ID, Interface, Object};

use entity::{interview, practice_attempt, question, role, skill, star_draft};

use crate::content::graphql::roles::{Question, Role, Skill};
use crate::drafts::graphql::types::StarDraft;
use crate::error::{AppError, AppResult};
use crate::graphql::context::database;
use crate::graphql::ids::{self, IdKind};
use crate::graphql::loaders::by_id;
use crate::graphql::viewer::require_viewer;
use crate::interviews::graphql::types::{Interview, PlanTask};
use crate::interviews::store::find_readable_task;
use crate::practice::graphql::types::PracticeAttempt;
use crate::records::{Owned, find_owned, find_readable};

/// An object with an opaque global ID that `node(id:)` resolves.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Role(Role),
    Skill(Skill),
    Question(Question),
    StarDraft(StarDraft),
    Interview(Interview),
    PlanTask(PlanTask),
    PracticeAttempt(PracticeAttempt),
}

/// `node(id:)`.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global ID, or null when there is none.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Node>> {
        let Some((kind, key)) = ids::decode(&id) else {
            return Err(AppError::bad_input("id", "malformed ID"));
        };
        Ok(match kind {
            IdKind::Role => by_id::<role::Entity>(ctx, key)
                .await?
                .map(|m| Node::Role(Role::alone(m))),
            IdKind::Skill => by_id::<skill::Entity>(ctx, key)
                .await?
                .map(|m| Node::Skill(Skill::alone(m))),
            IdKind::Question => by_id::<question::Entity>(ctx, key)
                .await?
                .map(|m| Node::Question(Question::alone(m))),
            // Private: UNAUTHENTICATED when anonymous, null unless the viewer
            // owns it or (drafts, interviews and their tasks) holds a live grant.
            IdKind::StarDraft => readable::<star_draft::Entity>(ctx, key)
                .await?
                .map(|m| Node::StarDraft(StarDraft::alone(m))),
            IdKind::Interview => readable::<interview::Entity>(ctx, key)
                .await?
                .map(|m| Node::Interview(Interview::alone(m))),
            IdKind::PlanTask => {
                match find_readable_task(database(ctx)?, require_viewer(ctx)?, key).await? {
                    Some((task, interview)) => {
                        Some(Node::PlanTask(PlanTask::alone(task, interview)?))
                    }
                    None => None,
                }
            }
            IdKind::PracticeAttempt => owned::<practice_attempt::Entity>(ctx, key)
                .await?
                .map(|m| Node::PracticeAttempt(PracticeAttempt(m))),
            // Types that have IDs but are not fetched by them on their own.
            IdKind::PrepStep
            | IdKind::TimelinePhase
            | IdKind::TimelineTask
            | IdKind::Mistake
            | IdKind::SalaryBenchmark
            | IdKind::Faq
            | IdKind::Resource
            | IdKind::User
            | IdKind::Share
            | IdKind::Grant
            | IdKind::Comment
            | IdKind::Session => None,
        })
    }
}

/// The viewer's record `key` of `R`: UNAUTHENTICATED when anonymous, null
/// unless the viewer owns it.
async fn owned<R: Owned>(ctx: &Context<'_>, key: i32) -> AppResult<Option<R::Model>> {
    find_owned::<R>(database(ctx)?, require_viewer(ctx)?, key).await
}

/// Record `key` of `R` when the viewer owns it or a live grant covers it:
/// UNAUTHENTICATED when anonymous, null otherwise.
async fn readable<R: Owned>(ctx: &Context<'_>, key: i32) -> AppResult<Option<R::Model>> {
    find_readable::<R>(database(ctx)?, require_viewer(ctx)?, key).await
}
