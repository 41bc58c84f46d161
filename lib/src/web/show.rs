//! Values as a person reads them: amounts and dates in the account's locale (the same
//! formatter as the PDFs), statuses and methods in words.

use rust_decimal::Decimal;

use crate::domain::Timestamp;
use crate::domain::document::Quantity;
use crate::domain::money::{Amount, Money};
use crate::domain::payment::PaymentMethod;
use crate::domain::settings::Settings;
use crate::domain::time::Date;
use crate::domain::values::{Currency, Percentage};
use crate::render::locale::Format;

/// The account's way of writing numbers and dates.
pub struct Fmt(Format);

/// An amount of money as the API answers it.
pub trait Sum {
    fn decimal(&self) -> Decimal;
}

impl Sum for Money {
    fn decimal(&self) -> Decimal {
        self.value()
    }
}

impl Sum for Amount {
    fn decimal(&self) -> Decimal {
        self.value()
    }
}

impl Fmt {
    /// From the account's settings.
    pub fn of(settings: &Settings) -> Self {
        Self(Format::of(settings.locale.as_str()))
    }

    pub fn money(&self, amount: &impl Sum, currency: Currency) -> String {
        self.0.money(amount.decimal(), currency)
    }

    pub fn quantity(&self, value: &Quantity) -> String {
        self.0.quantity(value.value())
    }

    pub fn percent(&self, value: &Percentage) -> String {
        self.0.percent(value.value())
    }

    pub fn date(&self, date: Date) -> String {
        self.0.date(date)
    }

    /// The day (in UTC) of an instant.
    pub fn day(&self, at: Timestamp) -> String {
        let (year, month, day, ..) = at.utc_parts();
        Date::parse(&format!("{year:04}-{month:02}-{day:02}"))
            .map(|date| self.0.date(date))
            .unwrap_or_default()
    }
}

/// A payment method in words.
pub fn method(method: PaymentMethod) -> String {
    let id = match method {
        PaymentMethod::BankTransfer => "method-bank_transfer",
        PaymentMethod::Card => "method-card",
        PaymentMethod::Cash => "method-cash",
        PaymentMethod::Cheque => "method-cheque",
        PaymentMethod::Other => "method-other",
    };
    super::ui::t(id)
}

/// An optional text, or "" when absent.
pub fn or_empty<T: AsRef<str>>(value: &Option<T>) -> &str {
    value.as_ref().map_or("", AsRef::as_ref)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_dates_follow_the_account_locale() {
        let settings = Settings {
            locale: serde_json::from_value(serde_json::json!("de-DE")).expect("locale"),
            ..Settings::default()
        };
        let de = Fmt::of(&settings);
        let eur = Currency::parse("EUR").expect("EUR");
        let amount = Money::of(Decimal::new(12345, 1), eur);
        assert_eq!(de.money(&amount, eur), "1.234,50\u{a0}€");
        let date = Date::parse("2026-11-25").expect("date");
        assert_eq!(de.date(date), "25.11.2026");
        let at = Timestamp::parse("2026-11-25T23:59:00Z").expect("instant");
        assert_eq!(de.day(at), "25.11.2026");
        let us = Fmt::of(&Settings::default());
        let usd = Currency::parse("USD").expect("USD");
        assert_eq!(
            us.money(&Money::of(Decimal::new(12345, 1), usd), usd),
            "$1,234.50"
        );
    }
}
