//! The draft privacy rule, in one place: a draft is read only through a query
//! scoped to its owner, so another user's draft looks exactly like one that
//! does not exist.
//!
//! Every read path starts here: `starDraft`, `myStarDrafts`, `node`,
//! `Question.myStarDrafts`, `Role.myCoverage`, the subscriptions and the
//! event dispatcher. The only other reads of draft data are the
//! `QuestionsOfDraft` and `CompetenciesOfDraft` loaders, whose keys are drafts
//! already read here and which return only (public) questions and competencies.

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Select};

use entity::star_draft;

use crate::auth::Viewer;
use crate::error::AppResult;

/// The drafts of user `owner_id`.
pub fn owned_by(owner_id: i32) -> Select<star_draft::Entity> {
    star_draft::Entity::find().filter(owner_scope(owner_id))
}

/// The drafts that match, for each `(owner, condition)`, that owner's drafts
/// matching that condition: one statement for a batch of owners.
pub fn owned_by_each(
    scopes: impl IntoIterator<Item = (i32, Condition)>,
) -> Select<star_draft::Entity> {
    let any = scopes
        .into_iter()
        .fold(Condition::any(), |any, (owner_id, cond)| {
            any.add(Condition::all().add(owner_scope(owner_id)).add(cond))
        });
    star_draft::Entity::find().filter(any)
}

/// The viewer's draft `id`, or `None` (also when another user owns it).
pub async fn find_owned(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> AppResult<Option<star_draft::Model>> {
    Ok(owned_by(viewer.user_id)
        .filter(star_draft::Column::Id.eq(id))
        .one(db)
        .await?)
}

fn owner_scope(owner_id: i32) -> Condition {
    Condition::all().add(star_draft::Column::UserId.eq(owner_id))
}
