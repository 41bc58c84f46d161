//! Item codec: plain attributes for keys, type, version and timestamps; everything else sealed.

use std::collections::HashMap;

use anyhow::{Context as _, anyhow};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use super::{ItemKey, Record, StoreError, Stored};
use crate::crypto::TenantCipher;
use crate::domain::Timestamp;

pub(crate) const PK: &str = "PK";
pub(crate) const SK: &str = "SK";
pub(crate) const TYPE: &str = "type";
pub(crate) const SCHEMA: &str = "sv";
pub(crate) const VERSION: &str = "v";
pub(crate) const CREATED: &str = "created_at";
pub(crate) const UPDATED: &str = "updated_at";
pub(crate) const CONTENT: &str = "ct";

pub(crate) type Attributes = HashMap<String, AttributeValue>;

/// DynamoDB's TTL attribute (unix seconds), as template.yaml declares it.
pub(crate) const EXPIRES_ATTR: &str = "expires_at";

/// A number attribute's value.
pub(crate) fn number(n: impl ToString) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

pub(crate) fn key_attributes(key: &ItemKey) -> Attributes {
    HashMap::from([
        (PK.to_owned(), AttributeValue::S(key.pk.clone())),
        (SK.to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

/// What the ciphertext is bound to: where it sits, what it claims to be, and the version of the
/// record it holds (so an older ciphertext written back beside a newer version fails to open).
pub(crate) fn associated_data(
    key: &ItemKey,
    kind: &str,
    schema_version: u32,
    version: u64,
) -> Vec<u8> {
    format!(
        "{}|{}|{}|{}|{}",
        key.pk, key.sk, kind, schema_version, version
    )
    .into_bytes()
}

/// The record as it is kept: its JSON without the fields computed when it is read.
fn plaintext_of<R: Record>(record: &R) -> serde_json::Result<Vec<u8>> {
    if R::COMPUTED.is_empty() {
        return serde_json::to_vec(record);
    }
    let mut value = serde_json::to_value(record)?;
    if let Some(object) = value.as_object_mut() {
        for field in R::COMPUTED {
            object.remove(*field);
        }
    }
    serde_json::to_vec(&value)
}

/// Seals `record` for the item at `key`, at record `version`.
pub(crate) fn seal<R: Record>(
    cipher: &TenantCipher,
    key: &ItemKey,
    record: &R,
    version: u64,
) -> Result<AttributeValue, StoreError> {
    let plaintext = plaintext_of(record)
        .context("serialising a record")
        .map_err(StoreError::Corrupt)?;
    let sealed = cipher.seal(
        &associated_data(key, R::KIND, R::SCHEMA_VERSION, version),
        &plaintext,
    );
    Ok(AttributeValue::B(Blob::new(sealed)))
}

/// A full new item: keys, plain metadata at version 1, sealed content.
pub(crate) fn encode_new<R: Record>(
    cipher: &TenantCipher,
    key: &ItemKey,
    record: &R,
    now: Timestamp,
) -> Result<Attributes, StoreError> {
    let mut attrs = new_metadata::<R>(key, now);
    attrs.insert(CONTENT.into(), seal(cipher, key, record, 1)?);
    Ok(attrs)
}

/// A new item of kind `R` without its content yet: keys and plain metadata at version 1.
pub(crate) fn new_metadata<R: Record>(key: &ItemKey, now: Timestamp) -> Attributes {
    let mut attrs = key_attributes(key);
    attrs.insert(TYPE.into(), AttributeValue::S(R::KIND.into()));
    attrs.insert(SCHEMA.into(), number(R::SCHEMA_VERSION));
    attrs.insert(VERSION.into(), number(1));
    attrs.insert(CREATED.into(), AttributeValue::S(now.to_string()));
    attrs.insert(UPDATED.into(), AttributeValue::S(now.to_string()));
    attrs
}

pub(crate) fn decode<R: Record>(
    cipher: &TenantCipher,
    attrs: &Attributes,
) -> Result<Stored<R>, StoreError> {
    decode_inner(cipher, attrs).map_err(StoreError::Corrupt)
}

fn decode_inner<R: Record>(cipher: &TenantCipher, attrs: &Attributes) -> anyhow::Result<Stored<R>> {
    let key = ItemKey {
        pk: read_string(attrs, PK)?.to_owned(),
        sk: read_string(attrs, SK)?.to_owned(),
    };
    let kind = read_string(attrs, TYPE)?;
    if kind != R::KIND {
        return Err(anyhow!("item of type {kind} read as {}", R::KIND));
    }
    let schema_version: u32 = read_number(attrs, SCHEMA)?;
    let version: u64 = read_number(attrs, VERSION)?;
    let sealed = match attrs.get(CONTENT) {
        Some(AttributeValue::B(blob)) => blob.as_ref(),
        _ => return Err(anyhow!("item has no sealed content")),
    };
    let plaintext = cipher
        .open(
            &associated_data(&key, kind, schema_version, version),
            sealed,
        )
        .context("opening sealed content")?;
    let record = serde_json::from_slice(&plaintext).context("decoding sealed content")?;
    Ok(Stored {
        record,
        version,
        created_at: timestamp(attrs, CREATED)?,
        updated_at: timestamp(attrs, UPDATED)?,
    })
}

pub(crate) fn sort_key(attrs: &Attributes) -> Result<&str, StoreError> {
    read_string(attrs, SK).map_err(StoreError::Corrupt)
}

fn read_string<'a>(attrs: &'a Attributes, name: &str) -> anyhow::Result<&'a str> {
    match attrs.get(name) {
        Some(AttributeValue::S(s)) => Ok(s),
        _ => Err(anyhow!("attribute {name} missing or not a string")),
    }
}

fn read_number<T: std::str::FromStr>(attrs: &Attributes, name: &str) -> anyhow::Result<T> {
    match attrs.get(name) {
        Some(AttributeValue::N(n)) => n
            .parse()
            .map_err(|_| anyhow!("attribute {name} out of range")),
        _ => Err(anyhow!("attribute {name} missing or not a number")),
    }
}

fn timestamp(attrs: &Attributes, name: &str) -> anyhow::Result<Timestamp> {
    Timestamp::parse(read_string(attrs, name)?)
        .ok_or_else(|| anyhow!("attribute {name} is not a timestamp"))
}

/// A plain number attribute of a stored item.
pub(crate) fn number_attr<T: std::str::FromStr>(
    attrs: &Attributes,
    name: &str,
) -> Result<T, StoreError> {
    read_number(attrs, name).map_err(StoreError::Corrupt)
}

/// A plain ULID attribute of a stored item.
pub(crate) fn ulid_attr(attrs: &Attributes, name: &str) -> Result<ulid::Ulid, StoreError> {
    read_string(attrs, name)
        .and_then(|text| ulid::Ulid::from_string(text).context("not a ULID"))
        .map_err(StoreError::Corrupt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::TenantCipher;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Shown {
        kept: u32,
        #[serde(default, skip_deserializing)]
        computed: bool,
    }

    impl Record for Shown {
        const KIND: &'static str = "shown";
        const SCHEMA_VERSION: u32 = 1;
        const COMPUTED: &'static [&'static str] = &["computed"];
    }

    /// What is computed when a record is read (an invoice's `overdue`) is never written.
    #[test]
    fn computed_fields_are_not_sealed_into_the_item() {
        let cipher = TenantCipher::from_key_bytes(&[7; 32]).expect("32-byte key");
        let key = ItemKey {
            pk: "T#A".into(),
            sk: "X#1".into(),
        };
        let record = Shown {
            kept: 1,
            computed: true,
        };
        let AttributeValue::B(sealed) = seal(&cipher, &key, &record, 1).expect("seal") else {
            panic!("sealed content is binary");
        };
        let plain = cipher
            .open(&associated_data(&key, "shown", 1, 1), sealed.as_ref())
            .expect("open");
        let kept: serde_json::Value = serde_json::from_slice(&plain).expect("JSON");
        assert_eq!(kept, serde_json::json!({"kept": 1}));
        use crate::domain::invoice::{Invoice, InvoiceSummary};
        for computed in [Invoice::COMPUTED, InvoiceSummary::COMPUTED] {
            assert_eq!(computed, ["overdue", "days_overdue"]);
        }
    }
}
