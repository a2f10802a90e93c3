//! `/favicon.ico`: the site's icon, built into the binary, so browsers asking for
//! it (every page load of the IDEs and the app) get it instead of a 404.
//!
//! An ICO is an uncompressed bitmap (1,150 bytes, about 200 as br), but its
//! type is `image/`, which the compression layer skips: it is compressed here,
//! once per encoding, and sent as the client's `Accept-Encoding` prefers.

use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::compression::{self, Encoding};

/// A 16×16 icon: a speech bubble in the app's accent colour.
const ICON: &[u8] = include_bytes!("favicon.ico");

/// The icon as gzip and as br, made on first use (`None` if that failed).
static COMPRESSED: LazyLock<[Option<Vec<u8>>; 2]> = LazyLock::new(|| {
    [
        compression::compress(Encoding::Gzip, ICON).ok(),
        compression::compress(Encoding::Br, ICON).ok(),
    ]
});

/// The icon, cached for a day, compressed when the client accepts it.
pub async fn favicon(request: HeaderMap) -> Response {
    let wanted = compression::preferred(&request);
    let compressed = match wanted {
        Encoding::Identity => None,
        Encoding::Gzip => COMPRESSED[0].as_deref(),
        Encoding::Br => COMPRESSED[1].as_deref(),
    };
    let (encoding, body) = match compressed {
        Some(bytes) => (wanted, bytes),
        None => (Encoding::Identity, ICON),
    };
    let mut response = icon(body);
    compression::mark(&mut response, encoding);
    response
}

fn icon(body: &'static [u8]) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/x-icon"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        body,
    )
        .into_response()
}
