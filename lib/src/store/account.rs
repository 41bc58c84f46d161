//! Accounts, logins and sessions: the items that decide who may act for a tenant.
//!
//! The account item carries the plain `status` and session version (`ssv`); each session is an
//! item of its own. A session is live while the account is active at the token's version, the
//! user exists and the session item exists and has not expired. Reads check that concurrently
//! with their data read ([`Store::session_is_live`]); writes make their transaction depend on it
//! ([`Tx::require_session`]), so no change is ever applied under an ended session.

use std::collections::HashMap;

use anyhow::Context as _;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Get, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactGetItem,
    TransactWriteItem, Update,
};
use zeroize::Zeroizing;

use super::item::{self, Attributes};
use super::records::{AuditEntry, SessionRecord};
use super::tx::{
    ACCOUNT_ACTIVE, ACCOUNT_STATUS_ATTR, Expect, SESSION_VERSION_ATTR, finish, number,
};
use super::{ItemKey, Record, Store, StoreError, Stored, Tx, WRAPPED_KEY_ATTR, keys};
use crate::crypto::WrappedKey;
use crate::domain::throttle::{Attempt, Budget};
use crate::domain::{SessionId, TenantId, UserId};

/// Plain attributes of the unique-email item: which login the address belongs to.
const EMAIL_TENANT_ATTR: &str = "tenant";
const EMAIL_USER_ATTR: &str = "user";
/// Plain attributes of a login-attempt counter: guesses counted since the window opened.
const ATTEMPTS_ATTR: &str = "attempts";
const ATTEMPTS_SINCE_ATTR: &str = "since";
/// DynamoDB's TTL attribute (unix seconds), as template.yaml declares it.
pub(crate) const EXPIRES_ATTR: &str = "expires_at";

/// Purpose of the service key the email HMAC uses (its KMS encryption context).
const EMAIL_INDEX_PURPOSE: &str = "email-index";

/// What a login or session check needs to know of the account item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountState {
    pub active: bool,
    pub session_version: u64,
}

/// The claims of a verified session token that the store checks against the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCheck {
    pub user: UserId,
    pub session: SessionId,
    pub version: u64,
    /// Now, in unix seconds: an expired session item is not live even before TTL removes it.
    pub now: i64,
}

impl Store {
    /// The key the email HMAC uses. Created (by KMS, stored wrapped) by the first container that
    /// needs it; every later one reads and unwraps it. Callers cache it for the container's life.
    pub async fn email_index_key(&self) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        let key = keys::email_index_key();
        if let Some(wrapped) = self.read_wrapped(&key).await? {
            return Ok(self
                .keyring()
                .unwrap_service_key(EMAIL_INDEX_PURPOSE, &wrapped)
                .await?);
        }
        let (wrapped, plaintext) = self
            .keyring()
            .create_service_key(EMAIL_INDEX_PURPOSE)
            .await?;
        let mut attrs = item::key_attributes(&key);
        attrs.insert(
            WRAPPED_KEY_ATTR.into(),
            AttributeValue::B(Blob::new(wrapped.0)),
        );
        let put = self
            .db
            .put_item()
            .table_name(self.table.as_ref())
            .set_item(Some(attrs))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(plaintext),
            // Another container created it first: use theirs, so every container agrees.
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                let wrapped = self.read_wrapped(&key).await?.ok_or_else(|| {
                    StoreError::Corrupt(anyhow::anyhow!("email index key vanished"))
                })?;
                Ok(self
                    .keyring()
                    .unwrap_service_key(EMAIL_INDEX_PURPOSE, &wrapped)
                    .await?)
            }
            Err(e) => Err(StoreError::Aws(e.into())),
        }
    }

    async fn read_wrapped(&self, key: &ItemKey) -> Result<Option<WrappedKey>, StoreError> {
        let out = self
            .db
            .get_item()
            .table_name(self.table.as_ref())
            .set_key(Some(item::key_attributes(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::Aws(e.into()))?;
        Ok(out
            .item
            .and_then(|attrs| match attrs.get(WRAPPED_KEY_ATTR) {
                Some(AttributeValue::B(blob)) => Some(WrappedKey(blob.clone().into_inner())),
                _ => None,
            }))
    }

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
        if !key.pk.starts_with(keys::EMAIL_PARTITION_PREFIX) {
            return Err(StoreError::OutsideTenant);
        }
        let window_start = now - budget.window_seconds;
        // A window opened or reset by a concurrent guess between our two forms: try again.
        for _ in 0..3 {
            let counted = self
                .db
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
            let opened = self
                .db
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
            "failed-login counter kept changing under concurrent updates"
        )))
    }

    /// A record of the tenant together with the account's state, read in one consistent
    /// transaction (a login needs the user and the account's session version together).
    pub async fn get_with_account<R: Record>(
        &self,
        tenant: &TenantId,
        key: &ItemKey,
    ) -> Result<(Option<AccountState>, Option<Stored<R>>), StoreError> {
        super::ensure_in_tenant(tenant, key)?;
        let read = async {
            self.transact_get(vec![
                account_get(self, tenant)?,
                plain_get(self, key, None)?,
            ])
            .await
        };
        let (mut items, cipher) = tokio::try_join!(read, self.cipher(tenant))?;
        let record = items
            .pop()
            .flatten()
            .map(|attrs| item::decode::<R>(&cipher, &attrs))
            .transpose()?;
        let account = items
            .pop()
            .flatten()
            .map(|attrs| account_state(&attrs))
            .transpose()?;
        Ok((account, record))
    }

    /// The read a login of a known address makes ([`Store::get_with_account`] without the
    /// decryption), made for an unknown address so that both take as long.
    pub async fn decoy_login_read(&self) -> Result<(), StoreError> {
        let tenant = TenantId::generate();
        let user = keys::user(&tenant, &UserId::generate());
        self.transact_get(vec![
            account_get(self, &tenant)?,
            plain_get(self, &user, None)?,
        ])
        .await
        .map(|_| ())
    }

    /// Whether the session is live: account active at the token's version, user present,
    /// session item present and unexpired. One consistent read of the three items.
    pub async fn session_is_live(
        &self,
        tenant: &TenantId,
        check: &SessionCheck,
    ) -> Result<bool, StoreError> {
        let session_key = keys::session(tenant, &check.session);
        let items = self
            .transact_get(vec![
                account_get(self, tenant)?,
                plain_get(self, &keys::user(tenant, &check.user), Some(item::PK))?,
                plain_get(self, &session_key, Some(EXPIRES_ATTR))?,
            ])
            .await?;
        let [account, user, session] = <[Option<Attributes>; 3]>::try_from(items)
            .map_err(|_| StoreError::Corrupt(anyhow::anyhow!("transaction read count")))?;
        let account_live = match account {
            Some(attrs) => {
                let state = account_state(&attrs)?;
                state.active && state.session_version == check.version
            }
            None => false,
        };
        let session_live = match session {
            Some(attrs) => number_attr::<i64>(&attrs, EXPIRES_ATTR)? > check.now,
            None => false,
        };
        Ok(account_live && user.is_some() && session_live)
    }

    async fn transact_get(
        &self,
        gets: Vec<TransactGetItem>,
    ) -> Result<Vec<Option<Attributes>>, StoreError> {
        let expected = gets.len();
        let out = self
            .db
            .transact_get_items()
            .set_transact_items(Some(gets))
            .send()
            .await
            .map_err(|e| StoreError::Aws(e.into()))?;
        let responses: Vec<_> = out
            .responses
            .unwrap_or_default()
            .into_iter()
            .map(|response| response.item.filter(|attrs| !attrs.is_empty()))
            .collect();
        if responses.len() != expected {
            return Err(StoreError::Corrupt(anyhow::anyhow!(
                "transaction read returned {} of {expected} items",
                responses.len()
            )));
        }
        Ok(responses)
    }
}

fn account_get(store: &Store, tenant: &TenantId) -> Result<TransactGetItem, StoreError> {
    let get = Get::builder()
        .table_name(store.table.as_ref())
        .set_key(Some(item::key_attributes(&keys::account(tenant))))
        .projection_expression("#status, #ssv")
        .expression_attribute_names("#status", ACCOUNT_STATUS_ATTR)
        .expression_attribute_names("#ssv", SESSION_VERSION_ATTR);
    Ok(TransactGetItem::builder().get(finish(get.build())?).build())
}

fn plain_get(
    store: &Store,
    key: &ItemKey,
    only: Option<&str>,
) -> Result<TransactGetItem, StoreError> {
    let mut get = Get::builder()
        .table_name(store.table.as_ref())
        .set_key(Some(item::key_attributes(key)));
    if let Some(attribute) = only {
        get = get
            .projection_expression("#only")
            .expression_attribute_names("#only", attribute);
    }
    Ok(TransactGetItem::builder().get(finish(get.build())?).build())
}

fn account_state(attrs: &Attributes) -> Result<AccountState, StoreError> {
    let active =
        matches!(attrs.get(ACCOUNT_STATUS_ATTR), Some(AttributeValue::S(s)) if s == ACCOUNT_ACTIVE);
    Ok(AccountState {
        active,
        session_version: number_attr(attrs, SESSION_VERSION_ATTR)?,
    })
}

fn number_attr<T: std::str::FromStr>(
    attrs: &HashMap<String, AttributeValue>,
    name: &str,
) -> Result<T, StoreError> {
    match attrs.get(name) {
        Some(AttributeValue::N(n)) => n
            .parse()
            .map_err(|_| StoreError::Corrupt(anyhow::anyhow!("attribute {name} out of range"))),
        _ => Err(StoreError::Corrupt(anyhow::anyhow!(
            "attribute {name} missing"
        ))),
    }
}

fn ulid_attr(attrs: &Attributes, name: &str) -> Result<ulid::Ulid, StoreError> {
    match attrs.get(name) {
        Some(AttributeValue::S(s)) => ulid::Ulid::from_string(s)
            .context("not a ULID")
            .map_err(StoreError::Corrupt),
        _ => Err(StoreError::Corrupt(anyhow::anyhow!(
            "attribute {name} missing"
        ))),
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

    /// Starts a session that ends at `expires_at` (unix seconds), or earlier if revoked.
    pub fn start_session(
        &mut self,
        user: &UserId,
        session: &SessionId,
        expires_at: i64,
    ) -> &mut Self {
        let key = keys::session(self.tenant(), session);
        let record = SessionRecord { user: *user };
        self.try_push(&key, Expect::Absent, |tx| {
            let mut attrs = item::encode_new(tx.cipher(), &key, &record, tx.now())?;
            attrs.insert(EXPIRES_ATTR.into(), number(expires_at));
            tx.put_new(attrs)
        })
    }

    /// Ends one session (logout); fails with `SessionEnded` if it had already ended.
    pub fn end_session(&mut self, session: &SessionId) -> &mut Self {
        let key = keys::session(self.tenant(), session);
        self.try_push(&key, Expect::Session, |tx| {
            let delete = Delete::builder()
                .table_name(tx.table())
                .set_key(Some(item::key_attributes(&key)))
                .condition_expression("attribute_exists(PK)");
            Ok(TransactWriteItem::builder()
                .delete(finish(delete.build())?)
                .build())
        })
    }

    /// Ends every session of the account at once by raising its session version from
    /// `current`; fails with `SessionEnded` if the account is not active at that version.
    pub fn advance_session_version(&mut self, current: u64) -> &mut Self {
        let key = keys::account(self.tenant());
        self.try_push(&key, Expect::Session, |tx| {
            let update = Update::builder()
                .table_name(tx.table())
                .set_key(Some(item::key_attributes(&key)))
                .update_expression("SET #ssv = :next")
                .condition_expression("#status = :active AND #ssv = :current")
                .expression_attribute_names("#ssv", SESSION_VERSION_ATTR)
                .expression_attribute_names("#status", ACCOUNT_STATUS_ATTR)
                .expression_attribute_values(":next", number(current.saturating_add(1)))
                .expression_attribute_values(":current", number(current))
                .expression_attribute_values(":active", AttributeValue::S(ACCOUNT_ACTIVE.into()));
            Ok(TransactWriteItem::builder()
                .update(finish(update.build())?)
                .build())
        })
    }

    /// Makes the transaction depend on the session being live (see [`Store::session_is_live`]):
    /// if it has ended, nothing is written and the commit fails with `SessionEnded`.
    pub fn require_session(&mut self, check: &SessionCheck) -> &mut Self {
        self.require_account(check).require_live_session_item(check)
    }

    /// The account and user half of [`Tx::require_session`]: the account is active at the
    /// session's version and the user exists.
    pub fn require_account(&mut self, check: &SessionCheck) -> &mut Self {
        let tenant = *self.tenant();
        self.push_condition(
            &keys::account(&tenant),
            Expect::Session,
            "#status = :active AND #ssv = :version",
            &[
                ("#status", ACCOUNT_STATUS_ATTR),
                ("#ssv", SESSION_VERSION_ATTR),
            ],
            &[
                (":active", AttributeValue::S(ACCOUNT_ACTIVE.into())),
                (":version", number(check.version)),
            ],
        )
        .push_condition(
            &keys::user(&tenant, &check.user),
            Expect::Session,
            "attribute_exists(PK)",
            &[],
            &[],
        )
    }

    /// The session-item half of [`Tx::require_session`]: not logged out, not expired.
    pub fn require_live_session_item(&mut self, check: &SessionCheck) -> &mut Self {
        let tenant = *self.tenant();
        self.push_condition(
            &keys::session(&tenant, &check.session),
            Expect::Session,
            "#exp > :now",
            &[("#exp", EXPIRES_ATTR)],
            &[(":now", number(check.now))],
        )
    }

    /// Adds an entry to the account's audit trail, written with the rest of the transaction.
    pub fn audit(&mut self, entry: &AuditEntry) -> &mut Self {
        let key = keys::audit(self.tenant(), &crate::domain::ids::next_ulid());
        self.create(&key, entry)
    }
}
