//! Optimistic concurrency for use cases that write items many requests change (a number
//! series' counter, an invoice's balance, the account's running totals): each try reads, then
//! commits one transaction conditioned on the versions it read. When a concurrent change wins,
//! the try is a race, and it is run again on fresh reads: a few times, with a jittered pause.

use std::future::Future;

use crate::AppState;
use crate::store::{ConflictReason, SavedResponse, StoreError, Tx};

use super::{Error, Result};

/// How many times a use case is tried when concurrent ones win its items.
const ATTEMPTS: u32 = 64;

/// How one try of a use case ended, when it did not fail.
pub enum Attempt<T = SavedResponse> {
    Done(T),
    /// A concurrent change moved an item the try read (a counter, a document, the running
    /// totals) first: read again and retry.
    Raced,
}

/// Commits `tx`, in which `contested` are the indexes of the writes a concurrent change may have
/// raced (conditioned on the version read): a failed condition there is a race.
pub async fn commit<T>(
    state: &AppState,
    tx: Tx,
    contested: &[usize],
    response: T,
) -> Result<Attempt<T>> {
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
pub async fn with_retries<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>>>,
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
        "Too many changes were being made to the same records at the same time; try again.",
    ))
}
