//! Recurring invoices (issue 25): an invoice's template and a [`Recurrence`]; each period due
//! becomes one invoice, dated for its period, as a draft, issued, or issued and e-mailed.
//!
//! The schedule keeps only where it is (`next_period`): which periods were made is decided by a
//! guard item per (schedule, period), written in the transaction that creates the period's
//! invoice, so no period is ever made twice.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldError;
use super::document::{LineRequest, Period};
use super::ids::{CustomerId, InvoiceId};
use super::invoice::NewInvoice;
use super::patch::{nullable, present};
use super::recurrence::{Ending, Recurrence};
use super::settings::PaymentTerms;
use super::time::Date;
use super::values::{Currency, DocumentReference, DocumentText, Name, Percentage};

/// The most periods one pass makes for one schedule; the next pass goes on.
pub const MAX_PERIODS_PER_PASS: usize = 12;
/// How many of the next dates a schedule shows.
pub const PREVIEW: usize = 5;

/// What each period produces.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Produce {
    /// A draft the owner reviews and issues.
    #[default]
    Draft,
    /// An issued (numbered) invoice.
    Issued,
    /// An issued invoice, e-mailed to the customer as `POST /v1/invoices/{id}/send` does
    /// (its PDF, its link, its delivery tracking).
    Sent,
}

impl Produce {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Issued => "issued",
            Self::Sent => "sent",
        }
    }
}

/// What a pass does after missed runs, when several periods are due at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CatchUp {
    /// Every missed period once, each dated for itself.
    #[default]
    Each,
    /// Only the latest period due; the earlier ones are skipped (and counted).
    Latest,
}

impl CatchUp {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Each => "each",
            Self::Latest => "latest",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleStatus {
    Active,
    /// Paused by the owner, or stopped for a reason it states (`stopped_because`).
    Paused,
    /// Its last period is made, or the owner ended it. It makes nothing more.
    Ended,
}

impl ScheduleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Ended => "ended",
        }
    }
}

/// What each period's invoice is made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Template {
    pub customer_id: CustomerId,
    /// The customer's currency, else the company's.
    pub currency: Option<Currency>,
    /// Days from each invoice's date to its due date; the settings' payment terms when not given.
    pub payment_terms_days: Option<PaymentTerms>,
    pub notes: Option<DocumentText>,
    pub footer: Option<DocumentText>,
    pub discount_percent: Option<Percentage>,
    #[serde(default)]
    pub prices_include_tax: bool,
    pub buyer_reference: Option<DocumentReference>,
    pub order_reference: Option<DocumentReference>,
    /// 1 to 500 lines, from the catalogue (`service_id`) or free.
    pub lines: Vec<LineRequest>,
}

/// A new recurring invoice.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecurringInvoice {
    /// What the owner calls it ("Retainer, ACME").
    pub name: Name,
    #[serde(flatten)]
    pub template: Template,
    pub schedule: Recurrence,
    #[serde(default)]
    pub produce: Produce,
    #[serde(default)]
    pub catch_up: CatchUp,
}

/// A change (JSON merge patch). It shapes only the periods not yet made; a new `schedule`
/// starts after the last period made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurringInvoicePatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Name)]
    pub name: Option<Name>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = CustomerId)]
    pub customer_id: Option<CustomerId>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Currency>)]
    pub currency: Option<Option<Currency>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<PaymentTerms>)]
    pub payment_terms_days: Option<Option<PaymentTerms>>,
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
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<LineRequest>)]
    pub lines: Option<Vec<LineRequest>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Recurrence)]
    pub schedule: Option<Recurrence>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Produce)]
    pub produce: Option<Produce>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = CatchUp)]
    pub catch_up: Option<CatchUp>,
}

/// The period an invoice of the schedule was made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Made {
    pub period: u32,
    pub date: Date,
    pub invoice_id: InvoiceId,
}

/// A recurring invoice as the account keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecurringInvoice {
    pub name: Name,
    #[serde(flatten)]
    pub template: Template,
    pub schedule: Recurrence,
    pub produce: Produce,
    pub catch_up: CatchUp,
    pub status: ScheduleStatus,
    /// Why it stopped by itself (its customer was deleted); `null` otherwise.
    pub stopped_because: Option<String>,
    /// The index of the next period of `schedule` to make (0: its start).
    pub next_period: u32,
    /// Invoices made since it was created.
    pub invoices_made: u32,
    /// Periods skipped after missed runs, when `catch_up` is `latest`.
    pub periods_skipped: u32,
    /// The last invoice made.
    pub last: Option<Made>,
    /// An invoice made to be e-mailed that is not sent yet (the mail service failed; the next
    /// pass tries again, under the same key, so it is sent once).
    #[serde(default)]
    pub to_send: Option<Made>,
    /// Why the last invoice made to be e-mailed could not be sent (no address, a suppressed
    /// one): it stays issued for the owner to send.
    #[serde(default)]
    pub send_problem: Option<String>,
    /// The next dates an invoice is due to be made (computed when read; empty unless active).
    #[serde(default, skip_deserializing)]
    pub upcoming: Vec<Date>,
}

impl RecurringInvoice {
    pub fn new(new: NewRecurringInvoice) -> Result<Self, Vec<FieldError>> {
        let recurring = Self {
            name: new.name,
            template: new.template,
            schedule: new.schedule,
            produce: new.produce,
            catch_up: new.catch_up,
            status: ScheduleStatus::Active,
            stopped_because: None,
            next_period: 0,
            invoices_made: 0,
            periods_skipped: 0,
            last: None,
            to_send: None,
            send_problem: None,
            upcoming: Vec::new(),
        };
        recurring.checked()
    }

    /// The schedule changed; only periods not yet made take the change.
    pub fn patched(&self, patch: RecurringInvoicePatch) -> Result<Self, Vec<FieldError>> {
        let mut next = self.clone();
        let t = &mut next.template;
        if let Some(v) = patch.name {
            next.name = v;
        }
        if let Some(v) = patch.customer_id {
            t.customer_id = v;
        }
        if let Some(v) = patch.currency {
            t.currency = v;
        }
        if let Some(v) = patch.payment_terms_days {
            t.payment_terms_days = v;
        }
        if let Some(v) = patch.notes {
            t.notes = v;
        }
        if let Some(v) = patch.footer {
            t.footer = v;
        }
        if let Some(v) = patch.discount_percent {
            t.discount_percent = v;
        }
        if let Some(v) = patch.prices_include_tax {
            t.prices_include_tax = v;
        }
        if let Some(v) = patch.buyer_reference {
            t.buyer_reference = v;
        }
        if let Some(v) = patch.order_reference {
            t.order_reference = v;
        }
        if let Some(v) = patch.lines {
            t.lines = v;
        }
        if let Some(v) = patch.produce {
            next.produce = v;
        }
        if let Some(v) = patch.catch_up {
            next.catch_up = v;
        }
        if let Some(schedule) = patch.schedule
            && schedule != self.schedule
        {
            if let Some(last) = self.last
                && schedule.start <= last.date
            {
                return Err(vec![FieldError::new(
                    "schedule.start",
                    format!(
                        "must be after {}, the date of the last invoice made: a change shapes only the periods to come",
                        last.date
                    ),
                )]);
            }
            next.schedule = schedule;
            next.next_period = 0;
            if next.status == ScheduleStatus::Ended && schedule.period(0).is_some() {
                next.status = ScheduleStatus::Paused;
            }
        }
        next.checked()
    }

    fn checked(self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Err(e) = self.schedule.check() {
            errors.push(FieldError::new(format!("schedule.{}", e.field), e.detail));
        }
        if self.template.lines.is_empty() {
            errors.push(FieldError::new("lines", "at least one line is required"));
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == ScheduleStatus::Active
    }

    /// When the schedule has work: an invoice to e-mail at once, else its next period's date.
    pub fn work_due(&self) -> Option<Date> {
        self.to_send
            .map(|made| made.date)
            .or_else(|| self.next_due())
    }

    /// The date the next period is due, while it is active and has one.
    pub fn next_due(&self) -> Option<Date> {
        if !self.is_active() {
            return None;
        }
        self.schedule.period(self.next_period)
    }

    /// The periods a pass makes by `today`: every missed one (at most a pass's worth), or
    /// only the latest when the owner chose so (the ones before it are skipped).
    pub fn due(&self, today: Date) -> Due {
        if !self.is_active() {
            return Due::default();
        }
        match self.catch_up {
            CatchUp::Each => Due {
                skip_to: None,
                periods: self
                    .schedule
                    .due(self.next_period, today, MAX_PERIODS_PER_PASS),
            },
            CatchUp::Latest => {
                // The latest due: walk the periods (dates only, no writes) up to today.
                let latest = (self.next_period..)
                    .map_while(|n| self.schedule.period(n).map(|d| (n, d)))
                    .take_while(|(_, date)| *date <= today)
                    .last();
                match latest {
                    None => Due::default(),
                    Some((n, date)) => Due {
                        skip_to: (n > self.next_period).then_some(n),
                        periods: vec![(n, date)],
                    },
                }
            }
        }
    }

    /// The invoice period `n`, dated `date`, is made from.
    pub fn invoice(&self, n: u32, date: Date, default_terms: PaymentTerms) -> NewInvoice {
        let t = &self.template;
        let terms = t.payment_terms_days.unwrap_or(default_terms);
        // It bills its period: from its date to the day before the next period's (the last
        // period of an ending schedule as long as the ones before).
        let unending = Recurrence {
            ending: Ending::Never,
            ..self.schedule
        };
        let supply_period = unending
            .period(n.saturating_add(1))
            .map(|following| following.minus_days(1))
            .filter(|end| *end >= date)
            .map(|end| Period { start: date, end });
        NewInvoice {
            customer_id: Some(t.customer_id),
            currency: t.currency,
            issue_date: Some(date),
            due_date: Some(date.plus_days(terms.days())),
            notes: t.notes.clone(),
            footer: t.footer.clone(),
            discount_percent: t.discount_percent,
            prices_include_tax: t.prices_include_tax,
            buyer_reference: t.buyer_reference.clone(),
            order_reference: t.order_reference.clone(),
            supply_date: None,
            supply_period,
            delivery_address: None,
            lines: t.lines.clone(),
        }
    }

    /// The schedule after period `n`, dated `date`, was made as `invoice_id`.
    pub fn made(&self, n: u32, date: Date, invoice_id: InvoiceId) -> Self {
        let mut next = self.clone();
        next.next_period = n.saturating_add(1);
        next.invoices_made = next.invoices_made.saturating_add(1);
        let made = Made {
            period: n,
            date,
            invoice_id,
        };
        next.last = Some(made);
        if self.produce == Produce::Sent {
            next.to_send = Some(made);
        }
        if next.schedule.period(next.next_period).is_none() {
            next.status = ScheduleStatus::Ended;
        }
        next
    }

    /// The schedule once its invoice to e-mail was sent, or could not be (`problem`).
    pub fn sent(&self, problem: Option<String>) -> Self {
        let mut next = self.clone();
        next.to_send = None;
        next.send_problem = problem;
        next
    }

    /// The schedule after the periods before `n` were skipped.
    pub fn skipped_to(&self, n: u32) -> Self {
        let mut next = self.clone();
        next.periods_skipped = next
            .periods_skipped
            .saturating_add(n.saturating_sub(self.next_period));
        next.next_period = n.max(self.next_period);
        next
    }

    /// Paused for a reason of its own (its customer is gone).
    pub fn stopped(&self, because: &str) -> Self {
        let mut next = self.clone();
        next.status = ScheduleStatus::Paused;
        next.stopped_because = Some(because.to_owned());
        next
    }

    /// Moved to `status` by the owner, or why not.
    pub fn moved(&self, status: ScheduleStatus) -> Result<Self, &'static str> {
        let mut next = self.clone();
        match (self.status, status) {
            (ScheduleStatus::Ended, _) => {
                return Err(
                    "An ended schedule makes nothing more: give it a new schedule to start it again.",
                );
            }
            (ScheduleStatus::Active, ScheduleStatus::Active) => {
                return Err("The schedule is already active.");
            }
            (ScheduleStatus::Paused, ScheduleStatus::Paused) => {
                return Err("The schedule is already paused.");
            }
            _ => {}
        }
        next.status = status;
        next.stopped_because = None;
        Ok(next)
    }

    /// As read: with its next dates.
    pub fn seen(mut self) -> Self {
        self.upcoming = if self.is_active() {
            self.schedule.preview(self.next_period, PREVIEW)
        } else {
            Vec::new()
        };
        self
    }
}

/// The periods one pass makes for a schedule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Due {
    /// Earlier periods to skip first (catch-up `latest`): the schedule moves to this period.
    pub skip_to: Option<u32>,
    pub periods: Vec<(u32, Date)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::recurrence::Unit;

    fn date(text: &str) -> Date {
        Date::parse(text).expect("a date")
    }

    fn monthly(start: &str, catch_up: CatchUp) -> RecurringInvoice {
        let line: LineRequest = serde_json::from_value(serde_json::json!({
            "description": "Retainer", "quantity": "1", "unit_price": "1000.00"
        }))
        .expect("a line");
        RecurringInvoice::new(NewRecurringInvoice {
            name: serde_json::from_value(serde_json::json!("Retainer")).expect("a name"),
            template: Template {
                customer_id: CustomerId::generate(),
                currency: None,
                payment_terms_days: None,
                notes: None,
                footer: None,
                discount_percent: None,
                prices_include_tax: false,
                buyer_reference: None,
                order_reference: None,
                lines: vec![line],
            },
            schedule: Recurrence {
                every: 1,
                unit: Unit::Months,
                start: date(start),
                ending: Ending::Never,
            },
            produce: Produce::Issued,
            catch_up,
        })
        .expect("a schedule")
    }

    #[test]
    fn three_missed_months_are_three_periods_or_only_the_latest() {
        let each = monthly("2026-01-31", CatchUp::Each);
        let due = each.due(date("2026-04-30"));
        assert_eq!(due.skip_to, None);
        assert_eq!(
            due.periods,
            vec![
                (0, date("2026-01-31")),
                (1, date("2026-02-28")),
                (2, date("2026-03-31")),
                (3, date("2026-04-30")),
            ]
        );
        let latest = monthly("2026-01-31", CatchUp::Latest);
        let due = latest.due(date("2026-04-30"));
        assert_eq!(due.skip_to, Some(3));
        assert_eq!(due.periods, vec![(3, date("2026-04-30"))]);
        let after = latest.skipped_to(3);
        assert_eq!((after.next_period, after.periods_skipped), (3, 3));
    }

    #[test]
    fn an_invoice_bills_its_period_and_is_due_after_the_terms() {
        let schedule = monthly("2026-01-31", CatchUp::Each);
        let new = schedule.invoice(1, date("2026-02-28"), PaymentTerms::new(14).expect("terms"));
        assert_eq!(new.issue_date, Some(date("2026-02-28")));
        assert_eq!(new.due_date, Some(date("2026-03-14")));
        assert_eq!(
            new.supply_period,
            Some(Period {
                start: date("2026-02-28"),
                end: date("2026-03-30")
            })
        );
    }

    #[test]
    fn the_last_period_made_ends_the_schedule() {
        let mut schedule = monthly("2026-01-31", CatchUp::Each);
        schedule.schedule.ending = Ending::After { count: 2 };
        let once = schedule.made(0, date("2026-01-31"), InvoiceId::generate());
        assert!(once.is_active());
        let twice = once.made(1, date("2026-02-28"), InvoiceId::generate());
        assert_eq!(twice.status, ScheduleStatus::Ended);
        assert!(twice.seen().upcoming.is_empty());
    }

    #[test]
    fn a_new_schedule_must_start_after_the_last_invoice_made() {
        let schedule =
            monthly("2026-01-31", CatchUp::Each).made(0, date("2026-01-31"), InvoiceId::generate());
        let mut changed = schedule.schedule;
        changed.start = date("2026-01-15");
        let refused = schedule
            .patched(RecurringInvoicePatch {
                schedule: Some(changed),
                ..Default::default()
            })
            .expect_err("refused");
        assert_eq!(refused[0].field, "schedule.start");
        changed.start = date("2026-02-15");
        let accepted = schedule
            .patched(RecurringInvoicePatch {
                schedule: Some(changed),
                ..Default::default()
            })
            .expect("accepted");
        assert_eq!(accepted.next_period, 0);
        assert_eq!(accepted.seen().upcoming[0], date("2026-02-15"));
    }

    #[test]
    fn an_interval_of_zero_is_refused_naming_the_field() {
        let mut schedule = monthly("2026-01-31", CatchUp::Each);
        schedule.schedule.every = 0;
        let errors = schedule.checked().expect_err("refused");
        assert_eq!(errors[0].field, "schedule.every");
    }
}
