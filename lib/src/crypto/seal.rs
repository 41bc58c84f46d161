//! Sealing: AES-256-GCM with a random 96-bit nonce and caller-supplied associated data.
//!
//! Layout of a sealed value: `[format = 1][nonce: 12 bytes][ciphertext ‖ tag: 16 bytes]`.
//! The associated data is never stored; the caller rebuilds it from where the value sits
//! (for an item: `PK|SK|type|schema version`), so a value moved elsewhere fails to open.

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, Generate, Nonce, Payload};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// The label of the MAC key derived from a tenant's data key (HMAC-SHA-256 of the label under
/// the data key), so that sealing and fingerprinting never use one key for two jobs.
const FINGERPRINT_LABEL: &[u8] = b"invoiceflow/fingerprint/v1";

/// A tenant's unwrapped data key, ready to seal and open, and a MAC key derived from it. The key
/// bytes are zeroised on drop.
pub struct TenantCipher {
    aead: Aes256Gcm,
    mac: Hmac<Sha256>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("sealed value does not open: wrong key, wrong place, or altered")]
pub struct OpenError;

impl TenantCipher {
    /// From the plaintext data key KMS returned; `None` unless it is exactly 32 bytes.
    pub fn from_key_bytes(key: &[u8]) -> Option<Self> {
        let aead = Aes256Gcm::new_from_slice(key).ok()?;
        let mut derive = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
        derive.update(FINGERPRINT_LABEL);
        let mac_key = zeroize::Zeroizing::new(derive.finalize().into_bytes());
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&mac_key).ok()?;
        Some(Self { aead, mac })
    }

    /// A keyed fingerprint of `parts` (HMAC-SHA-256, hex): equal inputs give equal fingerprints
    /// for this tenant only, and without the tenant's key no one can test a guess against it.
    /// Each part is length-prefixed, so `["ab", "c"]` and `["a", "bc"]` differ.
    pub fn fingerprint(&self, parts: &[&[u8]]) -> String {
        let mut mac = self.mac.clone();
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn seal(&self, associated_data: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let nonce = Nonce::<Aes256Gcm>::generate();
        let payload = Payload {
            msg: plaintext,
            aad: associated_data,
        };
        // AES-GCM encryption fails only for messages over 64 GiB.
        let ciphertext = match self.aead.encrypt(&nonce, payload) {
            Ok(ciphertext) => ciphertext,
            Err(_) => unreachable!("AES-GCM input over 64 GiB"),
        };
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        sealed.push(FORMAT_V1);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    pub fn open(&self, associated_data: &[u8], sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        let (&format, rest) = sealed.split_first().ok_or(OpenError)?;
        if format != FORMAT_V1 || rest.len() < NONCE_LEN + TAG_LEN {
            return Err(OpenError);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::<Aes256Gcm>::try_from(nonce).map_err(|_| OpenError)?;
        self.aead
            .decrypt(
                &nonce,
                Payload {
                    msg: ciphertext,
                    aad: associated_data,
                },
            )
            .map_err(|_| OpenError)
    }
}

impl std::fmt::Debug for TenantCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TenantCipher(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher(byte: u8) -> TenantCipher {
        TenantCipher::from_key_bytes(&[byte; 32]).expect("32-byte key")
    }

    #[test]
    fn a_sealed_value_opens_with_the_same_key_and_associated_data() {
        let sealed = cipher(1).seal(b"T#a|CUS#1|customer|1", b"Acme Ltd");
        assert_eq!(
            cipher(1).open(b"T#a|CUS#1|customer|1", &sealed),
            Ok(b"Acme Ltd".to_vec())
        );
    }

    #[test]
    fn a_sealed_value_does_not_contain_its_plaintext() {
        let sealed = cipher(1).seal(b"ad", b"MARKER-123456");
        assert!(!sealed.windows(13).any(|w| w == b"MARKER-123456"));
    }

    #[test]
    fn another_place_another_key_or_one_flipped_bit_fails_to_open() {
        let sealed = cipher(1).seal(b"T#a|CUS#1|customer|1", b"Acme Ltd");
        assert_eq!(
            cipher(1).open(b"T#a|CUS#2|customer|1", &sealed),
            Err(OpenError)
        );
        assert_eq!(
            cipher(2).open(b"T#a|CUS#1|customer|1", &sealed),
            Err(OpenError)
        );
        for i in 0..sealed.len() {
            let mut altered = sealed.clone();
            altered[i] ^= 0x01;
            assert_eq!(
                cipher(1).open(b"T#a|CUS#1|customer|1", &altered),
                Err(OpenError),
                "byte {i}"
            );
        }
    }

    #[test]
    fn truncated_or_empty_input_fails_to_open_without_panicking() {
        let sealed = cipher(1).seal(b"ad", b"x");
        for len in 0..sealed.len() {
            assert_eq!(cipher(1).open(b"ad", &sealed[..len]), Err(OpenError));
        }
    }

    #[test]
    fn fingerprints_are_keyed_and_unambiguous() {
        let a = cipher(1).fingerprint(&[b"POST", b"{\"name\":\"Acme\"}"]);
        assert_eq!(a, cipher(1).fingerprint(&[b"POST", b"{\"name\":\"Acme\"}"]));
        assert_ne!(a, cipher(2).fingerprint(&[b"POST", b"{\"name\":\"Acme\"}"]));
        assert_ne!(
            cipher(1).fingerprint(&[b"ab", b"c"]),
            cipher(1).fingerprint(&[b"a", b"bc"])
        );
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn a_key_of_the_wrong_length_is_refused() {
        assert!(TenantCipher::from_key_bytes(&[0; 16]).is_none());
        assert!(TenantCipher::from_key_bytes(&[0; 33]).is_none());
    }
}
