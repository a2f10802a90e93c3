//! Accounts and sessions: registering, signing in and out, bearer tokens,
//! password hashing and login throttling.
//!
//! Rooms: [`store`] (accounts and sessions in the database), [`password`]
//! (Argon2id on its own threads), [`rate_limit`] (login throttling) and
//! [`graphql`] (`me`, `register`, `login`, `logout`). Who asks
//! (`crate::viewer`) and the tokens (`crate::secrets`) are on the floor
//! below, shared with every feature.

pub mod graphql;
pub mod password;
pub mod rate_limit;
pub mod store;
