//! The account's singletons: the company profile and the settings.

use crate::AppState;
use crate::audit::Outcome;
use crate::domain::account::CompanyProfile;
use crate::domain::settings::{Settings, SettingsPatch};
use crate::notice::Notice;
use crate::store::{Record, Stored, keys};

use super::{Actor, Error, Result};

/// The version a change applies to: the one the caller read, or (for `If-Match: *`) the one
/// there now, read here. Returns it with the current record when it had to be read.
async fn base<R: Record>(
    state: &AppState,
    actor: &Actor,
    key: &keys::ItemKey,
    expected: Option<u64>,
    need_record: bool,
) -> Result<(u64, Option<Stored<R>>)> {
    if let (Some(version), false) = (expected, need_record) {
        return Ok((version, None));
    }
    let current = state
        .store
        .get::<R>(actor.tenant(), key)
        .await?
        .ok_or(Error::NotFound)?;
    let version = expected.unwrap_or(current.version);
    if version != current.version {
        return Err(Error::PreconditionFailed);
    }
    Ok((version, Some(current)))
}

/// Replaces the company profile at `expected` (any version: `None`). One transaction.
pub async fn replace_company(
    state: &AppState,
    actor: &Actor,
    profile: CompanyProfile,
    expected: Option<u64>,
) -> Result<Stored<CompanyProfile>> {
    profile
        .check()
        .map_err(|refused| Error::Invalid(vec![refused]))?;
    let key = keys::company(actor.tenant());
    // Where customers pay is what a thief would change: a profile that names a bank account
    // is compared with the stored one, and a new account needs the owner's session with the
    // password confirmed in the last few minutes (and the owner is told). Removing it needs
    // nothing more than any change.
    let names_bank = profile.bank_account.is_some();
    let (version, current) =
        base::<CompanyProfile>(state, actor, &key, expected, names_bank).await?;
    let before = current
        .as_ref()
        .and_then(|c| c.record.bank_account.as_ref());
    let bank_changed = names_bank && before != profile.bank_account.as_ref();
    if bank_changed {
        super::auth::require_recent_reauthentication(state, actor).await?;
    }
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    tx.replace(&key, &profile, version).audit(&actor.audit(
        "company.update",
        None,
        Outcome::Success,
    ));
    if bank_changed {
        tx.audit(&actor.audit("company.bank_account_change", None, Outcome::Success));
    }
    state.store.commit(tx).await?;
    if bank_changed {
        super::auth::tell_the_user(state, actor, Notice::BankAccountChanged).await;
    }
    Ok(Stored {
        record: profile,
        version: version + 1,
        created_at: current.map_or(now, |c| c.created_at),
        updated_at: now,
    })
}

/// Applies a merge patch to the settings at `expected` (any version: `None`).
pub async fn update_settings(
    state: &AppState,
    actor: &Actor,
    patch: SettingsPatch,
    expected: Option<u64>,
) -> Result<Stored<Settings>> {
    let key = keys::settings(actor.tenant());
    let (version, current) = base::<Settings>(state, actor, &key, expected, true).await?;
    let current = current.ok_or(Error::NotFound)?;
    let next = current.record.patched(patch);
    let mut tx = actor.transaction(&state.store).await?;
    let now = tx.now();
    // The write is conditional on `version` too: a change between the read and here is a 412.
    tx.replace(&key, &next, version)
        .audit(&actor.audit("settings.update", None, Outcome::Success));
    state.store.commit(tx).await?;
    Ok(Stored {
        record: next,
        version: version + 1,
        created_at: current.created_at,
        updated_at: now,
    })
}
