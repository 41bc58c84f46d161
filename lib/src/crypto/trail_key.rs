//! The key the audit trail's checkpoints are signed with (decision 0027): the scheduled pass
//! signs with it in KMS, and every check verifies with its public half, read from KMS once per
//! container.

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Verifier as _;
use p256::pkcs8::DecodePublicKey as _;
use tokio::sync::OnceCell;

/// The checkpoints' key: the pass signs with it, everyone else reads its public half.
pub struct TrailSigner {
    kms: crate::aws::Lazy<aws_sdk_kms::Client>,
    key_id: String,
    public: OnceCell<PublicKey>,
}

/// The public half of the checkpoints' key, read from KMS once per container.
pub struct PublicKey {
    key: p256::ecdsa::VerifyingKey,
    /// As PEM (`-----BEGIN PUBLIC KEY-----`), for an offline check.
    pub pem: String,
}

impl TrailSigner {
    pub fn new(kms: crate::aws::Lazy<aws_sdk_kms::Client>, key_id: &str) -> Self {
        Self {
            kms,
            key_id: key_id.to_owned(),
            public: OnceCell::new(),
        }
    }

    /// Signs `text` (ECDSA P-256 over its SHA-256, one KMS `Sign`): the DER signature, base64.
    pub async fn sign(&self, text: &str) -> anyhow::Result<String> {
        anyhow::ensure!(!self.key_id.is_empty(), "AUDIT_KEY_ID is not set");
        let out = self
            .kms
            .get()
            .sign()
            .key_id(&self.key_id)
            .message(Blob::new(text.as_bytes()))
            .message_type(MessageType::Raw)
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await?;
        let der = out
            .signature
            .ok_or_else(|| anyhow::anyhow!("KMS returned no signature"))?;
        Ok(STANDARD.encode(der.as_ref()))
    }

    pub async fn public_key(&self) -> anyhow::Result<&PublicKey> {
        self.public
            .get_or_try_init(|| async {
                anyhow::ensure!(!self.key_id.is_empty(), "AUDIT_KEY_ID is not set");
                let out = self
                    .kms
                    .get()
                    .get_public_key()
                    .key_id(&self.key_id)
                    .send()
                    .await?;
                let der = out
                    .public_key
                    .ok_or_else(|| anyhow::anyhow!("KMS returned no public key"))?;
                let key = p256::ecdsa::VerifyingKey::from_public_key_der(der.as_ref())
                    .map_err(|_| anyhow::anyhow!("the audit key is not a P-256 key"))?;
                Ok(PublicKey {
                    key,
                    pem: pem(der.as_ref()),
                })
            })
            .await
    }
}

impl PublicKey {
    /// Whether `signature` (DER, base64) is this key's over `text`.
    pub fn verifies(&self, text: &str, signature: &str) -> bool {
        let Ok(der) = STANDARD.decode(signature) else {
            return false;
        };
        let Ok(signature) = p256::ecdsa::Signature::from_der(&der) else {
            return false;
        };
        self.key.verify(text.as_bytes(), &signature).is_ok()
    }
}

/// A SubjectPublicKeyInfo as PEM.
fn pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem
}
