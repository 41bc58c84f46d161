//! Gapless number series (DESIGN §7): a document takes the next number of its series in the
//! same transaction that numbers it, conditioned on the counter it read. A concurrent number
//! taken first fails that condition; the use case then reads again and retries, so numbers are
//! unique and gapless, and a refused document uses none.

use std::future::Future;

use crate::AppState;
use crate::domain::document::{document_number, number_period};
use crate::domain::time::Date;
use crate::store::{ConflictReason, Counter, ItemKey, SavedResponse, StoreError, Stored, Tx, keys};

use super::{Actor, Error, Result};

/// How many times a numbering use case is tried when concurrent ones take its number.
const ATTEMPTS: u32 = 64;

/// A series of numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    Invoice,
    CreditNote,
    Proposal,
}

impl Series {
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
