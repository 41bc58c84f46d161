//! The `proposals` function: `/v1/proposals`, one proposal, and its actions (send, accept,
//! decline, convert into an invoice).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::app::proposals::{self, Answering};
use crate::app::reads::{Entries, Stored};
use crate::domain::ids::{CustomerId, ProposalId};
use crate::domain::invoice::Invoice;
use crate::domain::proposal::{
    NewProposal, Proposal, ProposalPatch, ProposalStatus, ProposalSummary,
};
use crate::domain::values::DocumentText;
use crate::http::etag::IfMatch;
use crate::http::extract::PathId;
use crate::http::json::{Fingerprinted, Json};
use crate::http::layers::RequestId;
use crate::http::problem::{ApiError, Problem};
use crate::http::records::{
    self, DocumentFilter, IdempotencyKey, ListPage, Resource, StatusFilter, View,
};
use crate::http::session::Session;

function_routes! {
    documented, routes;
    "/v1/proposals" => { get: list_proposals, post: create_proposal }
    "/v1/proposals/{id}" => { get: get_proposal, patch: update_proposal, delete: delete_proposal }
    "/v1/proposals/{id}/accept" => { post: accept_proposal }
    "/v1/proposals/{id}/decline" => { post: decline_proposal }
    "/v1/proposals/{id}/invoice" => { post: convert_proposal }
}

/// The function's router: [`api`] with every layer a response needs.
pub fn router(state: AppState) -> Router {
    crate::http::finish(api(state.clone()), &state)
}

/// The routes alone, to merge with other resources' before [`crate::http::finish`].
pub fn api(state: AppState) -> Router {
    crate::http::session::guarded(routes(), state)
}

fn parse_id(id: &str) -> Result<ProposalId, ApiError> {
    records::parse_id::<Proposal>(id)
}

/// A proposal as of now (expired once its validity has passed), with its ETag.
fn view(state: &AppState, id: &ProposalId, stored: Stored<Proposal>) -> Response {
    let now = state.clock.now();
    records::view_response(id, stored.map(|proposal| proposal.as_of(now)))
}

/// The query of `GET /v1/proposals` (documentation; [`DocumentFilter`] reads it).
#[derive(Debug, Clone, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProposalListParams {
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u16>,
    #[param(min_length = 1)]
    pub next: Option<String>,
    /// Only proposals of this status (`expired`: sent, and past their validity).
    #[param(value_type = Option<ProposalStatus>)]
    pub status: Option<ProposalStatus>,
    /// Only proposals of this customer (`cus_…`).
    #[param(value_type = Option<String>)]
    pub customer: Option<CustomerId>,
}

impl StatusFilter for ProposalStatus {
    const EXPECTED: &'static str = "must be draft, sent, accepted, declined, expired or converted";

    fn parse(text: &str) -> Option<Self> {
        ProposalStatus::parse(text)
    }
}

/// The account's proposals, newest first, each with its number, status, customer, dates,
/// currency and total. Filter by `status`, `customer` or both.
#[utoipa::path(
    get, path = "/v1/proposals", tag = "proposals", params(ProposalListParams),
    responses(
        (status = 200, description = "A page of proposals", body = ListPage<ProposalSummary>),
        (status = 400, description = "A bad filter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_proposals(
    State(state): State<AppState>,
    session: Session,
    filter: DocumentFilter<ProposalStatus>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let status = filter.status;
    records::list_entries::<ProposalSummary>(
        &state,
        &session,
        Entries::Proposals {
            status: status.map(|s| s.stored().as_str()),
            customer: filter.customer.as_ref(),
        },
        &filter.page,
        Proposal::ACTIONS.list,
        |summary| status.is_none_or(|wanted| summary.clone().as_of(now).status == wanted),
        |summary| summary.as_of(now),
    )
    .await
}

/// Create a draft proposal: amounts computed from its lines as for invoices; it can be
/// accepted until `valid_until` once sent. With `Idempotency-Key`, a retry of the same request
/// returns the first response and writes nothing.
#[utoipa::path(
    post, path = "/v1/proposals", tag = "proposals", request_body = NewProposal,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours")),
    responses(
        (status = 201, description = "Created", body = View<Proposal>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same request is still in progress", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_proposal(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    idempotency: IdempotencyKey,
    body: Fingerprinted<NewProposal>,
) -> Result<Response, ApiError> {
    let answer = crate::app::documents::create(
        &state,
        &session.actor(&request),
        idempotency.request(&body.bytes),
        body.value,
        records::view_json::<Proposal>,
    )
    .await?;
    Ok(records::answer_response(answer))
}

/// One proposal, as of now: `expired` once its validity has passed unanswered.
#[utoipa::path(
    get, path = "/v1/proposals/{id}", tag = "proposals",
    params(("id" = String, Path, description = "The proposal's id (`pro_…`)")),
    responses(
        (status = 200, description = "The proposal; ETag is its version", body = View<Proposal>),
        (status = 404, description = "No such proposal in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_proposal(
    State(state): State<AppState>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let stored = records::get::<Proposal>(&state, &session, &id).await?;
    Ok(view(&state, &id, stored))
}

/// Change a draft (JSON merge patch; `lines` replaces every line). Needs `If-Match`.
#[utoipa::path(
    patch, path = "/v1/proposals/{id}", tag = "proposals", request_body = ProposalPatch,
    params(
        ("id" = String, Path, description = "The proposal's id (`pro_…`)"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "Changed", body = View<Proposal>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_proposal(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
    Json(patch): Json<ProposalPatch>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let stored = crate::app::documents::update::<Proposal>(
        &state,
        &session.actor(&request),
        &id,
        expected.0,
        patch,
    )
    .await?;
    Ok(view(&state, &id, stored))
}

/// Delete a draft. Needs `If-Match`.
#[utoipa::path(
    delete, path = "/v1/proposals/{id}", tag = "proposals",
    params(
        ("id" = String, Path, description = "The proposal's id (`pro_…`)"),
        ("If-Match" = String, Header, description = "The ETag the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such proposal in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn delete_proposal(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    crate::app::documents::delete::<Proposal>(&state, &session.actor(&request), &id, expected.0)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Record that the customer accepted a sent proposal (not once it has expired). Takes
/// `Idempotency-Key`.
#[utoipa::path(
    post, path = "/v1/proposals/{id}/accept", tag = "proposals",
    params(
        ("id" = String, Path, description = "The proposal's id (`pro_…`)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours"),
    ),
    responses(
        (status = 200, description = "Accepted", body = View<Proposal>),
        (status = 404, description = "No such proposal in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not sent, or expired", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn accept_proposal(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    idempotency: IdempotencyKey,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let answer = proposals::answer(
        &state,
        &session.actor(&request),
        idempotency.request(b""),
        &id,
        Answering::Accept,
        records::view_json::<Proposal>,
    )
    .await?;
    Ok(records::answer_response(answer))
}

/// Why a proposal was declined.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineRequest {
    pub reason: DocumentText,
}

/// Record that the customer declined a sent proposal, and why. Takes `Idempotency-Key`.
#[utoipa::path(
    post, path = "/v1/proposals/{id}/decline", tag = "proposals", request_body = DeclineRequest,
    params(
        ("id" = String, Path, description = "The proposal's id (`pro_…`)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours"),
    ),
    responses(
        (status = 200, description = "Declined", body = View<Proposal>),
        (status = 400, description = "A field was refused; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not sent", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn decline_proposal(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    idempotency: IdempotencyKey,
    body: Fingerprinted<DeclineRequest>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let answer = proposals::answer(
        &state,
        &session.actor(&request),
        idempotency.request(&body.bytes),
        &id,
        Answering::Decline(body.value.reason),
        records::view_json::<Proposal>,
    )
    .await?;
    Ok(records::answer_response(answer))
}

/// Convert an accepted proposal into a draft invoice with the same customer, currency, terms
/// and lines; the two are linked (`invoice_id`, `proposal_id`). Only once: a second conversion
/// answers 409 naming the invoice. Takes `Idempotency-Key`.
#[utoipa::path(
    post, path = "/v1/proposals/{id}/invoice", tag = "proposals",
    params(
        ("id" = String, Path, description = "The proposal's id (`pro_…`)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours"),
    ),
    responses(
        (status = 201, description = "The draft invoice", body = View<Invoice>),
        (status = 404, description = "No such proposal in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not accepted, or already converted (the invoice is named)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn convert_proposal(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    idempotency: IdempotencyKey,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let answer = proposals::convert(
        &state,
        &session.actor(&request),
        idempotency.request(b""),
        &id,
        records::view_json::<Invoice>,
    )
    .await?;
    Ok(records::answer_response(answer))
}
