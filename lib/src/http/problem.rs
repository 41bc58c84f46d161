//! Errors as RFC 9457 `application/problem+json`, mapped to HTTP in this one place.
//!
//! A 500 says nothing of its cause: the cause goes to the log, under the request id that the
//! response also carries (`X-Request-Id`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app;

pub use crate::app::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid request: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("request body is not valid JSON")]
    MalformedBody(String),
    #[error("authentication required")]
    Unauthenticated,
    /// A login that failed, for whatever reason: one answer, so it tells nothing.
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("second factor required")]
    SecondFactorRequired,
    #[error("reauthentication required")]
    ReauthenticationRequired,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("conflict: {0:?}")]
    ConflictField(FieldError),
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("precondition required: {0}")]
    PreconditionRequired(&'static str),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("unprocessable: {0}")]
    Unprocessable(&'static str),
    /// Well-formed, but the state of the account refuses it for these reasons, field by field.
    #[error("unprocessable fields: {0:?}")]
    UnprocessableFields(Vec<FieldError>),
    #[error("too many requests")]
    TooManyRequests { retry_after_seconds: u64 },
    #[error("a dependency is unavailable")]
    Unavailable,
    /// The mail service refused a message (502) or could not take it now (503).
    #[error("mail service: {detail}")]
    MailService { retry: bool, detail: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, detail)])
    }
}

/// The seconds a client is asked to wait when the database did not answer.
const UNAVAILABLE_RETRY_AFTER: &str = "2";

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The fields that were refused, each with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, slug, title, detail, errors) = match self {
            Self::Invalid(errors) => {
                let detail = errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", ");
                (StatusCode::BAD_REQUEST, "invalid-request", "Invalid request", Some(format!("Refused: {detail}")), errors)
            }
            Self::MalformedBody(detail) => {
                (StatusCode::BAD_REQUEST, "malformed-body", "Malformed request body", Some(detail), vec![])
            }
            Self::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required", None, vec![]),
            Self::InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                "invalid-credentials",
                "Invalid email or password",
                Some("The email and password do not match an account.".into()),
                vec![],
            ),
            Self::SecondFactorRequired => (
                StatusCode::UNAUTHORIZED,
                "second-factor-required",
                "A second factor is required",
                Some("Send the code from your authenticator app as `code`, or a recovery code as `recovery_code`, with the email and password.".into()),
                vec![FieldError::new("code", "required")],
            ),
            Self::ReauthenticationRequired => (
                StatusCode::FORBIDDEN,
                "reauthentication-required",
                "Confirm your password first",
                Some("This needs your password (and second factor) confirmed within the last 5 minutes: POST /v1/auth/reauthenticate, then try again.".into()),
                vec![FieldError::new("password", "must be confirmed again")],
            ),
            Self::Forbidden(why) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden", Some(why.into()), vec![]),
            Self::NotFound => (StatusCode::NOT_FOUND, "not-found", "Not found", None, vec![]),
            Self::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed", None, vec![])
            }
            Self::Conflict(why) => (StatusCode::CONFLICT, "conflict", "Conflict", Some(why.into()), vec![]),
            Self::ConflictField(error) => {
                (StatusCode::CONFLICT, "conflict", "Conflict", Some(error.detail.clone()), vec![error])
            }
            Self::PreconditionFailed => (
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "Precondition failed",
                Some("The resource has changed since it was read: read it again and retry with the new ETag.".into()),
                vec![],
            ),
            Self::PreconditionRequired(header) => (
                StatusCode::PRECONDITION_REQUIRED,
                "precondition-required",
                "Precondition required",
                Some(format!("Send the {header} header.")),
                vec![FieldError::new(header, "required")],
            ),
            Self::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "Payload too large", None, vec![])
            }
            Self::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                Some("Send the body as application/json.".into()),
                vec![FieldError::new("content-type", "must be application/json")],
            ),
            Self::Unprocessable(why) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable", "Unprocessable request", Some(why.into()), vec![])
            }
            Self::UnprocessableFields(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                "Unprocessable request",
                Some(match errors.as_slice() {
                    [one] => one.detail.clone(),
                    all => all
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.detail))
                        .collect::<Vec<_>>()
                        .join("; "),
                }),
                errors,
            ),
            Self::TooManyRequests { retry_after_seconds } => {
                let problem = problem(StatusCode::TOO_MANY_REQUESTS, "too-many-requests", "Too many requests", None, vec![]);
                let mut response = problem.into_response();
                if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                return response;
            }
            Self::MailService { retry: true, detail } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "mail-unavailable",
                "The mail service is unavailable",
                Some(format!("{detail} Nothing was sent or marked; send again later.")),
                vec![],
            ),
            Self::MailService { retry: false, detail } => (
                StatusCode::BAD_GATEWAY,
                "mail-refused",
                "The mail service refused the message",
                Some(format!("{detail} Nothing was marked sent.")),
                vec![],
            ),
            Self::Unavailable => {
                let problem = problem(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Service unavailable",
                    Some("The database did not answer; nothing was changed. Try again shortly.".into()),
                    vec![],
                );
                let mut response = problem.into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static(UNAVAILABLE_RETRY_AFTER));
                return response;
            }
            Self::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", None, vec![])
            }
        };
        problem(status, slug, title, detail, errors).into_response()
    }
}

struct ProblemResponse(StatusCode, Problem);

fn problem(
    status: StatusCode,
    slug: &str,
    title: &'static str,
    detail: Option<String>,
    errors: Vec<FieldError>,
) -> ProblemResponse {
    ProblemResponse(
        status,
        Problem {
            kind: format!("urn:invoiceflow:problem:{slug}"),
            title,
            status: status.as_u16(),
            detail,
            errors,
        },
    )
}

impl IntoResponse for ProblemResponse {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.1).unwrap_or_default();
        (
            self.0,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            )],
            body,
        )
            .into_response()
    }
}

impl From<app::Error> for ApiError {
    fn from(error: app::Error) -> Self {
        match error {
            app::Error::Invalid(errors) => Self::Invalid(errors),
            app::Error::InvalidCredentials => Self::InvalidCredentials,
            app::Error::SecondFactorRequired => Self::SecondFactorRequired,
            app::Error::QuotaExceeded {
                retry_after_seconds,
            } => Self::TooManyRequests {
                retry_after_seconds,
            },
            app::Error::ReauthenticationRequired => Self::ReauthenticationRequired,
            app::Error::Locked {
                retry_after_seconds,
            } => Self::TooManyRequests {
                retry_after_seconds,
            },
            app::Error::Unauthenticated => Self::Unauthenticated,
            app::Error::NotFound => Self::NotFound,
            app::Error::Forbidden(why) => Self::Forbidden(why),
            app::Error::Conflict(why) => Self::Conflict(why),
            app::Error::ConflictField(error) => Self::ConflictField(error),
            app::Error::PreconditionFailed => Self::PreconditionFailed,
            app::Error::Unprocessable(why) => Self::Unprocessable(why),
            app::Error::UnprocessableFields(errors) => Self::UnprocessableFields(errors),
            app::Error::MailService { retry, detail } => Self::MailService { retry, detail },
            app::Error::Unavailable => Self::Unavailable,
            app::Error::Store(error) => Self::Internal(anyhow::Error::new(error)),
            app::Error::Internal(error) => Self::Internal(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body_of(error: ApiError) -> (StatusCode, serde_json::Value, Response) {
        let response = error.into_response();
        let status = response.status();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        let json = serde_json::from_slice(&bytes).expect("problem is JSON");
        (
            status,
            json,
            Response::from_parts(parts, axum::body::Body::empty()),
        )
    }

    #[tokio::test]
    async fn an_invalid_field_is_a_400_problem_naming_it() {
        let (status, body, response) =
            body_of(ApiError::invalid("email", "not an email address")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        assert_eq!(body["status"], 400);
        assert_eq!(body["errors"][0]["field"], "email");
    }

    #[tokio::test]
    async fn an_internal_error_does_not_leak_its_cause() {
        let (status, body, _) = body_of(ApiError::Internal(anyhow::anyhow!(
            "table t-secret unreachable"
        )))
        .await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.to_string().contains("t-secret"), "{body}");
    }

    #[tokio::test]
    async fn too_many_requests_says_when_to_retry() {
        let (status, _, response) = body_of(ApiError::TooManyRequests {
            retry_after_seconds: 90,
        })
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "90");
    }

    #[tokio::test]
    async fn an_unavailable_database_is_a_503_that_says_when_to_retry() {
        let (status, body, response) = body_of(app::Error::Unavailable.into()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["type"], "urn:invoiceflow:problem:unavailable");
        assert_eq!(
            response.headers()[header::RETRY_AFTER],
            UNAVAILABLE_RETRY_AFTER
        );
    }

    #[tokio::test]
    async fn a_bad_cursor_is_a_400_naming_the_next_parameter() {
        let refused = app::Error::invalid("next", "not a cursor this list issued");
        let (status, body, _) = body_of(refused.into()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["errors"][0]["field"], "next");
    }
}
