//! API keys' lookup items: one per key, under the SHA-256 of its secret, naming the tenant and
//! the key, what it may do and until when; its name sealed under the tenant's key. A request
//! with a key is admitted by one conditional update of that item, which also counts it
//! against the key's rate limit and records its use; revoking a key marks it in the same
//! transaction as the account's record, so the next request is refused.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};

use super::item::{self, Attributes, EXPIRES_ATTR, number, number_attr, ulid_attr};
use super::tx::{Expect, finish};
use super::{Store, StoreError, Tx, keys};
use crate::domain::api_key::Scope;
use crate::domain::ids::ApiKeyId;
use crate::domain::throttle::Budget;
use crate::domain::{TenantId, Timestamp, UserId};

const TENANT_ATTR: &str = "tenant";
const KEY_ATTR: &str = "key";
const USER_ATTR: &str = "user";
const SCOPE_ATTR: &str = "scope";
/// The key's name, sealed under the tenant's key (associated data: the item's partition).
const NAME_ATTR: &str = "name";
const REVOKED_ATTR: &str = "revoked";
const LAST_USED_ATTR: &str = "last_used";
/// Requests counted since the rate window opened.
const REQUESTS_ATTR: &str = "requests";
const SINCE_ATTR: &str = "since";
/// On the account's record of a key: its lookup item's partition, so the purge of a closed
/// account deletes the lookup items with the records (a plain digest of a random secret).
pub(super) const LOOKUP_ATTR: &str = "lookup";

/// Whom a key acts for, once admitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHolder {
    pub tenant: TenantId,
    pub key: ApiKeyId,
    /// The owner who made the key.
    pub user: UserId,
    pub scope: Scope,
    /// The key's name, sealed (opened by the caller with the tenant's key).
    pub sealed_name: Vec<u8>,
}

/// What a request with a key's secret comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    Admitted(KeyHolder),
    /// No such key, revoked, or expired: one answer for all three.
    Refused,
    /// The key's requests of this window are spent.
    Limited {
        retry_after_seconds: u64,
    },
}

/// The condition that a key's lookup item lets requests in at `:now`.
const WORKS: &str = "attribute_exists(PK) AND attribute_not_exists(#revoked) \
                     AND (attribute_not_exists(#expires) OR #expires > :now)";

fn holder(attrs: &Attributes) -> Result<KeyHolder, StoreError> {
    let scope = match attrs.get(SCOPE_ATTR) {
        Some(AttributeValue::S(scope)) => Scope::parse(scope),
        _ => None,
    }
    .ok_or_else(|| StoreError::Corrupt(anyhow::anyhow!("a key without its scope")))?;
    let sealed_name = match attrs.get(NAME_ATTR) {
        Some(AttributeValue::B(name)) => name.as_ref().to_vec(),
        _ => {
            return Err(StoreError::Corrupt(anyhow::anyhow!(
                "a key without its name"
            )));
        }
    };
    Ok(KeyHolder {
        tenant: TenantId::from_ulid(ulid_attr(attrs, TENANT_ATTR)?),
        key: ApiKeyId::from_ulid(ulid_attr(attrs, KEY_ATTR)?),
        user: UserId::from_ulid(ulid_attr(attrs, USER_ATTR)?),
        scope,
        sealed_name,
    })
}

impl Store {
    /// Admits one request made with the key whose secret has `digest`, at `now`: one
    /// conditional update that checks the key works, counts the request against `budget` and
    /// records the use (a second one only when a new rate window opens).
    pub async fn admit_api_key(
        &self,
        digest: &str,
        now: i64,
        budget: Budget,
    ) -> Result<Admission, StoreError> {
        let key = keys::api_key_lookup(digest);
        let window_start = now - budget.window_seconds;
        // What both forms of the update name.
        let update = || {
            self.db
                .update_item()
                .table_name(self.table.as_ref())
                .set_key(Some(item::key_attributes(&key)))
                .expression_attribute_names("#revoked", REVOKED_ATTR)
                .expression_attribute_names("#expires", EXPIRES_ATTR)
                .expression_attribute_names("#used", LAST_USED_ATTR)
                .expression_attribute_names("#n", REQUESTS_ATTR)
                .expression_attribute_names("#since", SINCE_ATTR)
                .expression_attribute_values(":now", number(now))
                .expression_attribute_values(":one", number(1))
                .expression_attribute_values(":window_start", number(window_start))
                .return_values(ReturnValue::AllNew)
        };
        // A window opened by a concurrent request between our two forms: try again.
        for _ in 0..3 {
            let counted = update()
                .update_expression("SET #used = :now ADD #n :one")
                .condition_expression(format!("{WORKS} AND #since > :window_start AND #n < :max"))
                .expression_attribute_values(":max", number(budget.max))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .send()
                .await;
            match counted {
                Ok(out) => {
                    return Ok(Admission::Admitted(holder(
                        &out.attributes.unwrap_or_default(),
                    )?));
                }
                Err(SdkError::ServiceError(e)) => match e.into_err() {
                    UpdateItemError::ConditionalCheckFailedException(failed) => {
                        let old = failed.item.unwrap_or_default();
                        let works = !old.is_empty()
                            && !old.contains_key(REVOKED_ATTR)
                            && number_attr::<i64>(&old, EXPIRES_ATTR)
                                .ok()
                                .is_none_or(|e| e > now);
                        if !works {
                            return Ok(Admission::Refused);
                        }
                        if let (Ok(since), Ok(requests)) = (
                            number_attr::<i64>(&old, SINCE_ATTR),
                            number_attr::<u32>(&old, REQUESTS_ATTR),
                        ) && budget.running(since, now)
                            && requests >= budget.max
                        {
                            return Ok(Admission::Limited {
                                retry_after_seconds: budget.retry_after(since, now),
                            });
                        }
                    }
                    other => return Err(StoreError::Aws(other.into())),
                },
                Err(error) => return Err(StoreError::Aws(error.into())),
            }
            // The window has passed (or never opened): open a new one with this request.
            let opened = update()
                .update_expression("SET #used = :now, #n = :one, #since = :now")
                .condition_expression(format!(
                    "{WORKS} AND (attribute_not_exists(#since) OR #since <= :window_start)"
                ))
                .send()
                .await;
            match opened {
                Ok(out) => {
                    return Ok(Admission::Admitted(holder(
                        &out.attributes.unwrap_or_default(),
                    )?));
                }
                Err(SdkError::ServiceError(e))
                    if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) => {}
                Err(error) => return Err(StoreError::Aws(error.into())),
            }
        }
        Err(StoreError::Aws(anyhow::anyhow!(
            "an API key's rate window kept moving"
        )))
    }

    /// When a request last used the key whose secret has `digest`.
    pub async fn api_key_last_used(&self, digest: &str) -> Result<Option<Timestamp>, StoreError> {
        let out = self
            .db
            .get_item()
            .table_name(self.table.as_ref())
            .set_key(Some(item::key_attributes(&keys::api_key_lookup(digest))))
            .projection_expression("#used")
            .expression_attribute_names("#used", LAST_USED_ATTR)
            .send()
            .await
            .map_err(|e| StoreError::Aws(e.into()))?;
        Ok(out
            .item
            .and_then(|attrs| number_attr::<i64>(&attrs, LAST_USED_ATTR).ok())
            .and_then(Timestamp::from_unix_seconds))
    }
}

impl Tx {
    /// Creates the account's record of a new key, naming its lookup item for the purge.
    pub fn create_api_key<R: super::Record>(
        &mut self,
        key: &super::ItemKey,
        record: &R,
        digest: &str,
    ) -> &mut Self {
        let lookup = keys::api_key_lookup(digest).pk;
        self.try_push(key, Expect::Absent, |tx| {
            let mut attrs = item::encode_new(tx.cipher(), key, record, tx.now())?;
            attrs.insert(LOOKUP_ATTR.into(), AttributeValue::S(lookup));
            tx.put_new(attrs)
        })
    }

    /// Creates the lookup item of a new key of this account's.
    pub fn create_api_key_lookup(
        &mut self,
        digest: &str,
        id: &ApiKeyId,
        user: &UserId,
        scope: Scope,
        expires: Option<Timestamp>,
        name: &str,
    ) -> &mut Self {
        let key = keys::api_key_lookup(digest);
        let tenant = self.tenant().ulid().to_string();
        let (id, user) = (id.ulid().to_string(), user.ulid().to_string());
        self.try_push_key_item(&key, Expect::Absent, |tx| {
            let sealed = tx.cipher().seal(key.pk.as_bytes(), name.as_bytes());
            let mut attrs = item::key_attributes(&key);
            attrs.insert(item::TYPE.into(), AttributeValue::S("api-key".into()));
            attrs.insert(TENANT_ATTR.into(), AttributeValue::S(tenant));
            attrs.insert(KEY_ATTR.into(), AttributeValue::S(id));
            attrs.insert(USER_ATTR.into(), AttributeValue::S(user));
            attrs.insert(SCOPE_ATTR.into(), AttributeValue::S(scope.as_str().into()));
            attrs.insert(NAME_ATTR.into(), AttributeValue::B(Blob::new(sealed)));
            if let Some(expires) = expires {
                // Also DynamoDB's TTL: an expired key's item goes away by itself.
                attrs.insert(EXPIRES_ATTR.into(), number(expires.unix_seconds()));
            }
            tx.put_new(attrs)
        })
    }

    /// Revokes a key of this account's: from the next request on it lets nothing in.
    pub fn revoke_api_key_lookup(&mut self, digest: &str) -> &mut Self {
        let key = keys::api_key_lookup(digest);
        let tenant = self.tenant().ulid().to_string();
        let now = self.now().unix_seconds();
        self.try_push_key_item(&key, Expect::Check, |tx| {
            let update = Update::builder()
                .table_name(tx.table())
                .set_key(Some(item::key_attributes(&key)))
                .update_expression("SET #revoked = :now")
                .condition_expression("attribute_exists(PK) AND #tenant = :tenant")
                .expression_attribute_names("#revoked", REVOKED_ATTR)
                .expression_attribute_names("#tenant", TENANT_ATTR)
                .expression_attribute_values(":now", number(now))
                .expression_attribute_values(":tenant", AttributeValue::S(tenant));
            Ok(TransactWriteItem::builder()
                .update(finish(update.build())?)
                .build())
        })
    }

    /// Makes the transaction depend on the key whose secret has `digest` still working (a
    /// write made with a key commits only while it does) and on the account being active.
    pub fn require_api_key(&mut self, digest: &str) -> &mut Self {
        let key = keys::api_key_lookup(digest);
        let tenant = self.tenant().ulid().to_string();
        let now = self.now().unix_seconds();
        self.require_active_account()
            .try_push_key_item(&key, Expect::Session, |tx| {
                let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
                    .table_name(tx.table())
                    .set_key(Some(item::key_attributes(&key)))
                    .condition_expression(format!("{WORKS} AND #tenant = :tenant"))
                    .expression_attribute_names("#revoked", REVOKED_ATTR)
                    .expression_attribute_names("#expires", EXPIRES_ATTR)
                    .expression_attribute_names("#tenant", TENANT_ATTR)
                    .expression_attribute_values(":now", number(now))
                    .expression_attribute_values(":tenant", AttributeValue::S(tenant));
                Ok(TransactWriteItem::builder()
                    .condition_check(finish(check.build())?)
                    .build())
            })
    }
}
