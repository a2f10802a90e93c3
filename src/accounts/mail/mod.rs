//! Outgoing mail: an outbox table written in the transaction that makes a
//! mail's content, and a background [`sender`] that delivers it over SMTP
//! (or, without `--smtp-url`, writes it to the log in development).
//!
//! A mail server that is down delays the mail and loses nothing: a failed
//! send stays in the outbox and is retried with a doubling wait. A row is
//! deleted once the server has taken it, so a reset link stays in the
//! database only until it is sent, and a mail whose content no longer works
//! (`discard_after`, the link's expiry) is dropped unsent.

pub mod sender;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use tokio::sync::Notify;

use entity::mail_outbox;

use crate::db::now;

/// Wakes the sender when a mail is queued; cheap to clone.
#[derive(Clone, Default)]
pub struct Outbox(Arc<Notify>);

impl Outbox {
    /// Tells the sender to look at the outbox now (after the commit).
    pub fn wake(&self) {
        self.0.notify_one();
    }

    /// Resolves at the next [`Self::wake`] (or at once if one is pending).
    pub async fn woken(&self) {
        self.0.notified().await;
    }
}

/// A mail to queue.
pub struct Mail {
    /// The account it is about (the mail goes when the account does).
    pub user_id: Option<i32>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// After this the mail is dropped unsent.
    pub discard_after: DateTime<Utc>,
}

/// Queues `mail` inside the writer's transaction `tx`.
pub async fn enqueue(tx: &impl ConnectionTrait, mail: Mail) -> Result<(), DbErr> {
    let at = now();
    mail_outbox::Entity::insert(mail_outbox::ActiveModel {
        id: NotSet,
        user_id: Set(mail.user_id),
        recipient: Set(mail.recipient),
        subject: Set(mail.subject),
        body: Set(mail.body),
        created_at: Set(at),
        attempts: Set(0),
        next_attempt_at: Set(at),
        discard_after: Set(mail.discard_after),
        last_error: Set(None),
    })
    .exec(tx)
    .await?;
    Ok(())
}
