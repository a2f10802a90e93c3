//! Leaving (GDPR article 17): deleting an account and everything it owns.
//!
//! One transaction deletes the account row; the database cascades to every
//! table that belongs to it (sessions, reset links, queued mails, drafts
//! with their revisions, tags and links, interviews with their plans,
//! practice attempts, the calendar feed), which `tests/api/account_data.rs`
//! checks table by table. The same transaction stages a DELETED event for
//! every draft and interview, so open tabs drop them, and then the end of
//! every session, so its sockets close (4403) and its tokens are refused.
//! The email is free to register again at once.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use entity::{interview, star_draft, user};

use super::rate_limit::LoginThrottle;
use super::sessions::{self, ClientInfo};
use super::store::verify_current;
use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::records::{ChangeKind, EventBus, Notice};
use crate::viewer::Viewer;

/// Deletes the viewer's account once `password` is its password (a wrong
/// one is BAD_USER_INPUT on `password` and counts as a failed login).
pub async fn delete_account(
    db: &DatabaseConnection,
    throttle: &LoginThrottle,
    events: &EventBus,
    viewer: &Viewer,
    password: String,
    client: &ClientInfo,
) -> AppResult<()> {
    let address = client.address.as_deref().unwrap_or("unknown");
    let account = user::Entity::find_by_id(viewer.user_id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated("the account no longer exists"))?;
    verify_current(throttle, &account, password, "password", address).await?;

    let tx = begin_write(db).await?;
    let drafts = star_draft::Entity::find()
        .filter(star_draft::Column::UserId.eq(account.id))
        .all(&tx)
        .await?;
    let interviews = interview::Entity::find()
        .filter(interview::Column::UserId.eq(account.id))
        .all(&tx)
        .await?;
    // Records first, sessions last: notices arrive in this order, so a
    // socket hears its records go before it is closed.
    let mut notices: Vec<Notice> = drafts
        .iter()
        .map(|d| Notice::of::<star_draft::Entity>(ChangeKind::Deleted, d))
        .collect();
    notices.extend(
        interviews
            .iter()
            .map(|i| Notice::of::<interview::Entity>(ChangeKind::Deleted, i)),
    );
    for notice in &notices {
        events.stage(&tx, notice).await?;
    }
    let ended = sessions::revoke_all(&tx, events, account.id, None).await?;
    let deleted = user::Entity::delete_by_id(account.id).exec(&tx).await?;
    if deleted.rows_affected != 1 {
        return Err(AppError::Unauthenticated("the account no longer exists"));
    }
    tx.commit().await?;
    for notice in notices {
        events.committed(notice);
    }
    sessions::announce(events, &ended);
    tracing::info!(user_id = account.id, "account deleted");
    Ok(())
}
