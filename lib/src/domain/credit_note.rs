//! Credit notes: the correction of an issued invoice, issued at once, numbered in a series of
//! their own, never crediting more than the invoice's total less earlier credits.

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldError;
use super::Timestamp;
use super::document::{Buyer, Content, Line, Quantity, Seller, price_lines};
use super::ids::{CreditNoteId, InvoiceId};
use super::invoice::Invoice;
use super::money::{Amount, Money};
use super::pricing;
use super::sending::Sending;
use super::time::Date;
use super::values::{Currency, CustomerName, DocumentText};

/// One line of the invoice to credit, and how much of it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditLineRequest {
    /// The line's position in the invoice's `lines`, from 0.
    pub line: u16,
    /// How much of the line's quantity to credit; all of it when not given.
    #[serde(default)]
    pub quantity: Option<Quantity>,
}

/// A credit note to issue against an invoice: all of it unless `lines` chooses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCreditNote {
    /// Why the invoice is corrected (printed on the credit note).
    #[serde(default)]
    pub reason: Option<DocumentText>,
    /// The lines to credit; the whole invoice when not given.
    #[serde(default)]
    pub lines: Option<Vec<CreditLineRequest>>,
}

/// A credit note as the account keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreditNote {
    pub number: String,
    pub invoice_id: InvoiceId,
    pub invoice_number: String,
    pub issue_date: Date,
    pub reason: Option<DocumentText>,
    /// The credited lines and amounts; `total` is the amount credited.
    #[serde(flatten)]
    pub content: Content,
    pub seller: Option<Seller>,
    pub buyer: Option<Buyer>,
    pub issued_at: Timestamp,
    /// What the credit leaves to pay back to the customer: the part of it above what was
    /// still due on the invoice when it was issued (zero when it only lowers the amount due).
    pub refund: Money,
    /// Each time it was e-mailed, oldest first: once the mail service accepted the message.
    #[serde(default)]
    pub sendings: Vec<Sending>,
    /// Its links to its page, newest last (each send makes one; none is shown again).
    #[serde(default)]
    pub links: Vec<crate::domain::link::DocumentLink>,
    /// What happened to it after it was sent: delivered, bounced, viewed, answered.
    #[serde(default)]
    pub deliveries: Vec<crate::domain::link::Delivery>,
}

/// A credit note as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreditNoteSummary {
    pub id: CreditNoteId,
    pub number: String,
    pub invoice_id: InvoiceId,
    pub invoice_number: String,
    pub customer_name: Option<CustomerName>,
    pub issue_date: Date,
    pub currency: Currency,
    pub total: Money,
}

fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Vec<FieldError> {
    vec![FieldError::new(field, detail)]
}

/// Why a credit note cannot be issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditError {
    /// A field of the request is wrong on its own.
    Invalid(Vec<FieldError>),
    /// It would credit more than the invoice has left to credit.
    AboveCreditable { creditable: Money, asked: Money },
}

/// The invoice's line `line`, for `quantity` of it (a line discount given as an amount is
/// shared in proportion, rounded to the currency).
fn credited_line(
    line: &Line,
    quantity: Quantity,
    currency: Currency,
    index: usize,
) -> Result<Line, Vec<FieldError>> {
    if quantity.value() > line.quantity.value() {
        return Err(invalid(
            format!("lines[{index}].quantity"),
            format!("at most the line's quantity, {}", line.quantity),
        ));
    }
    let discount_amount = match line.discount_amount {
        Some(amount) if quantity != line.quantity => {
            let share = pricing::round(
                amount.value() * quantity.value() / line.quantity.value(),
                currency.minor_units(),
            );
            Some(Amount::from_decimal(share).map_err(|e| invalid(format!("lines[{index}]"), e.0))?)
        }
        other => other,
    };
    Ok(Line {
        quantity,
        discount_amount,
        ..line.clone()
    })
}

impl CreditNote {
    /// A credit note against `invoice` (issued), numbered `number`, dated `today`.
    pub fn against(
        invoice: &Invoice,
        invoice_id: InvoiceId,
        request: &NewCreditNote,
        number: String,
        today: Date,
        at: Timestamp,
    ) -> Result<Self, CreditError> {
        let source = &invoice.content;
        let currency = source.currency;
        let lines: Vec<Line> = match &request.lines {
            None => source.lines.clone(),
            Some(chosen) if chosen.is_empty() => {
                return Err(CreditError::Invalid(invalid(
                    "lines",
                    "choose at least one line, or leave lines out to credit the whole invoice",
                )));
            }
            Some(chosen) => {
                let mut seen = HashSet::new();
                let mut lines = Vec::with_capacity(chosen.len());
                for (index, choice) in chosen.iter().enumerate() {
                    let Some(line) = source.lines.get(usize::from(choice.line)) else {
                        return Err(CreditError::Invalid(invalid(
                            format!("lines[{index}].line"),
                            format!("the invoice has {} lines", source.lines.len()),
                        )));
                    };
                    if !seen.insert(choice.line) {
                        return Err(CreditError::Invalid(invalid(
                            format!("lines[{index}].line"),
                            "each line may be chosen once",
                        )));
                    }
                    let quantity = choice.quantity.unwrap_or(line.quantity);
                    lines.push(
                        credited_line(line, quantity, currency, index)
                            .map_err(CreditError::Invalid)?,
                    );
                }
                lines
            }
        };
        let (lines, amounts) = price_lines(
            lines,
            currency,
            source.prices_include_tax,
            source.discount_percent,
        )
        .map_err(CreditError::Invalid)?;
        let creditable = invoice.creditable();
        if amounts.total.value() > creditable.value() {
            return Err(CreditError::AboveCreditable {
                creditable,
                asked: amounts.total,
            });
        }
        if amounts.total.value() <= Decimal::ZERO {
            return Err(CreditError::Invalid(invalid(
                "lines",
                "the chosen lines credit nothing",
            )));
        }
        Ok(Self {
            number,
            invoice_id,
            invoice_number: invoice.number.clone().unwrap_or_default(),
            issue_date: today,
            reason: request.reason.clone(),
            content: Content {
                lines,
                net_total: amounts.net_total,
                discount_total: amounts.discount_total,
                tax_breakdown: amounts.tax_breakdown,
                tax_total: amounts.tax_total,
                total: amounts.total,
                ..source.clone()
            },
            seller: invoice.seller.clone(),
            buyer: invoice.buyer.clone(),
            issued_at: at,
            refund: invoice.refund_for(amounts.total),
            sendings: Vec::new(),
            links: Vec::new(),
            deliveries: Vec::new(),
        })
    }

    /// The credit note, recording that `sending` left for its customer.
    pub fn sent(&self, sending: Sending) -> Self {
        let mut sent = self.clone();
        sent.sendings.push(sending);
        sent
    }

    pub fn summary(&self, id: CreditNoteId) -> CreditNoteSummary {
        CreditNoteSummary {
            id,
            number: self.number.clone(),
            invoice_id: self.invoice_id,
            invoice_number: self.invoice_number.clone(),
            customer_name: self.content.customer_name.clone(),
            issue_date: self.issue_date,
            currency: self.content.currency,
            total: self.content.total,
        }
    }
}

super::link::tracked!(CreditNote, "credit_note");
