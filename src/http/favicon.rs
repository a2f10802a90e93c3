//! `/favicon.ico`: the site's icon, built into the binary, so browsers asking for
//! it (every page load of the IDEs and the app) get it instead of a 404.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// A 16×16 icon: a speech bubble in the app's accent colour.
const ICON: &[u8] = include_bytes!("favicon.ico");

/// The icon, cached for a day.
pub async fn favicon() -> Response {
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
        ICON,
    )
        .into_response()
}
