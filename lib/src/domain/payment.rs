//! Payments: money received against an issued invoice. A payment never exceeds what is due,
//! and recording one (or taking back one recorded by mistake) moves the invoice's balance and
//! status with it (DESIGN §7).

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ids::{CustomerId, InvoiceId, PaymentId};
use super::invoice::{Invoice, PaymentRefusal};
use super::money::Money;
use super::time::Date;
use super::values::{Currency, CustomerName, DocumentText, PaymentReference, plain_decimal};
use super::{FieldError, Timestamp};

/// How the money came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    BankTransfer,
    Card,
    Cash,
    Cheque,
    Other,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BankTransfer => "bank_transfer",
            Self::Card => "card",
            Self::Cash => "cash",
            Self::Cheque => "cheque",
            Self::Other => "other",
        }
    }
}

/// An amount as a request states it: any decimal string, signed, so that an amount of zero,
/// a negative one or one finer than the currency is refused by the payment rules (422, naming
/// `amount`) rather than as a malformed field.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct StatedAmount(Decimal);

impl StatedAmount {
    const MAX_WHOLE_DIGITS: usize = 13;
    const MAX_DECIMALS: usize = 12;

    pub fn parse(text: &str) -> Option<Self> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let value = plain_decimal(digits, Self::MAX_WHOLE_DIGITS, Self::MAX_DECIMALS)?;
        Some(Self(if negative { -value } else { value }))
    }

    pub fn value(&self) -> Decimal {
        self.0
    }
}

impl fmt::Display for StatedAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl<'de> Deserialize<'de> for StatedAmount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&text)
            .ok_or_else(|| serde::de::Error::custom("must be a decimal string, e.g. \"120.50\""))
    }
}

impl utoipa::PartialSchema for StatedAmount {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "A decimal string in the invoice's currency, more than zero, with no more \
                 decimals than its minor unit and at most the amount due.",
            ))
            .pattern(Some(r"^-?[0-9]{1,13}(\.[0-9]{1,12})?$"))
            .examples(["120.50"])
            .into()
    }
}

impl ToSchema for StatedAmount {}

/// A payment to record against an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPayment {
    pub amount: StatedAmount,
    /// The day the money was received; not after today in the account's time zone.
    pub date: Date,
    pub method: PaymentMethod,
    #[serde(default)]
    pub reference: Option<PaymentReference>,
    #[serde(default)]
    pub note: Option<DocumentText>,
}

/// A payment as the account keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    pub invoice_id: InvoiceId,
    pub invoice_number: String,
    pub customer_id: CustomerId,
    pub customer_name: Option<CustomerName>,
    pub currency: Currency,
    pub amount: Money,
    pub date: Date,
    pub method: PaymentMethod,
    pub reference: Option<PaymentReference>,
    pub note: Option<DocumentText>,
}

/// A payment as lists show it: all of it, with its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentSummary {
    pub id: PaymentId,
    #[serde(flatten)]
    pub payment: Payment,
}

/// Why a payment is refused; nothing is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentError {
    /// The invoice takes no payment (409).
    NotPayable(&'static str),
    /// A well-formed field the invoice refuses (422): the amount.
    Refused(FieldError),
    /// A field out of bounds whatever the invoice (400): a date in the future.
    Invalid(FieldError),
}

impl Payment {
    /// Records `new` against `invoice` on `today` (in the account's time zone) at `at`: the
    /// payment, and the invoice as it stands after it.
    pub fn record(
        invoice: &Invoice,
        invoice_id: InvoiceId,
        new: &NewPayment,
        today: Date,
        at: Timestamp,
    ) -> Result<(Self, Invoice), PaymentError> {
        let currency = invoice.content.currency;
        let refuse = |detail: String| PaymentError::Refused(FieldError::new("amount", detail));
        let stated = new.amount.value();
        if new.date > today {
            return Err(PaymentError::Invalid(FieldError::new(
                "date",
                format!("must not be after today ({today}) in the account's time zone"),
            )));
        }
        let refused = |refusal| match refusal {
            PaymentRefusal::NotPayable(why) => PaymentError::NotPayable(why),
            PaymentRefusal::AboveDue(due) => {
                refuse(format!("is more than the amount due, {due} {currency}"))
            }
        };
        // The invoice's state first: a draft or void invoice refuses any amount.
        invoice.payable().map_err(refused)?;
        if stated <= Decimal::ZERO {
            return Err(refuse("must be more than zero".into()));
        }
        if stated.scale() > currency.minor_units() {
            return Err(refuse(format!(
                "has more decimals than {currency} has ({})",
                currency.minor_units()
            )));
        }
        let amount = Money::of(stated, currency);
        let after = invoice.paid(amount, at).map_err(refused)?;
        let customer_id = invoice.content.customer_id.ok_or(PaymentError::NotPayable(
            "The invoice has no customer to have paid it.",
        ))?;
        let payment = Self {
            invoice_id,
            invoice_number: invoice.number.clone().unwrap_or_default(),
            customer_id,
            customer_name: invoice.content.customer_name.clone(),
            currency,
            amount,
            date: new.date,
            method: new.method,
            reference: new.reference.clone(),
            note: new.note.clone(),
        };
        Ok((payment, after))
    }

    pub fn summary(&self, id: PaymentId) -> PaymentSummary {
        PaymentSummary {
            id,
            payment: self.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stated_amount_keeps_its_sign_and_scale() {
        assert_eq!(
            StatedAmount::parse("-10.5").map(|a| a.to_string()),
            Some("-10.5".into())
        );
        assert_eq!(
            StatedAmount::parse("0.001").map(|a| a.value().scale()),
            Some(3)
        );
        for bad in [
            "",
            "-",
            "1e3",
            "1,50",
            "+1",
            "--1",
            "1.",
            ".5",
            "12345678901234",
        ] {
            assert_eq!(StatedAmount::parse(bad), None, "{bad}");
        }
    }
}
