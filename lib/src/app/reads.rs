//! What a `GET` answers, read through the use-case layer as every write is: one record, a page
//! of a collection, or a page of a list's entries (a filtered list of documents or payments).
//! Each is one round trip, or a few in parallel. `http` parses the request, calls one of these,
//! logs the read in the audit trail and renders what comes back; it never names the store.

use crate::AppState;
use crate::domain::account::{CompanyProfile, User};
use crate::domain::ids::{CustomerId, InvoiceId};
use crate::domain::settings::Settings;
use crate::domain::{TenantId, Timestamp, UserId};
use crate::export::ExportRecord;
use crate::store::{Collection, Listing, keys};

use super::collection::Resource;
use super::{Error, Result};

pub use crate::store::keys::PaymentsOf;
pub use crate::store::{AuditEntry, Page, Record, Stored};

/// Which page of a list: at most `limit` items, after the cursor `next` a previous page gave.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest<'a> {
    pub limit: u16,
    pub next: Option<&'a str>,
}

/// A list of documents or payments, each filtered by an index of its own.
#[derive(Debug, Clone, Copy)]
pub enum Entries<'a> {
    /// Invoices, newest first, of a status (stored name) and a customer, if given.
    Invoices {
        status: Option<&'a str>,
        customer: Option<&'a CustomerId>,
    },
    /// Open invoices overdue at `now`, the longest overdue first.
    OverdueInvoices { now: Timestamp },
    /// Proposals, newest first, of a stored status and a customer, if given.
    Proposals {
        status: Option<&'a str>,
        customer: Option<&'a CustomerId>,
    },
    /// Credit notes, newest first: every one, or one invoice's.
    CreditNotes { invoice: Option<&'a InvoiceId> },
    /// Payments, the latest received first: every one, one invoice's or one customer's, on
    /// the days from `from` to `to` (inclusive), if given.
    Payments {
        of: PaymentsOf<'a>,
        from: Option<crate::domain::time::Date>,
        to: Option<crate::domain::time::Date>,
    },
}

impl Entries<'_> {
    fn listing(self) -> Listing {
        match self {
            Self::Invoices { status, customer } => keys::invoices(status, customer),
            Self::OverdueInvoices { now } => keys::overdue_invoices(now),
            Self::Proposals { status, customer } => keys::proposals(status, customer),
            Self::CreditNotes { invoice } => keys::credit_notes(invoice),
            Self::Payments { of, from, to } => keys::payments(of, from, to),
        }
    }
}

/// Whether the table answers (the health check's one call).
pub async fn ping(state: &AppState) -> Result<()> {
    Ok(state.store.ping().await?)
}

/// One record of a collection, by id: 404 when the account has none.
pub async fn one<R: Resource>(
    state: &AppState,
    tenant: &TenantId,
    id: &R::Id,
) -> Result<Stored<R>> {
    record_at(state, tenant, R::key(tenant, id)).await
}

/// One export's record.
pub async fn export(
    state: &AppState,
    tenant: &TenantId,
    id: &crate::domain::ids::ExportId,
) -> Result<Stored<ExportRecord>> {
    record_at(state, tenant, keys::export(tenant, id)).await
}

/// The company profile.
pub async fn company(state: &AppState, tenant: &TenantId) -> Result<Stored<CompanyProfile>> {
    record_at(state, tenant, keys::company(tenant)).await
}

/// The account's settings.
pub async fn settings(state: &AppState, tenant: &TenantId) -> Result<Stored<Settings>> {
    record_at(state, tenant, keys::settings(tenant)).await
}

/// A user of the account.
pub async fn user(state: &AppState, tenant: &TenantId, user: &UserId) -> Result<Stored<User>> {
    record_at(state, tenant, keys::user(tenant, user)).await
}

/// The record at `key`: 404 when there is none.
async fn record_at<R: Record>(
    state: &AppState,
    tenant: &TenantId,
    key: keys::ItemKey,
) -> Result<Stored<R>> {
    state
        .store
        .get::<R>(tenant, &key)
        .await?
        .ok_or(Error::NotFound)
}

/// A page of a collection, in creation order.
pub async fn records<R: Resource>(
    state: &AppState,
    tenant: &TenantId,
    page: PageRequest<'_>,
) -> Result<Page<(ulid::Ulid, Stored<R>)>> {
    collection(state, tenant, R::COLLECTION, page).await
}

/// A page of the account's exports.
pub async fn exports(
    state: &AppState,
    tenant: &TenantId,
    page: PageRequest<'_>,
) -> Result<Page<(ulid::Ulid, Stored<ExportRecord>)>> {
    collection(state, tenant, Collection::Exports, page).await
}

/// A page of the audit trail, newest first.
pub async fn audit(
    state: &AppState,
    tenant: &TenantId,
    page: PageRequest<'_>,
) -> Result<Page<(ulid::Ulid, Stored<AuditEntry>)>> {
    collection(state, tenant, Collection::Audit, page).await
}

async fn collection<T: Record>(
    state: &AppState,
    tenant: &TenantId,
    collection: Collection,
    page: PageRequest<'_>,
) -> Result<Page<(ulid::Ulid, Stored<T>)>> {
    Ok(state
        .store
        .list_keyed::<T>(tenant, collection, page.limit, page.next)
        .await?)
}

/// A page of `entries`, keeping those `keep` accepts, and the next page's cursor.
pub async fn entries<T: Record>(
    state: &AppState,
    tenant: &TenantId,
    of: Entries<'_>,
    page: PageRequest<'_>,
    keep: impl Fn(&T) -> bool,
) -> Result<(Vec<T>, Option<String>)> {
    let found = state
        .store
        .list_entries::<T>(tenant, &of.listing(), page.limit, page.next, keep)
        .await?;
    let items = found
        .items
        .into_iter()
        .map(|(_, stored)| stored.record)
        .collect();
    Ok((items, found.next))
}

/// A page of the entries of one record (an invoice's payments or credit notes): 404 unless the
/// account has that record, which is read beside the page.
pub async fn entries_of<P: Resource, T: Record>(
    state: &AppState,
    tenant: &TenantId,
    parent: &P::Id,
    of: Entries<'_>,
    page: PageRequest<'_>,
) -> Result<(Vec<T>, Option<String>)> {
    let exists = one::<P>(state, tenant, parent);
    let list = entries::<T>(state, tenant, of, page, |_| true);
    let (found, page) = tokio::join!(Box::pin(exists), Box::pin(list));
    found?;
    page
}
