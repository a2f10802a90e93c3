//! GraphQL over WebSocket on `/graphql`: graphql-transport-ws (the graphql-ws
//! library's protocol) and, for older clients, subscriptions-transport-ws
//! (subprotocol `graphql-ws`).
//!
//! The protocol is handled here rather than by async-graphql's built-in
//! socket so that every rule of graphql-transport-ws closes with its own code:
//! 4400 invalid message, 4401 subscribe before ack, 4403 forbidden (bad or
//! ended session), 4406 unsupported subprotocol, 4408 no `connection_init` in
//! time, 4409 duplicate operation id, 4429 a second `connection_init` (and,
//! with its own reason, too many connections for one account or address),
//! 4413 a client that does not read (more than `ws_max_queued_bytes` waiting
//! for it, or one message unwritten for `ws_write_timeout_secs`); 1001 when
//! the server shuts down. Every operation goes through the same
//! pipeline as HTTP (`super::operation`): document limits, persisted queries,
//! the execution timeout, metrics and logs.
//!
//! Bounds on a socket: frames and messages are capped (default: the HTTP body
//! limit); sockets that have not sent `connection_init` and anonymous ones are
//! capped per client address; a socket with nothing running closes after an
//! idle timeout (pings do not count as activity); an account has a
//! connection cap and a cap of operations over all its sockets.

mod connection;
pub mod counts;

use std::net::IpAddr;

use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::operation::bearer_token;
use crate::http::state::AppState;
use counts::ProxiedSockets;

/// The two subprotocols spoken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// `graphql-transport-ws`.
    TransportWs,
    /// `graphql-ws`, the legacy subscriptions-transport-ws protocol.
    Legacy,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Self::TransportWs => "graphql-transport-ws",
            Self::Legacy => "graphql-ws",
        }
    }
}

/// Accepts the upgrade, choosing the client's preferred protocol we speak.
///
/// An address already holding its share of uninitialised sockets gets 429
/// before any upgrade, so a flood costs no socket state. Through a trusted
/// proxy (`proxied`), the socket also takes a place of
/// `--max-connections-per-address` for the forwarded client, held while it
/// is open, as a direct connection's socket holds its connection's place.
pub fn upgrade(
    state: AppState,
    headers: &HeaderMap,
    client: IpAddr,
    proxied: Option<ProxiedSockets>,
    ws: WebSocketUpgrade,
) -> Response {
    let config = &state.settings.ws;
    let address_place = match &proxied {
        Some(proxied) => match proxied.counts.take(client, proxied.max) {
            Some(place) => Some(place),
            None => return too_many("too many connections from this address"),
        },
        None => None,
    };
    let Some(pending) = state
        .ws_connections
        .pending
        .take(client, config.ws_max_pending_per_address)
    else {
        return too_many(
            "too many WebSocket connections from this address are waiting for connection_init",
        );
    };
    let requested: Vec<String> = ws
        .requested_protocols()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_owned())
        .collect();
    let protocol = if requested.is_empty() {
        Some(Protocol::TransportWs)
    } else {
        requested.iter().find_map(|p| match p.as_str() {
            "graphql-transport-ws" => Some(Protocol::TransportWs),
            "graphql-ws" => Some(Protocol::Legacy),
            _ => None,
        })
    };
    let header_token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| bearer_token(v).unwrap_or_default().to_owned());
    let user_agent = super::operation::user_agent(headers);
    let max_message = config
        .ws_max_message_bytes
        .unwrap_or(state.settings.http.max_body_bytes);
    let ws = ws.max_message_size(max_message).max_frame_size(max_message);
    let ws = match protocol {
        Some(p) => ws.protocols([p.name()]),
        None => ws,
    };
    ws.on_upgrade(move |socket| async move {
        // Released when the socket ends, whichever way.
        let _address_place = address_place;
        match protocol {
            Some(protocol) => {
                connection::Connection::new(
                    state,
                    protocol,
                    client,
                    header_token,
                    user_agent,
                    pending,
                )
                .run(socket)
                .await
            }
            None => {
                let mut socket = socket;
                let _ = socket
                    .send(close_message(4406, "Subprotocol not acceptable"))
                    .await;
            }
        }
    })
}

/// 429 with a `RATE_LIMITED` GraphQL error, before any upgrade.
fn too_many(message: &str) -> Response {
    let body = json!({ "errors": [{
        "message": message,
        "extensions": { "code": "RATE_LIMITED" }
    }] });
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn close_message(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}
