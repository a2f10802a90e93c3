//! Resetting a forgotten password by a one-time mailed link.
//!
//! `request` answers the same, at once, whether or not the email has an
//! account: the lookup and the mail happen in a task of their own after the
//! answer, so neither the answer nor its timing tells. The link carries a
//! secret of 256 random bits; only its SHA-256 is stored, with an expiry
//! (`--reset-ttl-mins`), and it works once. The token and its mail are
//! written in one transaction (the mail through the outbox).

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use entity::{password_reset, user};

use super::mail::{self, Mail, Outbox};
use super::password;
use super::rate_limit::FailureLimiter;
use super::sessions::{self, ClientInfo};
use super::store::{canonical_email, check_password_field};
use crate::config::{AuthConfig, MailConfig};
use crate::db::{begin_write, now};
use crate::error::{AppError, AppResult};
use crate::records::EventBus;
use crate::secrets::{hash_token, new_token, same_secret};

/// Longest email looked up (RFC 5321's path limit).
const EMAIL_MAX_CHARS: usize = 254;

/// Reset requests per email and per client address, in memory per instance.
pub struct ResetThrottle {
    by_email: FailureLimiter,
    by_address: FailureLimiter,
}

impl ResetThrottle {
    /// Limiters sized by `config`.
    pub fn new(config: &AuthConfig) -> Self {
        let window = Duration::from_secs(config.reset_request_window_secs);
        Self {
            by_email: FailureLimiter::new(config.reset_requests_per_email, window),
            by_address: FailureLimiter::new(config.reset_requests_per_address, window),
        }
    }

    /// Counts a request, or refuses it with RATE_LIMITED. The email's count
    /// is kept whether or not it has an account, so the refusal tells nothing.
    fn reserve(&self, email: &str, address: &str) -> AppResult<()> {
        let refused = |retry_after_seconds| AppError::RateLimited {
            retry_after_seconds,
        };
        self.by_address.reserve(address).map_err(refused)?;
        if let Err(wait) = self.by_email.reserve(email) {
            self.by_address.release(address);
            return Err(refused(wait));
        }
        Ok(())
    }
}

/// What a reset request needs besides the database and the auth settings
/// (schema data, built once).
pub struct ResetSetup {
    pub mail: MailConfig,
    /// `--production`: without `--smtp-url`, reset is refused.
    pub production: bool,
    pub throttle: ResetThrottle,
    pub outbox: Outbox,
}

/// Asks for a reset link for `email`. Answers `Ok` whether or not the email
/// has an account; the link is mailed (if it has one) after the answer.
pub async fn request(
    db: &DatabaseConnection,
    auth: &AuthConfig,
    ctx: &ResetSetup,
    email: &str,
    client: &ClientInfo,
) -> AppResult<()> {
    if ctx.production && ctx.mail.smtp_url.is_none() {
        return Err(AppError::Forbidden(
            "password reset by mail is not available: this server has no mail server configured",
        ));
    }
    let email = canonical_email(email);
    if email.is_empty() || email.chars().count() > EMAIL_MAX_CHARS || !email.contains('@') {
        return Err(AppError::bad_input("email", "is not an email address"));
    }
    let address = client.address.as_deref().unwrap_or("unknown");
    ctx.throttle.reserve(&email, address)?;
    let (db, outbox) = (db.clone(), ctx.outbox.clone());
    let (ttl, public_url) = (auth.reset_ttl_mins, ctx.mail.public_url.clone());
    tokio::spawn(async move {
        match issue(&db, &email, ttl, &public_url).await {
            Ok(true) => outbox.wake(),
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "issuing a password-reset link failed"),
        }
    });
    Ok(())
}

/// Writes a reset token and its mail for `email`'s account, if there is one.
async fn issue(
    db: &DatabaseConnection,
    email: &str,
    ttl_mins: u64,
    public_url: &str,
) -> Result<bool, DbErr> {
    let Some(user) = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let secret = new_token();
    let created = now();
    let expires =
        created + chrono::Duration::minutes(i64::try_from(ttl_mins).unwrap_or(i64::MAX / 120));
    let tx = begin_write(db).await?;
    password_reset::Entity::insert(password_reset::ActiveModel {
        id: NotSet,
        user_id: Set(user.id),
        token_hash: Set(hash_token(&secret)),
        created_at: Set(created),
        expires_at: Set(expires),
        used_at: Set(None),
    })
    .exec(&tx)
    .await?;
    mail::enqueue(
        &tx,
        Mail {
            user_id: Some(user.id),
            recipient: user.email.clone(),
            subject: "Reset your password".to_owned(),
            body: reset_mail(&user.email, &link(public_url, &secret), ttl_mins),
            discard_after: expires,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The link a reset mail carries. The secret travels in the fragment, which
/// browsers never send to a server, so no access log on the way records it.
pub fn link(public_url: &str, secret: &str) -> String {
    format!(
        "{}/reset-password#secret={secret}",
        public_url.trim_end_matches('/')
    )
}

fn reset_mail(email: &str, link: &str, ttl_mins: u64) -> String {
    format!(
        "Someone (we hope you) asked to reset the password of the account {email}.\r\n\
         \r\n\
         Open this link within {ttl_mins} minutes to choose a new one. It works once:\r\n\
         \r\n\
         {link}\r\n\
         \r\n\
         If it was not you, ignore this mail: your password stays as it is.\r\n"
    )
}

/// Sets a new password with the secret of a reset link: the link is used
/// up, every other link of the account voided, and every session ended.
/// A wrong, used or expired secret is BAD_USER_INPUT on `secret`.
pub async fn reset(
    db: &DatabaseConnection,
    config: &AuthConfig,
    events: &EventBus,
    secret: &str,
    new: String,
) -> AppResult<()> {
    check_password_field("new", &new, config)?;
    let invalid =
        || AppError::bad_input("secret", "this reset link is not valid: ask for a new one");
    // Only the shape a link carries is looked up.
    let well_formed = URL_SAFE_NO_PAD
        .decode(secret.trim())
        .is_ok_and(|bytes| bytes.len() == 32);
    if !well_formed {
        return Err(invalid());
    }
    let hash = hash_token(secret.trim());
    let Some(token) = password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(&hash))
        .filter(password_reset::Column::UsedAt.is_null())
        .filter(password_reset::Column::ExpiresAt.gt(now()))
        .one(db)
        .await?
    else {
        return Err(invalid());
    };
    // The index found it by hash; the hashes are compared once more in
    // constant time, so no timing tells how much of a guess matched.
    if !same_secret(&token.token_hash, &hash) {
        return Err(invalid());
    }
    // Hashed before the transaction: Argon2 takes a while and holds no lock.
    let password_hash = password::hash(new).await?;
    let tx = begin_write(db).await?;
    // Used once: of two concurrent resets with one link, one wins.
    let used = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(Some(now())))
        .filter(password_reset::Column::Id.eq(token.id))
        .filter(password_reset::Column::UsedAt.is_null())
        .filter(password_reset::Column::ExpiresAt.gt(now()))
        .exec(&tx)
        .await?;
    if used.rows_affected != 1 {
        return Err(invalid());
    }
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
        .filter(user::Column::Id.eq(token.user_id))
        .exec(&tx)
        .await?;
    sessions::void_resets(&tx, token.user_id).await?;
    let ended = sessions::revoke_all(&tx, events, token.user_id, None).await?;
    tx.commit().await?;
    sessions::announce(events, &ended);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_carries_the_secret_in_its_fragment() {
        assert_eq!(
            link("https://prep.example/", "abc"),
            "https://prep.example/reset-password#secret=abc"
        );
        let body = reset_mail("ada@example.com", "https://x/reset-password#secret=abc", 30);
        assert!(body.contains("https://x/reset-password#secret=abc\r\n"));
        assert!(body.contains("30 minutes"));
    }
}
