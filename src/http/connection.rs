//! Bounds on client connections: how many are open, how many per client
//! address, how long one may idle.
//!
//! Every accepted socket holds a permit of the connection cap, and a place in
//! its address's count, for as long as it is open, also after an upgrade to a
//! WebSocket (both travel with the socket), so silent or idle sockets can never
//! exhaust file descriptors, and one client cannot hold every slot.
//! Idleness is measured in requests, not bytes: HTTP/2 pings keep a dead-quiet
//! connection busy at the byte level, yet it serves nobody.

use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, watch};

use crate::http::ws::counts::Slot;

/// An accepted socket with its place under the connection cap and, unless it
/// comes from a trusted proxy, under its address's cap.
pub struct CappedStream {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
    _address: Option<Slot<IpAddr>>,
}

impl CappedStream {
    /// `stream`, counted by `permit` and `address` until it is dropped.
    pub fn new(
        stream: TcpStream,
        permit: OwnedSemaphorePermit,
        address: Option<Slot<IpAddr>>,
    ) -> Self {
        Self {
            stream,
            _permit: permit,
            _address: address,
        }
    }
}

impl AsyncRead for CappedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for CappedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// The work in flight on one connection: requests being answered, response
/// bodies being sent, request bodies being drained.
#[derive(Clone)]
pub struct Activity(Arc<watch::Sender<Work>>);

#[derive(Clone, Copy, Default)]
struct Work {
    in_flight: usize,
    /// Whether a request has begun on this connection.
    begun: bool,
}

impl Activity {
    /// A connection with nothing in flight yet.
    pub fn new() -> Self {
        Self(Arc::new(watch::channel(Work::default()).0))
    }

    /// Counts one piece of work until the returned guard is dropped.
    pub fn begin(&self) -> InFlight {
        self.0.send_modify(|work| {
            work.in_flight += 1;
            work.begun = true;
        });
        InFlight(self.0.clone())
    }

    /// Completes once the connection has had nothing in flight for `first`
    /// (before its first request) or `idle` (after one).
    pub async fn idle(&self, first: Duration, idle: Duration) {
        let mut work = self.0.subscribe();
        loop {
            // The sender lives in `self`, so neither wait can see it dropped.
            let begun = match work.wait_for(|work| work.in_flight == 0).await {
                Ok(work) => work.begun,
                Err(_) => return,
            };
            let wait = if begun { idle } else { first };
            match tokio::time::timeout(wait, work.changed()).await {
                Err(_) | Ok(Err(_)) => return,
                Ok(Ok(())) => {}
            }
        }
    }
}

impl Default for Activity {
    fn default() -> Self {
        Self::new()
    }
}

/// One piece of work in flight; dropping it ends it.
pub struct InFlight(Arc<watch::Sender<Work>>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0
            .send_modify(|work| work.in_flight = work.in_flight.saturating_sub(1));
    }
}

/// A response body that keeps its request counted until it is sent (or dropped).
pub struct TrackedBody<B> {
    body: B,
    _in_flight: InFlight,
}

impl<B> TrackedBody<B> {
    /// `body`, in flight until dropped.
    pub fn new(body: B, in_flight: InFlight) -> Self {
        Self {
            body,
            _in_flight: in_flight,
        }
    }
}

impl<B: hyper::body::Body + Unpin> hyper::body::Body for TrackedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<B::Data>, B::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn idle_waits_for_work_to_end_then_for_the_idle_time() {
        let activity = Activity::new();
        let first = Duration::from_secs(5);
        let idle = Duration::from_secs(60);
        // Nothing ever sent: idle after `first`.
        let start = tokio::time::Instant::now();
        activity.idle(first, idle).await;
        assert!((first..first + Duration::from_secs(1)).contains(&start.elapsed()));

        // Busy: never idle while the guard lives.
        let guard = activity.begin();
        let watcher = tokio::spawn({
            let activity = activity.clone();
            async move { activity.idle(first, idle).await }
        });
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert!(!watcher.is_finished());
        drop(guard);
        let ended = tokio::time::Instant::now();
        watcher.await.unwrap();
        assert!(
            (idle..idle + Duration::from_secs(1)).contains(&ended.elapsed()),
            "after a request, the idle time applies"
        );
    }
}
