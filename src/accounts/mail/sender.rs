//! The background sender: takes due mails from the outbox, hands them to
//! the SMTP server through `lettre`, deletes what was taken and reschedules
//! what failed.
//!
//! Several instances may share the outbox: a sender claims a row by moving
//! its `next_attempt_at` past the send's deadline with a conditional update,
//! so one mail is sent by one instance.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::watch;

use entity::mail_outbox;

use super::Outbox;
use crate::config::MailConfig;
use crate::db::now;

/// Most mails taken from the outbox in one look.
const BATCH: u64 = 20;

/// Where mails go.
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No `--smtp-url`: development writes mails to the log.
    Log,
    /// A `--smtp-url` that does not parse: mails wait in the outbox.
    Broken,
}

impl Transport {
    fn new(config: &MailConfig) -> Self {
        let Some(url) = &config.smtp_url else {
            return Self::Log;
        };
        match AsyncSmtpTransport::<Tokio1Executor>::from_url(url) {
            Ok(builder) => Self::Smtp(
                builder
                    .timeout(Some(Duration::from_secs(config.smtp_timeout_secs.max(1))))
                    .build(),
            ),
            Err(e) => {
                // The URL may hold credentials: the error alone is logged.
                tracing::error!(error = %e, "--smtp-url is not a usable SMTP URL; mails wait in the outbox");
                Self::Broken
            }
        }
    }
}

/// The sender task: delivers due mails whenever woken, every
/// `--mail-poll-secs` anyway (retries, other instances' mails), until `stop`.
pub async fn send_forever(
    db: DatabaseConnection,
    config: MailConfig,
    outbox: Outbox,
    mut stop: watch::Receiver<bool>,
) {
    let transport = Transport::new(&config);
    let poll = Duration::from_secs(config.mail_poll_secs.max(1));
    loop {
        if let Err(e) = deliver_due(&db, &transport, &config).await {
            tracing::warn!(error = %e, "reading the mail outbox failed; retrying");
        }
        tokio::select! {
            () = outbox.woken() => {}
            () = tokio::time::sleep(poll) => {}
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
            }
        }
    }
}

/// Sends every due mail once; drops the ones past `discard_after`.
async fn deliver_due(
    db: &DatabaseConnection,
    transport: &Transport,
    config: &MailConfig,
) -> Result<(), DbErr> {
    let dropped = mail_outbox::Entity::delete_many()
        .filter(mail_outbox::Column::DiscardAfter.lte(now()))
        .exec(db)
        .await?;
    if dropped.rows_affected > 0 {
        tracing::warn!(
            mails = dropped.rows_affected,
            "dropped mails that could not be sent before their content expired"
        );
    }
    if matches!(transport, Transport::Broken) {
        return Ok(());
    }
    loop {
        let due = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::NextAttemptAt.lte(now()))
            .order_by_asc(mail_outbox::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        if due.is_empty() {
            return Ok(());
        }
        for mail in due {
            if claim(db, &mail, config).await? {
                deliver(db, transport, config, mail).await?;
            }
        }
    }
}

/// Takes `mail` for this sender, unless another took it first.
async fn claim(
    db: &DatabaseConnection,
    mail: &mail_outbox::Model,
    config: &MailConfig,
) -> Result<bool, DbErr> {
    // Past the send's own deadline: a sender that dies mid-send leaves the
    // mail to be retried after this.
    let lease = chrono::Duration::seconds(2 * config.smtp_timeout_secs.max(1) as i64);
    let claimed = mail_outbox::Entity::update_many()
        .col_expr(
            mail_outbox::Column::NextAttemptAt,
            Expr::value(now() + lease),
        )
        .filter(mail_outbox::Column::Id.eq(mail.id))
        .filter(mail_outbox::Column::NextAttemptAt.eq(mail.next_attempt_at))
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Sends one claimed mail; deletes it when taken, reschedules it when not.
async fn deliver(
    db: &DatabaseConnection,
    transport: &Transport,
    config: &MailConfig,
    mail: mail_outbox::Model,
) -> Result<(), DbErr> {
    let outcome = match transport {
        Transport::Smtp(smtp) => match message(config, &mail) {
            Ok(message) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        },
        Transport::Log => {
            tracing::info!(
                to = %mail.recipient,
                subject = %mail.subject,
                body = %mail.body,
                "mail (no --smtp-url: written to the log instead of sent)"
            );
            Ok(())
        }
        Transport::Broken => return Ok(()),
    };
    match outcome {
        Ok(()) => {
            mail_outbox::Entity::delete_by_id(mail.id).exec(db).await?;
        }
        Err(error) => {
            let attempts = mail.attempts.saturating_add(1);
            let wait = retry_wait(config, attempts);
            tracing::warn!(mail_id = mail.id, attempts, retry_in_secs = wait.as_secs(), %error, "sending a mail failed");
            mail_outbox::Entity::update_many()
                .col_expr(mail_outbox::Column::Attempts, Expr::value(attempts))
                .col_expr(
                    mail_outbox::Column::NextAttemptAt,
                    Expr::value(now() + chrono::Duration::from_std(wait).unwrap_or_default()),
                )
                .col_expr(mail_outbox::Column::LastError, Expr::value(Some(error)))
                .filter(mail_outbox::Column::Id.eq(mail.id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// The message of an outbox row.
fn message(config: &MailConfig, mail: &mail_outbox::Model) -> Result<Message, String> {
    let from = config
        .mail_from
        .parse()
        .map_err(|e| format!("--mail-from: {e}"))?;
    let to = mail
        .recipient
        .parse()
        .map_err(|e| format!("recipient: {e}"))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| e.to_string())
}

/// The wait before retry number `attempts`: the base, doubled per failure, capped.
pub fn retry_wait(config: &MailConfig, attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let wait = config
        .mail_retry_base_secs
        .max(1)
        .saturating_mul(1 << doublings);
    Duration::from_secs(wait.min(config.mail_retry_max_secs.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_the_cap() {
        let config = MailConfig {
            mail_retry_base_secs: 5,
            mail_retry_max_secs: 60,
            ..MailConfig::default()
        };
        let waits: Vec<u64> = (1..=6).map(|n| retry_wait(&config, n).as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 60, 60]);
        assert_eq!(retry_wait(&config, i32::MAX).as_secs(), 60);
    }
}
