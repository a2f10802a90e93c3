//! Registering, logging in and out, and resolving a bearer token to a viewer.

use chrono::Duration;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, SqlErr, TransactionTrait,
};

use entity::{session, user};
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use super::password;
use super::rate_limit::LoginThrottle;
use super::sessions::{self, ClientInfo};
use crate::config::AuthConfig;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::records::{EventBus, Notice};
use crate::secrets::{hash_token, new_token};
use crate::viewer::Viewer;

/// Longest email accepted (RFC 5321's path limit).
const EMAIL_MAX_CHARS: usize = 254;
/// Longest display name accepted.
const DISPLAY_NAME_MAX_CHARS: usize = 100;

/// The form an email is stored, looked up and throttled under: trimmed,
/// Unicode NFC, lowercase. Login uses it as is, so that accounts stored
/// before the stricter registration rule below still sign in.
pub(crate) fn canonical_email(email: &str) -> String {
    email.trim().nfc().collect::<String>().to_lowercase()
}

/// The canonical form of an email a new account may use, or why not.
///
/// The rule: ASCII only. The local part is RFC 5322 `dot-atom` text (letters,
/// digits and ``!#$%&'*+/=?^_`{|}~-``, dots between them, no quoting), the
/// domain is dot-separated labels of letters, digits and inner hyphens, with at
/// least one dot. Internationalized addresses are refused: with them an
/// account could be registered under a lookalike of another (Cyrillic `а`
/// for Latin `a`, fullwidth letters, invisible joiners), and control or
/// whitespace characters could never be typed back at login. An
/// internationalized domain is accepted in its ASCII (`xn--`) form.
fn normalize_email(email: &str) -> AppResult<String> {
    let email = canonical_email(email);
    let invalid = |why: &str| Err(AppError::bad_input("email", why.to_owned()));
    if email.chars().count() > EMAIL_MAX_CHARS {
        return invalid("is too long");
    }
    if !email.is_ascii() {
        return invalid(
            "may only contain ASCII letters, digits and punctuation (write an international domain in its xn-- form)",
        );
    }
    if email.chars().any(|c| c.is_ascii_control() || c == ' ') {
        return invalid("may not contain spaces or control characters");
    }
    let local_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        let dot_atom = !local.is_empty()
            && local
                .split('.')
                .all(|atom| !atom.is_empty() && atom.chars().all(local_char));
        let labels: Vec<&str> = domain.split('.').collect();
        let host = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        dot_atom && host
    });
    if valid {
        Ok(email)
    } else {
        invalid("is not a valid email address")
    }
}

/// Whether `c` shows nothing: whitespace, control and format characters
/// (zero-width space and joiners, bidi marks, the BOM), and the few blank
/// letters and symbols (Hangul fillers, the Braille blank, `U+180E`).
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c.general_category(),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::Unassigned
                | GeneralCategory::PrivateUse
                | GeneralCategory::Surrogate
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
        || matches!(
            c,
            '\u{115F}'
                | '\u{1160}'
                | '\u{3164}'
                | '\u{FFA0}'
                | '\u{2800}'
                | '\u{180E}'
                | '\u{034F}'
        )
        || ('\u{FE00}'..='\u{FE0F}').contains(&c)
        || ('\u{E0100}'..='\u{E01EF}').contains(&c)
        // Khmer inherent vowels and the musical null notehead draw nothing,
        // whatever category a Unicode version gives them.
        || matches!(c, '\u{17B4}' | '\u{17B5}' | '\u{1D159}')
}

/// Whether `c` is a combining mark: it draws on the character before it,
/// so a name made of marks alone shows no letter of its own.
fn is_mark(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::NonspacingMark
            | GeneralCategory::SpacingMark
            | GeneralCategory::EnclosingMark
    )
}

/// Whether `c` is a bidirectional control (Unicode's `Bidi_Control`): it
/// reorders the text around it, so `"\u{202e}gnp.exe"` reads as `exe.png`.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// A display name as stored (trimmed, NFC), or why it cannot be one: control
/// characters are refused anywhere, and a name must show something.
fn normalize_display_name(name: &str) -> AppResult<String> {
    let name: String = name.trim().nfc().collect();
    if name.chars().any(char::is_control) {
        return Err(AppError::bad_input(
            "displayName",
            "may not contain control characters",
        ));
    }
    if name.chars().any(is_bidi_control) {
        return Err(AppError::bad_input(
            "displayName",
            "may not contain bidirectional controls",
        ));
    }
    // At least one character that shows by itself: not blank, not a mark.
    let shows = |c: char| !is_invisible(c) && !is_mark(c);
    if !name.chars().any(shows) || name.chars().count() > DISPLAY_NAME_MAX_CHARS {
        return Err(AppError::bad_input(
            "displayName",
            format!("must be 1 to {DISPLAY_NAME_MAX_CHARS} characters long, not all of them blank"),
        ));
    }
    Ok(name)
}

fn check_password(password: &str, config: &AuthConfig) -> AppResult<()> {
    check_password_field("password", password, config)
}

/// The registration rules for a password given as argument `field`.
pub(crate) fn check_password_field(
    field: &str,
    password: &str,
    config: &AuthConfig,
) -> AppResult<()> {
    let len = password.chars().count();
    if len < config.password_min_chars {
        return Err(AppError::bad_input(
            field,
            format!(
                "must be at least {} characters long",
                config.password_min_chars
            ),
        ));
    }
    if len > config.password_max_chars {
        return Err(AppError::bad_input(
            field,
            format!(
                "must be at most {} characters long",
                config.password_max_chars
            ),
        ));
    }
    Ok(())
}

/// Creates a session for `user_id`, remembering `client`, and returns its token.
async fn start_session(
    db: &impl sea_orm::ConnectionTrait,
    user_id: i32,
    config: &AuthConfig,
    client: &ClientInfo,
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
        last_used_at: Set(None),
        user_agent: Set(client.stored_user_agent()),
        address: Set(client.address.clone()),
    })
    .exec(db)
    .await?;
    Ok(token)
}

/// Everything wrong with a registration's email, password and display name, in
/// that order, so a form can show every problem at once; empty when all are fine.
pub fn registration_errors(
    email: &str,
    password: &str,
    display_name: &str,
    config: &AuthConfig,
) -> Vec<AppError> {
    [
        normalize_email(email).err(),
        check_password(password, config).err(),
        normalize_display_name(display_name).err(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Registers an account and signs it in.
pub async fn register(
    db: &DatabaseConnection,
    config: &AuthConfig,
    email: &str,
    password: String,
    display_name: &str,
    client: &ClientInfo,
) -> AppResult<(String, user::Model)> {
    let email = normalize_email(email)?;
    check_password(&password, config)?;
    let display_name = normalize_display_name(display_name)?;
    let password_hash = password::hash(password).await?;
    let taken = || AppError::bad_input("email", "is already registered");

    let tx = db.begin().await?;
    let inserted = user::Entity::insert(user::ActiveModel {
        id: NotSet,
        email: Set(email),
        password_hash: Set(password_hash),
        display_name: Set(display_name),
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
    let token = start_session(&tx, user.id, config, client).await?;
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
    client: &ClientInfo,
) -> AppResult<(String, user::Model)> {
    let address = client.address.as_deref().unwrap_or("unknown");
    let email = canonical_email(email);
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
    let token = start_session(db, user.id, config, client).await?;
    Ok((token, user))
}

/// Changes the viewer's password: `current` must be it (throttled like a
/// login), `new` must pass the registration rules. Every other session of the
/// account ends and unused reset links are voided; the one asking stays.
pub async fn change_password(
    db: &DatabaseConnection,
    config: &AuthConfig,
    throttle: &LoginThrottle,
    events: &EventBus,
    viewer: &Viewer,
    current: String,
    new: String,
    client: &ClientInfo,
) -> AppResult<usize> {
    check_password_field("new", &new, config)?;
    let address = client.address.as_deref().unwrap_or("unknown");
    let user = user::Entity::find_by_id(viewer.user_id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated("the account no longer exists"))?;
    verify_current(throttle, &user, current, "current", address).await?;
    let password_hash = password::hash(new).await?;
    let tx = crate::db::begin_write(db).await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(password_hash),
        )
        .filter(user::Column::Id.eq(user.id))
        .exec(&tx)
        .await?;
    sessions::void_resets(&tx, user.id).await?;
    let ended = sessions::revoke_all(&tx, events, user.id, Some(viewer.session_id)).await?;
    tx.commit().await?;
    sessions::announce(events, &ended);
    Ok(ended.len())
}

/// Checks that `password` (argument `field`) is `user`'s, counted against
/// the login throttle of the account's email from `address`: BAD_USER_INPUT
/// when it is not, RATE_LIMITED after too many misses.
pub(crate) async fn verify_current(
    throttle: &LoginThrottle,
    user: &user::Model,
    password: String,
    field: &str,
    address: &str,
) -> AppResult<()> {
    throttle.reserve(&user.email, address)?;
    if password::verify(password, Some(user.password_hash.clone())).await? {
        throttle.succeeded(&user.email, address);
        Ok(())
    } else {
        Err(AppError::bad_input(field, "is not the account's password"))
    }
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

/// The viewer a token belongs to; `None` when the token is unknown, expired
/// or revoked. Notes the session's use from `address` (at most once per
/// `touch_every`, see [`sessions::touch`]).
pub async fn authenticate(
    db: &DatabaseConnection,
    token: &str,
    address: Option<&str>,
    touch_every: std::time::Duration,
) -> Result<Option<Viewer>, DbErr> {
    // The token is looked up by its SHA-256: the lookup's timing can only
    // tell about the hash, which a guesser cannot steer towards a real one.
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(hash_token(token)))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now()))
        .one(db)
        .await?;
    if let Some(s) = &found {
        let last_used = s.last_used_at.unwrap_or(s.created_at);
        sessions::touch(db, s.id, last_used, address, touch_every).await?;
    }
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
        // NFC, then lowercase: the canonical form is the one looked up at login.
        assert_eq!(canonical_email(" ADA@EXAMPLE.COM"), "ada@example.com");
        assert_eq!(canonical_email("e\u{301}@x.fr"), "\u{e9}@x.fr");
        assert_eq!(
            normalize_email("o'neil+prep@mail.example-site.co.uk").unwrap(),
            "o'neil+prep@mail.example-site.co.uk"
        );
        assert_eq!(
            normalize_email("ada@xn--bcher-kva.example").unwrap(),
            "ada@xn--bcher-kva.example"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "a@b@c.com",
            "ada.@example.com",
            "a..da@example.com",
            "ada@-example.com",
            "ada@example..com",
            "\"ada\"@example.com",
            // Lookalikes and invisibles.
            "p\u{430}ypal@example.com",
            "\u{ff41}da@example.com",
            "ada\u{200b}@example.com",
            "ada@b\u{fc}cher.example",
            // Control characters.
            "ada\u{0}@example.com",
            "ada\t@example.com",
            "ada\u{7f}@example.com",
        ] {
            let err = normalize_email(bad)
                .err()
                .unwrap_or_else(|| panic!("{bad:?} accepted"));
            assert_eq!(err.code(), "BAD_USER_INPUT", "{bad:?}");
        }
    }

    #[test]
    fn display_names_must_show_something_and_hold_no_control_characters() {
        assert_eq!(normalize_display_name("  Ada ").unwrap(), "Ada");
        assert_eq!(
            normalize_display_name("Zo\u{65}\u{308}").unwrap(),
            "Zo\u{eb}"
        );
        assert_eq!(normalize_display_name("李 雷").unwrap(), "李 雷");
        for bad in [
            "",
            "   ",
            "\u{200b}\u{200c}\u{200d}",
            "\u{2060}\u{feff}",
            "\u{3164}",
            "\u{2800}\u{2800}",
            "\u{202e}\u{202d}",
            "Ada\u{0}",
            "Ada\u{1b}[31m",
            "A\nda",
            "\u{301}",
            "\u{301}\u{301}\u{20dd}",
            "\u{17b4}",
            "\u{17b4}\u{17b5}",
            "\u{1d159}",
            "\u{202e}gnp.exe",
            "Ada\u{2067}",
            "Ada\u{200f}",
        ] {
            assert!(normalize_display_name(bad).is_err(), "{bad:?} accepted");
        }
        assert!(normalize_display_name(&"x".repeat(101)).is_err());
    }

    #[test]
    fn passwords_must_fit_the_configured_lengths() {
        let config = AuthConfig::default();
        assert!(check_password("123456789", &config).is_err());
        assert!(check_password("1234567890", &config).is_ok());
        assert!(check_password(&"x".repeat(257), &config).is_err());
    }
}
