//! The `account` function: the company profile and the account's settings.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router, middleware};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::etag::{IfMatch, etag};
use super::json::Json;
use super::layers::RequestId;
use super::problem::ApiError;
use super::session::{Session, require_session};
use crate::AppState;
use crate::audit::{self, Outcome};
use crate::domain::Timestamp;
use crate::domain::account::CompanyProfile;
use crate::domain::settings::{Settings, SettingsPatch};
use crate::store::{Record, Stored, keys};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_company, replace_company))
        .routes(routes!(get_settings, update_settings))
}

/// The function's router: [`api`] with every layer a response needs.
pub fn router(state: AppState) -> Router {
    let config = state.config.clone();
    super::finish(api(state), &config)
}

/// The routes alone, to merge with other resources' before [`super::finish`].
pub fn api(state: AppState) -> Router {
    let (router, _) = routes().split_for_parts();
    router
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_session,
        ))
        .with_state(state)
}

/// A record as the API shows it: its fields, its version (also the `ETag`) and when it last
/// changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Versioned<T> {
    #[serde(flatten)]
    pub record: T,
    pub version: u64,
    pub updated_at: Timestamp,
}

fn versioned<T: Serialize>(record: T, version: u64, updated_at: Timestamp) -> Response {
    (
        [(header::ETAG, etag(version))],
        axum::Json(Versioned {
            record,
            version,
            updated_at,
        }),
    )
        .into_response()
}

/// Reads one of the account's singleton records, logging the read.
async fn read_singleton<R: Record>(
    state: &AppState,
    session: &Session,
    key: keys::ItemKey,
    action: &'static str,
    request: &RequestId,
) -> Result<Stored<R>, ApiError> {
    let stored = state
        .store
        .get::<R>(session.tenant(), &key)
        .await?
        .ok_or(ApiError::NotFound)?;
    audit::event(
        Some(session.user()),
        action,
        None,
        Outcome::Success,
        request,
    );
    Ok(stored)
}

/// The company profile printed on proposals and invoices.
#[utoipa::path(
    get,
    path = "/v1/company",
    tag = "account",
    responses(
        (status = 200, description = "The profile; ETag is its version", body = Versioned<CompanyProfile>),
        (status = 401, description = "No live session", body = super::problem::Problem),
    )
)]
async fn get_company(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
) -> Result<Response, ApiError> {
    let key = keys::company(session.tenant());
    let stored =
        read_singleton::<CompanyProfile>(&state, &session, key, "company.read", &request).await?;
    Ok(versioned(stored.record, stored.version, stored.updated_at))
}

/// Replace the company profile. Needs `If-Match` with the version it was based on.
#[utoipa::path(
    put,
    path = "/v1/company",
    tag = "account",
    request_body = CompanyProfile,
    params(("If-Match" = String, Header, description = "The ETag the change is based on")),
    responses(
        (status = 200, description = "Replaced", body = Versioned<CompanyProfile>),
        (status = 400, description = "A field was refused; nothing was written", body = super::problem::Problem),
        (status = 412, description = "The profile changed since that ETag", body = super::problem::Problem),
        (status = 428, description = "If-Match is missing", body = super::problem::Problem),
    )
)]
async fn replace_company(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    IfMatch(expected): IfMatch,
    Json(profile): Json<CompanyProfile>,
) -> Result<Response, ApiError> {
    let key = keys::company(session.tenant());
    let mut tx = session.transaction(&state.store).await?;
    let updated_at = tx.now();
    tx.replace(&key, &profile, expected).audit(&audit::event(
        Some(session.user()),
        "company.update",
        None,
        Outcome::Success,
        &request,
    ));
    state.store.commit(tx).await?;
    Ok(versioned(profile, expected + 1, updated_at))
}

/// The account's preferences.
#[utoipa::path(
    get,
    path = "/v1/settings",
    tag = "account",
    responses(
        (status = 200, description = "The settings; ETag is their version", body = Versioned<Settings>),
        (status = 401, description = "No live session", body = super::problem::Problem),
    )
)]
async fn get_settings(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
) -> Result<Response, ApiError> {
    let key = keys::settings(session.tenant());
    let stored =
        read_singleton::<Settings>(&state, &session, key, "settings.read", &request).await?;
    Ok(versioned(stored.record, stored.version, stored.updated_at))
}

/// Change some settings (JSON merge patch: absent fields are kept, `null` clears a clearable
/// one). Needs `If-Match` with the version it was based on.
#[utoipa::path(
    patch,
    path = "/v1/settings",
    tag = "account",
    request_body = SettingsPatch,
    params(("If-Match" = String, Header, description = "The ETag the change is based on")),
    responses(
        (status = 200, description = "Updated", body = Versioned<Settings>),
        (status = 400, description = "A field was refused; nothing was written", body = super::problem::Problem),
        (status = 412, description = "The settings changed since that ETag", body = super::problem::Problem),
        (status = 428, description = "If-Match is missing", body = super::problem::Problem),
    )
)]
async fn update_settings(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    IfMatch(expected): IfMatch,
    Json(patch): Json<SettingsPatch>,
) -> Result<Response, ApiError> {
    let key = keys::settings(session.tenant());
    let current = state
        .store
        .get::<Settings>(session.tenant(), &key)
        .await?
        .ok_or(ApiError::NotFound)?;
    if current.version != expected {
        return Err(ApiError::PreconditionFailed);
    }
    let next = current.record.patched(patch);
    let mut tx = session.transaction(&state.store).await?;
    let updated_at = tx.now();
    // The write is conditional on `expected` too: a change between the read and here is a 412.
    tx.replace(&key, &next, expected).audit(&audit::event(
        Some(session.user()),
        "settings.update",
        None,
        Outcome::Success,
        &request,
    ));
    state.store.commit(tx).await?;
    Ok(versioned(next, expected + 1, updated_at))
}
