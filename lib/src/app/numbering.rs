//! Gapless number series (DESIGN §7): a document takes the next number of its series in the
//! same transaction that numbers it, conditioned on the counter it read. A concurrent number
//! taken first fails that condition; the use case then reads again and retries, so numbers are
//! unique and gapless, and a refused document uses none.

use std::future::Future;

use crate::AppState;
use crate::domain::document::{document_number, number_period};
use crate::domain::settings::Settings;
use crate::domain::time::Date;
use crate::store::{ConflictReason, Counter, ItemKey, SavedResponse, StoreError, Stored, Tx, keys};

use super::{Actor, Error, Result};

/// The highest number a series gives: a document refused beyond it, never a wrapped counter.
pub const MAX_NUMBER: u64 = 999_999_999;

/// How many times a numbering use case is tried when concurrent ones take its number.
const ATTEMPTS: u32 = 64;

/// A series of numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
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
}

/// Reads the counter of `series` for a document dated `date`, numbered with `prefix`.
pub async fn reserve(
    state: &AppState,
    actor: &Actor,
    series: Series,
    prefix: &str,
    date: Date,
) -> Result<Reserved> {
    let year = date.year();
    let key = keys::counter(actor.tenant(), series.kind(), &number_period(prefix, year));
    let counter = Box::pin(state.store.get::<Counter>(actor.tenant(), &key)).await?;
    let next = counter.as_ref().map_or(1, |c| c.record.next);
    if next > MAX_NUMBER {
        return Err(Error::Conflict(
            "The number series is exhausted for this period: change its prefix in the settings.",
        ));
    }
    Ok(Reserved {
        number: document_number(prefix, year, next),
        next,
        key,
        counter,
    })
}

impl Reserved {
    /// Advances the counter in `tx`, conditioned on the value read; returns the write's index.
    pub fn take(&self, tx: &mut Tx) -> usize {
        let index = tx.len();
        let advanced = Counter {
            next: self.next + 1,
        };
        match &self.counter {
            None => tx.create(&self.key, &advanced),
            Some(stored) => tx.replace(&self.key, &advanced, stored.version),
        };
        index
    }
}

/// How one try of a numbering use case ended, when it did not fail.
pub enum Attempt {
    Done(SavedResponse),
    /// A concurrent change took the number or changed a document first: read again and retry.
    Raced,
}

/// Commits `tx`, in which `contested` are the indexes of the writes a concurrent numbering may
/// have raced (the counter, the document numbered): a failed condition there is a race.
pub async fn commit(
    state: &AppState,
    tx: Tx,
    contested: &[usize],
    response: SavedResponse,
) -> Result<Attempt> {
    match Box::pin(state.store.commit(tx)).await {
        Ok(()) => Ok(Attempt::Done(response)),
        Err(StoreError::Conflict {
            index,
            reason: ConflictReason::VersionMismatch | ConflictReason::AlreadyExists,
        }) if contested.contains(&index) => Ok(Attempt::Raced),
        Err(StoreError::Conflict {
            reason: ConflictReason::Contended,
            ..
        }) => Ok(Attempt::Raced),
        Err(error) => Err(error.into()),
    }
}

/// Runs `attempt` until it is done, retrying races with a short, jittered pause.
pub async fn with_retries<F, Fut>(mut attempt: F) -> Result<SavedResponse>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt>>,
{
    for tried in 0..ATTEMPTS {
        if tried > 0 {
            // Spread the retries of a burst.
            let jitter = u64::from(ulid::Ulid::generate().random() as u16 % 20);
            tokio::time::sleep(std::time::Duration::from_millis(5 + jitter)).await;
        }
        match attempt().await? {
            Attempt::Done(response) => return Ok(response),
            Attempt::Raced => continue,
        }
    }
    Err(Error::Conflict(
        "Too many documents were being numbered at the same time; try again.",
    ))
}

/// Where a series stands in the current period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
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

fn prefix(settings: &Settings, series: Series) -> &str {
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
    .ok_or_else(|| Error::Internal(anyhow::anyhow!("the account has no settings")))?
    .record;
    let today = settings
        .time_zone
        .today(state.clock.now())
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("the account's time zone is unknown")))?;
    Ok((settings, today))
}

fn state_of(series: Series, prefix: &str, today: Date, reserved: &Reserved) -> SeriesState {
    SeriesState {
        series,
        prefix: prefix.to_owned(),
        period: number_period(prefix, today.year()),
        next: reserved.next,
        next_number: reserved.number.clone(),
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
        .map(|(series, reserved)| state_of(series, prefix(&settings, series), today, &reserved))
        .collect())
}

/// Raises the next number of a series this period (to continue the numbers of another tool).
/// Never lowers it: a number already used, or skipped by an earlier raise, is never given again.
pub async fn raise(
    state: &AppState,
    actor: &Actor,
    series: Series,
    next: u64,
) -> Result<SeriesState> {
    let (settings, today) = settings_and_today(state, actor).await?;
    let prefix = prefix(&settings, series);
    let reserved = reserve(state, actor, series, prefix, today).await?;
    if next < reserved.next {
        return Err(Error::UnprocessableField(super::FieldError::new(
            "next",
            format!(
                "{} is the next number already; a series can be raised, never lowered",
                reserved.next
            ),
        )));
    }
    let mut tx = actor.transaction(&state.store).await?;
    let raised = Counter { next };
    match &reserved.counter {
        None => tx.create(&reserved.key, &raised),
        Some(stored) => tx.replace(&reserved.key, &raised, stored.version),
    };
    tx.audit(&actor.audit(
        "settings.number_series",
        Some(series.kind().to_owned()),
        crate::audit::Outcome::Success,
    ));
    state.store.commit(tx).await?;
    let year = today.year();
    Ok(SeriesState {
        series,
        prefix: prefix.to_owned(),
        period: number_period(prefix, year),
        next,
        next_number: document_number(prefix, year, next),
    })
}
