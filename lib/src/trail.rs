//! The audit trail's checkpoints (decision 0027; the formats are [`crate::domain::trail`]):
//! the scheduled pass signs each account's new entries with a KMS key only it may sign with,
//! and the owner (`GET /v1/audit/verify`) or anyone holding the complete export checks the
//! trail against them.

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Verifier as _;
use p256::pkcs8::DecodePublicKey as _;
use tokio::sync::OnceCell;

use crate::AppState;
use crate::app::{Error, Result};
use crate::domain::TenantId;
use crate::domain::trail::{self, Chain, Statement, Verification, Verifier};
use crate::store::{AuditEntry, Checkpoint, RawCursor, Stored, TrailHead, keys};

/// Items read per page when checking or exporting a trail.
const PAGE: i32 = 500;

/// The checkpoints' key: the pass signs with it, everyone else reads its public half.
pub struct TrailSigner {
    kms: crate::aws::Lazy<aws_sdk_kms::Client>,
    key_id: String,
    public: OnceCell<PublicKey>,
}

/// The public half of the checkpoints' key, read from KMS once per container.
pub struct PublicKey {
    key: p256::ecdsa::VerifyingKey,
    /// As PEM (`-----BEGIN PUBLIC KEY-----`), for an offline check.
    pub pem: String,
}

impl TrailSigner {
    pub fn new(kms: crate::aws::Lazy<aws_sdk_kms::Client>, key_id: &str) -> Self {
        Self {
            kms,
            key_id: key_id.to_owned(),
            public: OnceCell::new(),
        }
    }

    /// Signs `text` (ECDSA P-256 over its SHA-256, one KMS `Sign`): the DER signature, base64.
    pub async fn sign(&self, text: &str) -> anyhow::Result<String> {
        anyhow::ensure!(!self.key_id.is_empty(), "AUDIT_KEY_ID is not set");
        let out = self
            .kms
            .get()
            .sign()
            .key_id(&self.key_id)
            .message(Blob::new(text.as_bytes()))
            .message_type(MessageType::Raw)
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await?;
        let der = out
            .signature
            .ok_or_else(|| anyhow::anyhow!("KMS returned no signature"))?;
        Ok(STANDARD.encode(der.as_ref()))
    }

    pub async fn public_key(&self) -> anyhow::Result<&PublicKey> {
        self.public
            .get_or_try_init(|| async {
                anyhow::ensure!(!self.key_id.is_empty(), "AUDIT_KEY_ID is not set");
                let out = self
                    .kms
                    .get()
                    .get_public_key()
                    .key_id(&self.key_id)
                    .send()
                    .await?;
                let der = out
                    .public_key
                    .ok_or_else(|| anyhow::anyhow!("KMS returned no public key"))?;
                let key = p256::ecdsa::VerifyingKey::from_public_key_der(der.as_ref())
                    .map_err(|_| anyhow::anyhow!("the audit key is not a P-256 key"))?;
                Ok(PublicKey {
                    key,
                    pem: pem(der.as_ref()),
                })
            })
            .await
    }
}

impl PublicKey {
    /// Whether `signature` (DER, base64) is this key's over `text`.
    pub fn verifies(&self, text: &str, signature: &str) -> bool {
        let Ok(der) = STANDARD.decode(signature) else {
            return false;
        };
        let Ok(signature) = p256::ecdsa::Signature::from_der(&der) else {
            return false;
        };
        self.key.verify(text.as_bytes(), &signature).is_ok()
    }
}

/// A SubjectPublicKeyInfo as PEM.
fn pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem
}

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

/// What the complete export carries to check the trail offline: every entry's canonical line
/// (`audit/trail.jsonl`), every checkpoint (`audit/checkpoints.jsonl`: its statement and
/// signature) and the key's public half (`audit/public-key.pem`).
pub struct ForExport {
    pub trail: Vec<u8>,
    pub checkpoints: Vec<u8>,
    pub public_key_pem: String,
}

/// The trail for the export. Entries that do not open are left out (a check then finds their
/// checkpoint's digest changed).
pub async fn for_export(state: &AppState, tenant: &TenantId) -> Result<ForExport> {
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
    Ok(ForExport {
        trail: lines,
        checkpoints,
        public_key_pem: public.pem.clone(),
    })
}
