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
    /// The webhooks' delivery queue (`WEBHOOK_QUEUE_URL`); empty where the function writes no
    /// events' deliveries (they then wait in the outbox for the sweep).
    pub webhook_queue_url: String,
    /// Whether a webhook may go to `http://` on a loopback address (`WEBHOOKS_ALLOW_LOOPBACK`
    /// = `true`): local development and tests only; the deployed template never sets it.
    pub webhooks_allow_loopback: bool,
    /// The pauses before each retry of a failed delivery (the product's:
    /// [`crate::domain::webhook::RETRY_PAUSES_SECONDS`]; tests shorten them).
    pub webhook_retry_pauses: Vec<std::time::Duration>,
    /// The ECC_NIST_P256 KMS key the audit trail's checkpoints are signed with
    /// (`AUDIT_KEY_ID`, [`crate::app::trail`]); empty where no function signs or checks them.
    pub audit_key_id: String,
    /// The HMAC key the web function vouches for its browsers' addresses with
    /// (`FORWARDING_KEY_ID`, [`crate::http::client`]); empty: none vouched for, none believed.
    pub forwarding_key_id: String,
    /// The role a request assumes for its tenant's partition (`TENANT_ROLE_ARN`, decision 0028);
    /// empty: the function's own credentials.
    pub tenant_role_arn: String,
    /// The secret CloudFront adds to every request it forwards (`EDGE_SECRET`,
    /// [`crate::http::edge`]); empty where there is no edge (locally), and nothing is checked.
    pub edge_secret: String,
    /// Each account's hourly quotas ([`crate::domain::throttle::QUOTAS`]; tests lower them).
    pub quotas: crate::domain::throttle::Quotas,
}

/// The product's pauses between a webhook's delivery attempts.
pub fn webhook_retry_pauses() -> Vec<std::time::Duration> {
    crate::domain::webhook::RETRY_PAUSES_SECONDS
        .iter()
        .map(|seconds| std::time::Duration::from_secs(*seconds))
        .collect()
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
            webhook_queue_url: env::var("WEBHOOK_QUEUE_URL").unwrap_or_default(),
            webhooks_allow_loopback: env::var("WEBHOOKS_ALLOW_LOOPBACK").is_ok_and(|v| v == "true"),
            webhook_retry_pauses: webhook_retry_pauses(),
            audit_key_id: env::var("AUDIT_KEY_ID").unwrap_or_default(),
            forwarding_key_id: env::var("FORWARDING_KEY_ID").unwrap_or_default(),
            edge_secret: env::var("EDGE_SECRET").unwrap_or_default(),
            tenant_role_arn: env::var("TENANT_ROLE_ARN").unwrap_or_default(),
            quotas: crate::domain::throttle::QUOTAS,
        })
    }
}

impl Config {
    /// Where this process lets a webhook go.
    pub fn webhook_reach(&self) -> crate::domain::webhook::Reach {
        if self.webhooks_allow_loopback {
            crate::domain::webhook::Reach::AlsoLoopback
        } else {
            crate::domain::webhook::Reach::PublicOnly
        }
    }

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
