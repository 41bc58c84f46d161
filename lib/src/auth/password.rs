//! Passwords: 12 to 72 bytes (bcrypt's limit, enforced rather than silently truncated), strong
//! enough by zxcvbn's estimate, hashed with bcrypt at cost 12 on the blocking pool.

use std::fmt;

use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

use crate::domain::account::PasswordHash;
use crate::domain::values::ValueError;

pub const COST: u32 = 12;
pub const MIN_BYTES: usize = 12;
/// bcrypt reads at most 72 bytes; a longer password would be silently cut, so it is refused.
/// Exactly 72 is whole: bcrypt keys on the password and a NUL, cut at 72, so only the NUL goes.
pub const MAX_BYTES: usize = 72;
/// zxcvbn's score (0–4) a new password needs: "safely unguessable" under online attack.
const MIN_SCORE: u8 = 3;

/// A hash of a random secret at cost 12: verified against when the email is unknown, so that
/// a login costs one bcrypt verification whether or not the account exists.
const DUMMY_HASH: &str = "$2b$12$0vKjk3jcSbmusccdCxgC2u2CEWXKVoJQsDuWntyvmnVtzoOs.ASFy";

/// A password as the client sent it. Wiped from memory when dropped; never printed.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|text| Self(Zeroizing::new(text)))
    }
}

impl utoipa::PartialSchema for Password {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Password,
            )))
            .description(Some(
                "12 to 72 bytes (UTF-8); a new one must not be easy to guess.",
            ))
            .min_length(Some(MIN_BYTES))
            .into()
    }
}

impl utoipa::ToSchema for Password {}

impl Password {
    #[cfg(any(test, feature = "test-util"))]
    pub fn new(text: &str) -> Self {
        Self(Zeroizing::new(text.to_owned()))
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Checks a password chosen by the user: its length, and its strength given what else the
    /// user told us (`context`: their name, email, company), which it must not lean on.
    pub fn check_new(&self, context: &[&str]) -> Result<(), ValueError> {
        let length = self.bytes().len();
        if length < MIN_BYTES {
            return Err(ValueError(format!("must be at least {MIN_BYTES} bytes")));
        }
        if length > MAX_BYTES {
            return Err(ValueError(format!(
                "must be at most {MAX_BYTES} bytes (bcrypt's limit); choose a shorter passphrase"
            )));
        }
        // The whole of each detail and its words: "Ann Ölçü" also rules out "ann" and "ölçü".
        let words: Vec<String> = context
            .iter()
            .flat_map(|detail| {
                let lower = detail.to_lowercase();
                let parts: Vec<String> = lower
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|word| word.chars().count() >= 3)
                    .map(str::to_owned)
                    .collect();
                std::iter::once(lower).chain(parts)
            })
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let estimate = zxcvbn::zxcvbn(&self.0, &words);
        if u8::from(estimate.score()) >= MIN_SCORE {
            return Ok(());
        }
        let reason = estimate
            .feedback()
            .and_then(|feedback| feedback.warning())
            .map(|warning| warning.to_string())
            .filter(|text| !text.is_empty())
            .unwrap_or_else(|| "This password is easy to guess.".to_owned());
        Err(ValueError(format!(
            "is too weak: {reason} Add more words or characters that are not about you."
        )))
    }

    /// Whether the password could be one we stored (a longer one never is).
    fn storable(&self) -> bool {
        (1..=MAX_BYTES).contains(&self.bytes().len())
    }
}

/// Hashes a new password (checked with [`Password::check_new`]) with bcrypt at cost 12.
///
/// The length is ours to check (at most [`MAX_BYTES`], so every byte is used). The `bcrypt`
/// crate's `non_truncating_*` functions are not used: they count the trailing NUL and so refuse
/// a 72-byte password that bcrypt reads whole.
pub async fn hash(password: &Password) -> anyhow::Result<PasswordHash> {
    anyhow::ensure!(password.storable(), "password length was not checked");
    let password = password.clone();
    let hashed =
        tokio::task::spawn_blocking(move || bcrypt::hash(password.bytes(), COST)).await??;
    Ok(PasswordHash(hashed))
}

/// Whether `password` matches `hash`. Always costs one bcrypt verification.
pub async fn verify(password: &Password, hash: &PasswordHash) -> anyhow::Result<bool> {
    let password = password.clone();
    let hash = hash.0.clone();
    tokio::task::spawn_blocking(move || {
        if password.storable() {
            Ok(bcrypt::verify(password.bytes(), &hash)?)
        } else {
            // Spend the same time as a real verification, then refuse.
            let _ = bcrypt::verify(b"not a password", &hash);
            Ok(false)
        }
    })
    .await?
}

/// The verification a login of an unknown email performs: same cost, always false.
pub async fn verify_dummy(password: &Password) -> anyhow::Result<bool> {
    verify(password, &PasswordHash(DUMMY_HASH.to_owned()))
        .await
        .map(|_| false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_checked_in_bytes_not_characters() {
        // 41 characters but 73 bytes: one byte over bcrypt's limit, refused rather than cut.
        let multibyte = Password::new(&format!("{}x", "ölç€a-Zürich-".repeat(4)));
        assert!(multibyte.0.chars().count() < MAX_BYTES);
        assert!(
            multibyte.bytes().len() > MAX_BYTES,
            "{}",
            multibyte.bytes().len()
        );
        let err = multibyte.check_new(&[]).expect_err("too long");
        assert!(err.0.contains("72"), "{err}");
        let short = Password::new("Tr0ub4dor&3");
        assert!(
            short
                .check_new(&[])
                .expect_err("too short")
                .0
                .contains("12")
        );
    }

    #[test]
    fn a_weak_password_is_refused_with_a_reason() {
        let err = Password::new("password1234")
            .check_new(&[])
            .expect_err("weak");
        assert!(err.0.starts_with("is too weak: "), "{err}");
    }

    #[test]
    fn a_password_built_on_the_users_own_details_is_refused() {
        let password = Password::new("QuillfeatherOakridge");
        assert!(password.check_new(&[]).is_ok(), "strong on its own");
        let context = [
            "ann@quillfeather.example",
            "Ann Quillfeather",
            "Oakridge Studio",
        ];
        assert!(
            password.check_new(&context).is_err(),
            "weak given who chose it"
        );
    }

    #[test]
    fn a_strong_passphrase_is_accepted() {
        assert!(
            Password::new("granite-lantern-orbit-cactus")
                .check_new(&[])
                .is_ok()
        );
    }

    /// A password of `len` bytes, strong, whose last byte is `last`.
    fn of_length(len: usize, last: char) -> Password {
        let mut text: String = "granite-lantern-orbit-cactus-"
            .chars()
            .cycle()
            .take(len - 1)
            .collect();
        text.push(last);
        Password::new(&text)
    }

    #[test]
    fn seventy_one_and_seventy_two_bytes_are_accepted_seventy_three_refused() {
        assert!(of_length(71, 'x').check_new(&[]).is_ok());
        assert!(of_length(72, 'x').check_new(&[]).is_ok());
        let err = of_length(73, 'x').check_new(&[]).expect_err("73 bytes");
        assert!(err.0.contains("72"), "{err}");
    }

    #[tokio::test]
    async fn a_seventy_two_byte_password_is_hashed_whole() {
        // Every byte counts: a password differing only in its 72nd byte does not verify.
        let password = of_length(72, 'x');
        let hashed = hash(&password).await.expect("72 bytes hash");
        assert!(verify(&password, &hashed).await.expect("verify"));
        assert!(!verify(&of_length(72, 'y'), &hashed).await.expect("verify"));
        // A 73-byte guess costs a verification and is refused, never an error.
        assert!(!verify(&of_length(73, 'x'), &hashed).await.expect("verify"));
        assert!(hash(&of_length(73, 'x')).await.is_err());
    }

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let password = Password::new("granite-lantern-orbit-cactus");
        let hashed = hash(&password).await.expect("hash");
        assert!(hashed.0.starts_with("$2b$12$"), "cost 12");
        assert!(verify(&password, &hashed).await.expect("verify"));
        let other = Password::new("granite-lantern-orbit-cactuS");
        assert!(!verify(&other, &hashed).await.expect("verify"));
        assert!(!verify_dummy(&password).await.expect("dummy"));
    }
}
