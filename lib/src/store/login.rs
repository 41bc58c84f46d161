//! Logins: the unique-email item that maps an address (as an HMAC) to its login, and the
//! counters that bound password guesses (`domain::throttle`), all in the address's partition.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, ReturnValue, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem,
};

use super::account::{account_get, plain_get};
use super::item::{self, EXPIRES_ATTR, number, number_attr, ulid_attr};
use super::tx::{Expect, finish};
use super::{ItemKey, Store, StoreError, Tx, keys};
use crate::domain::throttle::{Attempt, Budget};
use crate::domain::{TenantId, UserId};

/// Plain attributes of the unique-email item: which login the address belongs to.
const EMAIL_TENANT_ATTR: &str = "tenant";
const EMAIL_USER_ATTR: &str = "user";
/// Plain attributes of a login-attempt counter: guesses counted since the window opened.
const ATTEMPTS_ATTR: &str = "attempts";
const ATTEMPTS_SINCE_ATTR: &str = "since";

impl Store {
    /// The login an email digest belongs to, if any: one consistent `GetItem`, the same for a
    /// known and an unknown address.
    pub async fn find_login(
        &self,
        email_digest: &str,
    ) -> Result<Option<(TenantId, UserId)>, StoreError> {
        let out = self
            .db
            .get_item()
            .table_name(self.table.as_ref())
            .set_key(Some(item::key_attributes(&keys::email(email_digest))))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::Aws(e.into()))?;
        let Some(attrs) = out.item.filter(|attrs| !attrs.is_empty()) else {
            return Ok(None);
        };
        let tenant = ulid_attr(&attrs, EMAIL_TENANT_ATTR)?;
        let user = ulid_attr(&attrs, EMAIL_USER_ATTR)?;
        Ok(Some((TenantId::from_ulid(tenant), UserId::from_ulid(user))))
    }

    /// Counts one password guess against the budget kept at `key` (an address's or a device's
    /// counter), before the guess is checked. One conditional update decides, so however
    /// requests interleave, no more than `budget.max` guesses per window are ever allowed.
    pub async fn count_login_attempt(
        &self,
        key: &ItemKey,
        budget: Budget,
        now: i64,
    ) -> Result<Attempt, StoreError> {
        if !keys::in_email_partition(key) {
            return Err(StoreError::OutsideTenant);
        }
        self.count_in_window(&self.db, key, budget, now).await
    }

    /// Counts one use of the account's quota `name` (`exports`, `pdfs`, `mails`) against
    /// `budget`, before the work is done: as a guess is counted, one conditional update.
    pub async fn count_use(
        &self,
        tenant: &TenantId,
        name: &str,
        budget: Budget,
        now: i64,
    ) -> Result<Attempt, StoreError> {
        let db = self.db_of(tenant).await?;
        self.count_in_window(&db, &keys::quota(tenant, name), budget, now)
            .await
    }

    /// One more in the fixed window of the counter at `key`, counted with `db` (the function's
    /// own client for an address's counters, the tenant's for its quotas): allowed while the
    /// window runs and the budget lasts, a new window once it has passed.
    async fn count_in_window(
        &self,
        db: &aws_sdk_dynamodb::Client,
        key: &ItemKey,
        budget: Budget,
        now: i64,
    ) -> Result<Attempt, StoreError> {
        let window_start = now - budget.window_seconds;
        // A window opened or reset by a concurrent guess between our two forms: try again.
        for _ in 0..3 {
            let counted = db
                .update_item()
                .table_name(self.table.as_ref())
                .set_key(Some(item::key_attributes(key)))
                // The first guess of a window creates the counter; later ones add to it while
                // the window runs and the budget lasts. One call either way.
                .update_expression(
                    "SET #n = if_not_exists(#n, :zero) + :one, \
                     #since = if_not_exists(#since, :now), #exp = if_not_exists(#exp, :expires)",
                )
                .condition_expression(
                    "attribute_not_exists(PK) OR (#since > :window_start AND #n < :max)",
                )
                .expression_attribute_names("#n", ATTEMPTS_ATTR)
                .expression_attribute_names("#since", ATTEMPTS_SINCE_ATTR)
                .expression_attribute_names("#exp", EXPIRES_ATTR)
                .expression_attribute_values(":zero", number(0))
                .expression_attribute_values(":one", number(1))
                .expression_attribute_values(":max", number(budget.max))
                .expression_attribute_values(":now", number(now))
                .expression_attribute_values(":expires", number(now + budget.window_seconds))
                .expression_attribute_values(":window_start", number(window_start))
                .return_values(ReturnValue::UpdatedNew)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .send()
                .await;
            match counted {
                Ok(out) => {
                    let attrs = out.attributes.unwrap_or_default();
                    return Ok(Attempt::Allowed {
                        nth: number_attr(&attrs, ATTEMPTS_ATTR)?,
                    });
                }
                Err(SdkError::ServiceError(e)) => match e.into_err() {
                    UpdateItemError::ConditionalCheckFailedException(failed) => {
                        let old = failed.item.unwrap_or_default();
                        if let (Ok(since), Ok(attempts)) = (
                            number_attr::<i64>(&old, ATTEMPTS_SINCE_ATTR),
                            number_attr::<u32>(&old, ATTEMPTS_ATTR),
                        ) && budget.running(since, now)
                            && attempts >= budget.max
                        {
                            return Ok(Attempt::Locked {
                                retry_after_seconds: budget.retry_after(since, now),
                            });
                        }
                    }
                    other => return Err(StoreError::Aws(other.into())),
                },
                Err(error) => return Err(StoreError::Aws(error.into())),
            }
            // The window has passed: open a new one with this guess.
            let opened = db
                .update_item()
                .table_name(self.table.as_ref())
                .set_key(Some(item::key_attributes(key)))
                .update_expression("SET #n = :one, #since = :now, #exp = :expires")
                .condition_expression("#since <= :window_start")
                .expression_attribute_names("#n", ATTEMPTS_ATTR)
                .expression_attribute_names("#since", ATTEMPTS_SINCE_ATTR)
                .expression_attribute_names("#exp", EXPIRES_ATTR)
                .expression_attribute_values(":one", number(1))
                .expression_attribute_values(":now", number(now))
                .expression_attribute_values(":expires", number(now + budget.window_seconds))
                .expression_attribute_values(":window_start", number(window_start))
                .send()
                .await;
            match opened {
                Ok(_) => return Ok(Attempt::Allowed { nth: 1 }),
                Err(error) if !conditional_failure(&error) => {
                    return Err(StoreError::Aws(error.into()));
                }
                Err(_) => {}
            }
        }
        Err(StoreError::Aws(anyhow::anyhow!(
            "a counter kept changing under concurrent updates"
        )))
    }

    /// The read a login of a known address makes ([`Store::get_with_account`] without the
    /// decryption), made for an unknown address so that both take as long.
    /// It reads as a tenant of its own that has no account (one per container, so its
    /// credentials are made once, as a known tenant's are).
    pub async fn decoy_login_read(&self) -> Result<(), StoreError> {
        let tenant = self.decoy;
        let user = keys::user(&tenant, &UserId::generate());
        self.transact_get(
            &self.db_of(&tenant).await?,
            vec![account_get(self, &tenant)?, plain_get(self, &user, &[])?],
        )
        .await
        .map(|_| ())
    }
}

impl Store {
    /// The write a failed login of a known address makes (its audit entry, one
    /// `TransactWriteItems`), made for an unknown address so that both take as long and make
    /// the same calls: a condition on an item of a tenant that does not exist, which writes
    /// nothing.
    pub async fn decoy_login_write(&self) -> Result<(), StoreError> {
        let tenant = self.decoy;
        let key = keys::user(&tenant, &UserId::generate());
        let check = ConditionCheck::builder()
            .table_name(self.table.as_ref())
            .set_key(Some(item::key_attributes(&key)))
            .condition_expression("attribute_not_exists(PK)");
        let check = finish(check.build())?;
        self.db_of(&tenant)
            .await?
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().condition_check(check).build())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::Aws(e.into()))
    }
}

fn conditional_failure<R>(error: &SdkError<UpdateItemError, R>) -> bool {
    matches!(error, SdkError::ServiceError(e) if e.err().is_conditional_check_failed_exception())
}

impl Tx {
    /// Reserves an email digest for a login of this account; fails with `AlreadyExists` if the
    /// address is taken.
    pub fn claim_email(&mut self, email_digest: &str, user: &UserId) -> &mut Self {
        let key = keys::email(email_digest);
        let tenant = self.tenant().ulid().to_string();
        self.try_push_email_item(&key, Expect::Absent, |tx| {
            let mut attrs = item::key_attributes(&key);
            attrs.insert(item::TYPE.into(), AttributeValue::S("email".into()));
            attrs.insert(EMAIL_TENANT_ATTR.into(), AttributeValue::S(tenant));
            attrs.insert(
                EMAIL_USER_ATTR.into(),
                AttributeValue::S(user.ulid().to_string()),
            );
            tx.put_new(attrs)
        })
    }

    /// Releases the account's email address (its digest), so that it can sign up again as a
    /// new account; only if the address is this account's.
    pub fn release_email(&mut self, email_digest: &str) -> &mut Self {
        let key = keys::email(email_digest);
        let tenant = self.tenant().ulid().to_string();
        self.try_push_email_item(&key, Expect::Check, |tx| {
            let delete = Delete::builder()
                .table_name(tx.table())
                .set_key(Some(item::key_attributes(&key)))
                .condition_expression("#tenant = :tenant")
                .expression_attribute_names("#tenant", EMAIL_TENANT_ATTR)
                .expression_attribute_values(":tenant", AttributeValue::S(tenant));
            Ok(TransactWriteItem::builder()
                .delete(finish(delete.build())?)
                .build())
        })
    }

    /// Forgets the guesses counted at `key` (an address's or a device's counter), after a
    /// successful login.
    pub fn clear_login_attempts(&mut self, key: &ItemKey) -> &mut Self {
        let key = key.clone();
        self.try_push_email_item(&key, Expect::Check, |tx| {
            let delete = Delete::builder()
                .table_name(tx.table())
                .set_key(Some(item::key_attributes(&key)));
            Ok(TransactWriteItem::builder()
                .delete(finish(delete.build())?)
                .build())
        })
    }
}
