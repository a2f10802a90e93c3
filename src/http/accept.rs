//! Media types of GraphQL over HTTP: what a client accepts and sends.

use axum::http::{HeaderMap, header};

/// The two response media types of the GraphQL-over-HTTP spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseFormat {
    /// `application/graphql-response+json`: 4xx for requests that fail before execution.
    GraphQLResponse,
    /// `application/json`: 200 for every well-formed request (legacy clients).
    Json,
}

impl ResponseFormat {
    /// The Content-Type value.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphQLResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// Chooses the response format from `Accept`; `None` means 406.
///
/// No Accept header, `*/*` or `application/*` means `application/json`, as the
/// spec advises for the clients that predate it (curl, `fetch` without
/// headers): only a client that names `application/graphql-response+json`
/// understands its status codes. Ties between the two named types go to
/// `application/graphql-response+json`.
pub fn negotiate(headers: &HeaderMap) -> Option<ResponseFormat> {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return Some(ResponseFormat::Json);
    };
    let accept = accept.to_str().ok()?;
    let mut best: Option<(f32, ResponseFormat)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let candidates: &[ResponseFormat] = match media.as_str() {
            "application/graphql-response+json" => &[ResponseFormat::GraphQLResponse],
            "application/json" => &[ResponseFormat::Json],
            "*/*" | "application/*" => &[ResponseFormat::Json],
            _ => &[],
        };
        for &format in candidates {
            let better = match best {
                None => true,
                Some((bq, bf)) => {
                    q > bq || (q == bq && format == ResponseFormat::GraphQLResponse && bf != format)
                }
            };
            if better {
                best = Some((q, format));
            }
        }
    }
    best.map(|(_, f)| f)
}

/// Whether a request body is declared as JSON (`application/json`, any charset).
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<ResponseFormat> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, value.parse().unwrap());
        negotiate(&headers)
    }

    #[test]
    fn negotiates_by_preference() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(ResponseFormat::Json));
        assert_eq!(accept("application/json"), Some(ResponseFormat::Json));
        assert_eq!(
            accept("application/graphql-response+json"),
            Some(ResponseFormat::GraphQLResponse)
        );
        assert_eq!(accept("*/*"), Some(ResponseFormat::Json));
        assert_eq!(accept("application/*"), Some(ResponseFormat::Json));
        assert_eq!(
            accept("application/graphql-response+json, */*"),
            Some(ResponseFormat::GraphQLResponse)
        );
        assert_eq!(
            accept("application/json, application/graphql-response+json"),
            Some(ResponseFormat::GraphQLResponse)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.9, */*"),
            Some(ResponseFormat::Json)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Some(ResponseFormat::Json)
        );
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }
}
