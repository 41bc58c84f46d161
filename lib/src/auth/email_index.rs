//! The unique-email index: an HMAC-SHA-256 of the normalised address under a key of the
//! service's own, so the table holds no address, and no one can test an address against it
//! without KMS. The key is unwrapped once per container (see decision 0006).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::sync::OnceCell;

use crate::domain::values::EmailAddress;
use crate::store::{Store, StoreError};

#[derive(Default)]
pub struct EmailIndex {
    key: OnceCell<Hmac<Sha256>>,
}

impl EmailIndex {
    /// The digest that keys the address's items (hex, 64 characters).
    pub async fn digest(&self, store: &Store, email: &EmailAddress) -> Result<String, StoreError> {
        let mac = self
            .key
            .get_or_try_init(|| async {
                let key = store.email_index_key().await?;
                Hmac::<Sha256>::new_from_slice(&key)
                    .map_err(|_| StoreError::Corrupt(anyhow::anyhow!("email index key length")))
            })
            .await?;
        let mut mac = mac.clone();
        mac.update(email.normalised().as_bytes());
        Ok(mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect())
    }
}
