//! Pagination cursors: the last sort key, sealed under the tenant's data key.
//!
//! Opaque (encrypted), tamper-evident (authenticated), and bound to the tenant and the list
//! (associated data), so an edited cursor, one from another account or one from another list
//! fails to open and is refused.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::StoreError;
use super::keys::Listing;
use crate::crypto::TenantCipher;

/// Longer than any cursor we issue; refuses oversized input before decoding it.
const MAX_CURSOR_LEN: usize = 512;

fn associated_data(partition: &str, listing: &Listing) -> Vec<u8> {
    let (first, last) = listing.range().unwrap_or_default();
    format!("cursor|{partition}|{}|{first}|{last}", listing.prefix()).into_bytes()
}

pub(super) fn seal(
    cipher: &TenantCipher,
    partition: &str,
    listing: &Listing,
    last_sort_key: &str,
) -> String {
    URL_SAFE_NO_PAD.encode(cipher.seal(
        &associated_data(partition, listing),
        last_sort_key.as_bytes(),
    ))
}

pub(super) fn open(
    cipher: &TenantCipher,
    partition: &str,
    listing: &Listing,
    cursor: &str,
) -> Result<String, StoreError> {
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(StoreError::BadCursor);
    }
    let sealed = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| StoreError::BadCursor)?;
    let plain = cipher
        .open(&associated_data(partition, listing), &sealed)
        .map_err(|_| StoreError::BadCursor)?;
    let sort_key = String::from_utf8(plain).map_err(|_| StoreError::BadCursor)?;
    // Defence in depth: a cursor can only resume inside the list it came from.
    let in_range = listing
        .range()
        .is_none_or(|(first, last)| (first..=last).contains(&sort_key.as_str()));
    if sort_key.starts_with(listing.prefix()) && in_range {
        Ok(sort_key)
    } else {
        Err(StoreError::BadCursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::keys::Collection;

    fn cipher(byte: u8) -> TenantCipher {
        TenantCipher::from_key_bytes(&[byte; 32]).expect("32-byte key")
    }

    #[test]
    fn a_cursor_opens_where_it_was_issued() {
        let cursor = seal(
            &cipher(1),
            "T#A",
            &Collection::Customers.listing(),
            "CUS#01",
        );
        assert_eq!(
            open(&cipher(1), "T#A", &Collection::Customers.listing(), &cursor).ok(),
            Some("CUS#01".into())
        );
    }

    #[test]
    fn a_cursor_does_not_show_the_key_it_holds() {
        let cursor = seal(
            &cipher(1),
            "T#A",
            &Collection::Customers.listing(),
            "CUS#01JD",
        );
        assert!(!cursor.contains("CUS"));
    }

    #[test]
    fn a_cursor_from_another_tenant_or_list_is_refused() {
        let cursor = seal(
            &cipher(1),
            "T#A",
            &Collection::Customers.listing(),
            "CUS#01",
        );
        assert!(matches!(
            open(&cipher(2), "T#B", &Collection::Customers.listing(), &cursor),
            Err(StoreError::BadCursor)
        ));
        assert!(matches!(
            open(&cipher(1), "T#B", &Collection::Customers.listing(), &cursor),
            Err(StoreError::BadCursor)
        ));
        assert!(matches!(
            open(&cipher(1), "T#A", &Collection::Services.listing(), &cursor),
            Err(StoreError::BadCursor)
        ));
    }

    #[test]
    fn garbage_is_refused_without_panicking() {
        for text in ["", "!!!", "AAAA", "ÿ", &"A".repeat(600)] {
            assert!(matches!(
                open(&cipher(1), "T#A", &Collection::Customers.listing(), text),
                Err(StoreError::BadCursor)
            ));
        }
    }
}
