//! API keys (issue 26): the owner makes, lists and revokes them; only the owner's session may.
//!
//! Making a key writes, in one transaction, the account's record of it (sealed: its name,
//! scope, expiry and the SHA-256 of its secret) and its lookup item (the digest as its
//! partition, the tenant and the key); the secret is answered once and kept nowhere. Revoking
//! marks both in one transaction, so the next request with the key is refused.

use crate::AppState;
use crate::audit::Outcome;
use crate::domain::api_key::{ApiKey, ApiKeyView, MAX_KEYS, NewApiKey, Secret};
use crate::domain::ids::ApiKeyId;
use crate::store::{Collection, Stored, keys};

use super::{Actor, Error, Result};

fn view(
    id: ulid::Ulid,
    stored: &Stored<ApiKey>,
    last_used_at: Option<crate::domain::Timestamp>,
) -> ApiKeyView {
    let key = &stored.record;
    ApiKeyView {
        id: ApiKeyId::from_ulid(id).to_string(),
        name: key.name.clone(),
        scope: key.scope,
        hint: key.hint.clone(),
        created_by: key.created_by,
        created_at: stored.created_at,
        expires_at: key.expires_at,
        revoked_at: key.revoked_at,
        last_used_at,
        secret: None,
    }
}

/// `POST /v1/api-keys`: a new key; its secret is in this answer and nowhere else.
pub async fn create(state: &AppState, actor: &Actor, new: NewApiKey) -> Result<ApiKeyView> {
    actor.check()?;
    let now = state.clock.now();
    if new.expires_at.is_some_and(|expires| expires <= now) {
        return Err(Error::invalid("expires_at", "must be in the future"));
    }
    let held = state
        .store
        .list_keyed::<ApiKey>(actor.tenant(), Collection::ApiKeys, 100, None)
        .await?;
    if held.items.len() >= MAX_KEYS {
        return Err(Error::unprocessable(
            "name",
            format!("an account holds at most {MAX_KEYS} keys"),
        ));
    }
    let secret = Secret::generate().map_err(|e| Error::Internal(anyhow::anyhow!("CSPRNG: {e}")))?;
    let id = ApiKeyId::generate();
    let key = ApiKey::new(new, &secret, *actor.user());
    let mut tx = actor.transaction(&state.store).await?;
    let created_at = tx.now();
    tx.create_api_key(&keys::api_key(actor.tenant(), &id), &key, &key.digest)
        .create_api_key_lookup(
            &key.digest,
            &id,
            actor.user(),
            key.scope,
            key.expires_at,
            key.name.as_str(),
        )
        .audit(&actor.audit("api_key.created", Some(id.to_string()), Outcome::Success));
    state.store.commit(tx).await?;
    let stored = Stored {
        record: key,
        version: 1,
        created_at,
        updated_at: created_at,
    };
    Ok(ApiKeyView {
        secret: Some(secret.as_str().to_owned()),
        ..view(id.ulid(), &stored, None)
    })
}

/// `GET /v1/api-keys`: every key of the account, revoked ones too, oldest first, each with
/// its last use.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<ApiKeyView>> {
    actor.check()?;
    let held = state
        .store
        .list_keyed::<ApiKey>(actor.tenant(), Collection::ApiKeys, 100, None)
        .await?;
    let used = futures_util::future::try_join_all(
        held.items
            .iter()
            .map(|(_, stored)| state.store.api_key_last_used(&stored.record.digest)),
    )
    .await?;
    Ok(held
        .items
        .iter()
        .zip(used)
        .map(|((id, stored), used)| view(*id, stored, used))
        .collect())
}

/// `DELETE /v1/api-keys/{id}`: revokes the key; the next request with it is refused. Revoking
/// a revoked key changes nothing.
pub async fn revoke(state: &AppState, actor: &Actor, id: &ApiKeyId) -> Result<()> {
    actor.check()?;
    let key = keys::api_key(actor.tenant(), id);
    let stored = state
        .store
        .get::<ApiKey>(actor.tenant(), &key)
        .await?
        .ok_or(Error::NotFound)?;
    if stored.record.revoked_at.is_some() {
        return Ok(());
    }
    let mut tx = actor.transaction(&state.store).await?;
    let revoked = ApiKey {
        revoked_at: Some(tx.now()),
        ..stored.record.clone()
    };
    tx.replace(&key, &revoked, stored.version)
        .revoke_api_key_lookup(&stored.record.digest)
        .audit(&actor.audit("api_key.revoked", Some(id.to_string()), Outcome::Success));
    state.store.commit(tx).await?;
    Ok(())
}
