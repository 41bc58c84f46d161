//! Signup, login, logout and password change.
//!
//! Login guesses are counted before bcrypt runs (see `domain::throttle`): one conditional
//! update per guess, against the budget of the browser's device cookie when it presents a valid
//! one for this user, else against the address's. An unknown email makes the same calls and the
//! same bcrypt as a known one, and is counted the same way.

use crate::AppState;
use crate::audit::{self, Outcome};
use crate::auth::device::Device;
use crate::auth::token::{Claims, SESSION_SECONDS};
use crate::auth::{Password, password};
use crate::domain::account::{CompanyProfile, User};
use crate::domain::second_factor::{self, PendingTotp, SecondFactor};
use crate::domain::settings::Settings;
use crate::domain::throttle::{self, Attempt, Budget};
use crate::domain::values::{Currency, EmailAddress, Locale, Name};
use crate::domain::{SessionId, TenantId, UserId};
use crate::notice::{self, Notice};
use crate::store::{ConflictReason, ItemKey, StoreError, Stored, keys};
use crate::telemetry::RequestId;

use super::{Actor, Error, FieldError, Result};

/// What signup asks for.
pub struct Signup {
    pub name: Name,
    pub email: EmailAddress,
    pub password: Password,
    pub company_name: Name,
    /// The currency of the company's documents (changeable later).
    pub currency: Currency,
    /// The language and formats of documents and of the app (changeable later).
    pub locale: Locale,
}

/// What login asks for.
pub struct Login {
    pub email: EmailAddress,
    pub password: Password,
    /// The `__Host-device` cookie the browser sent, unverified.
    pub device_cookie: Option<String>,
    /// The second factor, for a user who enabled it: a code from the authenticator app, or
    /// one of the recovery codes.
    pub second_factor: Option<Proof>,
}

/// What a user presents as the second factor.
#[derive(Debug, Clone)]
pub enum Proof {
    Code(String),
    RecoveryCode(String),
}

/// What checking a user's second factor found.
enum Checked {
    /// The user has none enabled.
    NotEnabled,
    /// Accepted; the user's record (its last step, or its recovery codes) was changed and must
    /// be written with the change it allows.
    Accepted { recovery_codes_left: Option<usize> },
    /// Enabled, and nothing was presented.
    Missing,
    /// Wrong, used already, or for an earlier step.
    Refused,
}

/// Checks `proof` against `user`'s second factor at `now`, using it up if it is accepted.
fn check_second_factor(user: &mut User, proof: Option<&Proof>, now: i64) -> Checked {
    let Some(factor) = user.second_factor.as_mut() else {
        return Checked::NotEnabled;
    };
    match proof {
        None => Checked::Missing,
        Some(Proof::Code(code)) if factor.accept_code(code, now) => Checked::Accepted {
            recovery_codes_left: None,
        },
        Some(Proof::RecoveryCode(code)) if factor.accept_recovery_code(code) => Checked::Accepted {
            recovery_codes_left: Some(factor.recovery_digests.len()),
        },
        Some(_) => Checked::Refused,
    }
}

/// A session that has just started: the token for the session cookie and the value of the
/// device cookie that recognises this browser from now on.
pub struct Started {
    pub tenant: TenantId,
    pub user_id: UserId,
    pub user: Stored<User>,
    pub token: String,
    pub device_cookie: String,
}

/// Creates an account (its own data key, the login, the unique email entry, the company
/// profile and default settings) and logs in to it, in one transaction.
pub async fn signup(state: &AppState, request: &RequestId, input: Signup) -> Result<Started> {
    input
        .password
        .check_new(&[
            input.email.as_str(),
            input.name.as_str(),
            input.company_name.as_str(),
        ])
        .map_err(|e| Error::invalid("password", e.0))?;
    let tenant = TenantId::generate();
    let user_id = UserId::generate();
    let session = SessionId::generate();
    tracing::Span::current().record("tenant_id", tracing::field::display(tenant));

    let (hash, digest, mut tx) = tokio::try_join!(
        password::hash(&input.password),
        async {
            Ok(state
                .service_key
                .email_digest(&state.store, &input.email)
                .await?)
        },
        async { Ok(state.store.open_account(&tenant).await?) },
    )?;
    let user = User {
        name: input.name,
        email: input.email,
        password_hash: hash,
        second_factor: None,
        pending_totp: None,
    };
    let now = tx.now();
    let event = audit::event(
        Some(&user_id),
        "auth.signup",
        Some(tenant.to_string()),
        Outcome::Success,
        request,
    );
    tx.claim_email(&digest, &user_id)
        .create(&keys::user(&tenant, &user_id), &user)
        .create(
            &keys::company(&tenant),
            &CompanyProfile::named(input.company_name, input.currency),
        )
        .create(
            &keys::settings(&tenant),
            &Settings {
                locale: input.locale,
                ..Settings::default()
            },
        )
        .start_session(&user_id, &session, now.unix_seconds() + SESSION_SECONDS)
        .audit(&event);
    let claims = Claims::new(&tenant, &user_id, &session, 1, now.unix_seconds());
    let (committed, token, device_mac) = tokio::join!(
        state.store.commit(tx),
        state.signer.sign(&claims),
        state.service_key.device_mac(&state.store)
    );
    match committed {
        Err(StoreError::Conflict {
            reason: ConflictReason::AlreadyExists,
            ..
        }) => {
            // A stale wrapped key would be harmless, but nothing was written: forget it.
            state.store.keyring().forget(&tenant).await;
            return Err(Error::Conflict(
                "An account with this email already exists.",
            ));
        }
        other => other?,
    }
    let token = token.map_err(|e| Error::Internal(e.into()))?;
    let device_cookie = Device::new(tenant, user_id).value(&device_mac?);
    Ok(Started {
        tenant,
        user_id,
        user: Stored::created(user, now),
        token,
        device_cookie,
    })
}

/// The budget a guess for `login` is counted against: the device's, when the browser presents
/// a valid device cookie for that very user; else the address's from this `client` (a MAC of
/// its network).
fn budget_for(
    digest: &str,
    device: Option<Device>,
    login: Option<(TenantId, UserId)>,
    client: &str,
) -> (ItemKey, Budget, Option<Device>) {
    match device {
        Some(device) if login == Some((device.tenant, device.user)) => (
            keys::device_attempts(digest, &device.id),
            throttle::DEVICE,
            Some(device),
        ),
        _ => (
            keys::client_attempts(digest, client),
            throttle::ADDRESS,
            None,
        ),
    }
}

/// Counts a guess against its budget; one from a browser we do not recognise also against the
/// address's budget for every such client together ([`throttle::ADDRESS_ALL`]).
async fn count_guess(
    state: &AppState,
    digest: &str,
    (budget_key, budget): (&ItemKey, Budget),
    recognised: bool,
    now: i64,
) -> Result<Attempt, crate::store::StoreError> {
    let own = state.store.count_login_attempt(budget_key, budget, now);
    if recognised {
        return own.await;
    }
    let every_client = keys::login_attempts(digest);
    let all = state
        .store
        .count_login_attempt(&every_client, throttle::ADDRESS_ALL, now);
    let (own, all) = tokio::try_join!(own, all)?;
    Ok(own.and(all))
}

/// A guess of the signed-in user's own password (to change it, or to delete the account).
struct Guess {
    right: bool,
    /// The budget it was counted against, cleared once the change it allows commits.
    budget_key: ItemKey,
    /// The address's digest (its unique-email item).
    digest: String,
}

/// Counts a guess of the actor's password against its budget, as a login does (so a stolen
/// session cannot guess faster than a login could), then checks it with bcrypt. A wrong guess
/// is in the audit trail as `action`; over budget, the answer is `Locked` and bcrypt never runs.
async fn guess_password(
    state: &AppState,
    actor: &Actor,
    user: &User,
    presented: &Password,
    device_cookie: Option<&str>,
    action: &'static str,
) -> Result<Guess> {
    let tenant = *actor.tenant();
    let (digest, device_mac, client) = tokio::try_join!(
        state.service_key.email_digest(&state.store, &user.email),
        state.service_key.device_mac(&state.store),
        state
            .service_key
            .login_client(&state.store, actor.request().client.ip),
    )?;
    let device = device_cookie.and_then(|value| Device::verify(&device_mac, value));
    let (budget_key, budget, device) =
        budget_for(&digest, device, Some((tenant, *actor.user())), &client);
    let now = state.clock.unix();
    let attempt = count_guess(state, &digest, (&budget_key, budget), device.is_some(), now).await?;
    if let Attempt::Locked {
        retry_after_seconds,
    } = attempt
    {
        record(state, &tenant, actor.audit(action, None, Outcome::Locked)).await?;
        return Err(Error::Locked {
            retry_after_seconds,
        });
    }
    let right = password::verify(presented, &user.password_hash).await?;
    if !right {
        record(
            state,
            &tenant,
            actor.audit(action, None, Outcome::WrongPassword),
        )
        .await?;
    }
    Ok(Guess {
        right,
        budget_key,
        digest,
    })
}

/// Deletes the account at once, in one transaction (DESIGN §8): it is marked deleted and due
/// for purge now; every session ends; its wrapped data key is destroyed, so nothing of it can
/// be opened again, not even from a copy of the table; its email address is released, so it
/// can sign up again as a new, empty account. The hourly purge then removes every item and
/// file. The password must be right (a wrong one counts as a failed login) and `confirm` must
/// be the company's legal name.
pub async fn delete_account(
    state: &AppState,
    actor: &Actor,
    presented: &Password,
    confirm: &str,
    device_cookie: Option<&str>,
) -> Result<()> {
    let check = actor.check()?;
    let tenant = *actor.tenant();
    let user_key = keys::user(&tenant, actor.user());
    let company_key = keys::company(&tenant);
    let ((account, user), company) = tokio::try_join!(
        state.store.get_with_account::<User>(&tenant, &user_key),
        state.store.get::<CompanyProfile>(&tenant, &company_key),
    )?;
    let (Some(account), Some(user)) = (account, user) else {
        return Err(Error::Unauthenticated);
    };
    if !account.active || account.session_version != check.version {
        return Err(Error::Unauthenticated);
    }
    let company = company.ok_or_else(|| Error::Internal(anyhow::anyhow!("no company profile")))?;
    if confirm.trim() != company.record.legal_name.as_str() {
        return Err(Error::invalid(
            "confirm",
            "must be the company's legal name, exactly as the company profile has it",
        ));
    }
    let guess = guess_password(
        state,
        actor,
        &user.record,
        presented,
        device_cookie,
        "account.delete",
    )
    .await?;
    if !guess.right {
        // As a password change says it: the session is good, the field is wrong.
        return Err(Error::invalid("password", "is not the account's password"));
    }
    let mut tx = state.store.transaction(&tenant).await?;
    let now = tx.now();
    tx.close_account(account.session_version, now)
        .require_live_session_item(check)
        .release_email(&guess.digest)
        .clear_login_attempts(&guess.budget_key)
        .audit(&actor.audit("account.delete", Some(tenant.to_string()), Outcome::Success));
    actor.mark_guarded();
    state.store.commit(tx).await?;
    state.store.keyring().forget(&tenant).await;
    // Its files go now, not at the purge: an export or a kept document is unreadable at once,
    // whoever holds a link. Should S3 fail here, the hourly purge deletes what is left.
    let deleted = async {
        let as_tenant = state.store.as_tenant(&tenant).await?;
        crate::store::files::delete_tenant_files(
            as_tenant.s3(),
            &state.config.export_bucket,
            &tenant,
        )
        .await
        .map_err(anyhow::Error::new)
    };
    if let Err(error) = deleted.await {
        tracing::error!(
            error = format!("{error:#}"),
            "a closed account's files are left for the purge"
        );
    }
    Ok(())
}

/// Writes one audit item to the tenant's trail (for events that change nothing else).
async fn record(state: &AppState, tenant: &TenantId, entry: audit::AuditEntry) -> Result<()> {
    let mut tx = state.store.transaction(tenant).await?;
    tx.audit(&entry);
    state.store.commit(tx).await?;
    Ok(())
}

/// Logs in: checks the password (after counting the guess) and starts a session.
pub async fn login(state: &AppState, request: &RequestId, input: Login) -> Result<Started> {
    let (digest, device_mac, client) = tokio::try_join!(
        state.service_key.email_digest(&state.store, &input.email),
        state.service_key.device_mac(&state.store),
        state
            .service_key
            .login_client(&state.store, request.client.ip),
    )?;
    let presented = input
        .device_cookie
        .as_deref()
        .and_then(|value| Device::verify(&device_mac, value));
    let login = state.store.find_login(&digest).await?;
    let (budget_key, budget, device) = budget_for(&digest, presented, login, &client);
    let now = state.clock.unix();

    // Count the guess and read the user at once; bcrypt runs only after the count allowed it.
    let read = async {
        match login {
            Some((tenant, user_id)) => {
                tracing::Span::current().record("tenant_id", tracing::field::display(tenant));
                let (account, user) = state
                    .store
                    .get_with_account::<User>(&tenant, &keys::user(&tenant, &user_id))
                    .await?;
                Ok(match (account, user) {
                    (Some(account), Some(user)) if account.active => {
                        Some((tenant, user_id, account.session_version, user))
                    }
                    _ => None,
                })
            }
            None => state.store.decoy_login_read().await.map(|()| None),
        }
    };
    let (attempt, found) = tokio::try_join!(
        count_guess(state, &digest, (&budget_key, budget), device.is_some(), now),
        read
    )?;
    let nth = match attempt {
        Attempt::Allowed { nth } => nth,
        Attempt::Locked {
            retry_after_seconds,
        } => {
            let object = login.map(|(_, user)| user.to_string());
            let entry = audit::event(None, "auth.login", object, Outcome::Locked, request);
            match login {
                Some((tenant, _)) => record(state, &tenant, entry).await?,
                None => state.store.decoy_login_write().await?,
            }
            return Err(Error::Locked {
                retry_after_seconds,
            });
        }
    };

    // An unknown address makes what a wrong password makes: a bcrypt, then one write.
    let Some((tenant, user_id, version, user)) = found else {
        password::verify_dummy(&input.password).await?;
        audit::event(None, "auth.login", None, Outcome::UnknownEmail, request);
        state.store.decoy_login_write().await?;
        return Err(Error::InvalidCredentials);
    };
    let right = password::verify(&input.password, &user.record.password_hash).await?;
    let mut user = user;
    let checked = if right {
        check_second_factor(&mut user.record, input.second_factor.as_ref(), now)
    } else {
        Checked::Refused
    };
    if matches!(checked, Checked::Missing) {
        // The password was right: the guess is not a failure, and the budget is not cleared.
        return Err(Error::SecondFactorRequired);
    }
    if !right || matches!(checked, Checked::Refused) {
        let outcome = if right {
            Outcome::WrongSecondFactor
        } else {
            Outcome::WrongPassword
        };
        let mut tx = state.store.transaction(&tenant).await?;
        tx.audit(&audit::event(
            None,
            "auth.login",
            Some(user_id.to_string()),
            outcome,
            request,
        ));
        if nth == budget.max {
            // The last guess of the budget: from now on, refused until the window ends.
            tx.audit(&audit::event(
                None,
                "auth.lockout",
                Some(user_id.to_string()),
                Outcome::Locked,
                request,
            ));
        }
        state.store.commit(tx).await?;
        return Err(Error::InvalidCredentials);
    }

    let session = SessionId::generate();
    let mut tx = state.store.transaction(&tenant).await?;
    let issued_at = tx.now().unix_seconds();
    tx.start_session(&user_id, &session, issued_at + SESSION_SECONDS)
        .audit(&audit::event(
            Some(&user_id),
            "auth.login",
            Some(session.to_string()),
            Outcome::Success,
            request,
        ))
        .clear_login_attempts(&budget_key);
    let mut recovery_codes_left = None;
    if let Checked::Accepted {
        recovery_codes_left: left,
    } = checked
    {
        // The code's step, or the recovery code, is used up with the login: at the version
        // read, so two logins with one code cannot both succeed.
        tx.replace(&keys::user(&tenant, &user_id), &user.record, user.version);
        if left.is_some() {
            tx.audit(&audit::event(
                Some(&user_id),
                "auth.recovery_code_used",
                Some(user_id.to_string()),
                Outcome::Success,
                request,
            ));
        }
        recovery_codes_left = left;
    }
    let claims = Claims::new(&tenant, &user_id, &session, version, issued_at);
    let (committed, token) = tokio::join!(state.store.commit(tx), state.signer.sign(&claims));
    committed.map_err(|error| match error {
        StoreError::Conflict { .. } => Error::InvalidCredentials,
        other => other.into(),
    })?;
    let token = token.map_err(|e| Error::Internal(e.into()))?;
    if let Some(left) = recovery_codes_left {
        notice::tell(
            state,
            &tenant,
            &user.record.email,
            Notice::RecoveryCodeUsed { left },
        )
        .await;
    }
    let device = device.unwrap_or_else(|| Device::new(tenant, user_id));
    Ok(Started {
        tenant,
        user_id,
        user,
        token,
        device_cookie: device.value(&device_mac),
    })
}

/// Ends the actor's session, everywhere at once. Ending one that has already ended is done.
pub async fn logout(state: &AppState, actor: &Actor) -> Result<()> {
    let check = actor.check()?;
    let mut tx = state.store.transaction(actor.tenant()).await?;
    tx.require_account(check)
        .end_session(&check.session)
        .audit(&actor.audit(
            "auth.logout",
            Some(check.session.to_string()),
            Outcome::Success,
        ));
    actor.mark_guarded();
    match state.store.commit(tx).await {
        Ok(())
        | Err(StoreError::Conflict {
            reason: ConflictReason::SessionEnded,
            ..
        }) => Ok(()),
        Err(error) => Err(error.into()),
    }
}

/// Changes the password: every session of the account ends and a new one starts for the actor.
/// Guessing the current password through a stolen session is counted like a login. Returns the
/// new session's token.
pub async fn change_password(
    state: &AppState,
    actor: &Actor,
    current: &Password,
    new: &Password,
    proof: Option<&Proof>,
    device_cookie: Option<&str>,
) -> Result<String> {
    let check = actor.check()?;
    let tenant = *actor.tenant();
    let (user_key, user) = signed_in_user(state, actor).await?;
    let guess = guess_password(
        state,
        actor,
        &user.record,
        current,
        device_cookie,
        "auth.password_change",
    )
    .await?;
    if !guess.right {
        return Err(Error::invalid(
            "current_password",
            "is not the account's current password",
        ));
    }
    let budget_key = guess.budget_key;
    new.check_new(&[user.record.email.as_str(), user.record.name.as_str()])
        .map_err(|e| Error::invalid("new_password", e.0))?;
    let mut user = user;
    confirm_second_factor(
        state,
        actor,
        &mut user.record,
        proof,
        "auth.password_change",
    )
    .await?;
    let email = user.record.email.clone();
    let hash = password::hash(new).await?;

    let next_version = check.version + 1;
    let new_session = SessionId::generate();
    let updated = User {
        password_hash: hash,
        ..user.record
    };
    let mut tx = state.store.transaction(&tenant).await?;
    let issued_at = tx.now().unix_seconds();
    tx.advance_session_version(check.version)
        .require_live_session_item(check)
        .replace(&user_key, &updated, user.version)
        .start_session(actor.user(), &new_session, issued_at + SESSION_SECONDS)
        .audit(&actor.audit(
            "auth.password_change",
            Some(actor.user().to_string()),
            Outcome::Success,
        ))
        .clear_login_attempts(&budget_key);
    actor.mark_guarded();
    let claims = Claims::new(&tenant, actor.user(), &new_session, next_version, issued_at);
    let (committed, token) = tokio::join!(state.store.commit(tx), state.signer.sign(&claims));
    committed?;
    let token = token.map_err(|e| Error::Internal(e.into()))?;
    notice::tell(state, &tenant, &email, Notice::PasswordChanged).await;
    Ok(token)
}

/// Changes the signed-in user's e-mail address (what they log in with and where notices go).
/// Only the owner's session, with the password (and second factor) confirmed in the last few
/// minutes; the new address must be no account's. In one transaction the new address is
/// claimed, the old one released and the user changed, so no two accounts ever share one.
/// Both addresses are told: the old one, so a thief who changed it is noticed.
pub async fn change_email(state: &AppState, actor: &Actor, new: EmailAddress) -> Result<()> {
    let check = actor.check()?;
    require_recent_reauthentication(state, actor).await?;
    let tenant = *actor.tenant();
    let (user_key, user) = signed_in_user(state, actor).await?;
    let old = user.record.email.clone();
    if old.normalised() == new.normalised() {
        return Err(Error::invalid("email", "is the account's address already"));
    }
    let (old_digest, new_digest) = tokio::try_join!(
        state.service_key.email_digest(&state.store, &old),
        state.service_key.email_digest(&state.store, &new),
    )?;
    let updated = User {
        email: new.clone(),
        ..user.record
    };
    let mut tx = state.store.transaction(&tenant).await?;
    tx.require_live_session_item(check)
        .claim_email(&new_digest, actor.user())
        .release_email(&old_digest)
        .replace(&user_key, &updated, user.version)
        .audit(&actor.audit(
            "auth.email_change",
            Some(actor.user().to_string()),
            Outcome::Success,
        ));
    actor.mark_guarded();
    match state.store.commit(tx).await {
        Err(StoreError::Conflict {
            reason: ConflictReason::AlreadyExists,
            ..
        }) => {
            return Err(Error::ConflictField(FieldError::new(
                "email",
                "belongs to another account",
            )));
        }
        other => other?,
    }
    let notice = Notice::EmailChanged {
        to: new.as_str().to_owned(),
    };
    tokio::join!(
        notice::tell(state, &tenant, &old, notice.clone()),
        notice::tell(state, &tenant, &new, notice),
    );
    Ok(())
}

/// How recently a session must have confirmed the password (and second factor) for a change
/// of the bank account or a complete export.
pub const REAUTH_SECONDS: i64 = 5 * 60;

/// What a user is shown once to add the account to an authenticator app.
pub struct Enrolment {
    /// The secret, base32, to type in by hand.
    pub secret: String,
    /// The `otpauth://` URL, to scan as a QR code.
    pub otpauth_url: String,
}

/// The signed-in user, read with the account, if the session is still good for it.
async fn signed_in_user(state: &AppState, actor: &Actor) -> Result<(ItemKey, Stored<User>)> {
    let check = actor.check()?;
    let tenant = *actor.tenant();
    let user_key = keys::user(&tenant, actor.user());
    let (account, user) = state
        .store
        .get_with_account::<User>(&tenant, &user_key)
        .await?;
    let (Some(account), Some(user)) = (account, user) else {
        return Err(Error::Unauthenticated);
    };
    if !account.active || account.session_version != check.version {
        return Err(Error::Unauthenticated);
    }
    Ok((user_key, user))
}

/// Writes the signed-in user's record at `version`, with its audit entry `action`, if the
/// session is still live.
async fn write_user(
    state: &AppState,
    actor: &Actor,
    (key, user, version): (&ItemKey, &User, u64),
    action: &'static str,
) -> Result<()> {
    let check = actor.check()?;
    let mut tx = state.store.transaction(actor.tenant()).await?;
    tx.require_live_session_item(check)
        .replace(key, user, version)
        .audit(&actor.audit(action, Some(actor.user().to_string()), Outcome::Success));
    actor.mark_guarded();
    state.store.commit(tx).await?;
    Ok(())
}

/// The password, counted as a guess; a wrong one is refused naming `password`.
async fn confirm_password(
    state: &AppState,
    actor: &Actor,
    user: &User,
    presented: &Password,
    device_cookie: Option<&str>,
    action: &'static str,
) -> Result<Guess> {
    let guess = guess_password(state, actor, user, presented, device_cookie, action).await?;
    if !guess.right {
        return Err(Error::invalid("password", "is not the account's password"));
    }
    Ok(guess)
}

/// The second factor a change needs besides the password: `Missing` asks for it, a wrong
/// one is in the trail as `action` and refused naming `code`.
async fn confirm_second_factor(
    state: &AppState,
    actor: &Actor,
    user: &mut User,
    proof: Option<&Proof>,
    action: &'static str,
) -> Result<Checked> {
    let checked = check_second_factor(user, proof, state.clock.unix());
    match checked {
        Checked::Missing => Err(Error::SecondFactorRequired),
        Checked::Refused => {
            record(
                state,
                actor.tenant(),
                actor.audit(action, None, Outcome::WrongSecondFactor),
            )
            .await?;
            Err(Error::invalid(
                "code",
                "is not a code the app shows now, nor an unused recovery code",
            ))
        }
        accepted_or_none => Ok(accepted_or_none),
    }
}

/// Starts two-factor authentication: with the password, a new secret waits (ten minutes)
/// for its first code in [`confirm_totp`].
pub async fn start_totp(
    state: &AppState,
    actor: &Actor,
    presented: &Password,
    device_cookie: Option<&str>,
) -> Result<Enrolment> {
    let (user_key, user) = signed_in_user(state, actor).await?;
    if user.record.second_factor.is_some() {
        return Err(Error::Conflict(
            "Two-factor authentication is already on; turn it off first to enrol another app.",
        ));
    }
    confirm_password(
        state,
        actor,
        &user.record,
        presented,
        device_cookie,
        "auth.second_factor_start",
    )
    .await?;
    let secret = second_factor::new_secret().map_err(|e| Error::Internal(e.into()))?;
    let otpauth_url = second_factor::otpauth_url(&secret, user.record.email.as_str())
        .map_err(|e| Error::Internal(e.into()))?;
    let updated = User {
        pending_totp: Some(PendingTotp {
            secret: secret.clone(),
            started_at: state.clock.unix(),
        }),
        ..user.record
    };
    let written = (&user_key, &updated, user.version);
    write_user(state, actor, written, "auth.second_factor_start").await?;
    Ok(Enrolment {
        secret,
        otpauth_url,
    })
}

/// Turns two-factor authentication on with the first code of the enrolment's secret, and
/// returns the recovery codes (shown once; only their digests are kept).
pub async fn confirm_totp(state: &AppState, actor: &Actor, code: &str) -> Result<Vec<String>> {
    let (user_key, user) = signed_in_user(state, actor).await?;
    let now = state.clock.unix();
    let pending = user
        .record
        .pending_totp
        .clone()
        .filter(|pending| now - pending.started_at < second_factor::ENROLMENT_SECONDS)
        .ok_or_else(|| {
            Error::unprocessable(
                "code",
                "no enrolment is waiting for a code (or it lapsed after 10 minutes): start again",
            )
        })?;
    let step = second_factor::step_of(&pending.secret, code, now)
        .ok_or_else(|| Error::invalid("code", "is not the code the app shows now"))?;
    let (codes, digests) =
        second_factor::recovery_codes().map_err(|e| Error::Internal(e.into()))?;
    let email = user.record.email.clone();
    let updated = User {
        second_factor: Some(SecondFactor {
            secret: pending.secret,
            last_step: step,
            recovery_digests: digests,
        }),
        pending_totp: None,
        ..user.record
    };
    let written = (&user_key, &updated, user.version);
    write_user(state, actor, written, "auth.second_factor_enable").await?;
    notice::tell(state, actor.tenant(), &email, Notice::SecondFactorEnabled).await;
    Ok(codes)
}

/// Turns two-factor authentication off: the password and a code (or a recovery code).
pub async fn disable_second_factor(
    state: &AppState,
    actor: &Actor,
    presented: &Password,
    proof: Option<&Proof>,
    device_cookie: Option<&str>,
) -> Result<()> {
    let (user_key, mut user) = signed_in_user(state, actor).await?;
    if user.record.second_factor.is_none() {
        return Err(Error::Conflict("Two-factor authentication is not on."));
    }
    let action = "auth.second_factor_disable";
    confirm_password(state, actor, &user.record, presented, device_cookie, action).await?;
    confirm_second_factor(state, actor, &mut user.record, proof, action).await?;
    let email = user.record.email.clone();
    let updated = User {
        second_factor: None,
        pending_totp: None,
        ..user.record
    };
    write_user(state, actor, (&user_key, &updated, user.version), action).await?;
    notice::tell(state, actor.tenant(), &email, Notice::SecondFactorDisabled).await;
    Ok(())
}

/// Confirms the password (and the second factor, when on) for this session: for
/// [`REAUTH_SECONDS`] it may change the bank account and make a complete export.
pub async fn reauthenticate(
    state: &AppState,
    actor: &Actor,
    presented: &Password,
    proof: Option<&Proof>,
    device_cookie: Option<&str>,
) -> Result<()> {
    let check = *actor.check()?;
    let (user_key, mut user) = signed_in_user(state, actor).await?;
    let action = "auth.reauthenticate";
    confirm_password(state, actor, &user.record, presented, device_cookie, action).await?;
    let checked = confirm_second_factor(state, actor, &mut user.record, proof, action).await?;
    let mut tx = state.store.transaction(actor.tenant()).await?;
    tx.require_live_session_item(&check).audit(&actor.audit(
        action,
        Some(check.session.to_string()),
        Outcome::Success,
    ));
    if matches!(checked, Checked::Accepted { .. }) {
        // The code's step or the recovery code is used up.
        tx.replace(&user_key, &user.record, user.version);
    }
    actor.mark_guarded();
    state.store.commit(tx).await?;
    state
        .store
        .mark_reauthenticated(actor.tenant(), &check.session, state.clock.unix())
        .await?;
    Ok(())
}

/// That the actor's session confirmed the password within [`REAUTH_SECONDS`]; an API key
/// never has (403).
pub async fn require_recent_reauthentication(state: &AppState, actor: &Actor) -> Result<()> {
    let check = actor.check()?;
    let at = state
        .store
        .reauthenticated_at(actor.tenant(), &check.session)
        .await?;
    match at {
        Some(at) if at >= state.clock.unix() - REAUTH_SECONDS => Ok(()),
        _ => Err(Error::ReauthenticationRequired),
    }
}

/// Sends the acting user a security notice (to the user's own address).
pub async fn tell_the_user(state: &AppState, actor: &Actor, notice: Notice) {
    let user = state
        .store
        .get::<User>(actor.tenant(), &keys::user(actor.tenant(), actor.user()))
        .await;
    match user {
        Ok(Some(user)) => notice::tell(state, actor.tenant(), &user.record.email, notice).await,
        Ok(None) => {}
        Err(error) => tracing::error!(error = %error, ?notice, "a security notice was not sent"),
    }
}
