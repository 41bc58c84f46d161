//! The account's suppressed addresses: those a permanent bounce or a complaint took off the
//! list of addresses documents are sent to (`crate::deliveries` records them). A send checks
//! its recipients here; the owner lists and clears them.

use crate::AppState;
use crate::audit::Outcome;
use crate::domain::TenantId;
use crate::domain::link::{Suppression, SuppressionReason};
use crate::domain::values::EmailAddress;
use crate::store::keys;

use super::{Actor, Error, Result};

/// What names a suppressed address in the account's partition: a MAC under the tenant's key.
pub fn address_mac(cipher: &crate::crypto::TenantCipher, address: &EmailAddress) -> String {
    cipher.fingerprint(&[b"suppressed-address", address.normalised().as_bytes()])
}

/// Refuses a send to a suppressed address, naming it (`to[1]`, `cc[0]`): nothing is sent.
pub async fn check_not_suppressed(
    state: &AppState,
    tenant: &TenantId,
    to: &[EmailAddress],
    cc: &[EmailAddress],
) -> Result<()> {
    let cipher = state.store.cipher(tenant).await?;
    let named: Vec<(String, &EmailAddress)> = to
        .iter()
        .enumerate()
        .map(|(i, a)| (format!("to[{i}]"), a))
        .chain(cc.iter().enumerate().map(|(i, a)| (format!("cc[{i}]"), a)))
        .collect();
    let reads = named.iter().map(|(_, address)| {
        let key = keys::suppression(tenant, &address_mac(&cipher, address));
        async move { state.store.get::<Suppression>(tenant, &key).await }
    });
    let found = futures_util::future::try_join_all(reads).await?;
    let refused: Vec<crate::domain::FieldError> = named
        .iter()
        .zip(found)
        .filter_map(|((field, address), suppression)| {
            let suppression = suppression?.record;
            let why = match suppression.reason {
                SuppressionReason::Bounced => "bounced for good",
                SuppressionReason::Complained => "marked a message as spam",
            };
            Some(crate::domain::FieldError::new(
                field.clone(),
                format!(
                    "{address} is suppressed: it {why}. Clear it in the settings to send to it again."
                ),
            ))
        })
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(Error::UnprocessableFields(refused))
    }
}

/// The account's suppressed addresses, with the id that clears each.
pub async fn list(state: &AppState, tenant: &TenantId) -> Result<Vec<(String, Suppression)>> {
    let listing = keys::suppressions();
    let page = state
        .store
        .list_entries::<Suppression>(tenant, &listing, 1000, None, |_| true)
        .await?;
    Ok(page
        .items
        .into_iter()
        .filter_map(|(sort_key, stored)| {
            let id = sort_key.rsplit('#').next()?.to_owned();
            Some((id, stored.record))
        })
        .collect())
}

/// Clears a suppressed address: documents can be sent to it again. 404 for an id the account
/// does not have.
pub async fn clear(state: &AppState, actor: &Actor, id: &str) -> Result<()> {
    let well_formed = id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Err(Error::NotFound);
    }
    let key = keys::suppression(actor.tenant(), id);
    let stored = state
        .store
        .get::<Suppression>(actor.tenant(), &key)
        .await?
        .ok_or(Error::NotFound)?;
    let mut tx = actor.transaction(&state.store).await?;
    tx.delete(&key, stored.version);
    tx.audit(&actor.audit("suppression.clear", Some(id.to_owned()), Outcome::Success));
    state.store.commit(tx).await?;
    Ok(())
}
