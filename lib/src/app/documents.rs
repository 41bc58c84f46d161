//! What the document use cases (invoices, credit notes, proposals) share: the reads a draft is
//! built from, the size a document may have, its list entries, and its saved responses.

use std::collections::{HashMap, HashSet};
use std::fmt::Display;

use futures_util::StreamExt as _;
use serde::Serialize;

use crate::AppState;
use crate::domain::TenantId;
use crate::domain::account::CompanyProfile;
use crate::domain::catalogue::Service;
use crate::domain::credit_note::{CreditNote, CreditNoteSummary};
use crate::domain::customer::Customer;
use crate::domain::document::{DraftContext, LineRequest};
use crate::domain::ids::{CreditNoteId, CustomerId, InvoiceId, ProposalId, ServiceId};
use crate::domain::invoice::{Invoice, InvoiceSummary};
use crate::domain::proposal::{Proposal, ProposalSummary};
use crate::domain::settings::Settings;
use crate::domain::time::Date;
use crate::store::{ItemKey, Record, SavedResponse, Stored, Tx, keys};

use super::{Actor, Error, Result};

/// The most a sealed document may hold and still fit in one DynamoDB item (400 KB) beside its
/// keys and metadata.
pub const MAX_DOCUMENT_BYTES: usize = 390_000;

/// What a draft is built against: the account's settings and company, the customer it names
/// and the services its lines name.
pub(super) struct Loaded {
    pub settings: Settings,
    pub company: CompanyProfile,
    pub customer: Option<Customer>,
    pub services: HashMap<ServiceId, Service>,
    pub today: Date,
}

impl Loaded {
    pub fn context(&self) -> DraftContext<'_> {
        DraftContext {
            settings: &self.settings,
            company: &self.company,
            customer: self.customer.as_ref(),
            services: &self.services,
            today: self.today,
        }
    }
}

pub(super) async fn get<R: crate::store::Record>(
    state: &AppState,
    actor: &Actor,
    key: ItemKey,
) -> Result<Option<Stored<R>>> {
    // Boxed: the SDK's call futures are large, and an issue joins several of them.
    Ok(Box::pin(state.store.get::<R>(actor.tenant(), &key)).await?)
}

pub(super) fn missing(what: &str) -> Error {
    Error::Internal(anyhow::anyhow!("the account has no {what}"))
}

/// Reads, in parallel, everything a draft with this customer and these lines is built from.
pub(super) async fn load(
    state: &AppState,
    actor: &Actor,
    customer: Option<CustomerId>,
    lines: Option<&[LineRequest]>,
) -> Result<Loaded> {
    let tenant = actor.tenant();
    let wanted: HashSet<ServiceId> = lines
        .unwrap_or_default()
        .iter()
        .filter_map(|line| line.service_id)
        .collect();
    let services = async {
        futures_util::stream::iter(wanted)
            .map(|id| async move {
                let service = get::<Service>(state, actor, keys::service(tenant, &id)).await?;
                Ok::<_, Error>(service.map(|s| (id, s.record)))
            })
            .buffer_unordered(16)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .filter_map(Result::transpose)
            .collect::<Result<HashMap<_, _>>>()
    };
    let customer = async {
        match customer {
            None => Ok(None),
            Some(id) => Ok(get::<Customer>(state, actor, keys::customer(tenant, &id))
                .await?
                .map(|c| c.record)),
        }
    };
    let (settings, company, customer, services) = tokio::try_join!(
        get::<Settings>(state, actor, keys::settings(tenant)),
        get::<CompanyProfile>(state, actor, keys::company(tenant)),
        customer,
        services,
    )?;
    let settings = settings.ok_or_else(|| missing("settings"))?.record;
    let today = settings
        .time_zone
        .today(state.clock.now())
        .ok_or_else(|| missing("time zone"))?;
    Ok(Loaded {
        settings,
        company: company.ok_or_else(|| missing("company profile"))?.record,
        customer,
        services,
        today,
    })
}

/// Refuses a document too large for one item, naming its lines.
pub(super) fn check_size<D: Serialize>(document: &D, kind: &str) -> Result<()> {
    let size = serde_json::to_vec(document)
        .map_err(|e| Error::Internal(e.into()))?
        .len();
    if size > MAX_DOCUMENT_BYTES {
        return Err(Error::invalid(
            "lines",
            format!(
                "the {kind} is too large to keep ({size} bytes of at most {MAX_DOCUMENT_BYTES}): shorten or split its lines"
            ),
        ));
    }
    Ok(())
}

/// A document kept with summary entries under each listing it belongs to.
pub(super) trait Listed {
    type Id: Copy;
    type Summary: Record;
    /// The keys of its entries, as this version of the document belongs to listings.
    fn entries(&self, tenant: &TenantId, id: &Self::Id) -> Vec<ItemKey>;
    fn summary(&self, id: Self::Id) -> Self::Summary;
}

/// Writes a document's list entries as `next` has them, and removes those `previous` had
/// that it no longer has (a status or customer changed; `next` is `None` when it is deleted).
pub(super) fn write_entries<D: Listed>(
    tx: &mut Tx,
    tenant: &TenantId,
    id: &D::Id,
    previous: Option<&D>,
    next: Option<&D>,
) {
    let kept: Vec<ItemKey> = next
        .map(|document| document.entries(tenant, id))
        .unwrap_or_default();
    for old in previous
        .map(|document| document.entries(tenant, id))
        .unwrap_or_default()
    {
        if !kept.contains(&old) {
            tx.remove(&old);
        }
    }
    if let Some(document) = next {
        let summary = document.summary(*id);
        for key in &kept {
            tx.put(key, &summary);
        }
    }
}

impl Listed for Invoice {
    type Id = InvoiceId;
    type Summary = InvoiceSummary;

    fn entries(&self, tenant: &TenantId, id: &InvoiceId) -> Vec<ItemKey> {
        keys::invoice_entries(
            tenant,
            id,
            self.status.as_str(),
            self.content.customer_id.as_ref(),
        )
    }

    fn summary(&self, id: InvoiceId) -> InvoiceSummary {
        Invoice::summary(self, id)
    }
}

impl Listed for Proposal {
    type Id = ProposalId;
    type Summary = ProposalSummary;

    fn entries(&self, tenant: &TenantId, id: &ProposalId) -> Vec<ItemKey> {
        keys::proposal_entries(
            tenant,
            id,
            self.status.as_str(),
            self.content.customer_id.as_ref(),
        )
    }

    fn summary(&self, id: ProposalId) -> ProposalSummary {
        Proposal::summary(self, id)
    }
}

impl Listed for CreditNote {
    type Id = CreditNoteId;
    type Summary = CreditNoteSummary;

    fn entries(&self, tenant: &TenantId, id: &CreditNoteId) -> Vec<ItemKey> {
        keys::credit_note_entries(tenant, id, &self.invoice_id)
    }

    fn summary(&self, id: CreditNoteId) -> CreditNoteSummary {
        CreditNote::summary(self, id)
    }
}

/// The saved response of a document just created at `collection/<id>`.
pub(super) fn created(
    collection: &str,
    id: &impl Display,
    body: serde_json::Value,
) -> SavedResponse {
    SavedResponse {
        status: 201,
        body,
        location: Some(format!("{collection}/{id}")),
        etag: Some(1),
    }
}

/// The saved response of an action on a document, now at `version`.
pub(super) fn answered(version: u64, body: serde_json::Value) -> SavedResponse {
    SavedResponse {
        status: 200,
        body,
        location: None,
        etag: Some(version),
    }
}
