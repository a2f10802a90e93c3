//! One GraphQL WebSocket: the protocol loop and the operations it runs.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Notify, broadcast, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::counts::Slot;
use super::{Protocol, close_message};
use crate::accounts::store;
use crate::http::operation::{
    self, Caller, Operation, Refusal, RefusalKind, RequestId, Transport, bearer_token,
};
use crate::http::state::AppState;
use crate::records::BusMessage;
use crate::viewer::Viewer;

/// Sends what operations hand over within `window`; `Err` when the client is gone.
async fn flush<S>(
    out: &mut mpsc::Receiver<Outgoing>,
    sink: &mut S,
    window: Duration,
) -> Result<(), ()>
where
    S: futures_util::Sink<Message> + Unpin,
{
    let deadline = tokio::time::sleep(window);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            () = &mut deadline => return Ok(()),
            next = out.recv() => match next {
                Some(Outgoing::Send(message)) => {
                    sink.send(message).await.map_err(|_| ())?;
                }
                Some(Outgoing::Finished(..)) => {}
                None => return Ok(()),
            },
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

/// Bytes the operation tasks have handed to the connection that are not yet
/// written to the client. A client that stops reading stalls the writes, the
/// count grows, and past the budget the connection closes instead of holding
/// ever more answers for it.
struct Queued {
    bytes: AtomicUsize,
    max: usize,
    over: Notify,
}

impl Queued {
    fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            bytes: AtomicUsize::new(0),
            max,
            over: Notify::new(),
        })
    }

    fn add(&self, n: usize) {
        if self.bytes.fetch_add(n, Ordering::SeqCst) + n > self.max {
            // Stored, so the connection sees it even if it is not waiting yet.
            self.over.notify_one();
        }
    }

    fn sub(&self, n: usize) {
        self.bytes.fetch_sub(n, Ordering::SeqCst);
    }

    /// Completes once the budget has been passed.
    async fn exceeded(&self) {
        loop {
            if self.bytes.load(Ordering::SeqCst) > self.max {
                return;
            }
            self.over.notified().await;
        }
    }
}

fn message_len(message: &Message) -> usize {
    match message {
        Message::Text(t) => t.len(),
        Message::Binary(b) => b.len(),
        _ => 0,
    }
}

/// What operation tasks send back to the connection.
enum Outgoing {
    Send(Message),
    /// Operation `.0`, started as number `.1` of the connection, has ended.
    Finished(String, u64),
}

/// The place a socket holds in the per-address or per-account counts.
enum Place {
    /// Before `connection_init`.
    Pending(#[allow(dead_code)] Slot<IpAddr>),
    /// Acknowledged without a token.
    Anonymous(#[allow(dead_code)] Slot<IpAddr>),
    /// Acknowledged for an account.
    User(#[allow(dead_code)] Slot<i32>),
}

/// One socket's state.
pub(super) struct Connection {
    state: AppState,
    protocol: Protocol,
    client: IpAddr,
    /// The upgrade request's bearer token; `Some("")` for a malformed header.
    header_token: Option<String>,
    /// The upgrade request's `User-Agent`.
    user_agent: Option<String>,
    viewer: Option<Viewer>,
    place: Place,
    initialised: bool,
    /// Running operations by client id, with the number they were started as.
    operations: HashMap<String, (u64, JoinHandle<()>)>,
    started: u64,
    /// What the operations have queued for the client and it has not read.
    queued: Arc<Queued>,
}

impl Connection {
    pub(super) fn new(
        state: AppState,
        protocol: Protocol,
        client: IpAddr,
        header_token: Option<String>,
        user_agent: Option<String>,
        pending: Slot<IpAddr>,
    ) -> Self {
        let state_max_queued = state.settings.ws.ws_max_queued_bytes;
        Self {
            state,
            protocol,
            client,
            header_token,
            user_agent,
            viewer: None,
            place: Place::Pending(pending),
            initialised: false,
            operations: HashMap::new(),
            started: 0,
            queued: Queued::new(state_max_queued),
        }
    }

    pub(super) async fn run(mut self, socket: WebSocket) {
        let _open = GaugeGuard::new(self.state.metrics.ws_connections.clone());
        let config = self.state.settings.ws.clone();
        let (mut sink, mut incoming) = socket.split();
        let (out_tx, mut out_rx) = mpsc::channel::<Outgoing>(32);
        let mut bus = self.state.events.subscribe();
        let mut stopping = self.state.shutdown.subscribe();
        let init_deadline = tokio::time::sleep(Duration::from_secs(config.ws_init_timeout_secs));
        tokio::pin!(init_deadline);
        let idle_timeout = Duration::from_secs(config.ws_idle_timeout_secs.max(1));
        let write_timeout = Duration::from_secs(config.ws_write_timeout_secs.max(1));
        let idle_deadline = tokio::time::sleep(idle_timeout);
        tokio::pin!(idle_deadline);
        let mut keepalive =
            tokio::time::interval(Duration::from_secs(config.ws_keepalive_secs.max(1)));
        keepalive.tick().await;

        let close = loop {
            if *stopping.borrow() {
                break Close::new(1001, "Server shutting down");
            }
            let expiry = self.viewer.map(|v| v.expires_at);
            let idle = self.initialised && self.operations.is_empty();
            tokio::select! {
                () = &mut init_deadline, if !self.initialised => {
                    break Close::new(4408, "Connection initialisation timeout");
                }
                () = &mut idle_deadline, if idle => {
                    break Close::new(1000, "Idle timeout: no operation is running");
                }
                message = incoming.next() => {
                    let message = match message {
                        Some(Ok(m)) => m,
                        // A message over the size cap ends here too.
                        Some(Err(e)) => {
                            tracing::debug!(error = %e, "WebSocket read failed");
                            break Close::new(1009, "Message too big or malformed");
                        }
                        None => break Close::new(1000, ""),
                    };
                    // Only work counts against idleness: a socket that does
                    // nothing but ping (or pong) is as idle as a silent one.
                    let was_busy = !self.initialised || !self.operations.is_empty();
                    let received = self.receive(message, &out_tx).await;
                    if was_busy && self.initialised && self.operations.is_empty() {
                        idle_deadline.as_mut().reset(Instant::now() + idle_timeout);
                    }
                    match received {
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
                () = self.queued.exceeded() => {
                    break Close::new(4413, "Too much queued: the client does not read");
                }
                Some(out) = out_rx.recv() => match out {
                    Outgoing::Send(message) => {
                        let len = message_len(&message);
                        let written = tokio::select! {
                            written = sink.send(message) => written.is_ok(),
                            () = self.queued.exceeded() => {
                                break Close::new(4413, "Too much queued: the client does not read");
                            }
                            () = tokio::time::sleep(write_timeout) => {
                                break Close::new(4413, "Write timeout: the client does not read");
                            }
                        };
                        self.queued.sub(len);
                        if !written {
                            self.stop_all();
                            return;
                        }
                    }
                    Outgoing::Finished(id, number) => {
                        // Not a later operation that reused the id.
                        if self.operations.get(&id).is_some_and(|(n, _)| *n == number) {
                            self.operations.remove(&id);
                        }
                        if self.operations.is_empty() {
                            idle_deadline.as_mut().reset(Instant::now() + idle_timeout);
                        }
                    }
                },
                event = bus.recv() => {
                    if let Some(close) = self.session_check(event).await {
                        // Events published before the session ended (a deleted
                        // account's DELETED events) may still be on their way
                        // through the operations: let them out first.
                        let window = Duration::from_millis(
                            self.state.settings.ws.ws_session_end_flush_ms,
                        );
                        if flush(&mut out_rx, &mut sink, window).await.is_err() {
                            self.stop_all();
                            return;
                        }
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
        // A client that does not read may never take the close frame: bounded.
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            if close.0 != 1000 || !close.1.is_empty() {
                let _ = sink.send(close_message(close.0, &close.1)).await;
            }
            let _ = sink.close().await;
        })
        .await;
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
                match store::session_active(&self.state.db, viewer.session_id).await {
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
                let config = &self.state.settings.ws;
                let max = config.ws_max_subscriptions_per_connection;
                if self.operations.len() >= max {
                    let why = format!("at most {max} operations may run on one connection");
                    return Ok(vec![rate_limited(&id, &why)]);
                }
                // The account's share over all its sockets: held by the operation's task.
                let account_place = match self.viewer {
                    Some(viewer) => {
                        let max = config.ws_max_subscriptions_per_user;
                        match self
                            .state
                            .ws_connections
                            .user_operations
                            .take(viewer.user_id, max)
                        {
                            Some(place) => Some(place),
                            None => {
                                let why = format!(
                                    "at most {max} operations may run at once for one account"
                                );
                                return Ok(vec![rate_limited(&id, &why)]);
                            }
                        }
                    }
                    None => None,
                };
                match operation::prepare(&self.state, request, Transport::WebSocket) {
                    Ok(operation) => {
                        self.start(id, operation, account_place, out.clone());
                        Ok(Vec::new())
                    }
                    Err(refusal) => Ok(vec![refusal_message(&id, &refusal)]),
                }
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
    /// request's header), moves the socket from the pending count to its
    /// account's or its address's, and acknowledges.
    async fn init(&mut self, payload: Option<&Value>) -> Result<Vec<Message>, Close> {
        if self.initialised {
            return Err(Close::new(4429, "Too many initialisation requests"));
        }
        let from_payload = payload.and_then(|p| {
            ["authorization", "Authorization"]
                .iter()
                .find_map(|k| p.get(*k))
                .and_then(Value::as_str)
                .map(|v| bearer_token(v).unwrap_or(v.trim()).to_owned())
        });
        let token = from_payload.or_else(|| self.header_token.clone());
        let viewer = operation::authenticate(&self.state, token.as_deref(), self.client)
            .await
            .map_err(|refusal| match refusal.kind {
                RefusalKind::Unauthenticated => Close::new(4403, "Forbidden"),
                _ => Close::new(1011, "Internal error"),
            })?;
        let config = &self.state.settings.ws;
        let counts = &self.state.ws_connections;
        self.place = match viewer {
            Some(viewer) => Place::User(
                counts
                    .users
                    .take(viewer.user_id, config.ws_max_connections_per_user)
                    .ok_or_else(|| Close::new(4429, "Too many connections for this account"))?,
            ),
            None => Place::Anonymous(
                counts
                    .anonymous
                    .take(self.client, config.ws_max_anonymous_per_address)
                    .ok_or_else(|| {
                        Close::new(4429, "Too many anonymous connections from this address")
                    })?,
            ),
        };
        self.viewer = viewer;
        self.initialised = true;
        Ok(vec![text(json!({ "type": "connection_ack" }))])
    }

    /// Runs one prepared operation in its own task, forwarding its results.
    fn start(
        &mut self,
        id: String,
        operation: Operation,
        account_place: Option<Slot<i32>>,
        out: mpsc::Sender<Outgoing>,
    ) {
        let caller = Caller {
            viewer: self.viewer,
            client: self.client,
            user_agent: self.user_agent.clone(),
            request_id: RequestId(crate::secrets::random_hex(8)),
        };
        let state = self.state.clone();
        let protocol = self.protocol;
        let op_id = id.clone();
        let running = GaugeGuard::new(self.state.metrics.ws_operations.clone());
        let queued = self.queued.clone();
        self.started += 1;
        let number = self.started;
        let task = tokio::spawn(async move {
            let _running = running;
            let _account_place = account_place;
            let next = match protocol {
                Protocol::TransportWs => "next",
                Protocol::Legacy => "data",
            };
            // Every message is counted against the socket's queued bytes
            // until the connection has written it.
            let send = |message: Message| {
                queued.add(message_len(&message));
                out.send(Outgoing::Send(message))
            };
            // The id is freed before the client hears the end, so it may reuse it at once.
            let finish = |last: Message| async {
                let _ = out.send(Outgoing::Finished(op_id.clone(), number)).await;
                let _ = send(last).await;
            };
            if !operation.is_subscription() {
                let last = match operation.execute(&state, caller).await {
                    Ok(answer) => match answer.invalid {
                        Some(errors) => error_message(&op_id, &String::from_utf8_lossy(&errors)),
                        None => {
                            let body = String::from_utf8_lossy(&answer.body);
                            let message = framed(next, &op_id, &body);
                            if send(message).await.is_err() {
                                return;
                            }
                            complete_message(&op_id)
                        }
                    },
                    Err(refusal) => refusal_message(&op_id, &refusal),
                };
                finish(last).await;
                return;
            }
            let mut stream = operation.subscribe(&state, caller);
            let mut first = true;
            while let Some(response) = stream.next().await {
                // A subscription that fails before producing data is an `error`, and ends.
                if first && response.data == async_graphql::Value::Null && response.is_err() {
                    let errors = serde_json::to_string(&response.errors).unwrap_or_default();
                    finish(error_message(&op_id, &errors)).await;
                    return;
                }
                first = false;
                let payload = serde_json::to_string(&response).unwrap_or_default();
                // Waits when the client reads slowly; the event stream then
                // lags and skips to the latest state instead of queueing, and
                // a catch-up reads its next page only after this one is taken.
                if send(framed(next, &op_id, &payload)).await.is_err() {
                    return;
                }
            }
            finish(complete_message(&op_id)).await;
        });
        self.operations.insert(id, (number, task));
    }
}

fn text(value: Value) -> Message {
    Message::Text(value.to_string().into())
}

/// `{"type": kind, "id": id, "payload": payload}` with `payload` already JSON.
fn framed(kind: &str, id: &str, payload: &str) -> Message {
    let id = serde_json::to_string(id).unwrap_or_default();
    Message::Text(format!(r#"{{"type":"{kind}","id":{id},"payload":{payload}}}"#).into())
}

/// An `error` message carrying a JSON `errors` array.
fn error_message(id: &str, errors: &str) -> Message {
    framed("error", id, errors)
}

/// An `error` message with `RATE_LIMITED`: a cap refused the operation.
fn rate_limited(id: &str, why: &str) -> Message {
    let error = json!([{ "message": why, "extensions": { "code": "RATE_LIMITED" } }]);
    error_message(id, &error.to_string())
}

fn refusal_message(id: &str, refusal: &Refusal) -> Message {
    error_message(id, &refusal.errors().to_string())
}

fn complete_message(id: &str) -> Message {
    text(json!({ "type": "complete", "id": id }))
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
