//! `Idempotency-Key` as a unit of work: a use case that creates or acts runs inside [`run`],
//! which claims the key before the work and hands the work a [`Claim`] to complete in the
//! work's own transaction, so the change and the saved response are written together or not at
//! all. A retry of the same request gets the saved response; another request under the key a
//! 422; a duplicate of one still in flight a 409.
//!
//! A key is scoped to the tenant, the method and the path: the same key sent to another route
//! is another key. Both the key and the body are stored only as MACs under the tenant's own
//! data key, so an operator cannot test a guessed name or price against them.

use std::future::Future;

use crate::AppState;
use crate::store::{ConflictReason, IdempotentRequest, NextAction, SavedResponse, StoreError, Tx};

use super::{Error, Result};

/// What makes a request the same request: the client's key, where it was sent, its body.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The `Idempotency-Key` header, if the request had one.
    pub key: Option<&'a str>,
    pub method: &'a str,
    pub path: &'a str,
    pub body: &'a [u8],
}

/// This request's hold on its key (none when the request had no key), to complete in the
/// work's transaction.
#[derive(Debug, Clone)]
pub struct Claim(Option<IdempotentRequest>);

impl Claim {
    /// No hold on any key: for work no request's key names (a scheduled pass's).
    pub(super) fn none() -> Self {
        Self(None)
    }

    /// Saves `response` as the answer to every retry, in the transaction that makes the change;
    /// nothing for a request without a key.
    pub fn complete(&self, tx: &mut Tx, response: &SavedResponse) {
        if let Some(stored) = &self.0 {
            tx.complete_idempotent(stored, response);
        }
    }
}

/// What [`run`] answered: the work's response, or the one saved by an earlier run.
#[derive(Debug)]
pub struct Answer {
    pub response: SavedResponse,
    pub replayed: bool,
}

fn in_flight() -> Error {
    Error::Conflict("A request with this Idempotency-Key is still being processed.")
}

/// Runs `work` at most once per key. Without a key, `work` runs with no claim.
pub async fn run<F, Fut>(
    state: &AppState,
    actor: &(impl super::Tenanted + ?Sized),
    request: Request<'_>,
    work: F,
) -> Result<Answer>
where
    F: FnOnce(Claim) -> Fut,
    Fut: Future<Output = Result<SavedResponse>>,
{
    let Some(key) = request.key else {
        return work(Claim(None)).await.map(|response| Answer {
            response,
            replayed: false,
        });
    };
    let tenant = actor.tenant();
    let cipher = state.store.cipher(tenant).await?;
    let stored = IdempotentRequest {
        key_digest: cipher.fingerprint(&[
            b"idempotency-key",
            request.method.as_bytes(),
            request.path.as_bytes(),
            key.as_bytes(),
        ]),
        fingerprint: cipher.fingerprint(&[b"idempotency-body", request.body]),
    };
    let token = match state.store.begin_idempotent(tenant, &stored).await? {
        NextAction::StartProcessing(token) => token,
        NextAction::ReturnSavedResponse(response) => {
            return Ok(Answer {
                response,
                replayed: true,
            });
        }
        NextAction::KeyReused => {
            return Err(Error::Unprocessable(
                "This Idempotency-Key was used for a different request.",
            ));
        }
        NextAction::InFlight => return Err(in_flight()),
    };
    match work(Claim(Some(stored.clone()))).await {
        Ok(response) => Ok(Answer {
            response,
            replayed: false,
        }),
        // This claim's lease ran out while it worked, a duplicate took the key over and
        // committed (or gave up) first, and this request's change was not made. If the
        // duplicate made it, this request is answered as the duplicate was.
        Err(error) if claim_lost(&error) => {
            tracing::info!("idempotency claim lost at commit to a duplicate");
            match state.store.after_lost_claim(tenant, &stored).await? {
                NextAction::ReturnSavedResponse(response) => Ok(Answer {
                    response,
                    replayed: true,
                }),
                _ => Err(in_flight()),
            }
        }
        Err(error) => {
            if let Err(release) = state
                .store
                .abandon_idempotent(tenant, &stored, &token)
                .await
            {
                // The claim's lease runs out on its own.
                tracing::warn!(error = %release, "could not release an idempotency claim");
            }
            Err(error)
        }
    }
}

fn claim_lost(error: &Error) -> bool {
    matches!(
        error,
        Error::Store(StoreError::Conflict {
            reason: ConflictReason::ClaimLost,
            ..
        })
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_claim_lost_at_commit_counts_as_lost() {
        let conflict = |reason| Error::from(StoreError::Conflict { index: 1, reason });
        assert!(claim_lost(&conflict(ConflictReason::ClaimLost)));
        for other in [
            ConflictReason::CheckFailed,
            ConflictReason::VersionMismatch,
            ConflictReason::Contended,
        ] {
            assert!(!claim_lost(&conflict(other)), "{other:?}");
        }
    }
}
