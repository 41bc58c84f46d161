//! The service's own MAC key (the email index and device cookies derive theirs from it):
//! created by KMS on first use, stored wrapped in `SYSTEM / EMAIL_INDEX_KEY`, unwrapped by
//! every container that needs it.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use zeroize::Zeroizing;

use super::item;
use super::{ItemKey, Store, StoreError, WRAPPED_KEY_ATTR, keys};
use crate::crypto::WrappedKey;

/// Purpose of the service key (its KMS encryption context).
const EMAIL_INDEX_PURPOSE: &str = "email-index";

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
}
