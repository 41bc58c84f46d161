//! Amounts of money: decimal, never floating point, at most the currency's minor-unit precision.

use std::fmt;

use rust_decimal::Decimal;

use super::values::{Currency, ValueError, plain_decimal};

/// A non-negative amount written as a decimal string (`"120.50"`). Its scale is kept as given,
/// so what is stored is what is returned. Whether it fits a currency is checked with
/// [`Amount::fits`] once the currency is known.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Amount(Decimal);

impl Amount {
    /// Digits before the point: up to a trillion, far above any invoice line.
    const MAX_WHOLE_DIGITS: usize = 13;
    /// The most any ISO 4217 currency has after the point.
    const MAX_DECIMALS: usize = 4;

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        match plain_decimal(text, Self::MAX_WHOLE_DIGITS, Self::MAX_DECIMALS) {
            Some(value) => Ok(Self(value)),
            _ => Err(ValueError(
                "must be a non-negative decimal string, e.g. \"120.50\"".into(),
            )),
        }
    }

    pub fn value(&self) -> Decimal {
        self.0
    }

    /// A computed non-negative amount within the limits a parsed one has.
    pub fn from_decimal(value: Decimal) -> Result<Self, ValueError> {
        Self::parse(&value.normalize().to_string())
    }

    /// Whether the amount has no more decimals than the currency's minor unit.
    pub fn fits(&self, currency: Currency) -> bool {
        self.0.scale() <= currency.minor_units()
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Amount {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "A non-negative decimal string: up to 13 whole digits and 4 decimals.",
            ))
            .pattern(Some(r"^[0-9]{1,13}(\.[0-9]{1,4})?$"))
            .examples(["120.50"])
            .into()
    }
}

impl utoipa::ToSchema for Amount {}

/// A computed amount of money at its currency's minor unit (`"1234.50"`, `"0.000"` in KWD,
/// `"1235"` in JPY): line nets, totals, amounts due. Computed by the server, never accepted.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Money(Decimal);

impl Money {
    /// `value` rounded half away from zero to `currency`'s minor unit.
    pub fn of(value: Decimal, currency: Currency) -> Self {
        Self(super::pricing::round(value, currency.minor_units()))
    }

    pub fn zero(currency: Currency) -> Self {
        Self::of(Decimal::ZERO, currency)
    }

    pub fn value(&self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Decimal::from_str_exact(&text)
            .map(Self)
            .map_err(|_| serde::de::Error::custom("must be a decimal string"))
    }
}

impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "An amount computed by the server, with exactly the currency's minor-unit decimals.",
            ))
            .pattern(Some(r"^-?[0-9]+(\.[0-9]+)?$"))
            .examples(["1234.50"])
            .into()
    }
}

impl utoipa::ToSchema for Money {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_is_kept_as_written() {
        assert_eq!(
            Amount::parse("120.50").map(|a| a.to_string()),
            Ok("120.50".into())
        );
        assert_eq!(Amount::parse("7").map(|a| a.to_string()), Ok("7".into()));
    }

    #[test]
    fn an_amount_fits_a_currency_up_to_its_minor_unit() {
        let eur = Currency::parse("EUR").expect("EUR");
        let jpy = Currency::parse("JPY").expect("JPY");
        let amount = Amount::parse("10.50").expect("valid");
        assert!(amount.fits(eur));
        assert!(!amount.fits(jpy));
        assert!(!Amount::parse("10.505").expect("valid").fits(eur));
    }

    #[test]
    fn anything_but_a_plain_decimal_string_is_refused() {
        for bad in [
            "-1",
            "1e3",
            "1,50",
            "",
            ".5",
            "5.",
            "1.23456",
            "NaN",
            " 1",
            "12345678901234",
        ] {
            assert!(Amount::parse(bad).is_err(), "{bad:?}");
        }
    }
}
