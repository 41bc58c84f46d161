//! What bearer secrets share (a document link's token, an API key's secret): random bytes from
//! the operating system's CSPRNG written in base64url, a shape checked before any read, and
//! the SHA-256 the account keeps instead of the secret.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// `N` random bytes from the operating system's CSPRNG, in base64url without padding.
pub(crate) fn random<const N: usize>() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `text` is `length` characters of base64url.
pub(crate) fn well_formed(text: &str, length: usize) -> bool {
    text.len() == length
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What the account keeps of a secret: its SHA-256, in hex.
pub(crate) fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
