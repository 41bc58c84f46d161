//! Sessions. Each session is an item of its own. A session is live while the account is active
//! at the token's version, the user exists and the session item exists and has not expired.
//! Reads check that concurrently with their data read ([`Store::session_is_live`]); writes make
//! their transaction depend on it ([`Tx::require_session`]), so no change is ever applied under
//! an ended session.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};

use super::account::{account_get, account_state, plain_get};
use super::item::{self, Attributes, EXPIRES_ATTR, number, number_attr};
use super::records::SessionRecord;
use super::tx::{
    ACCOUNT_ACTIVE, ACCOUNT_DELETED, ACCOUNT_STATUS_ATTR, Expect, PURGE_DUE_ATTR, PURGE_QUEUE_PK,
    PURGE_QUEUE_SK, SESSION_VERSION_ATTR, finish,
};
use super::{Store, StoreError, Tx, WRAPPED_KEY_ATTR, keys};
use crate::domain::{SessionId, TenantId, Timestamp, UserId};

/// The claims of a verified session token that the store checks against the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCheck {
    pub user: UserId,
    pub session: SessionId,
    pub version: u64,
    /// Now, in unix seconds: an expired session item is not live even before TTL removes it.
    pub now: i64,
    /// A session not used for this long has ended, whatever its expiry (the idle timeout).
    pub idle_seconds: i64,
}

/// The session item's last use (unix seconds), written at its start and then at most once in
/// [`TOUCH_AFTER_SECONDS`]: the idle timeout is measured from it.
pub(crate) const SEEN_ATTR: &str = "seen_at";
/// When the session last confirmed the password (unix seconds).
const REAUTH_ATTR: &str = "reauth_at";
/// How stale the last use may be before a request writes it again: one write in five minutes
/// of use at most, so an idle timeout of `n` seconds ends a session after `n − 300` to `n`.
const TOUCH_AFTER_SECONDS: i64 = 300;

impl SessionCheck {
    /// The latest last use that is still too old: a session last used then or before is idle.
    fn idle_since(&self) -> i64 {
        self.now.saturating_sub(self.idle_seconds)
    }
}

impl Store {
    /// Whether the session is live: account active at the token's version, user present,
    /// session item present, unexpired and used within the idle timeout. One consistent read of
    /// the three items; a live session whose last use is older than five minutes is then
    /// marked used now (one `UpdateItem`).
    pub async fn session_is_live(
        &self,
        tenant: &TenantId,
        check: &SessionCheck,
    ) -> Result<bool, StoreError> {
        let session_key = keys::session(tenant, &check.session);
        let db = self.db_of(tenant).await?;
        let items = self
            .transact_get(
                &db,
                vec![
                    account_get(self, tenant)?,
                    plain_get(self, &keys::user(tenant, &check.user), &[item::PK])?,
                    plain_get(self, &session_key, &[EXPIRES_ATTR, SEEN_ATTR])?,
                ],
            )
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
        let (session_live, seen) = match session {
            Some(attrs) => {
                // A session started before the idle timeout existed counts as used at its read.
                let seen = match attrs.get(SEEN_ATTR) {
                    Some(_) => number_attr::<i64>(&attrs, SEEN_ATTR)?,
                    None => check.now,
                };
                let live = number_attr::<i64>(&attrs, EXPIRES_ATTR)? > check.now
                    && seen > check.idle_since();
                (live, seen)
            }
            None => (false, check.now),
        };
        let live = account_live && user.is_some() && session_live;
        if live && check.now - seen >= TOUCH_AFTER_SECONDS {
            self.mark_used(&db, &session_key, check).await?;
        }
        Ok(live)
    }

    /// Marks the session as having confirmed the password (and second factor) at `now`: what
    /// a change of the bank account or a complete export asks for within a few minutes.
    pub async fn mark_reauthenticated(
        &self,
        tenant: &TenantId,
        session: &SessionId,
        now: i64,
    ) -> Result<(), StoreError> {
        self.db_of(tenant)
            .await?
            .update_item()
            .table_name(self.table())
            .set_key(Some(item::key_attributes(&keys::session(tenant, session))))
            .update_expression("SET #reauth = :now")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#reauth", REAUTH_ATTR)
            .expression_attribute_values(":now", number(now))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::Aws(e.into()))
    }

    /// When the session last confirmed the password (unix seconds), if it has.
    pub async fn reauthenticated_at(
        &self,
        tenant: &TenantId,
        session: &SessionId,
    ) -> Result<Option<i64>, StoreError> {
        let found = self
            .db_of(tenant)
            .await?
            .get_item()
            .table_name(self.table())
            .set_key(Some(item::key_attributes(&keys::session(tenant, session))))
            .consistent_read(true)
            .projection_expression("#reauth")
            .expression_attribute_names("#reauth", REAUTH_ATTR)
            .send()
            .await
            .map_err(|e| StoreError::Aws(e.into()))?;
        match found.item {
            Some(attrs) if attrs.contains_key(REAUTH_ATTR) => {
                Ok(Some(number_attr::<i64>(&attrs, REAUTH_ATTR)?))
            }
            _ => Ok(None),
        }
    }

    /// Writes the session's last use, unless it has been removed (logout) or written later.
    async fn mark_used(
        &self,
        db: &aws_sdk_dynamodb::Client,
        session_key: &keys::ItemKey,
        check: &SessionCheck,
    ) -> Result<(), StoreError> {
        let written = db
            .update_item()
            .table_name(self.table())
            .set_key(Some(item::key_attributes(session_key)))
            .update_expression("SET #seen = :now")
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(#seen) OR #seen < :now)",
            )
            .expression_attribute_names("#seen", SEEN_ATTR)
            .expression_attribute_values(":now", number(check.now))
            .send()
            .await;
        match written {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(())
            }
            Err(error) => Err(StoreError::Aws(error.into())),
        }
    }
}

impl Tx {
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
            attrs.insert(SEEN_ATTR.into(), number(tx.now().unix_seconds()));
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

    /// Closes the account: marks it deleted and due for purge at `purge_due` (its entry in the
    /// purge queue, GSI1), ends every session (the session version moves on from `current`),
    /// and destroys its wrapped data key, so nothing sealed under it can be opened again, not
    /// even from a copy of the table. Fails with `SessionEnded` unless the account is active at
    /// that version.
    pub fn close_account(&mut self, current: u64, purge_due: Timestamp) -> &mut Self {
        let key = keys::account(self.tenant());
        let (queue, entry) = keys::purge_queue_entry(self.tenant(), purge_due.unix_seconds());
        self.try_push(&key, Expect::Session, |tx| {
            let update = Update::builder()
                .table_name(tx.table())
                .set_key(Some(item::key_attributes(&key)))
                .update_expression(
                    "SET #status = :deleted, #ssv = :next, #gpk = :queue, #gsk = :entry, \
                     #due = :due REMOVE #dk",
                )
                .condition_expression("#status = :active AND #ssv = :current")
                .expression_attribute_names("#ssv", SESSION_VERSION_ATTR)
                .expression_attribute_names("#status", ACCOUNT_STATUS_ATTR)
                .expression_attribute_names("#gpk", PURGE_QUEUE_PK)
                .expression_attribute_names("#gsk", PURGE_QUEUE_SK)
                .expression_attribute_names("#due", PURGE_DUE_ATTR)
                .expression_attribute_names("#dk", WRAPPED_KEY_ATTR)
                .expression_attribute_values(":next", number(current.saturating_add(1)))
                .expression_attribute_values(":current", number(current))
                .expression_attribute_values(":active", AttributeValue::S(ACCOUNT_ACTIVE.into()))
                .expression_attribute_values(":deleted", AttributeValue::S(ACCOUNT_DELETED.into()))
                .expression_attribute_values(":queue", AttributeValue::S(queue.clone()))
                .expression_attribute_values(":entry", AttributeValue::S(entry.clone()))
                .expression_attribute_values(
                    ":due",
                    number(purge_due.unix_seconds().max(0) as u64),
                );
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

    /// That the account is active (a write made with an API key: keys do not follow the
    /// session version, which a password change moves).
    pub fn require_active_account(&mut self) -> &mut Self {
        let tenant = *self.tenant();
        self.push_condition(
            &keys::account(&tenant),
            Expect::Session,
            "#status = :active",
            &[("#status", ACCOUNT_STATUS_ATTR)],
            &[(":active", AttributeValue::S(ACCOUNT_ACTIVE.into()))],
        )
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
            "#exp > :now AND (attribute_not_exists(#seen) OR #seen > :idle_since)",
            &[("#exp", EXPIRES_ATTR), ("#seen", SEEN_ATTR)],
            &[
                (":now", number(check.now)),
                (":idle_since", number(check.idle_since())),
            ],
        )
    }
}
