//! Extractors whose every rejection is a problem+json, like the rest of the API.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::problem::ApiError;

/// The one `{id}` of a route's path. A value that cannot even be decoded (`%FF`) names no
/// record, so it is a 404 like any other unknown id: never axum's plain-text 400.
#[derive(Debug, Clone)]
pub struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(id)| Self(id))
            .map_err(|_| ApiError::NotFound)
    }
}
