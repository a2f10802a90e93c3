//! Accounts: registering, signing in and out, bearer tokens, password
//! hashing and login throttling; sessions, password change and reset by
//! mail, the account's data export and its deletion.
//!
//! Rooms: [`store`] (accounts, sign-in, password change), [`sessions`]
//! (listing, ending, last use, pruning), [`reset`] (reset by a mailed
//! link), [`mail`] (the outbox and its sender), [`export`] (the account's
//! data as one JSON document), [`delete`] (the account and all it owns), [`password`] (Argon2id on
//! its own threads), [`rate_limit`] (login throttling) and [`graphql`]. Who asks
//! (`crate::viewer`) and the tokens (`crate::secrets`) are on the floor
//! below, shared with every feature.

pub mod delete;
pub mod export;
pub mod graphql;
pub mod mail;
pub mod password;
pub mod rate_limit;
pub mod reset;
pub mod sessions;
pub mod store;

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::config::Settings;

/// Starts the accounts' background tasks (session pruning, the mail
/// sender woken by `outbox`); they end when `stop` turns true (shutdown) or
/// the runtime does.
pub fn start_background(
    db: &DatabaseConnection,
    settings: &Settings,
    outbox: mail::Outbox,
    stop: watch::Receiver<bool>,
) {
    tokio::spawn(sessions::prune_forever(
        db.clone(),
        Duration::from_secs(settings.auth.session_prune_interval_secs),
        stop.clone(),
    ));
    tokio::spawn(mail::sender::send_forever(
        db.clone(),
        settings.mail.clone(),
        outbox,
        stop,
    ));
}
