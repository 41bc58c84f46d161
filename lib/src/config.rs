//! Configuration from the environment, read once per cold start.

use std::env;

#[derive(Debug, Clone, thiserror::Error)]
#[error("environment variable {0} is not set")]
pub struct MissingSetting(pub &'static str);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The single DynamoDB table.
    pub table_name: String,
    /// The bucket CSV exports are written to.
    pub export_bucket: String,
    /// The symmetric KMS key that wraps tenants' data keys.
    pub tenant_key_id: String,
    /// The symmetric KMS key export files are encrypted under (SSE-KMS, tenant in the context).
    pub export_key_id: String,
    /// The ECC_NIST_P256 KMS key that signs sessions.
    pub signing_key_id: String,
    /// Origins allowed to make unsafe requests (CSRF defence).
    pub allowed_origins: Vec<String>,
    /// The platform's address documents are e-mailed from (`MAIL_FROM`, an identity verified
    /// in Amazon SES); empty where the function sends no mail.
    pub mail_from: String,
    /// The SES configuration set whose events (delivery, bounce, complaint, reject) reach the
    /// `deliveries` function (`MAIL_CONFIGURATION_SET`); empty where none is set up (locally:
    /// the emulator produces no events, and tests feed them).
    pub mail_configuration_set: String,
}

impl Config {
    pub fn from_env() -> Result<Self, MissingSetting> {
        let required = |name: &'static str| env::var(name).map_err(|_| MissingSetting(name));
        Ok(Self {
            table_name: required("TABLE_NAME")?,
            export_bucket: required("EXPORT_BUCKET")?,
            tenant_key_id: required("TENANT_KEY_ID")?,
            export_key_id: required("EXPORT_KEY_ID")?,
            signing_key_id: required("SIGNING_KEY_ID")?,
            allowed_origins: allowed_origins(),
            mail_from: env::var("MAIL_FROM").unwrap_or_default(),
            mail_configuration_set: env::var("MAIL_CONFIGURATION_SET").unwrap_or_default(),
        })
    }
}

impl Config {
    /// The site's own origin (the first allowed origin): where a document's page is.
    pub fn site_origin(&self) -> Option<&str> {
        self.allowed_origins.first().map(String::as_str)
    }
}

/// `ALLOWED_ORIGINS`: the origins allowed to make unsafe requests (the CSRF guard's).
pub fn allowed_origins() -> Vec<String> {
    env::var("ALLOWED_ORIGINS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(str::to_owned)
        .collect()
}
