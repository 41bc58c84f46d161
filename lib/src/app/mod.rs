//! The use cases: one function per action a user takes (`auth::login`, `collection::create`,
//! `exports::create`; later `invoices::issue`, `payments::record`).
//!
//! Each takes the state, the [`Actor`] (or, before a session exists, the request id) and input
//! already parsed into domain types; reads what it needs in one round trip; applies `domain`
//! rules; and builds and commits one transaction, idempotency included ([`idempotency`]).
//! It never sees HTTP: `http` parses, calls, and renders what comes back.
//! See docs/decisions/0008-use-case-layer.md.

pub mod account;
pub mod api_keys;
pub mod auth;
pub mod catalogue;
pub mod collection;
pub mod documents;
pub mod exports;
pub mod files;
pub mod idempotency;
pub mod invoices;
mod kinds;
pub mod links;
pub mod numbering;
pub mod payments;
pub mod proposals;
pub mod quota;
pub mod race;
pub mod reads;
pub mod recurring;
pub mod reminders;
pub mod sending;
pub mod suppressions;
mod totals;
pub mod trail;
pub mod webhooks;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::audit::{self, AuditEntry, Outcome};
use crate::domain::{TenantId, UserId};
use crate::store::{ConflictReason, SessionCheck, Store, StoreError, Tx};
use crate::telemetry::RequestId;

pub use crate::domain::FieldError;

/// Why a use case refused or failed. `http` maps each to its status, in one place.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid: {0:?}")]
    Invalid(Vec<FieldError>),
    /// A login that failed, for whatever reason: one answer, so it tells nothing.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The password was right; the user's second factor is needed too (`code` or
    /// `recovery_code`).
    #[error("second factor required")]
    SecondFactorRequired,
    /// What was asked needs the password (and second factor) confirmed within the last few
    /// minutes (`POST /v1/auth/reauthenticate`).
    #[error("reauthentication required")]
    ReauthenticationRequired,
    /// The account has spent an hourly quota (exports, PDFs, e-mails): try again later.
    #[error("quota exceeded")]
    QuotaExceeded { retry_after_seconds: u64 },
    /// Too many guesses: try again after the window.
    #[error("locked")]
    Locked { retry_after_seconds: u64 },
    /// The session has ended (or the account is no longer active).
    #[error("session ended")]
    Unauthenticated,
    #[error("not found")]
    NotFound,
    /// The caller may not do this (an API key where only the owner's session may act).
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A conflict with the state of the account that a field names (e.g. the invoice a
    /// proposal was already converted into).
    #[error("conflict: {0:?}")]
    ConflictField(FieldError),
    /// The record changed since the version the caller named.
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("unprocessable: {0}")]
    Unprocessable(&'static str),
    /// Well-formed fields the state of the account refuses (a credit above what is left),
    /// field by field.
    #[error("unprocessable fields: {0:?}")]
    UnprocessableFields(Vec<FieldError>),
    /// The mail service did not take a message: it refused it (`retry` false: 502) or could
    /// not take it now (`retry` true: 503). Nothing was marked sent.
    #[error("mail service: {detail}")]
    MailService { retry: bool, detail: String },
    /// The database could not be reached or did not answer in time; nothing was changed.
    #[error("the database is unavailable")]
    Unavailable,
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, detail)])
    }

    /// One well-formed field the state of the account refuses.
    pub fn unprocessable(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::UnprocessableFields(vec![FieldError::new(field, detail)])
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict {
                reason: ConflictReason::AlreadyExists,
                ..
            } => Self::Conflict("it already exists"),
            StoreError::BadCursor => Self::invalid("next", "not a cursor this list issued"),
            StoreError::Conflict {
                reason: ConflictReason::NotFound,
                ..
            } => Self::NotFound,
            StoreError::Conflict {
                reason: ConflictReason::VersionMismatch,
                ..
            } => Self::PreconditionFailed,
            StoreError::Conflict {
                reason: ConflictReason::SessionEnded,
                ..
            } => Self::Unauthenticated,
            StoreError::Conflict {
                reason: ConflictReason::Contended,
                ..
            } => Self::Conflict(
                "Another change to this record was being made at the same time; try again.",
            ),
            other if other.is_unavailable() => {
                tracing::warn!(
                    error = format!("{:#}", anyhow::Error::new(other)),
                    "the database is unavailable"
                );
                Self::Unavailable
            }
            other => Self::Store(other),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The record at `key` in the actor's partition, if there is one: what every use case reads.
async fn get<R: crate::store::Record>(
    state: &crate::AppState,
    actor: &(impl Tenanted + ?Sized),
    key: crate::store::ItemKey,
) -> Result<Option<crate::store::Stored<R>>> {
    // Boxed: the SDK's call futures are large, and an issue joins several of them.
    Ok(Box::pin(state.store.get::<R>(actor.tenant(), &key)).await?)
}

/// Today in the account's time zone (its settings'), by the state's clock.
fn today_in(
    state: &crate::AppState,
    settings: &crate::domain::settings::Settings,
) -> Result<crate::domain::time::Date> {
    settings
        .time_zone
        .today(state.clock.now())
        .ok_or_else(|| missing("time zone"))
}

/// A record every account has (its settings, its company profile) is missing.
fn missing(what: &str) -> Error {
    Error::Internal(anyhow::anyhow!("the account has no {what}"))
}

/// Whose data a read is of: an owner's session ([`Actor`]), or the account a document link
/// opens (its [`TenantId`]).
pub trait Tenanted: Sync {
    fn tenant(&self) -> &TenantId;
}

impl Tenanted for TenantId {
    fn tenant(&self) -> &TenantId {
        self
    }
}

impl Tenanted for Actor {
    fn tenant(&self) -> &TenantId {
        &self.tenant
    }
}

/// Who makes a change: an owner under a session ([`Actor`]), or a scheduled pass acting for
/// an account ([`Scheduled`]). The use cases both share (a send) take either.
pub trait Acting: Tenanted {
    /// A transaction on the account: for an owner, one that commits only while the session
    /// is live.
    fn transaction(
        &self,
        store: &Store,
    ) -> impl std::future::Future<Output = Result<Tx, StoreError>> + Send;
    /// An audit entry of this actor's (also logged).
    fn audit(&self, action: &'static str, object: Option<String>, outcome: Outcome) -> AuditEntry;
}

impl Acting for Actor {
    fn transaction(
        &self,
        store: &Store,
    ) -> impl std::future::Future<Output = Result<Tx, StoreError>> + Send {
        Actor::transaction(self, store)
    }

    fn audit(&self, action: &'static str, object: Option<String>, outcome: Outcome) -> AuditEntry {
        Actor::audit(self, action, object, outcome)
    }
}

/// A scheduled pass acting for one account (no user, no session): its audit entries name no
/// user. Made only by the scheduled use cases of this module.
#[derive(Debug, Clone)]
pub struct Scheduled {
    tenant: TenantId,
    request: RequestId,
}

impl Scheduled {
    pub(crate) fn new(tenant: TenantId, request: RequestId) -> Self {
        Self { tenant, request }
    }
}

impl Tenanted for Scheduled {
    fn tenant(&self) -> &TenantId {
        &self.tenant
    }
}

impl Acting for Scheduled {
    async fn transaction(&self, store: &Store) -> Result<Tx, StoreError> {
        store.transaction(&self.tenant).await
    }

    fn audit(&self, action: &'static str, object: Option<String>, outcome: Outcome) -> AuditEntry {
        audit::event(None, action, object, outcome, &self.request)
    }
}

/// How the actor proved who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    /// The owner's browser session.
    Session(SessionCheck),
    /// An API key the owner made: its secret's digest (its lookup item), and its name as the
    /// audit trail gives it.
    Key { digest: String, name: String },
}

/// Why an API key may not do what only the owner's session may.
pub const OWNER_ONLY: &str = "An API key cannot do this: managing keys and webhooks, the password and the account need the owner's session.";

/// Who acts: a user of a tenant, under a verified session or an API key the user made, in one
/// request. The only way a use case learns its tenant.
#[derive(Debug, Clone)]
pub struct Actor {
    tenant: TenantId,
    user: UserId,
    credential: Credential,
    request: RequestId,
    /// Set once a write has been made conditional on the session being live, so the session
    /// middleware need not check it again.
    guarded: Arc<AtomicBool>,
}

impl Actor {
    pub(crate) fn new(
        tenant: TenantId,
        user: UserId,
        credential: Credential,
        request: RequestId,
        guarded: Arc<AtomicBool>,
    ) -> Self {
        Self {
            tenant,
            user,
            credential,
            request,
            guarded,
        }
    }

    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    pub fn user(&self) -> &UserId {
        &self.user
    }

    /// The owner's session, for what only it may do; refused for an API key.
    pub fn check(&self) -> Result<&SessionCheck> {
        match &self.credential {
            Credential::Session(check) => Ok(check),
            Credential::Key { .. } => Err(Error::Forbidden(OWNER_ONLY)),
        }
    }

    pub fn request(&self) -> &RequestId {
        &self.request
    }

    /// Whether the actor may still act: its session live (a key was admitted when the request
    /// began, and each write made with it is conditional on it still working).
    pub async fn is_live(&self, store: &Store) -> Result<bool> {
        match &self.credential {
            Credential::Session(check) => Ok(store.session_is_live(&self.tenant, check).await?),
            Credential::Key { .. } => Ok(true),
        }
    }

    /// A transaction on the actor's account that commits only while the session is live (or
    /// the key still works).
    pub async fn transaction(&self, store: &Store) -> Result<Tx, StoreError> {
        let mut tx = store.transaction(&self.tenant).await?;
        match &self.credential {
            Credential::Session(check) => tx.require_session(check),
            Credential::Key { digest, .. } => tx.require_api_key(digest),
        };
        self.mark_guarded();
        Ok(tx)
    }

    /// Records that the use case made its write conditional on the session in another way
    /// (logout, password change).
    pub(crate) fn mark_guarded(&self) {
        self.guarded.store(true, Ordering::Release);
    }

    /// An audit entry of this actor's (also logged), naming the key when one was used.
    pub fn audit(
        &self,
        action: &'static str,
        object: Option<String>,
        outcome: Outcome,
    ) -> AuditEntry {
        let via = match &self.credential {
            Credential::Session(_) => None,
            Credential::Key { name, .. } => Some(audit::via_key(name)),
        };
        audit::event_via(
            Some(&self.user),
            via,
            action,
            object,
            outcome,
            &self.request,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_the_list_did_not_issue_is_refused_naming_next() {
        let Error::Invalid(errors) = Error::from(StoreError::BadCursor) else {
            panic!("a bad cursor is bad input");
        };
        assert_eq!(errors[0].field, "next");
    }
}
