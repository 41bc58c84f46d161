//! Two-factor authentication: a time-based one-time password (TOTP, RFC 6238: HMAC-SHA-1, six
//! digits, 30-second steps, one step of skew either way, what every authenticator app reads)
//! and ten single-use recovery codes. The secret and the codes' digests live inside the user's
//! sealed record; a code is accepted once (its step must be later than the last one used), a
//! recovery code once (its digest is removed when it is used).

use serde::{Deserialize, Serialize};
use totp_rs::{Algorithm, Builder, Secret, Totp};

use super::bearer;

/// The issuer authenticator apps show beside the account.
pub const ISSUER: &str = "InvoiceFlow";
/// How many recovery codes a user gets at a time.
pub const RECOVERY_CODES: usize = 10;
/// How long an enrolment waits for its first code.
pub const ENROLMENT_SECONDS: i64 = 10 * 60;
const SECRET_BYTES: usize = 20;
const STEP_SECONDS: u64 = 30;

/// A user's enabled second factor.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecondFactor {
    /// The TOTP secret (base32, as the app was given it).
    pub secret: String,
    /// The last step a code was accepted for: no code of it or an earlier step is accepted.
    pub last_step: u64,
    /// The SHA-256 of each unused recovery code.
    pub recovery_digests: Vec<String>,
}

/// An enrolment that waits for its first code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingTotp {
    pub secret: String,
    /// Unix seconds; the enrolment lapses [`ENROLMENT_SECONDS`] later.
    pub started_at: i64,
}

impl std::fmt::Debug for SecondFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecondFactor")
            .field("recovery_codes_left", &self.recovery_digests.len())
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for PendingTotp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingTotp")
            .field("started_at", &self.started_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecondFactorError {
    #[error("no randomness: {0}")]
    Random(getrandom::Error),
    #[error("the TOTP secret is unusable")]
    Secret,
}

/// A new secret, base32, for an enrolment.
pub fn new_secret() -> Result<String, SecondFactorError> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(SecondFactorError::Random)?;
    Ok(Secret::from(bytes).to_base32())
}

fn totp(secret: &str, account: &str) -> Result<Totp, SecondFactorError> {
    let bytes = Secret::try_from_base32(secret).map_err(|_| SecondFactorError::Secret)?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(bytes)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|_| SecondFactorError::Secret)
}

/// The `otpauth://` URL an authenticator app scans (as a QR code) to add the account.
pub fn otpauth_url(secret: &str, account: &str) -> Result<String, SecondFactorError> {
    totp(secret, account)?
        .to_url()
        .map_err(|_| SecondFactorError::Secret)
}

/// The step `code` is valid for at `now` (unix seconds), one step either way; `None` for a
/// wrong code or anything but six digits.
pub fn step_of(secret: &str, code: &str, now: i64) -> Option<u64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = u64::try_from(now).ok()?;
    totp(secret, ISSUER).ok()?.check(code, now)
}

/// The code for `now` (what the user's app shows): for tests and the local tools.
pub fn code_at(secret: &str, now: i64) -> Option<String> {
    let now = u64::try_from(now).ok()?;
    Some(totp(secret, ISSUER).ok()?.generate(now).to_string())
}

/// New recovery codes, as the user writes them down (`xxxxx-xxxxx`, base32), and the digests
/// the record keeps.
pub fn recovery_codes() -> Result<(Vec<String>, Vec<String>), SecondFactorError> {
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut bytes = [0u8; 7];
        getrandom::fill(&mut bytes).map_err(SecondFactorError::Random)?;
        let text = Secret::from(bytes.to_vec())
            .to_base32()
            .to_ascii_lowercase();
        codes.push(format!("{}-{}", &text[..5], &text[5..10]));
    }
    let digests = codes.iter().map(|code| recovery_digest(code)).collect();
    Ok((codes, digests))
}

/// The digest a recovery code is kept as: its SHA-256, after the forgiving normalisation a
/// person's typing needs (case, spaces and the dash do not matter). The codes carry 50 random
/// bits, so a fast hash is enough.
pub fn recovery_digest(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    bearer::digest(&normal)
}

impl SecondFactor {
    /// Whether `code` (a TOTP code) is accepted now: right, and of a step after the last one
    /// used. On success the step is recorded (the caller writes the record).
    pub fn accept_code(&mut self, code: &str, now: i64) -> bool {
        match step_of(&self.secret, code, now) {
            Some(step) if step > self.last_step => {
                self.last_step = step;
                true
            }
            _ => false,
        }
    }

    /// Whether `code` is one of the unused recovery codes; if so it is used up.
    pub fn accept_recovery_code(&mut self, code: &str) -> bool {
        if code.len() > 64 {
            return false;
        }
        let digest = recovery_digest(code);
        let before = self.recovery_digests.len();
        self.recovery_digests.retain(|kept| *kept != digest);
        self.recovery_digests.len() < before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" at 59 s is 94287082
    /// (eight digits); its last six are what a six-digit code shows.
    #[test]
    fn the_rfc_6238_test_vector_holds() {
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"));
        assert_eq!(code_at(&secret, 1_111_111_109).as_deref(), Some("081804"));
        assert_eq!(step_of(&secret, "081804", 1_111_111_109), Some(37_037_036));
    }

    #[test]
    fn a_code_is_accepted_once_one_step_either_way_and_never_for_an_earlier_step() {
        let secret = new_secret().expect("secret");
        let now = 1_800_000_000;
        let mut factor = SecondFactor {
            secret: secret.clone(),
            last_step: 0,
            recovery_digests: Vec::new(),
        };
        let code = code_at(&secret, now).expect("code");
        assert!(
            factor.accept_code(&code, now + 25),
            "still the same step or the next"
        );
        assert!(!factor.accept_code(&code, now), "used");
        let earlier = code_at(&secret, now - 30).expect("code");
        assert!(!factor.accept_code(&earlier, now), "an earlier step");
        let later = code_at(&secret, now + 60).expect("code");
        assert!(!factor.accept_code(&later, now - 60), "too far ahead");
        for bad in ["", "12345", "1234567", "abcdef", " 12 34 "] {
            assert_eq!(step_of(&secret, bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn a_recovery_code_works_once_however_it_is_typed() {
        let (codes, digests) = recovery_codes().expect("codes");
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 11 && c.as_bytes()[5] == b'-')
        );
        let mut factor = SecondFactor {
            secret: new_secret().expect("secret"),
            last_step: 0,
            recovery_digests: digests,
        };
        let typed = codes[3].to_ascii_uppercase().replace('-', " ");
        assert!(factor.accept_recovery_code(&typed));
        assert!(!factor.accept_recovery_code(&codes[3]), "used up");
        assert_eq!(factor.recovery_digests.len(), RECOVERY_CODES - 1);
        assert!(!factor.accept_recovery_code("aaaaa-aaaaa"));
    }

    #[test]
    fn the_app_is_given_the_secret_issuer_and_account() {
        let secret = new_secret().expect("secret");
        let url = otpauth_url(&secret, "ann@example.com").expect("url");
        assert!(
            url.starts_with("otpauth://totp/InvoiceFlow:ann%40example.com?"),
            "{url}"
        );
        assert!(url.contains(&format!("secret={secret}")), "{url}");
        assert!(url.contains("issuer=InvoiceFlow"), "{url}");
    }
}
