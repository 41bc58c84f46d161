//! API keys (issue 26): how a program reaches the API without the owner's browser.
//!
//! - The secret is `ifk_` and 256 bits from the operating system's CSPRNG (base64url), shown
//!   once when the key is made; the account keeps only its SHA-256, so neither a copy of the
//!   table nor an operator can use a key.
//! - A key reads (`read`) or reads and writes (`write`) the account's records, and may expire.
//!   No key manages keys, changes the password, or deletes the account: those need the owner's
//!   session.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::bearer;
use super::values::Name;
use super::{Timestamp, UserId};

/// What a secret starts with, so it can be recognised (in a leaked file, by a scanner).
pub const PREFIX: &str = "ifk_";
/// The random bytes of a secret.
const SECRET_BYTES: usize = 32;
/// A secret as it is written: the prefix and the bytes in base64url, unpadded.
const SECRET_LENGTH: usize = PREFIX.len() + (SECRET_BYTES * 4).div_ceil(3);
/// The most keys an account may hold (revoked ones count until deleted with the account).
pub const MAX_KEYS: usize = 100;
/// Requests a key may make a minute; the next gets 429 with `Retry-After`.
pub const REQUESTS_PER_MINUTE: u32 = 120;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Safe methods only (`GET`).
    Read,
    /// Read and write: every API route but the owner's own (keys, password, deletion).
    Write,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Read, Self::Write]
            .into_iter()
            .find(|scope| scope.as_str() == text)
    }
}

/// A key to make.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    /// What the owner calls it ("Accounting export"): how the audit trail names its requests.
    pub name: Name,
    pub scope: Scope,
    /// When it stops working (RFC 3339, in the future); never when not given.
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
}

/// A key as the account keeps it (never its secret: the SHA-256 of it, which names its
/// lookup item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub name: Name,
    pub scope: Scope,
    /// The secret's first characters, to tell keys apart (`ifk_Ab3x…`).
    pub hint: String,
    pub created_by: UserId,
    pub expires_at: Option<Timestamp>,
    /// When it was revoked: it has worked for no request since.
    #[serde(default)]
    pub revoked_at: Option<Timestamp>,
    pub digest: String,
}

/// A key as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyView {
    /// `key_…`
    pub id: String,
    pub name: Name,
    pub scope: Scope,
    /// The secret's first characters, to tell keys apart (`ifk_Ab3x…`).
    pub hint: String,
    /// The owner who made it (`usr_…`).
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    /// When a request last used it.
    pub last_used_at: Option<Timestamp>,
    /// The secret: only in the answer that made the key, never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl ApiKey {
    /// A new key named by `new`, made by `user`, with the secret `secret`.
    pub fn new(new: NewApiKey, secret: &Secret, user: UserId) -> Self {
        Self {
            name: new.name,
            scope: new.scope,
            hint: format!("{}…", &secret.0[..PREFIX.len() + 4]),
            created_by: user,
            expires_at: new.expires_at,
            revoked_at: None,
            digest: secret.digest(),
        }
    }

    /// Whether it lets a request in at `now`.
    pub fn works_at(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|expires| now < expires)
    }
}

/// A key's secret, as the program sends it (`Authorization: Bearer ifk_…`). Never stored,
/// never logged.
pub struct Secret(String);

impl Secret {
    /// A new secret from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, getrandom::Error> {
        Ok(Self(format!(
            "{PREFIX}{}",
            bearer::random::<SECRET_BYTES>()?
        )))
    }

    /// A secret as a request carries it; `None` for anything that cannot be one (so a
    /// malformed header costs no read).
    pub fn parse(text: &str) -> Option<Self> {
        let body = text.strip_prefix(PREFIX)?;
        bearer::well_formed(body, SECRET_LENGTH - PREFIX.len()).then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the account keeps: the SHA-256 of the secret, in hex.
    pub fn digest(&self) -> String {
        bearer::digest(&self.0)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_recognisable_parses_back_and_only_its_digest_is_kept() {
        let secret = Secret::generate().expect("CSPRNG");
        assert!(secret.as_str().starts_with("ifk_"));
        assert_eq!(secret.as_str().len(), SECRET_LENGTH);
        let parsed = Secret::parse(secret.as_str()).expect("parses");
        assert_eq!(parsed.digest(), secret.digest());
        assert_eq!(secret.digest().len(), 64);
        assert!(!format!("{secret:?}").contains(&secret.as_str()[4..]));
        for bad in [
            "",
            "ifk_",
            "Bearer x",
            &secret.as_str()[1..],
            &format!("{}=", secret.as_str()),
        ] {
            assert!(Secret::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_key_works_until_it_expires_or_is_revoked() {
        let secret = Secret::generate().expect("CSPRNG");
        let at = |text: &str| Timestamp::parse(text).expect("instant");
        let key = ApiKey::new(
            NewApiKey {
                name: Name::parse("Accounting").expect("name"),
                scope: Scope::Read,
                expires_at: Some(at("2027-01-01T00:00:00Z")),
            },
            &secret,
            UserId::generate(),
        );
        assert!(key.hint.starts_with("ifk_") && key.hint.ends_with('…'));
        assert!(key.works_at(at("2026-12-31T23:59:59Z")));
        assert!(!key.works_at(at("2027-01-01T00:00:00Z")));
        let revoked = ApiKey {
            revoked_at: Some(at("2026-12-01T00:00:00Z")),
            ..key
        };
        assert!(!revoked.works_at(at("2026-12-02T00:00:00Z")));
    }
}
