//! The account's running totals (`domain::summary::Totals`) as a use case reads and writes
//! them: read beside what a change reads, moved by the change, and written in its transaction
//! conditioned on the version read, so two changes can never both count from the same totals
//! (the second is a race, retried by [`super::race`]).

use rust_decimal::Decimal;

use crate::AppState;
use crate::domain::ids::InvoiceId;
use crate::domain::invoice::Invoice;
use crate::domain::settings::Settings;
use crate::domain::summary::Totals;
use crate::domain::time::Date;
use crate::domain::values::Currency;
use crate::store::{Stored, Tx, keys};

use super::{Actor, Error, Result};
use super::{get, missing, today_in};

/// The totals as read, and as the change being built leaves them.
pub(super) struct Ledger {
    read: Option<Stored<Totals>>,
    totals: Totals,
    moved: bool,
}

/// Reads the account's totals (none yet: all zero).
pub(super) async fn read(
    state: &AppState,
    actor: &(impl super::Tenanted + ?Sized),
) -> Result<Ledger> {
    let read = get::<Totals>(state, actor, keys::totals(actor.tenant())).await?;
    Ok(Ledger {
        totals: read
            .as_ref()
            .map(|stored| stored.record.clone())
            .unwrap_or_default(),
        read,
        moved: false,
    })
}

/// What a change to an invoice's balance (a payment, a credit) reads, in one parallel round
/// trip: the invoice, the settings (today in the account's time zone) and the totals.
pub(super) struct Books {
    pub invoice: Stored<Invoice>,
    pub settings: Settings,
    pub today: Date,
    pub ledger: Ledger,
}

/// Reads the [`Books`] of an invoice of the account (404 when it has none).
pub(super) async fn books(state: &AppState, actor: &Actor, invoice: &InvoiceId) -> Result<Books> {
    let tenant = actor.tenant();
    let (invoice, settings, ledger) = tokio::try_join!(
        get::<Invoice>(state, actor, keys::invoice(tenant, invoice)),
        get::<Settings>(state, actor, keys::settings(tenant)),
        read(state, actor),
    )?;
    let settings = settings.ok_or_else(|| missing("settings"))?.record;
    let today = today_in(state, &settings)?;
    Ok(Books {
        invoice: invoice.ok_or(Error::NotFound)?,
        settings,
        today,
        ledger,
    })
}

impl Ledger {
    /// Follows an invoice from `before` (`None`: it did not count) to `after`.
    pub fn invoice_changed(&mut self, before: Option<&Invoice>, after: &Invoice) {
        self.moved |= self.totals.invoice_changed(before, after);
    }

    /// Counts `amount` (negative: taken back) as received on `date`, as of `today`.
    pub fn received(&mut self, currency: Currency, date: Date, amount: Decimal, today: Date) {
        self.totals.received(currency, date, amount, today);
        self.moved = true;
    }

    /// Writes the totals in `tx` if the change moved them, conditioned on the version read;
    /// the index of the write, which a concurrent change may race.
    pub fn write(&self, tx: &mut Tx) -> Option<usize> {
        if !self.moved {
            return None;
        }
        let index = tx.len();
        let key = keys::totals(tx.tenant());
        match &self.read {
            None => tx.create(&key, &self.totals),
            Some(stored) => tx.replace(&key, &self.totals, stored.version),
        };
        Some(index)
    }

    pub fn totals(&self) -> &Totals {
        &self.totals
    }
}
