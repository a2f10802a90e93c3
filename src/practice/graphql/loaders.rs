//! Batch loader of the drafts practice attempts are of, scoped to their owner.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, Condition, DbErr};

use entity::star_draft;

use crate::graphql::loaders::Db;
use crate::records::owned_by_each;

/// Key: draft `draft_id`, if user `user_id` owns it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OwnedDraft {
    pub user_id: i32,
    pub draft_id: i32,
}

impl Loader<OwnedDraft> for Db {
    type Value = star_draft::Model;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[OwnedDraft],
    ) -> Result<HashMap<OwnedDraft, Self::Value>, Self::Error> {
        let mut by_user: HashMap<i32, Vec<i32>> = HashMap::new();
        for k in keys {
            by_user.entry(k.user_id).or_default().push(k.draft_id);
        }
        let rows =
            owned_by_each::<star_draft::Entity>(by_user.into_iter().map(|(user_id, ids)| {
                (
                    user_id,
                    Condition::all().add(star_draft::Column::Id.is_in(ids)),
                )
            }))
            .all(&self.0)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                (
                    OwnedDraft {
                        user_id: row.user_id,
                        draft_id: row.id,
                    },
                    row,
                )
            })
            .collect())
    }
}
