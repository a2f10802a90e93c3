//! A WebSocket GraphQL client for tests (tokio-tungstenite).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::helpers::TestApp;

/// How long a test waits for a message before failing.
const WAIT: Duration = Duration::from_secs(10);

pub struct WsClient {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The subprotocol the server chose.
    pub protocol: Option<String>,
}

impl WsClient {
    /// Connects to `/graphql` asking for `protocol`, optionally with an Authorization header.
    pub async fn connect_with(
        app: &TestApp,
        protocol: Option<&str>,
        authorization: Option<&str>,
    ) -> Self {
        let url = format!("{}/graphql", app.address.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        if let Some(protocol) = protocol {
            request
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
        }
        if let Some(auth) = authorization {
            request
                .headers_mut()
                .insert("Authorization", auth.parse().unwrap());
        }
        let (stream, response) = connect_async(request).await.expect("WebSocket connect");
        let protocol = response
            .headers()
            .get("sec-websocket-protocol")
            .map(|v| v.to_str().unwrap().to_owned());
        Self { stream, protocol }
    }

    /// Connects speaking graphql-transport-ws, with `headers` added to the
    /// upgrade request; the handshake's error when the server refuses it.
    pub async fn try_connect_with_headers(
        app: &TestApp,
        headers: &[(&'static str, &str)],
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        let url = format!("{}/graphql", app.address.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        for (name, value) in headers {
            request.headers_mut().insert(*name, value.parse().unwrap());
        }
        let (stream, _) = connect_async(request).await?;
        Ok(Self {
            stream,
            protocol: Some("graphql-transport-ws".to_owned()),
        })
    }

    /// Connects speaking graphql-transport-ws.
    pub async fn connect(app: &TestApp) -> Self {
        Self::connect_with(app, Some("graphql-transport-ws"), None).await
    }

    /// Connects, sends `connection_init` (with `token` if given) and awaits the ack.
    pub async fn connected(app: &TestApp, token: Option<&str>) -> Self {
        let mut client = Self::connect(app).await;
        client.init(token).await;
        client
    }

    pub async fn send(&mut self, value: Value) {
        self.send_text(&value.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.stream.send(Message::text(text)).await.expect("send");
    }

    /// `connection_init` and its ack.
    pub async fn init(&mut self, token: Option<&str>) {
        let payload = token.map_or(
            json!({}),
            |t| json!({ "authorization": format!("Bearer {t}") }),
        );
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = self.recv().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
    }

    /// Starts operation `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "type": "subscribe", "id": id, "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next JSON message; panics on close or after [`WAIT`].
    pub async fn recv(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("no message within the wait")
                .expect("connection ended")
                .expect("WebSocket error");
            match message {
                Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
                Message::Ping(_) | Message::Pong(_) => {}
                other => panic!("expected a text message, got {other:?}"),
            }
        }
    }

    /// The next text message as sent, unparsed (to check key order).
    pub async fn recv_text(&mut self) -> String {
        loop {
            let message = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("no message within the wait")
                .expect("connection ended")
                .expect("WebSocket error");
            match message {
                Message::Text(text) => return text.as_str().to_owned(),
                Message::Ping(_) | Message::Pong(_) => {}
                other => panic!("expected a text message, got {other:?}"),
            }
        }
    }

    /// The next message that is not a keep-alive (`ka`).
    pub async fn recv_skipping_keepalive(&mut self) -> Value {
        loop {
            let message = self.recv().await;
            if message["type"] != "ka" {
                return message;
            }
        }
    }

    /// The next JSON message, or the code and reason of the close frame that came instead.
    pub async fn recv_or_closed(&mut self) -> Result<Value, (u16, String)> {
        loop {
            let message = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("no message within the wait")
                .expect("connection ended without a close frame")
                .expect("WebSocket error");
            match message {
                Message::Text(text) => return Ok(serde_json::from_str(text.as_str()).unwrap()),
                Message::Close(frame) => {
                    let frame = frame.expect("a close frame with a code");
                    return Err((u16::from(frame.code), frame.reason.to_string()));
                }
                _ => {}
            }
        }
    }

    /// Waits for the server's close frame; returns its code and reason.
    pub async fn closed(&mut self) -> (u16, String) {
        loop {
            let message = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("no close within the wait")
                .expect("connection ended without a close frame")
                .expect("WebSocket error");
            if let Message::Close(frame) = message {
                let frame = frame.expect("a close frame with a code");
                return (u16::from(frame.code), frame.reason.to_string());
            }
        }
    }
}
