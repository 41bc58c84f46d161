//! The `account` function: the company profile, the account's settings and number series, and
//! its audit trail.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::reads;
use crate::domain::Timestamp;
use crate::domain::account::CompanyProfile;
use crate::domain::api_key::{ApiKeyView, NewApiKey};
use crate::domain::ids::ApiKeyId;
use crate::http::extract::PathId;
use crate::domain::settings::{Settings, SettingsPatch};
use crate::http::etag::{IfMatch, etag};
use crate::http::json::Json;
use crate::http::layers::RequestId;
use crate::http::problem::ApiError;
use crate::http::session::Session;
use crate::{AppState, app};

use crate::http::records::{ListPage, ListParams};
use super::webhook_endpoints::*;

function_routes! {
    documented, routes;
    "/v1/company" => { get: get_company, put: replace_company }
    "/v1/settings" => { get: get_settings, patch: update_settings }
    "/v1/audit" => { get: audit_trail }
    "/v1/audit/verify" => { get: verify_audit_trail }
    "/v1/number-series" => { get: number_series }
    "/v1/number-series/{series}" => { put: raise_number_series }
    "/v1/suppressions" => { get: list_suppressions }
    "/v1/suppressions/{id}" => { delete: clear_suppression }
    "/v1/api-keys" => { get: list_api_keys, post: create_api_key }
    "/v1/api-keys/{id}" => { delete: revoke_api_key }
    "/v1/webhook-endpoints" => { get: list_webhook_endpoints, post: create_webhook_endpoint }
    "/v1/webhook-endpoints/{id}" => { get: get_webhook_endpoint, patch: update_webhook_endpoint, delete: delete_webhook_endpoint }
    "/v1/webhook-endpoints/{id}/rotate-secret" => { post: rotate_webhook_secret }
    "/v1/webhook-endpoints/{id}/test" => { post: test_webhook_endpoint }
    "/v1/webhook-endpoints/{id}/replay" => { post: replay_webhook_events }
    "/v1/webhook-endpoints/{id}/deliveries" => { get: webhook_deliveries }
}

/// The function's router: [`api`] with every layer a response needs.
pub fn router(state: AppState) -> Router {
    crate::http::finish(api(state.clone()), &state)
}

/// The routes alone, to merge with other resources' before [`crate::http::finish`].
pub fn api(state: AppState) -> Router {
    crate::http::session::guarded(routes(), state)
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

/// Read back as the API wrote it. (By hand: a record that refuses unknown fields, as the
/// company profile does, cannot be read through `flatten`.)
impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Versioned<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut fields = serde_json::Map::deserialize(d)?;
        let mut take = |name: &'static str| {
            fields
                .remove(name)
                .ok_or_else(|| D::Error::missing_field(name))
        };
        let version = serde_json::from_value(take("version")?).map_err(D::Error::custom)?;
        let updated_at = serde_json::from_value(take("updated_at")?).map_err(D::Error::custom)?;
        let record =
            serde_json::from_value(serde_json::Value::Object(fields)).map_err(D::Error::custom)?;
        Ok(Self {
            record,
            version,
            updated_at,
        })
    }
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

/// The company profile printed on proposals and invoices.
#[utoipa::path(
    get,
    path = "/v1/company",
    tag = "account",
    responses(
        (status = 200, description = "The profile; ETag is its version", body = Versioned<CompanyProfile>),
        (status = 401, description = "No live session", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
async fn get_company(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, ApiError> {
    let stored = reads::company(&state, session.tenant()).await?;
    session.record_read("company.read", None);
    Ok(versioned(stored.record, stored.version, stored.updated_at))
}

/// Replace the company profile. Needs `If-Match` with the version it was based on. A new
/// bank account also needs the owner's session with the password confirmed in the last 5
/// minutes (`POST /v1/auth/reauthenticate`), and e-mails the user a notice.
#[utoipa::path(
    put,
    path = "/v1/company",
    tag = "account",
    request_body = CompanyProfile,
    params(("If-Match" = String, Header, description = "The ETag the change is based on")),
    responses(
        (status = 200, description = "Replaced", body = Versioned<CompanyProfile>),
        (status = 400, description = "A field was refused; nothing was written", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A new bank account: the password is to be confirmed first (`reauthentication-required`), and never with an API key; nothing was written", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The profile changed since that ETag", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
async fn replace_company(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    IfMatch(expected): IfMatch,
    Json(profile): Json<CompanyProfile>,
) -> Result<Response, ApiError> {
    let stored =
        app::account::replace_company(&state, &session.actor(&request), profile, expected).await?;
    Ok(versioned(stored.record, stored.version, stored.updated_at))
}

/// The account's preferences.
#[utoipa::path(
    get,
    path = "/v1/settings",
    tag = "account",
    responses(
        (status = 200, description = "The settings; ETag is their version", body = Versioned<Settings>),
        (status = 401, description = "No live session", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
async fn get_settings(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, ApiError> {
    let stored = reads::settings(&state, session.tenant()).await?;
    session.record_read("settings.read", None);
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
        (status = 400, description = "A field was refused; nothing was written", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The settings changed since that ETag", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
async fn update_settings(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    IfMatch(expected): IfMatch,
    Json(patch): Json<SettingsPatch>,
) -> Result<Response, ApiError> {
    let stored =
        app::account::update_settings(&state, &session.actor(&request), patch, expected).await?;
    Ok(versioned(stored.record, stored.version, stored.updated_at))
}

/// One entry of the audit trail: who did what to which object, how it ended, and when.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditView {
    pub id: String,
    /// The user who acted (`usr_…`), when known.
    pub actor: Option<String>,
    /// `auth.login`, `customer.update`, …
    pub action: String,
    pub object: Option<String>,
    /// `success`, or why it failed.
    pub outcome: String,
    /// The request, to match against logs.
    pub request_id: Option<String>,
    /// What the actor used instead of the session: `key <name>` for an API key.
    pub via: Option<String>,
    /// The client's address (a page's: the browser's); none for the service's own passes.
    pub ip: Option<String>,
    /// The `User-Agent` the client gave (at most 256 bytes).
    pub user_agent: Option<String>,
    pub at: Timestamp,
}

/// What checking the audit trail against its signed checkpoints found.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TrailCheckView {
    /// No problem found: every entry up to the last checkpoint is as it was signed.
    pub intact: bool,
    /// How many checkpoints there are (the scheduled pass signs new entries hourly).
    pub checkpoints: u64,
    /// Entries a checkpoint covers.
    pub entries_sealed: u64,
    /// Entries newer than the last checkpoint: the next pass signs them.
    pub entries_unsealed: u64,
    /// The last entry the last checkpoint covers (`aud_…`).
    pub sealed_through: Option<String>,
    /// Each problem found: `problem` (`signature-invalid`, `other-account`,
    /// `checkpoint-missing`, `chain-broken`, `entries-changed`, `entry-unreadable`) and where.
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<serde_json::Value>,
    /// The checkpoints' public key (PEM), to check the complete export's copy offline.
    pub public_key_pem: String,
}

/// Checks the account's audit trail against its signed checkpoints: a deleted, changed or
/// inserted entry older than the last checkpoint, or a checkpoint removed or altered, is found.
#[utoipa::path(
    get,
    path = "/v1/audit/verify",
    tag = "account",
    responses(
        (status = 200, description = "What the check found", body = TrailCheckView),
    )
)]
async fn verify_audit_trail(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, ApiError> {
    let tenant = *session.tenant();
    let (found, public) = tokio::try_join!(app::trail::verify(&state, &tenant), async {
        state
            .trail_signer
            .public_key()
            .await
            .map_err(app::Error::Internal)
    })?;
    session.record_read("audit.verify", None);
    let view = TrailCheckView {
        intact: found.intact,
        checkpoints: found.checkpoints,
        entries_sealed: found.entries_sealed,
        entries_unsealed: found.entries_unsealed,
        sealed_through: found.sealed_through.map(|id| format!("aud_{id}")),
        problems: found
            .problems
            .iter()
            .filter_map(|problem| serde_json::to_value(problem).ok())
            .collect(),
        public_key_pem: public.pem.clone(),
    };
    Ok(axum::Json(view).into_response())
}

/// The account's audit trail, newest first: every change and every security event.
#[utoipa::path(
    get,
    path = "/v1/audit",
    tag = "account",
    params(ListParams),
    responses(
        (status = 200, description = "A page of the audit trail", body = ListPage<AuditView>),
        (status = 400, description = "A bad limit or cursor", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
async fn audit_trail(
    State(state): State<AppState>,
    session: Session,
    params: ListParams,
) -> Result<Response, ApiError> {
    let page = reads::audit(&state, session.tenant(), params.request()).await?;
    session.record_read("audit.list", None);
    let data = page
        .items
        .into_iter()
        .map(|(id, stored)| AuditView {
            id: format!("aud_{id}"),
            actor: stored.record.actor.map(|a| a.to_string()),
            action: stored.record.action,
            object: stored.record.object,
            outcome: stored.record.outcome,
            request_id: stored.record.request_id,
            via: stored.record.via,
            ip: stored.record.ip,
            user_agent: stored.record.user_agent,
            at: stored.created_at,
        })
        .collect();
    Ok(ListPage::response(data, page.next))
}

/// Where each number series (invoices, credit notes, proposals) stands this period: its prefix
/// and the number the next document gets.
#[utoipa::path(
    get,
    path = "/v1/number-series",
    tag = "account",
    responses(
        (status = 200, description = "Every series", body = Vec<app::numbering::SeriesState>),
    )
)]
async fn number_series(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
) -> Result<Response, ApiError> {
    let series = app::numbering::series(&state, &session.actor(&request)).await?;
    session.record_read("settings.number_series.read", None);
    Ok(axum::Json(series).into_response())
}

/// The next number a series should give.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseSeries {
    /// At least the series' current next number; at most 999,999,999.
    #[schema(minimum = 1, maximum = 999_999_999)]
    #[serde(deserialize_with = "whole_number")]
    pub next: u64,
}

/// A whole JSON number, however it is written: JSON Schema counts `18245.0` as an integer, so
/// the API does too. A fraction, a negative or a huge number is 0, refused by the range check.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let number = serde_json::Number::deserialize(d)?;
    Ok(number.as_u64().unwrap_or_else(|| {
        number
            .as_f64()
            .filter(|n| n.fract() == 0.0 && (1.0..=1e9).contains(n))
            .map_or(0, |n| n as u64)
    }))
}

/// Raise the next number of a series this period, e.g. to continue the numbers of another
/// tool. A series is never lowered (422 naming `next`): no number is ever given twice.
#[utoipa::path(
    put,
    path = "/v1/number-series/{series}",
    tag = "account",
    request_body = RaiseSeries,
    params(("series" = app::numbering::Series, Path, description = "`invoice`, `credit_note` or `proposal`")),
    responses(
        (status = 200, description = "The series as it now stands", body = app::numbering::SeriesState),
        (status = 400, description = "A field was refused; nothing was written", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such series", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Lower than the series' next number", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
async fn raise_number_series(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    crate::http::extract::PathId(series): crate::http::extract::PathId,
    Json(body): Json<RaiseSeries>,
) -> Result<Response, ApiError> {
    let series = app::numbering::Series::parse(&series).ok_or(ApiError::NotFound)?;
    if !(1..=app::numbering::MAX_NUMBER).contains(&body.next) {
        return Err(ApiError::invalid(
            "next",
            "must be a whole number from 1 to 999999999",
        ));
    }
    let raised = app::numbering::raise(&state, &session.actor(&request), series, body.next).await?;
    Ok(axum::Json(raised).into_response())
}

/// An address the account's documents are not sent to, and the id that clears it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuppressedAddress {
    /// What clears it: `DELETE /v1/suppressions/{id}`.
    pub id: String,
    #[serde(flatten)]
    pub suppression: crate::domain::link::Suppression,
}

/// The suppressed addresses.
#[derive(Debug, Serialize, ToSchema)]
pub struct Suppressions {
    pub data: Vec<SuppressedAddress>,
}

/// The addresses the account's documents are no longer sent to: each bounced for good or
/// marked a message as spam. A send naming one is refused (422 naming it) until it is cleared.
#[utoipa::path(
    get, path = "/v1/suppressions", tag = "account",
    responses(
        (status = 200, description = "The suppressed addresses, oldest first", body = Suppressions),
        (status = 401, description = "No live session", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
async fn list_suppressions(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, ApiError> {
    let listed = crate::app::suppressions::list(&state, session.tenant()).await?;
    session.record_read("suppression.list", None);
    let data = listed
        .into_iter()
        .map(|(id, suppression)| SuppressedAddress { id, suppression })
        .collect();
    Ok(axum::Json(Suppressions { data }).into_response())
}

/// Clear a suppressed address: documents can be sent to it again (if it bounces for good
/// again, it is suppressed again).
#[utoipa::path(
    delete, path = "/v1/suppressions/{id}", tag = "account",
    params(("id" = String, Path, description = "The suppression's id, from the list")),
    responses(
        (status = 204, description = "Cleared"),
        (status = 404, description = "No such suppressed address in this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
async fn clear_suppression(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, ApiError> {
    crate::app::suppressions::clear(&state, &session.actor(&request), &id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// The account's API keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeys {
    pub data: Vec<ApiKeyView>,
}

/// The account's API keys, revoked ones too, oldest first, each with its last use. Only with
/// the owner's session.
#[utoipa::path(
    get, path = "/v1/api-keys", tag = "account",
    responses(
        (status = 200, description = "The keys (never a secret)", body = ApiKeys),
        (status = 401, description = "No live session", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Made with an API key: keys are managed with the owner's session", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
async fn list_api_keys(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
) -> Result<Response, ApiError> {
    let data = app::api_keys::list(&state, &session.owner()?.actor(&request)).await?;
    session.record_read("api_key.list", None);
    Ok(axum::Json(ApiKeys { data }).into_response())
}

/// Make an API key for a program: `Authorization: Bearer <secret>` then works on every API
/// route within its `scope` (`read`: only `GET`; `write`: everything but keys, the password
/// and the account), with no cookie and no `X-Requested-With`, until it expires or is
/// revoked, at most 120 requests a minute (then 429 with `Retry-After`). The secret is in this
/// answer only: the account keeps its SHA-256. Only with the owner's session.
#[utoipa::path(
    post, path = "/v1/api-keys", tag = "account", request_body = NewApiKey,
    responses(
        (status = 201, description = "Made: `secret` is shown this once", body = ApiKeyView),
        (status = 400, description = "A field was refused (a name too long, an unknown scope, an expiry not in the future); nothing was made", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Made with an API key", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The account holds 100 keys already", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
async fn create_api_key(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    Json(new): Json<NewApiKey>,
) -> Result<Response, ApiError> {
    let made = app::api_keys::create(&state, &session.owner()?.actor(&request), new).await?;
    let mut response = (axum::http::StatusCode::CREATED, axum::Json(&made)).into_response();
    if let Ok(location) = header::HeaderValue::from_str(&format!("/v1/api-keys/{}", made.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    // The secret is never to be kept by a cache on the way.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// Revoke an API key: the next request made with it is refused (401), as after a logout.
/// Revoking a revoked key changes nothing. Only with the owner's session.
#[utoipa::path(
    delete, path = "/v1/api-keys/{id}", tag = "account",
    params(("id" = String, Path, description = "The key's id (`key_…`)")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No live session", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Made with an API key", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key in this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
async fn revoke_api_key(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id: ApiKeyId = id.parse().map_err(|_| ApiError::NotFound)?;
    app::api_keys::revoke(&state, &session.owner()?.actor(&request), &id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
