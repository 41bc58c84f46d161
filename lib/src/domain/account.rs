//! An account's login identity and company profile.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::endpoint::ElectronicAddress;
use super::second_factor::{PendingTotp, SecondFactor};
use super::values::{
    Address, Bic, Currency, EmailAddress, Iban, Name, PhoneNumber, TaxId, WebsiteUrl,
};

/// A bcrypt hash in its modular crypt form (`$2b$12$…`). Stored only inside sealed content.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(pub String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// The person who logs in to an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: Name,
    pub email: EmailAddress,
    pub password_hash: PasswordHash,
    /// The second factor a login needs besides the password, once enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<SecondFactor>,
    /// An enrolment waiting for its first code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_totp: Option<PendingTotp>,
}

/// The business that issues the account's proposals and invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyProfile {
    /// The registered name printed on documents.
    pub legal_name: Name,
    #[serde(default)]
    pub address: Option<Address>,
    /// Where customers write to about documents.
    #[serde(default)]
    pub email: Option<EmailAddress>,
    #[serde(default)]
    pub phone: Option<PhoneNumber>,
    #[serde(default)]
    pub website: Option<WebsiteUrl>,
    #[serde(default)]
    pub tax_id: Option<TaxId>,
    /// The company's number in its country's register of companies (EN 16931 BT-30: a
    /// Handelsregister number, a SIREN, a KBO number), printed and sent in e-invoices.
    #[serde(default)]
    pub registration_number: Option<TaxId>,
    /// Where the company receives e-invoices (BT-34), e.g. `{"scheme": "0208", "id": "0123456749"}`.
    #[serde(default)]
    pub electronic_address: Option<ElectronicAddress>,
    /// The currency documents use unless a customer has another (chosen at signup).
    pub currency: Currency,
    /// Where customers pay: printed on invoices and given in their e-invoices.
    #[serde(default)]
    pub bank_account: Option<BankAccount>,
}

/// A bank account to be paid into by credit transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankAccount {
    /// The account holder's name, as the bank knows it.
    pub holder: Name,
    pub iban: Iban,
    /// Needed for some payments from outside the SEPA area.
    #[serde(default)]
    pub bic: Option<Bic>,
}

impl CompanyProfile {
    /// Why the profile cannot be saved, if it cannot: an electronic address whose check digits
    /// do not hold.
    pub fn check(&self) -> Result<(), super::FieldError> {
        match &self.electronic_address {
            Some(address) => address.check("electronic_address"),
            None => Ok(()),
        }
    }

    /// A new account's profile: the name and currency given at signup, the rest to fill in.
    pub fn named(legal_name: Name, currency: Currency) -> Self {
        Self {
            legal_name,
            address: None,
            email: None,
            phone: None,
            website: None,
            tax_id: None,
            registration_number: None,
            electronic_address: None,
            currency,
            bank_account: None,
        }
    }
}
