//! Who is asking: the session middleware, the [`Session`] extractor, and the CSRF guard.
//!
//! A request to an account route must carry a session cookie whose token verifies (signature,
//! ES256, every claim). The session must also be live in the table (not logged out, not
//! revoked by a password change, account active) on every request, in every container:
//! - a safe request (GET) is checked concurrently with the handler, and its response is
//!   replaced by a 401 if the session turns out to have ended;
//! - an unsafe request's writes go through the use case's [`crate::app::Actor::transaction`],
//!   whose commit fails if the session has ended; a handler that wrote nothing that way is
//!   checked after it ran.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::ApiError;
use crate::AppState;
use crate::app::{Actor, Credential};
use crate::audit::{self, Outcome};
use crate::auth::{TokenError, VerifiedSession, cookie};
use crate::domain::api_key::{self, Scope, Secret};
use crate::domain::throttle::Budget;
use crate::domain::{TenantId, UserId};
use crate::store::SessionCheck;
use crate::store::{Admission, KeyHolder};
use crate::telemetry::RequestId;

/// The caller's verified session, or the API key it sent. The only way a handler learns its
/// tenant.
#[derive(Clone)]
pub struct Session(Arc<Inner>);

/// What the caller proved.
enum Proof {
    /// The owner's browser session (a signed cookie, live in the table).
    Cookie(VerifiedSession),
    /// An API key, admitted for this request (its name opened for the audit trail).
    Key(KeyHolder, String, String),
}

struct Inner {
    proof: Proof,
    now: i64,
    /// Set once a write has been made conditional on this session being live.
    guarded: Arc<AtomicBool>,
    /// Reads the handler made, audited once the session is known to be live (or not); those
    /// marked `kept` (downloads) are also written to the account's trail before the response
    /// is released.
    reads: Mutex<Vec<Read>>,
}

struct Read {
    action: &'static str,
    object: Option<String>,
    kept: bool,
}

impl Session {
    pub fn tenant(&self) -> &TenantId {
        match &self.0.proof {
            Proof::Cookie(verified) => &verified.tenant,
            Proof::Key(holder, ..) => &holder.tenant,
        }
    }

    pub fn user(&self) -> &UserId {
        match &self.0.proof {
            Proof::Cookie(verified) => &verified.user,
            Proof::Key(holder, ..) => &holder.user,
        }
    }

    /// For what only the owner's session may do (keys, the password, the account): 403 for
    /// a request made with an API key.
    pub fn owner(&self) -> Result<&Self, ApiError> {
        match &self.0.proof {
            Proof::Cookie(_) => Ok(self),
            Proof::Key(..) => Err(ApiError::Forbidden(crate::app::OWNER_ONLY)),
        }
    }

    /// The session's liveness check (none for a key: it was admitted at the request's start).
    fn check(&self) -> Option<SessionCheck> {
        match &self.0.proof {
            Proof::Cookie(verified) => Some(session_check(verified, self.0.now)),
            Proof::Key(..) => None,
        }
    }

    /// The caller as the use cases know it.
    pub fn actor(&self, request: &RequestId) -> Actor {
        let credential = match &self.0.proof {
            Proof::Key(_, digest, name) => Credential::Key {
                digest: digest.clone(),
                name: name.clone(),
            },
            Proof::Cookie(verified) => Credential::Session(session_check(verified, self.0.now)),
        };
        Actor::new(
            *self.tenant(),
            *self.user(),
            credential,
            request.clone(),
            self.0.guarded.clone(),
        )
    }

    /// Records a read for the audit log. It is logged when the response is released: as a
    /// success if the session was live, as `session_ended` if the response was withheld.
    pub fn record_read(&self, action: &'static str, object: Option<String>) {
        self.push_read(action, object, false);
    }

    /// Records a download (a document's PDF or UBL, an export's file): an entry in the
    /// account's audit trail, written before the response is released; if it cannot be
    /// written, the download is refused (503).
    pub fn record_download(&self, action: &'static str, object: Option<String>) {
        self.push_read(action, object, true);
    }

    fn push_read(&self, action: &'static str, object: Option<String>, kept: bool) {
        if let Ok(mut reads) = self.0.reads.lock() {
            reads.push(Read {
                action,
                object,
                kept,
            });
        }
    }

    /// Logs the reads, and returns the entries of those to keep in the trail.
    fn audit_reads(&self, outcome: Outcome, request: &RequestId) -> Vec<audit::AuditEntry> {
        let reads = self
            .0
            .reads
            .lock()
            .map(|mut reads| std::mem::take(&mut *reads))
            .unwrap_or_default();
        let via = match &self.0.proof {
            Proof::Key(_, _, name) => Some(crate::audit::via_key(name)),
            Proof::Cookie(_) => None,
        };
        let mut kept = Vec::new();
        for read in reads {
            let entry = audit::event_via(
                Some(self.user()),
                via.clone(),
                read.action,
                read.object,
                outcome,
                request,
            );
            if read.kept {
                kept.push(entry);
            }
        }
        kept
    }

    fn guarded(&self) -> bool {
        self.0.guarded.load(Ordering::Acquire)
    }
}

/// What a verified session's liveness is checked against, at `now`.
fn session_check(verified: &VerifiedSession, now: i64) -> SessionCheck {
    SessionCheck {
        user: verified.user,
        session: verified.session,
        version: verified.version,
        now,
        idle_seconds: crate::auth::token::IDLE_SECONDS,
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Present only behind `require_session`: a route without it fails closed.
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or(ApiError::Unauthenticated)
    }
}

/// A 401 that also removes the cookie, so the client stops sending a dead token.
fn ended() -> Response {
    let mut response = ApiError::Unauthenticated.into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie::clear_session());
    response
}

/// Middleware for every route that acts for an account: the session cookie, or an API key in
/// `Authorization: Bearer ifk_…` (then the cookie is not looked at).
pub async fn require_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(authorization) = req.headers().get(header::AUTHORIZATION).cloned() {
        return with_key(state, req, next, &authorization).await;
    }
    let Some(token) = cookie::session_token(req.headers()) else {
        return ApiError::Unauthenticated.into_response();
    };
    let now = state.clock.unix();
    let verified = match state.signer.verify(&token, now).await {
        Ok(verified) => verified,
        Err(TokenError::Refused(_)) => return ended(),
        Err(error @ TokenError::Kms(_)) => {
            return ApiError::Internal(anyhow::Error::new(error)).into_response();
        }
    };
    tracing::Span::current().record("tenant_id", tracing::field::display(verified.tenant));
    let session = Session(Arc::new(Inner {
        proof: Proof::Cookie(verified),
        now,
        guarded: Arc::new(AtomicBool::new(false)),
        reads: Mutex::new(Vec::new()),
    }));
    req.extensions_mut().insert(session.clone());
    let Some(check) = session.check() else {
        return ApiError::Unauthenticated.into_response();
    };
    let tenant = *session.tenant();

    if req.method().is_safe() {
        let request = request_id(&req);
        let (live, response) =
            tokio::join!(state.store.session_is_live(&tenant, &check), next.run(req));
        return match live {
            Ok(true) => {
                let kept = session.audit_reads(Outcome::Success, &request);
                released(&state, &tenant, kept, response).await
            }
            Ok(false) => {
                session.audit_reads(Outcome::SessionEnded, &request);
                tracing::info!("session ended: response withheld");
                ended()
            }
            Err(error) => ApiError::from(crate::app::Error::from(error)).into_response(),
        };
    }
    let response = next.run(req).await;
    if session.guarded() {
        return response;
    }
    match state.store.session_is_live(&tenant, &check).await {
        Ok(true) => response,
        Ok(false) => ended(),
        Err(error) => ApiError::from(crate::app::Error::from(error)).into_response(),
    }
}

/// The response, once the downloads it carries are entries in the account's trail (one
/// transaction); a 503 if they could not be written.
async fn released(
    state: &AppState,
    tenant: &TenantId,
    kept: Vec<audit::AuditEntry>,
    response: Response,
) -> Response {
    if kept.is_empty() || !(response.status().is_success() || response.status().is_redirection()) {
        return response;
    }
    let written = async {
        let mut tx = state.store.transaction(tenant).await?;
        for entry in &kept {
            tx.audit(entry);
        }
        state.store.commit(tx).await
    };
    match written.await {
        Ok(()) => response,
        Err(error) => ApiError::from(crate::app::Error::from(error)).into_response(),
    }
}

fn request_id(req: &Request) -> RequestId {
    req.extensions()
        .get::<RequestId>()
        .cloned()
        .unwrap_or_else(|| RequestId::internal(String::new()))
}

/// Requests an API key may make a minute.
const KEY_BUDGET: Budget = Budget {
    max: api_key::REQUESTS_PER_MINUTE,
    window_seconds: 60,
};

/// A request with an API key: admitted by one conditional update of the key's lookup item
/// (it works, and this minute's requests are not spent); a `read` key may only read. A wrong,
/// revoked or expired key gets the same 401 as none.
async fn with_key(
    state: AppState,
    mut req: Request,
    next: Next,
    authorization: &HeaderValue,
) -> Response {
    let secret = authorization
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .and_then(|secret| Secret::parse(secret.trim()));
    let Some(secret) = secret else {
        return ApiError::Unauthenticated.into_response();
    };
    let now = state.clock.unix();
    let digest = secret.digest();
    let holder = match state.store.admit_api_key(&digest, now, KEY_BUDGET).await {
        Ok(Admission::Admitted(holder)) => holder,
        Ok(Admission::Refused) => return ApiError::Unauthenticated.into_response(),
        Ok(Admission::Limited {
            retry_after_seconds,
        }) => {
            return ApiError::TooManyRequests {
                retry_after_seconds,
            }
            .into_response();
        }
        Err(error) => return ApiError::from(crate::app::Error::from(error)).into_response(),
    };
    if holder.scope == Scope::Read && !req.method().is_safe() {
        return ApiError::Forbidden("This key may only read: its scope is `read`.").into_response();
    }
    let name = match state.store.cipher(&holder.tenant).await {
        Ok(cipher) => cipher
            .open(
                crate::store::keys::api_key_lookup(&digest).pk.as_bytes(),
                &holder.sealed_name,
            )
            .ok()
            .and_then(|name| String::from_utf8(name).ok()),
        // A closed account's data key is refused: its keys are refused with it.
        Err(error) => {
            return match state.store.is_closed(&holder.tenant).await {
                Ok(Some(false)) => ApiError::from(crate::app::Error::from(error)).into_response(),
                _ => ApiError::Unauthenticated.into_response(),
            };
        }
    };
    let Some(name) = name else {
        return ApiError::Internal(anyhow::anyhow!("a key's name did not open")).into_response();
    };
    tracing::Span::current().record("tenant_id", tracing::field::display(holder.tenant));
    let session = Session(Arc::new(Inner {
        proof: Proof::Key(holder, digest, name),
        now,
        guarded: Arc::new(AtomicBool::new(false)),
        reads: Mutex::new(Vec::new()),
    }));
    req.extensions_mut().insert(session.clone());
    let request = request_id(&req);
    let tenant = *session.tenant();
    if !req.method().is_safe() {
        // A closed account's keys change nothing (its data key is on its way out); every
        // write is also conditional on the key still working and the account being active.
        return match state.store.is_closed(&tenant).await {
            Ok(Some(false)) => next.run(req).await,
            Ok(_) => ApiError::Unauthenticated.into_response(),
            Err(error) => ApiError::from(crate::app::Error::from(error)).into_response(),
        };
    }
    // A read is answered only if the account is still open (checked beside the handler, as
    // a session's liveness is): a closed account's keys read nothing.
    let (closed, response) = tokio::join!(state.store.is_closed(&tenant), next.run(req));
    match closed {
        Ok(Some(false)) => {
            let kept = session.audit_reads(Outcome::Success, &request);
            released(&state, &tenant, kept, response).await
        }
        Ok(_) => {
            session.audit_reads(Outcome::SessionEnded, &request);
            ApiError::Unauthenticated.into_response()
        }
        Err(error) => ApiError::from(crate::app::Error::from(error)).into_response(),
    }
}

/// The header a cross-site form cannot send.
pub const CSRF_HEADER: &str = "x-requested-with";

/// CSRF defence for every unsafe method: the `X-Requested-With` header must be present, and an
/// `Origin`, when sent, must be one of the configured origins. Otherwise 403, before any handler.
/// A request with an API key (`Authorization`) needs neither.
pub async fn csrf_guard(allowed: Arc<[String]>, req: Request, next: Next) -> Response {
    // A request with an API key carries no ambient credential: a cross-site form cannot set
    // `Authorization`, and with it the session cookie is not looked at.
    if req.method().is_safe() || req.headers().contains_key(header::AUTHORIZATION) {
        return next.run(req).await;
    }
    let has_header = req
        .headers()
        .get(CSRF_HEADER)
        .is_some_and(|value| !value.is_empty());
    if !has_header {
        return ApiError::Forbidden("Send the X-Requested-With header with every unsafe request.")
            .into_response();
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let allowed_origin = origin
            .to_str()
            .is_ok_and(|origin| allowed.iter().any(|allowed| allowed == origin));
        if !allowed_origin {
            return ApiError::Forbidden("The request's Origin is not allowed.").into_response();
        }
    }
    next.run(req).await
}

/// Adds a `Set-Cookie` to a response.
pub(crate) fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// A resource's routes behind [`require_session`], with the state: what a function serves
/// (after [`super::finish`]) and what the local server merges.
pub fn guarded(routes: axum::Router<AppState>, state: AppState) -> axum::Router {
    routes
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_session,
        ))
        .with_state(state)
}
