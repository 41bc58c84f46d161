//! The account's catalogue of services (what it sells, at what price).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::money::Amount;
use super::patch::{nullable, present};
use super::values::{Currency, DocumentText, Name, Percentage};

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
            active,
        } = self;
        Service {
            name,
            description,
            unit_price,
            unit,
            tax_rate,
            currency: currency.unwrap_or(default),
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
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

impl Service {
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
            active,
        } = patch;
        Self {
            name: name.unwrap_or_else(|| self.name.clone()),
            description: description.unwrap_or_else(|| self.description.clone()),
            unit_price: unit_price.unwrap_or(self.unit_price),
            unit: unit.unwrap_or_else(|| self.unit.clone()),
            tax_rate: tax_rate.unwrap_or(self.tax_rate),
            currency: currency.map_or(self.currency, |given| given.unwrap_or(default)),
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
