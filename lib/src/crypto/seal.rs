//! Sealing: AES-256-GCM with a random 96-bit nonce and caller-supplied associated data.
//!
//! Layout of a sealed value: `[format = 1][nonce: 12 bytes][ciphertext ‖ tag: 16 bytes]`.
//! The associated data is never stored; the caller rebuilds it from where the value sits
//! (for an item: `PK|SK|type|schema version`), so a value moved elsewhere fails to open.

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, Generate, KeyInit, Nonce, Payload};

const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// A tenant's unwrapped data key, ready to seal and open. The key bytes are zeroised on drop.
pub struct TenantCipher {
    aead: Aes256Gcm,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("sealed value does not open: wrong key, wrong place, or altered")]
pub struct OpenError;

impl TenantCipher {
    /// From the plaintext data key KMS returned; `None` unless it is exactly 32 bytes.
    pub fn from_key_bytes(key: &[u8]) -> Option<Self> {
        Aes256Gcm::new_from_slice(key)
            .ok()
            .map(|aead| Self { aead })
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
    fn a_key_of_the_wrong_length_is_refused() {
        assert!(TenantCipher::from_key_bytes(&[0; 16]).is_none());
        assert!(TenantCipher::from_key_bytes(&[0; 33]).is_none());
    }
}
