//! The `auth` function: signup, login, logout, the current session, password change.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router, middleware};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::reads::{self, Stored};
use crate::auth::token::SESSION_SECONDS;
use crate::auth::{Password, cookie, device};
use crate::domain::account::User;
use crate::domain::settings::Settings;
use crate::domain::values::{Country, Currency, EmailAddress, Locale, Name};
use crate::domain::{TenantId, Timestamp, UserId};
use crate::http::json::Json;
use crate::http::layers::RequestId;
use crate::http::problem::{ApiError, Problem};
use crate::http::session::{Session, require_session, with_cookie};
use crate::{AppState, app};

/// The currency of a new account's documents unless signup names another.
const DEFAULT_CURRENCY: &str = "EUR";

function_routes! {
    open_documented, open_routes;
    "/v1/auth/signup" => { post: signup }
    "/v1/auth/login" => { post: login }
}

// Routes that need a live session.
function_routes! {
    session_documented, session_routes;
    "/v1/auth/logout" => { post: logout }
    "/v1/auth/session" => { get: current_session }
    "/v1/auth/password" => { post: change_password }
    "/v1/auth/email" => { put: change_email }
    "/v1/account" => { delete: delete_account }
    "/v1/auth/reauthenticate" => { post: reauthenticate }
    "/v1/auth/second-factor" => { post: start_second_factor, delete: disable_second_factor }
    "/v1/auth/second-factor/confirm" => { post: confirm_second_factor }
}

/// Every documented route of the function, open and guarded.
pub fn documented() -> utoipa_axum::router::OpenApiRouter<AppState> {
    open_documented().merge(session_documented())
}

/// The function's router: [`api`] with every layer a response needs.
pub fn router(state: AppState) -> Router {
    crate::http::finish(api(state.clone()), &state)
}

/// The routes alone, to merge with other resources' before [`crate::http::finish`].
pub fn api(state: AppState) -> Router {
    let guarded = session_routes().layer(middleware::from_fn_with_state(
        state.clone(),
        require_session,
    ));
    open_routes().merge(guarded).with_state(state)
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
    /// The currency of your documents (ISO 4217; change it later). EUR when not given.
    #[serde(default)]
    pub currency: Option<Currency>,
    /// The language and formats of your documents and of the app (change them later in the
    /// settings). When not given: the request's `Accept-Language`, else the usual one of
    /// `country`, else `en`.
    #[serde(default)]
    pub locale: Option<Locale>,
    /// The country your business is in (ISO 3166-1), for its usual language when neither
    /// `locale` nor `Accept-Language` names one.
    #[serde(default)]
    pub country: Option<Country>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: EmailAddress,
    pub password: Password,
    /// The six-digit code from the authenticator app, for a user with two-factor
    /// authentication (a login without it is answered `second-factor-required`).
    #[serde(default)]
    #[schema(pattern = "^[0-9]{6}$")]
    pub code: Option<String>,
    /// One of the user's recovery codes instead of `code` (each works once).
    #[serde(default)]
    #[schema(max_length = 32)]
    pub recovery_code: Option<String>,
}

/// The second factor a request presents, if any: a six-digit `code` or a `recovery_code`
/// (not both); refused naming the field otherwise.
pub(crate) fn second_factor_of(
    code: Option<String>,
    recovery_code: Option<String>,
) -> Result<Option<app::auth::Proof>, ApiError> {
    match (code, recovery_code) {
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "recovery_code",
            "send either `code` or `recovery_code`, not both",
        )),
        (Some(code), None) => {
            let code = code.trim();
            if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ApiError::invalid("code", "must be the six digits the app shows"));
            }
            Ok(Some(app::auth::Proof::Code(code.to_owned())))
        }
        (None, Some(recovery)) => {
            let letters = recovery.chars().filter(char::is_ascii_alphanumeric).count();
            if recovery.len() > 32 || letters != 10 {
                return Err(ApiError::invalid(
                    "recovery_code",
                    "must be a recovery code: ten letters and digits (`xxxxx-xxxxx`)",
                ));
            }
            Ok(Some(app::auth::Proof::RecoveryCode(recovery)))
        }
        (None, None) => Ok(None),
    }
}

/// The user's new e-mail address.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChangeRequest {
    pub email: EmailAddress,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    pub current_password: Password,
    pub new_password: Password,
    /// With two-factor authentication on: the app's code, or `recovery_code`.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{6}$")]
    pub code: Option<String>,
    #[serde(default)]
    #[schema(max_length = 32)]
    pub recovery_code: Option<String>,
}

/// The password, and with two-factor authentication on, the second factor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmationRequest {
    pub password: Password,
    /// The app's six-digit code, when two-factor authentication is on.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{6}$")]
    pub code: Option<String>,
    /// A recovery code instead of `code` (each works once).
    #[serde(default)]
    #[schema(max_length = 32)]
    pub recovery_code: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    pub password: Password,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// The six-digit code the authenticator app shows for the new secret.
    #[schema(pattern = "^[0-9]{6}$")]
    pub code: String,
}

/// What the authenticator app needs; shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentView {
    /// The secret in base32, to type into the app by hand.
    pub secret: String,
    /// The same as an `otpauth://` URL, what the app scans.
    pub otpauth_url: String,
    /// That URL as a QR code (SVG).
    pub qr_svg: String,
    /// When the enrolment lapses unless confirmed with a code.
    pub expires_at: Timestamp,
}

/// The recovery codes; shown once, only their digests are kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodesView {
    pub recovery_codes: Vec<String>,
}

/// What deleting the account asks for: the password, and the company's legal name typed out.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountDeletionRequest {
    pub password: Password,
    /// The company's legal name, exactly as the company profile has it.
    #[schema(max_length = 200)]
    pub confirm: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub name: Name,
    pub email: EmailAddress,
    /// Whether logging in needs a code from an authenticator app too.
    pub second_factor: bool,
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
                second_factor: user.record.second_factor.is_some(),
            },
            // The account and its first user are created in one transaction, at one time.
            account: AccountView {
                id: tenant,
                created_at: user.created_at,
            },
        }
    }
}

/// Issues the session cookie for a freshly signed token, and the device cookie.
fn session_response(
    status: StatusCode,
    body: Option<SessionView>,
    token: &str,
    device_cookie: Option<&str>,
) -> Response {
    let response = match body {
        Some(body) => (status, axum::Json(body)).into_response(),
        None => status.into_response(),
    };
    let Some(session) = cookie::set_session(token, SESSION_SECONDS) else {
        return ApiError::Internal(anyhow::anyhow!("session token is not a header value"))
            .into_response();
    };
    let response = with_cookie(response, session);
    match device_cookie.and_then(device::set_device) {
        Some(value) => with_cookie(response, value),
        None => response,
    }
}

fn started_response(status: StatusCode, started: app::auth::Started) -> Response {
    let view = SessionView::new(started.tenant, started.user_id, &started.user);
    session_response(
        status,
        Some(view),
        &started.token,
        Some(&started.device_cookie),
    )
}

/// Create an account, log in to it.
///
/// Creates, in one transaction, the account (with its own data key), the login, the unique
/// email entry (an HMAC of the address, never the address), the company profile (with its
/// currency: EUR unless another is given) and default settings; then sets the session cookie
/// and the device cookie that recognises this browser at later logins.
#[utoipa::path(
    post,
    path = "/v1/auth/signup",
    tag = "auth",
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Account created; session and device cookies set", body = SessionView),
        (status = 400, description = "A field was refused (e.g. a weak password)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An account with this email exists; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn signup(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    headers: HeaderMap,
    Json(body): Json<SignupRequest>,
) -> Result<Response, ApiError> {
    let browser = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::preferred);
    let locale = body
        .locale
        .or(browser)
        .or_else(|| body.country.as_ref().and_then(Locale::of_country))
        .unwrap_or_else(|| Settings::default().locale);
    let input = app::auth::Signup {
        locale,
        name: body.name,
        email: body.email,
        password: body.password,
        company_name: body.company_name,
        currency: body.currency.unwrap_or_else(default_currency),
    };
    let started = app::auth::signup(&state, &request, input).await?;
    Ok(started_response(StatusCode::CREATED, started))
}

fn default_currency() -> Currency {
    Currency::parse(DEFAULT_CURRENCY).unwrap_or_else(|_| unreachable!("EUR is ISO 4217"))
}

/// Log in.
///
/// An unknown email and a wrong password get the same answer, after the same work. Every guess
/// is counted before it is checked: 10 per 15 minutes per address from browsers we do not
/// recognise, and 5 of its own for a browser that presents the device cookie of an earlier login
/// as this user, so failures from elsewhere never lock that browser out. A spent budget answers
/// 429 with `Retry-After`, even for the right password, until its window has passed.
#[utoipa::path(
    post,
    path = "/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; session and device cookies set", body = SessionView),
        (status = 400, description = "A field was refused", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "The email and password (and second factor) do not match an account; or, type `second-factor-required`, the password was right and the user's `code` or `recovery_code` is needed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn login(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    headers: HeaderMap,
    Json(body): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let input = app::auth::Login {
        email: body.email,
        password: body.password,
        device_cookie: device::device_cookie(&headers),
        second_factor: second_factor_of(body.code, body.recovery_code)?,
    };
    let started = app::auth::login(&state, &request, input).await?;
    Ok(started_response(StatusCode::OK, started))
}

/// Log out: this session ends at once, in every container; the cookie is cleared.
#[utoipa::path(
    post,
    path = "/v1/auth/logout",
    tag = "auth",
    responses(
        (status = 204, description = "Logged out; cookie cleared"),
        (status = 401, description = "No session", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn logout(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
) -> Result<Response, ApiError> {
    app::auth::logout(&state, &session.actor(&request)).await?;
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
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn current_session(
    State(state): State<AppState>,
    session: Session,
) -> Result<axum::Json<SessionView>, ApiError> {
    let tenant = *session.owner()?.tenant();
    let user = reads::user(&state, &tenant, session.user())
        .await
        .map_err(|error| match error {
            crate::app::Error::NotFound => ApiError::Unauthenticated,
            other => other.into(),
        })?;
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
        (status = 400, description = "Wrong current password, or a weak new one", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn change_password(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    headers: HeaderMap,
    Json(body): Json<PasswordChangeRequest>,
) -> Result<Response, ApiError> {
    let device_cookie = device::device_cookie(&headers);
    let proof = second_factor_of(body.code, body.recovery_code)?;
    let token = app::auth::change_password(
        &state,
        &session.actor(&request),
        &body.current_password,
        &body.new_password,
        proof.as_ref(),
        device_cookie.as_deref(),
    )
    .await?;
    Ok(session_response(StatusCode::NO_CONTENT, None, &token, None))
}

/// Change the e-mail address the user logs in with and is told things at. The password (and
/// the second factor) must have been confirmed in the last 5 minutes
/// (`POST /v1/auth/reauthenticate`); the old and the new address are both e-mailed a notice.
#[utoipa::path(
    put,
    path = "/v1/auth/email",
    tag = "auth",
    request_body = EmailChangeRequest,
    responses(
        (status = 204, description = "Changed; both addresses were told"),
        (status = 400, description = "Not an e-mail address, or the account's own already", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The password is to be confirmed first (`reauthentication-required`), and never with an API key; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The address belongs to another account", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn change_email(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    Json(body): Json<EmailChangeRequest>,
) -> Result<Response, ApiError> {
    app::auth::change_email(&state, &session.actor(&request), body.email).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Delete the account, at once and for good: every session ends (the cookie is cleared), the
/// account's data key is destroyed so nothing of it can be read again, and the email address
/// can sign up again as a new, empty account. Every item and file is removed by the hourly
/// purge, and every copy (backups, logs, export files) is gone within 30 days. Export the
/// account first (`POST /v1/exports`): the books are yours to keep. A wrong password counts as
/// a failed login.
#[utoipa::path(
    delete,
    path = "/v1/account",
    tag = "auth",
    request_body = AccountDeletionRequest,
    responses(
        (status = 204, description = "Deleted; every session ended; cookie cleared"),
        (status = 400, description = "Wrong password, or `confirm` is not the company's legal name", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn delete_account(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    headers: HeaderMap,
    Json(body): Json<AccountDeletionRequest>,
) -> Result<Response, ApiError> {
    let device_cookie = device::device_cookie(&headers);
    app::auth::delete_account(
        &state,
        &session.actor(&request),
        &body.password,
        &body.confirm,
        device_cookie.as_deref(),
    )
    .await?;
    Ok(with_cookie(
        StatusCode::NO_CONTENT.into_response(),
        cookie::clear_session(),
    ))
}

/// No cache may keep what is shown once.
fn shown_once(status: StatusCode, body: impl Serialize) -> Response {
    (
        status,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        axum::Json(body),
    )
        .into_response()
}

#[utoipa::path(
    post,
    path = "/v1/auth/reauthenticate",
    tag = "auth",
    request_body = ConfirmationRequest,
    responses(
        (status = 204, description = "Confirmed: for 5 minutes this session may change the bank account and make a complete export"),
        (status = 400, description = "A wrong password or code, named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session; or, type `second-factor-required`, the code is needed too", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key: only the owner's session may", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn reauthenticate(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    headers: HeaderMap,
    Json(body): Json<ConfirmationRequest>,
) -> Result<Response, ApiError> {
    let proof = second_factor_of(body.code, body.recovery_code)?;
    app::auth::reauthenticate(
        &state,
        &session.owner()?.actor(&request),
        &body.password,
        proof.as_ref(),
        device::device_cookie(&headers).as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    post,
    path = "/v1/auth/second-factor",
    tag = "auth",
    request_body = PasswordRequest,
    responses(
        (status = 201, description = "A secret for the authenticator app, shown once; confirm it with its first code within 10 minutes", body = EnrolmentView),
        (status = 400, description = "A wrong password", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key: only the owner's session may", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Two-factor authentication is already on", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn start_second_factor(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    headers: HeaderMap,
    Json(body): Json<PasswordRequest>,
) -> Result<Response, ApiError> {
    let enrolment = app::auth::start_totp(
        &state,
        &session.owner()?.actor(&request),
        &body.password,
        device::device_cookie(&headers).as_deref(),
    )
    .await?;
    let qr_svg = crate::render::qr::svg(&enrolment.otpauth_url)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("QR code: {e}")))?;
    let expires_at = state
        .clock
        .now()
        .plus_seconds(crate::domain::second_factor::ENROLMENT_SECONDS);
    Ok(shown_once(
        StatusCode::CREATED,
        EnrolmentView {
            secret: enrolment.secret,
            otpauth_url: enrolment.otpauth_url,
            qr_svg,
            expires_at,
        },
    ))
}

#[utoipa::path(
    post,
    path = "/v1/auth/second-factor/confirm",
    tag = "auth",
    request_body = CodeRequest,
    responses(
        (status = 200, description = "On: the recovery codes, shown once", body = RecoveryCodesView),
        (status = 400, description = "Not the code the app shows now", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key: only the owner's session may", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No enrolment waits (or it lapsed)", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn confirm_second_factor(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    Json(body): Json<CodeRequest>,
) -> Result<Response, ApiError> {
    let Some(app::auth::Proof::Code(code)) = second_factor_of(Some(body.code), None)? else {
        return Err(ApiError::invalid("code", "required"));
    };
    let recovery_codes =
        app::auth::confirm_totp(&state, &session.owner()?.actor(&request), &code).await?;
    Ok(shown_once(StatusCode::OK, RecoveryCodesView { recovery_codes }))
}

#[utoipa::path(
    delete,
    path = "/v1/auth/second-factor",
    tag = "auth",
    request_body = ConfirmationRequest,
    responses(
        (status = 204, description = "Off: logging in needs only the password"),
        (status = 400, description = "A wrong password or code, named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session; or, type `second-factor-required`, the code is needed too", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key: only the owner's session may", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Two-factor authentication is not on", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn disable_second_factor(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    headers: HeaderMap,
    Json(body): Json<ConfirmationRequest>,
) -> Result<Response, ApiError> {
    let proof = second_factor_of(body.code, body.recovery_code)?;
    app::auth::disable_second_factor(
        &state,
        &session.owner()?.actor(&request),
        &body.password,
        proof.as_ref(),
        device::device_cookie(&headers).as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
