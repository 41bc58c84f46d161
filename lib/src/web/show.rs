//! Values as a person reads them: amounts and dates in the account's locale (the same
//! formatter as the PDFs), statuses and methods in words.

use rust_decimal::Decimal;
use serde_json::Value;

use crate::domain::time::Date;
use crate::domain::values::Currency;
use crate::render::locale::Format;

/// The account's way of writing numbers and dates.
pub struct Fmt(Format);

impl Fmt {
    /// From the settings the API answered (`en-US` until they are readable).
    pub fn of(settings: &Value) -> Self {
        Self(Format::of(settings["locale"].as_str().unwrap_or("en-US")))
    }

    /// `amount` (a decimal string) in `currency`, or the text as it is if either is unreadable.
    pub fn money(&self, amount: &Value, currency: &Value) -> String {
        let text = amount.as_str().unwrap_or_default();
        match (
            text.parse::<Decimal>(),
            Currency::parse(currency.as_str().unwrap_or_default()),
        ) {
            (Ok(value), Ok(currency)) => self.0.money(value, currency),
            _ => text.to_owned(),
        }
    }

    pub fn quantity(&self, value: &Value) -> String {
        let text = value.as_str().unwrap_or_default();
        text.parse::<Decimal>()
            .map(|v| self.0.quantity(v))
            .unwrap_or_else(|_| text.to_owned())
    }

    pub fn percent(&self, value: &Value) -> String {
        let text = value.as_str().unwrap_or_default();
        text.parse::<Decimal>()
            .map(|v| self.0.percent(v))
            .unwrap_or_else(|_| text.to_owned())
    }

    /// A `YYYY-MM-DD` date, or the date part of a timestamp.
    pub fn date(&self, value: &Value) -> String {
        let text = value.as_str().unwrap_or_default();
        Date::parse(text.get(..10).unwrap_or(text))
            .map(|date| self.0.date(date))
            .unwrap_or_else(|| text.to_owned())
    }
}

/// A string field, or "" when absent.
pub fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// A payment method in words.
pub fn method(value: &Value) -> &'static str {
    match value.as_str().unwrap_or_default() {
        "bank_transfer" => "Bank transfer",
        "card" => "Card",
        "cash" => "Cash",
        "cheque" => "Cheque",
        _ => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_and_dates_follow_the_account_locale() {
        let de = Fmt::of(&json!({"locale": "de-DE"}));
        assert_eq!(de.money(&json!("1234.5"), &json!("EUR")), "1.234,50\u{a0}€");
        assert_eq!(de.date(&json!("2026-11-25")), "25.11.2026");
        let us = Fmt::of(&json!({}));
        assert_eq!(us.money(&json!("1234.5"), &json!("USD")), "$1,234.50");
        assert_eq!(us.money(&json!("oops"), &json!("USD")), "oops");
    }
}
