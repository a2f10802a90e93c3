//! Shares and grants in storage: creating a share (its secret shown once),
//! accepting it, revoking it, and the lists of both sides.
//!
//! Who may read what through a grant is not decided here but in the records
//! kit's read scope (`records::shared`); this module only writes the rows
//! that scope reads, and announces a revocation on the event bus so every
//! instance ends the subscriptions it held up.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};

use entity::{interview, share, share_grant, star_draft};

use super::rules;
use crate::config::SharingLimits;
use crate::db::{begin_write, now};
use crate::error::{AppError, AppResult};
use crate::records::bus::Notice;
use crate::records::shared::live_at;
use crate::records::{EventBus, get_owned};
use crate::secrets::{hash_token, new_token};
use crate::stored::{ShareAccess, ShareTargetKind, StoredEnum};
use crate::viewer::Viewer;

/// What a share covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Draft(i32),
    Interview(i32),
    StoryBank,
}

/// What `createShare` is given, checked by the GraphQL layer's decoding.
#[derive(Debug, Clone)]
pub struct NewShare {
    pub target: Target,
    pub access: ShareAccess,
    pub expires_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// Creates a share of the viewer's; returns it and its secret, which is not
/// kept (only its SHA-256 is) and so can be shown only now.
pub async fn create_share(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: NewShare,
    limits: &SharingLimits,
) -> AppResult<(share::Model, String)> {
    let note = rules::share_note(input.note.as_deref(), limits.share_note_max_chars)?;
    let at = now();
    if let Some(expires_at) = input.expires_at
        && expires_at <= at
    {
        return Err(AppError::bad_input("expiresAt", "must be in the future"));
    }
    let tx = begin_write(db).await?;
    let (kind, draft_id, interview_id) = match input.target {
        Target::Draft(id) => {
            get_owned::<star_draft::Entity>(&tx, viewer, id).await?;
            (ShareTargetKind::Draft, Some(id), None)
        }
        Target::Interview(id) => {
            get_owned::<interview::Entity>(&tx, viewer, id).await?;
            (ShareTargetKind::Interview, None, Some(id))
        }
        Target::StoryBank => (ShareTargetKind::StoryBank, None, None),
    };
    let kept = share::Entity::find()
        .filter(share::Column::OwnerId.eq(viewer.user_id))
        .count(&tx)
        .await?;
    if kept >= limits.max_shares_per_user {
        return Err(AppError::bad_input(
            "input",
            format!("you have {kept} shares, the most one account may keep; revoke some first"),
        ));
    }
    let secret = new_token();
    let row = share::ActiveModel {
        id: NotSet,
        owner_id: Set(viewer.user_id),
        target_kind: Set(kind.stored().to_owned()),
        draft_id: Set(draft_id),
        interview_id: Set(interview_id),
        access: Set(input.access.stored().to_owned()),
        secret_hash: Set(hash_token(&secret)),
        note: Set(note),
        expires_at: Set(input.expires_at),
        created_at: Set(at),
    }
    .insert(&tx)
    .await?;
    tx.commit().await?;
    Ok((row, secret))
}

/// Accepts the share whose secret is `secret` for the viewer: their grant
/// (the one they already hold, when they accepted it before).
///
/// NOT_FOUND for an unknown, revoked or expired secret; BAD_USER_INPUT for
/// the owner's own share and for a share that already has its most grants.
pub async fn accept_share(
    db: &DatabaseConnection,
    viewer: &Viewer,
    secret: &str,
    limits: &SharingLimits,
) -> AppResult<(share_grant::Model, share::Model)> {
    let unknown = || AppError::NotFound("no such share, or it was revoked or has expired".into());
    // A well-formed secret is 43 base64url characters; anything else names no share.
    if secret.len() != 43 {
        return Err(unknown());
    }
    let tx = begin_write(db).await?;
    let share = share::Entity::find()
        .filter(share::Column::SecretHash.eq(hash_token(secret)))
        .filter(live_at(Utc::now()))
        .one(&tx)
        .await?
        .ok_or_else(unknown)?;
    if share.owner_id == viewer.user_id {
        return Err(AppError::bad_input(
            "secret",
            "this is your own share; send the link to the person who should read it",
        ));
    }
    let held = share_grant::Entity::find()
        .filter(share_grant::Column::ShareId.eq(share.id))
        .filter(share_grant::Column::GranteeId.eq(viewer.user_id))
        .one(&tx)
        .await?;
    if let Some(grant) = held {
        return Ok((grant, share));
    }
    let granted = share_grant::Entity::find()
        .filter(share_grant::Column::ShareId.eq(share.id))
        .count(&tx)
        .await?;
    if granted >= limits.max_grants_per_share {
        return Err(AppError::bad_input(
            "secret",
            format!(
                "this link was already accepted by {granted} accounts, the most it allows; ask its owner for a new one"
            ),
        ));
    }
    let grant = share_grant::ActiveModel {
        id: NotSet,
        share_id: Set(share.id),
        grantee_id: Set(viewer.user_id),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await?;
    tx.commit().await?;
    Ok((grant, share))
}

/// Revokes the viewer's share `id`: its grants end at once, and every
/// instance re-checks the subscriptions that read through them.
pub async fn revoke_share(
    db: &DatabaseConnection,
    events: &EventBus,
    viewer: &Viewer,
    id: i32,
) -> AppResult<()> {
    let tx = begin_write(db).await?;
    let deleted = share::Entity::delete_many()
        .filter(share::Column::Id.eq(id))
        .filter(share::Column::OwnerId.eq(viewer.user_id))
        .exec(&tx)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::NotFound("no such share".into()));
    }
    let notice = Notice::GrantsChanged {
        owner_id: viewer.user_id,
    };
    events.stage(&tx, &notice).await?;
    tx.commit().await?;
    events.committed(notice);
    Ok(())
}

/// The viewer's shares, newest first (expired ones too, marked by the caller).
pub async fn shares_of(db: &impl ConnectionTrait, viewer: &Viewer) -> AppResult<Vec<share::Model>> {
    Ok(share::Entity::find()
        .filter(share::Column::OwnerId.eq(viewer.user_id))
        .order_by_desc(share::Column::CreatedAt)
        .order_by_desc(share::Column::Id)
        .all(db)
        .await?)
}

/// The viewer's live grants with their shares, newest first.
pub async fn grants_of(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
) -> AppResult<Vec<(share_grant::Model, share::Model)>> {
    let rows = share_grant::Entity::find()
        .find_also_related(share::Entity)
        .filter(share_grant::Column::GranteeId.eq(viewer.user_id))
        .filter(live_at(Utc::now()))
        .order_by_desc(share_grant::Column::CreatedAt)
        .order_by_desc(share_grant::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(grant, share)| share.map(|share| (grant, share)))
        .collect())
}
