//! Registering, logging in and out, and resolving a bearer token to a viewer.

use chrono::Duration;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, SqlErr, TransactionTrait,
};

use entity::{session, user};

use super::token::{hash_token, new_token};
use super::{LoginThrottle, password};
use crate::config::AuthConfig;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::events::{EventBus, Notice};

/// The signed-in user of a request, from a valid bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: i32,
    pub session_id: i32,
    /// When the session stops authenticating.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Longest email accepted (RFC 5321's path limit).
const EMAIL_MAX_CHARS: usize = 254;
/// Longest display name accepted.
const DISPLAY_NAME_MAX_CHARS: usize = 100;

/// Trims and lowercases an email, or says why it is not one.
fn normalize_email(email: &str) -> AppResult<String> {
    let email = email.trim().to_lowercase();
    let valid = email.chars().count() <= EMAIL_MAX_CHARS
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(email)
    } else {
        Err(AppError::bad_input("email", "is not a valid email address"))
    }
}

fn check_password(password: &str, config: &AuthConfig) -> AppResult<()> {
    let len = password.chars().count();
    if len < config.password_min_chars {
        return Err(AppError::bad_input(
            "password",
            format!(
                "must be at least {} characters long",
                config.password_min_chars
            ),
        ));
    }
    if len > config.password_max_chars {
        return Err(AppError::bad_input(
            "password",
            format!(
                "must be at most {} characters long",
                config.password_max_chars
            ),
        ));
    }
    Ok(())
}

/// Creates a session for `user_id` and returns its token.
async fn start_session(
    db: &impl sea_orm::ConnectionTrait,
    user_id: i32,
    config: &AuthConfig,
) -> Result<String, DbErr> {
    let token = new_token();
    let created = now();
    session::Entity::insert(session::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        token_hash: Set(hash_token(&token)),
        created_at: Set(created),
        expires_at: Set(created + Duration::seconds(config.session_ttl_secs as i64)),
        revoked_at: Set(None),
    })
    .exec(db)
    .await?;
    Ok(token)
}

/// Registers an account and signs it in.
pub async fn register(
    db: &DatabaseConnection,
    config: &AuthConfig,
    email: &str,
    password: String,
    display_name: &str,
) -> AppResult<(String, user::Model)> {
    let email = normalize_email(email)?;
    check_password(&password, config)?;
    let display_name = display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > DISPLAY_NAME_MAX_CHARS {
        return Err(AppError::bad_input(
            "displayName",
            format!("must be 1 to {DISPLAY_NAME_MAX_CHARS} characters long"),
        ));
    }
    let password_hash = password::hash(password).await?;
    let taken = || AppError::bad_input("email", "is already registered");

    let tx = db.begin().await?;
    let inserted = user::Entity::insert(user::ActiveModel {
        id: NotSet,
        email: Set(email),
        password_hash: Set(password_hash),
        display_name: Set(display_name.to_owned()),
        created_at: Set(now()),
    })
    .exec_with_returning(&tx)
    .await;
    let user = match inserted {
        Ok(user) => user,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(taken());
        }
        Err(e) => return Err(e.into()),
    };
    let token = start_session(&tx, user.id, config).await?;
    tx.commit().await?;
    Ok((token, user))
}

/// Signs in with email and password; failures are throttled per email and per address.
pub async fn login(
    db: &DatabaseConnection,
    config: &AuthConfig,
    throttle: &LoginThrottle,
    email: &str,
    password: String,
    address: &str,
) -> AppResult<(String, user::Model)> {
    let email = email.trim().to_lowercase();
    throttle.reserve(&email, address)?;
    let user = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(db)
        .await?;
    let matches =
        password::verify(password, user.as_ref().map(|u| u.password_hash.clone())).await?;
    let Some(user) = user.filter(|_| matches) else {
        return Err(AppError::Unauthenticated("invalid email or password"));
    };
    throttle.succeeded(&email, address);
    let token = start_session(db, user.id, config).await?;
    Ok((token, user))
}

/// Revokes the viewer's session; live connections made with it are told to end.
pub async fn logout(db: &DatabaseConnection, viewer: &Viewer, events: &EventBus) -> AppResult<()> {
    session::Entity::update_many()
        .col_expr(
            session::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Some(now())),
        )
        .filter(session::Column::Id.eq(viewer.session_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    events
        .publish(
            db,
            Notice::SessionEnded {
                session_id: viewer.session_id,
            },
        )
        .await?;
    Ok(())
}

/// Whether session `id` still authenticates (not revoked, not expired).
pub async fn session_active(db: &DatabaseConnection, id: i32) -> Result<bool, DbErr> {
    Ok(session::Entity::find_by_id(id)
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now()))
        .one(db)
        .await?
        .is_some())
}

/// The viewer a token belongs to; `None` when the token is unknown, expired or revoked.
pub async fn authenticate(db: &DatabaseConnection, token: &str) -> Result<Option<Viewer>, DbErr> {
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(hash_token(token)))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now()))
        .one(db)
        .await?;
    Ok(found.map(|s| Viewer {
        user_id: s.user_id,
        session_id: s.id,
        expires_at: s.expires_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "a@b@c.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn passwords_must_fit_the_configured_lengths() {
        let config = AuthConfig::default();
        assert!(check_password("123456789", &config).is_err());
        assert!(check_password("1234567890", &config).is_ok());
        assert!(check_password(&"x".repeat(257), &config).is_err());
    }
}
