//! Gapless number series (DESIGN §7): a document takes the next number of its series in the
//! same transaction that numbers it, conditioned on the counter it read. A concurrent number
//! taken first fails that condition; the use case then reads again and retries, so numbers are
//! unique and gapless, and a refused document uses none.
//!
//! A number is also unique within the account whatever the settings: the transaction that
//! numbers a document creates its `NUM#` item (keyed by the number's MAC), and a number some
//! other series or an earlier prefix already took (`INV-{YYYY}-` then the literal `INV-2026-`,
//! or equal invoice and credit-note prefixes) is skipped, never given twice.

use crate::AppState;
use crate::domain::document::{document_number, number_period};
use crate::domain::settings::Settings;
use crate::domain::time::Date;
use crate::store::{Counter, ItemKey, Stored, TakenNumber, Tx, keys};

use super::race::{Attempt, commit, with_retries};
use super::{Actor, Error, Result};
use super::{missing, today_in};

/// The highest number a series gives: a document refused beyond it, never a wrapped counter.
pub const MAX_NUMBER: u64 = 999_999_999;

/// How many numbers taken elsewhere one reservation skips before it gives up.
const MAX_SKIPPED: u64 = 100;

/// A series of numbers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Series {
    Invoice,
    CreditNote,
    Proposal,
}

impl Series {
    /// The series a path names: `invoice`, `credit_note`, `proposal`.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Invoice, Self::CreditNote, Self::Proposal]
            .into_iter()
            .find(|series| series.name() == text)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::CreditNote => "credit_note",
            Self::Proposal => "proposal",
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::CreditNote => "credit-note",
            Self::Proposal => "proposal",
        }
    }
}

/// The next number of a series, as read: to be written with [`Reserved::take`].
pub struct Reserved {
    pub number: String,
    next: u64,
    key: ItemKey,
    counter: Option<Stored<Counter>>,
    series: Series,
    /// The number's own item, created when the number is taken.
    taken: ItemKey,
}

/// Reads the counter of `series` for a document dated `date`, numbered with `prefix`.
pub async fn reserve(
    state: &AppState,
    actor: &(impl super::Tenanted + ?Sized),
    series: Series,
    prefix: &str,
    date: Date,
) -> Result<Reserved> {
    let year = date.year();
    let key = keys::counter(actor.tenant(), series.kind(), &number_period(prefix, year));
    let tenant = actor.tenant();
    let (counter, cipher) = tokio::try_join!(
        Box::pin(state.store.get::<Counter>(tenant, &key)),
        state.store.cipher(tenant),
    )?;
    let first = counter.as_ref().map_or(1, |c| c.record.next);
    for next in first..first.saturating_add(MAX_SKIPPED) {
        if next > MAX_NUMBER {
            break;
        }
        let number = document_number(prefix, year, next);
        let digest = cipher.fingerprint(&[b"document-number", number.as_bytes()]);
        let taken = keys::taken_number(tenant, &digest);
        if Box::pin(state.store.get::<TakenNumber>(tenant, &taken))
            .await?
            .is_none()
        {
            return Ok(Reserved {
                number,
                next,
                key,
                counter,
                series,
                taken,
            });
        }
    }
    if first > MAX_NUMBER {
        return Err(Error::Conflict(
            "The number series is exhausted for this period: change its prefix in the settings.",
        ));
    }
    Err(Error::Conflict(
        "The next numbers of this series are taken by another series or an earlier prefix: \
         change its prefix or raise it in the settings.",
    ))
}

impl Reserved {
    /// Takes the number in `tx`: advances the counter, conditioned on the value read, and
    /// creates the number's item, conditioned on its absence. Returns both writes' indexes (a
    /// concurrent document that took either first is a race).
    pub fn take(&self, tx: &mut Tx) -> [usize; 2] {
        let counter = self.set(tx, self.next + 1);
        let taken = tx.len();
        tx.create(
            &self.taken,
            &TakenNumber {
                series: self.series.kind().to_owned(),
            },
        );
        [counter, taken]
    }

    /// Sets the counter to `next` in `tx`, conditioned on the value read; returns the write's
    /// index.
    fn set(&self, tx: &mut Tx, next: u64) -> usize {
        let index = tx.len();
        let counter = Counter { next };
        match &self.counter {
            None => tx.create(&self.key, &counter),
            Some(stored) => tx.replace(&self.key, &counter, stored.version),
        };
        index
    }
}

/// Where a series stands in the current period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SeriesState {
    pub series: Series,
    /// The settings' prefix (`{YYYY}` is the issue year).
    pub prefix: String,
    /// The year the series counts in, or `all` for a prefix without `{YYYY}`.
    pub period: String,
    /// The number the next document of the series gets.
    pub next: u64,
    /// The next number as it will be written.
    pub next_number: String,
}

/// The settings' prefix of a series.
pub fn prefix(settings: &Settings, series: Series) -> &str {
    match series {
        Series::Invoice => settings.invoice_number_prefix.as_str(),
        Series::CreditNote => settings.credit_note_number_prefix.as_str(),
        Series::Proposal => settings.proposal_number_prefix.as_str(),
    }
}

async fn settings_and_today(state: &AppState, actor: &Actor) -> Result<(Settings, Date)> {
    let settings = Box::pin(
        state
            .store
            .get::<Settings>(actor.tenant(), &keys::settings(actor.tenant())),
    )
    .await?
    .ok_or_else(|| missing("settings"))?
    .record;
    let today = today_in(state, &settings)?;
    Ok((settings, today))
}

impl SeriesState {
    /// A series numbered with `prefix` that gives `next` next, in the period of `today`.
    fn at(series: Series, prefix: &str, today: Date, next: u64) -> Self {
        let year = today.year();
        Self {
            series,
            prefix: prefix.to_owned(),
            period: number_period(prefix, year),
            next,
            next_number: document_number(prefix, year, next),
        }
    }
}

/// Every series of the account as it stands this period.
pub async fn series(state: &AppState, actor: &Actor) -> Result<Vec<SeriesState>> {
    let (settings, today) = settings_and_today(state, actor).await?;
    let all = [Series::Invoice, Series::CreditNote, Series::Proposal];
    let read = all.map(|series| reserve(state, actor, series, prefix(&settings, series), today));
    let [invoice, credit_note, proposal] = read;
    let (invoice, credit_note, proposal) = tokio::try_join!(invoice, credit_note, proposal)?;
    Ok(all
        .into_iter()
        .zip([invoice, credit_note, proposal])
        .map(|(series, reserved)| {
            SeriesState::at(series, prefix(&settings, series), today, reserved.next)
        })
        .collect())
}

/// Raises the next number of a series this period (to continue the numbers of another tool).
/// Never lowers it: a number already used, or skipped by an earlier raise, is never given again.
/// A concurrent issue that takes a number first is read again, as issues retry each other.
pub async fn raise(
    state: &AppState,
    actor: &Actor,
    series: Series,
    next: u64,
) -> Result<SeriesState> {
    with_retries(|| try_raise(state, actor, series, next)).await
}

async fn try_raise(
    state: &AppState,
    actor: &Actor,
    series: Series,
    next: u64,
) -> Result<Attempt<SeriesState>> {
    let (settings, today) = settings_and_today(state, actor).await?;
    let prefix = prefix(&settings, series);
    let reserved = reserve(state, actor, series, prefix, today).await?;
    if next < reserved.next {
        return Err(Error::unprocessable(
            "next",
            format!(
                "{} is the next number already; a series can be raised, never lowered",
                reserved.next
            ),
        ));
    }
    let mut tx = actor.transaction(&state.store).await?;
    let counter_write = reserved.set(&mut tx, next);
    tx.audit(&actor.audit(
        "settings.number_series",
        Some(series.kind().to_owned()),
        crate::audit::Outcome::Success,
    ));
    let raised = SeriesState::at(series, prefix, today, next);
    commit(state, tx, &[counter_write], raised).await
}
