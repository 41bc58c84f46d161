//! The `exports` function: CSV exports of customers, services, proposals, invoices and invoice
//! lines, as short-lived links.

use crate::http::extract::PathId;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::reads::{self, Stored};
use crate::domain::Timestamp;
use crate::domain::ids::ExportId;
use crate::export::{Dataset, ExportRecord};
use crate::http::json::Fingerprinted;
use crate::http::layers::RequestId;
use crate::http::problem::{ApiError, Problem};
use crate::http::records::{IdempotencyKey, ListPage, ListParams};
use crate::http::session::Session;
use crate::{AppState, app};

function_routes! {
    documented, routes;
    "/v1/exports" => { get: list_exports, post: create_export }
    "/v1/exports/{id}" => { get: get_export }
    "/v1/exports/{id}/download" => { get: download_export }
}

/// The function's router: [`api`] with every layer a response needs.
pub fn router(state: AppState) -> Router {
    crate::http::finish(api(state.clone()), &state)
}

/// The routes alone, to merge with other resources' before [`crate::http::finish`].
pub fn api(state: AppState) -> Router {
    crate::http::session::guarded(routes(), state)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    pub dataset: Dataset,
}

/// An export and, while its file exists, a link to it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExportView {
    pub id: ExportId,
    pub dataset: Dataset,
    /// Data rows (the header row not counted).
    pub rows: u64,
    /// Where to download the file (`/v1/exports/{id}/download`, with the session or a key);
    /// `null` once the file has been deleted (7 days).
    pub url: Option<String>,
    /// When the file is deleted.
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl ExportView {
    fn new(id: ExportId, stored: Stored<ExportRecord>, link: app::exports::Link) -> Self {
        let (url, expires_at) = link.unzip();
        Self {
            id,
            dataset: stored.record.dataset,
            rows: stored.record.rows,
            url,
            expires_at,
            created_at: stored.created_at,
        }
    }

    fn json(
        id: ExportId,
        stored: Stored<ExportRecord>,
        link: app::exports::Link,
    ) -> serde_json::Value {
        serde_json::to_value(Self::new(id, stored, link)).unwrap_or_default()
    }
}

fn view(state: &AppState, id: ExportId, stored: Stored<ExportRecord>) -> ExportView {
    let link = app::exports::link(id, &stored, state.clock.now());
    ExportView::new(id, stored, link)
}

/// Export every customer or every service as CSV.
///
/// The header rows are stable: customers `id, name, contact_name, email, phone,
/// billing_address_lines, billing_city, billing_region, billing_postal_code, billing_country,
/// shipping_address_lines, shipping_city, shipping_region, shipping_postal_code,
/// shipping_country, tax_id, currency, notes, created_at, updated_at`; services `id, name,
/// description, unit_price, unit, tax_rate, currency, active, created_at, updated_at`. UTF-8,
/// RFC 4180 quoting, decimals as plain strings, times RFC 3339; a cell that starts with `=`,
/// `+`, `-`, `@`, tab or carriage return is prefixed with `'`.
#[utoipa::path(
    post, path = "/v1/exports", tag = "exports", request_body = ExportRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours")),
    responses(
        (status = 201, description = "Written; `url` downloads it for 7 days", body = ExportView),
        (status = 400, description = "Unknown dataset", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same request is still in progress", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The account's hourly quota of exports (30) is spent; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The complete export (`account`): the password is to be confirmed first (`reauthentication-required`), and never with an API key", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_export(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    idempotency: IdempotencyKey,
    body: Fingerprinted<ExportRequest>,
) -> Result<Response, ApiError> {
    let answer = app::exports::create(
        &state,
        &session.actor(&request),
        idempotency.request(&body.bytes),
        body.value.dataset,
        ExportView::json,
    )
    .await?;
    Ok(crate::http::records::answer_response(answer))
}

/// One export, with a fresh link while its file exists.
#[utoipa::path(
    get, path = "/v1/exports/{id}", tag = "exports",
    params(("id" = String, Path, description = "The export's id (`exp_…`)")),
    responses(
        (status = 200, description = "The export", body = ExportView),
        (status = 404, description = "No such export in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_export(
    State(state): State<AppState>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id: ExportId = id.parse().map_err(|_| ApiError::NotFound)?;
    let stored = reads::export(&state, session.tenant(), &id).await?;
    session.record_read("export.read", Some(id.to_string()));
    Ok(axum::Json(view(&state, id, stored)).into_response())
}

/// Downloads the export's file: an entry `export.download` in the audit trail, then a
/// redirect to the file at a presigned link that works for under a minute.
#[utoipa::path(
    get, path = "/v1/exports/{id}/download", tag = "exports",
    params(("id" = String, Path, description = "The export's id (`exp_…`)")),
    responses(
        (status = 303, description = "The file is at `Location`, for under a minute"),
        (status = 404, description = "No such export in this account, or its file has been deleted (7 days)", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn download_export(
    State(state): State<AppState>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id: ExportId = id.parse().map_err(|_| ApiError::NotFound)?;
    let stored = reads::export(&state, session.tenant(), &id).await?;
    let url = app::exports::download_link(&state, session.tenant(), &stored).await?;
    session.record_download("export.download", Some(id.to_string()));
    let location =
        axum::http::HeaderValue::from_str(&url).map_err(|e| ApiError::Internal(e.into()))?;
    Ok((
        axum::http::StatusCode::SEE_OTHER,
        [
            (axum::http::header::LOCATION, location),
            (
                axum::http::header::REFERRER_POLICY,
                axum::http::HeaderValue::from_static("no-referrer"),
            ),
        ],
    )
        .into_response())
}

/// The account's exports, oldest first, each with a fresh link while its file exists.
#[utoipa::path(
    get, path = "/v1/exports", tag = "exports", params(ListParams),
    responses(
        (status = 200, description = "A page of exports", body = ListPage<ExportView>),
        (status = 400, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_exports(
    State(state): State<AppState>,
    session: Session,
    params: ListParams,
) -> Result<Response, ApiError> {
    let page = reads::exports(&state, session.tenant(), params.request()).await?;
    session.record_read("export.list", None);
    let mut data = Vec::with_capacity(page.items.len());
    for (ulid, stored) in page.items {
        data.push(view(&state, ExportId::from_ulid(ulid), stored));
    }
    Ok(ListPage::response(data, page.next))
}
