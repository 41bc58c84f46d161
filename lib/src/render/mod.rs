//! Documents as files: the PDF a customer is sent ([`pdf`]) and the EN 16931 e-invoice XML
//! ([`einvoice`]: CII inside the PDF, UBL on its own), written from what the account keeps.
//! Only the `documents` function links this (decision 0015).

pub mod einvoice;
pub mod epc;
pub mod fonts;
pub mod locale;
pub mod mail;
pub mod messages;
pub mod page;
pub mod pdf;
pub mod qr;

use crate::domain::document::{Buyer, Content, Seller};
use crate::domain::money::Money;
use crate::domain::time::{Date, Timestamp};

/// Which document a file is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Invoice,
    CreditNote,
    Proposal,
    /// A payment reminder about an invoice (its PDF only: [`pdf::reminder`]).
    Reminder,
}

/// What a payment reminder's PDF shows beside its invoice.
#[derive(Debug, Clone, Copy)]
pub struct ReminderSheet<'a> {
    /// 1 for the first reminder.
    pub stage: u8,
    /// The invoice's own issue date (the reminder's is the printable's).
    pub invoice_date: Date,
    pub charges: &'a crate::domain::reminders::Charges,
    /// The annual interest rate claimed, if any.
    pub interest_percent: Option<rust_decimal::Decimal>,
    /// The stage's own text, else the default in the reader's language.
    pub message: Option<&'a str>,
}

/// Everything a document's PDF shows.
#[derive(Debug, Clone, Copy)]
pub struct Printable<'a> {
    pub kind: Kind,
    /// `None` on a draft.
    pub number: Option<&'a str>,
    /// A word across the top of every page: `DRAFT`, `VOID`.
    pub mark: Option<&'static str>,
    pub issue_date: Date,
    pub due_date: Option<Date>,
    pub valid_until: Option<Date>,
    /// The invoice a credit note corrects.
    pub invoice_number: Option<&'a str>,
    /// Why a credit note was issued.
    pub reason: Option<&'a str>,
    pub content: &'a Content,
    pub seller: &'a Seller,
    pub buyer: Option<&'a Buyer>,
    /// An invoice's amount paid (and credited) and amount due when the PDF was made.
    pub paid: Option<Money>,
    pub due: Option<Money>,
    /// The settings' locale (BCP 47).
    pub locale: &'a str,
    /// When the document was issued (a draft: now); the PDF's dates.
    pub created: Timestamp,
}

impl<'a> Printable<'a> {
    /// The document as an e-invoice, if it is an issued invoice or credit note for a customer.
    pub fn bill<'n>(&self, notes: &'n [&'n str]) -> Option<einvoice::Bill<'n>>
    where
        'a: 'n,
    {
        let number = self.number?;
        let buyer = self.buyer?;
        let credit_note_of = match self.kind {
            Kind::Invoice => None,
            Kind::CreditNote => Some(self.invoice_number?),
            Kind::Proposal | Kind::Reminder => return None,
        };
        let prepaid = match (self.paid, self.due) {
            (Some(_), Some(due)) => self.content.total.value() - due.value(),
            _ => rust_decimal::Decimal::ZERO,
        };
        Some(einvoice::Bill {
            credit_note_of,
            number,
            issue_date: self.issue_date,
            due_date: self.due_date,
            notes,
            content: self.content,
            seller: self.seller,
            buyer,
            prepaid,
            messages: messages::messages(pdf::reading(self).0),
        })
    }

    /// The notes an e-invoice carries (BT-22): a credit note's reason, then the notes.
    pub fn notes(&self) -> Vec<&'a str> {
        self.reason
            .into_iter()
            .chain(self.content.notes.as_ref().map(|n| n.as_str()))
            .collect()
    }
}
