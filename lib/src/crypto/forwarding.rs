//! The key the web function vouches for its browser with (decision 0027): the browser's
//! address and user agent, with the time, under an HMAC whose key each container derives once
//! from the KMS key `ClientForwardingKey` (one `GenerateMac` of a fixed label). Only the web
//! function and the API's functions may derive it; [`crate::http::client`] uses it.

use std::net::IpAddr;
use std::sync::Arc;

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::MacAlgorithmSpec;
use axum::http::{HeaderName, HeaderValue};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::sync::OnceCell;

use crate::telemetry::Client;

/// The header the web function vouches for its browser with.
pub static FORWARDED_CLIENT: HeaderName = HeaderName::from_static("x-invoiceflow-client");

/// How long a vouching holds: the web function's call to the API is made at once.
pub const MAX_AGE_SECONDS: i64 = 60;

/// The label whose MAC under the forwarding key is every container's MAC key.
const LABEL: &[u8] = b"invoiceflow/client-forwarding/v1";

/// The longest header accepted (an address, 256 bytes of user agent, a time and a MAC, in
/// base64, fit well below it).
const MAX_HEADER_BYTES: usize = 1024;

/// The forwarding key, derived once per container.
#[derive(Clone)]
pub struct Forwarding(Arc<Inner>);

struct Inner {
    kms: Option<crate::aws::Lazy<aws_sdk_kms::Client>>,
    key_id: String,
    mac: OnceCell<Hmac<Sha256>>,
}

impl Forwarding {
    /// The key `key_id` (none: nothing is vouched for, and nothing vouched is believed).
    pub fn new(kms: crate::aws::Lazy<aws_sdk_kms::Client>, key_id: &str) -> Self {
        Self(Arc::new(Inner {
            kms: (!key_id.is_empty()).then_some(kms),
            key_id: key_id.to_owned(),
            mac: OnceCell::new(),
        }))
    }

    /// No key: a function that neither vouches nor believes.
    pub fn none() -> Self {
        Self(Arc::new(Inner {
            kms: None,
            key_id: String::new(),
            mac: OnceCell::new(),
        }))
    }

    async fn mac(&self) -> Option<&Hmac<Sha256>> {
        if let Some(mac) = self.0.mac.get() {
            return Some(mac);
        }
        let kms = self.0.kms.as_ref()?;
        let derived = self
            .0
            .mac
            .get_or_try_init(|| async {
                let out = kms
                    .get()
                    .generate_mac()
                    .key_id(&self.0.key_id)
                    .mac_algorithm(MacAlgorithmSpec::HmacSha256)
                    .message(Blob::new(LABEL))
                    .send()
                    .await
                    .map_err(|e| anyhow::anyhow!(e))?;
                let key = zeroize::Zeroizing::new(
                    out.mac
                        .ok_or_else(|| anyhow::anyhow!("KMS returned no MAC"))?
                        .into_inner(),
                );
                <Hmac<Sha256> as KeyInit>::new_from_slice(&key).map_err(|e| anyhow::anyhow!(e))
            })
            .await;
        match derived {
            Ok(mac) => Some(mac),
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "the forwarding key");
                None
            }
        }
    }

    /// The header vouching for `client` at `now`, if this function holds the key.
    pub async fn vouch(&self, client: &Client, now: i64) -> Option<HeaderValue> {
        let mac = self.mac().await?.clone();
        let text = payload(client, now);
        let tag = sign(mac, &text);
        HeaderValue::from_str(&format!("{text}.{tag}")).ok()
    }

    /// The client a header vouches for, if its MAC holds and it is fresh at `now`.
    pub async fn believe(&self, header: &HeaderValue, now: i64) -> Option<Client> {
        let text = header.to_str().ok()?;
        if text.len() > MAX_HEADER_BYTES {
            return None;
        }
        let (signed, tag) = text.rsplit_once('.')?;
        let mut mac = self.mac().await?.clone();
        mac.update(signed.as_bytes());
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(tag).ok()?).ok()?;
        let mut parts = signed.split('.');
        let (version, at, ip, agent) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if version != "v1" || parts.next().is_some() {
            return None;
        }
        let at: i64 = at.parse().ok()?;
        if (now - at).abs() > MAX_AGE_SECONDS {
            return None;
        }
        let field = |value: &str| -> Option<Option<String>> {
            if value.is_empty() {
                return Some(None);
            }
            String::from_utf8(URL_SAFE_NO_PAD.decode(value).ok()?)
                .ok()
                .map(Some)
        };
        let ip = field(ip)?.map(|ip| ip.parse::<IpAddr>()).transpose().ok()?;
        Some(Client::new(ip, field(agent)?.as_deref()))
    }
}

fn payload(client: &Client, now: i64) -> String {
    let encode =
        |value: Option<String>| value.map(|v| URL_SAFE_NO_PAD.encode(v)).unwrap_or_default();
    format!(
        "v1.{now}.{}.{}",
        encode(client.ip.map(|ip| ip.to_string())),
        encode(client.user_agent.clone())
    )
}

fn sign(mut mac: Hmac<Sha256>, text: &str) -> String {
    mac.update(text.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A forwarding key already derived: `seed` repeated.
    fn keyed(seed: u8) -> Forwarding {
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&[seed; 32]).expect("key");
        Forwarding(Arc::new(Inner {
            kms: None,
            key_id: String::new(),
            mac: OnceCell::new_with(Some(mac)),
        }))
    }

    #[tokio::test]
    async fn a_vouched_client_is_believed_while_fresh_and_unchanged() {
        let forwarding = keyed(7);
        let client = Client::new("203.0.113.9".parse().ok(), Some("Firefox/140.0"));
        let header = forwarding.vouch(&client, 1_000).await.expect("vouched");
        assert_eq!(
            forwarding.believe(&header, 1_030).await,
            Some(client.clone())
        );
        assert_eq!(forwarding.believe(&header, 1_061).await, None, "too old");

        let text = header.to_str().expect("text");
        let forged_ip = text.replacen(
            &URL_SAFE_NO_PAD.encode("203.0.113.9"),
            &URL_SAFE_NO_PAD.encode("198.51.100.1"),
            1,
        );
        let forged = HeaderValue::from_str(&forged_ip).expect("header");
        assert_eq!(forwarding.believe(&forged, 1_000).await, None);
        assert_eq!(keyed(8).believe(&header, 1_000).await, None, "another key");
        assert_eq!(Forwarding::none().believe(&header, 1_000).await, None);
        let garbage = HeaderValue::from_static("v1.1000...");
        assert_eq!(forwarding.believe(&garbage, 1_000).await, None);
    }

    #[test]
    fn a_user_agent_is_cut_and_cleaned() {
        let long = "A".repeat(1_000);
        let client = Client::new(None, Some(&long));
        assert_eq!(
            client.user_agent.map(|a| a.len()),
            Some(crate::telemetry::MAX_USER_AGENT_BYTES)
        );
        let client = Client::new(None, Some("evil\r\nline"));
        assert_eq!(client.user_agent.as_deref(), Some("evilline"));
        assert_eq!(Client::new(None, Some("")).user_agent, None);
    }
}
