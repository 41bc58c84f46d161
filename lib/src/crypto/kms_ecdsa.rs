//! An ECC_NIST_P256 key in KMS that signs (ECDSA over SHA-256): the sessions' key and the audit
//! trail's checkpoints' key are both one. The private half never leaves KMS; each signature is
//! one `Sign`, and the public half one `GetPublicKey` (its users cache what they make of it).

use std::sync::Arc;

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};
use p256::pkcs8::DecodePublicKey as _;

pub struct KmsEcdsaKey {
    kms: crate::aws::Lazy<aws_sdk_kms::Client>,
    key_id: Arc<str>,
}

impl KmsEcdsaKey {
    pub fn new(kms: crate::aws::Lazy<aws_sdk_kms::Client>, key_id: impl Into<Arc<str>>) -> Self {
        Self {
            kms,
            key_id: key_id.into(),
        }
    }

    /// The signature of `message` (ECDSA P-256 over its SHA-256), DER as KMS gives it.
    pub async fn sign(&self, message: &[u8]) -> anyhow::Result<p256::ecdsa::Signature> {
        anyhow::ensure!(!self.key_id.is_empty(), "no signing key is configured");
        let out = self
            .kms
            .get()
            .sign()
            .key_id(self.key_id.as_ref())
            .message(Blob::new(message))
            .message_type(MessageType::Raw)
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await?;
        let der = out
            .signature
            .ok_or_else(|| anyhow::anyhow!("KMS returned no signature"))?;
        p256::ecdsa::Signature::from_der(der.as_ref())
            .map_err(|_| anyhow::anyhow!("KMS signature is not DER ECDSA"))
    }

    /// The public half: the key, and its SubjectPublicKeyInfo DER.
    pub async fn public_key(&self) -> anyhow::Result<(p256::ecdsa::VerifyingKey, Vec<u8>)> {
        anyhow::ensure!(!self.key_id.is_empty(), "no signing key is configured");
        let out = self
            .kms
            .get()
            .get_public_key()
            .key_id(self.key_id.as_ref())
            .send()
            .await?;
        let der = out
            .public_key
            .ok_or_else(|| anyhow::anyhow!("KMS returned no public key"))?
            .into_inner();
        let key = p256::ecdsa::VerifyingKey::from_public_key_der(&der)
            .map_err(|_| anyhow::anyhow!("the signing key is not a P-256 key"))?;
        Ok((key, der))
    }
}
