//! What every collection resource (customers, services, …) shares: ids in paths, list
//! parameters, `Idempotency-Key`, and the create / read / list / change / delete handlers,
//! written once over [`Resource`].

use std::fmt::Display;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::etag::{IfMatch, etag};
use super::layers::RequestId;
use super::problem::ApiError;
use super::session::Session;
use crate::AppState;
use crate::app::collection;
use crate::app::idempotency::{self, Answer};
use crate::app::reads::{self, Entries, PageRequest, Record, Stored};
use crate::domain::Timestamp;
use crate::domain::ids::CustomerId;

pub use crate::app::collection::{Actions, Resource};

/// A record as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct View<T> {
    pub id: String,
    #[serde(flatten)]
    pub record: T,
    /// Bumped by every change; also the `ETag`.
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl<T> View<T> {
    pub fn of<I: Display>(id: &I, stored: Stored<T>) -> Self {
        Self {
            id: id.to_string(),
            record: stored.record,
            version: stored.version,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }
}

/// One page of a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ListPage<T> {
    pub data: Vec<T>,
    /// Pass as `next` for the following page; `null` on the last.
    pub next: Option<String>,
}

impl<T: Serialize> ListPage<T> {
    pub fn response(data: Vec<T>, next: Option<String>) -> Response {
        axum::Json(Self { data, next }).into_response()
    }
}

/// `?limit=N&next=<cursor>`: 1 to 100 items (25 by default), after the cursor.
#[derive(Debug, Clone, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Items per page, 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u16>,
    /// The `next` of the previous page (opaque: any other value is refused with a 400).
    #[param(min_length = 1)]
    pub next: Option<String>,
}

impl ListParams {
    pub const DEFAULT_LIMIT: u16 = 25;
    pub const MAX_LIMIT: u16 = 100;

    /// The page the use case reads.
    pub fn request(&self) -> PageRequest<'_> {
        PageRequest {
            limit: self.limit.unwrap_or(Self::DEFAULT_LIMIT),
            next: self.next.as_deref(),
        }
    }
}

impl ListParams {
    /// Reads one query parameter of a page (`limit`, `next`); any other is refused, naming it.
    pub fn take(&mut self, name: &str, value: &str) -> Result<(), ApiError> {
        match name {
            "limit" => {
                let limit = value
                    .parse::<u16>()
                    .ok()
                    .filter(|n| (1..=Self::MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        ApiError::invalid("limit", "must be a whole number from 1 to 100")
                    })?;
                self.limit = Some(limit);
            }
            "next" => self.next = Some(value.to_owned()),
            other => return Err(ApiError::invalid(other, "unknown query parameter")),
        }
        Ok(())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ListParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = Self::default();
        let query = parts.uri.query().unwrap_or_default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            params.take(&name, &value)?;
        }
        Ok(params)
    }
}

/// A status a document list filters on (`?status=issued`).
pub trait StatusFilter: Copy + Send + Sync + 'static {
    /// What the `status` parameter may be, for the refusal's message.
    const EXPECTED: &'static str;
    fn parse(text: &str) -> Option<Self>;
}

/// The query of a document list: a page, and optionally one status and one customer. (Each
/// list documents its parameters with a struct of its own deriving `IntoParams`.)
#[derive(Debug, Clone)]
pub struct DocumentFilter<S> {
    pub page: ListParams,
    pub status: Option<S>,
    pub customer: Option<CustomerId>,
}

impl<S: StatusFilter> DocumentFilter<S> {
    /// Reads one query parameter of a document list (`status`, `customer`, or a page's); any
    /// other is refused, naming it.
    pub fn take(&mut self, name: &str, value: &str) -> Result<(), ApiError> {
        match name {
            "status" => {
                let status =
                    S::parse(value).ok_or_else(|| ApiError::invalid("status", S::EXPECTED))?;
                self.status = Some(status);
            }
            "customer" => self.customer = Some(customer_param(value)?),
            other => self.page.take(other, value)?,
        }
        Ok(())
    }
}

/// The `customer` parameter of a list: a customer id (`cus_…`).
pub fn customer_param(value: &str) -> Result<CustomerId, ApiError> {
    value
        .parse()
        .map_err(|_| ApiError::invalid("customer", "must be a customer id (cus_…)"))
}

impl<S> Default for DocumentFilter<S> {
    fn default() -> Self {
        Self {
            page: ListParams::default(),
            status: None,
            customer: None,
        }
    }
}

impl<S: StatusFilter, St: Send + Sync> FromRequestParts<St> for DocumentFilter<S> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &St) -> Result<Self, Self::Rejection> {
        let mut filter = Self::default();
        let query = parts.uri.query().unwrap_or_default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            filter.take(&name, &value)?;
        }
        Ok(filter)
    }
}

/// A page of document summaries from `entries`, keeping those `keep` accepts and showing each
/// through `show`, and the list's audit line.
pub async fn list_entries<T: Record + Serialize>(
    state: &AppState,
    session: &Session,
    entries: Entries<'_>,
    page: &ListParams,
    action: &'static str,
    keep: impl Fn(&T) -> bool,
    show: impl Fn(T) -> T,
) -> Result<Response, ApiError> {
    let (items, next) =
        reads::entries::<T>(state, session.tenant(), entries, page.request(), keep).await?;
    session.record_read(action, None);
    let data: Vec<T> = items.into_iter().map(show).collect();
    Ok(ListPage::response(data, next))
}

/// A page of `entries`, the entries of one record (an invoice's payments): a 404 unless the
/// account has that record, which is read beside the page.
pub async fn list_of<P: Resource, T: Record + Serialize>(
    state: &AppState,
    session: &Session,
    parent: &P::Id,
    entries: Entries<'_>,
    page: &ListParams,
    action: &'static str,
) -> Result<Response, ApiError> {
    let (data, next) =
        reads::entries_of::<P, T>(state, session.tenant(), parent, entries, page.request()).await?;
    session.record_read(action, None);
    Ok(ListPage::<T>::response(data, next))
}

#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    key: Option<String>,
    method: String,
    path: String,
}

impl IdempotencyKey {
    /// What makes this request the same request, with its body.
    pub fn request<'a>(&'a self, body: &'a [u8]) -> idempotency::Request<'a> {
        idempotency::Request {
            key: self.key.as_deref(),
            method: &self.method,
            path: &self.path,
            body,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let key = match parts.headers.get("idempotency-key") {
            None => None,
            Some(value) => Some(
                value
                    .to_str()
                    .ok()
                    // Visible ASCII only, as documented: a header may also hold spaces and tabs.
                    .filter(|t| {
                        (1..=255).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_graphic())
                    })
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "Idempotency-Key",
                            "must be 1 to 255 visible ASCII characters",
                        )
                    })?
                    .to_owned(),
            ),
        };
        Ok(Self {
            key,
            method: parts.method.as_str().to_owned(),
            path: parts.uri.path().to_owned(),
        })
    }
}

/// A path id: one that is not even well-formed cannot exist, so it is a 404 like any other.
pub fn parse_id<R: Resource>(text: &str) -> Result<R::Id, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

/// The response a use case answered (or saved earlier, for a retry under the same key).
pub fn answer_response(answer: Answer) -> Response {
    let saved = answer.response;
    let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK);
    let mut response = (status, axum::Json(saved.body)).into_response();
    let headers = response.headers_mut();
    if let Some(location) = saved.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    if let Some(version) = saved.etag {
        headers.insert(header::ETAG, etag(version));
    }
    if answer.replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// A record as the API shows it, with its version as the `ETag`.
pub fn view_response<T: Serialize>(id: &impl Display, stored: Stored<T>) -> Response {
    let version = stored.version;
    (
        [(header::ETAG, etag(version))],
        axum::Json(View::of(id, stored)),
    )
        .into_response()
}

pub fn view_json<R: Resource>(id: &R::Id, stored: Stored<R>) -> serde_json::Value {
    serde_json::to_value(View::of(id, stored)).unwrap_or_default()
}

/// Creates `record` as a new item of its collection: one transaction with its audit entry
/// (and, with an `Idempotency-Key`, the saved response).
pub async fn create<R: Resource>(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    idempotency: IdempotencyKey,
    body: &[u8],
    record: R,
) -> Result<Response, ApiError> {
    let answer = collection::create(
        state,
        &session.actor(request),
        idempotency.request(body),
        record,
        view_json::<R>,
    )
    .await?;
    Ok(answer_response(answer))
}

/// One record, by id.
pub async fn read<R: Resource>(
    state: &AppState,
    session: &Session,
    id: &str,
) -> Result<Response, ApiError> {
    let id = parse_id::<R>(id)?;
    let stored = get::<R>(state, session, &id).await?;
    Ok(view_response(&id, stored))
}

/// One record, by id, and the read's audit line (404 when the account has no such record).
pub async fn get<R: Resource>(
    state: &AppState,
    session: &Session,
    id: &R::Id,
) -> Result<Stored<R>, ApiError> {
    let stored = reads::one::<R>(state, session.tenant(), id).await?;
    session.record_read(R::ACTIONS.read, Some(id.to_string()));
    Ok(stored)
}

/// A page of the collection, in creation order.
pub async fn list<R: Resource>(
    state: &AppState,
    session: &Session,
    params: ListParams,
) -> Result<Response, ApiError> {
    let page = reads::records::<R>(state, session.tenant(), params.request()).await?;
    session.record_read(R::ACTIONS.list, None);
    let data = page
        .items
        .into_iter()
        .map(|(ulid, stored)| View::of(&R::id_from_ulid(ulid), stored))
        .collect::<Vec<View<R>>>();
    Ok(ListPage::response(data, page.next))
}

/// Applies `change` to the record at the version `If-Match` names (any, for `*`): the write
/// is conditional on that version, so a concurrent change makes this one a 412.
pub async fn update<R: Resource>(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    id: &str,
    expected: IfMatch,
    change: impl FnOnce(&R) -> Result<R, crate::app::Error>,
) -> Result<Response, ApiError> {
    let id = parse_id::<R>(id)?;
    let stored =
        collection::update::<R>(state, &session.actor(request), &id, expected.0, change).await?;
    Ok(view_response(&id, stored))
}

/// Deletes the record at the version `If-Match` names (any, for `*`).
pub async fn delete<R: Resource>(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    id: &str,
    expected: IfMatch,
) -> Result<Response, ApiError> {
    let id = parse_id::<R>(id)?;
    collection::delete::<R>(state, &session.actor(request), &id, expected.0).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
