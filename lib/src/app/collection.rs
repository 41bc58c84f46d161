//! The use cases every collection of the account shares (customers, services, …): create,
//! change and delete, each one transaction with its audit item (and, for a create under an
//! `Idempotency-Key`, the saved response).

use std::fmt::Display;
use std::str::FromStr;

use serde::Serialize;

use crate::AppState;
use crate::audit::Outcome;
use crate::domain::{FieldError, TenantId};
use crate::store::{Collection, ItemKey, Record, SavedResponse, Stored};

use super::idempotency::{self, Answer};
use super::{Actor, Error, Result};

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
    /// Why the record cannot be kept, naming the field: a rule between its fields that no JSON
    /// type states (a service's VAT category and rate, a check digit). Every create and change
    /// asks it before anything is written.
    fn check(&self) -> std::result::Result<(), FieldError> {
        Ok(())
    }
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
        $crate::app::collection::Actions {
            create: concat!($name, ".create"),
            read: concat!($name, ".read"),
            list: concat!($name, ".list"),
            update: concat!($name, ".update"),
            delete: concat!($name, ".delete"),
        }
    };
}
pub(crate) use actions;

/// How the API shows a record; the saved response of a create holds it.
pub type Render<R> = fn(&<R as Resource>::Id, Stored<R>) -> serde_json::Value;

/// Creates `record` as a new item of its collection.
pub async fn create<R: Resource>(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    record: R,
    render: Render<R>,
) -> Result<Answer> {
    record
        .check()
        .map_err(|refused| Error::Invalid(vec![refused]))?;
    idempotency::run(state, actor, request, |claim| async move {
        let id = R::new_id();
        let mut tx = actor.transaction(&state.store).await?;
        let now = tx.now();
        let stored = Stored::created(record.clone(), now);
        let response = SavedResponse {
            status: 201,
            body: render(&id, stored),
            location: Some(format!("{}/{id}", R::PATH)),
            etag: Some(1),
        };
        tx.create(&R::key(actor.tenant(), &id), &record)
            .audit(&actor.audit(R::ACTIONS.create, Some(id.to_string()), Outcome::Success));
        claim.complete(&mut tx, &response);
        state.store.commit(tx).await?;
        Ok(response)
    })
    .await
}

/// Applies `change` to the record at the version the caller read (`expected`, or the current
/// one when the caller accepts any): the write is conditional on that version, so a
/// concurrent change makes this one fail with `PreconditionFailed`.
pub async fn update<R: Resource>(
    state: &AppState,
    actor: &Actor,
    id: &R::Id,
    expected: Option<u64>,
    change: impl FnOnce(&R) -> Result<R>,
) -> Result<Stored<R>> {
    let key = R::key(actor.tenant(), id);
    let current = current::<R>(state, actor, id, expected).await?;
    let version = current.version;
    let next = change(&current.record)?;
    next.check()
        .map_err(|refused| Error::Invalid(vec![refused]))?;
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    tx.replace(&key, &next, version).audit(&actor.audit(
        R::ACTIONS.update,
        Some(id.to_string()),
        Outcome::Success,
    ));
    state.store.commit(tx).await?;
    Ok(Stored {
        record: next,
        version: version + 1,
        created_at: current.created_at,
        updated_at: now,
    })
}

/// The record at the version the caller read (`None`: whatever version it is at).
pub async fn current<D: Resource>(
    state: &AppState,
    actor: &(impl super::Tenanted + ?Sized),
    id: &D::Id,
    expected: Option<u64>,
) -> Result<Stored<D>> {
    let key = D::key(actor.tenant(), id);
    // Boxed: the SDK's call futures are large, and callers join several.
    let current = Box::pin(state.store.get::<D>(actor.tenant(), &key))
        .await?
        .ok_or(Error::NotFound)?;
    if expected.is_some_and(|version| version != current.version) {
        return Err(Error::PreconditionFailed);
    }
    Ok(current)
}

/// Deletes the record at the version the caller read (`None`: whatever version it is at).
pub async fn delete<R: Resource>(
    state: &AppState,
    actor: &Actor,
    id: &R::Id,
    expected: Option<u64>,
) -> Result<()> {
    let key = R::key(actor.tenant(), id);
    let version = match expected {
        Some(version) => version,
        None => {
            state
                .store
                .get::<R>(actor.tenant(), &key)
                .await?
                .ok_or(Error::NotFound)?
                .version
        }
    };
    let mut tx = actor.transaction(&state.store).await?;
    tx.delete(&key, version).audit(&actor.audit(
        R::ACTIONS.delete,
        Some(id.to_string()),
        Outcome::Success,
    ));
    state.store.commit(tx).await?;
    Ok(())
}
