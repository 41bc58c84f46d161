//! Optimistic concurrency over HTTP: a record's version is its `ETag`; a change must name the
//! version it was based on in `If-Match` (428 without it, 412 when it is stale: decided by the
//! conditional write itself).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};

use super::problem::ApiError;

/// The `ETag` of a record at `version`.
pub fn etag(version: u64) -> HeaderValue {
    // Digits and quotes only: always a valid header value.
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The version a change was based on, from `If-Match`: `None` for `*` (RFC 9110 §13.1.1: true
/// whenever a current representation exists, so the change applies to whatever version is there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub Option<u64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(header::IF_MATCH)
            .ok_or(ApiError::PreconditionRequired("If-Match"))?;
        let text = value.to_str().unwrap_or_default().trim();
        if text == "*" {
            return Ok(IfMatch(None));
        }
        text.strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
            .and_then(|version| version.parse().ok())
            .map(|version| IfMatch(Some(version)))
            .ok_or_else(|| {
                ApiError::invalid(
                    "If-Match",
                    "must be the ETag of the record, e.g. \"3\", or *",
                )
            })
    }
}
