//! Customers of the account's business.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldError;
use super::endpoint::ElectronicAddress;
use super::patch::{nullable, present};
use super::tax::TaxCategory;
use super::values::{
    Address, Currency, CustomerName, DocumentText, EmailAddress, Language, Name, PhoneNumber, TaxId,
};

/// A customer to add: every field a request may send, and no other.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    /// The customer's name (a business or a person), as printed on documents.
    pub name: CustomerName,
    #[serde(default)]
    pub contact_name: Option<Name>,
    #[serde(default)]
    pub email: Option<EmailAddress>,
    #[serde(default)]
    pub phone: Option<PhoneNumber>,
    #[serde(default)]
    pub billing_address: Option<Address>,
    #[serde(default)]
    pub shipping_address: Option<Address>,
    #[serde(default)]
    pub tax_id: Option<TaxId>,
    /// Documents for this customer are in this currency; the company's when not given.
    #[serde(default)]
    pub currency: Option<Currency>,
    /// The VAT category of this customer's lines unless a line names one: a business in another
    /// member state is usually `AE` (services) or `K` (goods).
    #[serde(default)]
    pub tax_category: Option<TaxCategory>,
    /// Where the customer receives e-invoices (BT-49): `{"scheme": "0208", "id": "…"}`.
    #[serde(default)]
    pub electronic_address: Option<ElectronicAddress>,
    /// The language the customer reads documents in; the account's when not given.
    #[serde(default)]
    pub language: Option<Language>,
    /// Private notes, never printed.
    #[serde(default)]
    pub notes: Option<DocumentText>,
    /// The customer asked for no payment reminders: the schedule sends them none.
    #[serde(default)]
    pub no_reminders: bool,
}

/// A customer of the account.
// As stored, it does not deny unknown fields: a rolled-back function still reads the items
// a later version wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Customer {
    /// The customer's name (a business or a person), as printed on documents.
    pub name: CustomerName,
    pub contact_name: Option<Name>,
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    pub tax_id: Option<TaxId>,
    /// Documents for this customer are in this currency; the company's when not given.
    pub currency: Option<Currency>,
    /// The VAT category of this customer's lines unless a line names one.
    #[serde(default)]
    pub tax_category: Option<TaxCategory>,
    /// Where the customer receives e-invoices (BT-49).
    #[serde(default)]
    pub electronic_address: Option<ElectronicAddress>,
    /// The language the customer reads documents in; the account's when not given.
    #[serde(default)]
    pub language: Option<Language>,
    /// Private notes, never printed.
    pub notes: Option<DocumentText>,
    /// The customer asked for no payment reminders.
    #[serde(default)]
    pub no_reminders: bool,
}

impl From<NewCustomer> for Customer {
    fn from(new: NewCustomer) -> Self {
        let NewCustomer {
            name,
            contact_name,
            email,
            phone,
            billing_address,
            shipping_address,
            tax_id,
            currency,
            tax_category,
            electronic_address,
            language,
            notes,
            no_reminders,
        } = new;
        Self {
            name,
            contact_name,
            email,
            phone,
            billing_address,
            shipping_address,
            tax_id,
            currency,
            tax_category,
            electronic_address,
            language,
            notes,
            no_reminders,
        }
    }
}

/// A partial update (JSON merge patch): absent fields are kept, `null` clears.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = CustomerName)]
    pub name: Option<CustomerName>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Name>)]
    pub contact_name: Option<Option<Name>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<EmailAddress>)]
    pub email: Option<Option<EmailAddress>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<PhoneNumber>)]
    pub phone: Option<Option<PhoneNumber>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Address>)]
    pub billing_address: Option<Option<Address>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Address>)]
    pub shipping_address: Option<Option<Address>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<TaxId>)]
    pub tax_id: Option<Option<TaxId>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Currency>)]
    pub currency: Option<Option<Currency>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<TaxCategory>)]
    pub tax_category: Option<Option<TaxCategory>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<ElectronicAddress>)]
    pub electronic_address: Option<Option<ElectronicAddress>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Language>)]
    pub language: Option<Option<Language>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DocumentText>)]
    pub notes: Option<Option<DocumentText>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub no_reminders: Option<bool>,
}

impl Customer {
    /// Why the customer cannot be saved, if it cannot: an electronic address whose check
    /// digits do not hold.
    pub fn check(&self) -> Result<(), FieldError> {
        match &self.electronic_address {
            Some(address) => address.check("electronic_address"),
            None => Ok(()),
        }
    }

    pub fn patched(&self, patch: CustomerPatch) -> Self {
        let CustomerPatch {
            name,
            contact_name,
            email,
            phone,
            billing_address,
            shipping_address,
            tax_id,
            currency,
            tax_category,
            electronic_address,
            language,
            notes,
            no_reminders,
        } = patch;
        Self {
            name: name.unwrap_or_else(|| self.name.clone()),
            contact_name: contact_name.unwrap_or_else(|| self.contact_name.clone()),
            email: email.unwrap_or_else(|| self.email.clone()),
            phone: phone.unwrap_or_else(|| self.phone.clone()),
            billing_address: billing_address.unwrap_or_else(|| self.billing_address.clone()),
            shipping_address: shipping_address.unwrap_or_else(|| self.shipping_address.clone()),
            tax_id: tax_id.unwrap_or_else(|| self.tax_id.clone()),
            currency: currency.unwrap_or(self.currency),
            tax_category: tax_category.unwrap_or(self.tax_category),
            electronic_address: electronic_address
                .unwrap_or_else(|| self.electronic_address.clone()),
            language: language.unwrap_or_else(|| self.language.clone()),
            notes: notes.unwrap_or_else(|| self.notes.clone()),
            no_reminders: no_reminders.unwrap_or(self.no_reminders),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer() -> Customer {
        serde_json::from_str::<NewCustomer>(
            r#"{"name": "Ölçü GmbH", "email": "a@b.example", "currency": "EUR"}"#,
        )
        .expect("valid")
        .into()
    }

    #[test]
    fn a_patch_keeps_absent_fields_and_clears_null_ones() {
        let patch: CustomerPatch =
            serde_json::from_str(r#"{"email": null, "phone": "+49 30 1234567"}"#).expect("valid");
        let next = customer().patched(patch);
        assert_eq!(next.email, None);
        assert_eq!(
            next.phone.map(|p| p.to_string()),
            Some("+49 30 1234567".into())
        );
        assert_eq!(next.name, customer().name);
        assert_eq!(next.currency, customer().currency);
    }

    #[test]
    fn the_name_cannot_be_cleared() {
        assert!(serde_json::from_str::<CustomerPatch>(r#"{"name": null}"#).is_err());
        assert!(serde_json::from_str::<NewCustomer>(r#"{"email": "a@b.example"}"#).is_err());
    }

    #[test]
    fn a_request_refuses_unknown_fields_and_a_stored_record_reads_them() {
        let with_extra = r#"{"name": "Acme", "contact_name": null, "email": null, "phone": null,
            "billing_address": null, "shipping_address": null, "tax_id": null, "currency": null,
            "notes": null, "added_later": 1}"#;
        assert!(serde_json::from_str::<NewCustomer>(with_extra).is_err());
        assert!(serde_json::from_str::<Customer>(with_extra).is_ok());
    }
}
