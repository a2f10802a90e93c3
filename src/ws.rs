//! GraphQL over WebSocket on `/graphql`: graphql-transport-ws (the graphql-ws
//! library's protocol) and, for older clients, subscriptions-transport-ws
//! (subprotocol `graphql-ws`).
//!
//! The protocol is handled here rather than by async-graphql's built-in
//! socket so that every rule of graphql-transport-ws closes with its own code:
//! 4400 invalid message, 4401 subscribe before ack, 4403 forbidden (bad or
//! ended session), 4406 unsupported subprotocol, 4408 no `connection_init` in
//! time, 4409 duplicate operation id, 4429 a second `connection_init` (and,
//! with its own reason, too many connections for one account); 1001 when the
//! server shuts down. async-graphql still executes each operation.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use crate::app::AppState;
use crate::auth::{self, Viewer};
use crate::error::finish_response;
use crate::events::BusMessage;
use crate::graphql::accounts::ClientAddress;
use crate::graphql::loaders;

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

/// Why a connection is being closed.
struct Close(u16, String);

impl Close {
    fn new(code: u16, reason: impl Into<String>) -> Self {
        Self(code, reason.into())
    }
}

/// Counts open authenticated connections per account on this instance.
#[derive(Default)]
pub struct ConnectionCounts(Mutex<HashMap<i32, usize>>);

/// A counted connection; dropping it gives the slot back.
struct Slot {
    counts: Arc<ConnectionCounts>,
    user_id: i32,
}

impl ConnectionCounts {
    fn take(self: &Arc<Self>, user_id: i32, max: usize) -> Option<Slot> {
        let mut counts = self.0.lock().ok()?;
        let n = counts.entry(user_id).or_default();
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot {
            counts: self.clone(),
            user_id,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut counts) = self.counts.0.lock()
            && let Some(n) = counts.get_mut(&self.user_id)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.user_id);
            }
        }
    }
}

/// Accepts the upgrade, choosing the client's preferred protocol we speak.
pub fn upgrade(
    state: AppState,
    headers: &HeaderMap,
    address: SocketAddr,
    ws: WebSocketUpgrade,
) -> Response {
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
    let header_token = crate::http::graphql::bearer_token(headers).map(str::to_owned);
    let ws = match protocol {
        Some(p) => ws.protocols([p.name()]),
        None => ws,
    };
    ws.on_upgrade(move |socket| async move {
        match protocol {
            Some(protocol) => {
                Connection {
                    state,
                    protocol,
                    address,
                    header_token,
                    viewer: None,
                    slot: None,
                    initialised: false,
                    operations: HashMap::new(),
                    started: 0,
                }
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

fn close_message(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

fn text(value: Value) -> Message {
    Message::Text(value.to_string().into())
}

/// What operation tasks send back to the connection.
enum Outgoing {
    Send(Message),
    /// Operation `.0`, started as number `.1` of the connection, has ended.
    Finished(String, u64),
}

struct Connection {
    state: AppState,
    protocol: Protocol,
    address: SocketAddr,
    header_token: Option<String>,
    viewer: Option<Viewer>,
    slot: Option<Slot>,
    initialised: bool,
    /// Running operations by client id, with the number they were started as.
    operations: HashMap<String, (u64, JoinHandle<()>)>,
    started: u64,
}

impl Connection {
    async fn run(mut self, socket: WebSocket) {
        let _open = GaugeGuard::new(self.state.metrics.ws_connections.clone());
        let config = self.state.settings.ws.clone();
        let (mut sink, mut incoming) = socket.split();
        let (out_tx, mut out_rx) = mpsc::channel::<Outgoing>(32);
        let mut bus = self.state.events.subscribe();
        let mut stopping = self.state.shutdown.subscribe();
        let init_deadline = tokio::time::sleep(Duration::from_secs(config.ws_init_timeout_secs));
        tokio::pin!(init_deadline);
        let mut keepalive =
            tokio::time::interval(Duration::from_secs(config.ws_keepalive_secs.max(1)));
        keepalive.tick().await;

        let close = loop {
            if *stopping.borrow() {
                break Close::new(1001, "Server shutting down");
            }
            let expiry = self.viewer.map(|v| v.expires_at);
            tokio::select! {
                () = &mut init_deadline, if !self.initialised => {
                    break Close::new(4408, "Connection initialisation timeout");
                }
                message = incoming.next() => {
                    let message = match message {
                        Some(Ok(m)) => m,
                        _ => break Close::new(1000, ""),
                    };
                    match self.receive(message, &out_tx).await {
                        Ok(replies) => {
                            for reply in replies {
                                if sink.send(reply).await.is_err() {
                                    self.stop_all();
                                    return;
                                }
                            }
                        }
                        Err(close) => break close,
                    }
                }
                Some(out) = out_rx.recv() => match out {
                    Outgoing::Send(message) => {
                        if sink.send(message).await.is_err() {
                            self.stop_all();
                            return;
                        }
                    }
                    Outgoing::Finished(id, number) => {
                        // Not a later operation that reused the id.
                        if self.operations.get(&id).is_some_and(|(n, _)| *n == number) {
                            self.operations.remove(&id);
                        }
                    }
                },
                event = bus.recv() => {
                    if let Some(close) = self.session_check(event).await {
                        break close;
                    }
                }
                () = sleep_until(expiry), if expiry.is_some() => {
                    break Close::new(4403, "Forbidden: the session expired");
                }
                _ = keepalive.tick(), if self.initialised && self.protocol == Protocol::Legacy => {
                    if sink.send(text(json!({ "type": "ka" }))).await.is_err() {
                        self.stop_all();
                        return;
                    }
                }
                changed = stopping.changed() => {
                    if changed.is_err() || *stopping.borrow_and_update() {
                        break Close::new(1001, "Server shutting down");
                    }
                }
            }
        };
        self.stop_all();
        if close.0 != 1000 {
            let _ = sink.send(close_message(close.0, &close.1)).await;
        }
        let _ = sink.close().await;
    }

    fn stop_all(&mut self) {
        for (_, (_, task)) in self.operations.drain() {
            task.abort();
        }
    }

    /// Ends the connection when its session was revoked; after a lag (a
    /// revocation may have been missed) the session is checked in the database.
    async fn session_check(
        &self,
        event: Result<BusMessage, broadcast::error::RecvError>,
    ) -> Option<Close> {
        let viewer = self.viewer?;
        let ended = Close::new(4403, "Forbidden: the session has ended");
        match event {
            Ok(BusMessage::SessionEnded(id)) if id == viewer.session_id => Some(ended),
            Err(broadcast::error::RecvError::Lagged(_)) | Ok(BusMessage::Resync) => {
                match auth::session_active(&self.state.db, viewer.session_id).await {
                    Ok(false) => Some(ended),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Handles one client frame; replies to send now, or why to close.
    async fn receive(
        &mut self,
        message: Message,
        out: &mpsc::Sender<Outgoing>,
    ) -> Result<Vec<Message>, Close> {
        let invalid = |why: &str| Close::new(4400, format!("Invalid message received: {why}"));
        let raw = match message {
            Message::Text(t) => t,
            Message::Binary(_) => return Err(invalid("binary frames are not supported")),
            Message::Close(_) => return Err(Close::new(1000, "")),
            Message::Ping(_) | Message::Pong(_) => return Ok(Vec::new()),
        };
        let value: Value = serde_json::from_str(raw.as_str()).map_err(|_| invalid("not JSON"))?;
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("no type"))?;
        match (self.protocol, kind) {
            (_, "connection_init") => self.init(value.get("payload")).await,
            (Protocol::TransportWs, "ping") => {
                let mut pong = json!({ "type": "pong" });
                if let Some(payload) = value.get("payload") {
                    pong["payload"] = payload.clone();
                }
                Ok(vec![text(pong)])
            }
            (Protocol::TransportWs, "pong") => Ok(Vec::new()),
            (Protocol::TransportWs, "subscribe") | (Protocol::Legacy, "start") => {
                let id = value
                    .get("id")
                    .and_then(Value::as_str)
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| invalid("no operation id"))?
                    .to_owned();
                let payload = value
                    .get("payload")
                    .filter(|p| p.get("query").is_some_and(Value::is_string))
                    .ok_or_else(|| invalid("no query in the payload"))?;
                let request: async_graphql::Request = serde_json::from_value(payload.clone())
                    .map_err(|_| invalid("malformed payload"))?;
                if !self.initialised {
                    return Err(Close::new(4401, "Unauthorized"));
                }
                if self.operations.contains_key(&id) {
                    return Err(Close::new(
                        4409,
                        format!("Subscriber for {id} already exists"),
                    ));
                }
                let max = self.state.settings.ws.ws_max_subscriptions_per_connection;
                if self.operations.len() >= max {
                    let error = json!([{
                        "message": format!("at most {max} operations may run on one connection"),
                        "extensions": { "code": "RATE_LIMITED" }
                    }]);
                    return Ok(vec![self.error_message(&id, error)]);
                }
                self.start(id, request, out.clone());
                Ok(Vec::new())
            }
            (Protocol::TransportWs, "complete") | (Protocol::Legacy, "stop") => {
                let id = value
                    .get("id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid("no operation id"))?;
                if let Some((_, task)) = self.operations.remove(id) {
                    task.abort();
                }
                Ok(Vec::new())
            }
            (Protocol::Legacy, "connection_terminate") => Err(Close::new(1000, "")),
            (_, other) => Err(invalid(&format!("unknown type {other:?}"))),
        }
    }

    /// `connection_init`: authenticates (payload first, then the upgrade
    /// request's header) and acknowledges.
    async fn init(&mut self, payload: Option<&Value>) -> Result<Vec<Message>, Close> {
        if self.initialised {
            return Err(Close::new(4429, "Too many initialisation requests"));
        }
        let from_payload = payload.and_then(|p| {
            ["authorization", "Authorization"]
                .iter()
                .find_map(|k| p.get(*k))
                .and_then(Value::as_str)
                .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned())
        });
        let forbidden = || Close::new(4403, "Forbidden");
        if let Some(token) = from_payload.or_else(|| self.header_token.clone()) {
            let viewer = auth::authenticate(&self.state.db, &token)
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "checking a WebSocket token");
                    Close::new(1011, "Internal error")
                })?
                .ok_or_else(forbidden)?;
            let max = self.state.settings.ws.ws_max_connections_per_user;
            self.slot = Some(
                self.state
                    .ws_connections
                    .take(viewer.user_id, max)
                    .ok_or_else(|| Close::new(4429, "Too many connections for this account"))?,
            );
            self.viewer = Some(viewer);
        }
        self.initialised = true;
        Ok(vec![text(json!({ "type": "connection_ack" }))])
    }

    fn error_message(&self, id: &str, errors: Value) -> Message {
        text(json!({ "type": "error", "id": id, "payload": errors }))
    }

    /// Runs one operation in its own task, forwarding its results.
    fn start(&mut self, id: String, request: async_graphql::Request, out: mpsc::Sender<Outgoing>) {
        let mut request = request
            .data(loaders::new_loader(&self.state.db))
            .data(ClientAddress(self.address.ip().to_string()));
        if let Some(viewer) = self.viewer {
            request = request.data(viewer);
        }
        let schema = self.state.schema.clone();
        let protocol = self.protocol;
        let op_id = id.clone();
        let running = GaugeGuard::new(self.state.metrics.ws_operations.clone());
        self.started += 1;
        let number = self.started;
        let task = tokio::spawn(async move {
            let _running = running;
            let mut stream = schema.execute_stream(request);
            let mut first = true;
            while let Some(mut response) = stream.next().await {
                finish_response(&mut response, "-");
                // An operation that fails before producing data is an `error`, and ends.
                if first && response.data == async_graphql::Value::Null && response.is_err() {
                    let errors = serde_json::to_value(&response.errors).unwrap_or_default();
                    let message = text(json!({ "type": "error", "id": op_id, "payload": errors }));
                    // The id is freed before the client hears the end, so it may reuse it at once.
                    let _ = out.send(Outgoing::Finished(op_id, number)).await;
                    let _ = out.send(Outgoing::Send(message)).await;
                    return;
                }
                first = false;
                let kind = match protocol {
                    Protocol::TransportWs => "next",
                    Protocol::Legacy => "data",
                };
                let payload = serde_json::to_value(&response).unwrap_or_default();
                let message = text(json!({ "type": kind, "id": op_id, "payload": payload }));
                // Waits when the client reads slowly; the event stream then
                // lags and skips to the latest state instead of queueing.
                if out.send(Outgoing::Send(message)).await.is_err() {
                    return;
                }
            }
            let complete = text(json!({ "type": "complete", "id": op_id }));
            let _ = out.send(Outgoing::Finished(op_id, number)).await;
            let _ = out.send(Outgoing::Send(complete)).await;
        });
        self.operations.insert(id, (number, task));
    }
}

/// Counts something open on a gauge while it lives (also when its task is aborted).
struct GaugeGuard(prometheus::IntGauge);

impl GaugeGuard {
    fn new(gauge: prometheus::IntGauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

async fn sleep_until(at: Option<chrono::DateTime<chrono::Utc>>) {
    let Some(at) = at else {
        return std::future::pending().await;
    };
    let left = (at - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO);
    tokio::time::sleep(left).await;
}
