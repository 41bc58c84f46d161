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
use crate::app::Actor;
use crate::audit::{self, Outcome};
use crate::auth::{TokenError, VerifiedSession, cookie};
use crate::domain::{SessionId, TenantId, UserId};
use crate::store::SessionCheck;
use crate::telemetry::RequestId;

/// The caller's verified session. The only way a handler learns its tenant.
#[derive(Clone)]
pub struct Session(Arc<Inner>);

struct Inner {
    verified: VerifiedSession,
    now: i64,
    /// Set once a write has been made conditional on this session being live.
    guarded: Arc<AtomicBool>,
    /// Reads the handler made, audited once the session is known to be live (or not).
    reads: Mutex<Vec<(&'static str, Option<String>)>>,
}

impl Session {
    pub fn tenant(&self) -> &TenantId {
        &self.0.verified.tenant
    }

    pub fn user(&self) -> &UserId {
        &self.0.verified.user
    }

    pub fn id(&self) -> &SessionId {
        &self.0.verified.session
    }

    pub fn version(&self) -> u64 {
        self.0.verified.version
    }

    pub fn check(&self) -> SessionCheck {
        SessionCheck {
            user: self.0.verified.user,
            session: self.0.verified.session,
            version: self.0.verified.version,
            now: self.0.now,
        }
    }

    /// The caller as the use cases know it.
    pub fn actor(&self, request: &RequestId) -> Actor {
        Actor::new(
            self.0.verified.tenant,
            self.0.verified.user,
            self.check(),
            request.clone(),
            self.0.guarded.clone(),
        )
    }

    /// Records a read for the audit log. It is logged when the response is released: as a
    /// success if the session was live, as `session_ended` if the response was withheld.
    pub fn record_read(&self, action: &'static str, object: Option<String>) {
        if let Ok(mut reads) = self.0.reads.lock() {
            reads.push((action, object));
        }
    }

    fn audit_reads(&self, outcome: Outcome, request: &RequestId) {
        let reads = self
            .0
            .reads
            .lock()
            .map(|mut reads| std::mem::take(&mut *reads))
            .unwrap_or_default();
        for (action, object) in reads {
            audit::event(Some(self.user()), action, object, outcome, request);
        }
    }

    fn guarded(&self) -> bool {
        self.0.guarded.load(Ordering::Acquire)
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

/// Middleware for every route that acts for an account.
pub async fn require_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
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
        verified,
        now,
        guarded: Arc::new(AtomicBool::new(false)),
        reads: Mutex::new(Vec::new()),
    }));
    req.extensions_mut().insert(session.clone());
    let check = session.check();
    let tenant = *session.tenant();

    if req.method().is_safe() {
        let request = req
            .extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(|| RequestId(String::new()));
        let (live, response) =
            tokio::join!(state.store.session_is_live(&tenant, &check), next.run(req));
        return match live {
            Ok(true) => {
                session.audit_reads(Outcome::Success, &request);
                response
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

/// The header a cross-site form cannot send.
pub const CSRF_HEADER: &str = "x-requested-with";

/// CSRF defence for every unsafe method: the `X-Requested-With` header must be present, and an
/// `Origin`, when sent, must be one of the configured origins. Otherwise 403, before any handler.
pub async fn csrf_guard(allowed: Arc<[String]>, req: Request, next: Next) -> Response {
    if req.method().is_safe() {
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
