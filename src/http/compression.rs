//! Compression of what the server sends, when the client accepts it.
//!
//! Answers (GraphQL above all, unless the response cache holds them) are
//! compressed per response, br or gzip as the client's `Accept-Encoding`
//! prefers, once they reach a size where it pays (`--compress-min-bytes`). Files that never change between requests (the
//! app's build and the IDE packages) are compressed once, ahead of time, into
//! `.br` / `.gz` files beside them, which the file services send as they are;
//! a response that already has a `Content-Encoding` is left alone here, so
//! those files are never compressed twice. Answers held by the response cache
//! are compressed once per entry and encoding (see [`compress`]) and sent
//! marked [`Negotiated`], which this layer also leaves alone.

use std::io::Write as _;

use axum::http::{HeaderMap, HeaderValue, Response, header};
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// The brotli quality of cached answers up to [`SMALL_ANSWER_BYTES`], and
/// above. Compressed once per entry, they can take more than the per-response
/// 4, but 10 and 11 grow steeply with size (BENCHMARKS.md, "Compressed cache
/// entries": on a 400 KB answer 8 takes 6 ms, 10 87 ms, 11 550 ms).
const CACHED_BR_QUALITY: (u32, u32) = (10, 8);
/// Where a cached answer stops being small (see [`CACHED_BR_QUALITY`]).
const SMALL_ANSWER_BYTES: usize = 32 * 1024;
/// The brotli window (log2 bytes), as tower-http's encoder uses.
const BR_WINDOW: u32 = 22;
/// The gzip level of cached answers: the per-response default; 9 saves ~2 % for twice the time.
const CACHED_GZIP_LEVEL: u32 = 6;

/// The layer compressing responses of at least `min_bytes` bytes.
///
/// Images are already compressed and event streams must not be buffered, so
/// neither is touched; a WebSocket upgrade has no body and is below any size.
pub fn layer(min_bytes: u16) -> CompressionLayer<impl Predicate> {
    let predicate = SizeAbove::new(min_bytes)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE)
        .and(NotNegotiated);
    // The default level: brotli's highest is far too slow for per-request work.
    CompressionLayer::new()
        .quality(CompressionLevel::Default)
        .compress_when(predicate)
}

/// Passes responses not marked [`Negotiated`].
#[derive(Debug, Clone, Copy)]
struct NotNegotiated;

impl Predicate for NotNegotiated {
    fn should_compress<B: axum::body::HttpBody>(&self, response: &Response<B>) -> bool {
        response.extensions().get::<Negotiated>().is_none()
    }
}

/// A content coding the server sends, from least to most preferred (as
/// tower-http prefers them when the client weighs them equally).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Encoding {
    /// As it is.
    Identity,
    /// gzip (`gzip` or `x-gzip`).
    Gzip,
    /// Brotli (`br`).
    Br,
}

impl Encoding {
    /// The `Content-Encoding` token, also the metrics label.
    pub fn token(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Gzip => "gzip",
            Self::Br => "br",
        }
    }
}

/// Marks a response whose encoding was already chosen (a cached answer): the
/// compression layer leaves it as it is, also when it goes uncompressed.
#[derive(Debug, Clone, Copy)]
pub struct Negotiated;

/// The coding `headers` prefer among br, gzip and identity (RFC 9110 §12.5.3):
/// the highest q-value wins, br before gzip before identity when equal; a
/// coding not named gets the q of `*`, if any, and is otherwise not accepted,
/// except identity, which is the fallback. With no `Accept-Encoding`, or when
/// every coding is refused, identity (a 406 would help no GraphQL client).
pub fn preferred(headers: &HeaderMap) -> Encoding {
    let mut named: [Option<u16>; 3] = [None; 3];
    let mut any = None;
    let items = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','));
    for item in items {
        let (coding, params) = item.split_once(';').unwrap_or((item, ""));
        let coding = coding.trim();
        let q = match params.trim() {
            "" => Some(1000),
            params => q_value(params),
        };
        // An item with a malformed weight is ignored, as tower-http does.
        let Some(q) = q else { continue };
        let slot = if coding.eq_ignore_ascii_case("br") {
            &mut named[Encoding::Br as usize]
        } else if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            &mut named[Encoding::Gzip as usize]
        } else if coding.eq_ignore_ascii_case("identity") {
            &mut named[Encoding::Identity as usize]
        } else if coding == "*" {
            &mut any
        } else {
            continue;
        };
        *slot = Some(slot.map_or(q, |seen: u16| seen.max(q)));
    }
    [Encoding::Identity, Encoding::Gzip, Encoding::Br]
        .into_iter()
        .filter_map(|encoding| Some((named[encoding as usize].or(any)?, encoding)))
        .filter(|&(q, _)| q > 0)
        .max()
        .map_or(Encoding::Identity, |(_, encoding)| encoding)
}

/// The weight of `q=0.5` in thousandths: `0`, `1` or up to three decimals.
fn q_value(params: &str) -> Option<u16> {
    let value = params
        .strip_prefix("q=")
        .or_else(|| params.strip_prefix("Q="))?;
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if !matches!(whole, "0" | "1")
        || fraction.len() > 3
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    let q = if whole == "1" { 1000 } else { 0 } + thousandths;
    (q <= 1000).then_some(q)
}

/// `data` in `encoding`, at the quality for cached answers (the caller moves
/// it off the async threads: a large answer takes milliseconds).
pub fn compress(encoding: Encoding, data: &[u8]) -> std::io::Result<Vec<u8>> {
    match encoding {
        Encoding::Identity => Ok(data.to_vec()),
        Encoding::Gzip => {
            let level = flate2::Compression::new(CACHED_GZIP_LEVEL);
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
            encoder.write_all(data)?;
            encoder.finish()
        }
        Encoding::Br => {
            let (small, large) = CACHED_BR_QUALITY;
            let quality = if data.len() <= SMALL_ANSWER_BYTES {
                small
            } else {
                large
            };
            let mut encoder = brotli::CompressorWriter::new(Vec::new(), 4096, quality, BR_WINDOW);
            encoder.write_all(data)?;
            // Ends the stream.
            Ok(encoder.into_inner())
        }
    }
}

/// Marks `response` as sent in `encoding`, chosen from `Accept-Encoding`.
pub fn mark(response: &mut axum::response::Response, encoding: Encoding) {
    let headers = response.headers_mut();
    if encoding != Encoding::Identity {
        headers.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(encoding.token()),
        );
    }
    headers.append(
        header::VARY,
        HeaderValue::from_static(header::ACCEPT_ENCODING.as_str()),
    );
    response.extensions_mut().insert(Negotiated);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefers(values: &[&str]) -> Encoding {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).expect("a header value"),
            );
        }
        preferred(&headers)
    }

    #[test]
    fn br_is_preferred_when_weighed_equally() {
        assert_eq!(prefers(&[]), Encoding::Identity);
        assert_eq!(prefers(&["br"]), Encoding::Br);
        assert_eq!(prefers(&["gzip"]), Encoding::Gzip);
        assert_eq!(prefers(&["x-gzip"]), Encoding::Gzip);
        assert_eq!(prefers(&["gzip, deflate, br"]), Encoding::Br);
        assert_eq!(prefers(&["gzip", "BR"]), Encoding::Br);
        assert_eq!(prefers(&["deflate, zstd"]), Encoding::Identity);
    }

    #[test]
    fn q_values_rank_and_zero_refuses() {
        assert_eq!(prefers(&["br;q=0.5, gzip;q=0.8"]), Encoding::Gzip);
        assert_eq!(prefers(&["br;q=0.999, gzip;q=0.995"]), Encoding::Br);
        assert_eq!(prefers(&["br;q=0, gzip"]), Encoding::Gzip);
        assert_eq!(prefers(&["br ; q=0.8 ,\tgzip;Q=0.5"]), Encoding::Br);
        assert_eq!(prefers(&["gzip;q=0"]), Encoding::Identity);
        // A lone weighed coding is still sent: identity is only the fallback.
        assert_eq!(prefers(&["gzip;q=0.5"]), Encoding::Gzip);
        // Malformed weights drop their item.
        assert_eq!(prefers(&["br;q=1.5, gzip"]), Encoding::Gzip);
        assert_eq!(prefers(&["br;q=.5"]), Encoding::Identity);
        assert_eq!(prefers(&["br;q=0.5000"]), Encoding::Identity);
    }

    #[test]
    fn identity_and_the_wildcard() {
        assert_eq!(prefers(&["identity"]), Encoding::Identity);
        assert_eq!(prefers(&["identity, gzip;q=0.5"]), Encoding::Identity);
        assert_eq!(prefers(&["identity;q=0.5, gzip"]), Encoding::Gzip);
        assert_eq!(prefers(&["*"]), Encoding::Br);
        assert_eq!(prefers(&["br;q=0, *"]), Encoding::Gzip);
        assert_eq!(prefers(&["*;q=0.5, gzip"]), Encoding::Gzip);
        assert_eq!(prefers(&["*;q=0"]), Encoding::Identity);
        assert_eq!(prefers(&["identity;q=0, *;q=0"]), Encoding::Identity);
    }

    #[test]
    fn compressed_forms_decode_to_the_input() {
        use std::io::Read as _;
        let data = br#"{"data":{"roles":[]}}"#.repeat(200);
        let mut out = Vec::new();
        let br = compress(Encoding::Br, &data).expect("br");
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut out)
            .expect("br decodes");
        assert_eq!(out, data);
        out.clear();
        let gzip = compress(Encoding::Gzip, &data).expect("gzip");
        flate2::read::GzDecoder::new(&gzip[..])
            .read_to_end(&mut out)
            .expect("gzip decodes");
        assert_eq!(out, data);
        assert!(br.len() < data.len() / 10 && gzip.len() < data.len() / 10);
    }
}
