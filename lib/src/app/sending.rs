//! Sending an issued invoice or credit note to its customer by e-mail, through Amazon SES.
//!
//! - The message is one raw MIME message: the text in the customer's language, the kept PDF
//!   (with its Factur-X XML) and, when the invoice can be one, the Peppol UBL.
//! - The invoice is marked sent (the SES message id, the recipients, the time) only once SES has
//!   accepted the message; if SES refuses or fails, nothing is marked and the same request can
//!   be sent again.
//! - Under an `Idempotency-Key` the key is claimed before anything is sent, so however retries
//!   interleave, one key sends at most one message: a duplicate in flight is a 409, a retry
//!   after the answer gets that answer again.

use aws_sdk_sesv2::error::SdkError;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, MessageTag, RawMessage};

use crate::AppState;
use crate::audit::Outcome;
use crate::domain::account::CompanyProfile;
use crate::domain::credit_note::CreditNote;
use crate::domain::document::{Buyer, Seller};
use crate::domain::ids::{CreditNoteId, InvoiceId, LinkId, ProposalId};
use crate::domain::invoice::{Invoice, InvoiceStatus};
use crate::domain::link::{DocumentLink, Token, Tracked};
use crate::domain::money::Money;
use crate::domain::proposal::{Proposal, ProposalStatus};
use crate::domain::sending::{MAX_RECIPIENTS, SendRequest, Sending};
use crate::domain::settings::Settings;
use crate::domain::time::Date;
use crate::domain::values::{Currency, EmailAddress, MailSubject};
use crate::domain::{FieldError, Timestamp};
use crate::render::locale::Format;
use crate::render::mail::{self, Attachment, Letter};
use crate::render::messages::{language_of, messages};
use crate::store::{LinkedKind, Stored, keys};

use super::collection::{Render, Resource, current};
use super::documents::{Listed, answered, write_entries};
use super::idempotency::{self, Answer};
use super::race::{self, Attempt};
use super::{Acting, Error, Result, Tenanted, files, get};

/// A document that can be e-mailed to its customer.
pub trait Mailable: Resource + Listed<Id = <Self as Resource>::Id> + Tracked + Sized {
    /// Its audit action once sent (`invoice.sent`).
    const SENT: &'static str;
    /// The event an e-mail of it reports to webhooks, if one does.
    const SENT_EVENT: Option<crate::domain::webhook::EventType>;
    /// What its link's index item calls it.
    const LINKED: LinkedKind;
    /// Its messages: the subject's and the text's ids.
    const SUBJECT: &'static str;
    const TEXT: &'static str;
    /// Why it cannot be sent now (a draft, a void invoice), if it cannot.
    fn unsendable(&self) -> Option<&'static str>;
    fn number(&self) -> String;
    fn seller(&self) -> Option<&Seller>;
    fn buyer(&self) -> Option<&Buyer>;
    /// The amount the text states: what is due on an invoice, what a credit note credits.
    fn amount(&self) -> Money;
    fn currency(&self) -> Currency;
    /// When it is due, if it is.
    fn due(&self) -> Option<Date>;
    /// The number of what it refers to (a credit note's invoice), for the text.
    fn refers_to(&self) -> Option<&str>;
    /// The document, with one more sending.
    fn sent(&self, sending: Sending) -> Self;
    /// Until when a link made now opens its page: the account's number of days from now.
    fn link_expires(&self, settings: &Settings, now: Timestamp) -> Timestamp {
        now.plus_seconds(i64::from(settings.document_link_days.days()) * 86_400)
    }
    /// Whether its page lets the customer answer (a proposal not yet answered).
    fn answerable(&self) -> bool {
        false
    }
    /// Its PDF, and its UBL when it can be one.
    fn files<T: Tenanted>(
        state: &AppState,
        actor: &T,
        id: &<Self as Resource>::Id,
    ) -> impl std::future::Future<Output = Result<(files::File, Option<files::File>)>> + Send;
}

impl Mailable for Invoice {
    const SENT: &'static str = "invoice.sent";
    const SENT_EVENT: Option<crate::domain::webhook::EventType> =
        Some(crate::domain::webhook::EventType::InvoiceSent);
    const LINKED: LinkedKind = LinkedKind::Invoice;
    const SUBJECT: &'static str = "mail-invoice-subject";
    const TEXT: &'static str = "mail-invoice-body";

    fn unsendable(&self) -> Option<&'static str> {
        match self.status {
            InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid | InvoiceStatus::Paid => None,
            InvoiceStatus::Draft => Some("A draft is not an invoice yet: issue it, then send it."),
            InvoiceStatus::Void => Some("A void invoice is owed by no one and is not sent."),
        }
    }
    fn number(&self) -> String {
        self.number.clone().unwrap_or_default()
    }
    fn seller(&self) -> Option<&Seller> {
        self.seller.as_ref()
    }
    fn buyer(&self) -> Option<&Buyer> {
        self.buyer.as_ref()
    }
    fn amount(&self) -> Money {
        self.amount_due
    }
    fn currency(&self) -> Currency {
        self.content.currency
    }
    fn due(&self) -> Option<Date> {
        Some(self.due_date)
    }
    fn refers_to(&self) -> Option<&str> {
        None
    }
    fn sent(&self, sending: Sending) -> Self {
        Invoice::sent(self, sending)
    }
    async fn files<T: Tenanted>(
        state: &AppState,
        actor: &T,
        id: &InvoiceId,
    ) -> Result<(files::File, Option<files::File>)> {
        let pdf = files::invoice_pdf(state, actor, id).await?;
        Ok((pdf, files::invoice_ubl(state, actor, id).await.ok()))
    }
}

impl Mailable for CreditNote {
    const SENT: &'static str = "credit_note.sent";
    const SENT_EVENT: Option<crate::domain::webhook::EventType> = None;
    const LINKED: LinkedKind = LinkedKind::CreditNote;
    const SUBJECT: &'static str = "mail-credit-note-subject";
    const TEXT: &'static str = "mail-credit-note-body";

    fn unsendable(&self) -> Option<&'static str> {
        None
    }
    fn number(&self) -> String {
        self.number.clone()
    }
    fn seller(&self) -> Option<&Seller> {
        self.seller.as_ref()
    }
    fn buyer(&self) -> Option<&Buyer> {
        self.buyer.as_ref()
    }
    fn amount(&self) -> Money {
        self.content.total
    }
    fn currency(&self) -> Currency {
        self.content.currency
    }
    fn due(&self) -> Option<Date> {
        None
    }
    fn refers_to(&self) -> Option<&str> {
        Some(&self.invoice_number)
    }
    fn sent(&self, sending: Sending) -> Self {
        CreditNote::sent(self, sending)
    }
    async fn files<T: Tenanted>(
        state: &AppState,
        actor: &T,
        id: &CreditNoteId,
    ) -> Result<(files::File, Option<files::File>)> {
        let pdf = files::credit_note_pdf(state, actor, id).await?;
        Ok((pdf, files::credit_note_ubl(state, actor, id).await.ok()))
    }
}

impl Mailable for Proposal {
    const SENT: &'static str = "proposal.mailed";
    const SENT_EVENT: Option<crate::domain::webhook::EventType> = None;
    const LINKED: LinkedKind = LinkedKind::Proposal;
    const SUBJECT: &'static str = "mail-proposal-subject";
    const TEXT: &'static str = "mail-proposal-body";

    fn unsendable(&self) -> Option<&'static str> {
        (self.status == ProposalStatus::Draft)
            .then_some("A draft proposal has no number yet: send it to number it.")
    }
    fn number(&self) -> String {
        self.number.clone().unwrap_or_default()
    }
    fn seller(&self) -> Option<&Seller> {
        self.seller.as_ref()
    }
    fn buyer(&self) -> Option<&Buyer> {
        self.buyer.as_ref()
    }
    fn amount(&self) -> Money {
        self.content.total
    }
    fn currency(&self) -> Currency {
        self.content.currency
    }
    /// The text's date: until when it can be accepted.
    fn due(&self) -> Option<Date> {
        Some(self.valid_until)
    }
    fn refers_to(&self) -> Option<&str> {
        None
    }
    fn sent(&self, sending: Sending) -> Self {
        self.mailed(sending)
    }
    /// A proposal's link opens its page until it can no longer be accepted (and at least a
    /// day, so an expired proposal sent again can still be read).
    fn link_expires(&self, _settings: &Settings, now: Timestamp) -> Timestamp {
        self.expires_at
            .filter(|expires| *expires > now)
            .unwrap_or_else(|| now.plus_seconds(86_400))
    }
    fn answerable(&self) -> bool {
        self.status == ProposalStatus::Sent
    }
    async fn files<T: Tenanted>(
        state: &AppState,
        actor: &T,
        id: &ProposalId,
    ) -> Result<(files::File, Option<files::File>)> {
        Ok((files::proposal_pdf(state, actor, id).await?, None))
    }
}

/// The tags a send puts on its message, which name its document: SES hands them back with
/// every event about the message (`crate::deliveries`).
pub const TAG_TENANT: &str = "tenant";
pub const TAG_KIND: &str = "kind";
pub const TAG_DOCUMENT: &str = "document";

/// A message SES accepted, and the link it carried.
pub(super) struct Accepted {
    pub(super) message_id: String,
    pub(super) to: Vec<EmailAddress>,
    pub(super) cc: Vec<EmailAddress>,
    pub(super) subject: MailSubject,
    pub(super) link: DocumentLink,
}

/// A payment reminder's message about an invoice, instead of the invoice's own: its text
/// states the days overdue and the total claimed, and its PDF goes first.
pub(super) struct Reminding {
    pub(super) days_overdue: u32,
    pub(super) claimed: Money,
    pub(super) pdf: files::File,
}

/// `POST /v1/invoices/{id}/send`, `/v1/credit-notes/{id}/send`: e-mails an issued document,
/// then records it.
pub async fn send<D: Mailable>(
    state: &AppState,
    actor: &impl Acting,
    request: idempotency::Request<'_>,
    id: &<D as Resource>::Id,
    send: SendRequest,
    render: Render<D>,
) -> Result<Answer> {
    idempotency::run(state, actor, request, |claim| async move {
        super::quota::spend(state, actor.tenant(), super::quota::Quota::Mails).await?;
        let accepted = deliver::<D>(state, actor, id, &send, None).await?;
        race::with_retries(|| record::<D>(state, actor, id, &accepted, &claim, render)).await
    })
    .await
}

/// Builds the message (the document's own, or a reminder about it) and hands it to SES; its
/// answer, or why nothing was sent.
pub(super) async fn deliver<D: Mailable>(
    state: &AppState,
    actor: &impl Tenanted,
    id: &<D as Resource>::Id,
    send: &SendRequest,
    reminding: Option<Reminding>,
) -> Result<Accepted> {
    let tenant = actor.tenant();
    let (document, settings, company) = tokio::try_join!(
        current::<D>(state, actor, id, None),
        get::<Settings>(state, actor, keys::settings(tenant)),
        get::<CompanyProfile>(state, actor, keys::company(tenant)),
    )?;
    let document = document.record;
    if let Some(why) = document.unsendable() {
        return Err(Error::Conflict(why));
    }
    let buyer = document.buyer();
    let to = match &send.to {
        Some(to) if !to.is_empty() => to.clone(),
        _ => buyer.and_then(|b| b.email.clone()).into_iter().collect(),
    };
    check_recipients(&to, &send.cc)?;
    Box::pin(super::suppressions::check_not_suppressed(
        state, tenant, &to, &send.cc,
    ))
    .await?;
    let account_locale = settings
        .as_ref()
        .map_or("en", |s| s.record.locale.as_str())
        .to_owned();
    // The customer's language, and the account's formats when it is the account's language.
    let (language, locale) = match buyer.and_then(|b| b.language.as_ref()) {
        Some(language) if language.as_str() != language_of(&account_locale) => {
            (language.as_str().to_owned(), language.as_str().to_owned())
        }
        _ => (language_of(&account_locale), account_locale),
    };
    let m = messages(&language);
    let format = Format::of(&locale);
    let seller = document
        .seller()
        .map(|s| s.legal_name.to_string())
        .or_else(|| company.as_ref().map(|c| c.record.legal_name.to_string()))
        .unwrap_or_default();
    let number = document.number();
    let amount = document.amount();
    let total = format.money(amount.value(), document.currency());
    let due = document.due().map(|d| format.date(d)).unwrap_or_default();
    // The document's own link: its token is in this message and nowhere else.
    let settings = settings.map(|s| s.record).unwrap_or_default();
    let (token, link) = new_link(&document, &settings, state.clock.now())?;
    let url = page_url(state, &token);
    let (days, claimed) = reminding.as_ref().map_or_else(Default::default, |r| {
        (
            r.days_overdue.to_string(),
            format.money(r.claimed.value(), document.currency()),
        )
    });
    let args = [
        ("number", number.as_str()),
        ("seller", seller.as_str()),
        ("total", total.as_str()),
        ("due", due.as_str()),
        ("invoice", document.refers_to().unwrap_or_default()),
        ("link", url.as_deref().unwrap_or_default()),
        ("answer", if document.answerable() { "yes" } else { "no" }),
        ("days", days.as_str()),
        ("claimed", claimed.as_str()),
    ];
    let (subject_id, text_id) = match reminding {
        Some(_) => ("mail-reminder-subject", "mail-reminder-body"),
        None => (D::SUBJECT, D::TEXT),
    };
    let subject = match &send.subject {
        Some(subject) => subject.clone(),
        None => MailSubject::parse(&m.with(subject_id, &args))
            .map_err(|e| Error::invalid("subject", e.0))?,
    };
    let mut text = match &send.message {
        Some(message) => message.to_string(),
        None => m.with(text_id, &args),
    };
    if url.is_some() {
        text.push_str("\n\n");
        text.push_str(&m.with("mail-link", &args));
    }
    // The UBL goes along when the document can be one (both parties on Peppol).
    // A reminder carries its own PDF, then the invoice's.
    let (pdf, ubl) = D::files(state, actor, id).await?;
    let (first, ubl) = match reminding {
        Some(reminding) => (Some(reminding.pdf), None),
        None => (None, ubl),
    };
    let attachments = first
        .into_iter()
        .chain(std::iter::once(pdf))
        .chain(ubl)
        .map(|file| Attachment {
            content_type: file.content_type,
            name: file.name,
            bytes: file.bytes,
        })
        .collect();
    let from = state.config.mail_from.as_str();
    if from.is_empty() {
        return Err(Error::MailService {
            retry: true,
            detail: "Sending is not set up here (no MAIL_FROM).".into(),
        });
    }
    let reply_to = document
        .seller()
        .and_then(|s| s.email.as_ref())
        .map(|e| e.as_str().to_owned());
    let raw = mail::mime(Letter {
        from: (seller.as_str(), from),
        reply_to: reply_to.as_deref(),
        to: &to,
        cc: &send.cc,
        subject: subject.as_str(),
        text: &text,
        attachments,
        at: state.clock.now(),
    })
    .map_err(|e| Error::Internal(e.into()))?;
    let destination = Destination::builder()
        .set_to_addresses(Some(to.iter().map(|a| a.as_str().to_owned()).collect()))
        .set_cc_addresses(Some(
            send.cc.iter().map(|a| a.as_str().to_owned()).collect(),
        ))
        .build();
    let raw = RawMessage::builder()
        .data(Blob::new(raw))
        .build()
        .map_err(|e| Error::Internal(e.into()))?;
    // The tags name the document, so its delivery events find it.
    let tags = [
        (TAG_TENANT, tenant.ulid().to_string()),
        (TAG_KIND, D::LINKED.as_str().to_owned()),
        (TAG_DOCUMENT, id_ulid::<D>(id)?.to_string()),
    ]
    .into_iter()
    .map(|(name, value)| MessageTag::builder().name(name).value(value).build())
    .collect::<std::result::Result<Vec<_>, _>>()
    .map_err(|e| Error::Internal(e.into()))?;
    let configuration_set =
        Some(state.config.mail_configuration_set.clone()).filter(|set| !set.is_empty());
    let sent = state
        .clients
        .sesv2()
        .send_email()
        .from_email_address(from)
        .destination(destination)
        .content(EmailContent::builder().raw(raw).build())
        .set_email_tags(Some(tags))
        .set_configuration_set_name(configuration_set)
        .send()
        .await
        .map_err(refusal)?;
    let message_id = sent.message_id().unwrap_or_default().to_owned();
    tracing::info!(document_id = %id, message_id = %message_id, "sent");
    Ok(Accepted {
        message_id,
        to,
        cc: send.cc.clone(),
        subject,
        link,
    })
}

/// A new link to `document`'s page, made `now`: its token (to hand over once) and what the
/// document keeps of it.
pub(crate) fn new_link<D: Mailable>(
    document: &D,
    settings: &Settings,
    now: Timestamp,
) -> Result<(Token, DocumentLink)> {
    let token = Token::generate().map_err(|e| Error::Internal(anyhow::anyhow!("CSPRNG: {e}")))?;
    let link = DocumentLink {
        id: LinkId::generate(),
        digest: token.digest(),
        created_at: now,
        expires_at: document.link_expires(settings, now),
        revoked_at: None,
        viewed_at: None,
    };
    Ok((token, link))
}

/// The page's address a token opens, on the site's own origin (none where no origin is set).
pub(crate) fn page_url(state: &AppState, token: &Token) -> Option<String> {
    state
        .config
        .site_origin()
        .map(|origin| format!("{origin}/d/{}", token.as_str()))
}

/// The ULID a document's id holds (what its storage key and its link name).
pub(crate) fn id_ulid<D: Resource>(id: &D::Id) -> Result<ulid::Ulid> {
    let text = id.to_string();
    text.rsplit('_')
        .next()
        .and_then(|ulid| ulid::Ulid::from_string(ulid).ok())
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("a {} id without a ULID", D::NAME)))
}

/// At least one recipient, at most [`MAX_RECIPIENTS`] in all.
fn check_recipients(to: &[EmailAddress], cc: &[EmailAddress]) -> Result<()> {
    if to.is_empty() {
        return Err(Error::UnprocessableFields(vec![FieldError::new(
            "to",
            "no recipient: give one, or an e-mail address to the customer",
        )]));
    }
    if to.len() + cc.len() > MAX_RECIPIENTS {
        return Err(Error::invalid(
            "to",
            format!("at most {MAX_RECIPIENTS} recipients in all, to and cc together"),
        ));
    }
    Ok(())
}

/// What SES's failure means for the owner: refused (502), or not now (503).
fn refusal(error: SdkError<SendEmailError>) -> Error {
    let retry = match &error {
        SdkError::ServiceError(service) => matches!(
            service.err(),
            SendEmailError::TooManyRequestsException(_) | SendEmailError::LimitExceededException(_)
        ),
        _ => true,
    };
    let detail = match &error {
        SdkError::ServiceError(service) => match service.err().meta().message() {
            Some(message) => format!("Amazon SES: {message}."),
            None => "Amazon SES refused the message.".to_owned(),
        },
        _ => "Amazon SES could not be reached.".to_owned(),
    };
    tracing::warn!(retry, error = %aws_sdk_sesv2::error::DisplayErrorContext(&error), "not sent");
    Error::MailService { retry, detail }
}

/// Records on the document that the message left, with its list entries and an audit entry.
async fn record<D: Mailable>(
    state: &AppState,
    actor: &impl Acting,
    id: &<D as Resource>::Id,
    accepted: &Accepted,
    claim: &idempotency::Claim,
    render: Render<D>,
) -> Result<Attempt> {
    let before = current::<D>(state, actor, id, None).await?;
    let mut tx = actor.transaction(&state.store).await?;
    let now: Timestamp = tx.now();
    let mut sent = before.record.sent(Sending {
        message_id: accepted.message_id.clone(),
        to: accepted.to.clone(),
        cc: accepted.cc.clone(),
        subject: accepted.subject.clone(),
        at: now,
    });
    sent.links_mut().push(accepted.link.clone());
    let document_write = tx.len();
    tx.replace(&D::key(actor.tenant(), id), &sent, before.version);
    tx.create_link(
        &accepted.link.digest,
        D::LINKED,
        id_ulid::<D>(id)?,
        &accepted.link.id.to_string(),
        accepted.link.expires_at,
    );
    write_entries(
        &mut tx,
        actor.tenant(),
        id,
        Some(&before.record),
        Some(&sent),
    );
    if let Some(event) = D::SENT_EVENT {
        tx.emit(event, id);
    }
    tx.audit(&actor.audit(D::SENT, Some(id.to_string()), Outcome::Success));
    let response = answered(
        before.version + 1,
        render(
            id,
            Stored {
                record: sent,
                version: before.version + 1,
                created_at: before.created_at,
                updated_at: now,
            },
        ),
    );
    claim.complete(&mut tx, &response);
    race::commit(state, tx, &[document_write], response).await
}
