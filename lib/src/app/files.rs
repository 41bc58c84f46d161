//! A document as a file: its PDF (with the CII e-invoice embedded in invoices and credit
//! notes) and its UBL e-invoice (decision 0015).
//!
//! A numbered document's PDF is made once, on its first fetch, and kept in the bucket under
//! `documents/<tenant>/`, sealed with the tenant's data key (associated data: the object's key),
//! so every later fetch answers the same bytes: what the customer got is what the account
//! keeps. The put is conditional (`If-None-Match: *`), so two first fetches at once keep one
//! file and both answer it. A draft's PDF is made on every fetch, marked DRAFT, and never kept.

use crate::AppState;
use crate::domain::account::CompanyProfile;
use crate::domain::credit_note::CreditNote;
use crate::domain::customer::Customer;
use crate::domain::document::{Buyer, Seller};
use crate::domain::ids::{CreditNoteId, InvoiceId, ProposalId};
use crate::domain::invoice::{Invoice, InvoiceStatus};
use crate::domain::money::Money;
use crate::domain::proposal::{Proposal, ProposalStatus};
use crate::domain::settings::Settings;
use crate::domain::time::Timestamp;
use crate::render::{Kind, Printable, einvoice, pdf};
use crate::store::{Record, Stored, files, keys};

use super::{Error, Result, Tenanted};
use super::{get, missing};

/// The mark across a void invoice's pages.
const VOID: &str = "VOID";

/// A file to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub bytes: Vec<u8>,
    /// `INV-2026-0001.pdf`, `draft-inv_….pdf`.
    pub name: String,
    pub content_type: &'static str,
}

/// What a PDF is made from besides the document: the account's settings (locale) and, for a
/// draft, the company and customer as they are now.
struct Context {
    settings: Settings,
    company: CompanyProfile,
}

async fn context(state: &AppState, actor: &impl Tenanted) -> Result<Context> {
    let tenant = actor.tenant();
    let (settings, company) = tokio::try_join!(
        get::<Settings>(state, actor, keys::settings(tenant)),
        get::<CompanyProfile>(state, actor, keys::company(tenant)),
    )?;
    Ok(Context {
        settings: settings.ok_or_else(|| missing("settings"))?.record,
        company: company.ok_or_else(|| missing("company profile"))?.record,
    })
}

/// The customer a draft names, as it is now.
async fn draft_buyer(
    state: &AppState,
    actor: &impl Tenanted,
    customer: Option<crate::domain::ids::CustomerId>,
) -> Result<Option<Buyer>> {
    let Some(id) = customer else { return Ok(None) };
    let customer = get::<Customer>(state, actor, keys::customer(actor.tenant(), &id)).await?;
    Ok(customer.map(|c| Buyer::of(&c.record)))
}

/// The kept PDF of a numbered document, if it has one.
async fn kept(state: &AppState, actor: &impl Tenanted, key: &str) -> Result<Option<Vec<u8>>> {
    let as_tenant = state.store.as_tenant(actor.tenant()).await?;
    let sealed = files::get_if_present(as_tenant.s3(), &state.config.export_bucket, key)
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    let cipher = state.store.cipher(actor.tenant()).await?;
    let bytes = cipher
        .open(key.as_bytes(), &sealed)
        .map_err(|_| Error::Internal(anyhow::anyhow!("a kept document did not open: {key}")))?;
    Ok(Some(bytes))
}

/// Keeps `bytes` as the document's PDF unless one was kept first; what is kept now.
async fn keep(
    state: &AppState,
    actor: &impl Tenanted,
    key: &str,
    bytes: Vec<u8>,
) -> Result<Vec<u8>> {
    let cipher = state.store.cipher(actor.tenant()).await?;
    // The body is sealed under the tenant's key; S3's own encryption is for rest.
    let sealed = cipher.seal(key.as_bytes(), &bytes);
    let bucket = &state.config.export_bucket;
    let as_tenant = state.store.as_tenant(actor.tenant()).await?;
    let written = files::put_new(as_tenant.s3(), bucket, key, sealed)
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    if written {
        return Ok(bytes);
    }
    // Another fetch kept its file first: answer that one.
    kept(state, actor, key)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("a kept document vanished")))
}

/// Reads the document and, for a numbered one, its kept PDF, in one round trip.
async fn read<R: Record>(
    state: &AppState,
    actor: &impl Tenanted,
    key: crate::store::ItemKey,
    object: &str,
) -> Result<(Stored<R>, Option<Vec<u8>>, Context)> {
    let (document, kept, context) = tokio::try_join!(
        get::<R>(state, actor, key),
        kept(state, actor, object),
        context(state, actor),
    )?;
    Ok((document.ok_or(Error::NotFound)?, kept, context))
}

/// The PDF of `printable`, with its e-invoice embedded when it can be one.
/// The stack the PDF is laid out on: its own thread's, so a render's depth adds nothing to the
/// request's (which runs deep in a server's stack of futures; debug builds' frames are large).
const RENDER_STACK: usize = 8 * 1024 * 1024;

/// The PDF of `printable`, laid out on a thread of its own (see [`RENDER_STACK`]); the request
/// waits for it as it would for the render in place.
fn render(printable: &Printable<'_>) -> Result<Vec<u8>> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("render".into())
            .stack_size(RENDER_STACK)
            .spawn_scoped(scope, || render_here(printable))
            .map_err(|e| Error::Internal(anyhow::anyhow!("no thread to render on: {e}")))?
            .join()
            .map_err(|_| Error::Internal(anyhow::anyhow!("the PDF renderer panicked")))?
    })
}

fn render_here(printable: &Printable<'_>) -> Result<Vec<u8>> {
    let notes = printable.notes();
    // A void invoice's PDF says VOID and carries no e-invoice: nothing is owed on it.
    let attachment = printable
        .bill(&notes)
        .filter(|_| printable.mark != Some(VOID))
        .filter(|bill| einvoice::missing(bill).is_empty())
        .map(|bill| einvoice::cii(&bill));
    pdf::pdf(printable, attachment).map_err(|e| Error::Internal(e.into()))
}

fn pdf_file(bytes: Vec<u8>, number: Option<&str>, id: &str) -> File {
    File {
        bytes,
        name: match number {
            Some(number) => format!("{}.pdf", file_stem(number)),
            None => format!("draft-{id}.pdf"),
        },
        content_type: "application/pdf",
    }
}

/// A number as a file name: characters a file system or a header might refuse become `_`.
fn file_stem(number: &str) -> String {
    number
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A document's PDF as its printable makes it: the kept file, or one made now (to keep when
/// the document is numbered).
struct Made {
    bytes: Vec<u8>,
    keep: bool,
    number: Option<String>,
}

fn made(printable: &Printable<'_>, kept: Option<Vec<u8>>) -> Result<Made> {
    let number = printable.number.map(str::to_owned);
    Ok(match (printable.number, kept) {
        (Some(_), Some(bytes)) => Made {
            bytes,
            keep: false,
            number,
        },
        (Some(_), None) => Made {
            bytes: render(printable)?,
            keep: true,
            number,
        },
        (None, _) => Made {
            bytes: render(printable)?,
            keep: false,
            number,
        },
    })
}

/// Answers the kept file of a numbered document, or keeps the one just made; a draft's as made.
async fn answer(
    state: &AppState,
    actor: &impl Tenanted,
    object: &str,
    made: Made,
    id: &str,
) -> Result<File> {
    let bytes = if made.keep {
        keep(state, actor, object, made.bytes).await?
    } else {
        made.bytes
    };
    Ok(pdf_file(bytes, made.number.as_deref(), id))
}

/// What has been paid or credited on an invoice (BT-113 when its file is made): its total less
/// what is due.
fn paid(invoice: &Invoice) -> Money {
    Money::of(
        invoice.content.total.value() - invoice.amount_due.value(),
        invoice.content.currency,
    )
}

/// The seller a draft would be issued by: the company as it is now.
fn seller_of(snapshot: Option<&Seller>, company: &CompanyProfile) -> Seller {
    snapshot.cloned().unwrap_or_else(|| Seller::of(company))
}

/// The invoice's PDF as of now: a draft marked DRAFT, a void one VOID; a numbered one shows
/// what was paid and is due when the file is made.
fn invoice_printable<'a>(
    invoice: &'a Invoice,
    seller: &'a Seller,
    buyer: Option<&'a Buyer>,
    locale: &'a str,
    now: Timestamp,
) -> Printable<'a> {
    let numbered = invoice.number.is_some();
    Printable {
        kind: Kind::Invoice,
        number: invoice.number.as_deref(),
        mark: match invoice.status {
            InvoiceStatus::Draft => Some("DRAFT"),
            InvoiceStatus::Void => Some(VOID),
            _ => None,
        },
        issue_date: invoice.issue_date,
        due_date: Some(invoice.due_date),
        valid_until: None,
        invoice_number: None,
        reason: None,
        content: &invoice.content,
        seller,
        buyer,
        paid: numbered.then(|| paid(invoice)),
        due: numbered.then_some(invoice.amount_due),
        locale,
        created: invoice.issued_at.unwrap_or(now),
    }
}

/// The buyer a document names: its snapshot once numbered, else the customer as it is now.
async fn buyer_of(
    state: &AppState,
    actor: &impl Tenanted,
    snapshot: Option<&Buyer>,
    customer: Option<crate::domain::ids::CustomerId>,
) -> Result<Option<Buyer>> {
    match snapshot {
        Some(buyer) => Ok(Some(buyer.clone())),
        None => draft_buyer(state, actor, customer).await,
    }
}

/// `GET /v1/invoices/{id}/pdf`.
pub async fn invoice_pdf(state: &AppState, actor: &impl Tenanted, id: &InvoiceId) -> Result<File> {
    let (object, made) = invoice_printed(state, actor, id, |printable, kept, object| {
        made(printable, kept).map(|made| (object, made))
    })
    .await??;
    answer(state, actor, &object, made, &id.to_string()).await
}

/// What `then` makes of the invoice as its PDF shows it (with its kept PDF, if any, and where
/// that is kept).
pub async fn invoice_printed<T>(
    state: &AppState,
    actor: &impl Tenanted,
    id: &InvoiceId,
    then: impl FnOnce(&Printable<'_>, Option<Vec<u8>>, String) -> T,
) -> Result<T> {
    let object = keys::document_file(actor.tenant(), &id.to_string());
    let (stored, kept_payable, context) =
        read::<Invoice>(state, actor, keys::invoice(actor.tenant(), id), &object).await?;
    let invoice = stored.record;
    // Once void, the file answered is the VOID one with no e-invoice inside, whenever the
    // payable one was kept: it is made and kept apart on the first fetch after the void.
    let (object, kept) = if invoice.status == InvoiceStatus::Void {
        let void = keys::void_document_file(actor.tenant(), &id.to_string());
        let kept_void = kept(state, actor, &void).await?;
        (void, kept_void)
    } else {
        (object, kept_payable)
    };
    let buyer = buyer_of(
        state,
        actor,
        invoice.buyer.as_ref(),
        invoice.content.customer_id,
    )
    .await?;
    let seller = seller_of(invoice.seller.as_ref(), &context.company);
    let locale = context.settings.locale.as_str();
    let printable = invoice_printable(&invoice, &seller, buyer.as_ref(), locale, state.clock.now());
    Ok(then(&printable, kept, object))
}

/// `GET /v1/credit-notes/{id}/pdf`.
pub async fn credit_note_pdf(
    state: &AppState,
    actor: &impl Tenanted,
    id: &CreditNoteId,
) -> Result<File> {
    let (object, made) = credit_note_printed(state, actor, id, |printable, kept, object| {
        made(printable, kept).map(|made| (object, made))
    })
    .await??;
    answer(state, actor, &object, made, &id.to_string()).await
}

/// What `then` makes of the credit note as its PDF shows it.
pub async fn credit_note_printed<T>(
    state: &AppState,
    actor: &impl Tenanted,
    id: &CreditNoteId,
    then: impl FnOnce(&Printable<'_>, Option<Vec<u8>>, String) -> T,
) -> Result<T> {
    let object = keys::document_file(actor.tenant(), &id.to_string());
    let (stored, kept, context) =
        read::<CreditNote>(state, actor, keys::credit_note(actor.tenant(), id), &object).await?;
    let note = stored.record;
    let seller = seller_of(note.seller.as_ref(), &context.company);
    let printable = credit_note_printable(&note, &seller, context.settings.locale.as_str());
    Ok(then(&printable, kept, object))
}

fn credit_note_printable<'a>(
    note: &'a CreditNote,
    seller: &'a Seller,
    locale: &'a str,
) -> Printable<'a> {
    Printable {
        kind: Kind::CreditNote,
        number: Some(note.number.as_str()),
        mark: None,
        issue_date: note.issue_date,
        due_date: None,
        valid_until: None,
        invoice_number: Some(note.invoice_number.as_str()),
        reason: note.reason.as_ref().map(|r| r.as_str()),
        content: &note.content,
        seller,
        buyer: note.buyer.as_ref(),
        paid: None,
        due: None,
        locale,
        created: note.issued_at,
    }
}

/// `GET /v1/proposals/{id}/pdf`.
pub async fn proposal_pdf(
    state: &AppState,
    actor: &impl Tenanted,
    id: &ProposalId,
) -> Result<File> {
    let (object, made) = proposal_printed(state, actor, id, |printable, kept, object| {
        made(printable, kept).map(|made| (object, made))
    })
    .await??;
    answer(state, actor, &object, made, &id.to_string()).await
}

/// What `then` makes of the proposal as its PDF shows it.
pub async fn proposal_printed<T>(
    state: &AppState,
    actor: &impl Tenanted,
    id: &ProposalId,
    then: impl FnOnce(&Printable<'_>, Option<Vec<u8>>, String) -> T,
) -> Result<T> {
    let object = keys::document_file(actor.tenant(), &id.to_string());
    let (stored, kept, context) =
        read::<Proposal>(state, actor, keys::proposal(actor.tenant(), id), &object).await?;
    let proposal = stored.record;
    let buyer = buyer_of(
        state,
        actor,
        proposal.buyer.as_ref(),
        proposal.content.customer_id,
    )
    .await?;
    let seller = seller_of(proposal.seller.as_ref(), &context.company);
    let printable = Printable {
        kind: Kind::Proposal,
        number: proposal.number.as_deref(),
        mark: (proposal.status == ProposalStatus::Draft).then_some("DRAFT"),
        issue_date: proposal.issue_date,
        due_date: None,
        valid_until: Some(proposal.valid_until),
        invoice_number: None,
        reason: None,
        content: &proposal.content,
        seller: &seller,
        buyer: buyer.as_ref(),
        paid: None,
        due: None,
        locale: context.settings.locale.as_str(),
        created: proposal.sent_at.unwrap_or_else(|| state.clock.now()),
    };
    Ok(then(&printable, kept, object))
}

/// The UBL file of an issued document, or why it cannot be one.
fn ubl_file(printable: &Printable<'_>) -> Result<File> {
    let notes = printable.notes();
    let bill = printable.bill(&notes).ok_or(Error::Conflict(
        "A draft is not an invoice yet: issue it first.",
    ))?;
    let missing = einvoice::missing_for_peppol(&bill);
    if !missing.is_empty() {
        return Err(Error::UnprocessableFields(missing));
    }
    Ok(File {
        bytes: einvoice::ubl(&bill),
        name: format!("{}.xml", file_stem(bill.number)),
        content_type: "application/xml",
    })
}

/// `GET /v1/invoices/{id}/ubl`: the issued invoice as UBL 2.1 (Peppol BIS Billing 3.0).
pub async fn invoice_ubl(state: &AppState, actor: &impl Tenanted, id: &InvoiceId) -> Result<File> {
    let stored = get::<Invoice>(state, actor, keys::invoice(actor.tenant(), id))
        .await?
        .ok_or(Error::NotFound)?;
    let invoice = stored.record;
    let (Some(seller), Some(_)) = (&invoice.seller, &invoice.number) else {
        return Err(Error::Conflict(
            "A draft is not an invoice yet: issue it first.",
        ));
    };
    if invoice.status == InvoiceStatus::Void {
        return Err(Error::Conflict(
            "A void invoice is owed by no one: it has no e-invoice.",
        ));
    }
    let printable = invoice_printable(
        &invoice,
        seller,
        invoice.buyer.as_ref(),
        "en",
        state.clock.now(),
    );
    ubl_file(&printable)
}

/// `GET /v1/credit-notes/{id}/ubl`.
pub async fn credit_note_ubl(
    state: &AppState,
    actor: &impl Tenanted,
    id: &CreditNoteId,
) -> Result<File> {
    let stored = get::<CreditNote>(state, actor, keys::credit_note(actor.tenant(), id))
        .await?
        .ok_or(Error::NotFound)?;
    let note = stored.record;
    let seller = note
        .seller
        .clone()
        .ok_or_else(|| missing("seller on a credit note"))?;
    ubl_file(&credit_note_printable(&note, &seller, "en"))
}
