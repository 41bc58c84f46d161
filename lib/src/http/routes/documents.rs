//! The `documents` function: documents as files. Their PDF (PDF/A-3, with the EN 16931 CII
//! XML embedded as `factur-x.xml` in invoices and credit notes) and their UBL 2.1 e-invoice.
//! It is a function of its own so the PDF code and its fonts weigh on no other function's size
//! or cold start (decision 0015).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};

use crate::AppState;
use crate::app::files::{self, File};
use crate::domain::credit_note::CreditNote;
use crate::app::links::MadeLink;
use crate::app::reminders::{self, Reminders};
use crate::http::etag::IfMatch;
use crate::domain::ids::LinkId;
use crate::domain::invoice::Invoice;
use crate::domain::proposal::Proposal;
use crate::http::extract::PathId;
use crate::http::layers::RequestId;
use crate::http::problem::{ApiError, Problem};
use crate::http::records;
use crate::http::json::{Fingerprinted, OptionalBody};
use crate::http::records::{IdempotencyKey, View};
use crate::http::session::Session;
use crate::domain::sending::{ProposalSendRequest, SendRequest};

function_routes! {
    documented, routes;
    "/v1/invoices/{id}/pdf" => { get: invoice_pdf }
    "/v1/invoices/{id}/ubl" => { get: invoice_ubl }
    "/v1/invoices/{id}/send" => { post: send_invoice }
    "/v1/credit-notes/{id}/pdf" => { get: credit_note_pdf }
    "/v1/credit-notes/{id}/ubl" => { get: credit_note_ubl }
    "/v1/credit-notes/{id}/send" => { post: send_credit_note }
    "/v1/proposals/{id}/pdf" => { get: proposal_pdf }
    "/v1/proposals/{id}/send" => { post: send_proposal }
    "/v1/invoices/{id}/links" => { post: make_invoice_link }
    "/v1/credit-notes/{id}/links" => { post: make_credit_note_link }
    "/v1/proposals/{id}/links" => { post: make_proposal_link }
    "/v1/invoices/{id}/links/{link}" => { delete: revoke_invoice_link }
    "/v1/credit-notes/{id}/links/{link}" => { delete: revoke_credit_note_link }
    "/v1/proposals/{id}/links/{link}" => { delete: revoke_proposal_link }
    "/v1/invoices/{id}/reminders" => { get: invoice_reminders, post: remind_invoice }
    "/v1/invoices/{id}/reminders/pause" => { post: pause_reminders }
    "/v1/invoices/{id}/reminders/resume" => { post: resume_reminders }
}

/// The function's router: [`api`] with every layer a response needs.
pub fn router(state: AppState) -> Router {
    crate::http::finish(api(state.clone()), &state)
}

/// The routes alone, to merge with other resources' before [`crate::http::finish`].
pub fn api(state: AppState) -> Router {
    crate::http::session::guarded(routes(), state)
}

/// A file's bytes, as the OpenAPI document describes a download.
struct FileBytes;

impl utoipa::PartialSchema for FileBytes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .into()
    }
}

impl utoipa::ToSchema for FileBytes {}

/// A file as a download: its type, and `attachment` with its name.
fn download(file: File) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", file.name);
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.content_type),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// E-mail an issued invoice to its customer: one message through Amazon SES with the PDF
/// (and its Factur-X XML) and, when both parties are on Peppol, the UBL attached. `to` defaults
/// to the customer's address; the subject and message default to texts in the customer's
/// language with the number, amount due and due date. The invoice is marked sent (the
/// message's id, its recipients, the time, in `sendings`) only once SES has accepted the
/// message. It can be sent again: a new message. Takes `Idempotency-Key`: one key never sends
/// a second message.
#[utoipa::path(
    post, path = "/v1/invoices/{id}/send", tag = "documents", request_body = SendRequest,
    params(
        ("id" = String, Path, description = "The invoice's id (`inv_…`)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours: one key sends one message"),
    ),
    responses(
        (status = 200, description = "Sent, and recorded in `sendings`", body = View<Invoice>),
        (status = 400, description = "A field was refused (a malformed address, more than 50 recipients); nothing was sent", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A draft or a void invoice, or the same Idempotency-Key in flight; nothing was sent", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No recipient (`to`), or the Idempotency-Key was used for another request; nothing was sent", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "Amazon SES refused the message; nothing was marked sent", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Amazon SES could not take the message now; nothing was marked sent", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The account's hourly quota of e-mails (300) is spent; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn send_invoice(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    idempotency: IdempotencyKey,
    body: Fingerprinted<SendRequest>,
) -> Result<Response, ApiError> {
    send::<Invoice>(&state, &session, &request, &id, idempotency, body).await
}

/// E-mail a credit note to its customer, as an invoice is sent: the PDF and, when both
/// parties are on Peppol, the UBL attached; the text in the customer's language names the
/// invoice it credits. Marked in `sendings` once SES accepted the message. Takes
/// `Idempotency-Key`.
#[utoipa::path(
    post, path = "/v1/credit-notes/{id}/send", tag = "documents", request_body = SendRequest,
    params(
        ("id" = String, Path, description = "The credit note's id (`crn_…`)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours: one key sends one message"),
    ),
    responses(
        (status = 200, description = "Sent, and recorded in `sendings`", body = View<CreditNote>),
        (status = 400, description = "A field was refused (a malformed address, more than 50 recipients); nothing was sent", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such credit note in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same Idempotency-Key in flight; nothing was sent", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No recipient (`to`), or the Idempotency-Key was used for another request; nothing was sent", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "Amazon SES refused the message; nothing was marked sent", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Amazon SES could not take the message now; nothing was marked sent", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The account's hourly quota of e-mails (300) is spent; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn send_credit_note(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    idempotency: IdempotencyKey,
    body: Fingerprinted<SendRequest>,
) -> Result<Response, ApiError> {
    send::<CreditNote>(&state, &session, &request, &id, idempotency, body).await
}

/// Send a proposal: a draft gets the next number of the proposal series (the seller and buyer
/// recorded as they are now; it can be accepted until the end of `valid_until`), then it is
/// e-mailed to the customer with its PDF and the link to its page, where the customer can
/// accept or decline it. `{"email": false}` only numbers it. A proposal already sent is
/// e-mailed again (a new message, a new link; the old link keeps working). Takes
/// `Idempotency-Key`: one key numbers once and sends one message.
#[utoipa::path(
    post, path = "/v1/proposals/{id}/send", tag = "proposals", request_body = Option<ProposalSendRequest>,
    params(
        ("id" = String, Path, description = "The proposal's id (`pro_…`)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours: one key numbers once and sends one message"),
    ),
    responses(
        (status = 200, description = "Sent (numbered, and e-mailed unless `email` was false)", body = View<Proposal>),
        (status = 400, description = "It lacks a customer or lines, its validity has passed, or a field was refused; no number was used", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft (with `email: false`), or the same Idempotency-Key in flight", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No recipient (`to`), or the Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "Amazon SES refused the message: the proposal is numbered but not e-mailed; the same request sends it", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Amazon SES could not take the message now: the proposal is numbered but not e-mailed; the same request sends it", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The account's hourly quota of e-mails (300) is spent; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn send_proposal(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    idempotency: IdempotencyKey,
    OptionalBody(body): OptionalBody<ProposalSendRequest>,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<Proposal>(&id)?;
    let actor = session.actor(&request);
    let email = body.value.email;
    let numbering = idempotency.request(&body.bytes);
    let numbered = match crate::app::documents::number::<Proposal>(
        &state,
        &actor,
        numbering,
        &id,
        records::view_json::<Proposal>,
    )
    .await
    {
        Ok(answer) => Some(answer),
        // Sent before: e-mailed again.
        Err(crate::app::Error::Conflict(why))
            if email != Some(false)
                && why == <Proposal as crate::app::documents::Numbered>::ALREADY_OUT =>
        {
            None
        }
        Err(error) => return Err(error.into()),
    };
    if email == Some(false) {
        let answer = numbered.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("not numbered")))?;
        return Ok(records::answer_response(answer));
    }
    // The e-mail is a unit of work of its own under the same key: a retry after SES failed
    // finds the proposal numbered (its saved answer) and sends the message once.
    let mail_path = format!("{}#mail", numbering.path);
    let mailing = crate::app::idempotency::Request {
        path: &mail_path,
        ..numbering
    };
    let mailed = Box::pin(crate::app::sending::send::<Proposal>(
        &state,
        &actor,
        mailing,
        &id,
        body.value.mail(),
        records::view_json::<Proposal>,
    ))
    .await;
    match (mailed, numbered) {
        (Ok(answer), _) => Ok(records::answer_response(answer)),
        // Numbered for a customer without an address, and e-mail not asked for: sent by hand.
        (Err(crate::app::Error::UnprocessableFields(fields)), Some(numbered))
            if email.is_none() && fields.iter().any(|f| f.field == "to") =>
        {
            Ok(records::answer_response(numbered))
        }
        (Err(error), _) => Err(error.into()),
    }
}

/// Make a new link to a sent invoice's page, to hand over another way than the e-mail: its
/// address is in this answer only (the account keeps its hash). It expires as an e-mailed one.
#[utoipa::path(
    post, path = "/v1/invoices/{id}/links", tag = "documents",
    params(("id" = String, Path, description = "The invoice's id (`inv_…`)")),
    responses(
        (status = 201, description = "The new link, with its address", body = MadeLink),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A draft or a void invoice", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn make_invoice_link(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    make::<Invoice>(&state, &session, &request, &id).await
}

/// Make a new link to a credit note's page; its address is in this answer only.
#[utoipa::path(
    post, path = "/v1/credit-notes/{id}/links", tag = "documents",
    params(("id" = String, Path, description = "The credit note's id (`crn_…`)")),
    responses(
        (status = 201, description = "The new link, with its address", body = MadeLink),
        (status = 404, description = "No such credit note in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn make_credit_note_link(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    make::<CreditNote>(&state, &session, &request, &id).await
}

/// Make a new link to a sent proposal's page (where the customer can accept it); its address
/// is in this answer only.
#[utoipa::path(
    post, path = "/v1/proposals/{id}/links", tag = "proposals",
    params(("id" = String, Path, description = "The proposal's id (`pro_…`)")),
    responses(
        (status = 201, description = "The new link, with its address", body = MadeLink),
        (status = 404, description = "No such proposal in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A draft: send it first", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn make_proposal_link(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    make::<Proposal>(&state, &session, &request, &id).await
}

/// The three make-a-link routes.
async fn make<D: crate::app::sending::Mailable + records::Resource>(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    id: &str,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<D>(id)?;
    let made = Box::pin(crate::app::links::make::<D>(state, &session.actor(request), &id)).await?;
    Ok((axum::http::StatusCode::CREATED, axum::Json(made)).into_response())
}

/// Revoke one link of a sent invoice (from its `links`): from now on it opens the same 404 page
/// as a link that never existed. Voiding the invoice revokes them all.
#[utoipa::path(
    delete, path = "/v1/invoices/{id}/links/{link}", tag = "documents",
    params(
        ("id" = String, Path, description = "The invoice's id (`inv_…`)"),
        ("link" = String, Path, description = "The link's id (`lnk_…`)"),
    ),
    responses(
        (status = 200, description = "Revoked (or revoked before)", body = View<Invoice>),
        (status = 404, description = "No such invoice or link in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn revoke_invoice_link(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    Path((id, link)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    revoke::<Invoice>(&state, &session, &request, &id, &link).await
}

/// Revoke one link of a sent credit note.
#[utoipa::path(
    delete, path = "/v1/credit-notes/{id}/links/{link}", tag = "documents",
    params(
        ("id" = String, Path, description = "The credit note's id (`crn_…`)"),
        ("link" = String, Path, description = "The link's id (`lnk_…`)"),
    ),
    responses(
        (status = 200, description = "Revoked (or revoked before)", body = View<CreditNote>),
        (status = 404, description = "No such credit note or link in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn revoke_credit_note_link(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    Path((id, link)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    revoke::<CreditNote>(&state, &session, &request, &id, &link).await
}

/// Revoke one link of a sent proposal: the customer can no longer read or answer it there.
#[utoipa::path(
    delete, path = "/v1/proposals/{id}/links/{link}", tag = "proposals",
    params(
        ("id" = String, Path, description = "The proposal's id (`pro_…`)"),
        ("link" = String, Path, description = "The link's id (`lnk_…`)"),
    ),
    responses(
        (status = 200, description = "Revoked (or revoked before)", body = View<Proposal>),
        (status = 404, description = "No such proposal or link in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn revoke_proposal_link(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    Path((id, link)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    revoke::<Proposal>(&state, &session, &request, &id, &link).await
}

/// The three revoke routes.
async fn revoke<D: crate::app::sending::Mailable + records::Resource>(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    id: &str,
    link: &str,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<D>(id)?;
    let link: LinkId = link.parse().map_err(|_| ApiError::NotFound)?;
    let response = crate::app::links::revoke::<D>(
        state,
        &session.actor(request),
        &id,
        link,
        records::view_json::<D>,
    )
    .await?;
    Ok(records::answer_response(crate::app::idempotency::Answer {
        response,
        replayed: false,
    }))
}

/// An invoice's payment reminders: those sent (stage, date, recipients, what each claimed),
/// whether they are paused for it or the customer asked for none, and the day the next is
/// due under the account's policy (`settings.reminders`).
#[utoipa::path(
    get, path = "/v1/invoices/{id}/reminders", tag = "documents",
    params(("id" = String, Path, description = "The invoice's id (`inv_…`)")),
    responses(
        (status = 200, description = "The invoice's reminders", body = Reminders),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn invoice_reminders(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<Invoice>(&id)?;
    let reminders = reminders::overview(&state, &session.actor(&request), &id).await?;
    Ok(axum::Json(reminders).into_response())
}

/// Send a payment reminder now, by hand: the latest stage of the account's policy whose day
/// has come, else the one after the last sent (whether or not the policy is switched on). The
/// message, in the customer's language, attaches the reminder's PDF (the amount due, the days
/// overdue, the fees, the interest to the day and the compensation claimed, the payment
/// reference and QR code) and the invoice's PDF. A stage is never sent twice. Takes
/// `Idempotency-Key`.
#[utoipa::path(
    post, path = "/v1/invoices/{id}/reminders", tag = "documents",
    params(
        ("id" = String, Path, description = "The invoice's id (`inv_…`)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe for 24 hours: one key sends one reminder"),
    ),
    responses(
        (status = 200, description = "Sent, and recorded in `reminders`", body = View<Invoice>),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not overdue, not open, every stage sent, or the customer asked for no reminders; nothing was sent", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The customer has no e-mail address, or it is suppressed; nothing was sent", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "Amazon SES refused the message; nothing was recorded", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Amazon SES could not take the message now; nothing was recorded", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn remind_invoice(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    idempotency: IdempotencyKey,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<Invoice>(&id)?;
    // Boxed: the reminder's future (two PDFs, SES, the record) is large.
    let answer = Box::pin(reminders::send_by_hand(
        &state,
        &session.actor(&request),
        idempotency.request(b""),
        &id,
        records::view_json::<Invoice>,
    ))
    .await?;
    Ok(records::answer_response(answer))
}

/// Pause the schedule's payment reminders for this invoice (one can still be sent by hand).
/// Needs `If-Match`.
#[utoipa::path(
    post, path = "/v1/invoices/{id}/reminders/pause", tag = "documents",
    params(
        ("id" = String, Path, description = "The invoice's id (`inv_…`)"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "Paused", body = View<Invoice>),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn pause_reminders(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    paused(&state, &session, &request, &id, expected, true).await
}

/// Resume the schedule's payment reminders for this invoice. Needs `If-Match`.
#[utoipa::path(
    post, path = "/v1/invoices/{id}/reminders/resume", tag = "documents",
    params(
        ("id" = String, Path, description = "The invoice's id (`inv_…`)"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    responses(
        (status = 200, description = "Resumed", body = View<Invoice>),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn resume_reminders(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    paused(&state, &session, &request, &id, expected, false).await
}

async fn paused(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    id: &str,
    expected: IfMatch,
    paused: bool,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<Invoice>(id)?;
    let actor = session.actor(request);
    let response = reminders::pause(
        state,
        &actor,
        &id,
        paused,
        expected.0,
        records::view_json::<Invoice>,
    )
    .await?;
    Ok(records::answer_response(crate::app::idempotency::Answer {
        response,
        replayed: false,
    }))
}

/// Both send routes: the document `id` of kind `D`, e-mailed, and its view answered.
async fn send<D: crate::app::sending::Mailable + records::Resource>(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    id: &str,
    idempotency: IdempotencyKey,
    body: Fingerprinted<SendRequest>,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<D>(id)?;
    // Boxed: the send's future (the PDF, the UBL, SES, the record) is large.
    let answer = Box::pin(crate::app::sending::send::<D>(
        state,
        &session.actor(request),
        idempotency.request(&body.bytes),
        &id,
        body.value,
        records::view_json::<D>,
    ))
    .await?;
    Ok(records::answer_response(answer))
}

/// The invoice as a PDF to send. An issued invoice's is a PDF/A-3 file with its EN 16931
/// e-invoice embedded (`factur-x.xml`, Factur-X 1.0 / ZUGFeRD 2.x, profile EN 16931) when the
/// seller's address and tax id and the buyer's address were known at issue; it is made on the
/// first fetch and every later fetch answers the same bytes. A draft's is marked DRAFT, has no
/// number and is made anew each time.
#[utoipa::path(
    get, path = "/v1/invoices/{id}/pdf", tag = "documents",
    params(("id" = String, Path, description = "The invoice's id (`inv_…`)")),
    responses(
        (status = 200, description = "The PDF, as an attachment named by the invoice's number", content_type = "application/pdf", body = FileBytes),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The account's hourly quota of PDFs (600) is spent; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn invoice_pdf(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<Invoice>(&id)?;
    crate::app::quota::spend(&state, session.tenant(), crate::app::quota::Quota::Pdfs).await?;
    let file = files::invoice_pdf(&state, &session.actor(&request), &id).await?;
    session.record_download("invoice.pdf", Some(id.to_string()));
    Ok(download(file))
}

/// The issued invoice as a UBL 2.1 e-invoice (Peppol BIS Billing 3.0, EN 16931). 409 for a
/// draft or a void invoice; 422 naming what EN 16931 requires and the invoice was issued without (the seller's
/// address or tax id, the buyer's address) or a currency with 3 decimals.
#[utoipa::path(
    get, path = "/v1/invoices/{id}/ubl", tag = "documents",
    params(("id" = String, Path, description = "The invoice's id (`inv_…`)")),
    responses(
        (status = 200, description = "The UBL invoice", content_type = "application/xml", body = String),
        (status = 404, description = "No such invoice in this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A draft (issue it first) or a void invoice", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "It cannot be an EN 16931 e-invoice: the fields say why", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn invoice_ubl(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<Invoice>(&id)?;
    let file = files::invoice_ubl(&state, &session.actor(&request), &id).await?;
    session.record_download("invoice.ubl", Some(id.to_string()));
    Ok(download(file))
}

/// The credit note as a PDF: PDF/A-3 with its EN 16931 e-invoice embedded (type 381), made
/// on the first fetch and the same bytes ever after.
#[utoipa::path(
    get, path = "/v1/credit-notes/{id}/pdf", tag = "documents",
    params(("id" = String, Path, description = "The credit note's id (`crn_…`)")),
    responses(
        (status = 200, description = "The PDF, as an attachment named by the credit note's number", content_type = "application/pdf", body = FileBytes),
        (status = 404, description = "No such credit note in this account", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The account's hourly quota of PDFs (600) is spent; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn credit_note_pdf(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<CreditNote>(&id)?;
    crate::app::quota::spend(&state, session.tenant(), crate::app::quota::Quota::Pdfs).await?;
    let file = files::credit_note_pdf(&state, &session.actor(&request), &id).await?;
    session.record_download("credit_note.pdf", Some(id.to_string()));
    Ok(download(file))
}

/// The credit note as a UBL 2.1 `CreditNote` (Peppol BIS Billing 3.0, EN 16931); 422 as for an
/// invoice.
#[utoipa::path(
    get, path = "/v1/credit-notes/{id}/ubl", tag = "documents",
    params(("id" = String, Path, description = "The credit note's id (`crn_…`)")),
    responses(
        (status = 200, description = "The UBL credit note", content_type = "application/xml", body = String),
        (status = 404, description = "No such credit note in this account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "It cannot be an EN 16931 e-invoice: the fields say why", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn credit_note_ubl(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<CreditNote>(&id)?;
    let file = files::credit_note_ubl(&state, &session.actor(&request), &id).await?;
    session.record_download("credit_note.ubl", Some(id.to_string()));
    Ok(download(file))
}

/// The proposal as a PDF. A sent one's is made on the first fetch and the same bytes ever
/// after; a draft's is marked DRAFT and made anew each time.
#[utoipa::path(
    get, path = "/v1/proposals/{id}/pdf", tag = "documents",
    params(("id" = String, Path, description = "The proposal's id (`pro_…`)")),
    responses(
        (status = 200, description = "The PDF, as an attachment named by the proposal's number", content_type = "application/pdf", body = FileBytes),
        (status = 404, description = "No such proposal in this account", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The account's hourly quota of PDFs (600) is spent; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn proposal_pdf(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    session: Session,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id = records::parse_id::<Proposal>(&id)?;
    crate::app::quota::spend(&state, session.tenant(), crate::app::quota::Quota::Pdfs).await?;
    let file = files::proposal_pdf(&state, &session.actor(&request), &id).await?;
    session.record_download("proposal.pdf", Some(id.to_string()));
    Ok(download(file))
}
