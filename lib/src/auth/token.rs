//! Session tokens: JWTs signed ES256 by a KMS key whose private half never leaves KMS.
//!
//! Signing is one KMS `Sign` per login; KMS returns a DER signature, which JWS wants as the
//! fixed 64-byte `r || s`. Verification is local: the public key is fetched once per container
//! (`GetPublicKey`) and every claim is checked, with ES256 the only algorithm accepted.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use crate::domain::{SessionId, TenantId, UserId};

pub const ISSUER: &str = "invoiceflow";
pub const AUDIENCE: &str = "invoiceflow-api";
/// A session lasts 12 hours from login (or password change).
pub const SESSION_SECONDS: i64 = 12 * 60 * 60;
/// A session not used for 30 minutes ends too (the idle timeout), measured by the store from
/// the session's last use.
pub const IDLE_SECONDS: i64 = 30 * 60;
/// Clock skew tolerated between containers when checking `exp` and `iat`.
const LEEWAY_SECONDS: u64 = 30;

/// The claims of a session token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user (`usr_…`).
    pub sub: String,
    /// The account, i.e. the tenant (`acc_…`).
    pub tid: String,
    /// The session (`ses_…`): logout ends this one.
    pub jti: String,
    /// The account's session version when issued: a password change raises it.
    pub sv: u64,
    pub iat: i64,
    pub exp: i64,
    pub aud: String,
    pub iss: String,
}

impl Claims {
    pub fn new(
        tenant: &TenantId,
        user: &UserId,
        session: &SessionId,
        version: u64,
        now: i64,
    ) -> Self {
        Self {
            sub: user.to_string(),
            tid: tenant.to_string(),
            jti: session.to_string(),
            sv: version,
            iat: now,
            exp: now + SESSION_SECONDS,
            aud: AUDIENCE.to_owned(),
            iss: ISSUER.to_owned(),
        }
    }
}

/// What a token proves once its signature and every claim have been checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedSession {
    pub tenant: TenantId,
    pub user: UserId,
    pub session: SessionId,
    pub version: u64,
    pub expires_at: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Forged, tampered, expired, for another audience, or otherwise unacceptable. The reason
    /// is logged, never told to the client.
    #[error("session token refused: {0}")]
    Refused(&'static str),
    #[error("KMS call failed")]
    Kms(#[source] anyhow::Error),
}

pub struct SessionSigner {
    key: crate::crypto::kms_ecdsa::KmsEcdsaKey,
    public_key: OnceCell<DecodingKey>,
    validation: Validation,
}

impl SessionSigner {
    pub fn new(kms: crate::aws::Lazy<aws_sdk_kms::Client>, key_id: impl Into<Arc<str>>) -> Self {
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "aud", "iss", "jti"]);
        validation.leeway = LEEWAY_SECONDS;
        Self {
            key: crate::crypto::kms_ecdsa::KmsEcdsaKey::new(kms, key_id),
            public_key: OnceCell::new(),
            validation,
        }
    }

    /// Signs the claims with KMS (one `Sign` call) and returns the compact JWS.
    pub async fn sign(&self, claims: &Claims) -> Result<String, TokenError> {
        let header = Header::new(Algorithm::ES256);
        let encode = |value: &dyn erased::Json| -> Result<String, TokenError> {
            value
                .to_json()
                .map(|json| URL_SAFE_NO_PAD.encode(json))
                .map_err(|_| TokenError::Refused("claims do not serialise"))
        };
        let signing_input = format!("{}.{}", encode(&header)?, encode(claims)?);
        let signature = self
            .key
            .sign(signing_input.as_bytes())
            .await
            .map_err(TokenError::Kms)?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        ))
    }

    /// Checks the token's signature (ES256 only) and claims. Says nothing about revocation:
    /// that is the store's to answer, on every request.
    pub async fn verify(&self, token: &str, now: i64) -> Result<VerifiedSession, TokenError> {
        let key = self.public_key().await?;
        let data = jsonwebtoken::decode::<Claims>(token, key, &self.validation).map_err(|e| {
            tracing::info!(reason = %e, "session token refused");
            TokenError::Refused("signature or claims")
        })?;
        let claims = data.claims;
        if claims.iat > now + LEEWAY_SECONDS as i64 {
            return Err(TokenError::Refused("issued in the future"));
        }
        if claims.exp - claims.iat > SESSION_SECONDS {
            return Err(TokenError::Refused("lifetime longer than a session"));
        }
        Ok(VerifiedSession {
            tenant: TenantId::from_verified_claim(&claims.tid)
                .map_err(|_| TokenError::Refused("tid"))?,
            user: claims.sub.parse().map_err(|_| TokenError::Refused("sub"))?,
            session: claims.jti.parse().map_err(|_| TokenError::Refused("jti"))?,
            version: claims.sv,
            expires_at: claims.exp,
        })
    }

    /// The signing key's public half, fetched from KMS once per container.
    async fn public_key(&self) -> Result<&DecodingKey, TokenError> {
        self.public_key
            .get_or_try_init(|| async {
                let (key, _) = self.key.public_key().await.map_err(TokenError::Kms)?;
                // The uncompressed SEC1 point (0x04 || x || y) is what the verifier expects.
                Ok(DecodingKey::from_ec_der(&key.to_sec1_bytes()))
            })
            .await
    }
}

/// Serialising the header and the claims through one closure.
mod erased {
    pub trait Json {
        fn to_json(&self) -> serde_json::Result<Vec<u8>>;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> serde_json::Result<Vec<u8>> {
            serde_json::to_vec(self)
        }
    }
}
