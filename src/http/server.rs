//! The accept loop: hyper with connection bounds, graceful shutdown.
//!
//! `axum::serve` has neither a header-read timeout nor a connection cap, so a
//! client that opens connections and stays silent (or trickles headers) could
//! exhaust file descriptors. Here:
//! - at most `max_connections` sockets are open (WebSockets included); more
//!   wait in the listen backlog;
//! - at most `max_connections_per_address` of them from one client address
//!   (IPv6 by its `ipv6_prefix_len` network), on every protocol; one more is
//!   closed at once, so a single client cannot take the slots everyone shares;
//! - a connection must send its first request within the header read timeout,
//!   and one with no request in flight is closed after the idle timeout
//!   (HTTP/1.1 keep-alive ends sooner, at hyper's header read timeout);
//! - HTTP/2 pings detect clients that vanished mid-request;
//! - an unread HTTP/1.1 request body is drained before closing (see
//!   [`crate::http::linger`]), so early answers such as 413 arrive;
//! - the client address behind trusted proxies is resolved once per request;
//!   a WebSocket upgraded through a trusted proxy holds a place of the same
//!   per-address cap for its forwarded client, for the socket's whole life
//!   (see [`ProxiedSockets`]).

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use axum::Router;
use tokio::sync::watch;

use crate::config::HttpConfig;
use crate::http::client_ip::{ClientIp, TrustedProxies, address_group};
use crate::http::connection::{Activity, CappedStream, TrackedBody};
use crate::http::linger::{LingerLimits, LingeringBody};
use crate::http::ws::counts::{Counts, ProxiedSockets};

/// Serves `app` on `listener` until `shutdown`, then sets `stopping` (so
/// readiness fails and WebSockets close) and drains connections for up to `grace`.
pub async fn run(
    listener: TcpListener,
    app: Router,
    config: &HttpConfig,
    stopping: Arc<watch::Sender<bool>>,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let header_timeout = Duration::from_secs(config.header_read_timeout_secs);
    let idle_timeout = Duration::from_secs(config.connection_idle_timeout_secs);
    let linger = LingerLimits {
        max_bytes: config.linger_max_bytes,
        timeout: Duration::from_secs(config.linger_timeout_secs),
    };
    let trusted = Arc::new(TrustedProxies::new(
        &config.trusted_proxies,
        config.client_ip_header,
    ));
    let max_connections = config.max_connections.max(1);
    let slots = Arc::new(Semaphore::new(max_connections as usize));
    let per_address: Arc<Counts<IpAddr>> = Arc::default();
    let v6_prefix = config.ipv6_prefix_len;

    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let keepalive = Duration::from_secs(config.http2_keepalive_interval_secs);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval((!keepalive.is_zero()).then_some(keepalive))
        .keep_alive_timeout(Duration::from_secs(config.http2_keepalive_timeout_secs));

    tokio::pin!(shutdown);
    let mut at_cap_logged = false;
    loop {
        // A slot first: over the cap, connections wait in the backlog rather
        // than take a file descriptor.
        let permit = match slots.clone().try_acquire_owned() {
            Ok(permit) => {
                at_cap_logged = false;
                permit
            }
            Err(_) => {
                if !at_cap_logged {
                    tracing::warn!(
                        max_connections,
                        "connection cap reached; new connections wait"
                    );
                    at_cap_logged = true;
                }
                tokio::select! {
                    permit = slots.clone().acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // A trusted proxy carries many clients on its connections: those are
        // told apart per request, by the forwarding header.
        let via_proxy = trusted.contains(peer.ip());
        let proxied =
            (via_proxy && config.max_connections_per_address > 0).then(|| ProxiedSockets {
                counts: per_address.clone(),
                max: config.max_connections_per_address,
            });
        let address = if config.max_connections_per_address == 0 || via_proxy {
            None
        } else {
            let group = address_group(peer.ip(), v6_prefix);
            match per_address.take(group, config.max_connections_per_address) {
                Some(slot) => Some(slot),
                None => {
                    tracing::debug!(client = %group, "connection cap per address reached; closed");
                    continue;
                }
            }
        };
        let activity = Activity::new();
        let service = {
            let (app, trusted, activity) = (app.clone(), trusted.clone(), activity.clone());
            let proxied = proxied.clone();
            hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let response_in_flight = activity.begin();
                let client = ClientIp(address_group(
                    trusted.client_ip(peer.ip(), request.headers()),
                    v6_prefix,
                ));
                // HTTP/2 resets an unread stream on its own; only HTTP/1 lingers.
                let lingers = request.version() < hyper::Version::HTTP_2;
                let body_in_flight = activity.begin();
                let mut request =
                    request.map(|body| LingeringBody::new(body, lingers, linger, body_in_flight));
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                request.extensions_mut().insert(client);
                if let Some(proxied) = &proxied {
                    request.extensions_mut().insert(proxied.clone());
                }
                let response = app.clone().oneshot(request);
                async move {
                    let response = response.await?;
                    Ok::<_, std::convert::Infallible>(
                        response.map(|body| TrackedBody::new(body, response_in_flight)),
                    )
                }
            })
        };
        let io = TokioIo::new(CappedStream::new(stream, permit, address));
        let connection = builder
            .serve_connection_with_upgrades(io, service)
            .into_owned();
        let mut stop_signal = stopping.subscribe();
        tokio::spawn(async move {
            let stop_signal = async move {
                // A dropped sender means the server is gone: stop as well.
                let _ = stop_signal.wait_for(|stopping| *stopping).await;
            };
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = activity.idle(header_timeout, idle_timeout) => {
                    // HTTP/2 gets a GOAWAY, an idle HTTP/1 connection closes, one
                    // still sending its first bytes stops. A request that slipped
                    // in meanwhile finishes; a peer that holds on with nothing in
                    // flight is cut off after the header read timeout.
                    connection.as_mut().graceful_shutdown();
                    tokio::select! {
                        result = connection.as_mut() => result,
                        () = activity.idle(header_timeout, header_timeout) => return,
                    }
                }
                () = stop_signal => {
                    // In-flight requests get the grace period `run` waits for.
                    connection.as_mut().graceful_shutdown();
                    connection.as_mut().await
                }
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    // Readiness fails and WebSockets close; no new connection is accepted.
    stopping.send_replace(true);
    drop(listener);
    // Every open socket holds a slot: all slots free means all connections closed.
    tokio::select! {
        _ = slots.acquire_many(max_connections) => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(?grace, "requests still running after the grace period; closing");
        }
    }
    Ok(())
}
