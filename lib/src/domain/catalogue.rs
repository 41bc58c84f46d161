//! The account's catalogue of services (what it sells, at what price).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::money::Amount;
use super::patch::{nullable, present};
use super::values::{Currency, DocumentText, Name, Percentage};

fn active_by_default() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub name: Name,
    #[serde(default)]
    pub description: Option<DocumentText>,
    /// The price of one unit, in `currency`.
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

/// Why a service is not valid as a whole (each field was valid on its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceError {
    /// No currency given and none to default to.
    NoCurrency,
}

impl Service {
    pub fn patched(&self, patch: ServicePatch) -> Self {
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
            currency: currency.unwrap_or(self.currency),
            active: active.unwrap_or(self.active),
        }
    }

    /// The service with its currency settled (given, or `default`) and its price checked
    /// against that currency's precision.
    pub fn settled(mut self, default: Option<Currency>) -> Result<Self, ServiceError> {
        let currency = self.currency.or(default).ok_or(ServiceError::NoCurrency)?;
        self.currency = Some(currency);
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(json: &str) -> Service {
        serde_json::from_str(json).expect("valid")
    }

    #[test]
    fn a_service_takes_the_default_currency_and_is_active() {
        let settled = service(r#"{"name": "Design", "unit_price": "95.00"}"#)
            .settled(Currency::parse("CAD").ok())
            .expect("settled");
        assert_eq!(settled.currency.map(|c| c.code()), Some("CAD"));
        assert!(settled.active);
    }

    #[test]
    fn a_unit_price_may_be_finer_than_the_currency() {
        // EN 16931 BT-146: an item's net price may have more decimals than the currency; the
        // amounts computed from it are rounded to the minor unit.
        let yen = service(r#"{"name": "Power", "unit_price": "0.125", "currency": "JPY"}"#);
        assert_eq!(
            yen.settled(None).map(|s| s.unit_price.to_string()),
            Ok("0.125".to_owned())
        );
    }

    #[test]
    fn without_any_currency_a_service_cannot_be_priced() {
        let bare = service(r#"{"name": "Design", "unit_price": "95"}"#);
        assert_eq!(bare.settled(None), Err(ServiceError::NoCurrency));
    }
}
