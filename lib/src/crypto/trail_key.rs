//! The key the audit trail's checkpoints are signed with (decision 0027): the scheduled pass
//! signs with it in KMS, and every check verifies with its public half, read from KMS once per
//! container.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Verifier as _;
use tokio::sync::OnceCell;

use super::kms_ecdsa::KmsEcdsaKey;

/// The checkpoints' key: the pass signs with it, everyone else reads its public half.
pub struct TrailSigner {
    key: KmsEcdsaKey,
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
            key: KmsEcdsaKey::new(kms, key_id),
            public: OnceCell::new(),
        }
    }

    /// Signs `text` (one KMS `Sign`): the DER signature, base64.
    pub async fn sign(&self, text: &str) -> anyhow::Result<String> {
        let signature = self.key.sign(text.as_bytes()).await?;
        Ok(STANDARD.encode(signature.to_der().as_bytes()))
    }

    pub async fn public_key(&self) -> anyhow::Result<&PublicKey> {
        self.public
            .get_or_try_init(|| async {
                let (key, der) = self.key.public_key().await?;
                Ok(PublicKey {
                    key,
                    pem: pem(&der),
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
