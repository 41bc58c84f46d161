//! `Idempotency-Key` records: a retried create gets the first response, and no second write.
//!
//! A request first claims its key with a conditional put (state `in_progress`, a short lease);
//! the create's own transaction then completes the record with the sealed response. A claim that
//! finds the key taken learns from the old item, in the same call, whether to replay (same
//! request, done), refuse (another request under this key: 422) or wait (same request still in
//! flight: 409). Each claim carries a token of its own, so a request can release only its own
//! claim, never one a duplicate took over after its lease ran out. Records live 24 hours:
//! DynamoDB's TTL removes them, and an expired one is treated as absent before TTL gets to it.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};

use super::item::EXPIRES_ATTR;
use super::item::{self, Attributes};
use super::records::SavedResponse;
use super::tx::{Expect, finish, number};
use super::{Store, StoreError, Tx, keys};
use crate::domain::TenantId;

/// How long a completed record answers retries.
pub const RETENTION_SECONDS: i64 = 24 * 60 * 60;
/// How long a claim holds the key before a retry may take it over (a request that died).
pub const LEASE_SECONDS: i64 = 60;

const STATE_ATTR: &str = "state";
const FINGERPRINT_ATTR: &str = "fp";
const OWNER_ATTR: &str = "owner";
const IN_PROGRESS: &str = "in_progress";
const DONE: &str = "done";

/// A request under an `Idempotency-Key`, as stored: MACs of the key (with its method and path)
/// and of the body, never either in plain.
#[derive(Debug, Clone)]
pub struct IdempotentRequest {
    pub key_digest: String,
    pub fingerprint: String,
}

/// One claim's own token: what lets its request, and only it, release the claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimToken(String);

/// What to do with a request that carries an `Idempotency-Key`.
#[derive(Debug)]
pub enum NextAction {
    /// The key is ours: do the work and complete the record in the same transaction (or
    /// release it with this token if the work fails).
    StartProcessing(ClaimToken),
    /// The same request was answered before: answer the same.
    ReturnSavedResponse(SavedResponse),
    /// The key was used for a different request.
    KeyReused,
    /// The same request is being processed right now.
    InFlight,
}

impl Store {
    /// Claims the request's key.
    pub async fn begin_idempotent(
        &self,
        tenant: &TenantId,
        request: &IdempotentRequest,
    ) -> Result<NextAction, StoreError> {
        let key = keys::idempotency(tenant, &request.key_digest);
        let now = self.clock.now();
        // The claim is the record's metadata; the completion adds the sealed response.
        let mut attrs = item::new_metadata::<SavedResponse>(&key, now);
        attrs.insert(STATE_ATTR.into(), AttributeValue::S(IN_PROGRESS.into()));
        attrs.insert(
            FINGERPRINT_ATTR.into(),
            AttributeValue::S(request.fingerprint.clone()),
        );
        let token = ClaimToken(ulid::Ulid::generate().to_string());
        attrs.insert(OWNER_ATTR.into(), AttributeValue::S(token.0.clone()));
        attrs.insert(
            EXPIRES_ATTR.into(),
            number(now.unix_seconds() + LEASE_SECONDS),
        );
        let claimed = self
            .db_of(tenant)
            .await?
            .put_item()
            .table_name(self.table.as_ref())
            .set_item(Some(attrs))
            .condition_expression("attribute_not_exists(PK) OR #exp < :now")
            .expression_attribute_names("#exp", EXPIRES_ATTR)
            .expression_attribute_values(":now", number(now.unix_seconds()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let old = match claimed {
            Ok(_) => return Ok(NextAction::StartProcessing(token)),
            Err(SdkError::ServiceError(e)) => match e.into_err() {
                PutItemError::ConditionalCheckFailedException(failed) => {
                    failed.item.unwrap_or_default()
                }
                other => return Err(StoreError::Aws(other.into())),
            },
            Err(e) => return Err(StoreError::Aws(e.into())),
        };
        self.judge(tenant, &old, &request.fingerprint).await
    }

    /// What a request whose claim on its key was lost at commit should answer, judged as a
    /// claim would judge it but without claiming: the saved response if a duplicate completed
    /// the key; [`NextAction::InFlight`] if the key is in progress or gone.
    pub async fn after_lost_claim(
        &self,
        tenant: &TenantId,
        request: &IdempotentRequest,
    ) -> Result<NextAction, StoreError> {
        let key = keys::idempotency(tenant, &request.key_digest);
        let read = self
            .db_of(tenant)
            .await?
            .get_item()
            .table_name(self.table.as_ref())
            .set_key(Some(item::key_attributes(&key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::Aws(e.into()))?;
        match read.item {
            Some(old) => self.judge(tenant, &old, &request.fingerprint).await,
            None => Ok(NextAction::InFlight),
        }
    }

    async fn judge(
        &self,
        tenant: &TenantId,
        old: &Attributes,
        fingerprint: &str,
    ) -> Result<NextAction, StoreError> {
        let same_request =
            matches!(old.get(FINGERPRINT_ATTR), Some(AttributeValue::S(fp)) if fp == fingerprint);
        let done = matches!(old.get(STATE_ATTR), Some(AttributeValue::S(s)) if s == DONE);
        Ok(match (same_request, done) {
            (false, _) => NextAction::KeyReused,
            (true, false) => NextAction::InFlight,
            (true, true) => {
                let cipher = self.cipher(tenant).await?;
                NextAction::ReturnSavedResponse(item::decode::<SavedResponse>(&cipher, old)?.record)
            }
        })
    }

    /// Releases a claim whose request failed, so that a retry can run: only while it is still
    /// `token`'s; a claim a duplicate took over, or a completed record, is left as it is.
    pub async fn abandon_idempotent(
        &self,
        tenant: &TenantId,
        request: &IdempotentRequest,
        token: &ClaimToken,
    ) -> Result<(), StoreError> {
        let key = keys::idempotency(tenant, &request.key_digest);
        let deleted = self
            .db_of(tenant)
            .await?
            .delete_item()
            .table_name(self.table.as_ref())
            .set_key(Some(item::key_attributes(&key)))
            .condition_expression("#state = :in_progress AND #owner = :owner")
            .expression_attribute_names("#state", STATE_ATTR)
            .expression_attribute_names("#owner", OWNER_ATTR)
            .expression_attribute_values(":in_progress", AttributeValue::S(IN_PROGRESS.into()))
            .expression_attribute_values(":owner", AttributeValue::S(token.0.clone()))
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(())
            }
            Err(e) => Err(StoreError::Aws(e.into())),
        }
    }
}

impl Tx {
    /// Completes this request's claim on its key with its response, in the transaction that
    /// makes the change. Fails with `ClaimLost` if the claim is no longer this request's.
    pub fn complete_idempotent(
        &mut self,
        request: &IdempotentRequest,
        response: &SavedResponse,
    ) -> &mut Self {
        let key = keys::idempotency(self.tenant(), &request.key_digest);
        let expires = self.now().unix_seconds() + RETENTION_SECONDS;
        self.try_push(&key, Expect::Claim, |tx| {
            let update = Update::builder()
                .table_name(tx.table())
                .set_key(Some(item::key_attributes(&key)))
                .update_expression("SET #ct = :ct, #state = :done, #exp = :expires REMOVE #owner")
                .condition_expression("#state = :in_progress AND #fp = :fp")
                .expression_attribute_names("#ct", item::CONTENT)
                .expression_attribute_names("#owner", OWNER_ATTR)
                .expression_attribute_names("#state", STATE_ATTR)
                .expression_attribute_names("#exp", EXPIRES_ATTR)
                .expression_attribute_names("#fp", FINGERPRINT_ATTR)
                // The claim was written at version 1 and completing it keeps that version.
                .expression_attribute_values(":ct", item::seal(tx.cipher(), &key, response, 1)?)
                .expression_attribute_values(":done", AttributeValue::S(DONE.into()))
                .expression_attribute_values(":in_progress", AttributeValue::S(IN_PROGRESS.into()))
                .expression_attribute_values(":fp", AttributeValue::S(request.fingerprint.clone()))
                .expression_attribute_values(":expires", number(expires));
            Ok(TransactWriteItem::builder()
                .update(finish(update.build())?)
                .build())
        })
    }
}
