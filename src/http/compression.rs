//! Compression of what the server sends, when the client accepts it.
//!
//! Answers (GraphQL above all) are compressed per response, br or gzip as the
//! client's `Accept-Encoding` prefers, once they reach a size where it pays
//! (`--compress-min-bytes`). Files that never change between requests (the
//! app's build and the IDE packages) are compressed once, ahead of time, into
//! `.br` / `.gz` files beside them, which the file services send as they are;
//! a response that already has a `Content-Encoding` is left alone here, so
//! those files are never compressed twice.

use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// The layer compressing responses of at least `min_bytes` bytes.
///
/// Images are already compressed and event streams must not be buffered, so
/// neither is touched; a WebSocket upgrade has no body and is below any size.
pub fn layer(min_bytes: u16) -> CompressionLayer<impl Predicate> {
    let predicate = SizeAbove::new(min_bytes)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE);
    // The default level: brotli's highest is far too slow for per-request work.
    CompressionLayer::new()
        .quality(CompressionLevel::Default)
        .compress_when(predicate)
}
