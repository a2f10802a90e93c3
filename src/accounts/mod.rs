//! Accounts and sessions: registering, signing in and out, bearer tokens,
//! password hashing and login throttling.
//!
//! Rooms: [`viewer`] (who asks; every owner scope starts from it), [`store`]
//! (accounts and sessions in the database), [`password`] (Argon2id on its
//! own threads), [`rate_limit`] (login throttling), [`token`] (bearer tokens)
//! and [`graphql`] (`me`, `register`, `login`, `logout`).

pub mod graphql;
pub mod password;
pub mod rate_limit;
pub mod store;
pub mod token;
pub mod viewer;
