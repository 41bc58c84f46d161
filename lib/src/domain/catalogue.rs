//! The account's catalogue of services (what it sells, at what price).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldError;
use super::money::Amount;
use super::patch::{nullable, present};
use super::tax::{self, LineTax, TaxCategory};
use super::values::{Currency, DocumentText, Name, Percentage, VatexCode};

fn active_by_default() -> bool {
    true
}

/// A service to add to the catalogue; its currency may be left to the company's.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewService {
    pub name: Name,
    #[serde(default)]
    pub description: Option<DocumentText>,
    /// The price of one unit, in `currency`; up to 4 decimals in any currency.
    pub unit_price: Amount,
    /// What one unit is: `hour`, `item`, `day`…
    #[serde(default)]
    pub unit: Option<Name>,
    /// Tax rate in percent; the settings' default rate when not given.
    #[serde(default)]
    pub tax_rate: Option<Percentage>,
    /// The price's currency; the company's when not given.
    #[serde(default)]
    pub currency: Option<Currency>,
    /// The VAT category of its lines unless the line or the customer names one (`E` for an
    /// exempt service, with its reason).
    #[serde(default)]
    pub tax_category: Option<TaxCategory>,
    /// Why the service is exempt (with category `E`), copied into its lines.
    #[serde(default)]
    pub exemption_reason: Option<DocumentText>,
    /// The exemption's VATEX code, where one applies.
    #[serde(default)]
    pub exemption_code: Option<VatexCode>,
    /// Archived services (`false`) stay readable but are not offered for new documents.
    #[serde(default = "active_by_default")]
    pub active: bool,
}

/// A service of the catalogue, always priced in a currency.
// As stored, it does not deny unknown fields (see `Customer`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Service {
    pub name: Name,
    pub description: Option<DocumentText>,
    /// The price of one unit, in `currency`.
    pub unit_price: Amount,
    /// What one unit is: `hour`, `item`, `day`…
    pub unit: Option<Name>,
    /// Tax rate in percent; the settings' default rate when not given.
    pub tax_rate: Option<Percentage>,
    pub currency: Currency,
    /// The VAT category of its lines unless the line or the customer names one.
    #[serde(default)]
    pub tax_category: Option<TaxCategory>,
    /// Why the service is exempt (with category `E`).
    #[serde(default)]
    pub exemption_reason: Option<DocumentText>,
    #[serde(default)]
    pub exemption_code: Option<VatexCode>,
    /// Archived services (`false`) stay readable but are not offered for new documents.
    pub active: bool,
}

impl NewService {
    /// The service as kept, priced in its own currency or else in `default` (the company's).
    pub fn priced_in(self, default: Currency) -> Service {
        let NewService {
            name,
            description,
            unit_price,
            unit,
            tax_rate,
            currency,
            tax_category,
            exemption_reason,
            exemption_code,
            active,
        } = self;
        Service {
            name,
            description,
            unit_price,
            unit,
            tax_rate,
            currency: currency.unwrap_or(default),
            tax_category,
            exemption_reason,
            exemption_code,
            active,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Name)]
    pub name: Option<Name>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DocumentText>)]
    pub description: Option<Option<DocumentText>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Amount)]
    pub unit_price: Option<Amount>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Name>)]
    pub unit: Option<Option<Name>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Percentage>)]
    pub tax_rate: Option<Option<Percentage>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Currency>)]
    pub currency: Option<Option<Currency>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<TaxCategory>)]
    pub tax_category: Option<Option<TaxCategory>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DocumentText>)]
    pub exemption_reason: Option<Option<DocumentText>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<VatexCode>)]
    pub exemption_code: Option<Option<VatexCode>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

impl Service {
    /// Why the service's VAT category cannot price a line, if it cannot: a category that
    /// charges nothing at a rate above 0, an exempt service without its reason, a reason
    /// without category E.
    pub fn check(&self) -> Result<(), FieldError> {
        let category = match self.tax_category {
            Some(category) => category,
            None if self.exemption_reason.is_some() || self.exemption_code.is_some() => {
                TaxCategory::Standard
            }
            None => return Ok(()),
        };
        let rate_is_zero = self
            .tax_rate
            .map_or(category != TaxCategory::Standard, |rate| {
                rate.value().is_zero()
            });
        tax::check_line(
            &LineTax {
                category,
                rate_is_zero,
                exemption_reason: self.exemption_reason.as_ref(),
                exemption_code: self.exemption_code.as_ref(),
            },
            str::to_owned,
        )
    }

    /// The service with `patch` applied; a currency set to `null` becomes `default` (the
    /// company's).
    pub fn patched(&self, patch: ServicePatch, default: Currency) -> Self {
        let ServicePatch {
            name,
            description,
            unit_price,
            unit,
            tax_rate,
            currency,
            tax_category,
            exemption_reason,
            exemption_code,
            active,
        } = patch;
        Self {
            name: name.unwrap_or_else(|| self.name.clone()),
            description: description.unwrap_or_else(|| self.description.clone()),
            unit_price: unit_price.unwrap_or(self.unit_price),
            unit: unit.unwrap_or_else(|| self.unit.clone()),
            tax_rate: tax_rate.unwrap_or(self.tax_rate),
            currency: currency.map_or(self.currency, |given| given.unwrap_or(default)),
            tax_category: tax_category.unwrap_or(self.tax_category),
            exemption_reason: exemption_reason.unwrap_or_else(|| self.exemption_reason.clone()),
            exemption_code: exemption_code.unwrap_or_else(|| self.exemption_code.clone()),
            active: active.unwrap_or(self.active),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(json: &str) -> NewService {
        serde_json::from_str(json).expect("valid")
    }

    fn cad() -> Currency {
        Currency::parse("CAD").expect("CAD")
    }

    #[test]
    fn a_service_takes_the_default_currency_and_is_active() {
        let service = new(r#"{"name": "Design", "unit_price": "95.00"}"#).priced_in(cad());
        assert_eq!(service.currency.code(), "CAD");
        assert!(service.active);
    }

    #[test]
    fn a_unit_price_may_be_finer_than_the_currency() {
        // EN 16931 BT-146: an item's net price may have more decimals than the currency; the
        // amounts computed from it are rounded to the minor unit.
        let yen = new(r#"{"name": "Power", "unit_price": "0.125", "currency": "JPY"}"#);
        assert_eq!(yen.priced_in(cad()).unit_price.to_string(), "0.125");
    }

    #[test]
    fn a_currency_cleared_by_a_patch_becomes_the_default() {
        let yen =
            new(r#"{"name": "Power", "unit_price": "1", "currency": "JPY"}"#).priced_in(cad());
        let kept: ServicePatch = serde_json::from_str(r#"{"name": "Energy"}"#).expect("valid");
        assert_eq!(yen.patched(kept, cad()).currency.code(), "JPY");
        let cleared: ServicePatch = serde_json::from_str(r#"{"currency": null}"#).expect("valid");
        assert_eq!(yen.patched(cleared, cad()).currency.code(), "CAD");
    }
}
