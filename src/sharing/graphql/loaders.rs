//! Batch loaders of sharing: who accepted each share, the comments, the
//! unread counts and the viewer's read mark of each draft, and rows by id
//! for what grants show.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use sea_orm::{DbErr, EntityTrait, QueryFilter, QueryOrder};

use entity::{comment, interview, share_grant, star_draft, user};

use crate::graphql::loaders::{Db, IdTable, id_table};
use crate::sharing::comments::{comments_of, last_seen, unread_counts};

id_table!(user, star_draft, interview);

/// One account that accepted a share: its display name, and when.
#[derive(Clone)]
pub struct Acceptance {
    pub display_name: String,
    pub accepted_at: DateTime<Utc>,
}

/// Key: who accepted share `.0`, oldest first.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AcceptancesOfShare(pub i32);

impl Loader<AcceptancesOfShare> for Db {
    type Value = Vec<Acceptance>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[AcceptancesOfShare],
    ) -> Result<HashMap<AcceptancesOfShare, Self::Value>, Self::Error> {
        // The keys are shares already read through their owner.
        let rows = share_grant::Entity::find()
            .find_also_related(user::Entity)
            .filter(self.one_of(share_grant::Column::ShareId, keys.iter().map(|k| k.0)))
            .order_by_asc(share_grant::Column::CreatedAt)
            .order_by_asc(share_grant::Column::Id)
            .all(&self.0)
            .await?;
        let mut out: HashMap<AcceptancesOfShare, Vec<Acceptance>> = HashMap::new();
        for (grant, grantee) in rows {
            let Some(grantee) = grantee else { continue };
            out.entry(AcceptancesOfShare(grant.share_id))
                .or_default()
                .push(Acceptance {
                    display_name: grantee.display_name,
                    accepted_at: grant.created_at,
                });
        }
        Ok(out)
    }
}

/// Key: every comment of draft `.0`, oldest first.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommentsOfDraft(pub i32);

impl Loader<CommentsOfDraft> for Db {
    type Value = Vec<comment::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[CommentsOfDraft],
    ) -> Result<HashMap<CommentsOfDraft, Self::Value>, Self::Error> {
        // The keys are drafts already read through the read scope.
        let drafts: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let found = comments_of(&self.0, &drafts).await?;
        Ok(found
            .into_iter()
            .map(|(draft, rows)| (CommentsOfDraft(draft), rows))
            .collect())
    }
}

/// Key: how many comments of draft `draft_id` user `user_id` has not read.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnreadOfDraft {
    pub draft_id: i32,
    pub user_id: i32,
}

impl Loader<UnreadOfDraft> for Db {
    type Value = u64;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[UnreadOfDraft],
    ) -> Result<HashMap<UnreadOfDraft, Self::Value>, Self::Error> {
        let mut by_user: HashMap<i32, Vec<i32>> = HashMap::new();
        for key in keys {
            by_user.entry(key.user_id).or_default().push(key.draft_id);
        }
        let mut out = HashMap::new();
        // One viewer per request: one pair of statements per batch.
        for (user_id, drafts) in by_user {
            let counts = unread_counts(&self.0, user_id, &drafts).await?;
            for draft_id in drafts {
                let n = counts.get(&draft_id).copied().unwrap_or(0);
                out.insert(UnreadOfDraft { draft_id, user_id }, n);
            }
        }
        Ok(out)
    }
}

/// Key: the newest comment id of draft `draft_id` that user `user_id` has
/// seen (0 when they never marked it read), for `Comment.unread`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LastSeenOfDraft {
    pub draft_id: i32,
    pub user_id: i32,
}

impl Loader<LastSeenOfDraft> for Db {
    type Value = i32;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[LastSeenOfDraft],
    ) -> Result<HashMap<LastSeenOfDraft, Self::Value>, Self::Error> {
        let mut by_user: HashMap<i32, Vec<i32>> = HashMap::new();
        for key in keys {
            by_user.entry(key.user_id).or_default().push(key.draft_id);
        }
        let mut out = HashMap::new();
        // One viewer per request: one statement per batch, however many
        // comments (of however many drafts) ask.
        for (user_id, drafts) in by_user {
            let seen = last_seen(&self.0, user_id, &drafts).await?;
            for draft_id in drafts {
                let id = seen.get(&draft_id).copied().unwrap_or(0);
                out.insert(LastSeenOfDraft { draft_id, user_id }, id);
            }
        }
        Ok(out)
    }
}
