//! The JSON body extractor: `application/json` only, unknown fields refused, and every refusal
//! a problem+json naming the field (by its JSON path).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::problem::{ApiError, FieldError};

/// A request body of type `T`. Request types use `#[serde(deny_unknown_fields)]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        parse(&bytes).map(Json)
    }
}

/// A request body of type `T` and its bytes (for `Idempotency-Key`: the same key with another
/// body is another request; the use case fingerprints the bytes under the tenant's key).
#[derive(Debug, Clone)]
pub struct Fingerprinted<T> {
    pub value: T,
    pub bytes: Bytes,
}

impl<T, S> FromRequest<S> for Fingerprinted<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        let value = parse(&bytes)?;
        Ok(Self { value, bytes })
    }
}

/// An optional request body: none at all (no `Content-Type`, no bytes) is `T::default()`;
/// anything else is read as [`Fingerprinted`] reads it.
#[derive(Debug, Clone)]
pub struct OptionalBody<T>(pub Fingerprinted<T>);

impl<T, S> FromRequest<S> for OptionalBody<T>
where
    T: DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if req.headers().get(header::CONTENT_TYPE).is_some() {
            return Fingerprinted::from_request(req, state).await.map(Self);
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::MalformedBody("the body could not be read".into()))?;
        if !bytes.is_empty() {
            return Err(ApiError::UnsupportedMediaType);
        }
        Ok(Self(Fingerprinted {
            value: T::default(),
            bytes,
        }))
    }
}

/// The body of a request that says it is JSON (415 otherwise), within the size limit.
async fn json_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    if !is_json(req.headers().get(header::CONTENT_TYPE)) {
        return Err(ApiError::UnsupportedMediaType);
    }
    Bytes::from_request(req, state)
        .await
        .map_err(|rejection: BytesRejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::MalformedBody("the body could not be read".into())
            }
        })
}

fn is_json(content_type: Option<&axum::http::HeaderValue>) -> bool {
    let Some(value) = content_type.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// Deserialises `bytes`, turning serde's error into one that names the field. Every request
/// body of the API is a JSON object: serde would also read a struct from an array of its
/// fields in order (`[null, null]`), which no schema describes, so anything else is refused.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
    {
        return Err(ApiError::Invalid(vec![FieldError::new(
            "body",
            "must be a JSON object",
        )]));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::MalformedBody(format!(
                "not valid JSON (line {}, column {})",
                inner.line(),
                inner.column()
            ));
        }
        ApiError::Invalid(vec![field_error(&path, &inner.to_string())])
    })?;
    deserializer
        .end()
        .map_err(|_| ApiError::MalformedBody("trailing characters after the JSON value".into()))?;
    Ok(value)
}

/// serde_path_to_error's path already ends at an unknown field; a missing one is reported at its
/// parent's path, with the name in backticks.
fn field_error(path: &str, message: &str) -> FieldError {
    // serde_json appends " at line L column C"; the path says where already.
    let message = message.split(" at line ").next().unwrap_or(message);
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(|name| join_path(path, name))
    };
    if message.starts_with("unknown field `") {
        return FieldError::new(path, "unknown field");
    }
    if let Some(field) = named("missing field `") {
        return FieldError::new(field, "required");
    }
    let field = if path == "." {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    FieldError::new(field, message)
}

fn join_path(parent: &str, name: &str) -> String {
    if parent == "." || parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_that_is_not_an_object_is_refused_naming_the_body() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Optional {
            a: Option<u8>,
            b: Option<u8>,
        }
        for body in ["[null, null]", " [1]", "\"x\"", "7", "null"] {
            match parse::<Optional>(body.as_bytes()) {
                Err(ApiError::Invalid(errors)) => assert_eq!(errors[0].field, "body", "{body}"),
                other => panic!("{body}: {other:?}"),
            }
        }
        assert!(parse::<Optional>(b" {\"a\": 1}").is_ok());
    }
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Address {
        city: String,
        lines: Vec<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Customer {
        name: String,
        billing_address: Option<Address>,
    }

    fn refused_field(body: &str) -> String {
        match parse::<Customer>(body.as_bytes()) {
            Err(ApiError::Invalid(errors)) => errors[0].field.clone(),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn an_unknown_field_is_named() {
        assert_eq!(refused_field(r#"{"name": "a", "admin": true}"#), "admin");
        assert_eq!(
            refused_field(
                r#"{"name": "a", "billing_address": {"city": "x", "lines": [], "zip": 1}}"#
            ),
            "billing_address.zip"
        );
    }

    #[test]
    fn a_missing_field_is_named() {
        assert_eq!(refused_field(r#"{}"#), "name");
    }

    #[test]
    fn a_field_of_the_wrong_type_is_named_by_its_path() {
        assert_eq!(
            refused_field(r#"{"name": "a", "billing_address": {"city": "x", "lines": [1]}}"#),
            "billing_address.lines[0]"
        );
    }

    #[test]
    fn broken_json_is_a_malformed_body() {
        for body in ["{", "", "nul", r#"{"name": "a"} x"#] {
            assert!(
                matches!(
                    parse::<Customer>(body.as_bytes()),
                    Err(ApiError::MalformedBody(_))
                ),
                "{body:?}"
            );
        }
    }

    #[test]
    fn only_json_content_types_are_accepted() {
        let value = |s: &'static str| axum::http::HeaderValue::from_static(s);
        assert!(is_json(Some(&value("application/json"))));
        assert!(is_json(Some(&value("application/json; charset=utf-8"))));
        assert!(!is_json(Some(&value("text/plain"))));
        assert!(!is_json(Some(&value("application/x-www-form-urlencoded"))));
        assert!(!is_json(None));
    }
}
