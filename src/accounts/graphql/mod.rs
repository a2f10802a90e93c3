//! Accounts over GraphQL: signing up, in and out ([`sign_in`]), sessions
//! ([`sessions`]), the password ([`password`]), and the account's data
//! ([`data`]: export and deletion).

pub mod data;
pub mod password;
pub mod sessions;
pub mod sign_in;

use async_graphql::{Context, MergedObject};

pub use sign_in::{AuthPayload, LoginInput, RegisterInput, User};

use super::sessions::ClientInfo;

/// Account queries.
#[derive(MergedObject, Default)]
pub struct AccountQuery(
    sign_in::SignInQuery,
    sessions::SessionQuery,
    data::DataQuery,
);

/// Account mutations.
#[derive(MergedObject, Default)]
pub struct AccountMutation(
    sign_in::SignInMutation,
    sessions::SessionMutation,
    password::PasswordMutation,
    data::DataMutation,
);

/// What the transport told of the client (address, user agent); empty when
/// it told nothing (a schema executed without a transport).
pub(crate) fn client_info<'a>(ctx: &Context<'a>) -> &'a ClientInfo {
    static NOBODY: ClientInfo = ClientInfo {
        address: None,
        user_agent: None,
    };
    ctx.data_opt::<ClientInfo>().unwrap_or(&NOBODY)
}
