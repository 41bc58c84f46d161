//! The audit trail: every security event and every change is written as an audit item in the
//! tenant's partition (in the same transaction as the change) and as a structured log line.
//! Neither ever holds a secret or the contents of a record.

use crate::domain::UserId;
pub use crate::store::AuditEntry;
use crate::telemetry::RequestId;

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    WrongPassword,
    /// The password was right, the second factor's code was not.
    WrongSecondFactor,
    UnknownEmail,
    Locked,
    SessionEnded,
    /// What was to be done was refused (a scheduled send to no address).
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::WrongPassword => "wrong_password",
            Self::WrongSecondFactor => "wrong_second_factor",
            Self::UnknownEmail => "unknown_email",
            Self::Locked => "locked",
            Self::SessionEnded => "session_ended",
            Self::Refused => "refused",
        }
    }
}

/// How the trail names a request made with the API key called `name` (its `via`).
pub fn via_key(name: &str) -> String {
    format!("key {name}")
}

/// Logs one audited action (the line carries the request span's tenant and request id) and
/// returns the entry to store, if there is a tenant to store it under.
pub fn event(
    actor: Option<&UserId>,
    action: &'static str,
    object: Option<String>,
    outcome: Outcome,
    request: &RequestId,
) -> AuditEntry {
    event_via(actor, None, action, object, outcome, request)
}

/// As [`event`], for an actor who used a credential other than the session (`key <name>`).
pub fn event_via(
    actor: Option<&UserId>,
    via: Option<String>,
    action: &'static str,
    object: Option<String>,
    outcome: Outcome,
    request: &RequestId,
) -> AuditEntry {
    tracing::info!(
        target: "audit",
        actor = actor.map(|user| user.to_string()),
        via = via.as_deref(),
        action,
        object = object.as_deref(),
        outcome = outcome.as_str(),
        "audit"
    );
    AuditEntry {
        actor: actor.copied(),
        action: action.to_owned(),
        object,
        outcome: outcome.as_str().to_owned(),
        request_id: Some(request.id.clone()),
        via,
        ip: request.client.ip.map(|ip| ip.to_string()),
        user_agent: request.client.user_agent.clone(),
    }
}
