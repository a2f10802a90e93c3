//! Accounts: registering, signing in and out, bearer tokens, password
//! hashing and login throttling; sessions, password change and reset by
//! mail, the account's data export and its deletion.
//!
//! Rooms: [`store`] (accounts, sign-in, password change), [`sessions`]
//! (listing, ending, last use, pruning), [`password`] (Argon2id on its own
//! threads), [`rate_limit`] (login throttling) and [`graphql`]. Who asks
//! (`crate::viewer`) and the tokens (`crate::secrets`) are on the floor
//! below, shared with every feature.

pub mod graphql;
pub mod password;
pub mod rate_limit;
pub mod sessions;
pub mod store;

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::config::Settings;

/// Starts the accounts' background tasks (session pruning); they end when
/// `stop` turns true (shutdown) or the runtime does.
pub fn start_background(db: &DatabaseConnection, settings: &Settings, stop: watch::Receiver<bool>) {
    tokio::spawn(sessions::prune_forever(
        db.clone(),
        Duration::from_secs(settings.auth.session_prune_interval_secs),
        stop,
    ));
}
