//! Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser
//! that has logged in as a user gets `__Host-device`, a tag of ours binding a random device id
//! to that user. A login that presents a valid one for the user it names is counted against
//! that device's own small failure budget, so an attacker who locks the address out (from
//! anywhere else) does not lock out the owner's browser; a stolen cookie that keeps failing
//! locks only itself.
//!
//! The cookie is `<device>.<tenant>.<user>.<tag>`: ULIDs and an HMAC-SHA-256 (base64url) under a
//! key derived from the service key. It holds no personal data and grants nothing by itself:
//! the password is still checked.

use axum::http::{HeaderMap, HeaderValue};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookie::{Cookie, SameSite};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::{TenantId, UserId};

pub const DEVICE_COOKIE: &str = "__Host-device";
/// How long a browser stays recognised after its last successful login.
pub const DEVICE_SECONDS: i64 = 180 * 24 * 60 * 60;

/// A device cookie whose tag verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Device {
    pub id: ulid::Ulid,
    pub tenant: TenantId,
    pub user: UserId,
}

fn payload(id: &ulid::Ulid, tenant: &TenantId, user: &UserId) -> String {
    format!("{id}.{}.{}", tenant.ulid(), user.ulid())
}

fn tag(mac: &Hmac<Sha256>, payload: &str) -> Hmac<Sha256> {
    let mut mac = mac.clone();
    mac.update(b"device|");
    mac.update(payload.as_bytes());
    mac
}

impl Device {
    /// A new device id for a browser that logged in as `user`.
    pub fn new(tenant: TenantId, user: UserId) -> Self {
        Self {
            id: ulid::Ulid::generate(),
            tenant,
            user,
        }
    }

    /// The cookie's value, tagged under `mac`.
    pub fn value(&self, mac: &Hmac<Sha256>) -> String {
        let payload = payload(&self.id, &self.tenant, &self.user);
        let tag = tag(mac, &payload).finalize().into_bytes();
        format!("{payload}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// The device a cookie value names, if its tag is ours (checked in constant time).
    pub fn verify(mac: &Hmac<Sha256>, value: &str) -> Option<Self> {
        let (payload, tag_text) = value.rsplit_once('.')?;
        let mut parts = payload.split('.');
        let id = ulid::Ulid::from_string(parts.next()?).ok()?;
        let tenant = TenantId::from_ulid(ulid::Ulid::from_string(parts.next()?).ok()?);
        let user = UserId::from_ulid(ulid::Ulid::from_string(parts.next()?).ok()?);
        if parts.next().is_some() {
            return None;
        }
        let claimed = URL_SAFE_NO_PAD.decode(tag_text).ok()?;
        tag(mac, payload).verify_slice(&claimed).ok()?;
        Some(Self { id, tenant, user })
    }
}

/// `Set-Cookie` for a device cookie: HttpOnly, Secure, SameSite=Strict, Path=/, host-only.
pub fn set_device(value: &str) -> Option<HeaderValue> {
    let cookie = Cookie::build((DEVICE_COOKIE, value))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(cookie::time::Duration::seconds(DEVICE_SECONDS))
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// The device cookie the request carries, if any (unverified).
pub fn device_cookie(headers: &HeaderMap) -> Option<String> {
    super::cookie::named(headers, DEVICE_COOKIE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::KeyInit;

    fn mac(byte: u8) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&[byte; 32]).expect("key")
    }

    #[test]
    fn a_device_cookie_verifies_only_under_its_key_and_unaltered() {
        let device = Device::new(TenantId::generate(), UserId::generate());
        let value = device.value(&mac(1));
        assert_eq!(Device::verify(&mac(1), &value), Some(device));
        assert_eq!(Device::verify(&mac(2), &value), None);
        // Another user's id under the same tag is refused.
        let other = Device {
            user: UserId::generate(),
            ..device
        };
        let (_, tag) = value.rsplit_once('.').expect("tag");
        let forged = format!("{}.{tag}", payload(&other.id, &other.tenant, &other.user));
        assert_eq!(Device::verify(&mac(1), &forged), None);
        for broken in ["", "a.b.c.d", "...", &value[..value.len() - 2]] {
            assert_eq!(Device::verify(&mac(1), broken), None, "{broken}");
        }
    }

    #[test]
    fn the_device_cookie_is_host_only_http_only_and_strict() {
        let value = set_device("v").expect("header");
        let text = value.to_str().expect("ascii");
        for part in [
            "__Host-device=v",
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/",
        ] {
            assert!(text.contains(part), "{text} lacks {part}");
        }
        assert!(!text.contains("Domain"), "{text}");
    }
}
