//! Structured JSON logs. Lambda's log format setting is honoured by the runtime's subscriber;
//! nothing personal (names, emails, addresses, amounts, tokens) is ever logged.

/// Installs the process-wide subscriber once, at start-up.
pub fn init() {
    lambda_http::tracing::init_default_subscriber();
}

/// The id of the request being served: API Gateway's when it sent one, else a fresh ULID. It
/// names the request in every log line and audit item it causes, and in `X-Request-Id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);
