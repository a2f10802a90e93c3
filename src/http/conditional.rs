//! HTTP caching of public reads: what a shared cache (a CDN, nginx's
//! `proxy_cache`) or a browser may keep, and `304 Not Modified`.
//!
//! Only an anonymous `GET` of a query that reads only public content (the
//! operation pipeline's `public` check) gets `Cache-Control: public`, and
//! only when its answer is error-free: its answer is the same for everyone
//! until the next import. Everything else on `/graphql` (a POST, a request
//! with `Authorization`, a viewer field, an error) is `private, no-store`.
//!
//! The `ETag` is derived from what the answer is a function of: the content
//! version it was computed at, the document, the variables and the operation
//! name, plus the representation (`Content-Type` chosen by `Accept`, the
//! content coding). It is computed before execution, so a matching
//! `If-None-Match` is answered with 304 without running the query; with the
//! content version known in memory that touches no database at all.

use axum::http::{HeaderMap, HeaderValue, header};
use sha2::{Digest, Sha256};

use super::accept::ResponseFormat;
use super::compression::Encoding;

/// `Cache-Control` of everything that is not a public read.
pub const PRIVATE: &str = "private, no-store";

/// `Vary` of `GET /graphql`: the format (`Accept`), the coding
/// (`Accept-Encoding`) and whether the answer may be shared (`Authorization`).
pub const VARY: &str = "accept, accept-encoding, authorization";

/// `Cache-Control` of a public read.
pub fn public(max_age_secs: u32, swr_secs: u32) -> HeaderValue {
    let text = if swr_secs == 0 {
        format!("public, max-age={max_age_secs}")
    } else {
        format!("public, max-age={max_age_secs}, stale-while-revalidate={swr_secs}")
    };
    // Digits, letters, commas and spaces only: always a valid header value.
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static(PRIVATE))
}

/// The entity tags of one public read at one content version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validator {
    /// `c<version>-<hash>-<format>`; the coding is appended per representation.
    base: String,
}

impl Validator {
    /// The validator of `request` (its document already resolved from a
    /// persisted hash, so text and hash give the same tag) at `version`, sent as `format`.
    pub fn new(version: i64, request: &async_graphql::Request, format: ResponseFormat) -> Self {
        let variables = serde_json::to_string(&request.variables).unwrap_or_default();
        let mut hash = Sha256::new();
        // Length-prefixed, so no two different triples hash the same bytes.
        for part in [
            request.query.as_str(),
            variables.as_str(),
            request.operation_name.as_deref().unwrap_or(""),
        ] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part.as_bytes());
        }
        let digest = hash.finalize();
        let format = match format {
            ResponseFormat::Json => "j",
            ResponseFormat::GraphQLResponse => "g",
        };
        Self {
            base: format!("c{version}-{}-{format}", hex::encode(&digest[..12])),
        }
    }

    /// The strong `ETag` of the representation sent in `encoding`: a
    /// compressed body is another representation, so it has a tag of its own.
    pub fn etag(&self, encoding: Encoding) -> HeaderValue {
        let text = match encoding {
            Encoding::Identity => format!("\"{}\"", self.base),
            coded => format!("\"{}-{}\"", self.base, coded.token()),
        };
        HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("\"-\""))
    }

    /// The tag of `If-None-Match` that names a representation of this answer
    /// (any coding), to send back with 304; `None` when the answer changed.
    ///
    /// Compared weakly, as RFC 9110 §13.1.2 has it for `If-None-Match`; `*`
    /// matches the current representation.
    pub fn matched(&self, headers: &HeaderMap) -> Option<HeaderValue> {
        let codings = [Encoding::Identity, Encoding::Gzip, Encoding::Br];
        for value in headers.get_all(header::IF_NONE_MATCH) {
            let Ok(value) = value.to_str() else { continue };
            for tag in value.split(',').map(str::trim) {
                if tag == "*" {
                    return Some(self.etag(Encoding::Identity));
                }
                let opaque = tag.strip_prefix("W/").unwrap_or(tag);
                if let Some(coding) = codings
                    .into_iter()
                    .find(|&c| self.etag(c).as_bytes() == opaque.as_bytes())
                {
                    return Some(self.etag(coding));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator(version: i64, query: &str, variables: serde_json::Value) -> Validator {
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables));
        Validator::new(version, &request, ResponseFormat::Json)
    }

    fn if_none_match(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn the_tag_changes_with_version_document_variables_format_and_coding() {
        let none = serde_json::json!({});
        let base = validator(1, "{ a }", none.clone());
        assert_eq!(base, validator(1, "{ a }", none.clone()), "stable");
        assert_ne!(base, validator(2, "{ a }", none.clone()));
        assert_ne!(base, validator(1, "{ b }", none.clone()));
        assert_ne!(base, validator(1, "{ a }", serde_json::json!({ "x": 1 })));
        let request = async_graphql::Request::new("{ a }");
        assert_ne!(
            base,
            Validator::new(1, &request, ResponseFormat::GraphQLResponse)
        );
        assert_ne!(base.etag(Encoding::Identity), base.etag(Encoding::Br));
        assert_ne!(base.etag(Encoding::Gzip), base.etag(Encoding::Br));
        assert!(base.etag(Encoding::Br).to_str().unwrap().ends_with("-br\""));
    }

    #[test]
    fn if_none_match_matches_any_coding_of_the_same_answer_only() {
        let v = validator(3, "{ a }", serde_json::json!({}));
        let br = v.etag(Encoding::Br);
        let matched = v.matched(&if_none_match(br.to_str().unwrap()));
        assert_eq!(
            matched,
            Some(br.clone()),
            "the tag sent is the one confirmed"
        );
        let weak = format!("W/{}", v.etag(Encoding::Identity).to_str().unwrap());
        assert!(
            v.matched(&if_none_match(&weak)).is_some(),
            "weak comparison"
        );
        let list = format!("\"other\", {}", v.etag(Encoding::Gzip).to_str().unwrap());
        assert!(v.matched(&if_none_match(&list)).is_some());
        assert!(v.matched(&if_none_match("*")).is_some());
        let older = validator(2, "{ a }", serde_json::json!({}));
        assert!(
            v.matched(&if_none_match(older.etag(Encoding::Br).to_str().unwrap()))
                .is_none(),
            "an import changes the answer"
        );
        assert!(v.matched(&HeaderMap::new()).is_none());
    }

    #[test]
    fn cache_control_names_both_settings() {
        assert_eq!(
            public(60, 30),
            "public, max-age=60, stale-while-revalidate=30"
        );
        assert_eq!(public(5, 0), "public, max-age=5");
    }
}
