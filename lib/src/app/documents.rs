//! What the document use cases (invoices, credit notes, proposals) share: the reads a draft is
//! built from, the size a document may have, its list entries, its saved responses, and the
//! use cases of a draft (create, change, delete, number as it goes out), written once for
//! every kind of document. Numbering reads in two parallel rounds (the document, settings and
//! company; then the customer and the counter, which depends on the document's date).

use std::collections::{HashMap, HashSet};
use std::fmt::Display;

use futures_util::StreamExt as _;
use serde::Serialize;

use crate::AppState;
use crate::domain::TenantId;
use crate::domain::Timestamp;
use crate::domain::account::CompanyProfile;
use crate::domain::catalogue::Service;
use crate::domain::credit_note::{CreditNote, CreditNoteSummary};
use crate::domain::customer::Customer;
use crate::domain::document::Content;
use crate::domain::document::{DraftContext, LineRequest};
use crate::domain::ids::{CreditNoteId, CustomerId, InvoiceId, PaymentId, ProposalId, ServiceId};
use crate::domain::invoice::{Invoice, InvoicePatch, InvoiceStatus, InvoiceSummary, NewInvoice};
use crate::domain::payment::{Payment, PaymentSummary};
use crate::domain::proposal::{
    NewProposal, Proposal, ProposalPatch, ProposalStatus, ProposalSummary,
};
use crate::domain::settings::Settings;
use crate::domain::time::Date;
use crate::store::keys::DueEntry;
use crate::store::{ItemKey, Record, SavedResponse, Stored, Tx, keys};

use super::collection::{Render, Resource, current};
use super::idempotency::{self, Answer};
use super::numbering::{self, Series};
use super::race::{self, Attempt};
use super::totals;
use super::{Actor, Error, FieldError, Result, get, missing, today_in};
use crate::audit::Outcome;

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

/// Reads, in parallel, everything a draft with this customer and these lines is built from.
pub(super) async fn load(
    state: &AppState,
    actor: &(impl super::Tenanted + ?Sized),
    customer: Option<CustomerId>,
    lines: Option<&[LineRequest]>,
) -> Result<Loaded> {
    let tenant = actor.tenant();
    let (settings, company, (customer, services)) = tokio::try_join!(
        get::<Settings>(state, actor, keys::settings(tenant)),
        get::<CompanyProfile>(state, actor, keys::company(tenant)),
        load_parts(state, actor, customer, lines),
    )?;
    let settings = settings.ok_or_else(|| missing("settings"))?.record;
    let company = company.ok_or_else(|| missing("company profile"))?.record;
    Loaded::of(state, settings, company, customer, services)
}

impl Loaded {
    /// What a draft is built against, from the account's settings and company already read.
    pub(super) fn of(
        state: &AppState,
        settings: Settings,
        company: CompanyProfile,
        customer: Option<Customer>,
        services: HashMap<ServiceId, Service>,
    ) -> Result<Self> {
        let today = today_in(state, &settings)?;
        Ok(Self {
            settings,
            company,
            customer,
            services,
            today,
        })
    }
}

/// Reads, in parallel, the customer and the services a draft's lines name.
pub(super) async fn load_parts(
    state: &AppState,
    actor: &(impl super::Tenanted + ?Sized),
    customer: Option<CustomerId>,
    lines: Option<&[LineRequest]>,
) -> Result<(Option<Customer>, HashMap<ServiceId, Service>)> {
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
    tokio::try_join!(customer, services)
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
pub trait Listed {
    type Id: Copy;
    type Summary: Record;
    /// The keys of its entries, as this version of the document belongs to listings.
    fn entries(&self, tenant: &TenantId, id: &Self::Id) -> Vec<ItemKey>;
    fn summary(&self, id: Self::Id) -> Self::Summary;
    /// The entry (one of [`Listed::entries`]) that also stands in the index of due work, and
    /// where: an open invoice's, at its next reminder's day.
    fn due_entry(&self, _tenant: &TenantId, _id: &Self::Id) -> Option<(ItemKey, DueEntry)> {
        None
    }
    /// Where the document itself stands in the index of due work once numbered: an invoice,
    /// at the moment it falls due (to be reported overdue).
    fn falls_due(&self, _tenant: &TenantId, _id: &Self::Id) -> Option<DueEntry> {
        None
    }
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
        let due = document.due_entry(tenant, id);
        for key in &kept {
            let entry = due
                .as_ref()
                .filter(|(at, _)| at == key)
                .map(|(_, entry)| entry.clone());
            tx.put_due(key, &summary, entry);
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
            self.open_until(),
        )
    }

    fn summary(&self, id: InvoiceId) -> InvoiceSummary {
        Invoice::summary(self, id)
    }

    fn falls_due(&self, tenant: &TenantId, id: &InvoiceId) -> Option<DueEntry> {
        self.open_until()
            .map(|due_at| keys::overdue_due(tenant, id, due_at))
    }

    fn due_entry(&self, tenant: &TenantId, id: &InvoiceId) -> Option<(ItemKey, DueEntry)> {
        let due_at = self.open_until()?;
        let look_at = self.reminder_check_at?;
        Some((
            keys::open_invoice_entry(tenant, id, due_at),
            keys::reminder_due(tenant, id, look_at),
        ))
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

impl Listed for Payment {
    type Id = PaymentId;
    type Summary = PaymentSummary;

    fn entries(&self, tenant: &TenantId, id: &PaymentId) -> Vec<ItemKey> {
        keys::payment_entries(tenant, id, &self.invoice_id, &self.customer_id, self.date)
    }

    fn summary(&self, id: PaymentId) -> PaymentSummary {
        Payment::summary(self, id)
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

/// A document that starts as a draft, and is created, changed and deleted only as one.
pub trait Draft: Resource + Listed<Id = <Self as Resource>::Id> {
    /// The request that creates one.
    type New: Send;
    /// A merge patch of a draft.
    type Patch: Send;
    /// Why a document that is no longer a draft refuses a change (409).
    const NOT_A_DRAFT: &'static str;
    fn is_draft(&self) -> bool;
    fn customer(&self) -> Option<CustomerId>;
    /// The customer and lines a request names (the reads the draft is built from).
    fn requested(new: &Self::New) -> (Option<CustomerId>, &[LineRequest]);
    /// The customer (`Some(None)`: cleared) and lines a patch names.
    fn patching(patch: &Self::Patch) -> (Option<Option<CustomerId>>, Option<&[LineRequest]>);
    fn draft(new: Self::New, context: &DraftContext<'_>) -> Result<Self, Vec<FieldError>>;
    fn patched(
        &self,
        patch: Self::Patch,
        context: &DraftContext<'_>,
    ) -> Result<Self, Vec<FieldError>>;
}

impl Draft for Invoice {
    type New = NewInvoice;
    type Patch = InvoicePatch;
    const NOT_A_DRAFT: &'static str = "Only a draft invoice can be changed or deleted; an issued invoice is corrected with a credit note.";

    fn is_draft(&self) -> bool {
        self.status == InvoiceStatus::Draft
    }

    fn customer(&self) -> Option<CustomerId> {
        self.content.customer_id
    }

    fn requested(new: &NewInvoice) -> (Option<CustomerId>, &[LineRequest]) {
        (new.customer_id, &new.lines)
    }

    fn patching(patch: &InvoicePatch) -> (Option<Option<CustomerId>>, Option<&[LineRequest]>) {
        (patch.customer_id, patch.lines.as_deref())
    }

    fn draft(new: NewInvoice, context: &DraftContext<'_>) -> Result<Self, Vec<FieldError>> {
        Invoice::draft(new, context)
    }

    fn patched(
        &self,
        patch: InvoicePatch,
        context: &DraftContext<'_>,
    ) -> Result<Self, Vec<FieldError>> {
        Invoice::patched(self, patch, context)
    }
}

impl Draft for Proposal {
    type New = NewProposal;
    type Patch = ProposalPatch;
    const NOT_A_DRAFT: &'static str =
        "Only a draft proposal can be changed or deleted; a sent one is accepted or declined.";

    fn is_draft(&self) -> bool {
        self.status == ProposalStatus::Draft
    }

    fn customer(&self) -> Option<CustomerId> {
        self.content.customer_id
    }

    fn requested(new: &NewProposal) -> (Option<CustomerId>, &[LineRequest]) {
        (new.customer_id, &new.lines)
    }

    fn patching(patch: &ProposalPatch) -> (Option<Option<CustomerId>>, Option<&[LineRequest]>) {
        (patch.customer_id, patch.lines.as_deref())
    }

    fn draft(new: NewProposal, context: &DraftContext<'_>) -> Result<Self, Vec<FieldError>> {
        Proposal::draft(new, context)
    }

    fn patched(
        &self,
        patch: ProposalPatch,
        context: &DraftContext<'_>,
    ) -> Result<Self, Vec<FieldError>> {
        Proposal::patched(self, patch, context)
    }
}

/// Creates a draft: its defaults and catalogue lines read in one parallel round trip, then one
/// transaction with its list entries, its audit item and (under a key) the saved response.
pub async fn create<D: Draft>(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    new: D::New,
    render: Render<D>,
) -> Result<Answer> {
    idempotency::run(state, actor, request, |claim| async move {
        let (customer, lines) = D::requested(&new);
        let loaded = load(state, actor, customer, Some(lines)).await?;
        let document = D::draft(new, &loaded.context()).map_err(Error::Invalid)?;
        check_size(&document, D::NAME)?;
        let id = D::new_id();
        let mut tx = actor.transaction(&state.store).await?;
        let response = created(
            D::PATH,
            &id,
            render(&id, Stored::created(document.clone(), tx.now())),
        );
        tx.create(&D::key(actor.tenant(), &id), &document);
        write_entries(&mut tx, actor.tenant(), &id, None, Some(&document));
        tx.audit(&actor.audit(D::ACTIONS.create, Some(id.to_string()), Outcome::Success));
        claim.complete(&mut tx, &response);
        state.store.commit(tx).await?;
        Ok(response)
    })
    .await
}

/// Changes a draft and recomputes its amounts (409 once it is no longer a draft).
pub async fn update<D: Draft>(
    state: &AppState,
    actor: &Actor,
    id: &<D as Resource>::Id,
    expected: Option<u64>,
    patch: D::Patch,
) -> Result<Stored<D>> {
    let before = current::<D>(state, actor, id, expected).await?;
    if !before.record.is_draft() {
        return Err(Error::Conflict(D::NOT_A_DRAFT));
    }
    let (customer, lines) = D::patching(&patch);
    let customer = customer.unwrap_or(before.record.customer());
    let loaded = load(state, actor, customer, lines).await?;
    let next = before
        .record
        .patched(patch, &loaded.context())
        .map_err(Error::Invalid)?;
    check_size(&next, D::NAME)?;
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    tx.replace(&D::key(actor.tenant(), id), &next, before.version);
    write_entries(
        &mut tx,
        actor.tenant(),
        id,
        Some(&before.record),
        Some(&next),
    );
    tx.audit(&actor.audit(D::ACTIONS.update, Some(id.to_string()), Outcome::Success));
    state.store.commit(tx).await?;
    Ok(Stored {
        record: next,
        version: before.version + 1,
        created_at: before.created_at,
        updated_at: now,
    })
}

/// Deletes a draft with its list entries (409 once it is no longer a draft).
pub async fn delete<D: Draft>(
    state: &AppState,
    actor: &Actor,
    id: &<D as Resource>::Id,
    expected: Option<u64>,
) -> Result<()> {
    let before = current::<D>(state, actor, id, expected).await?;
    if !before.record.is_draft() {
        return Err(Error::Conflict(D::NOT_A_DRAFT));
    }
    let mut tx = actor.transaction(&state.store).await?;
    tx.delete(&D::key(actor.tenant(), id), before.version);
    write_entries::<D>(&mut tx, actor.tenant(), id, Some(&before.record), None);
    tx.audit(&actor.audit(D::ACTIONS.delete, Some(id.to_string()), Outcome::Success));
    state.store.commit(tx).await?;
    Ok(())
}

/// A draft that takes the next number of its series when it goes out (an invoice is issued, a
/// proposal sent), with both parties recorded as they are then.
pub trait Numbered: Draft {
    const SERIES: Series;
    /// The audit action (`invoice.issue`).
    const ACTION: &'static str;
    /// The event its numbering reports to webhooks.
    const EVENT: crate::domain::webhook::EventType;
    /// Why it cannot go out once it is not a draft (409).
    const ALREADY_OUT: &'static str;
    fn content(&self) -> &Content;
    /// The date its number counts in (its issue date).
    fn dated(&self) -> Date;
    /// The document as it goes out, numbered `number`, or why it cannot (nothing is written).
    fn numbered(
        &self,
        number: String,
        parties: (&CompanyProfile, &Customer),
        settings: &Settings,
        now: Timestamp,
    ) -> Result<Self, Vec<FieldError>>;
    /// The invoice it is: numbering one moves the account's running totals (it is owed).
    fn as_invoice(&self) -> Option<&Invoice> {
        None
    }
    /// The document as it shows at `now` (a proposal expired, an invoice overdue).
    fn seen_at(self, now: Timestamp) -> Self;
}

impl Numbered for Invoice {
    const SERIES: Series = Series::Invoice;
    const ACTION: &'static str = "invoice.issue";
    const EVENT: crate::domain::webhook::EventType =
        crate::domain::webhook::EventType::InvoiceIssued;
    const ALREADY_OUT: &'static str = "Only a draft invoice can be issued.";

    fn content(&self) -> &Content {
        &self.content
    }

    fn dated(&self) -> Date {
        self.issue_date
    }

    fn numbered(
        &self,
        number: String,
        (company, customer): (&CompanyProfile, &Customer),
        settings: &Settings,
        now: Timestamp,
    ) -> Result<Self, Vec<FieldError>> {
        let due_at = settings.time_zone.end_of(self.due_date).ok_or_else(|| {
            vec![FieldError::new(
                "due_date",
                "has no end in the account's time zone",
            )]
        })?;
        let mut issued = self.issued(number, company, customer, now, due_at);
        // The reminder schedule first looks at it on its first stage's day.
        issued.reminder_check_at = settings.reminders.next_look(due_at, 0);
        Ok(issued)
    }

    fn as_invoice(&self) -> Option<&Invoice> {
        Some(self)
    }

    fn seen_at(self, now: Timestamp) -> Self {
        self.as_of(now)
    }
}

impl Numbered for Proposal {
    const SERIES: Series = Series::Proposal;
    const ACTION: &'static str = "proposal.send";
    const EVENT: crate::domain::webhook::EventType =
        crate::domain::webhook::EventType::ProposalSent;
    const ALREADY_OUT: &'static str = "Only a draft proposal can be sent.";

    fn content(&self) -> &Content {
        &self.content
    }

    fn dated(&self) -> Date {
        self.issue_date
    }

    fn numbered(
        &self,
        number: String,
        (company, customer): (&CompanyProfile, &Customer),
        settings: &Settings,
        now: Timestamp,
    ) -> Result<Self, Vec<FieldError>> {
        let expires_at = settings
            .time_zone
            .end_of(self.valid_until)
            .filter(|end| *end > now)
            .ok_or_else(|| {
                vec![FieldError::new(
                    "valid_until",
                    "has passed: give the proposal a later valid_until before sending it",
                )]
            })?;
        Ok(self.sent(number, company, customer, now, expires_at))
    }

    fn seen_at(self, now: Timestamp) -> Self {
        self.as_of(now)
    }
}

/// Numbers a draft as it goes out: the next number of its series, in the same transaction as
/// the series' counter (so numbers are unique and gapless), both parties recorded. A refusal
/// (no customer, no lines, a proposal's validity passed) writes nothing and uses no number.
pub async fn number<D: Numbered>(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    id: &<D as Resource>::Id,
    render: Render<D>,
) -> Result<Answer> {
    idempotency::run(state, actor, request, |claim| async move {
        race::with_retries(|| try_number::<D>(state, actor, id, &claim, render)).await
    })
    .await
}

async fn try_number<D: Numbered>(
    state: &AppState,
    actor: &Actor,
    id: &<D as Resource>::Id,
    claim: &idempotency::Claim,
    render: Render<D>,
) -> Result<Attempt> {
    let tenant = actor.tenant();
    let key = D::key(tenant, id);
    let (before, settings, company) = tokio::try_join!(
        get::<D>(state, actor, key.clone()),
        get::<Settings>(state, actor, keys::settings(tenant)),
        get::<CompanyProfile>(state, actor, keys::company(tenant)),
    )?;
    let before = before.ok_or(Error::NotFound)?;
    let settings = settings.ok_or_else(|| missing("settings"))?.record;
    let company = company.ok_or_else(|| missing("company profile"))?.record;
    if !before.record.is_draft() {
        return Err(Error::Conflict(D::ALREADY_OUT));
    }
    let content = before.record.content();
    content.complete(D::NAME).map_err(Error::Invalid)?;
    let customer_id = content
        .customer_id
        .ok_or_else(|| Error::invalid("customer_id", "required"))?;
    let booked = async {
        if before.record.as_invoice().is_some() {
            totals::read(state, actor).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let (customer, reserved, mut ledger) = tokio::try_join!(
        get::<Customer>(state, actor, keys::customer(tenant, &customer_id)),
        numbering::reserve(
            state,
            actor,
            D::SERIES,
            numbering::prefix(&settings, D::SERIES),
            before.record.dated(),
        ),
        booked,
    )?;
    let customer = customer
        .ok_or_else(|| Error::invalid("customer_id", "the customer no longer exists"))?
        .record;
    content
        .check_parties(&company, &customer)
        .and_then(|()| content.check_small_business(&settings))
        .map_err(Error::UnprocessableFields)?;
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    let numbered = before
        .record
        .numbered(
            reserved.number.clone(),
            (&company, &customer),
            &settings,
            now,
        )
        .map_err(Error::Invalid)?;
    let document_write = tx.len();
    match numbered.falls_due(tenant, id) {
        Some(falls_due) => tx.replace_due(&key, &numbered, before.version, Some(falls_due)),
        None => tx.replace(&key, &numbered, before.version),
    };
    let mut contested = vec![document_write];
    contested.extend(reserved.take(&mut tx));
    if let (Some(ledger), Some(after)) = (ledger.as_mut(), numbered.as_invoice()) {
        ledger.invoice_changed(before.record.as_invoice(), after);
        contested.extend(ledger.write(&mut tx));
    }
    write_entries(&mut tx, tenant, id, Some(&before.record), Some(&numbered));
    tx.emit(D::EVENT, id)
        .audit(&actor.audit(D::ACTION, Some(id.to_string()), Outcome::Success));
    let response = answered(
        before.version + 1,
        render(
            id,
            Stored {
                record: numbered.seen_at(now),
                version: before.version + 1,
                created_at: before.created_at,
                updated_at: now,
            },
        ),
    );
    claim.complete(&mut tx, &response);
    race::commit(state, tx, &contested, response).await
}
