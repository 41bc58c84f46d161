//! The audit trail's checkpoints (decision 0027; the formats are [`crate::domain::trail`],
//! the key [`crate::crypto::trail_key`]): the scheduled pass signs each account's new entries,
//! and the owner (`GET /v1/audit/verify`) or anyone holding the complete export checks the
//! trail against them.

use crate::AppState;
use crate::app::{Error, Result};
use crate::domain::TenantId;
use crate::domain::trail::{self, Chain, Statement, Verification, Verifier};
use crate::export::TrailFiles;
use crate::store::{AuditEntry, Checkpoint, RawCursor, Stored, TrailHead, keys};

/// Items read per page when checking or exporting a trail.
const PAGE: i32 = 500;

/// An entry's canonical line.
pub fn line_of(id: &str, stored: &Stored<AuditEntry>) -> Result<String> {
    trail::line(id, &stored.created_at.to_string(), &stored.record)
        .map_err(|e| Error::Internal(e.into()))
}

/// The id (ULID) in an audit entry's sort key.
fn entry_id(sort_key: &str) -> &str {
    sort_key
        .strip_prefix(keys::Collection::Audit.sk_prefix())
        .unwrap_or(sort_key)
}

/// What one look at an account's trail did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sealed {
    /// Entries the new checkpoint covers (0: nothing new, no checkpoint).
    pub entries: u64,
}

/// Signs the account's entries older than [`trail::SETTLE_SECONDS`] that no checkpoint covers
/// yet (at most [`trail::MAX_ENTRIES`]) as its next checkpoint, and sets when to look again.
/// Two passes at once make one checkpoint: each is written with the head at the version read.
pub async fn seal(state: &AppState, tenant: &TenantId) -> Result<Sealed> {
    let store = &state.store;
    let head_key = keys::trail_head(tenant);
    let head = store
        .get::<TrailHead>(tenant, &head_key)
        .await?
        .ok_or(Error::NotFound)?;
    let now = state.clock.now();
    let settled = now.plus_seconds(-trail::SETTLE_SECONDS);
    let until = ulid::Ulid::from_parts(
        u64::try_from(settled.unix_seconds().max(0)).unwrap_or(0) * 1000 + 999,
        u128::MAX,
    );
    let after = head
        .record
        .through
        .as_deref()
        .map(ulid::Ulid::from_string)
        .transpose()
        .map_err(|_| Error::Internal(anyhow::anyhow!("a trail head names no entry")))?;
    let listing = keys::audit_oldest_first(after.as_ref(), &until);
    let mut chain = Chain::after(&head.record.digest);
    let mut start: Option<RawCursor> = None;
    let more = loop {
        let room = trail::MAX_ENTRIES - usize::try_from(chain.count()).unwrap_or(0);
        let limit = i32::try_from(room.min(100)).unwrap_or(100);
        let (items, next) = store
            .read_each::<AuditEntry>(tenant, &listing, limit, start)
            .await?;
        for (sort_key, stored) in items {
            let id = entry_id(&sort_key);
            let stored = stored.ok_or_else(|| {
                Error::Internal(anyhow::anyhow!("an audit entry does not open: {id}"))
            })?;
            chain.push(id, &line_of(id, &stored)?);
        }
        if next.is_none() || chain.count() >= trail::MAX_ENTRIES as u64 {
            break next.is_some();
        }
        start = next;
    };

    let look_again = if more {
        now
    } else {
        now.plus_seconds(trail::EVERY_SECONDS)
    };
    let mut tx = store.transaction(tenant).await?;
    let (Some(first), Some(through)) = (chain.first(), chain.last()) else {
        // Nothing new: only when to look next moves.
        tx.replace_due(
            &head_key,
            &head.record,
            head.version,
            Some(keys::trail_due(tenant, look_again)),
        );
        return match store.commit(tx).await {
            Ok(()) | Err(crate::store::StoreError::Conflict { .. }) => Ok(Sealed { entries: 0 }),
            Err(error) => Err(error.into()),
        };
    };
    let statement = Statement {
        v: trail::VERSION,
        tenant: tenant.to_string(),
        seq: head.record.seq + 1,
        first: first.to_owned(),
        through: through.to_owned(),
        count: chain.count(),
        previous: head.record.digest.clone(),
        digest: chain.digest(),
        signed_at: now.to_string(),
    };
    let text = statement.text();
    let signature = state.trail_signer.sign(&text).await?;
    tx.create(
        &keys::checkpoint(tenant, statement.seq),
        &Checkpoint {
            statement: text,
            signature,
        },
    )
    .replace_due(
        &head_key,
        &TrailHead {
            seq: statement.seq,
            through: Some(statement.through.clone()),
            digest: statement.digest.clone(),
        },
        head.version,
        Some(keys::trail_due(tenant, look_again)),
    );
    match store.commit(tx).await {
        Ok(()) => Ok(Sealed {
            entries: statement.count,
        }),
        // Another pass signed these first.
        Err(crate::store::StoreError::Conflict { .. }) => Ok(Sealed { entries: 0 }),
        Err(error) => Err(error.into()),
    }
}

/// Checkpoints an account's trail makes in one look at most: a long backlog (an account that
/// was busy while the pass was down) is caught up 20,000 entries a pass, and the next pass
/// carries on.
const CHECKPOINTS_PER_LOOK: usize = 20;

/// Signs what is waiting in the account's trail, a checkpoint of up to
/// [`trail::MAX_ENTRIES`] after another, until it is caught up or has made
/// [`CHECKPOINTS_PER_LOOK`].
pub async fn catch_up(state: &AppState, tenant: &TenantId) -> Result<Sealed> {
    let mut entries = 0;
    for _ in 0..CHECKPOINTS_PER_LOOK {
        let sealed = seal(state, tenant).await?;
        entries += sealed.entries;
        if sealed.entries < trail::MAX_ENTRIES as u64 {
            break;
        }
    }
    Ok(Sealed { entries })
}

/// Checks the account's whole trail against its checkpoints: every signature with the key's
/// public half, the numbering, the chain, and each checkpoint's entries.
pub async fn verify(state: &AppState, tenant: &TenantId) -> Result<Verification> {
    let public = state.trail_signer.public_key().await?;
    let mut verifier = Verifier::new(&tenant.to_string());
    each::<Checkpoint>(state, tenant, &keys::checkpoints(), |_, checkpoint| {
        match checkpoint {
            Some(checkpoint) => {
                let record = &checkpoint.record;
                let verified = public.verifies(&record.statement, &record.signature);
                verifier.checkpoint(&record.statement, verified);
            }
            None => verifier.checkpoint("", false),
        }
        Ok(())
    })
    .await?;
    each::<AuditEntry>(state, tenant, &whole_trail(), |sort_key, entry| {
        let id = entry_id(sort_key);
        let line = entry.map(|entry| line_of(id, &entry)).transpose()?;
        verifier.entry(id, line.as_deref());
        Ok(())
    })
    .await?;
    Ok(verifier.finish())
}

/// Every entry of the trail, oldest first.
fn whole_trail() -> crate::store::Listing {
    keys::audit_oldest_first(None, &ulid::Ulid::from_parts(u64::MAX, u128::MAX))
}

/// Calls `each` with every item of `listing`, in its order, a page at a time.
async fn each<R: crate::store::Record>(
    state: &AppState,
    tenant: &TenantId,
    listing: &crate::store::Listing,
    mut each: impl FnMut(&str, Option<Stored<R>>) -> Result<()>,
) -> Result<()> {
    let mut start = None;
    loop {
        let (items, next) = state
            .store
            .read_each::<R>(tenant, listing, PAGE, start)
            .await?;
        for (sort_key, item) in items {
            each(&sort_key, item)?;
        }
        match next {
            Some(next) => start = Some(next),
            None => return Ok(()),
        }
    }
}

/// The trail for the export. Entries that do not open are left out (a check then finds their
/// checkpoint's digest changed).
pub async fn for_export(state: &AppState, tenant: &TenantId) -> Result<TrailFiles> {
    let public = state.trail_signer.public_key().await?;
    let mut checkpoints = Vec::new();
    each::<Checkpoint>(state, tenant, &keys::checkpoints(), |_, checkpoint| {
        if let Some(checkpoint) = checkpoint {
            let line = serde_json::json!({
                "statement": checkpoint.record.statement,
                "signature": checkpoint.record.signature,
            });
            checkpoints.extend_from_slice(line.to_string().as_bytes());
            checkpoints.push(b'\n');
        }
        Ok(())
    })
    .await?;
    let mut lines = Vec::new();
    each::<AuditEntry>(state, tenant, &whole_trail(), |sort_key, entry| {
        if let Some(entry) = entry {
            lines.extend_from_slice(line_of(entry_id(sort_key), &entry)?.as_bytes());
            lines.push(b'\n');
        }
        Ok(())
    })
    .await?;
    Ok(TrailFiles {
        trail: lines,
        checkpoints,
        public_key_pem: public.pem.clone(),
    })
}
