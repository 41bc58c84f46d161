//! DynamoDB single table: typed reads, transactional writes, cursors.
//!
//! Every function takes the tenant first and refuses a key outside that tenant's partition, so
//! a handler cannot reach another account's items even by mistake. Item content is sealed under
//! the tenant's data key before it leaves the process.

mod account;
mod api_keys;
mod cursor;
mod due;
pub mod files;
mod idempotency;
mod item;
pub mod keys;
mod links;
mod login;
mod outbox;
mod purge;
mod records;
mod service_key;
mod session;
mod tx;

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::aws::TenantClients;
use crate::clock::Clock;
use crate::crypto::{Keyring, KeyringError, TenantCipher, WrappedKey};
use crate::domain::{TenantId, Timestamp};
pub use account::AccountState;
pub use api_keys::{Admission, KeyHolder};
pub use due::{DueCursor, DuePage};
pub use idempotency::{ClaimToken, IdempotentRequest, LEASE_SECONDS, NextAction};
pub use keys::{Collection, DueEntry, ItemKey, Listing};
pub use links::{LinkTarget, LinkedKind};
pub use outbox::{DeliveryMessage, Relay, Written};
pub use purge::PURGE_PAGE;
pub use records::{
    AuditEntry, Checkpoint, Counter, PeriodMade, ReminderGuard, SavedResponse, TakenNumber,
    TrailHead,
};
pub use session::SessionCheck;
pub use tx::Tx;

/// Something stored as one sealed item. `KIND` and `SCHEMA_VERSION` are bound into the
/// ciphertext's associated data: a value read back as another kind or version fails to open.
pub trait Record: Serialize + DeserializeOwned + Send + Sync {
    const KIND: &'static str;
    const SCHEMA_VERSION: u32;
    /// Fields the API shows that are computed when the record is read (an invoice's
    /// `overdue`): never written to the table. Each must deserialize to its default.
    const COMPUTED: &'static [&'static str] = &[];
}

/// A record with the plain metadata stored beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<R> {
    pub record: R,
    /// Bumped by every change; the API's `ETag`.
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl<R> Stored<R> {
    /// The same item, its record changed by `f` (e.g. a proposal shown as of now).
    pub fn map<T>(self, f: impl FnOnce(R) -> T) -> Stored<T> {
        Stored {
            record: f(self.record),
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    /// The item after a replacement by `record` at `now`: the next version.
    pub fn changed(&self, record: R, now: Timestamp) -> Self {
        Self {
            record,
            version: self.version + 1,
            created_at: self.created_at,
            updated_at: now,
        }
    }

    /// A record as a create writes it: version 1, created and updated `now`.
    pub fn created(record: R, now: Timestamp) -> Self {
        Self {
            record,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

/// One page of a collection, and the opaque cursor to the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictReason {
    /// A create found the item already there.
    AlreadyExists,
    /// A change or delete found no item.
    NotFound,
    /// A change or delete found the item at another version.
    VersionMismatch,
    /// A plain condition check failed.
    CheckFailed,
    /// The session the change was made under has ended (logged out, revoked, account closed).
    SessionEnded,
    /// The request's idempotency claim was no longer in progress when its change was committed:
    /// a duplicate took the key over after the claim's lease ran out, and completed or released
    /// it first.
    ClaimLost,
    /// Another transaction was changing one of the items at the same moment (DynamoDB's
    /// `TransactionConflict`); trying again may succeed.
    Contended,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("write {index} of the transaction was refused: {reason:?}")]
    Conflict {
        index: usize,
        reason: ConflictReason,
    },
    #[error("the cursor is not valid for this list")]
    BadCursor,
    #[error("a key outside the tenant's partition was used")]
    OutsideTenant,
    #[error("a stored item could not be opened or decoded")]
    Corrupt(#[source] anyhow::Error),
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    #[error("DynamoDB call failed")]
    Aws(#[source] anyhow::Error),
}

impl StoreError {
    /// Whether the database could not be reached or did not answer in time (a connection
    /// refused or reset, a timeout), as opposed to a refusal or a fault of ours: the request
    /// may succeed if sent again shortly.
    pub fn is_unavailable(&self) -> bool {
        use aws_smithy_runtime_api::client::result::ConnectorError;
        let Self::Aws(error) = self else {
            return false;
        };
        // The SDK's error is generic over the operation, so it is known by its words
        // (`SdkError::TimeoutError`'s), and a refused connection by the connector's error.
        error.chain().any(|cause| {
            cause
                .downcast_ref::<ConnectorError>()
                .is_some_and(|e| e.is_io() || e.is_timeout())
                || cause.to_string() == "request has timed out"
        })
    }
}

/// The attribute that holds the KMS-wrapped data key on the account item.
const WRAPPED_KEY_ATTR: &str = "dk";

#[derive(Clone)]
pub struct Store {
    db: aws_sdk_dynamodb::Client,
    table: Arc<str>,
    keyring: Keyring,
    clock: Clock,
    /// The webhooks' delivery queue, where the process has one.
    relay: Option<Relay>,
    /// The tenant's own credentials for its partition (decision 0028).
    tenants: crate::aws::TenantAccess,
    /// A tenant with no account, whose partition an unknown address's login reads so that it
    /// takes as long as a known one's.
    decoy: TenantId,
}

impl Store {
    /// `db` is the function's own client, for what is shared across tenants (the e-mail,
    /// link and key indexes, the due index); `tenants` gives each tenant's own clients for its
    /// partition, data key and files.
    pub fn new(
        db: aws_sdk_dynamodb::Client,
        table: impl Into<Arc<str>>,
        keyring: Keyring,
        clock: Clock,
        tenants: crate::aws::TenantAccess,
    ) -> Self {
        Self {
            db,
            table: table.into(),
            keyring,
            clock,
            relay: None,
            tenants,
            decoy: TenantId::generate(),
        }
    }

    /// The clients that act as the tenant (decision 0028): its partition, its data key, its
    /// files. Cached per warm container.
    pub async fn as_tenant(&self, tenant: &TenantId) -> Result<TenantClients, StoreError> {
        self.tenants
            .clients(&tenant.ulid())
            .await
            .map_err(StoreError::Aws)
    }

    /// The client for the tenant's partition, with the tenant's credentials.
    pub(crate) async fn db_of(
        &self,
        tenant: &TenantId,
    ) -> Result<aws_sdk_dynamodb::Client, StoreError> {
        Ok(self.as_tenant(tenant).await?.dynamodb().clone())
    }

    /// The clock every write's timestamps come from.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Whether the table answers (for health checks); says nothing about its contents.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db
            .describe_table()
            .table_name(self.table.as_ref())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::Aws(e.into()))
    }

    /// The tenant's cipher: cached, or unwrapped from the account item with one KMS call.
    pub async fn cipher(&self, tenant: &TenantId) -> Result<Arc<TenantCipher>, StoreError> {
        let clients = self.as_tenant(tenant).await?;
        self.cipher_with(tenant, &clients).await
    }

    /// As [`Store::cipher`], with the tenant's clients in hand.
    pub(crate) async fn cipher_with(
        &self,
        tenant: &TenantId,
        clients: &TenantClients,
    ) -> Result<Arc<TenantCipher>, StoreError> {
        let load = async {
            let wrapped = self
                .account_attribute(clients.dynamodb(), tenant, WRAPPED_KEY_ATTR)
                .await
                .context("reading the account's wrapped key")?;
            Ok(match wrapped {
                Some(AttributeValue::B(blob)) => Some(WrappedKey(blob.into_inner())),
                _ => None,
            })
        };
        Ok(self.keyring.cipher(tenant, clients.kms(), load).await?)
    }

    /// One plain attribute of the tenant's account item (its wrapped key, its status), read
    /// consistently with `db` (the tenant's client); `None` when the item or the attribute is
    /// not there.
    pub(crate) async fn account_attribute(
        &self,
        db: &aws_sdk_dynamodb::Client,
        tenant: &TenantId,
        name: &str,
    ) -> anyhow::Result<Option<AttributeValue>> {
        let out = db
            .get_item()
            .table_name(self.table.as_ref())
            .set_key(Some(item::key_attributes(&keys::account(tenant))))
            .projection_expression("#attribute")
            .expression_attribute_names("#attribute", name)
            .consistent_read(true)
            .send()
            .await?;
        Ok(out.item.and_then(|mut item| item.remove(name)))
    }

    /// Starts a new account: a fresh data key from KMS and, in the returned transaction, the
    /// account item holding it wrapped. Add the account's other first items, then commit.
    pub async fn open_account(&self, tenant: &TenantId) -> Result<Tx, StoreError> {
        let clients = self.as_tenant(tenant).await?;
        let (wrapped, cipher) = self.keyring.create(tenant, clients.kms()).await?;
        let now = self.clock.now();
        let mut tx = Tx::new(*tenant, self.table.clone(), cipher, now);
        tx.create_account_item(wrapped);
        // The trail's checkpoints start with the account (`crate::app::trail`).
        tx.create_due(
            &keys::trail_head(tenant),
            &TrailHead::default(),
            Some(keys::trail_due(
                tenant,
                now.plus_seconds(crate::domain::trail::EVERY_SECONDS),
            )),
        );
        Ok(tx)
    }

    /// A transaction on the tenant's partition (its cipher resolved, for sealing).
    pub async fn transaction(&self, tenant: &TenantId) -> Result<Tx, StoreError> {
        Ok(Tx::new(
            *tenant,
            self.table.clone(),
            self.cipher(tenant).await?,
            self.clock.now(),
        ))
    }

    /// Applies every write of the transaction, or none.
    /// A transaction that emitted events also writes them, and hands them to the webhooks'
    /// queue once committed.
    pub async fn commit(&self, tx: Tx) -> Result<(), StoreError> {
        if tx.has_events() {
            return Box::pin(self.commit_with_events(tx)).await;
        }
        // Made as the tenant: its role reaches the index items (`EMAIL#`, `LINK#`, `KEY#`)
        // written beside its own (decision 0028).
        let db = self.db_of(tx.tenant()).await?;
        tx.commit(&db).await
    }

    /// One record, or `None` when there is no such item.
    pub async fn get<R: Record>(
        &self,
        tenant: &TenantId,
        key: &ItemKey,
    ) -> Result<Option<Stored<R>>, StoreError> {
        ensure_in_tenant(tenant, key)?;
        // The cipher is cached on a warm container, so this is one round trip; on a cold one
        // the key's unwrapping overlaps the read. Both need the tenant's clients.
        let clients = self.as_tenant(tenant).await?;
        let read = async {
            clients
                .dynamodb()
                .get_item()
                .table_name(self.table.as_ref())
                .set_key(Some(item::key_attributes(key)))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| StoreError::Aws(e.into()))
        };
        let (out, cipher) = tokio::try_join!(read, self.cipher_with(tenant, &clients))?;
        out.item
            .map(|attrs| item::decode::<R>(&cipher, &attrs))
            .transpose()
    }

    /// A page of a collection, in creation order (the audit trail newest first).
    pub async fn list<R: Record>(
        &self,
        tenant: &TenantId,
        collection: Collection,
        limit: u16,
        cursor: Option<&str>,
    ) -> Result<Page<Stored<R>>, StoreError> {
        let page = self
            .list_keyed::<R>(tenant, collection, limit, cursor)
            .await?;
        Ok(Page {
            items: page.items.into_iter().map(|(_, stored)| stored).collect(),
            next: page.next,
        })
    }

    /// As [`Store::list`], with the id (the ULID in its key) of each item.
    pub async fn list_keyed<R: Record>(
        &self,
        tenant: &TenantId,
        collection: Collection,
        limit: u16,
        cursor: Option<&str>,
    ) -> Result<Page<(ulid::Ulid, Stored<R>)>, StoreError> {
        let listing = collection.listing();
        let page = self
            .list_entries::<R>(tenant, &listing, limit, cursor, |_| true)
            .await?;
        let items = page
            .items
            .into_iter()
            .map(|(sort_key, stored)| {
                let id = sort_key
                    .strip_prefix(listing.prefix())
                    .and_then(|rest| ulid::Ulid::from_string(rest).ok())
                    .ok_or_else(|| StoreError::Corrupt(anyhow::anyhow!("sort key is not an id")))?;
                Ok((id, stored))
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Page {
            items,
            next: page.next,
        })
    }

    /// A page of `listing` with each item's sort key, keeping only the records `keep` accepts:
    /// it reads on (a Query page at a time, each at most 1 MB) until the page is full or the
    /// listing ends, and the cursor resumes after the last item returned.
    pub async fn list_entries<R: Record>(
        &self,
        tenant: &TenantId,
        listing: &Listing,
        limit: u16,
        cursor: Option<&str>,
        keep: impl Fn(&R) -> bool,
    ) -> Result<Page<(String, Stored<R>)>, StoreError> {
        let clients = self.as_tenant(tenant).await?;
        let (db, cipher) = (
            clients.dynamodb(),
            self.cipher_with(tenant, &clients).await?,
        );
        let pk = keys::tenant_partition(tenant);
        let mut start = cursor
            .map(|text| cursor::open(&cipher, &pk, listing, text))
            .transpose()?
            .map(|sk| item::key_attributes(&ItemKey { pk: pk.clone(), sk }));
        let limit = usize::from(limit.clamp(1, 100));
        // One more than asked for: whether a next page exists is known without another call.
        let wanted = limit + 1;
        let mut kept: Vec<(String, Stored<R>)> = Vec::with_capacity(wanted);
        loop {
            let ask = i32::try_from(wanted - kept.len()).unwrap_or(i32::MAX);
            let out = self
                .listing_query(db, &pk, listing)
                .limit(ask)
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| StoreError::Aws(e.into()))?;
            for attrs in out.items.unwrap_or_default() {
                let stored = item::decode::<R>(&cipher, &attrs)?;
                if keep(&stored.record) && kept.len() < wanted {
                    kept.push((item::sort_key(&attrs)?.to_owned(), stored));
                }
            }
            match out.last_evaluated_key {
                Some(last) if kept.len() < wanted => start = Some(last),
                _ => break,
            }
        }
        let more = kept.len() > limit;
        kept.truncate(limit);
        let next = match (more, kept.last()) {
            (true, Some((sort_key, _))) => Some(cursor::seal(&cipher, &pk, listing, sort_key)),
            _ => None,
        };
        Ok(Page { items: kept, next })
    }
}

/// Where a page of a raw read resumes (DynamoDB's last evaluated key).
pub type RawCursor = HashMap<String, AttributeValue>;

impl Store {
    /// A page of `listing` (at most `limit` items, from `start`), each item's sort key with its
    /// record, or `None` where the item does not open: for checking what may have been tampered
    /// with, where one bad item must not hide the rest.
    pub async fn read_each<R: Record>(
        &self,
        tenant: &TenantId,
        listing: &Listing,
        limit: i32,
        start: Option<RawCursor>,
    ) -> Result<(Vec<(String, Option<Stored<R>>)>, Option<RawCursor>), StoreError> {
        let clients = self.as_tenant(tenant).await?;
        let (db, cipher) = (
            clients.dynamodb(),
            self.cipher_with(tenant, &clients).await?,
        );
        let out = self
            .listing_query(db, &keys::tenant_partition(tenant), listing)
            .limit(limit)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| StoreError::Aws(e.into()))?;
        let items = out
            .items
            .unwrap_or_default()
            .iter()
            .map(|attrs| {
                let sort_key = item::sort_key(attrs)?.to_owned();
                Ok((sort_key, item::decode::<R>(&cipher, attrs).ok()))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((items, out.last_evaluated_key))
    }
}

impl Store {
    /// The Query of `listing` in the partition `pk`, in its order, made with `db`.
    fn listing_query(
        &self,
        db: &aws_sdk_dynamodb::Client,
        pk: &str,
        listing: &Listing,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let query = db
            .query()
            .table_name(self.table.as_ref())
            .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()));
        let query = match listing.range() {
            None => query
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(
                    ":prefix",
                    AttributeValue::S(listing.prefix().to_owned()),
                ),
            Some((first, last)) => query
                .key_condition_expression("PK = :pk AND SK BETWEEN :first AND :last")
                .expression_attribute_values(":first", AttributeValue::S(first.to_owned()))
                .expression_attribute_values(":last", AttributeValue::S(last.to_owned())),
        };
        query.scan_index_forward(!listing.newest_first())
    }
}

fn ensure_in_tenant(tenant: &TenantId, key: &ItemKey) -> Result<(), StoreError> {
    if key.pk == keys::tenant_partition(tenant) {
        Ok(())
    } else {
        Err(StoreError::OutsideTenant)
    }
}

/// Attribute map of a whole item, for tests that read the table with the plain SDK.
pub type RawItem = HashMap<String, AttributeValue>;

#[cfg(feature = "test-util")]
impl Store {
    /// Test and benchmark helper: writes many new records of one tenant with `BatchWriteItem`
    /// (unconditional, 25 at a time), far faster than transactions for seeding a large account.
    pub async fn seed_for_tests<R: Record>(
        &self,
        tenant: &TenantId,
        records: Vec<(ItemKey, R)>,
    ) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        let cipher = self.cipher(tenant).await?;
        let now = self.clock.now();
        let mut requests = Vec::with_capacity(records.len());
        for (key, record) in &records {
            ensure_in_tenant(tenant, key)?;
            let item = item::encode_new(&cipher, key, record, now)?;
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(|e| StoreError::Aws(e.into()))?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        let db = self.db_of(tenant).await?;
        for chunk in requests.chunks(25) {
            let mut pending = chunk.to_vec();
            while !pending.is_empty() {
                let out = db
                    .batch_write_item()
                    .request_items(self.table.as_ref(), pending)
                    .send()
                    .await
                    .map_err(|e| StoreError::Aws(e.into()))?;
                pending = out
                    .unprocessed_items
                    .and_then(|mut left| left.remove(self.table.as_ref()))
                    .unwrap_or_default();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::config::{Credentials, Region, timeout::TimeoutConfig};
    use std::time::Duration;

    fn client_at(url: &str) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .region(Region::new("eu-central-1"))
            .credentials_provider(Credentials::new("a", "b", None, None, "test"))
            .endpoint_url(url)
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_attempt_timeout(Duration::from_millis(300))
                    .build(),
            )
            .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    async fn failure_from(url: &str) -> StoreError {
        let error = client_at(url)
            .describe_table()
            .table_name("t")
            .send()
            .await
            .expect_err("nothing answers there");
        StoreError::Aws(error.into())
    }

    #[tokio::test]
    async fn a_refused_connection_and_a_silent_database_are_unavailable_not_faults() {
        // A port that was just bound and released: nothing listens on it.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let refused_at = format!("http://{}", closed.local_addr().expect("addr"));
        drop(closed);
        assert!(failure_from(&refused_at).await.is_unavailable());

        // A listener that takes the connection and never answers.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let silent_at = format!("http://{}", silent.local_addr().expect("addr"));
        let held = tokio::spawn(async move {
            let mut kept = Vec::new();
            while let Ok((socket, _)) = silent.accept().await {
                kept.push(socket);
            }
        });
        assert!(failure_from(&silent_at).await.is_unavailable());
        held.abort();

        assert!(matches!(
            crate::app::Error::from(failure_from(&refused_at).await),
            crate::app::Error::Unavailable
        ));
        assert!(!StoreError::Corrupt(anyhow::anyhow!("request has timed out")).is_unavailable());
        assert!(!StoreError::Aws(anyhow::anyhow!("service error")).is_unavailable());
    }
}
