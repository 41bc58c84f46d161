//! The purge of deleted accounts (DESIGN §8): the queue of accounts due (the sparse GSI1 on
//! the account item), and the removal of a partition page by page with `BatchWriteItem`.
//!
//! Every key deleted comes from a `Query` of that one tenant's partition, so a purge can never
//! reach another account. The account item goes last, and only once it is marked deleted: it
//! holds the queue entry, so a purge stopped at any point is found and finished by the next.

use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, WriteRequest};

use super::item::{self, Attributes};
use super::tx::{ACCOUNT_DELETED, ACCOUNT_STATUS_ATTR, PURGE_QUEUE_PK, PURGE_QUEUE_SK};
use super::{Store, StoreError, keys};
use crate::domain::{TenantId, Timestamp};

/// The index that holds the purge queue.
const PURGE_INDEX: &str = "GSI1";
/// Items read and deleted per page of a partition.
pub const PURGE_PAGE: i32 = 1_000;
/// `BatchWriteItem` takes at most 25 requests.
const BATCH: usize = 25;
/// Tries of one batch while DynamoDB leaves items unprocessed (throttled), with a doubling
/// pause from 25 ms.
const BATCH_TRIES: u32 = 8;

fn aws(error: impl Into<anyhow::Error>) -> StoreError {
    StoreError::Aws(error.into())
}

impl Store {
    /// The deleted accounts due for purge by `now`, the longest due first (at most `limit`).
    pub async fn due_for_purge(
        &self,
        now: Timestamp,
        limit: i32,
    ) -> Result<Vec<TenantId>, StoreError> {
        let out = self
            .db
            .query()
            .table_name(self.table.as_ref())
            .index_name(PURGE_INDEX)
            .key_condition_expression("#pk = :queue AND #sk <= :now")
            .expression_attribute_names("#pk", PURGE_QUEUE_PK)
            .expression_attribute_names("#sk", PURGE_QUEUE_SK)
            .expression_attribute_values(":queue", AttributeValue::S(keys::PURGE_QUEUE.into()))
            // Every entry due at or before `now`, whatever its tenant (`~` sorts after `#`).
            .expression_attribute_values(
                ":now",
                AttributeValue::S(format!("{:012}~", now.unix_seconds().max(0))),
            )
            .limit(limit)
            .send()
            .await
            .map_err(aws)?;
        out.items
            .unwrap_or_default()
            .iter()
            .map(|attrs| {
                let entry = match attrs.get(PURGE_QUEUE_SK) {
                    Some(AttributeValue::S(entry)) => entry.as_str(),
                    _ => "",
                };
                entry
                    .split_once('#')
                    .and_then(|(_, tenant)| ulid::Ulid::from_string(tenant).ok())
                    .map(TenantId::from_purge_queue)
                    .ok_or_else(|| StoreError::Corrupt(anyhow::anyhow!("a bad purge-queue entry")))
            })
            .collect()
    }

    /// Whether the account is marked deleted (a purge never touches any other): `None` when
    /// its account item is gone, i.e. its purge has finished.
    pub async fn is_closed(&self, tenant: &TenantId) -> Result<Option<bool>, StoreError> {
        // An account item always has a status: without one, the item is gone.
        let db = self.db_of(tenant).await?;
        let status = self
            .account_attribute(&db, tenant, ACCOUNT_STATUS_ATTR)
            .await
            .map_err(StoreError::Aws)?;
        Ok(status.map(|status| matches!(status, AttributeValue::S(s) if s == ACCOUNT_DELETED)))
    }

    /// Deletes one page of the tenant's items (all but the account item, which goes last):
    /// how many were deleted; 0 when only the account item is left.
    pub async fn purge_page(&self, tenant: &TenantId) -> Result<usize, StoreError> {
        let account = keys::account(tenant);
        let db = self.db_of(tenant).await?;
        let out = db
            .query()
            .table_name(self.table.as_ref())
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(account.pk().to_owned()))
            .projection_expression("PK, SK, #lookup")
            .expression_attribute_names("#lookup", super::api_keys::LOOKUP_ATTR)
            .limit(PURGE_PAGE)
            .consistent_read(true)
            .send()
            .await
            .map_err(aws)?;
        let mut keys: Vec<Attributes> = out
            .items
            .unwrap_or_default()
            .into_iter()
            .filter(|attrs| item::sort_key(attrs).is_ok_and(|sk| sk != account.sk()))
            .collect();
        // An API key's lookup item (outside the partition) goes first, before the record that
        // names it: a pass stopped between the two leaves nothing unreachable behind.
        let lookups: Vec<Attributes> = keys
            .iter_mut()
            .filter_map(|attrs| match attrs.remove(super::api_keys::LOOKUP_ATTR) {
                Some(AttributeValue::S(pk)) if pk.starts_with("KEY#") => {
                    Some(item::key_attributes(&super::ItemKey {
                        pk,
                        sk: "KEY".into(),
                    }))
                }
                _ => None,
            })
            .collect();
        for chunk in lookups.chunks(BATCH) {
            self.delete_batch(&db, chunk).await?;
        }
        for chunk in keys.chunks(BATCH) {
            self.delete_batch(&db, chunk).await?;
        }
        Ok(keys.len())
    }

    /// Deletes `keys` with `db`, the tenant's client.
    async fn delete_batch(
        &self,
        db: &aws_sdk_dynamodb::Client,
        keys: &[Attributes],
    ) -> Result<(), StoreError> {
        let mut pending: Vec<WriteRequest> = keys
            .iter()
            .map(|key| {
                let delete = DeleteRequest::builder()
                    .set_key(Some(key.clone()))
                    .build()
                    .map_err(aws)?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<_, StoreError>>()?;
        let mut pause = Duration::from_millis(25);
        for _ in 0..BATCH_TRIES {
            let out = db
                .batch_write_item()
                .request_items(self.table.as_ref(), pending)
                .send()
                .await
                .map_err(aws)?;
            pending = out
                .unprocessed_items
                .and_then(|mut left| left.remove(self.table.as_ref()))
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(());
            }
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
        Err(aws(anyhow::anyhow!(
            "{} deletes still unprocessed after {BATCH_TRIES} tries",
            pending.len()
        )))
    }

    /// Deletes the account item of a deleted account, and with it its purge-queue entry: the
    /// last step of a purge. Never an active account's (the condition).
    pub async fn drop_account_item(&self, tenant: &TenantId) -> Result<(), StoreError> {
        let key = keys::account(tenant);
        let out = self
            .db_of(tenant)
            .await?
            .delete_item()
            .table_name(self.table.as_ref())
            .set_key(Some(item::key_attributes(&key)))
            .condition_expression("#status = :deleted")
            .expression_attribute_names("#status", ACCOUNT_STATUS_ATTR)
            .expression_attribute_values(":deleted", AttributeValue::S(ACCOUNT_DELETED.into()))
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            // Already gone (a purge that stopped just after this): nothing to do.
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(error) => Err(aws(error)),
        }
    }
}
