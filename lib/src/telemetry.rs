//! Structured JSON logs. Lambda's log format setting is honoured by the runtime's subscriber;
//! nothing personal (names, emails, addresses, amounts, tokens) is ever logged.

/// Installs the process-wide subscriber once, at start-up.
pub fn init() {
    lambda_http::tracing::init_default_subscriber();
}
