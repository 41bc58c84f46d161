//! The CSV form of each collection: a stable, documented header, and the rows each record gives.

use crate::domain::catalogue::Service;
use crate::domain::credit_note::CreditNote;
use crate::domain::customer::Customer;
use crate::domain::ids::{
    CreditNoteId, CustomerId, InvoiceId, PaymentId, ProposalId, RecurringInvoiceId, ServiceId,
};
use crate::domain::invoice::Invoice;
use crate::domain::payment::Payment;
use crate::domain::proposal::Proposal;
use crate::domain::recurrence::Ending;
use crate::domain::recurring::RecurringInvoice;
use crate::domain::values::Address;
use crate::store::{AuditEntry, Collection, Record, Stored};

/// A stable, documented CSV form of the records of one collection: a header, and the rows
/// each record gives (one, or one per line of a document).
pub trait CsvForm {
    type Record: Record;
    const COLLECTION: Collection;
    const HEADER: &'static [&'static str];
    /// Records read per Query: fewer for documents, which can be large, so memory stays flat.
    const PAGE: u16 = 100;
    fn rows(id: ulid::Ulid, stored: &Stored<Self::Record>) -> Vec<Vec<String>>;
}

fn text<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// An address as five cells: street lines (one per line), city, region, postal code, country.
fn address_cells(address: &Option<Address>) -> [String; 5] {
    match address {
        None => Default::default(),
        Some(a) => [
            a.lines
                .lines()
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            text(&a.city),
            text(&a.region),
            text(&a.postal_code),
            a.country.to_string(),
        ],
    }
}

impl CsvForm for Customer {
    type Record = Self;
    const COLLECTION: Collection = Collection::Customers;
    const HEADER: &'static [&'static str] = &[
        "id",
        "name",
        "contact_name",
        "email",
        "phone",
        "billing_address_lines",
        "billing_city",
        "billing_region",
        "billing_postal_code",
        "billing_country",
        "shipping_address_lines",
        "shipping_city",
        "shipping_region",
        "shipping_postal_code",
        "shipping_country",
        "tax_id",
        "currency",
        "notes",
        "no_reminders",
        "created_at",
        "updated_at",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let c = &stored.record;
        let mut row = vec![
            CustomerId::from_ulid(id).to_string(),
            c.name.to_string(),
            text(&c.contact_name),
            text(&c.email),
            text(&c.phone),
        ];
        row.extend(address_cells(&c.billing_address));
        row.extend(address_cells(&c.shipping_address));
        row.extend([
            text(&c.tax_id),
            text(&c.currency),
            text(&c.notes),
            c.no_reminders.to_string(),
            stored.created_at.to_string(),
            stored.updated_at.to_string(),
        ]);
        vec![row]
    }
}

impl CsvForm for Service {
    type Record = Self;
    const COLLECTION: Collection = Collection::Services;
    const HEADER: &'static [&'static str] = &[
        "id",
        "name",
        "description",
        "unit_price",
        "unit",
        "tax_rate",
        "currency",
        "active",
        "created_at",
        "updated_at",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let s = &stored.record;
        vec![vec![
            ServiceId::from_ulid(id).to_string(),
            s.name.to_string(),
            text(&s.description),
            s.unit_price.to_string(),
            text(&s.unit),
            text(&s.tax_rate),
            s.currency.to_string(),
            s.active.to_string(),
            stored.created_at.to_string(),
            stored.updated_at.to_string(),
        ]]
    }
}

/// Recurring invoices, one row each: the schedule and where it is (the template's lines are
/// those of the invoices it made).
impl CsvForm for RecurringInvoice {
    type Record = Self;
    const COLLECTION: Collection = Collection::RecurringInvoices;
    const HEADER: &'static [&'static str] = &[
        "id",
        "name",
        "status",
        "stopped_because",
        "customer_id",
        "currency",
        "every",
        "unit",
        "start",
        "ends_after_count",
        "ends_on",
        "produce",
        "catch_up",
        "invoices_made",
        "periods_skipped",
        "last_invoice_id",
        "last_invoice_date",
        "created_at",
        "updated_at",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let r = &stored.record;
        let (count, date) = match r.schedule.ending {
            Ending::Never => (None, None),
            Ending::After { count } => (Some(count), None),
            Ending::On { date } => (None, Some(date)),
        };
        vec![vec![
            RecurringInvoiceId::from_ulid(id).to_string(),
            r.name.to_string(),
            r.status.as_str().to_owned(),
            text(&r.stopped_because),
            r.template.customer_id.to_string(),
            text(&r.template.currency),
            r.schedule.every.to_string(),
            r.schedule.unit.as_str().to_owned(),
            r.schedule.start.to_string(),
            text(&count),
            text(&date),
            r.produce.as_str().to_owned(),
            r.catch_up.as_str().to_owned(),
            r.invoices_made.to_string(),
            r.periods_skipped.to_string(),
            text(&r.last.map(|last| last.invoice_id)),
            text(&r.last.map(|last| last.date)),
            stored.created_at.to_string(),
            stored.updated_at.to_string(),
        ]]
    }
}

/// Proposals, one row each.
impl CsvForm for Proposal {
    type Record = Self;
    const COLLECTION: Collection = Collection::Proposals;
    const PAGE: u16 = 10;
    const HEADER: &'static [&'static str] = &[
        "id",
        "number",
        "status",
        "customer_id",
        "customer_name",
        "issue_date",
        "valid_until",
        "expires_at",
        "currency",
        "net_total",
        "discount_total",
        "tax_total",
        "total",
        "invoice_id",
        "created_at",
        "updated_at",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let p = &stored.record;
        let c = &p.content;
        vec![vec![
            ProposalId::from_ulid(id).to_string(),
            text(&p.number),
            p.status.as_str().to_owned(),
            text(&c.customer_id),
            text(&c.customer_name),
            p.issue_date.to_string(),
            p.valid_until.to_string(),
            text(&p.expires_at),
            c.currency.to_string(),
            c.net_total.to_string(),
            c.discount_total.to_string(),
            c.tax_total.to_string(),
            c.total.to_string(),
            text(&p.invoice_id),
            stored.created_at.to_string(),
            stored.updated_at.to_string(),
        ]]
    }
}

/// Invoices, one row each.
impl CsvForm for Invoice {
    type Record = Self;
    const COLLECTION: Collection = Collection::Invoices;
    const PAGE: u16 = 10;
    const HEADER: &'static [&'static str] = &[
        "id",
        "number",
        "status",
        "customer_id",
        "customer_name",
        "issue_date",
        "due_date",
        "currency",
        "net_total",
        "discount_total",
        "tax_total",
        "total",
        "amount_credited",
        "amount_paid",
        "amount_due",
        "paid_at",
        "proposal_id",
        "recurring_invoice_id",
        "created_at",
        "updated_at",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let i = &stored.record;
        let c = &i.content;
        vec![vec![
            InvoiceId::from_ulid(id).to_string(),
            text(&i.number),
            i.status.as_str().to_owned(),
            text(&c.customer_id),
            text(&c.customer_name),
            i.issue_date.to_string(),
            i.due_date.to_string(),
            c.currency.to_string(),
            c.net_total.to_string(),
            c.discount_total.to_string(),
            c.tax_total.to_string(),
            c.total.to_string(),
            i.amount_credited.to_string(),
            i.amount_paid.to_string(),
            i.amount_due.to_string(),
            text(&i.paid_at),
            text(&i.proposal_id),
            text(&i.recurring_invoice_id),
            stored.created_at.to_string(),
            stored.updated_at.to_string(),
        ]]
    }
}

/// Every payment reminder sent, one row each: its invoice, stage, day, recipients and what it
/// claimed.
pub struct InvoiceReminders;

impl CsvForm for InvoiceReminders {
    type Record = Invoice;
    const COLLECTION: Collection = Collection::Invoices;
    const PAGE: u16 = 10;
    const HEADER: &'static [&'static str] = &[
        "invoice_id",
        "invoice_number",
        "stage",
        "date",
        "sent_at",
        "by_hand",
        "to",
        "days_overdue",
        "fees",
        "interest",
        "compensation",
        "total",
        "currency",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Invoice>) -> Vec<Vec<String>> {
        let invoice = &stored.record;
        let id = InvoiceId::from_ulid(id).to_string();
        invoice
            .reminders
            .iter()
            .map(|reminder| {
                let charges = &reminder.charges;
                vec![
                    id.clone(),
                    text(&invoice.number),
                    reminder.stage.to_string(),
                    reminder.date.to_string(),
                    reminder.at.to_string(),
                    reminder.by_hand.to_string(),
                    reminder
                        .to
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" "),
                    charges.days_overdue.to_string(),
                    charges.fees.to_string(),
                    charges.interest.to_string(),
                    charges.compensation.to_string(),
                    charges.total.to_string(),
                    invoice.content.currency.to_string(),
                ]
            })
            .collect()
    }
}

/// Every line of every invoice, one row each, numbered from 1 within its invoice.
pub struct InvoiceLines;

impl CsvForm for InvoiceLines {
    type Record = Invoice;
    const COLLECTION: Collection = Collection::Invoices;
    const PAGE: u16 = 10;
    const HEADER: &'static [&'static str] = &[
        "invoice_id",
        "invoice_number",
        "line",
        "service_id",
        "description",
        "quantity",
        "unit",
        "unit_price",
        "discount_percent",
        "discount_amount",
        "tax_rate",
        "net",
        "currency",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Invoice>) -> Vec<Vec<String>> {
        let invoice = &stored.record;
        let id = InvoiceId::from_ulid(id).to_string();
        invoice
            .content
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                vec![
                    id.clone(),
                    text(&invoice.number),
                    (index + 1).to_string(),
                    text(&line.service_id),
                    line.description.to_string(),
                    line.quantity.to_string(),
                    text(&line.unit),
                    line.unit_price.to_string(),
                    text(&line.discount_percent),
                    text(&line.discount_amount),
                    line.tax_rate.to_string(),
                    line.net.to_string(),
                    invoice.content.currency.to_string(),
                ]
            })
            .collect()
    }
}

/// Payments, one row each.
impl CsvForm for Payment {
    type Record = Self;
    const COLLECTION: Collection = Collection::Payments;
    const PAGE: u16 = 100;
    const HEADER: &'static [&'static str] = &[
        "id",
        "invoice_id",
        "invoice_number",
        "customer_id",
        "customer_name",
        "date",
        "currency",
        "amount",
        "method",
        "reference",
        "note",
        "created_at",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let p = &stored.record;
        vec![vec![
            PaymentId::from_ulid(id).to_string(),
            p.invoice_id.to_string(),
            p.invoice_number.clone(),
            p.customer_id.to_string(),
            text(&p.customer_name),
            p.date.to_string(),
            p.currency.to_string(),
            p.amount.to_string(),
            p.method.as_str().to_owned(),
            text(&p.reference),
            text(&p.note),
            stored.created_at.to_string(),
        ]]
    }
}

/// Credit notes, one row each.
impl CsvForm for CreditNote {
    type Record = Self;
    const COLLECTION: Collection = Collection::CreditNotes;
    const PAGE: u16 = 10;
    const HEADER: &'static [&'static str] = &[
        "id",
        "number",
        "invoice_id",
        "invoice_number",
        "customer_id",
        "customer_name",
        "issue_date",
        "reason",
        "currency",
        "net_total",
        "tax_total",
        "total",
        "refund",
        "issued_at",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let n = &stored.record;
        let c = &n.content;
        vec![vec![
            CreditNoteId::from_ulid(id).to_string(),
            n.number.clone(),
            n.invoice_id.to_string(),
            n.invoice_number.clone(),
            text(&c.customer_id),
            text(&c.customer_name),
            n.issue_date.to_string(),
            text(&n.reason),
            c.currency.to_string(),
            c.net_total.to_string(),
            c.tax_total.to_string(),
            c.total.to_string(),
            n.refund.to_string(),
            n.issued_at.to_string(),
        ]]
    }
}

/// The audit trail, newest first: who did what to which object, how it ended, when.
impl CsvForm for AuditEntry {
    type Record = Self;
    const COLLECTION: Collection = Collection::Audit;
    const HEADER: &'static [&'static str] = &[
        "id",
        "at",
        "actor",
        "action",
        "object",
        "outcome",
        "request_id",
        "via",
        "ip",
        "user_agent",
    ];

    fn rows(id: ulid::Ulid, stored: &Stored<Self>) -> Vec<Vec<String>> {
        let e = &stored.record;
        vec![vec![
            id.to_string(),
            stored.created_at.to_string(),
            text(&e.actor),
            e.action.clone(),
            text(&e.object),
            e.outcome.clone(),
            text(&e.request_id),
            text(&e.via),
            text(&e.ip),
            text(&e.user_agent),
        ]]
    }
}

/// A cell a spreadsheet would evaluate gets a leading `'`; any other is written as it is.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}
