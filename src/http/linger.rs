//! Lingering close: an early answer must reach a client that is still sending.
//!
//! A handler may answer before reading the whole request body: 413 for a body
//! over the limit, 415 or 406 without reading it at all. HTTP/1.1 hyper then
//! closes the connection with the rest of the body unread, and a kernel that
//! closes a socket with unread data sends a reset, which destroys the answer
//! in flight: the client reports EPIPE or "connection reset" instead of 413.
//! Like nginx's lingering close, the rest of the body is read and thrown away,
//! up to a number of bytes and seconds, before the connection may close. When
//! the whole body fits, the connection even stays usable for the next request.
//!
//! HTTP/2 needs none of this: an unread stream is reset on its own, and the
//! connection carries on.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};

use super::connection::InFlight;

/// How much of an unread body is discarded, at most.
#[derive(Debug, Clone, Copy)]
pub struct LingerLimits {
    /// Bytes discarded before giving up.
    pub max_bytes: usize,
    /// Time spent discarding before giving up.
    pub timeout: Duration,
}

/// A request body that, when dropped unfinished, is drained in the background.
pub struct LingeringBody {
    inner: Option<Incoming>,
    /// Whether the body was read to its end (or needs no draining).
    finished: bool,
    limits: LingerLimits,
    /// Keeps the connection from counting as idle while the body is read or drained.
    in_flight: Option<InFlight>,
}

impl LingeringBody {
    /// Wraps `body`; `linger` is false where draining is not needed (HTTP/2).
    pub fn new(body: Incoming, linger: bool, limits: LingerLimits, in_flight: InFlight) -> Self {
        Self {
            finished: !linger || body.is_end_stream(),
            inner: Some(body),
            limits,
            in_flight: Some(in_flight),
        }
    }
}

impl Body for LingeringBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = self.get_mut();
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(inner).poll_frame(cx);
        // A read error ends the connection anyway: nothing left to drain.
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            this.finished = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}

impl Drop for LingeringBody {
    fn drop(&mut self) {
        let Some(body) = self.inner.take() else {
            return;
        };
        if self.finished || body.is_end_stream() {
            return;
        }
        // Dropped outside a runtime (never in the server): the body just closes.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let in_flight = self.in_flight.take();
            runtime.spawn(drain(body, self.limits, in_flight));
        }
    }
}

/// Reads and discards `body` until it ends or a limit is reached; dropping it
/// then lets hyper finish (or close) the connection.
async fn drain(mut body: Incoming, limits: LingerLimits, _in_flight: Option<InFlight>) {
    let mut discarded = 0usize;
    let reading = async {
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            let Ok(frame) = frame else { return };
            if let Some(data) = frame.data_ref() {
                discarded = discarded.saturating_add(data.len());
                if discarded > limits.max_bytes {
                    tracing::debug!(discarded, "unread request body over the linger limit");
                    return;
                }
            }
        }
    };
    if tokio::time::timeout(limits.timeout, reading).await.is_err() {
        tracing::debug!("unread request body still arriving after the linger time");
    }
}
