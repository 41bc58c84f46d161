//! What every collection resource (customers, services, …) shares: ids in paths, list
//! parameters, `Idempotency-Key`, and the create / read / list / change / delete handlers,
//! written once over [`Resource`].

use std::fmt::Display;
use std::str::FromStr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::Digest as _;
use utoipa::{IntoParams, ToSchema};

use super::etag::etag;
use super::layers::RequestId;
use super::problem::ApiError;
use super::session::Session;
use crate::AppState;
use crate::audit::{self, Outcome};
use crate::domain::{TenantId, Timestamp};
use crate::store::{
    Collection, ConflictReason, ItemKey, NextAction, Page, Record, SavedResponse, StoreError,
    Stored,
};

/// A record kept in one of the account's collections.
pub trait Resource: Record + Clone + Serialize + 'static {
    type Id: Copy + Display + FromStr + Serialize + Send + Sync + 'static;
    /// Singular, for audit actions and messages (`customer`).
    const NAME: &'static str;
    /// The path of the collection (`/v1/customers`).
    const PATH: &'static str;
    const COLLECTION: Collection;
    /// Its audit actions: `actions!("customer")`.
    const ACTIONS: Actions;
    fn new_id() -> Self::Id;
    /// The id whose ULID a storage key holds.
    fn id_from_ulid(ulid: ulid::Ulid) -> Self::Id;
    fn key(tenant: &TenantId, id: &Self::Id) -> ItemKey;
}

/// The audit action of each operation on one kind of record (`customer.create`, …).
#[derive(Debug, Clone, Copy)]
pub struct Actions {
    pub create: &'static str,
    pub read: &'static str,
    pub list: &'static str,
    pub update: &'static str,
    pub delete: &'static str,
}

/// The [`Actions`] of a kind, from its singular name: `actions!("customer")`.
macro_rules! actions {
    ($name:literal) => {
        $crate::http::resource::Actions {
            create: concat!($name, ".create"),
            read: concat!($name, ".read"),
            list: concat!($name, ".list"),
            update: concat!($name, ".update"),
            delete: concat!($name, ".delete"),
        }
    };
}
pub(crate) use actions;

/// A record as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
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
    fn of<I: Display>(id: &I, stored: Stored<T>) -> Self {
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
#[derive(Debug, Serialize, ToSchema)]
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
    pub limit: Option<u16>,
    /// The `next` of the previous page.
    pub next: Option<String>,
}

impl ListParams {
    pub const DEFAULT_LIMIT: u16 = 25;
    pub const MAX_LIMIT: u16 = 100;
}

impl<S: Send + Sync> FromRequestParts<S> for ListParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = Self::default();
        let query = parts.uri.query().unwrap_or_default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "limit" => {
                    let limit = value
                        .parse::<u16>()
                        .ok()
                        .filter(|n| (1..=Self::MAX_LIMIT).contains(n))
                        .ok_or_else(|| {
                            ApiError::invalid("limit", "must be a whole number from 1 to 100")
                        })?;
                    params.limit = Some(limit);
                }
                "next" => params.next = Some(value.into_owned()),
                other => return Err(ApiError::invalid(other, "unknown query parameter")),
            }
        }
        Ok(params)
    }
}

/// The client's `Idempotency-Key`, hashed (no client text reaches a storage key).
#[derive(Debug, Clone)]
pub struct IdempotencyKey(Option<String>);

impl IdempotencyKey {
    /// The key's digest, when the request carried one.
    pub fn digest(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(Self(None));
        };
        let text = value
            .to_str()
            .ok()
            .filter(|t| (1..=255).contains(&t.len()))
            .ok_or_else(|| {
                ApiError::invalid(
                    "Idempotency-Key",
                    "must be 1 to 255 visible ASCII characters",
                )
            })?;
        let digest = sha2::Sha256::digest(text.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Ok(Self(Some(digest)))
    }
}

/// A path id: one that is not even well-formed cannot exist, so it is a 404 like any other.
pub fn parse_id<R: Resource>(text: &str) -> Result<R::Id, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

pub(super) fn saved_to_response(saved: SavedResponse) -> Response {
    let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK);
    let mut response = (status, axum::Json(saved.body)).into_response();
    let headers = response.headers_mut();
    if let Some(location) = saved.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    if let Some(tag) = saved.etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        headers.insert(header::ETAG, tag);
    }
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// Runs a creating request under its `Idempotency-Key`, if it has one: a retry of the same
/// request gets the saved response, another request under the key a 422, a duplicate of one still
/// in flight a 409. `work` gets the key's digest, to complete the record in its transaction; if it
/// fails, the claim is released so that a retry can run.
pub async fn with_idempotency<F, Fut>(
    state: &AppState,
    tenant: &TenantId,
    idempotency: &IdempotencyKey,
    fingerprint: &str,
    work: F,
) -> Result<Response, ApiError>
where
    F: FnOnce(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Response, ApiError>>,
{
    let Some(digest) = idempotency.digest() else {
        return work(None).await;
    };
    match state
        .store
        .begin_idempotent(tenant, digest, fingerprint)
        .await?
    {
        NextAction::StartProcessing => {}
        NextAction::ReturnSavedResponse(saved) => return Ok(saved_to_response(saved)),
        NextAction::KeyReused => {
            return Err(ApiError::Unprocessable(
                "This Idempotency-Key was used for a different request.",
            ));
        }
        NextAction::InFlight => return Err(in_flight()),
    }
    let result = work(Some(digest.to_owned())).await;
    if result.is_err()
        && let Err(error) = state.store.abandon_idempotent(tenant, digest).await
    {
        // The claim's lease runs out on its own.
        tracing::warn!(error = %error, "could not release an idempotency claim");
    }
    result
}

fn in_flight() -> ApiError {
    ApiError::Conflict("A request with this Idempotency-Key is still being processed.")
}

/// Maps a failed commit of a transaction that completes an idempotency claim.
pub fn commit_error(error: StoreError) -> ApiError {
    match error {
        StoreError::Conflict {
            reason: ConflictReason::CheckFailed,
            ..
        } => in_flight(),
        other => other.into(),
    }
}

/// Creates `record` as a new item of its collection: one transaction with its audit entry
/// (and, with an `Idempotency-Key`, the completed idempotency record).
pub async fn create<R: Resource>(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    idempotency: IdempotencyKey,
    fingerprint: &str,
    record: R,
) -> Result<Response, ApiError> {
    with_idempotency(
        state,
        session.tenant(),
        &idempotency,
        fingerprint,
        |digest| create_once(state, session, request, digest, fingerprint, record),
    )
    .await
}

async fn create_once<R: Resource>(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    idempotency: Option<String>,
    fingerprint: &str,
    record: R,
) -> Result<Response, ApiError> {
    let tenant = *session.tenant();
    let id = R::new_id();
    let mut tx = session.transaction(&state.store).await?;
    let now = tx.now();
    let view = View::of(
        &id,
        Stored {
            record: record.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        },
    );
    let body = serde_json::to_value(&view).map_err(|e| ApiError::Internal(e.into()))?;
    let location = format!("{}/{id}", R::PATH);
    tx.create(&R::key(&tenant, &id), &record)
        .audit(&audit::event(
            Some(session.user()),
            R::ACTIONS.create,
            Some(id.to_string()),
            Outcome::Success,
            request,
        ));
    if let Some(digest) = idempotency {
        let saved = SavedResponse {
            status: StatusCode::CREATED.as_u16(),
            body: body.clone(),
            location: Some(location.clone()),
            etag: etag(1).to_str().ok().map(str::to_owned),
        };
        tx.complete_idempotent(&digest, fingerprint, &saved);
    }
    state.store.commit(tx).await.map_err(commit_error)?;
    let mut response = (
        StatusCode::CREATED,
        [(header::ETAG, etag(1))],
        axum::Json(body),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// One record, by id.
pub async fn read<R: Resource>(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    id: &str,
) -> Result<Response, ApiError> {
    let id = parse_id::<R>(id)?;
    let stored = state
        .store
        .get::<R>(session.tenant(), &R::key(session.tenant(), &id))
        .await?
        .ok_or(ApiError::NotFound)?;
    audit::event(
        Some(session.user()),
        R::ACTIONS.read,
        Some(id.to_string()),
        Outcome::Success,
        request,
    );
    let version = stored.version;
    Ok((
        [(header::ETAG, etag(version))],
        axum::Json(View::of(&id, stored)),
    )
        .into_response())
}

/// A page of the collection, in creation order.
pub async fn list<R: Resource>(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    params: ListParams,
) -> Result<Response, ApiError> {
    let page = read_page::<R>(
        state,
        session,
        request,
        R::COLLECTION,
        R::ACTIONS.list,
        params,
    )
    .await?;
    let data = page
        .items
        .into_iter()
        .map(|(ulid, stored)| View::of(&R::id_from_ulid(ulid), stored))
        .collect::<Vec<View<R>>>();
    Ok(ListPage::response(data, page.next))
}

/// One page of a tenant's collection, in creation order (the audit trail: newest first), and the
/// read's audit line. Every list route reads through here.
pub async fn read_page<T: Record>(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    collection: Collection,
    action: &'static str,
    params: ListParams,
) -> Result<Page<(ulid::Ulid, Stored<T>)>, ApiError> {
    let page = state
        .store
        .list_keyed::<T>(
            session.tenant(),
            collection,
            params.limit.unwrap_or(ListParams::DEFAULT_LIMIT),
            params.next.as_deref(),
        )
        .await?;
    audit::event(
        Some(session.user()),
        action,
        None,
        Outcome::Success,
        request,
    );
    Ok(page)
}

/// Applies `change` to the record at the version `If-Match` names: the write is conditional on
/// that version, so a concurrent change makes this one a 412.
pub async fn update<R: Resource>(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    id: &str,
    expected: u64,
    change: impl FnOnce(&R) -> Result<R, ApiError>,
) -> Result<Response, ApiError> {
    let id = parse_id::<R>(id)?;
    let tenant = *session.tenant();
    let key = R::key(&tenant, &id);
    let current = state
        .store
        .get::<R>(&tenant, &key)
        .await?
        .ok_or(ApiError::NotFound)?;
    if current.version != expected {
        return Err(ApiError::PreconditionFailed);
    }
    let next = change(&current.record)?;
    let mut tx = session.transaction(&state.store).await?;
    let now = tx.now();
    tx.replace(&key, &next, expected).audit(&audit::event(
        Some(session.user()),
        R::ACTIONS.update,
        Some(id.to_string()),
        Outcome::Success,
        request,
    ));
    state.store.commit(tx).await?;
    let stored = Stored {
        record: next,
        version: expected + 1,
        created_at: current.created_at,
        updated_at: now,
    };
    Ok((
        [(header::ETAG, etag(expected + 1))],
        axum::Json(View::of(&id, stored)),
    )
        .into_response())
}

/// Deletes the record at the version `If-Match` names.
pub async fn delete<R: Resource>(
    state: &AppState,
    session: &Session,
    request: &RequestId,
    id: &str,
    expected: u64,
) -> Result<Response, ApiError> {
    let id = parse_id::<R>(id)?;
    let tenant = *session.tenant();
    let mut tx = session.transaction(&state.store).await?;
    tx.delete(&R::key(&tenant, &id), expected)
        .audit(&audit::event(
            Some(session.user()),
            R::ACTIONS.delete,
            Some(id.to_string()),
            Outcome::Success,
            request,
        ));
    state.store.commit(tx).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
