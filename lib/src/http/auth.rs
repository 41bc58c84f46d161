//! The `auth` function: signup, login, logout, the current session, password change.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router, middleware};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::json::Json;
use super::layers::RequestId;
use super::problem::{ApiError, FieldError};
use super::session::{Session, require_session, with_cookie};
use crate::AppState;
use crate::audit::{self, Outcome};
use crate::auth::token::{Claims, SESSION_SECONDS};
use crate::auth::{Password, cookie, password, throttle};
use crate::domain::account::{CompanyProfile, User};
use crate::domain::settings::Settings;
use crate::domain::values::{EmailAddress, Name};
use crate::domain::{SessionId, TenantId, Timestamp, UserId};
use crate::store::{ConflictReason, LoginFailures, StoreError, Stored, keys};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup))
        .routes(routes!(login))
}

/// Routes that need a live session.
pub fn session_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(logout))
        .routes(routes!(current_session))
        .routes(routes!(change_password))
}

/// The function's router: [`api`] with every layer a response needs.
pub fn router(state: AppState) -> Router {
    let config = state.config.clone();
    super::finish(api(state), &config)
}

/// The routes alone, to merge with other resources' before [`super::finish`].
pub fn api(state: AppState) -> Router {
    let (open, _) = routes().split_for_parts();
    let (guarded, _) = session_routes().split_for_parts();
    let guarded = guarded.layer(middleware::from_fn_with_state(
        state.clone(),
        require_session,
    ));
    open.merge(guarded).with_state(state)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    /// Your name.
    pub name: Name,
    /// The address you will log in with.
    pub email: EmailAddress,
    pub password: Password,
    /// Your business's name (the company profile's legal name; change it later).
    pub company_name: Name,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: EmailAddress,
    pub password: Password,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    pub current_password: Password,
    pub new_password: Password,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub name: Name,
    pub email: EmailAddress,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: TenantId,
    pub created_at: Timestamp,
}

/// Who is logged in.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub user: UserView,
    pub account: AccountView,
}

impl SessionView {
    fn new(tenant: TenantId, user_id: UserId, user: &Stored<User>) -> Self {
        Self {
            user: UserView {
                id: user_id,
                name: user.record.name.clone(),
                email: user.record.email.clone(),
            },
            // The account and its first user are created in one transaction, at one time.
            account: AccountView {
                id: tenant,
                created_at: user.created_at,
            },
        }
    }
}

fn weak_password(field: &str, error: crate::domain::values::ValueError) -> ApiError {
    ApiError::Invalid(vec![FieldError::new(field, error.0)])
}

/// Issues the session cookie for a freshly signed token.
fn session_response(status: StatusCode, body: Option<SessionView>, token: &str) -> Response {
    let response = match body {
        Some(body) => (status, axum::Json(body)).into_response(),
        None => status.into_response(),
    };
    match cookie::set_session(token, SESSION_SECONDS) {
        Some(value) => with_cookie(response, value),
        None => ApiError::Internal(anyhow::anyhow!("session token is not a header value"))
            .into_response(),
    }
}

/// Create an account, log in to it.
///
/// Creates, in one transaction, the account (with its own data key), the login, the unique
/// email entry (an HMAC of the address, never the address), the company profile and default
/// settings; then sets the session cookie.
#[utoipa::path(
    post,
    path = "/v1/auth/signup",
    tag = "auth",
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Account created; session cookie set", body = SessionView),
        (status = 400, description = "A field was refused (e.g. a weak password)", body = super::problem::Problem),
        (status = 409, description = "An account with this email exists; nothing was written", body = super::problem::Problem),
    )
)]
async fn signup(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    Json(body): Json<SignupRequest>,
) -> Result<Response, ApiError> {
    body.password
        .check_new(&[
            body.email.as_str(),
            body.name.as_str(),
            body.company_name.as_str(),
        ])
        .map_err(|e| weak_password("password", e))?;
    let tenant = TenantId::generate();
    let user_id = UserId::generate();
    let session = SessionId::generate();
    tracing::Span::current().record("tenant_id", tracing::field::display(tenant));

    let (hash, digest, mut tx) = tokio::try_join!(
        password::hash(&body.password),
        async { Ok(state.email_index.digest(&state.store, &body.email).await?) },
        async { Ok(state.store.open_account(&tenant).await?) },
    )?;
    let user = User {
        name: body.name,
        email: body.email,
        password_hash: hash,
    };
    let now = tx.now();
    let event = audit::event(
        Some(&user_id),
        "auth.signup",
        Some(tenant.to_string()),
        Outcome::Success,
        &request,
    );
    tx.claim_email(&digest, &user_id)
        .create(&keys::user(&tenant, &user_id), &user)
        .create(
            &keys::company(&tenant),
            &CompanyProfile::named(body.company_name),
        )
        .create(&keys::settings(&tenant), &Settings::default())
        .start_session(&user_id, &session, now.unix_seconds() + SESSION_SECONDS)
        .audit(&event);
    let claims = Claims::new(&tenant, &user_id, &session, 1, now.unix_seconds());
    let (committed, token) = tokio::join!(state.store.commit(tx), state.signer.sign(&claims));
    match committed {
        Err(StoreError::Conflict {
            reason: ConflictReason::AlreadyExists,
            ..
        }) => {
            // A stale wrapped key would be harmless, but nothing was written: forget it.
            state.store.keyring().forget(&tenant).await;
            return Err(ApiError::Conflict(
                "An account with this email already exists.",
            ));
        }
        other => other?,
    }
    let token = token.map_err(|e| ApiError::Internal(e.into()))?;
    let stored = Stored {
        record: user,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    Ok(session_response(
        StatusCode::CREATED,
        Some(SessionView::new(tenant, user_id, &stored)),
        &token,
    ))
}

/// Log in.
///
/// An unknown email and a wrong password get the same answer, after the same work. More than
/// 10 failures for one address within 15 minutes lock it (429 with `Retry-After`) until that
/// window has passed, even for the right password.
#[utoipa::path(
    post,
    path = "/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; session cookie set", body = SessionView),
        (status = 401, description = "The email and password do not match an account", body = super::problem::Problem),
        (status = 429, description = "Too many failed logins; see Retry-After", body = super::problem::Problem),
    )
)]
async fn login(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    Json(body): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let digest = state.email_index.digest(&state.store, &body.email).await?;
    let (login, failures) = state.store.find_login(&digest).await?;
    let now = state.clock.now();
    if let Some(retry_after_seconds) = throttle::locked_for(failures, now) {
        tracing::info!(target: "audit", action = "auth.login", outcome = "locked", "audit");
        return Err(ApiError::TooManyRequests {
            retry_after_seconds,
        });
    }

    let found = match login {
        Some((tenant, user_id)) => {
            tracing::Span::current().record("tenant_id", tracing::field::display(tenant));
            let (account, user) = state
                .store
                .get_with_account::<User>(&tenant, &keys::user(&tenant, &user_id))
                .await?;
            match (account, user) {
                (Some(account), Some(user)) if account.active => {
                    Some((tenant, user_id, account.session_version, user))
                }
                _ => None,
            }
        }
        None => {
            state.store.decoy_login_read().await?;
            None
        }
    };
    let Some((tenant, user_id, version, user)) = found else {
        password::verify_dummy(&body.password).await?;
        let failures = state
            .store
            .record_login_failure(&digest, now, throttle::WINDOW_SECONDS)
            .await?;
        audit::event(None, "auth.login", None, Outcome::UnknownEmail, &request);
        return Err(refusal(failures, now));
    };

    if !password::verify(&body.password, &user.record.password_hash).await? {
        // The audit write runs beside the counter's, so this path costs what the unknown-email
        // path costs.
        let mut tx = state.store.transaction(&tenant).await?;
        tx.audit(&audit::event(
            None,
            "auth.login",
            Some(user_id.to_string()),
            Outcome::WrongPassword,
            &request,
        ));
        let (failures, audited) = tokio::join!(
            state
                .store
                .record_login_failure(&digest, now, throttle::WINDOW_SECONDS),
            state.store.commit(tx),
        );
        let failures = failures?;
        audited?;
        if throttle::locked_for(failures, now).is_some()
            && failures.count == throttle::MAX_FAILURES + 1
        {
            let mut tx = state.store.transaction(&tenant).await?;
            tx.audit(&audit::event(
                None,
                "auth.lockout",
                Some(user_id.to_string()),
                Outcome::Locked,
                &request,
            ));
            state.store.commit(tx).await?;
        }
        return Err(refusal(failures, now));
    }

    let session = SessionId::generate();
    let mut tx = state.store.transaction(&tenant).await?;
    let issued_at = tx.now().unix_seconds();
    tx.start_session(&user_id, &session, issued_at + SESSION_SECONDS)
        .audit(&audit::event(
            Some(&user_id),
            "auth.login",
            Some(session.to_string()),
            Outcome::Success,
            &request,
        ));
    if failures.count > 0 {
        tx.clear_login_failures(&digest);
    }
    let claims = Claims::new(&tenant, &user_id, &session, version, issued_at);
    let (committed, token) = tokio::join!(state.store.commit(tx), state.signer.sign(&claims));
    committed?;
    let token = token.map_err(|e| ApiError::Internal(e.into()))?;
    Ok(session_response(
        StatusCode::OK,
        Some(SessionView::new(tenant, user_id, &user)),
        &token,
    ))
}

/// The answer to a failed login: 401, or 429 once the failure locked the address.
fn refusal(failures: LoginFailures, now: i64) -> ApiError {
    match throttle::locked_for(failures, now) {
        Some(retry_after_seconds) => ApiError::TooManyRequests {
            retry_after_seconds,
        },
        None => ApiError::InvalidCredentials,
    }
}

/// Log out: this session ends at once, in every container; the cookie is cleared.
#[utoipa::path(
    post,
    path = "/v1/auth/logout",
    tag = "auth",
    responses(
        (status = 204, description = "Logged out; cookie cleared"),
        (status = 401, description = "No session", body = super::problem::Problem),
    )
)]
async fn logout(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
) -> Result<Response, ApiError> {
    let mut tx = state.store.transaction(session.tenant()).await?;
    tx.require_account(&session.check())
        .end_session(session.id())
        .audit(&audit::event(
            Some(session.user()),
            "auth.logout",
            Some(session.id().to_string()),
            Outcome::Success,
            &request,
        ));
    session.mark_guarded();
    match state.store.commit(tx).await {
        // Logging out of a session that has already ended is done: say so the same way.
        Ok(())
        | Err(StoreError::Conflict {
            reason: ConflictReason::SessionEnded,
            ..
        }) => {}
        Err(error) => return Err(error.into()),
    }
    Ok(with_cookie(
        StatusCode::NO_CONTENT.into_response(),
        cookie::clear_session(),
    ))
}

/// The current session's user and account.
#[utoipa::path(
    get,
    path = "/v1/auth/session",
    tag = "auth",
    responses(
        (status = 200, description = "The session is live", body = SessionView),
        (status = 401, description = "No live session", body = super::problem::Problem),
    )
)]
async fn current_session(
    State(state): State<AppState>,
    session: Session,
) -> Result<axum::Json<SessionView>, ApiError> {
    let tenant = *session.tenant();
    let user = state
        .store
        .get::<User>(&tenant, &keys::user(&tenant, session.user()))
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    Ok(axum::Json(SessionView::new(tenant, *session.user(), &user)))
}

/// Change the password: every other session of the account ends; this one gets a new cookie.
#[utoipa::path(
    post,
    path = "/v1/auth/password",
    tag = "auth",
    request_body = PasswordChangeRequest,
    responses(
        (status = 204, description = "Changed; other sessions ended; new session cookie set"),
        (status = 400, description = "Wrong current password, or a weak new one", body = super::problem::Problem),
        (status = 401, description = "No live session", body = super::problem::Problem),
        (status = 429, description = "Too many wrong passwords; see Retry-After", body = super::problem::Problem),
    )
)]
async fn change_password(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    Json(body): Json<PasswordChangeRequest>,
) -> Result<Response, ApiError> {
    let tenant = *session.tenant();
    let user_key = keys::user(&tenant, session.user());
    let (account, user) = state
        .store
        .get_with_account::<User>(&tenant, &user_key)
        .await?;
    let (Some(account), Some(user)) = (account, user) else {
        return Err(ApiError::Unauthenticated);
    };
    if !account.active || account.session_version != session.version() {
        return Err(ApiError::Unauthenticated);
    }
    // Guessing the current password through a stolen session is throttled like a login.
    let digest = state
        .email_index
        .digest(&state.store, &user.record.email)
        .await?;
    let now = state.clock.now();
    let (_, failures) = state.store.find_login(&digest).await?;
    if let Some(retry_after_seconds) = throttle::locked_for(failures, now) {
        return Err(ApiError::TooManyRequests {
            retry_after_seconds,
        });
    }
    if !password::verify(&body.current_password, &user.record.password_hash).await? {
        let failures = state
            .store
            .record_login_failure(&digest, now, throttle::WINDOW_SECONDS)
            .await?;
        audit::event(
            Some(session.user()),
            "auth.password_change",
            None,
            Outcome::WrongPassword,
            &request,
        );
        return Err(match refusal(failures, now) {
            ApiError::InvalidCredentials => {
                ApiError::invalid("current_password", "is not the account's current password")
            }
            locked => locked,
        });
    }
    body.new_password
        .check_new(&[user.record.email.as_str(), user.record.name.as_str()])
        .map_err(|e| weak_password("new_password", e))?;
    let hash = password::hash(&body.new_password).await?;

    let next_version = account.session_version + 1;
    let new_session = SessionId::generate();
    let updated = User {
        password_hash: hash,
        ..user.record
    };
    let mut tx = state.store.transaction(&tenant).await?;
    let issued_at = tx.now().unix_seconds();
    tx.advance_session_version(account.session_version)
        .require_live_session_item(&session.check())
        .replace(&user_key, &updated, user.version)
        .start_session(session.user(), &new_session, issued_at + SESSION_SECONDS)
        .audit(&audit::event(
            Some(session.user()),
            "auth.password_change",
            Some(session.user().to_string()),
            Outcome::Success,
            &request,
        ));
    if failures.count > 0 {
        tx.clear_login_failures(&digest);
    }
    session.mark_guarded();
    let claims = Claims::new(
        &tenant,
        session.user(),
        &new_session,
        next_version,
        issued_at,
    );
    let (committed, token) = tokio::join!(state.store.commit(tx), state.signer.sign(&claims));
    committed?;
    let token = token.map_err(|e| ApiError::Internal(e.into()))?;
    Ok(session_response(StatusCode::NO_CONTENT, None, &token))
}
