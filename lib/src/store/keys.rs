//! The only place storage key strings are formed: the table's item keys and the bucket's object
//! keys.
//!
//! Every item of an account lives in its partition `T#<tenant>`; no key or index attribute ever
//! holds personal data (see docs/decisions/0001-single-table-tenant-partition.md).

use crate::domain::ids::{
    ApiKeyId, CreditNoteId, CustomerId, EventId, ExportId, InvoiceId, PaymentId, ProposalId,
    RecurringInvoiceId, ServiceId, SessionId, UserId, WebhookEndpointId,
};
use crate::domain::time::Date;
use crate::domain::{TenantId, Timestamp};

/// The primary key of one item. Built only by the functions below.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemKey {
    pub(crate) pk: String,
    pub(crate) sk: String,
}

impl ItemKey {
    pub fn pk(&self) -> &str {
        &self.pk
    }

    pub fn sk(&self) -> &str {
        &self.sk
    }
}

pub(crate) fn tenant_partition(tenant: &TenantId) -> String {
    format!("T#{}", tenant.ulid())
}

fn in_tenant(tenant: &TenantId, sk: String) -> ItemKey {
    ItemKey {
        pk: tenant_partition(tenant),
        sk,
    }
}

pub fn account(tenant: &TenantId) -> ItemKey {
    in_tenant(tenant, "ACCOUNT".into())
}

pub fn user(tenant: &TenantId, user: &UserId) -> ItemKey {
    in_tenant(
        tenant,
        format!("{}{}", Collection::Users.sk_prefix(), user.ulid()),
    )
}

/// One login session; deleting it ends that session only.
pub fn session(tenant: &TenantId, session: &SessionId) -> ItemKey {
    in_tenant(tenant, format!("SESSION#{}", session.ulid()))
}

pub fn company(tenant: &TenantId) -> ItemKey {
    in_tenant(tenant, "COMPANY".into())
}

pub fn settings(tenant: &TenantId) -> ItemKey {
    in_tenant(tenant, "SETTINGS".into())
}

pub fn customer(tenant: &TenantId, id: &CustomerId) -> ItemKey {
    in_tenant(
        tenant,
        format!("{}{}", Collection::Customers.sk_prefix(), id.ulid()),
    )
}

pub fn service(tenant: &TenantId, id: &ServiceId) -> ItemKey {
    in_tenant(
        tenant,
        format!("{}{}", Collection::Services.sk_prefix(), id.ulid()),
    )
}

pub fn proposal(tenant: &TenantId, id: &ProposalId) -> ItemKey {
    in_tenant(
        tenant,
        format!("{}{}", Collection::Proposals.sk_prefix(), id.ulid()),
    )
}

pub fn invoice(tenant: &TenantId, id: &InvoiceId) -> ItemKey {
    in_tenant(
        tenant,
        format!("{}{}", Collection::Invoices.sk_prefix(), id.ulid()),
    )
}

/// A credit note; its list entries are [`credit_note_entries`].
pub fn credit_note(tenant: &TenantId, id: &CreditNoteId) -> ItemKey {
    in_tenant(
        tenant,
        format!("{}{}", Collection::CreditNotes.sk_prefix(), id.ulid()),
    )
}

/// The summary entries a credit note is listed under: every credit note, and its invoice's.
pub fn credit_note_entries(
    tenant: &TenantId,
    id: &CreditNoteId,
    invoice: &InvoiceId,
) -> Vec<ItemKey> {
    [credit_notes(None), credit_notes(Some(invoice))]
        .into_iter()
        .map(|listing| in_tenant(tenant, format!("{}{}", listing.prefix, id.ulid())))
        .collect()
}

/// The listing of credit notes, newest first: all, or one invoice's.
pub fn credit_notes(invoice: Option<&InvoiceId>) -> Listing {
    let prefix = match invoice {
        Some(invoice) => format!("CRNIX#I#{}#", invoice.ulid()),
        None => "CRNIX#A#".to_owned(),
    };
    Listing {
        prefix,
        newest_first: true,
        range: None,
    }
}

/// A payment has its own prefix: under `INV#<invoice>#…` a Query for invoices would return
/// payments too (decision 0010). Its invoice is named in its content; its list entries are
/// [`payment_entries`].
pub fn payment(tenant: &TenantId, id: &PaymentId) -> ItemKey {
    in_tenant(
        tenant,
        format!("{}{}", Collection::Payments.sk_prefix(), id.ulid()),
    )
}

/// Whose payments a listing holds.
#[derive(Debug, Clone, Copy)]
pub enum PaymentsOf<'a> {
    All,
    Invoice(&'a InvoiceId),
    Customer(&'a CustomerId),
}

fn payments_prefix(of: PaymentsOf<'_>) -> String {
    match of {
        PaymentsOf::All => "PAYIX#A#".to_owned(),
        PaymentsOf::Invoice(invoice) => format!("PAYIX#I#{}#", invoice.ulid()),
        PaymentsOf::Customer(customer) => format!("PAYIX#C#{}#", customer.ulid()),
    }
}

/// The summary entries a payment is listed under (every payment, its invoice's, its
/// customer's), each ordered by the day it was received: `PAYIX#…#<date>#<id>`.
pub fn payment_entries(
    tenant: &TenantId,
    id: &PaymentId,
    invoice: &InvoiceId,
    customer: &CustomerId,
    date: Date,
) -> Vec<ItemKey> {
    [
        PaymentsOf::All,
        PaymentsOf::Invoice(invoice),
        PaymentsOf::Customer(customer),
    ]
    .into_iter()
    .map(|of| {
        in_tenant(
            tenant,
            format!("{}{date}#{}", payments_prefix(of), id.ulid()),
        )
    })
    .collect()
}

/// The listing of payments, newest received first: all, one invoice's or one customer's, and
/// only those received from `from` to `to` (inclusive) when given.
pub fn payments(of: PaymentsOf<'_>, from: Option<Date>, to: Option<Date>) -> Listing {
    let prefix = payments_prefix(of);
    let range = (from.is_some() || to.is_some()).then(|| {
        (
            from.map_or_else(|| prefix.clone(), |from| format!("{prefix}{from}")),
            // `~` sorts after `#` and every character of an id.
            to.map_or_else(|| format!("{prefix}~"), |to| format!("{prefix}{to}#~")),
        )
    });
    Listing {
        prefix,
        newest_first: true,
        range,
    }
}

/// The account's running totals (outstanding, received) per currency.
pub fn totals(tenant: &TenantId) -> ItemKey {
    in_tenant(tenant, "TOTALS".into())
}

const OPEN_INDEX: &str = "OPENIX#";

/// The entry of an open invoice (issued, something still due) in the index of open invoices by
/// when they fall due: `OPENIX#<unix seconds, 12 digits>#<id>`.
pub fn open_invoice_entry(tenant: &TenantId, id: &InvoiceId, due_at: Timestamp) -> ItemKey {
    in_tenant(
        tenant,
        format!(
            "{OPEN_INDEX}{:012}#{}",
            due_at.unix_seconds().max(0),
            id.ulid()
        ),
    )
}

/// The open invoices that have fallen due by `now` (overdue), the longest overdue first.
pub fn overdue_invoices(now: Timestamp) -> Listing {
    Listing {
        prefix: OPEN_INDEX.to_owned(),
        newest_first: false,
        range: Some((
            OPEN_INDEX.to_owned(),
            format!("{OPEN_INDEX}{:012}#~", now.unix_seconds().max(0)),
        )),
    }
}

pub fn recurring_invoice(tenant: &TenantId, id: &RecurringInvoiceId) -> ItemKey {
    in_tenant(
        tenant,
        format!("{}{}", Collection::RecurringInvoices.sk_prefix(), id.ulid()),
    )
}

/// The guard that period `n` of a recurring invoice was made: created in the transaction that
/// creates the period's invoice, so no period is made twice.
pub fn period_made(tenant: &TenantId, id: &RecurringInvoiceId, n: u32) -> ItemKey {
    in_tenant(tenant, format!("RECMADE#{}#{n:06}", id.ulid()))
}

/// An item's entry in the sparse index of due work (GSI1, shared with the purge queue, whose
/// partition is its own): a partition naming the kind of work, a sort key starting with when
/// it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueEntry {
    pub pk: String,
    pub sk: String,
}

/// The partition of GSI1 where an issued invoice waits, on its own item, for the moment it
/// falls due: the schedules pass reports it overdue (`invoice.overdue`) once, if still open.
pub const OVERDUE_DUE: &str = "OVERDUE";

/// An issued invoice's entry in the index of invoices falling due: its `due_at`.
pub fn overdue_due(tenant: &TenantId, id: &InvoiceId, due_at: Timestamp) -> DueEntry {
    DueEntry {
        pk: OVERDUE_DUE.into(),
        sk: format!(
            "{:012}#{}#{}",
            due_at.unix_seconds().max(0),
            tenant.ulid(),
            id.ulid()
        ),
    }
}

/// The partition of the sparse index of recurring invoices due (GSI1).
pub const RECURRING_DUE: &str = "RECUR";

/// A recurring invoice's entry in the index of what is due: its next period's start.
pub fn recurring_due(tenant: &TenantId, id: &RecurringInvoiceId, due_at: Timestamp) -> DueEntry {
    DueEntry {
        pk: RECURRING_DUE.into(),
        sk: format!(
            "{:012}#{}#{}",
            due_at.unix_seconds().max(0),
            tenant.ulid(),
            id.ulid()
        ),
    }
}

/// The guard that reminder `stage` (0 for the first) of an invoice was sent.
pub fn reminder_sent(tenant: &TenantId, id: &InvoiceId, stage: usize) -> ItemKey {
    in_tenant(tenant, format!("REMINDED#{}#{stage}", id.ulid()))
}

/// The partition of the sparse index of open invoices whose next payment reminder's day has
/// come (GSI1). The entry is on the invoice's entry in the index of open invoices, so it
/// leaves the index with it when the invoice is paid, credited in full or voided.
pub const REMINDERS_DUE: &str = "REMIND";

/// An open invoice's entry in the index of reminders due: when the schedule next looks at it.
pub fn reminder_due(tenant: &TenantId, id: &InvoiceId, look_at: Timestamp) -> DueEntry {
    DueEntry {
        pk: REMINDERS_DUE.into(),
        sk: format!(
            "{:012}#{}#{}",
            look_at.unix_seconds().max(0),
            tenant.ulid(),
            id.ulid()
        ),
    }
}

/// The tenant and the item (its ULID) a due entry names, in any partition of the index.
pub fn parse_due(sk: &str) -> Option<(ulid::Ulid, ulid::Ulid)> {
    let mut parts = sk.split('#');
    let _due = parts.next()?;
    let tenant = ulid::Ulid::from_string(parts.next()?).ok()?;
    let id = ulid::Ulid::from_string(parts.next()?).ok()?;
    parts.next().is_none().then_some((tenant, id))
}

pub fn export(tenant: &TenantId, id: &ExportId) -> ItemKey {
    in_tenant(
        tenant,
        format!("{}{}", Collection::Exports.sk_prefix(), id.ulid()),
    )
}

/// A gapless numbering counter, per document kind and period (e.g. `invoice`, `2026`).
pub fn counter(tenant: &TenantId, kind: &str, period: &str) -> ItemKey {
    in_tenant(tenant, format!("SEQ#{kind}#{period}"))
}

/// A document number taken in the account. The number is keyed by its MAC under the tenant's
/// key (`number_digest`), so no number reaches a key attribute.
pub fn taken_number(tenant: &TenantId, number_digest: &str) -> ItemKey {
    in_tenant(tenant, format!("NUM#{number_digest}"))
}

/// The record of an `Idempotency-Key`. The client's key is hashed by the caller, so no client
/// text reaches a key attribute.
pub fn idempotency(tenant: &TenantId, key_digest: &str) -> ItemKey {
    in_tenant(tenant, format!("IDEM#{key_digest}"))
}

pub fn audit(tenant: &TenantId, entry: &ulid::Ulid) -> ItemKey {
    in_tenant(tenant, format!("{}{entry}", Collection::Audit.sk_prefix()))
}

/// The unique-email item: the partition is an HMAC of the normalised address, never the address.
pub fn email(email_hmac_hex: &str) -> ItemKey {
    ItemKey {
        pk: format!("{EMAIL_PARTITION_PREFIX}{email_hmac_hex}"),
        sk: "EMAIL".into(),
    }
}

const EMAIL_PARTITION_PREFIX: &str = "EMAIL#";

/// Whether `key` is in an address's partition (the unique-email item and its login counters),
/// the one place outside a tenant's partition that account code writes.
pub(crate) fn in_email_partition(key: &ItemKey) -> bool {
    key.pk.starts_with(EMAIL_PARTITION_PREFIX)
}

/// Login attempts for one email address from unrecognised browsers, beside its unique-email
/// item (so an unknown address is throttled exactly like a known one).
pub fn login_attempts(email_hmac_hex: &str) -> ItemKey {
    ItemKey {
        pk: format!("{EMAIL_PARTITION_PREFIX}{email_hmac_hex}"),
        sk: "ATTEMPTS".into(),
    }
}

/// The account's hourly counter of one quota (`exports`, `pdfs`, `mails`).
pub fn quota(tenant: &TenantId, name: &str) -> ItemKey {
    in_tenant(tenant, format!("QUOTA#{name}"))
}

/// Login attempts for one email address from one client address of browsers we do not
/// recognise; `client` is a MAC of the client's network, never the address.
pub fn client_attempts(email_hmac_hex: &str, client: &str) -> ItemKey {
    ItemKey {
        pk: format!("{EMAIL_PARTITION_PREFIX}{email_hmac_hex}"),
        sk: format!("CLIENT#{client}"),
    }
}

/// Login attempts for one email address from one recognised browser (its device cookie).
pub fn device_attempts(email_hmac_hex: &str, device: &ulid::Ulid) -> ItemKey {
    ItemKey {
        pk: format!("{EMAIL_PARTITION_PREFIX}{email_hmac_hex}"),
        sk: format!("DEVICE#{device}"),
    }
}

const SUPPRESSED_PREFIX: &str = "SUPPRESSED#";

/// The account's audit trail oldest first: every entry after `after` (all, if none) up to and
/// including `through`.
pub fn audit_oldest_first(after: Option<&ulid::Ulid>, through: &ulid::Ulid) -> Listing {
    let prefix = Collection::Audit.sk_prefix();
    Listing {
        prefix: prefix.to_owned(),
        newest_first: false,
        range: Some((
            // `~` sorts after every ULID character: the first key after `after`'s.
            after.map_or_else(|| prefix.to_owned(), |after| format!("{prefix}{after}~")),
            format!("{prefix}{through}"),
        )),
    }
}

/// Where the account's trail has been signed up to (its checkpoints' head), with its entry in
/// the index of trails due for a checkpoint.
pub fn trail_head(tenant: &TenantId) -> ItemKey {
    in_tenant(tenant, "TRAILHEAD".into())
}

const CHECKPOINT_PREFIX: &str = "TRAILCHK#";

/// The account's checkpoint number `seq` of its audit trail.
pub fn checkpoint(tenant: &TenantId, seq: u64) -> ItemKey {
    in_tenant(tenant, format!("{CHECKPOINT_PREFIX}{seq:012}"))
}

/// The account's checkpoints, oldest first.
pub fn checkpoints() -> Listing {
    Listing {
        prefix: CHECKPOINT_PREFIX.to_owned(),
        newest_first: false,
        range: None,
    }
}

/// The partition of the sparse index of audit trails due for a checkpoint (GSI1).
pub const TRAILS_DUE: &str = "TRAIL";

/// An account's entry in the index of trails due for a checkpoint: when the pass next looks.
pub fn trail_due(tenant: &TenantId, look_at: Timestamp) -> DueEntry {
    DueEntry {
        pk: TRAILS_DUE.into(),
        sk: format!(
            "{:012}#{}#{}",
            look_at.unix_seconds().max(0),
            tenant.ulid(),
            tenant.ulid()
        ),
    }
}

/// An address the account no longer sends to: the sort key holds a MAC of the address under the
/// tenant's own key, never the address.
pub fn suppression(tenant: &TenantId, address_mac_hex: &str) -> ItemKey {
    in_tenant(tenant, format!("{SUPPRESSED_PREFIX}{address_mac_hex}"))
}

/// The account's suppressed addresses, oldest first.
pub fn suppressions() -> Listing {
    Listing {
        prefix: SUPPRESSED_PREFIX.to_owned(),
        newest_first: false,
        range: None,
    }
}

const LINK_PARTITION_PREFIX: &str = "LINK#";

/// A document link's index item: the partition is the SHA-256 of the link's token, never the
/// token. It names the tenant and the document, and nothing of their content.
pub fn link(token_digest_hex: &str) -> ItemKey {
    ItemKey {
        pk: format!("{LINK_PARTITION_PREFIX}{token_digest_hex}"),
        sk: "LINK".into(),
    }
}

/// Whether `key` is a document link's index item, the other place outside a tenant's partition
/// that an account's transactions write (a send, a revocation, a first view).
pub(crate) fn in_link_partition(key: &ItemKey) -> bool {
    key.pk.starts_with(LINK_PARTITION_PREFIX) && key.sk == "LINK"
}

const KEY_PARTITION_PREFIX: &str = "KEY#";

/// An API key's lookup item: the partition is the SHA-256 of the key's secret, never the
/// secret. It names the tenant and the key, what the key may do, and (sealed under the
/// tenant's key) its name.
pub fn api_key_lookup(secret_digest_hex: &str) -> ItemKey {
    ItemKey {
        pk: format!("{KEY_PARTITION_PREFIX}{secret_digest_hex}"),
        sk: "KEY".into(),
    }
}

/// Whether `key` is an API key's lookup item, which the account's key transactions write
/// (making and revoking a key).
pub(crate) fn in_key_partition(key: &ItemKey) -> bool {
    key.pk.starts_with(KEY_PARTITION_PREFIX) && key.sk == "KEY"
}

/// An API key as the account keeps it.
pub fn api_key(tenant: &TenantId, id: &ApiKeyId) -> ItemKey {
    in_tenant(
        tenant,
        format!("{}{}", Collection::ApiKeys.sk_prefix(), id.ulid()),
    )
}

/// The service's own key that the email HMAC uses, stored KMS-wrapped.
pub fn email_index_key() -> ItemKey {
    ItemKey {
        pk: "SYSTEM".into(),
        sk: "EMAIL_INDEX_KEY".into(),
    }
}

/// The partition of the purge queue (sparse GSI1 on the account items of deleted accounts).
pub const PURGE_QUEUE: &str = "PURGE";

/// Sparse GSI1 entry of an account waiting to be purged.
pub fn purge_queue_entry(tenant: &TenantId, purge_due_unix: i64) -> (String, String) {
    (
        PURGE_QUEUE.into(),
        format!("{purge_due_unix:012}#{}", tenant.ulid()),
    )
}

/// What one list reads: the items of a tenant's partition under one sort-key prefix, in key
/// order or its reverse. Built only here; a cursor is bound to the listing it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    prefix: String,
    newest_first: bool,
    /// The first and last sort keys read (inclusive), when only part of the prefix is.
    range: Option<(String, String)>,
}

impl Listing {
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    pub(crate) fn range(&self) -> Option<(&str, &str)> {
        self.range
            .as_ref()
            .map(|(first, last)| (first.as_str(), last.as_str()))
    }

    pub(crate) fn newest_first(&self) -> bool {
        self.newest_first
    }
}

/// The summary entries a numbered document (an invoice, a proposal) is listed under (the
/// document itself is `INV#<id>`, `PRO#<id>`): every one, those of one status, those of one
/// customer, each newest first. Their keys hold no personal data: a status and ids.
fn document_entries(
    tenant: &TenantId,
    index: &str,
    id: &ulid::Ulid,
    status: &str,
    customer: Option<&CustomerId>,
) -> Vec<ItemKey> {
    let mut entries = vec![
        in_tenant(
            tenant,
            format!("{}{id}", documents(index, None, None).prefix),
        ),
        in_tenant(
            tenant,
            format!("{}{id}", documents(index, Some(status), None).prefix),
        ),
    ];
    if let Some(customer) = customer {
        entries.push(in_tenant(
            tenant,
            format!("{}{id}", documents(index, None, Some(customer)).prefix),
        ));
    }
    entries
}

/// The listing of documents of one index: all, of one status, or of one customer (with both,
/// the customer's; the caller keeps those of the status).
fn documents(index: &str, status: Option<&str>, customer: Option<&CustomerId>) -> Listing {
    let prefix = match (status, customer) {
        (_, Some(customer)) => format!("{index}#C#{}#", customer.ulid()),
        (Some(status), None) => format!("{index}#S#{status}#"),
        (None, None) => format!("{index}#A#"),
    };
    Listing {
        prefix,
        newest_first: true,
        range: None,
    }
}

const INVOICE_INDEX: &str = "INVIX";
const PROPOSAL_INDEX: &str = "PROIX";

/// The entries an invoice is listed under; an open one (`open_until`: when it falls due) also
/// in the index of open invoices.
pub fn invoice_entries(
    tenant: &TenantId,
    id: &InvoiceId,
    status: &str,
    customer: Option<&CustomerId>,
    open_until: Option<Timestamp>,
) -> Vec<ItemKey> {
    let mut entries = document_entries(tenant, INVOICE_INDEX, &id.ulid(), status, customer);
    entries.extend(open_until.map(|due_at| open_invoice_entry(tenant, id, due_at)));
    entries
}

/// The listing of invoices: all, of one status, or of one customer.
pub fn invoices(status: Option<&str>, customer: Option<&CustomerId>) -> Listing {
    documents(INVOICE_INDEX, status, customer)
}

/// The entries a proposal is listed under.
pub fn proposal_entries(
    tenant: &TenantId,
    id: &ProposalId,
    status: &str,
    customer: Option<&CustomerId>,
) -> Vec<ItemKey> {
    document_entries(tenant, PROPOSAL_INDEX, &id.ulid(), status, customer)
}

/// The listing of proposals: all, of one status, or of one customer.
pub fn proposals(status: Option<&str>, customer: Option<&CustomerId>) -> Listing {
    documents(PROPOSAL_INDEX, status, customer)
}

/// A listable set of items within one tenant's partition, in creation (ULID) order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// The account's logins (read only by the complete export).
    Users,
    Customers,
    Services,
    Proposals,
    Invoices,
    CreditNotes,
    Payments,
    RecurringInvoices,
    Exports,
    Audit,
    ApiKeys,
    WebhookEndpoints,
    Events,
}

impl Collection {
    pub(crate) fn sk_prefix(self) -> &'static str {
        match self {
            Self::Users => "USER#",
            Self::Customers => "CUS#",
            Self::Services => "SVC#",
            Self::Proposals => "PRO#",
            Self::Invoices => "INV#",
            Self::CreditNotes => "CRN#",
            Self::Payments => "PAY#",
            Self::RecurringInvoices => "REC#",
            Self::Exports => "EXPORT#",
            Self::Audit => "AUDIT#",
            Self::ApiKeys => "APIKEY#",
            Self::WebhookEndpoints => "WEBHOOK#",
            Self::Events => "EVENT#",
        }
    }

    /// The audit trail reads newest first; everything else oldest first.
    pub(crate) fn newest_first(self) -> bool {
        matches!(self, Self::Audit | Self::Events)
    }

    pub fn listing(self) -> Listing {
        Listing {
            prefix: self.sk_prefix().to_owned(),
            newest_first: self.newest_first(),
            range: None,
        }
    }

    #[cfg(test)]
    fn name(self) -> &'static str {
        match self {
            Self::Users => "user",
            Self::Customers => "customers",
            Self::Services => "services",
            Self::Proposals => "proposals",
            Self::Invoices => "invoices",
            Self::CreditNotes => "credit notes",
            Self::Payments => "payments",
            Self::RecurringInvoices => "recurring invoices",
            Self::Exports => "exports",
            Self::Audit => "audit",
            Self::ApiKeys => "API keys",
            Self::WebhookEndpoints => "webhook endpoints",
            Self::Events => "events",
        }
    }
}

pub fn webhook_endpoint(tenant: &TenantId, id: &WebhookEndpointId) -> ItemKey {
    in_tenant(
        tenant,
        format!("{}{}", Collection::WebhookEndpoints.sk_prefix(), id.ulid()),
    )
}

/// Which enabled endpoints want which events: one item per account.
pub fn webhook_subscriptions(tenant: &TenantId) -> ItemKey {
    in_tenant(tenant, "WEBHOOKS".to_owned())
}

pub fn event(tenant: &TenantId, id: &EventId) -> ItemKey {
    in_tenant(
        tenant,
        format!("{}{}", Collection::Events.sk_prefix(), id.ulid()),
    )
}

/// The delivery log of one endpoint: `WHLOG#<endpoint>#<attempt's ULID>`, newest first.
const WEBHOOK_LOG: &str = "WHLOG#";

pub fn webhook_delivery(
    tenant: &TenantId,
    endpoint: &WebhookEndpointId,
    id: &ulid::Ulid,
) -> ItemKey {
    in_tenant(tenant, format!("{WEBHOOK_LOG}{}#{id}", endpoint.ulid()))
}

pub fn webhook_deliveries(endpoint: &WebhookEndpointId) -> Listing {
    Listing {
        prefix: format!("{WEBHOOK_LOG}{}#", endpoint.ulid()),
        newest_first: true,
        range: None,
    }
}

/// The partition of GSI1 where events wait to be handed to the delivery queue: written with
/// the event, removed once the queue took it; a sweep hands over what a crash left behind.
pub const OUTBOX: &str = "OUTBOX";

pub fn outbox_entry(tenant: &TenantId, id: &EventId, at: Timestamp) -> DueEntry {
    DueEntry {
        pk: OUTBOX.into(),
        sk: format!(
            "{:012}#{}#{}",
            at.unix_seconds().max(0),
            tenant.ulid(),
            id.ulid()
        ),
    }
}

/// Where every kept document file of one tenant is: `documents/<tenant>/`.
pub fn documents_prefix(tenant: &TenantId) -> String {
    format!("documents/{tenant}/")
}

/// Where a numbered document's PDF is kept (`id` is the document's id).
pub fn document_file(tenant: &TenantId, id: &str) -> String {
    format!("{}{id}.pdf", documents_prefix(tenant))
}

/// Where a void invoice's PDF is kept: apart from the one kept while it was payable, which
/// stays the record of what the customer may have received.
pub fn void_document_file(tenant: &TenantId, id: &str) -> String {
    format!("{}{id}.void.pdf", documents_prefix(tenant))
}

/// Where every export file of one tenant is: `exports/<tenant>/`.
pub fn exports_prefix(tenant: &TenantId) -> String {
    format!("exports/{tenant}/")
}

/// Where an export file lives; `extension` is its type's (`csv`, `zip`).
pub fn export_file(tenant: &TenantId, export: &ExportId, extension: &str) -> String {
    format!("{}{export}.{extension}", exports_prefix(tenant))
}

/// Every prefix a tenant's files are under (its purge deletes each).
pub fn file_prefixes(tenant: &TenantId) -> [String; 2] {
    [exports_prefix(tenant), documents_prefix(tenant)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_of_a_tenant_shares_its_partition() {
        let tenant = TenantId::for_tests();
        let keys = [
            account(&tenant),
            company(&tenant),
            settings(&tenant),
            customer(&tenant, &CustomerId::generate()),
            invoice(&tenant, &InvoiceId::generate()),
            counter(&tenant, "invoice", "2026"),
        ];
        for key in &keys {
            assert_eq!(key.pk(), format!("T#{}", tenant.ulid()));
        }
    }

    /// DESIGN §3: a Query on one kind's prefix returns that kind only. Every sort key of a
    /// tenant's partition, of every kind, is checked against every collection's prefix.
    #[test]
    fn no_collection_prefix_matches_another_kinds_key() {
        let tenant = TenantId::for_tests();
        let kinds: Vec<(&str, ItemKey)> = vec![
            ("account", account(&tenant)),
            ("user", user(&tenant, &UserId::generate())),
            ("session", session(&tenant, &SessionId::generate())),
            ("company", company(&tenant)),
            ("settings", settings(&tenant)),
            ("customers", customer(&tenant, &CustomerId::generate())),
            ("services", service(&tenant, &ServiceId::generate())),
            ("proposals", proposal(&tenant, &ProposalId::generate())),
            ("invoices", invoice(&tenant, &InvoiceId::generate())),
            ("payments", payment(&tenant, &PaymentId::generate())),
            ("totals", totals(&tenant)),
            ("exports", export(&tenant, &ExportId::generate())),
            ("counter", counter(&tenant, "invoice", "2026")),
            ("idempotency", idempotency(&tenant, "ab12")),
            ("audit", audit(&tenant, &ulid::Ulid::generate())),
            ("API keys", api_key(&tenant, &ApiKeyId::generate())),
            (
                "webhook endpoints",
                webhook_endpoint(&tenant, &WebhookEndpointId::generate()),
            ),
            ("events", event(&tenant, &EventId::generate())),
            ("webhook subscriptions", webhook_subscriptions(&tenant)),
            (
                "webhook log",
                webhook_delivery(
                    &tenant,
                    &WebhookEndpointId::generate(),
                    &ulid::Ulid::generate(),
                ),
            ),
        ];
        let kinds: Vec<(&str, ItemKey)> = kinds
            .into_iter()
            .chain(
                invoice_entries(
                    &tenant,
                    &InvoiceId::generate(),
                    "issued",
                    Some(&CustomerId::generate()),
                    Timestamp::from_unix_seconds(1_764_000_000),
                )
                .into_iter()
                .map(|key| ("invoice entry", key)),
            )
            .chain(
                payment_entries(
                    &tenant,
                    &PaymentId::generate(),
                    &InvoiceId::generate(),
                    &CustomerId::generate(),
                    Date::parse("2026-11-25").expect("date"),
                )
                .into_iter()
                .map(|key| ("payment entry", key)),
            )
            .chain(
                proposal_entries(
                    &tenant,
                    &ProposalId::generate(),
                    "sent",
                    Some(&CustomerId::generate()),
                )
                .into_iter()
                .map(|key| ("proposal entry", key)),
            )
            .chain([(
                "credit notes",
                credit_note(&tenant, &CreditNoteId::generate()),
            )])
            .chain(
                credit_note_entries(&tenant, &CreditNoteId::generate(), &InvoiceId::generate())
                    .into_iter()
                    .map(|key| ("credit note entry", key)),
            )
            .collect();
        for collection in [
            Collection::Users,
            Collection::Customers,
            Collection::Services,
            Collection::Proposals,
            Collection::Invoices,
            Collection::CreditNotes,
            Collection::Payments,
            Collection::Exports,
            Collection::Audit,
            Collection::ApiKeys,
            Collection::WebhookEndpoints,
            Collection::Events,
        ] {
            for (kind, key) in &kinds {
                let matches = key.sk().starts_with(collection.sk_prefix());
                assert_eq!(
                    matches,
                    *kind == collection.name(),
                    "a Query on {} would return the {kind} key {}",
                    collection.sk_prefix(),
                    key.sk()
                );
            }
        }
    }

    /// Every document listing reads its own entries and no other item of the partition.
    #[test]
    fn each_document_listing_reads_only_its_own_entries() {
        let tenant = TenantId::for_tests();
        let (inv, cus, crn) = (
            InvoiceId::generate(),
            CustomerId::generate(),
            CreditNoteId::generate(),
        );
        let invoice_keys = invoice_entries(&tenant, &inv, "issued", Some(&cus), None);
        let note_keys = credit_note_entries(&tenant, &crn, &inv);
        let everything: Vec<ItemKey> = invoice_keys
            .iter()
            .chain(&note_keys)
            .cloned()
            .chain([
                invoice(&tenant, &inv),
                credit_note(&tenant, &crn),
                customer(&tenant, &cus),
            ])
            .collect();
        let listings = [
            (invoices(None, None), vec![&invoice_keys[0]]),
            (invoices(Some("issued"), None), vec![&invoice_keys[1]]),
            (invoices(None, Some(&cus)), vec![&invoice_keys[2]]),
            (invoices(Some("draft"), None), vec![]),
            (credit_notes(None), vec![&note_keys[0]]),
            (credit_notes(Some(&inv)), vec![&note_keys[1]]),
        ];
        for (listing, expected) in listings {
            let read: Vec<&ItemKey> = everything
                .iter()
                .filter(|key| key.sk().starts_with(listing.prefix()))
                .collect();
            assert_eq!(read, expected, "{}", listing.prefix());
        }
    }

    #[test]
    fn purge_queue_entries_sort_by_due_time() {
        let tenant = TenantId::for_tests();
        let (_, early) = purge_queue_entry(&tenant, 99);
        let (_, late) = purge_queue_entry(&tenant, 1_000_000);
        assert!(early < late);
    }
}
