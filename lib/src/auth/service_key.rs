//! The service's own MAC key, and the two keys derived from it:
//! - the unique-email index: an HMAC-SHA-256 of the normalised address, so the table holds no
//!   address, and no one can test an address against it without KMS;
//! - device cookies: the tag that proves a device cookie was issued by us for that user.
//!
//! The key is created by KMS, stored wrapped, and unwrapped once per container (decision 0006).
//! Each use has its own derived key (HMAC of a label under the service key).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::sync::OnceCell;

use crate::domain::values::EmailAddress;
use crate::store::{Store, StoreError};

const EMAIL_INDEX_LABEL: &[u8] = b"invoiceflow/email-index/v1";
const DEVICE_COOKIE_LABEL: &[u8] = b"invoiceflow/device-cookie/v1";
const LOGIN_CLIENT_LABEL: &[u8] = b"invoiceflow/login-client/v1";

struct Derived {
    email_index: Hmac<Sha256>,
    device_cookie: Hmac<Sha256>,
    login_client: Hmac<Sha256>,
}

#[derive(Default)]
pub struct ServiceKey {
    derived: OnceCell<Derived>,
}

fn derive(key: &[u8], label: &[u8]) -> Result<Hmac<Sha256>, StoreError> {
    let bad_length = || StoreError::Corrupt(anyhow::anyhow!("service key length"));
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|_| bad_length())?;
    mac.update(label);
    let subkey = zeroize::Zeroizing::new(mac.finalize().into_bytes());
    <Hmac<Sha256> as KeyInit>::new_from_slice(&subkey).map_err(|_| bad_length())
}

impl ServiceKey {
    async fn derived(&self, store: &Store) -> Result<&Derived, StoreError> {
        self.derived
            .get_or_try_init(|| async {
                let key = store.email_index_key().await?;
                Ok(Derived {
                    email_index: derive(&key, EMAIL_INDEX_LABEL)?,
                    device_cookie: derive(&key, DEVICE_COOKIE_LABEL)?,
                    login_client: derive(&key, LOGIN_CLIENT_LABEL)?,
                })
            })
            .await
    }

    /// The digest that keys the address's items (hex, 64 characters).
    pub async fn email_digest(
        &self,
        store: &Store,
        email: &EmailAddress,
    ) -> Result<String, StoreError> {
        let mut mac = self.derived(store).await?.email_index.clone();
        mac.update(email.normalised().as_bytes());
        Ok(hex::encode(mac.finalize().into_bytes()))
    }

    /// What names a client's login budget (hex, 32 characters): a MAC of its network (an IPv4
    /// address; an IPv6 address's /64, what one subscriber is given), so the table holds no
    /// address. Clients of no known address share one budget.
    pub async fn login_client(
        &self,
        store: &Store,
        ip: Option<std::net::IpAddr>,
    ) -> Result<String, StoreError> {
        let network = match ip {
            Some(std::net::IpAddr::V4(v4)) => format!("v4:{v4}"),
            Some(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => format!("v4:{v4}"),
                None => {
                    let segments = v6.segments();
                    format!("v6:{:x?}", &segments[..4])
                }
            },
            None => "none".to_owned(),
        };
        let mut mac = self.derived(store).await?.login_client.clone();
        mac.update(network.as_bytes());
        Ok(hex::encode(&mac.finalize().into_bytes()[..16]))
    }

    /// The MAC of a device cookie's payload.
    pub async fn device_mac(&self, store: &Store) -> Result<Hmac<Sha256>, StoreError> {
        Ok(self.derived(store).await?.device_cookie.clone())
    }
}
