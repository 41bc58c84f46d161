//! What is owed to the account, at a glance: per currency, the amount outstanding, what is
//! overdue, and what was received in the last 30 days. The amount outstanding and the amounts
//! received per day are running totals ([`Totals`]), changed in the same transaction as the
//! invoices and payments they follow; what is overdue comes from the index of open invoices by
//! due date. Neither needs a read of the whole account.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::invoice::{Invoice, InvoiceSummary};
use super::money::Money;
use super::time::Date;
use super::values::Currency;

/// The days "received in the last 30 days" covers: today and the 29 before it.
pub const RECEIVED_WINDOW_DAYS: u16 = 30;
/// The days of receipts the totals keep: the window, and two more so that a change of the
/// account's time zone (which moves "today" by up to a day) never leaves a day out.
const RECEIVED_KEPT_DAYS: u16 = RECEIVED_WINDOW_DAYS + 2;

/// The running totals of one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyTotals {
    /// Σ amount due of the open invoices (issued or partially paid).
    pub outstanding: Decimal,
    /// What was received on each of the last days (older days are dropped as it moves).
    pub received: BTreeMap<Date, Decimal>,
}

/// The account's running totals, per currency code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub currencies: BTreeMap<String, CurrencyTotals>,
}

impl Totals {
    fn of(&mut self, currency: Currency) -> &mut CurrencyTotals {
        self.currencies
            .entry(currency.code().to_owned())
            .or_default()
    }

    /// Follows an invoice from `before` to `after` (either absent for one that is not open):
    /// the amount outstanding moves by the change in what it adds. Whether anything moved.
    pub fn invoice_changed(&mut self, before: Option<&Invoice>, after: &Invoice) -> bool {
        let delta = after.outstanding() - before.map_or(Decimal::ZERO, Invoice::outstanding);
        if delta.is_zero() {
            return false;
        }
        self.of(after.content.currency).outstanding += delta;
        true
    }

    /// Counts `amount` (negative: taken back) as received on `date`, as of `today`. A day
    /// before the kept window is past the summary's 30 days already and is not kept.
    pub fn received(&mut self, currency: Currency, date: Date, amount: Decimal, today: Date) {
        let first_kept = today.minus_days(RECEIVED_KEPT_DAYS - 1);
        let totals = self.of(currency);
        totals.received.retain(|day, _| *day >= first_kept);
        if date >= first_kept {
            let day = totals.received.entry(date).or_default();
            *day += amount;
            if day.is_zero() {
                totals.received.remove(&date);
            }
        }
    }

    /// The summary as of `today`, with `overdue` the open invoices that have fallen due.
    pub fn summary(&self, today: Date, overdue: &[InvoiceSummary]) -> AccountSummary {
        let first_day = today.minus_days(RECEIVED_WINDOW_DAYS - 1);
        let mut rows: BTreeMap<&str, CurrencySummary> = BTreeMap::new();
        for (code, totals) in &self.currencies {
            let Ok(currency) = Currency::parse(code) else {
                continue;
            };
            let received: Decimal = totals
                .received
                .range(first_day..=today)
                .map(|(_, amount)| *amount)
                .sum();
            rows.insert(
                currency.code(),
                CurrencySummary {
                    outstanding: Money::of(totals.outstanding, currency),
                    received_last_30_days: Money::of(received, currency),
                    ..CurrencySummary::zero(currency)
                },
            );
        }
        for invoice in overdue {
            let entry = rows
                .entry(invoice.currency.code())
                .or_insert_with(|| CurrencySummary::zero(invoice.currency));
            entry.overdue_count += 1;
            entry.overdue_amount = Money::of(
                entry.overdue_amount.value() + invoice.amount_due.value(),
                invoice.currency,
            );
        }
        AccountSummary {
            as_of: today,
            currencies: rows.into_values().filter(|row| !row.is_zero()).collect(),
        }
    }
}

/// What is owed to the account and what came in, per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountSummary {
    /// Today in the account's time zone: the day the figures are as of.
    pub as_of: Date,
    /// Every currency with something outstanding, overdue or received, by code.
    pub currencies: Vec<CurrencySummary>,
}

/// The figures of one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CurrencySummary {
    pub currency: Currency,
    /// What the open invoices (issued or partially paid) still have due.
    pub outstanding: Money,
    /// How many open invoices are past their due date.
    pub overdue_count: u64,
    /// What those still have due.
    pub overdue_amount: Money,
    /// What was received (by payment date) today and in the 29 days before.
    pub received_last_30_days: Money,
}

impl CurrencySummary {
    fn zero(currency: Currency) -> Self {
        Self {
            currency,
            outstanding: Money::zero(currency),
            overdue_count: 0,
            overdue_amount: Money::zero(currency),
            received_last_30_days: Money::zero(currency),
        }
    }

    fn is_zero(&self) -> bool {
        self.outstanding.value().is_zero()
            && self.overdue_count == 0
            && self.received_last_30_days.value().is_zero()
    }
}
