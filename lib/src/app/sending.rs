//! Sending an issued invoice to its customer by e-mail, through Amazon SES.
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
use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};

use crate::AppState;
use crate::audit::Outcome;
use crate::domain::account::CompanyProfile;
use crate::domain::ids::InvoiceId;
use crate::domain::invoice::{Invoice, InvoiceStatus};
use crate::domain::sending::{MAX_RECIPIENTS, SendRequest, Sending};
use crate::domain::settings::Settings;
use crate::domain::values::{EmailAddress, MailSubject};
use crate::domain::{FieldError, Timestamp};
use crate::render::locale::Format;
use crate::render::mail::{self, Attachment, Letter};
use crate::render::messages::{language_of, messages};
use crate::store::{Stored, keys};

use super::collection::{Render, current};
use super::documents::{answered, write_entries};
use super::idempotency::{self, Answer};
use super::race::{self, Attempt};
use super::{Actor, Error, Result, files, get};

/// A message SES accepted.
struct Accepted {
    message_id: String,
    to: Vec<EmailAddress>,
    cc: Vec<EmailAddress>,
    subject: MailSubject,
}

/// `POST /v1/invoices/{id}/send`: e-mails an issued invoice, then records it.
pub async fn send_invoice(
    state: &AppState,
    actor: &Actor,
    request: idempotency::Request<'_>,
    id: &InvoiceId,
    send: SendRequest,
    render: Render<Invoice>,
) -> Result<Answer> {
    idempotency::run(state, actor, request, |claim| async move {
        let accepted = deliver(state, actor, id, &send).await?;
        race::with_retries(|| record(state, actor, id, &accepted, &claim, render)).await
    })
    .await
}

/// Builds the message and hands it to SES; its answer, or why nothing was sent.
async fn deliver(
    state: &AppState,
    actor: &Actor,
    id: &InvoiceId,
    send: &SendRequest,
) -> Result<Accepted> {
    let tenant = actor.tenant();
    let (invoice, settings, company) = tokio::try_join!(
        current::<Invoice>(state, actor, id, None),
        get::<Settings>(state, actor, keys::settings(tenant)),
        get::<CompanyProfile>(state, actor, keys::company(tenant)),
    )?;
    let invoice = invoice.record;
    match invoice.status {
        InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid | InvoiceStatus::Paid => {}
        InvoiceStatus::Draft => {
            return Err(Error::Conflict(
                "A draft is not an invoice yet: issue it, then send it.",
            ));
        }
        InvoiceStatus::Void => {
            return Err(Error::Conflict(
                "A void invoice is owed by no one and is not sent.",
            ));
        }
    }
    let buyer = invoice.buyer.as_ref();
    let to = match &send.to {
        Some(to) if !to.is_empty() => to.clone(),
        _ => buyer.and_then(|b| b.email.clone()).into_iter().collect(),
    };
    check_recipients(&to, &send.cc)?;
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
    let seller = invoice
        .seller
        .as_ref()
        .map(|s| s.legal_name.to_string())
        .or_else(|| company.as_ref().map(|c| c.record.legal_name.to_string()))
        .unwrap_or_default();
    let number = invoice.number.clone().unwrap_or_default();
    let total = format.money(invoice.amount_due.value(), invoice.content.currency);
    let args = [
        ("number", number.as_str()),
        ("seller", seller.as_str()),
        ("total", total.as_str()),
        ("due", &format.date(invoice.due_date)),
    ];
    let subject = match &send.subject {
        Some(subject) => subject.clone(),
        None => MailSubject::parse(&m.with("mail-invoice-subject", &args))
            .map_err(|e| Error::invalid("subject", e.0))?,
    };
    let text = match &send.message {
        Some(message) => message.to_string(),
        None => m.with("mail-invoice-body", &args),
    };
    let pdf = files::invoice_pdf(state, actor, id).await?;
    let mut attachments = vec![Attachment {
        content_type: pdf.content_type,
        name: pdf.name,
        bytes: pdf.bytes,
    }];
    // The UBL goes along when the invoice can be one (both parties on Peppol).
    if let Ok(ubl) = files::invoice_ubl(state, actor, id).await {
        attachments.push(Attachment {
            content_type: ubl.content_type,
            name: ubl.name,
            bytes: ubl.bytes,
        });
    }
    let from = state.config.mail_from.as_str();
    if from.is_empty() {
        return Err(Error::MailService {
            retry: true,
            detail: "Sending is not set up here (no MAIL_FROM).".into(),
        });
    }
    let reply_to = invoice
        .seller
        .as_ref()
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
    let sent = state
        .clients
        .sesv2()
        .send_email()
        .from_email_address(from)
        .destination(destination)
        .content(EmailContent::builder().raw(raw).build())
        .send()
        .await
        .map_err(refusal)?;
    let message_id = sent.message_id().unwrap_or_default().to_owned();
    tracing::info!(invoice_id = %id, message_id = %message_id, "sent");
    Ok(Accepted {
        message_id,
        to,
        cc: send.cc.clone(),
        subject,
    })
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

/// Records on the invoice that the message left, with its list entries and an audit entry.
async fn record(
    state: &AppState,
    actor: &Actor,
    id: &InvoiceId,
    accepted: &Accepted,
    claim: &idempotency::Claim,
    render: Render<Invoice>,
) -> Result<Attempt> {
    let before = current::<Invoice>(state, actor, id, None).await?;
    let mut tx = actor.transaction(&state.store).await?;
    let now: Timestamp = tx.now();
    let sent = before.record.sent(Sending {
        message_id: accepted.message_id.clone(),
        to: accepted.to.clone(),
        cc: accepted.cc.clone(),
        subject: accepted.subject.clone(),
        at: now,
    });
    let invoice_write = tx.len();
    tx.replace(&keys::invoice(actor.tenant(), id), &sent, before.version);
    write_entries(
        &mut tx,
        actor.tenant(),
        id,
        Some(&before.record),
        Some(&sent),
    );
    tx.audit(&actor.audit("invoice.sent", Some(id.to_string()), Outcome::Success));
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
    race::commit(state, tx, &[invoice_write], response).await
}
