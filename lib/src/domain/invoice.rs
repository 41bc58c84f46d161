//! Invoices (DESIGN §7): a draft can change, and its amounts are recomputed on every change.
//! Issuing one numbers it and snapshots both parties, and from then on it never changes; a
//! correction is a credit note.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::account::CompanyProfile;
use super::customer::Customer;
use super::document::{
    Buyer, Content, ContentPatch, ContentRequest, DraftContext, LineRequest, Particulars,
    ParticularsPatch, Period, Seller, invalid,
};
use super::ids::{CustomerId, InvoiceId, ProposalId, RecurringInvoiceId};
use super::money::Money;
use super::patch::{nullable, present};
use super::reminders::SentReminder;
use super::sending::Sending;
use super::time::Date;
use super::values::{Address, Currency, CustomerName, DocumentReference, DocumentText, Percentage};
use super::{FieldError, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    Issued,
    PartiallyPaid,
    Paid,
    Void,
}

impl InvoiceStatus {
    pub const ALL: [Self; 5] = [
        Self::Draft,
        Self::Issued,
        Self::PartiallyPaid,
        Self::Paid,
        Self::Void,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Issued => "issued",
            Self::PartiallyPaid => "partially_paid",
            Self::Paid => "paid",
            Self::Void => "void",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A new draft invoice. Every field may wait until it is issued, except that an invoice needs a
/// customer and at least one line to be issued.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvoice {
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// The customer's currency, else the company's.
    #[serde(default)]
    pub currency: Option<Currency>,
    /// Today in the account's time zone when not given.
    #[serde(default)]
    pub issue_date: Option<Date>,
    /// The issue date plus the settings' payment terms when not given.
    #[serde(default)]
    pub due_date: Option<Date>,
    /// The settings' invoice notes when not given.
    #[serde(default)]
    pub notes: Option<DocumentText>,
    /// The settings' invoice footer when not given.
    #[serde(default)]
    pub footer: Option<DocumentText>,
    /// A discount on the whole document, shared over its tax rates.
    #[serde(default)]
    pub discount_percent: Option<Percentage>,
    /// Whether unit prices include tax (default: they do not).
    #[serde(default)]
    pub prices_include_tax: bool,
    /// The buyer's reference for the invoice (BT-10): a German public buyer's Leitweg-ID.
    #[serde(default)]
    pub buyer_reference: Option<DocumentReference>,
    /// The buyer's purchase order number (BT-13).
    #[serde(default)]
    pub order_reference: Option<DocumentReference>,
    /// When the goods or services were supplied (BT-72), if not on the issue date.
    #[serde(default)]
    pub supply_date: Option<Date>,
    /// The period the invoice bills (BG-14).
    #[serde(default)]
    pub supply_period: Option<Period>,
    /// Where the goods or services go (BG-15), when not to the customer's billing address.
    #[serde(default)]
    pub delivery_address: Option<Address>,
    /// Up to 500 lines.
    #[serde(default)]
    pub lines: Vec<LineRequest>,
}

/// A change to a draft (JSON merge patch): absent fields are kept; `null` clears or, for the
/// due date and currency, goes back to the default; `lines` replaces every line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoicePatch {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<CustomerId>)]
    pub customer_id: Option<Option<CustomerId>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Currency>)]
    pub currency: Option<Option<Currency>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Date)]
    pub issue_date: Option<Date>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Date>)]
    pub due_date: Option<Option<Date>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DocumentText>)]
    pub notes: Option<Option<DocumentText>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DocumentText>)]
    pub footer: Option<Option<DocumentText>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Percentage>)]
    pub discount_percent: Option<Option<Percentage>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub prices_include_tax: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DocumentReference>)]
    pub buyer_reference: Option<Option<DocumentReference>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DocumentReference>)]
    pub order_reference: Option<Option<DocumentReference>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Date>)]
    pub supply_date: Option<Option<Date>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Period>)]
    pub supply_period: Option<Option<Period>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Address>)]
    pub delivery_address: Option<Option<Address>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<LineRequest>)]
    pub lines: Option<Vec<LineRequest>>,
}

/// An invoice as the account keeps it (and as the API shows it, beside its id and version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Invoice {
    pub status: InvoiceStatus,
    /// Assigned when it is issued (`INV-2026-0001`); `null` on a draft.
    pub number: Option<String>,
    pub issue_date: Date,
    pub due_date: Date,
    #[serde(flatten)]
    pub content: Content,
    pub amount_credited: Money,
    pub amount_paid: Money,
    /// total − paid − credited (BT-115), never below zero (a credit beyond it is the credit
    /// note's refund); zero once void.
    pub amount_due: Money,
    pub seller: Option<Seller>,
    pub buyer: Option<Buyer>,
    pub issued_at: Option<Timestamp>,
    /// When it falls due: the end of `due_date` in the account's time zone, set when issued.
    #[serde(default)]
    pub due_at: Option<Timestamp>,
    /// When the last of its amount due was paid; `null` unless paid.
    #[serde(default)]
    pub paid_at: Option<Timestamp>,
    /// Issued or partially paid, something due, and its due date before today (computed
    /// when it is read, never stored).
    #[serde(default, skip_deserializing)]
    pub overdue: bool,
    /// Whole days since the due date while overdue, else 0 (computed when read).
    #[serde(default, skip_deserializing)]
    pub days_overdue: u32,
    pub voided_at: Option<Timestamp>,
    pub void_reason: Option<DocumentText>,
    /// The accepted proposal this invoice was converted from.
    #[serde(default)]
    pub proposal_id: Option<ProposalId>,
    /// The recurring invoice that made it, for its period.
    #[serde(default)]
    pub recurring_invoice_id: Option<RecurringInvoiceId>,
    /// Each time it was e-mailed, oldest first: once the mail service accepted the message.
    #[serde(default)]
    pub sendings: Vec<Sending>,
    /// Its links to its page, newest last (each send makes one; none is shown again).
    #[serde(default)]
    pub links: Vec<crate::domain::link::DocumentLink>,
    /// What happened to it after it was sent: delivered, bounced, viewed, answered.
    #[serde(default)]
    pub deliveries: Vec<crate::domain::link::Delivery>,
    /// The payment reminders sent for it, oldest first.
    #[serde(default)]
    pub reminders: Vec<SentReminder>,
    /// The owner paused its reminders: the schedule sends none.
    #[serde(default)]
    pub reminders_paused: bool,
    /// When the reminder schedule next looks at it (the start of its next stage's day); none
    /// once every stage's day has passed. Its entry in the index of due work follows it.
    #[serde(default)]
    pub reminder_check_at: Option<Timestamp>,
    /// Why the last reminder due was not sent (no address, a suppressed one, the customer
    /// asked for none), until one is.
    #[serde(default)]
    pub reminder_problem: Option<String>,
}

/// An invoice as lists show it, kept beside it under each listing it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InvoiceSummary {
    pub id: InvoiceId,
    pub number: Option<String>,
    pub status: InvoiceStatus,
    pub customer_id: Option<CustomerId>,
    pub customer_name: Option<CustomerName>,
    pub issue_date: Date,
    pub due_date: Date,
    pub currency: Currency,
    pub total: Money,
    pub amount_due: Money,
    #[serde(default)]
    pub due_at: Option<Timestamp>,
    /// Computed when listed, as on the invoice.
    #[serde(default, skip_deserializing)]
    pub overdue: bool,
    #[serde(default, skip_deserializing)]
    pub days_overdue: u32,
}

/// Whole days an open invoice due at `due_at` is overdue at `now`: `None` until it falls due.
/// (A day is counted from the end of the due date, in the zone the invoice was issued in.)
fn days_overdue(due_at: Option<Timestamp>, open: bool, now: Timestamp) -> Option<u32> {
    let due_at = due_at.filter(|due_at| open && *due_at <= now)?;
    let days = (now.unix_seconds() - due_at.unix_seconds()) / 86_400 + 1;
    Some(u32::try_from(days).unwrap_or(u32::MAX))
}

fn is_open(status: InvoiceStatus, amount_due: Money) -> bool {
    matches!(status, InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid)
        && amount_due.value() > Decimal::ZERO
}

impl InvoiceSummary {
    /// Whole days it is overdue at `now`; `None` unless it is.
    pub fn overdue_at(&self, now: Timestamp) -> Option<u32> {
        days_overdue(self.due_at, is_open(self.status, self.amount_due), now)
    }

    /// The summary as of `now`: whether, and how long, it is overdue.
    pub fn as_of(mut self, now: Timestamp) -> Self {
        let days = self.overdue_at(now);
        self.overdue = days.is_some();
        self.days_overdue = days.unwrap_or(0);
        self
    }
}

/// Why a payment cannot be recorded against an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentRefusal {
    /// A draft or void invoice, or one with nothing left to pay (409).
    NotPayable(&'static str),
    /// More than is due (422 naming `amount`).
    AboveDue(Money),
}

fn check_dates(issue: Date, due: Date) -> Result<(), Vec<FieldError>> {
    if due < issue {
        return Err(invalid("due_date", "must not be before issue_date"));
    }
    Ok(())
}

impl Invoice {
    pub fn summary(&self, id: InvoiceId) -> InvoiceSummary {
        InvoiceSummary {
            id,
            number: self.number.clone(),
            status: self.status,
            customer_id: self.content.customer_id,
            customer_name: self.content.customer_name.clone(),
            issue_date: self.issue_date,
            due_date: self.due_date,
            currency: self.content.currency,
            total: self.content.total,
            amount_due: self.amount_due,
            due_at: self.due_at,
            overdue: false,
            days_overdue: 0,
        }
    }

    /// The invoice as of `now`: whether, and how long, it is overdue.
    pub fn as_of(mut self, now: Timestamp) -> Self {
        let days = days_overdue(self.due_at, self.is_open(), now);
        self.overdue = days.is_some();
        self.days_overdue = days.unwrap_or(0);
        self
    }

    /// Issued or partially paid with something still due: it counts as outstanding, and is
    /// in the index of open invoices by when it falls due.
    pub fn is_open(&self) -> bool {
        is_open(self.status, self.amount_due)
    }

    /// What it adds to the account's amount outstanding.
    pub fn outstanding(&self) -> Decimal {
        if self.is_open() {
            self.amount_due.value()
        } else {
            Decimal::ZERO
        }
    }

    /// When an open invoice falls due (its place in the index of open invoices).
    pub fn open_until(&self) -> Option<Timestamp> {
        self.due_at.filter(|_| self.is_open())
    }

    /// The invoice with `paid` in total paid and `credited` in total credited: what is due,
    /// and the status that follows (issued while nothing is paid, partially paid while
    /// something is due, paid once nothing is).
    fn settled(&self, paid: Decimal, credited: Decimal, at: Timestamp) -> Self {
        let currency = self.content.currency;
        let due = (self.content.total.value() - paid - credited).max(Decimal::ZERO);
        let status = if paid <= Decimal::ZERO {
            InvoiceStatus::Issued
        } else if due > Decimal::ZERO {
            InvoiceStatus::PartiallyPaid
        } else {
            InvoiceStatus::Paid
        };
        let paid_at = match status {
            InvoiceStatus::Paid => self.paid_at.or(Some(at)),
            _ => None,
        };
        Self {
            status,
            amount_paid: Money::of(paid, currency),
            amount_credited: Money::of(credited, currency),
            amount_due: Money::of(due, currency),
            paid_at,
            ..self.clone()
        }
    }

    /// Whether the invoice takes payments at all (issued or partially paid), and if not why.
    pub fn payable(&self) -> Result<(), PaymentRefusal> {
        match self.status {
            InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid => Ok(()),
            InvoiceStatus::Draft => Err(PaymentRefusal::NotPayable(
                "A draft invoice takes no payments: issue it first.",
            )),
            InvoiceStatus::Void => Err(PaymentRefusal::NotPayable(
                "A void invoice takes no payments.",
            )),
            InvoiceStatus::Paid => Err(PaymentRefusal::NotPayable(
                "The invoice is paid: nothing is due.",
            )),
        }
    }

    /// The invoice with a payment of `amount` recorded at `at`, or why it cannot take it.
    pub fn paid(&self, amount: Money, at: Timestamp) -> Result<Self, PaymentRefusal> {
        self.payable()?;
        if amount.value() > self.amount_due.value() {
            return Err(PaymentRefusal::AboveDue(self.amount_due));
        }
        Ok(self.settled(
            self.amount_paid.value() + amount.value(),
            self.amount_credited.value(),
            at,
        ))
    }

    /// The invoice with a payment of `amount` taken back (recorded by mistake).
    pub fn unpaid(&self, amount: Money, at: Timestamp) -> Self {
        self.settled(
            (self.amount_paid.value() - amount.value()).max(Decimal::ZERO),
            self.amount_credited.value(),
            at,
        )
    }

    /// The issued invoice, recording that `sending` left for its customer.
    pub fn sent(&self, sending: Sending) -> Self {
        let mut sent = self.clone();
        sent.sendings.push(sending);
        sent
    }

    /// The stages (indexes) of the reminders sent.
    pub fn stages_sent(&self) -> Vec<usize> {
        self.reminders
            .iter()
            .map(|r| usize::from(r.stage.saturating_sub(1)))
            .collect()
    }

    /// The invoice with `reminder` sent, looked at next at `next` (none: every stage passed).
    pub fn reminded(&self, reminder: SentReminder, next: Option<Timestamp>) -> Self {
        let mut reminded = self.clone();
        reminded.reminders.push(reminder);
        reminded.reminder_check_at = next;
        reminded.reminder_problem = None;
        reminded
    }

    /// The invoice looked at by the reminder schedule, with nothing sent (`problem`: why not,
    /// when a reminder was due), looked at next at `next`.
    pub fn passed_over(&self, problem: Option<String>, next: Option<Timestamp>) -> Self {
        Self {
            reminder_check_at: next,
            reminder_problem: problem.or_else(|| self.reminder_problem.clone()),
            ..self.clone()
        }
    }

    /// A draft holding `content`, dated `issue_date` and due on `due_date`.
    pub fn drafted(content: Content, issue_date: Date, due_date: Date) -> Self {
        let currency = content.currency;
        Self {
            status: InvoiceStatus::Draft,
            number: None,
            issue_date,
            due_date,
            amount_credited: Money::zero(currency),
            amount_paid: Money::zero(currency),
            amount_due: content.total,
            content,
            seller: None,
            buyer: None,
            issued_at: None,
            due_at: None,
            paid_at: None,
            overdue: false,
            days_overdue: 0,
            voided_at: None,
            void_reason: None,
            proposal_id: None,
            recurring_invoice_id: None,
            sendings: Vec::new(),
            links: Vec::new(),
            deliveries: Vec::new(),
            reminders: Vec::new(),
            reminders_paused: false,
            reminder_check_at: None,
            reminder_problem: None,
        }
    }

    /// The draft an accepted proposal converts into: the same customer, currency, terms and
    /// lines, dated `today` and due by the payment terms.
    pub fn from_proposal(
        proposal_id: ProposalId,
        content: Content,
        today: Date,
        payment_terms_days: u16,
    ) -> Self {
        Self {
            proposal_id: Some(proposal_id),
            ..Self::drafted(content, today, today.plus_days(payment_terms_days))
        }
    }

    /// A new draft from a request.
    pub fn draft(new: NewInvoice, context: &DraftContext<'_>) -> Result<Self, Vec<FieldError>> {
        let issue_date = new.issue_date.unwrap_or(context.today);
        let due_date = new
            .due_date
            .unwrap_or_else(|| issue_date.plus_days(context.settings.payment_terms_days.days()));
        check_dates(issue_date, due_date)?;
        let content = Content::new(
            ContentRequest {
                customer_id: new.customer_id,
                currency: new.currency,
                notes: new.notes,
                footer: new.footer,
                discount_percent: new.discount_percent,
                prices_include_tax: new.prices_include_tax,
                particulars: Particulars {
                    buyer_reference: new.buyer_reference,
                    order_reference: new.order_reference,
                    supply_date: new.supply_date,
                    supply_period: new.supply_period,
                    delivery_address: new.delivery_address,
                },
                lines: &new.lines,
            },
            context,
        )?;
        Ok(Self::drafted(content, issue_date, due_date))
    }

    /// This draft with `patch` applied and its amounts recomputed.
    pub fn patched(
        &self,
        patch: InvoicePatch,
        context: &DraftContext<'_>,
    ) -> Result<Self, Vec<FieldError>> {
        let terms = context.settings.payment_terms_days.days();
        let issue_date = patch.issue_date.unwrap_or(self.issue_date);
        let terms_due = issue_date.plus_days(terms);
        let due_date = match patch.due_date {
            Some(Some(date)) => date,
            Some(None) => terms_due,
            // A new issue date moves a due date that followed the terms.
            None if patch.issue_date.is_some()
                && self.due_date == self.issue_date.plus_days(terms) =>
            {
                terms_due
            }
            None => self.due_date,
        };
        check_dates(issue_date, due_date)?;
        let content = self.content.patched(
            ContentPatch {
                customer_id: patch.customer_id,
                currency: patch.currency,
                notes: patch.notes,
                footer: patch.footer,
                discount_percent: patch.discount_percent,
                prices_include_tax: patch.prices_include_tax,
                particulars: ParticularsPatch {
                    buyer_reference: patch.buyer_reference,
                    order_reference: patch.order_reference,
                    supply_date: patch.supply_date,
                    supply_period: patch.supply_period,
                    delivery_address: patch.delivery_address,
                },
                lines: patch.lines.as_deref(),
            },
            context,
        )?;
        Ok(Self {
            proposal_id: self.proposal_id,
            recurring_invoice_id: self.recurring_invoice_id,
            ..Self::drafted(content, issue_date, due_date)
        })
    }

    /// The draft, issued: numbered, both parties snapshot, falling due at `due_at` (the end
    /// of its due date in the account's time zone), from now on unchangeable.
    pub fn issued(
        &self,
        number: String,
        company: &CompanyProfile,
        customer: &Customer,
        at: Timestamp,
        due_at: Timestamp,
    ) -> Self {
        let mut issued = self.clone();
        issued.status = InvoiceStatus::Issued;
        issued.due_at = Some(due_at);
        issued.number = Some(number);
        issued.content.customer_name = Some(customer.name.clone());
        issued.seller = Some(Seller::of(company));
        issued.buyer = Some(Buyer::of(customer));
        issued.issued_at = Some(at);
        issued
    }

    /// The invoice with a credit note of `amount` against it at `at`: less is due (a credit
    /// that settles what was left makes a partly paid invoice paid).
    pub fn credited(&self, amount: Money, at: Timestamp) -> Self {
        self.settled(
            self.amount_paid.value(),
            self.amount_credited.value() + amount.value(),
            at,
        )
    }

    /// What a credit of `amount` leaves to pay back to the customer: the part of it above
    /// what was still due.
    pub fn refund_for(&self, amount: Money) -> Money {
        Money::of(
            (amount.value() - self.amount_due.value()).max(Decimal::ZERO),
            self.content.currency,
        )
    }

    /// What credit notes may still credit: the total less earlier credits.
    pub fn creditable(&self) -> Money {
        Money::of(
            self.content.total.value() - self.amount_credited.value(),
            self.content.currency,
        )
    }

    /// The issued invoice, void: it keeps its number and owes nothing.
    pub fn voided(&self, reason: DocumentText, at: Timestamp) -> Self {
        Self {
            status: InvoiceStatus::Void,
            amount_due: Money::zero(self.content.currency),
            voided_at: Some(at),
            void_reason: Some(reason),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::domain::settings::Settings;
    use crate::domain::values::Name;

    fn context_parts() -> (Settings, CompanyProfile) {
        let company = CompanyProfile::named(
            Name::parse("Ölçü GmbH").expect("name"),
            Currency::parse("EUR").expect("EUR"),
        );
        (Settings::default(), company)
    }

    fn today() -> Date {
        Date::parse("2026-11-25").expect("date")
    }

    #[test]
    fn a_draft_takes_its_defaults_and_computes_its_amounts() {
        let (settings, company) = context_parts();
        let services = HashMap::new();
        let context = DraftContext {
            settings: &settings,
            company: &company,
            customer: None,
            services: &services,
            today: today(),
        };
        let new: NewInvoice = serde_json::from_str(
            r#"{"lines": [{"description": "Design", "quantity": "3", "unit_price": "33.33", "tax_rate": "19"}]}"#,
        )
        .expect("valid");
        let invoice = Invoice::draft(new, &context).expect("draft");
        assert_eq!(invoice.content.currency.code(), "EUR");
        assert_eq!(invoice.due_date.to_string(), "2026-12-25");
        assert_eq!(invoice.content.lines[0].net.to_string(), "99.99");
        assert_eq!(invoice.content.tax_total.to_string(), "19.00");
        assert_eq!(invoice.content.total.to_string(), "118.99");
        assert_eq!(invoice.amount_due, invoice.content.total);
        assert!(invoice.content.complete("invoice").is_err(), "no customer");
    }

    #[test]
    fn a_line_needs_a_description_and_a_price_unless_a_service_gives_them() {
        let (settings, company) = context_parts();
        let services = HashMap::new();
        let context = DraftContext {
            settings: &settings,
            company: &company,
            customer: None,
            services: &services,
            today: today(),
        };
        let new: NewInvoice =
            serde_json::from_str(r#"{"lines": [{"description": "X", "quantity": "1"}]}"#)
                .expect("valid");
        let errors = Invoice::draft(new, &context).expect_err("no price");
        assert_eq!(errors[0].field, "lines[0].unit_price");
    }
}

super::link::tracked!(Invoice, "invoice");
