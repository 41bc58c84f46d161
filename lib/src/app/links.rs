//! What a document's link allows, and the owner's hold on the links: a customer with the link
//! reads that one document, downloads its files and answers a proposal; the owner revokes a
//! link. A link's page is reached with no session: the token is the only credential, and it
//! opens one document of one account, nothing else.

use sha2::{Digest, Sha256};

use crate::AppState;
use crate::audit::{self, Outcome};
use crate::domain::account::CompanyProfile;
use crate::domain::ids::{LinkId, ProposalId};
use crate::domain::link::{Acceptance, Delivery, DeliveryEvent, Token, Tracked};
use crate::domain::proposal::{Proposal, ProposalStatus};
use crate::domain::settings::Settings;
use crate::domain::values::DocumentText;
use crate::domain::{TenantId, Timestamp};
use crate::render::messages::{language_of, messages};
use crate::store::{ConflictReason, LinkTarget, StoreError, Stored, keys};
use crate::telemetry::RequestId;

use super::collection::{Render, Resource, current};
use super::documents::{answered, write_entries};
use super::sending::Mailable;
use super::{Actor, Error, Result, files, get};

/// A link that opens its page now.
#[derive(Debug, Clone)]
pub struct Opened {
    pub target: LinkTarget,
    digest: String,
}

impl Opened {
    pub fn tenant(&self) -> &TenantId {
        &self.target.tenant
    }

    /// The id of the document it opens, as `D`'s.
    pub fn id<D: Resource>(&self) -> D::Id {
        D::id_from_ulid(self.target.document)
    }
}

/// The link `token` names, if it opens a page now: well formed, known, neither expired nor
/// revoked, of an account that is not closed. Everything else is `None`, alike.
pub async fn open(state: &AppState, token: &str) -> Result<Option<Opened>> {
    let Some(token) = Token::parse(token) else {
        return Ok(None);
    };
    let digest = token.digest();
    let Some(target) = Box::pin(state.store.find_link(&digest)).await? else {
        return Ok(None);
    };
    if !target.opens_at(state.clock.now()) {
        return Ok(None);
    }
    let tenant = target.tenant;
    // The account's plain status alone: no key is unwrapped for a link that opens nothing.
    if !Box::pin(state.store.account_is_active(&tenant)).await? {
        return Ok(None);
    }
    Ok(Some(Opened { target, digest }))
}

/// An audit entry of the customer's, through the link (no user of the account acted).
fn by_link(action: &'static str, object: String, request: &RequestId) -> crate::audit::AuditEntry {
    audit::event(None, action, Some(object), Outcome::Success, request)
}

/// Records the first view through the link on the document and in the audit trail, once
/// however many pages open at once. A view that loses a race records nothing.
pub async fn record_view<D: Mailable>(
    state: &AppState,
    opened: &Opened,
    request: &RequestId,
) -> Result<()> {
    if opened.target.viewed {
        return Ok(());
    }
    let tenant = *opened.tenant();
    let id = opened.id::<D>();
    let before = current::<D>(state, &tenant, &id, None).await?;
    let mut tx = state.store.transaction(&tenant).await?;
    let now = tx.now();
    let mut viewed = before.record.with_delivery(Delivery {
        event: DeliveryEvent::Viewed,
        at: now,
        recipient: None,
        message_id: None,
        detail: Some(opened.target.link.clone()),
    });
    if let Some(link) = viewed
        .links_mut()
        .iter_mut()
        .find(|link| link.digest == opened.digest)
    {
        link.viewed_at = Some(now);
    }
    tx.replace(&D::key(&tenant, &id), &viewed, before.version);
    tx.first_view(&opened.digest);
    tx.audit(&by_link(viewed_action::<D>(), id.to_string(), request));
    match state.store.commit(tx).await {
        Ok(()) => Ok(()),
        // Viewed by another page at once, or the document changed meanwhile: the next view
        // records it.
        Err(StoreError::Conflict { .. }) => Ok(()),
        Err(error) => Err(error.into()),
    }
}

fn viewed_action<D: Tracked>() -> &'static str {
    D::TRACKED.viewed
}

/// Where the customer's answer came from.
pub struct Visitor {
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

/// What the customer answered on the page.
pub enum PageAnswer {
    /// Accepted, with the name they typed.
    Accept(String),
    /// Declined, with their reason if they gave one.
    Decline(Option<DocumentText>),
}

/// Why the page could not take an answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Acceptance needs a name (1 to 200 characters, no control characters).
    NameRequired,
    /// Answered before, expired, or no longer a sent proposal.
    Closed,
}

/// The longest name an acceptance records.
const MAX_NAME: usize = 200;

/// Records the customer's answer to the proposal `opened` opens, as the owner's own accept or
/// decline would move it, with who accepted, from where, and the SHA-256 of the PDF the page
/// offered; then tells the owner by e-mail.
pub async fn answer(
    state: &AppState,
    opened: &Opened,
    answer: PageAnswer,
    visitor: Visitor,
    request: &RequestId,
) -> Result<std::result::Result<(), Refused>> {
    let tenant = *opened.tenant();
    let id: ProposalId = opened.id::<Proposal>();
    if let PageAnswer::Accept(name) = &answer {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control)
        {
            return Ok(Err(Refused::NameRequired));
        }
    }
    let before = current::<Proposal>(state, &tenant, &id, None).await?;
    let now = state.clock.now();
    if before.record.status != ProposalStatus::Sent || before.record.is_expired(now) {
        return Ok(Err(Refused::Closed));
    }
    let (next, action, event, name) = match &answer {
        PageAnswer::Accept(name) => {
            let pdf = files::proposal_pdf(state, &tenant, &id).await?;
            let mut accepted = before.record.accepted(now);
            accepted.acceptance = Some(Acceptance {
                name: name.trim().to_owned(),
                at: now,
                ip_address: visitor.ip_address,
                user_agent: visitor.user_agent.map(|ua| ua.chars().take(512).collect()),
                pdf_sha256: hex::encode(Sha256::digest(&pdf.bytes)),
            });
            (
                accepted,
                "proposal.accepted_on_page",
                DeliveryEvent::Accepted,
                name.trim().to_owned(),
            )
        }
        PageAnswer::Decline(reason) => {
            let reason = match reason {
                Some(reason) => reason.clone(),
                None => {
                    DocumentText::parse("—").map_err(|e| Error::Internal(anyhow::anyhow!(e.0)))?
                }
            };
            (
                before.record.declined(reason, now),
                "proposal.declined_on_page",
                DeliveryEvent::Declined,
                String::new(),
            )
        }
    };
    let next = next.with_delivery(Delivery {
        event,
        at: now,
        recipient: None,
        message_id: None,
        detail: Some(opened.target.link.clone()),
    });
    let mut tx = state.store.transaction(&tenant).await?;
    tx.replace(&keys::proposal(&tenant, &id), &next, before.version);
    write_entries(&mut tx, &tenant, &id, Some(&before.record), Some(&next));
    let reported = if event == DeliveryEvent::Accepted {
        crate::domain::webhook::EventType::ProposalAccepted
    } else {
        crate::domain::webhook::EventType::ProposalDeclined
    };
    tx.emit(reported, id)
        .audit(&by_link(action, id.to_string(), request));
    match state.store.commit(tx).await {
        Ok(()) => {}
        Err(StoreError::Conflict {
            reason: ConflictReason::VersionMismatch,
            ..
        }) => return Ok(Err(Refused::Closed)),
        Err(error) => return Err(error.into()),
    }
    tell_the_owner(state, &tenant, &next, &name).await;
    Ok(Ok(()))
}

/// E-mails the company's address that the customer answered. Best effort: the answer is
/// recorded whether or not the notice leaves (the dashboard and audit trail show it anyway).
async fn tell_the_owner(state: &AppState, tenant: &TenantId, proposal: &Proposal, name: &str) {
    let result: Result<()> = async {
        let (settings, company) = tokio::try_join!(
            get::<Settings>(state, tenant, keys::settings(tenant)),
            get::<CompanyProfile>(state, tenant, keys::company(tenant)),
        )?;
        let Some(to) = company.and_then(|c| c.record.email) else {
            return Ok(());
        };
        if state.config.mail_from.is_empty() {
            return Ok(());
        }
        let locale = settings.map_or_else(|| "en".to_owned(), |s| s.record.locale.to_string());
        let m = messages(&language_of(&locale));
        let number = proposal.number.clone().unwrap_or_default();
        let buyer = proposal
            .buyer
            .as_ref()
            .map(|b| b.name.to_string())
            .unwrap_or_default();
        let reason = proposal
            .decline_reason
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let args = [
            ("number", number.as_str()),
            ("buyer", buyer.as_str()),
            ("name", name),
            ("reason", reason.as_str()),
        ];
        let subject = m.with(
            if proposal.status == ProposalStatus::Accepted {
                "mail-accepted-subject"
            } else {
                "mail-declined-subject"
            },
            &args,
        );
        let text = m.with("mail-answered-body", &args);
        crate::notice::mail_text(state, &[to], &subject, &text)
            .await
            .map_err(Error::Internal)
    }
    .await;
    if let Err(error) = result {
        tracing::warn!(error = %error, "the owner was not told of the answer");
    }
}

/// `DELETE /v1/{invoices,credit-notes,proposals}/{id}/links/{link}`: the link opens nothing
/// from now on. Revoking a revoked or expired link changes nothing.
pub async fn revoke<D: Mailable>(
    state: &AppState,
    actor: &Actor,
    id: &<D as Resource>::Id,
    link: LinkId,
    render: Render<D>,
) -> Result<crate::store::SavedResponse> {
    let before = current::<D>(state, actor, id, None).await?;
    let now: Timestamp = state.clock.now();
    let Some(found) = before.record.links().iter().find(|l| l.id == link).cloned() else {
        return Err(Error::NotFound);
    };
    if found.revoked_at.is_some() {
        return Ok(answered(before.version, render(id, before)));
    }
    let mut next = before.record.clone();
    if let Some(l) = next.links_mut().iter_mut().find(|l| l.id == link) {
        l.revoked_at = Some(now);
    }
    let mut tx = actor.transaction(&state.store).await?;
    tx.replace(&D::key(actor.tenant(), id), &next, before.version);
    tx.revoke_link(&found.digest);
    write_entries(
        &mut tx,
        actor.tenant(),
        id,
        Some(&before.record),
        Some(&next),
    );
    tx.audit(&actor.audit(
        revoked_action::<D>(),
        Some(link.to_string()),
        Outcome::Success,
    ));
    let updated_at = tx.now();
    state.store.commit(tx).await?;
    Ok(answered(
        before.version + 1,
        render(
            id,
            Stored {
                record: next,
                version: before.version + 1,
                created_at: before.created_at,
                updated_at,
            },
        ),
    ))
}

fn revoked_action<D: Tracked>() -> &'static str {
    D::TRACKED.link_revoked
}

/// A link the owner made to hand over themselves: its address, shown once.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MadeLink {
    /// The page's address: shown this once, kept nowhere.
    pub url: String,
    #[serde(flatten)]
    pub link: crate::domain::link::DocumentLink,
}

/// `POST /v1/{invoices,credit-notes,proposals}/{id}/links`: a new link to a sent document's
/// page, for the owner to copy (the links e-mails carry cannot be shown again: only their
/// hashes are kept).
pub async fn make<D: Mailable>(
    state: &AppState,
    actor: &Actor,
    id: &<D as Resource>::Id,
) -> Result<MadeLink> {
    let tenant = actor.tenant();
    let (before, settings) = tokio::try_join!(
        current::<D>(state, actor, id, None),
        get::<Settings>(state, actor, keys::settings(tenant)),
    )?;
    if let Some(why) = before.record.unsendable() {
        return Err(Error::Conflict(why));
    }
    let settings = settings.map(|s| s.record).unwrap_or_default();
    let (token, link) = super::sending::new_link(&before.record, &settings, state.clock.now())?;
    let url = super::sending::page_url(state, &token)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("no site origin (ALLOWED_ORIGINS)")))?;
    let mut next = before.record.clone();
    next.links_mut().push(link.clone());
    let mut tx = actor.transaction(&state.store).await?;
    tx.replace(&D::key(tenant, id), &next, before.version);
    tx.create_link(
        &link.digest,
        D::LINKED,
        super::sending::id_ulid::<D>(id)?,
        &link.id.to_string(),
        link.expires_at,
    );
    write_entries(&mut tx, tenant, id, Some(&before.record), Some(&next));
    tx.audit(&actor.audit(
        made_action::<D>(),
        Some(link.id.to_string()),
        Outcome::Success,
    ));
    state.store.commit(tx).await?;
    Ok(MadeLink { url, link })
}

fn made_action<D: Tracked>() -> &'static str {
    D::TRACKED.link_made
}
