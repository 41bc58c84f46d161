//! Transactions: every multi-item change is one `TransactWriteItems`, all or nothing.
//!
//! Each write states what it expects (absent, at a version) as a DynamoDB condition, so
//! concurrency is decided by the database, never by a read-then-write check in the handler.

use std::sync::Arc;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update,
};

use super::item::{self, Attributes};
use super::keys::DueEntry;
use super::{
    ConflictReason, ItemKey, Record, StoreError, WRAPPED_KEY_ATTR, ensure_in_tenant, keys,
};
use crate::crypto::{TenantCipher, WrappedKey};
use crate::domain::{TenantId, Timestamp};

/// Whether a replacement moves the item's entry in the index of due work.
enum Indexed {
    Unchanged,
    To(Option<DueEntry>),
}

/// The attributes of the sparse index of due work (GSI1).
pub(crate) const DUE_INDEX_PK: &str = "GSI1PK";
pub(crate) const DUE_INDEX_SK: &str = "GSI1SK";

/// DynamoDB's limit on the writes of one transaction.
pub const MAX_WRITES: usize = 100;

/// What a write expects of the item it touches; decides the error when its condition fails.
#[derive(Debug, Clone, Copy)]
pub(super) enum Expect {
    Absent,
    Version,
    Check,
    /// A condition that holds while the caller's session is live.
    Session,
    /// A condition that holds while the request's idempotency claim is still its own.
    Claim,
}

/// A set of writes on one tenant's partition, applied together by [`super::Store::commit`].
pub struct Tx {
    tenant: TenantId,
    table: Arc<str>,
    cipher: Arc<TenantCipher>,
    now: Timestamp,
    writes: Vec<(TransactWriteItem, Expect)>,
    invalid: Option<StoreError>,
    /// The events this change reports, written when it commits ([`Tx::emit`]).
    pub(super) events: Vec<(crate::domain::webhook::EventType, String)>,
}

impl Tx {
    pub(super) fn new(
        tenant: TenantId,
        table: Arc<str>,
        cipher: Arc<TenantCipher>,
        now: Timestamp,
    ) -> Self {
        Self {
            tenant,
            table,
            cipher,
            now,
            writes: Vec::new(),
            invalid: None,
            events: Vec::new(),
        }
    }

    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    pub(super) fn cipher(&self) -> &TenantCipher {
        &self.cipher
    }

    pub(super) fn table(&self) -> &str {
        &self.table
    }

    /// The time every write of this transaction records.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    pub fn len(&self) -> usize {
        self.writes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// Creates the item; fails with `AlreadyExists` if it is there.
    pub fn create<R: Record>(&mut self, key: &ItemKey, record: &R) -> &mut Self {
        self.try_push(key, Expect::Absent, |tx| {
            tx.put_new(item::encode_new(&tx.cipher, key, record, tx.now)?)
        })
    }

    /// The write of a new item, conditional on nothing being at its key.
    pub(super) fn put_new(&self, attrs: Attributes) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(self.table.as_ref())
            .set_item(Some(attrs))
            .condition_expression("attribute_not_exists(PK)");
        Ok(TransactWriteItem::builder()
            .put(finish(put.build())?)
            .build())
    }

    /// Replaces the content of the item at `expected_version`, bumping its version; fails with
    /// `NotFound` or `VersionMismatch` otherwise.
    pub fn replace<R: Record>(
        &mut self,
        key: &ItemKey,
        record: &R,
        expected_version: u64,
    ) -> &mut Self {
        self.replace_indexed(key, record, expected_version, Indexed::Unchanged)
    }

    /// Creates the item (as [`Tx::create`]) with its entry in the sparse index of due work.
    pub fn create_due<R: Record>(
        &mut self,
        key: &ItemKey,
        record: &R,
        due: Option<DueEntry>,
    ) -> &mut Self {
        self.try_push(key, Expect::Absent, |tx| {
            let mut attrs = item::encode_new(&tx.cipher, key, record, tx.now)?;
            if let Some(due) = due {
                attrs.insert(DUE_INDEX_PK.into(), AttributeValue::S(due.pk));
                attrs.insert(DUE_INDEX_SK.into(), AttributeValue::S(due.sk));
            }
            tx.put_new(attrs)
        })
    }

    /// Replaces the item (as [`Tx::replace`]) and moves its entry in the sparse index of due
    /// work: to `due`, or out of the index.
    pub fn replace_due<R: Record>(
        &mut self,
        key: &ItemKey,
        record: &R,
        expected_version: u64,
        due: Option<DueEntry>,
    ) -> &mut Self {
        self.replace_indexed(key, record, expected_version, Indexed::To(due))
    }

    fn replace_indexed<R: Record>(
        &mut self,
        key: &ItemKey,
        record: &R,
        expected_version: u64,
        indexed: Indexed,
    ) -> &mut Self {
        self.try_push(key, Expect::Version, |tx| {
            let mut expression = String::from("SET #ct = :ct, #v = :next, #sv = :sv, #ua = :now");
            let mut update = Update::builder();
            let moves = !matches!(indexed, Indexed::Unchanged);
            match indexed {
                Indexed::Unchanged => {}
                Indexed::To(Some(due)) => {
                    expression.push_str(", #gpk = :gpk, #gsk = :gsk");
                    update = update
                        .expression_attribute_values(":gpk", AttributeValue::S(due.pk))
                        .expression_attribute_values(":gsk", AttributeValue::S(due.sk));
                }
                Indexed::To(None) => expression.push_str(" REMOVE #gpk, #gsk"),
            }
            if moves {
                update = update
                    .expression_attribute_names("#gpk", DUE_INDEX_PK)
                    .expression_attribute_names("#gsk", DUE_INDEX_SK);
            }
            let update = update
                .set_key(Some(item::key_attributes(key)))
                .update_expression(expression)
                .condition_expression("#v = :expected AND #type = :type")
                .expression_attribute_names("#ct", item::CONTENT)
                .expression_attribute_names("#v", item::VERSION)
                .expression_attribute_names("#sv", item::SCHEMA)
                .expression_attribute_names("#ua", item::UPDATED)
                .expression_attribute_names("#type", item::TYPE)
                .expression_attribute_values(
                    ":ct",
                    item::seal(&tx.cipher, key, record, expected_version.saturating_add(1))?,
                )
                .expression_attribute_values(":next", number(expected_version.saturating_add(1)))
                .expression_attribute_values(":expected", number(expected_version))
                .expression_attribute_values(":sv", number(R::SCHEMA_VERSION))
                .expression_attribute_values(":type", AttributeValue::S(R::KIND.into()))
                .expression_attribute_values(":now", AttributeValue::S(tx.now.to_string()))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                );
            Ok(TransactWriteItem::builder()
                .update(finish(update.table_name(tx.table.as_ref()).build())?)
                .build())
        })
    }

    /// Deletes the item at `expected_version`; fails with `NotFound` or `VersionMismatch`.
    pub fn delete(&mut self, key: &ItemKey, expected_version: u64) -> &mut Self {
        self.try_push(key, Expect::Version, |tx| {
            let delete = Delete::builder()
                .set_key(Some(item::key_attributes(key)))
                .condition_expression("#v = :expected")
                .expression_attribute_names("#v", item::VERSION)
                .expression_attribute_values(":expected", number(expected_version))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                );
            Ok(TransactWriteItem::builder()
                .delete(finish(delete.table_name(tx.table.as_ref()).build())?)
                .build())
        })
    }

    /// Writes the item whatever is there: for derived items that follow a record the same
    /// transaction changes under its own condition (a document's list entries).
    pub fn put<R: Record>(&mut self, key: &ItemKey, record: &R) -> &mut Self {
        self.put_due(key, record, None)
    }

    /// Writes the item whatever is there (as [`Tx::put`]), with its entry in the sparse index
    /// of due work when it has one.
    pub fn put_due<R: Record>(
        &mut self,
        key: &ItemKey,
        record: &R,
        due: Option<DueEntry>,
    ) -> &mut Self {
        self.try_push(key, Expect::Check, |tx| {
            let mut attrs = item::encode_new(&tx.cipher, key, record, tx.now)?;
            if let Some(due) = due {
                attrs.insert(DUE_INDEX_PK.into(), AttributeValue::S(due.pk));
                attrs.insert(DUE_INDEX_SK.into(), AttributeValue::S(due.sk));
            }
            let put = Put::builder()
                .table_name(tx.table.as_ref())
                .set_item(Some(attrs));
            Ok(TransactWriteItem::builder()
                .put(finish(put.build())?)
                .build())
        })
    }

    /// Deletes the item if it is there: the counterpart of [`Tx::put`].
    pub fn remove(&mut self, key: &ItemKey) -> &mut Self {
        self.try_push(key, Expect::Check, |tx| {
            let delete = Delete::builder()
                .table_name(tx.table.as_ref())
                .set_key(Some(item::key_attributes(key)));
            Ok(TransactWriteItem::builder()
                .delete(finish(delete.build())?)
                .build())
        })
    }

    /// Makes the transaction depend on a condition on an item it does not change (for example
    /// that the session's account is still active). Fails with `CheckFailed`.
    pub fn check(
        &mut self,
        key: &ItemKey,
        condition: &str,
        values: &[(&str, AttributeValue)],
    ) -> &mut Self {
        self.push_condition(key, Expect::Check, condition, &[], values)
    }

    pub(super) fn push_condition(
        &mut self,
        key: &ItemKey,
        expect: Expect,
        condition: &str,
        names: &[(&str, &str)],
        values: &[(&str, AttributeValue)],
    ) -> &mut Self {
        self.try_push(key, expect, |tx| {
            let mut check = ConditionCheck::builder()
                .set_key(Some(item::key_attributes(key)))
                .condition_expression(condition);
            for (name, attribute) in names {
                check = check.expression_attribute_names(*name, *attribute);
            }
            for (name, value) in values {
                check = check.expression_attribute_values(*name, value.clone());
            }
            Ok(TransactWriteItem::builder()
                .condition_check(finish(check.table_name(tx.table.as_ref()).build())?)
                .build())
        })
    }

    pub(super) fn create_account_item(&mut self, wrapped: WrappedKey) -> &mut Self {
        let key = keys::account(&self.tenant);
        self.try_push(&key, Expect::Absent, |tx| {
            let mut attrs: Attributes = item::encode_new(&tx.cipher, &key, &AccountSeal, tx.now)?;
            attrs.insert(
                WRAPPED_KEY_ATTR.into(),
                AttributeValue::B(Blob::new(wrapped.0)),
            );
            attrs.insert(
                ACCOUNT_STATUS_ATTR.into(),
                AttributeValue::S(ACCOUNT_ACTIVE.into()),
            );
            attrs.insert(SESSION_VERSION_ATTR.into(), number(1));
            tx.put_new(attrs)
        })
    }

    pub(super) fn try_push<F>(&mut self, key: &ItemKey, expect: Expect, build: F) -> &mut Self
    where
        F: FnOnce(&Self) -> Result<TransactWriteItem, StoreError>,
    {
        let allowed = ensure_in_tenant(&self.tenant, key);
        self.push_checked(allowed, expect, build)
    }

    /// As `try_push`, for the account's unique-email partition, one place outside the tenant's
    /// partition that an account's transactions write (signup, login).
    pub(super) fn try_push_email_item<F>(
        &mut self,
        key: &ItemKey,
        expect: Expect,
        build: F,
    ) -> &mut Self
    where
        F: FnOnce(&Self) -> Result<TransactWriteItem, StoreError>,
    {
        self.push_outside(keys::in_email_partition(key), expect, build)
    }

    /// As `try_push`, for a document link's index item (a send, a revocation, a first view).
    pub(super) fn try_push_link_item<F>(
        &mut self,
        key: &ItemKey,
        expect: Expect,
        build: F,
    ) -> &mut Self
    where
        F: FnOnce(&Self) -> Result<TransactWriteItem, StoreError>,
    {
        self.push_outside(keys::in_link_partition(key), expect, build)
    }

    /// As `try_push`, for an API key's lookup item (making, revoking and using a key).
    pub(super) fn try_push_key_item<F>(
        &mut self,
        key: &ItemKey,
        expect: Expect,
        build: F,
    ) -> &mut Self
    where
        F: FnOnce(&Self) -> Result<TransactWriteItem, StoreError>,
    {
        self.push_outside(keys::in_key_partition(key), expect, build)
    }

    /// A write outside the tenant's partition, where `allowed` says it is one of the kinds an
    /// account's transactions may write.
    fn push_outside<F>(&mut self, allowed: bool, expect: Expect, build: F) -> &mut Self
    where
        F: FnOnce(&Self) -> Result<TransactWriteItem, StoreError>,
    {
        let allowed = if allowed {
            Ok(())
        } else {
            Err(StoreError::OutsideTenant)
        };
        self.push_checked(allowed, expect, build)
    }

    fn push_checked<F>(
        &mut self,
        allowed: Result<(), StoreError>,
        expect: Expect,
        build: F,
    ) -> &mut Self
    where
        F: FnOnce(&Self) -> Result<TransactWriteItem, StoreError>,
    {
        if self.invalid.is_some() {
            return self;
        }
        let built = allowed.and_then(|()| build(self));
        match built {
            Ok(write) => self.writes.push((write, expect)),
            Err(error) => self.invalid = Some(error),
        }
        self
    }

    pub(super) async fn commit(self, db: &aws_sdk_dynamodb::Client) -> Result<(), StoreError> {
        if let Some(error) = self.invalid {
            return Err(error);
        }
        if self.writes.is_empty() {
            return Ok(());
        }
        if self.writes.len() > MAX_WRITES {
            return Err(StoreError::Aws(anyhow::anyhow!(
                "{} writes exceed one transaction",
                self.writes.len()
            )));
        }
        let (writes, expects): (Vec<_>, Vec<_>) = self.writes.into_iter().unzip();
        match db
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(error) => Err(conflict_or_failure(error, &expects)),
        }
    }
}

/// The sealed content of the account item (its data lives in other items; the seal proves the
/// wrapped key beside it opens).
#[derive(serde::Serialize, serde::Deserialize)]
struct AccountSeal;

impl Record for AccountSeal {
    const KIND: &'static str = "account";
    const SCHEMA_VERSION: u32 = 1;
}

/// Plain status of the account item (`active`, later `deleted`).
pub(crate) const ACCOUNT_STATUS_ATTR: &str = "status";
pub(crate) const ACCOUNT_ACTIVE: &str = "active";
pub(crate) const ACCOUNT_DELETED: &str = "deleted";
/// The sparse purge queue (GSI1) on the account item of a deleted account.
pub(crate) const PURGE_QUEUE_PK: &str = DUE_INDEX_PK;
pub(crate) const PURGE_QUEUE_SK: &str = DUE_INDEX_SK;
/// When a deleted account is due for purge (unix seconds, plain).
pub(crate) const PURGE_DUE_ATTR: &str = "purge_due";
/// Plain session version of the account item: a session token carries the version it was
/// issued under, and raising it ends every session at once.
pub(crate) const SESSION_VERSION_ATTR: &str = "ssv";

pub(super) use super::item::number;

pub(super) fn finish<T, E: std::error::Error + Send + Sync + 'static>(
    built: Result<T, E>,
) -> Result<T, StoreError> {
    built
        .map_err(|e| StoreError::Aws(anyhow::Error::new(e).context("building a transaction write")))
}

fn conflict_or_failure(
    error: SdkError<TransactWriteItemsError, aws_smithy_runtime_api::http::Response>,
    expects: &[Expect],
) -> StoreError {
    if let SdkError::ServiceError(service) = &error
        && let TransactWriteItemsError::TransactionCanceledException(cancelled) = service.err()
        && let Some((index, reason)) = cancelled
            .cancellation_reasons()
            .iter()
            .enumerate()
            .find(|(_, reason)| reason.code() == Some("ConditionalCheckFailed"))
    {
        let conflict = match expects.get(index) {
            Some(Expect::Absent) => ConflictReason::AlreadyExists,
            Some(Expect::Version) if reason.item().is_some_and(|old| !old.is_empty()) => {
                ConflictReason::VersionMismatch
            }
            Some(Expect::Version) => ConflictReason::NotFound,
            Some(Expect::Session) => ConflictReason::SessionEnded,
            Some(Expect::Claim) => ConflictReason::ClaimLost,
            Some(Expect::Check) | None => ConflictReason::CheckFailed,
        };
        return StoreError::Conflict {
            index,
            reason: conflict,
        };
    }
    if let SdkError::ServiceError(service) = &error
        && let TransactWriteItemsError::TransactionCanceledException(cancelled) = service.err()
        && let Some(index) = cancelled
            .cancellation_reasons()
            .iter()
            .position(|reason| reason.code() == Some("TransactionConflict"))
    {
        return StoreError::Conflict {
            index,
            reason: ConflictReason::Contended,
        };
    }
    StoreError::Aws(error.into())
}
