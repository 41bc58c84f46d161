//! The `link` function: a sent document's own page, `/d/<token>`, for its customer.
//!
//! - It holds no session and reads only through the link: the link's index item, then the one
//!   document it names (with what its PDF needs: the account's settings and company). It lists
//!   nothing, and no parameter but the token names anything.
//! - An unknown, expired or revoked link, a malformed token and a closed account all get the
//!   same 404 page.
//! - The page needs no script; it has the web app's strict CSP, `Referrer-Policy: no-referrer`
//!   (the token never leaves in a `Referer`) and `X-Robots-Tag: noindex`.
//! - The first view of each link is recorded on the server: no pixel, no third-party request.

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use serde::Deserialize;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::app::files::{self, File};
use crate::app::links::{self, Opened, PageAnswer, Refused, Visitor};
use crate::domain::credit_note::CreditNote;
use crate::domain::invoice::Invoice;
use crate::domain::proposal::{Proposal, ProposalStatus};
use crate::domain::values::DocumentText;
use crate::render::page::{self, Offer};
use crate::render::{Printable, einvoice};
use crate::store::LinkedKind;
use crate::telemetry::RequestId;
use crate::web::CONTENT_SECURITY_POLICY;
use crate::web::assets::STYLE;

/// The function's name (its crate, its binary, its events' prefix).
pub const FUNCTION: &str = "link";

/// The paths it serves.
pub const ROUTES: &[&str] = &[
    "/d/{token}",
    "/d/{token}/pdf",
    "/d/{token}/ubl",
    "/d/{token}/accept",
    "/d/{token}/decline",
];

/// The function's router, with every layer its answers need.
pub fn router(state: AppState) -> Router {
    let allowed: std::sync::Arc<[String]> = state.config.allowed_origins.clone().into();
    let edge = crate::http::edge::EdgeSecret::new(&state.config.edge_secret);
    let router = Router::new()
        .route(ROUTES[0], get(show))
        .route(ROUTES[1], get(pdf))
        .route(ROUTES[2], get(ubl))
        .route(ROUTES[3], post(accept))
        .route(ROUTES[4], post(decline))
        .fallback(|headers: HeaderMap| async move { not_found(&headers) })
        .with_state(state)
        // A form posted from another site is refused. The page has no script, so its forms
        // carry no custom header: the browser's `Origin` decides.
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            same_origin_posts(allowed.clone(), req, next)
        }))
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024))
        .layer(CatchPanicLayer::custom(crate::http::layers::panic_response))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            crate::http::edge::edge_only(edge.clone(), req, next)
        }))
        .layer(middleware::from_fn(crate::http::layers::request_context))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-robots-tag"),
            HeaderValue::from_static("noindex, nofollow"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ));
    crate::http::layers::hardened(router)
}

/// Lets an unsafe request through only from the site's own pages: an `Origin` of the site's,
/// or, since the page's `Referrer-Policy: no-referrer` makes a browser send `Origin: null` with
/// its forms, `null` with the browser's own `Sec-Fetch-Site: same-origin`.
async fn same_origin_posts(
    allowed: std::sync::Arc<[String]>,
    req: Request,
    next: Next,
) -> Response {
    if !req.method().is_safe() {
        let header = |name: HeaderName| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let same_origin = match header(header::ORIGIN).as_deref() {
            Some("null") => {
                header(HeaderName::from_static("sec-fetch-site")).as_deref() == Some("same-origin")
            }
            Some(origin) => allowed.iter().any(|a| a == origin),
            None => false,
        };
        if !same_origin {
            return (
                StatusCode::FORBIDDEN,
                "This form can only be sent from its own page.",
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// The visitor's language, for the pages that show no document: the first of `Accept-Language`
/// the documents are written in, else English.
fn visitor_language(headers: &HeaderMap) -> &'static str {
    let wanted = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    wanted
        .split(',')
        .filter_map(|tag| tag.split(';').next())
        .map(|tag| {
            tag.trim()
                .split('-')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        })
        .find_map(|language| {
            crate::render::messages::LANGUAGES
                .iter()
                .map(|(known, _)| *known)
                .find(|known| *known == language)
        })
        .unwrap_or("en")
}

/// The one answer to every link that opens nothing.
fn not_found(headers: &HeaderMap) -> Response {
    (
        StatusCode::NOT_FOUND,
        page::not_found(visitor_language(headers), STYLE.path()),
    )
        .into_response()
}

/// A failure behind the page (the table, the key service): a 503 that says nothing more.
fn failed(error: crate::app::Error, headers: &HeaderMap) -> Response {
    if matches!(error, crate::app::Error::NotFound) {
        return not_found(headers);
    }
    tracing::error!(error = %error, "a document's page failed");
    (StatusCode::SERVICE_UNAVAILABLE, "Try again in a moment.").into_response()
}

/// The link's document page, or the 404 page.
async fn show(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let shown = async {
        let Some(opened) = links::open(&state, &token).await? else {
            return Ok(None);
        };
        let base = format!("/d/{token}");
        let markup = match opened.target.kind {
            LinkedKind::Invoice => {
                let id = opened.id::<Invoice>();
                files::invoice_printed(&state, opened.tenant(), &id, |p, _, _| {
                    html_of(p, &base, None)
                })
                .await?
            }
            LinkedKind::CreditNote => {
                let id = opened.id::<CreditNote>();
                files::credit_note_printed(&state, opened.tenant(), &id, |p, _, _| {
                    html_of(p, &base, None)
                })
                .await?
            }
            LinkedKind::Proposal => proposal_page(&state, &opened, &base, None).await?,
        };
        viewed(&state, &opened, &request).await;
        Ok::<_, crate::app::Error>(Some(markup))
    };
    match Box::pin(shown).await {
        Ok(Some(markup)) => markup.into_response(),
        Ok(None) => not_found(&headers),
        Err(error) => failed(error, &headers),
    }
}

/// The proposal's page: answerable while sent and not expired; once answered, it says so.
async fn proposal_page(
    state: &AppState,
    opened: &Opened,
    base: &str,
    notice: Option<String>,
) -> crate::app::Result<maud::Markup> {
    let id = opened.id::<Proposal>();
    let proposal = crate::app::collection::current::<Proposal>(state, opened.tenant(), &id, None)
        .await?
        .record;
    let now = state.clock.now();
    let answerable = proposal.status == ProposalStatus::Sent && !proposal.is_expired(now);
    files::proposal_printed(state, opened.tenant(), &id, |p, _, _| {
        let (m, _) = page::reader(p);
        let seller = p.seller.legal_name.to_string();
        let notice = notice.or_else(|| match (&proposal.status, &proposal.acceptance) {
            (ProposalStatus::Accepted | ProposalStatus::Converted, Some(acceptance)) => {
                Some(m.with(
                    "page-accepted",
                    &[("name", acceptance.name.as_str()), ("seller", &seller)],
                ))
            }
            (ProposalStatus::Declined, _) => Some(m.with("page-declined", &[("seller", &seller)])),
            _ => None,
        });
        page::page(
            p,
            &Offer {
                base,
                ubl: false,
                answer: answerable,
                notice,
                style: STYLE.path(),
            },
        )
    })
    .await
}

/// An invoice's or credit note's page.
fn html_of(printable: &Printable<'_>, base: &str, notice: Option<String>) -> maud::Markup {
    page::page(
        printable,
        &Offer {
            base,
            ubl: ubl_possible(printable),
            answer: false,
            notice,
            style: STYLE.path(),
        },
    )
}

/// Whether the document can be a Peppol UBL file.
fn ubl_possible(printable: &Printable<'_>) -> bool {
    let notes = printable.notes();
    printable.mark.is_none()
        && printable.bill(&notes).is_some_and(|bill| {
            einvoice::missing(&bill).is_empty() && einvoice::missing_for_peppol(&bill).is_empty()
        })
}

/// Records the link's first view; a failure to record never keeps the page from the customer.
async fn viewed(state: &AppState, opened: &Opened, request: &RequestId) {
    let recorded = match opened.target.kind {
        LinkedKind::Invoice => links::record_view::<Invoice>(state, opened, request).await,
        LinkedKind::CreditNote => links::record_view::<CreditNote>(state, opened, request).await,
        LinkedKind::Proposal => links::record_view::<Proposal>(state, opened, request).await,
    };
    if let Err(error) = recorded {
        tracing::warn!(error = %error, "a view was not recorded");
    }
}

/// The document's PDF: the very file the account keeps.
async fn pdf(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let file = async {
        let Some(opened) = links::open(&state, &token).await? else {
            return Ok(None);
        };
        let tenant = opened.tenant();
        let file = match opened.target.kind {
            LinkedKind::Invoice => {
                files::invoice_pdf(&state, tenant, &opened.id::<Invoice>()).await?
            }
            LinkedKind::CreditNote => {
                files::credit_note_pdf(&state, tenant, &opened.id::<CreditNote>()).await?
            }
            LinkedKind::Proposal => {
                files::proposal_pdf(&state, tenant, &opened.id::<Proposal>()).await?
            }
        };
        Ok::<_, crate::app::Error>(Some(file))
    };
    match Box::pin(file).await {
        Ok(Some(file)) => download(file),
        Ok(None) => not_found(&headers),
        Err(error) => failed(error, &headers),
    }
}

/// An invoice's or credit note's UBL, when it can be one; anything else is the 404 page.
async fn ubl(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let file = async {
        let Some(opened) = links::open(&state, &token).await? else {
            return Ok(None);
        };
        let tenant = opened.tenant();
        let file = match opened.target.kind {
            LinkedKind::Invoice => {
                files::invoice_ubl(&state, tenant, &opened.id::<Invoice>()).await
            }
            LinkedKind::CreditNote => {
                files::credit_note_ubl(&state, tenant, &opened.id::<CreditNote>()).await
            }
            LinkedKind::Proposal => return Ok(None),
        };
        Ok::<_, crate::app::Error>(file.ok())
    };
    match Box::pin(file).await {
        Ok(Some(file)) => download(file),
        Ok(None) => not_found(&headers),
        Err(error) => failed(error, &headers),
    }
}

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

#[derive(Debug, Deserialize)]
struct AcceptForm {
    #[serde(default)]
    name: String,
}

#[derive(Debug, Deserialize)]
struct DeclineForm {
    #[serde(default)]
    reason: String,
}

/// Where the answer came from: API Gateway's view of the client, and its user agent.
fn visitor(headers: &HeaderMap, source_ip: Option<String>) -> Visitor {
    Visitor {
        ip_address: source_ip,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// The client's address as API Gateway saw it (none when served locally).
fn source_ip(request: &Request) -> Option<String> {
    use lambda_http::RequestExt;
    match request.request_context_ref()? {
        lambda_http::request::RequestContext::ApiGatewayV2(context) => {
            context.http.source_ip.clone()
        }
        _ => None,
    }
}

async fn accept(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let ip = source_ip(&req);
    let Ok(Form(form)) = Form::<AcceptForm>::from_request(req, &()).await else {
        return (StatusCode::BAD_REQUEST, "The form could not be read.").into_response();
    };
    answered(
        &state,
        &request,
        &token,
        &headers,
        PageAnswer::Accept(form.name),
        visitor(&headers, ip),
    )
    .await
}

async fn decline(
    State(state): State<AppState>,
    Extension(request): Extension<RequestId>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let ip = source_ip(&req);
    let Ok(Form(form)) = Form::<DeclineForm>::from_request(req, &()).await else {
        return (StatusCode::BAD_REQUEST, "The form could not be read.").into_response();
    };
    let reason = form.reason.trim();
    let reason = if reason.is_empty() {
        None
    } else {
        match DocumentText::parse(reason) {
            Ok(reason) => Some(reason),
            Err(_) => {
                return (StatusCode::BAD_REQUEST, "The reason is too long.").into_response();
            }
        }
    };
    answered(
        &state,
        &request,
        &token,
        &headers,
        PageAnswer::Decline(reason),
        visitor(&headers, ip),
    )
    .await
}

/// Records the answer and shows the page again (after a redirect, so a reload posts nothing);
/// a refusal is the page with its message and a 4xx.
async fn answered(
    state: &AppState,
    request: &RequestId,
    token: &str,
    headers: &HeaderMap,
    answer: PageAnswer,
    visitor: Visitor,
) -> Response {
    let outcome = async {
        let Some(opened) = links::open(state, token).await? else {
            return Ok(None);
        };
        if opened.target.kind != LinkedKind::Proposal {
            return Ok(None);
        }
        match links::answer(state, &opened, answer, visitor, request).await? {
            Ok(()) => Ok(Some(Ok(()))),
            Err(refused) => {
                let base = format!("/d/{token}");
                let (status, id) = match refused {
                    Refused::NameRequired => {
                        (StatusCode::UNPROCESSABLE_ENTITY, "page-name-required")
                    }
                    Refused::Closed => (StatusCode::CONFLICT, "page-closed"),
                };
                let notice = proposal_notice(state, &opened, id).await?;
                let markup = proposal_page(state, &opened, &base, Some(notice)).await?;
                Ok::<_, crate::app::Error>(Some(Err((status, markup))))
            }
        }
    };
    match Box::pin(outcome).await {
        Ok(Some(Ok(()))) => Redirect::to(&format!("/d/{token}")).into_response(),
        Ok(Some(Err((status, markup)))) => (status, markup).into_response(),
        Ok(None) => not_found(headers),
        Err(error) => failed(error, headers),
    }
}

/// A message of the page's, in the proposal's reader's language.
async fn proposal_notice(
    state: &AppState,
    opened: &Opened,
    id: &str,
) -> crate::app::Result<String> {
    let proposal_id = opened.id::<Proposal>();
    files::proposal_printed(state, opened.tenant(), &proposal_id, |p, _, _| {
        page::reader(p).0.text(id)
    })
    .await
}
