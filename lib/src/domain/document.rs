//! What every document (proposal, invoice, credit note) is made of: lines priced from the
//! catalogue or given, the customer and currency they are for, and the amounts computed from
//! them the EN 16931 way ([`super::pricing`]); and the number series documents take.

use std::collections::HashMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldError;
use super::account::{BankAccount, CompanyProfile};
use super::catalogue::Service;
use super::customer::Customer;
use super::endpoint::ElectronicAddress;
use super::ids::{CustomerId, ServiceId};
use super::money::{Amount, Money};
use super::pricing::{self, DocumentTerms, LineDiscount, LineTerms, PricingError};
use super::settings::Settings;
use super::tax::{self, LineTax, Parties, TaxCategory};
use super::time::Date;
use super::values::{
    Address, Currency, CustomerName, DocumentReference, DocumentText, EmailAddress, Language, Name,
    Percentage, PhoneNumber, TaxId, ValueError, VatexCode, WebsiteUrl, plain_decimal,
};

/// The most lines a document may have.
pub const MAX_LINES: usize = 500;

/// A quantity: above zero, up to 7 whole digits and 4 decimals (`"1.5"`, `"0.125"`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Quantity(Decimal);

impl Quantity {
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        match plain_decimal(text, 7, 4) {
            Some(value) if value > Decimal::ZERO => Ok(Self(value)),
            _ => Err(ValueError(
                "must be a decimal string above 0 with up to 7 digits and 4 decimals, e.g. \"1.5\""
                    .into(),
            )),
        }
    }

    pub fn value(&self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Quantity {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "A decimal string above 0: up to 7 whole digits and 4 decimals.",
            ))
            .pattern(Some(r"^[0-9]{1,7}(\.[0-9]{1,4})?$"))
            .examples(["1.5"])
            .into()
    }
}

impl utoipa::ToSchema for Quantity {}

/// A line as a request gives it. With `service_id`, the service's name, unit, unit price and
/// tax rate are copied into the line (a snapshot); any of them given here wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineRequest {
    #[serde(default)]
    pub service_id: Option<ServiceId>,
    /// What is sold; the service's name when not given.
    #[serde(default)]
    pub description: Option<DocumentText>,
    pub quantity: Quantity,
    #[serde(default)]
    pub unit: Option<Name>,
    /// The price of one unit (including tax when the document's prices do); the service's when
    /// not given.
    #[serde(default)]
    pub unit_price: Option<Amount>,
    /// A discount in percent of the line; not with `discount_amount`.
    #[serde(default)]
    pub discount_percent: Option<Percentage>,
    /// A discount as an amount, at most the line's amount and the currency's decimals.
    #[serde(default)]
    pub discount_amount: Option<Amount>,
    /// The service's rate, else the settings' default; 0 when the category charges no VAT.
    #[serde(default)]
    pub tax_rate: Option<Percentage>,
    /// The VAT category (BT-151): the customer's, else the service's, else `S` above 0 % and
    /// `Z` at 0 %.
    #[serde(default)]
    pub tax_category: Option<TaxCategory>,
    /// Why the line is exempt (BT-120): required with category `E`, only with it.
    #[serde(default)]
    pub exemption_reason: Option<DocumentText>,
    /// The exemption's VATEX code (BT-121), where one applies; only with category `E`.
    #[serde(default)]
    pub exemption_code: Option<VatexCode>,
}

/// A line of a document, with its computed net.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(from = "KeptLine")]
pub struct Line {
    pub service_id: Option<ServiceId>,
    pub description: DocumentText,
    pub quantity: Quantity,
    pub unit: Option<Name>,
    pub unit_price: Amount,
    pub discount_percent: Option<Percentage>,
    pub discount_amount: Option<Amount>,
    pub tax_rate: Percentage,
    /// The VAT category (BT-151).
    pub tax_category: TaxCategory,
    /// Why an exempt line is exempt (BT-120), and the exemption's code (BT-121); left out
    /// unless given (a document of 500 lines must fit one stored item).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption_reason: Option<DocumentText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption_code: Option<VatexCode>,
    /// quantity × unit price − discount, rounded to the currency (EN 16931 BT-131).
    pub net: Money,
}

/// A line as kept: one written before VAT categories has none, and means `S` above 0 % and
/// `Z` at 0 %.
#[derive(Deserialize)]
struct KeptLine {
    service_id: Option<ServiceId>,
    description: DocumentText,
    quantity: Quantity,
    unit: Option<Name>,
    unit_price: Amount,
    discount_percent: Option<Percentage>,
    discount_amount: Option<Amount>,
    tax_rate: Percentage,
    #[serde(default)]
    tax_category: Option<TaxCategory>,
    #[serde(default)]
    exemption_reason: Option<DocumentText>,
    #[serde(default)]
    exemption_code: Option<VatexCode>,
    net: Money,
}

impl From<KeptLine> for Line {
    fn from(kept: KeptLine) -> Self {
        Self {
            tax_category: kept
                .tax_category
                .unwrap_or_else(|| TaxCategory::for_rate(kept.tax_rate.value().is_zero())),
            service_id: kept.service_id,
            description: kept.description,
            quantity: kept.quantity,
            unit: kept.unit,
            unit_price: kept.unit_price,
            discount_percent: kept.discount_percent,
            discount_amount: kept.discount_amount,
            tax_rate: kept.tax_rate,
            exemption_reason: kept.exemption_reason,
            exemption_code: kept.exemption_code,
            net: kept.net,
        }
    }
}

/// One category and rate of the tax breakdown (BG-23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(from = "KeptTaxAmount")]
pub struct TaxAmount {
    /// The VAT category (BT-118).
    pub category: TaxCategory,
    pub rate: Percentage,
    /// The taxable amount at this rate (BT-116).
    pub base: Money,
    /// The tax at this rate, rounded once (BT-117).
    pub tax: Money,
    /// Why no VAT is charged (BT-120): the exempt lines' reason, or the category's wording.
    pub exemption_reason: Option<String>,
    /// Its VATEX code (BT-121).
    pub exemption_code: Option<String>,
}

/// A breakdown entry as kept (one written before VAT categories has none).
#[derive(Deserialize)]
struct KeptTaxAmount {
    #[serde(default)]
    category: Option<TaxCategory>,
    rate: Percentage,
    base: Money,
    tax: Money,
    #[serde(default)]
    exemption_reason: Option<String>,
    #[serde(default)]
    exemption_code: Option<String>,
}

impl From<KeptTaxAmount> for TaxAmount {
    fn from(kept: KeptTaxAmount) -> Self {
        Self {
            category: kept
                .category
                .unwrap_or_else(|| TaxCategory::for_rate(kept.rate.value().is_zero())),
            rate: kept.rate,
            base: kept.base,
            tax: kept.tax,
            exemption_reason: kept.exemption_reason,
            exemption_code: kept.exemption_code,
        }
    }
}

/// The seller as it was when the document was numbered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Seller {
    pub legal_name: Name,
    pub address: Option<Address>,
    pub tax_id: Option<TaxId>,
    /// BT-30.
    #[serde(default)]
    pub registration_number: Option<TaxId>,
    /// BT-34.
    #[serde(default)]
    pub electronic_address: Option<ElectronicAddress>,
    pub email: Option<EmailAddress>,
    #[serde(default)]
    pub phone: Option<PhoneNumber>,
    #[serde(default)]
    pub website: Option<WebsiteUrl>,
    /// Where to pay (printed with the payment instructions).
    #[serde(default)]
    pub bank_account: Option<BankAccount>,
}

/// The buyer as it was when the document was numbered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Buyer {
    pub name: CustomerName,
    pub billing_address: Option<Address>,
    pub tax_id: Option<TaxId>,
    pub email: Option<EmailAddress>,
    /// BT-49.
    #[serde(default)]
    pub electronic_address: Option<ElectronicAddress>,
    /// The language the buyer reads documents in.
    #[serde(default)]
    pub language: Option<Language>,
}

impl Seller {
    pub fn of(company: &CompanyProfile) -> Self {
        Self {
            legal_name: company.legal_name.clone(),
            address: company.address.clone(),
            tax_id: company.tax_id.clone(),
            registration_number: company.registration_number.clone(),
            electronic_address: company.electronic_address.clone(),
            email: company.email.clone(),
            phone: company.phone.clone(),
            website: company.website.clone(),
            bank_account: company.bank_account.clone(),
        }
    }
}

impl Buyer {
    pub fn of(customer: &Customer) -> Self {
        Self {
            name: customer.name.clone(),
            billing_address: customer.billing_address.clone(),
            tax_id: customer.tax_id.clone(),
            email: customer.email.clone(),
            electronic_address: customer.electronic_address.clone(),
            language: customer.language.clone(),
        }
    }
}

/// What a draft's defaults and catalogue lines are taken from.
pub struct DraftContext<'a> {
    pub settings: &'a Settings,
    pub company: &'a CompanyProfile,
    /// The document's customer, if it names one (and it exists).
    pub customer: Option<&'a Customer>,
    /// Every service a line names that exists in the account.
    pub services: &'a HashMap<ServiceId, Service>,
    /// Today in the account's time zone.
    pub today: Date,
}

pub(crate) fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Vec<FieldError> {
    vec![FieldError::new(field, detail)]
}

/// A line resolved against the catalogue (its net is computed with the whole document).
fn resolve_line(
    index: usize,
    line: &LineRequest,
    currency: Currency,
    context: &DraftContext<'_>,
) -> Result<Line, Vec<FieldError>> {
    let field = |name: &str| format!("lines[{index}].{name}");
    let service = match line.service_id {
        None => None,
        Some(id) => {
            let service = context
                .services
                .get(&id)
                .ok_or_else(|| invalid(field("service_id"), "no such service in this account"))?;
            if service.currency != currency && line.unit_price.is_none() {
                return Err(invalid(
                    field("service_id"),
                    format!(
                        "the service is priced in {}, the document is in {currency}: give a unit_price",
                        service.currency
                    ),
                ));
            }
            Some(service)
        }
    };
    let description = match (&line.description, service) {
        (Some(text), _) => text.clone(),
        (None, Some(service)) => DocumentText::parse(service.name.as_str())
            .map_err(|e| invalid(field("description"), e.0))?,
        (None, None) => return Err(invalid(field("description"), "required")),
    };
    let unit_price = line
        .unit_price
        .or(service.map(|s| s.unit_price))
        .ok_or_else(|| invalid(field("unit_price"), "required"))?;
    if line.discount_percent.is_some() && line.discount_amount.is_some() {
        return Err(invalid(
            field("discount_amount"),
            "give discount_percent or discount_amount, not both",
        ));
    }
    if let Some(amount) = line.discount_amount
        && !amount.fits(currency)
    {
        return Err(invalid(
            field("discount_amount"),
            format!("{currency} has {} decimals at most", currency.minor_units()),
        ));
    }
    let tax = line_tax(index, line, service, context)?;
    Ok(Line {
        service_id: line.service_id,
        description,
        quantity: line.quantity,
        unit: line
            .unit
            .clone()
            .or_else(|| service.and_then(|s| s.unit.clone())),
        unit_price,
        discount_percent: line.discount_percent,
        discount_amount: line.discount_amount,
        tax_rate: tax.rate,
        tax_category: tax.category,
        exemption_reason: tax.exemption_reason,
        exemption_code: tax.exemption_code,
        net: Money::zero(currency),
    })
}

/// How a line is taxed, once settled.
struct SettledTax {
    rate: Percentage,
    category: TaxCategory,
    exemption_reason: Option<DocumentText>,
    exemption_code: Option<VatexCode>,
}

/// A line's VAT: a small enterprise's exemption; else its category (the line's, the
/// customer's, the service's, else by its rate), its rate and its exemption, checked.
fn line_tax(
    index: usize,
    line: &LineRequest,
    service: Option<&Service>,
    context: &DraftContext<'_>,
) -> Result<SettledTax, Vec<FieldError>> {
    let field = |name: &str| format!("lines[{index}].{name}");
    if context.settings.small_business_exemption {
        let (reason, rate) = small_business_line(index, line, context)?;
        return Ok(SettledTax {
            rate,
            category: TaxCategory::Exempt,
            exemption_reason: Some(reason),
            exemption_code: None,
        });
    }
    let category = line
        .tax_category
        .or(context.customer.and_then(|c| c.tax_category))
        .or(service.and_then(|s| s.tax_category));
    let tax_rate = match category {
        // A category that charges nothing is at 0 % unless the line says otherwise (refused
        // below): neither the service's rate nor the default applies.
        Some(category) if category.charges_none() => line.tax_rate.unwrap_or_else(Percentage::zero),
        _ => line
            .tax_rate
            .or(service.and_then(|s| s.tax_rate))
            .unwrap_or(context.settings.default_tax_rate),
    };
    let rate_is_zero = tax_rate.value().is_zero();
    let tax_category = category.unwrap_or_else(|| TaxCategory::for_rate(rate_is_zero));
    let (exemption_reason, exemption_code) = match tax_category {
        TaxCategory::Exempt if line.exemption_reason.is_none() && line.exemption_code.is_none() => {
            (
                service.and_then(|s| s.exemption_reason.clone()),
                service.and_then(|s| s.exemption_code.clone()),
            )
        }
        _ => (line.exemption_reason.clone(), line.exemption_code.clone()),
    };
    tax::check_line(
        &LineTax {
            category: tax_category,
            rate_is_zero,
            exemption_reason: exemption_reason.as_ref(),
            exemption_code: exemption_code.as_ref(),
        },
        field,
    )
    .map_err(|error| vec![error])?;
    Ok(SettledTax {
        rate: tax_rate,
        category: tax_category,
        exemption_reason,
        exemption_code,
    })
}

/// A small enterprise's line: exempt at 0 %, with its country's sentence; a line that names a
/// rate above 0 or another category is refused.
fn small_business_line(
    index: usize,
    line: &LineRequest,
    context: &DraftContext<'_>,
) -> Result<(DocumentText, Percentage), Vec<FieldError>> {
    let field = |name: &str| format!("lines[{index}].{name}");
    let exempt = "the account is exempt from VAT as a small business (settings)";
    if line
        .tax_category
        .is_some_and(|category| category != TaxCategory::Exempt)
    {
        return Err(invalid(
            field("tax_category"),
            format!("must be E: {exempt}"),
        ));
    }
    if line.tax_rate.is_some_and(|rate| !rate.value().is_zero()) {
        return Err(invalid(field("tax_rate"), format!("must be 0: {exempt}")));
    }
    let country = context.company.address.as_ref().map(|a| &a.country);
    let sentence = tax::small_business_sentence(country);
    let reason =
        DocumentText::parse(sentence).map_err(|e| invalid(field("exemption_reason"), e.0))?;
    Ok((reason, Percentage::zero()))
}

fn check_lines(count: usize) -> Result<(), Vec<FieldError>> {
    if count > MAX_LINES {
        return Err(invalid("lines", format!("at most {MAX_LINES} lines")));
    }
    Ok(())
}

fn default_currency(context: &DraftContext<'_>) -> Currency {
    context
        .customer
        .and_then(|c| c.currency)
        .or(context.settings.default_currency)
        .unwrap_or(context.company.currency)
}

fn customer_must_exist(
    id: Option<CustomerId>,
    context: &DraftContext<'_>,
) -> Result<(), Vec<FieldError>> {
    if id.is_some() && context.customer.is_none() {
        return Err(invalid("customer_id", "no such customer in this account"));
    }
    Ok(())
}

/// The rules between the lines' categories and the parties; only what is known is checked (a
/// draft may not name its customer yet).
fn check_parties(
    lines: &[Line],
    company: &CompanyProfile,
    customer: Option<&Customer>,
) -> Result<(), Vec<FieldError>> {
    let categories: Vec<TaxCategory> = lines.iter().map(|line| line.tax_category).collect();
    let parties = Parties {
        seller_country: company.address.as_ref().map(|a| &a.country),
        buyer_vat_id: customer
            .and_then(|c| c.tax_id.as_ref())
            .filter(|id| tax::is_vat_id(id)),
        buyer_country: customer
            .and_then(|c| c.billing_address.as_ref())
            .map(|a| &a.country),
    };
    tax::check_document(&categories, &parties, customer.is_some()).map_err(|error| vec![error])
}

/// A document's computed amounts (lines carry their own nets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amounts {
    pub net_total: Money,
    pub discount_total: Money,
    pub tax_breakdown: Vec<TaxAmount>,
    pub tax_total: Money,
    pub total: Money,
}

/// Prices `lines` as one document: each line's net set, and the document's amounts.
pub fn price_lines(
    lines: Vec<Line>,
    currency: Currency,
    prices_include_tax: bool,
    discount_percent: Option<Percentage>,
) -> Result<(Vec<Line>, Amounts), Vec<FieldError>> {
    let line_terms: Vec<LineTerms> = lines
        .iter()
        .map(|line| LineTerms {
            quantity: line.quantity.value(),
            unit_price: line.unit_price.value(),
            discount: match (line.discount_percent, line.discount_amount) {
                (Some(percent), _) => Some(LineDiscount::Percent(percent)),
                (None, Some(amount)) => Some(LineDiscount::Amount(amount.value())),
                (None, None) => None,
            },
            tax_rate: line.tax_rate,
            tax_category: line.tax_category,
        })
        .collect();
    let exemptions = exemptions(&lines)?;
    let totals = pricing::price(
        &line_terms,
        &DocumentTerms {
            currency,
            prices_include_tax,
            discount_percent,
        },
    )
    .map_err(|error| match error {
        PricingError::DiscountAboveAmount { line } => invalid(
            format!("lines[{line}].discount_amount"),
            "must not be above the line's amount",
        ),
        PricingError::TooLarge { line } => invalid(
            format!("lines[{line}]"),
            "the line's amount must be below 10,000,000,000,000",
        ),
        PricingError::TotalTooLarge => invalid(
            "lines",
            "the document's total must be below 10,000,000,000,000",
        ),
    })?;
    let money = |value| Money::of(value, currency);
    let lines = lines
        .into_iter()
        .zip(&totals.line_nets)
        .map(|(line, net)| Line {
            net: money(*net),
            ..line
        })
        .collect();
    let amounts = Amounts {
        net_total: money(totals.net_total),
        discount_total: money(totals.discount_total),
        tax_breakdown: totals
            .tax_breakdown
            .iter()
            .map(|t| {
                let (exemption_reason, exemption_code) = match t.category.exemption() {
                    Some(by_law) => (
                        Some(by_law.wording.to_owned()),
                        Some(by_law.code.to_owned()),
                    ),
                    None if t.category == TaxCategory::Exempt => exemptions.clone(),
                    None => (None, None),
                };
                TaxAmount {
                    category: t.category,
                    rate: t.rate,
                    base: money(t.base),
                    tax: money(t.tax),
                    exemption_reason,
                    exemption_code,
                }
            })
            .collect(),
        tax_total: money(totals.tax_total),
        total: money(totals.total),
    };
    Ok((lines, amounts))
}

/// The one exemption (reason, code) of a document's exempt lines: the breakdown states one per
/// category (BR-E-10), so every exempt line gives the same.
fn exemptions(lines: &[Line]) -> Result<(Option<String>, Option<String>), Vec<FieldError>> {
    let mut exempt = lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.tax_category == TaxCategory::Exempt);
    let Some((_, first)) = exempt.next() else {
        return Ok((None, None));
    };
    if let Some((index, _)) = exempt.find(|(_, line)| {
        line.exemption_reason != first.exemption_reason
            || line.exemption_code != first.exemption_code
    }) {
        return Err(invalid(
            format!("lines[{index}].exemption_reason"),
            "every exempt line of a document gives the same exemption (the tax breakdown states              one): split the document, or give the same reason",
        ));
    }
    Ok((
        first
            .exemption_reason
            .as_ref()
            .map(|r| r.as_str().to_owned()),
        first.exemption_code.as_ref().map(|c| c.as_str().to_owned()),
    ))
}

fn resolve_lines(
    lines: &[LineRequest],
    currency: Currency,
    context: &DraftContext<'_>,
) -> Result<Vec<Line>, Vec<FieldError>> {
    check_lines(lines.len())?;
    lines
        .iter()
        .enumerate()
        .map(|(index, line)| resolve_line(index, line, currency, context))
        .collect()
}

/// A period of supply (EN 16931 BG-14), its first and last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub start: Date,
    pub end: Date,
}

/// What the buyer quotes and when the supply was made, as a document states them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Particulars {
    /// The buyer's reference for the document (BT-10): a German public buyer's Leitweg-ID, a
    /// cost centre.
    #[serde(default)]
    pub buyer_reference: Option<DocumentReference>,
    /// The buyer's purchase order (BT-13).
    #[serde(default)]
    pub order_reference: Option<DocumentReference>,
    /// When the goods or services were supplied (BT-72), if not on the issue date.
    #[serde(default)]
    pub supply_date: Option<Date>,
    /// The period the document bills (BG-14: BT-73 to BT-74).
    #[serde(default)]
    pub supply_period: Option<Period>,
    /// Where the goods or services go (BG-15), when not to the buyer's billing address.
    #[serde(default)]
    pub delivery_address: Option<Address>,
}

impl Particulars {
    fn check(&self) -> Result<(), Vec<FieldError>> {
        match self.supply_period {
            Some(period) if period.end < period.start => Err(invalid(
                "supply_period.end",
                "must not be before supply_period.start",
            )),
            _ => Ok(()),
        }
    }

    fn patched(&self, patch: ParticularsPatch) -> Self {
        Self {
            buyer_reference: patch
                .buyer_reference
                .unwrap_or_else(|| self.buyer_reference.clone()),
            order_reference: patch
                .order_reference
                .unwrap_or_else(|| self.order_reference.clone()),
            supply_date: patch.supply_date.unwrap_or(self.supply_date),
            supply_period: patch.supply_period.unwrap_or(self.supply_period),
            delivery_address: patch
                .delivery_address
                .unwrap_or_else(|| self.delivery_address.clone()),
        }
    }
}

/// A change to a document's particulars: absent keeps, `null` clears.
#[derive(Debug, Clone, Default)]
pub struct ParticularsPatch {
    pub buyer_reference: Option<Option<DocumentReference>>,
    pub order_reference: Option<Option<DocumentReference>>,
    pub supply_date: Option<Option<Date>>,
    pub supply_period: Option<Option<Period>>,
    pub delivery_address: Option<Option<Address>>,
}

/// What a document holds besides its dates, status and number: its customer, currency, terms
/// and lines, and the amounts computed from them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Content {
    pub customer_id: Option<CustomerId>,
    /// The customer's name (as issued, once the document is numbered).
    pub customer_name: Option<CustomerName>,
    pub currency: Currency,
    pub notes: Option<DocumentText>,
    pub footer: Option<DocumentText>,
    pub discount_percent: Option<Percentage>,
    pub prices_include_tax: bool,
    /// What the buyer quotes and when the supply was made.
    #[serde(flatten)]
    pub particulars: Particulars,
    pub lines: Vec<Line>,
    /// Σ line nets (BT-106).
    pub net_total: Money,
    /// The document discount (BT-107).
    pub discount_total: Money,
    pub tax_breakdown: Vec<TaxAmount>,
    pub tax_total: Money,
    pub total: Money,
}

/// A document's terms, settled from a request and its defaults.
struct Terms {
    customer_id: Option<CustomerId>,
    currency: Currency,
    notes: Option<DocumentText>,
    footer: Option<DocumentText>,
    discount_percent: Option<Percentage>,
    prices_include_tax: bool,
    particulars: Particulars,
}

/// The content fields of a request that creates a document.
pub struct ContentRequest<'a> {
    pub customer_id: Option<CustomerId>,
    pub currency: Option<Currency>,
    pub notes: Option<DocumentText>,
    pub footer: Option<DocumentText>,
    pub discount_percent: Option<Percentage>,
    pub prices_include_tax: bool,
    pub particulars: Particulars,
    pub lines: &'a [LineRequest],
}

/// The content fields of a merge patch: absent keeps, `null` clears (a currency goes back to
/// the default), `lines` replaces every line.
#[derive(Default)]
pub struct ContentPatch<'a> {
    pub customer_id: Option<Option<CustomerId>>,
    pub currency: Option<Option<Currency>>,
    pub notes: Option<Option<DocumentText>>,
    pub footer: Option<Option<DocumentText>>,
    pub discount_percent: Option<Option<Percentage>>,
    pub prices_include_tax: Option<bool>,
    pub particulars: ParticularsPatch,
    pub lines: Option<&'a [LineRequest]>,
}

impl Content {
    /// Content with these terms and lines, its amounts not yet computed.
    fn unpriced(terms: Terms, lines: Vec<Line>, context: &DraftContext<'_>) -> Self {
        let zero = Money::zero(terms.currency);
        Self {
            customer_id: terms.customer_id,
            customer_name: context.customer.map(|c| c.name.clone()),
            currency: terms.currency,
            notes: terms.notes,
            footer: terms.footer,
            discount_percent: terms.discount_percent,
            prices_include_tax: terms.prices_include_tax,
            particulars: terms.particulars,
            lines,
            net_total: zero,
            discount_total: zero,
            tax_breakdown: Vec::new(),
            tax_total: zero,
            total: zero,
        }
    }

    /// The content with every line's net and the document's amounts computed.
    fn priced(self) -> Result<Self, Vec<FieldError>> {
        let (lines, amounts) = price_lines(
            self.lines,
            self.currency,
            self.prices_include_tax,
            self.discount_percent,
        )?;
        Ok(Self {
            lines,
            net_total: amounts.net_total,
            discount_total: amounts.discount_total,
            tax_breakdown: amounts.tax_breakdown,
            tax_total: amounts.tax_total,
            total: amounts.total,
            ..self
        })
    }

    /// A new document's content: defaults from the customer, the catalogue and the settings.
    pub fn new(
        request: ContentRequest<'_>,
        context: &DraftContext<'_>,
    ) -> Result<Self, Vec<FieldError>> {
        customer_must_exist(request.customer_id, context)?;
        let currency = request
            .currency
            .unwrap_or_else(|| default_currency(context));
        let lines = resolve_lines(request.lines, currency, context)?;
        let terms = Terms {
            customer_id: request.customer_id,
            currency,
            notes: request
                .notes
                .or_else(|| context.settings.invoice_notes.clone()),
            footer: request
                .footer
                .or_else(|| context.settings.invoice_footer.clone()),
            discount_percent: request.discount_percent,
            prices_include_tax: request.prices_include_tax,
            particulars: request.particulars,
        };
        terms.particulars.check()?;
        check_parties(&lines, context.company, context.customer)?;
        Self::unpriced(terms, lines, context).priced()
    }

    /// This content with `patch` applied and its amounts recomputed.
    pub fn patched(
        &self,
        patch: ContentPatch<'_>,
        context: &DraftContext<'_>,
    ) -> Result<Self, Vec<FieldError>> {
        let customer_id = patch.customer_id.unwrap_or(self.customer_id);
        customer_must_exist(customer_id, context)?;
        let currency = match patch.currency {
            None => self.currency,
            Some(Some(currency)) => currency,
            Some(None) => default_currency(context),
        };
        let lines = match patch.lines {
            Some(lines) => resolve_lines(lines, currency, context)?,
            None => self.lines.clone(),
        };
        if let Some(index) = lines
            .iter()
            .position(|l| l.discount_amount.is_some_and(|a| !a.fits(currency)))
        {
            return Err(invalid(
                format!("lines[{index}].discount_amount"),
                format!("{currency} has {} decimals at most", currency.minor_units()),
            ));
        }
        let terms = Terms {
            customer_id,
            currency,
            notes: patch.notes.unwrap_or_else(|| self.notes.clone()),
            footer: patch.footer.unwrap_or_else(|| self.footer.clone()),
            discount_percent: patch.discount_percent.unwrap_or(self.discount_percent),
            prices_include_tax: patch.prices_include_tax.unwrap_or(self.prices_include_tax),
            particulars: self.particulars.patched(patch.particulars),
        };
        terms.particulars.check()?;
        check_parties(&lines, context.company, context.customer)?;
        Self::unpriced(terms, lines, context).priced()
    }

    /// Why a small enterprise's document cannot be issued: a line saved before the account
    /// became exempt that is not exempt (saving the draft again makes it so).
    pub fn check_small_business(&self, settings: &Settings) -> Result<(), Vec<FieldError>> {
        match self
            .lines
            .iter()
            .position(|line| line.tax_category != TaxCategory::Exempt)
        {
            Some(index) if settings.small_business_exemption => Err(invalid(
                format!("lines[{index}].tax_category"),
                "must be E: the account is exempt from VAT as a small business (save the draft \
                 again to make its lines exempt)",
            )),
            _ => Ok(()),
        }
    }

    /// Why the lines' VAT categories cannot be issued between this seller and customer, if
    /// they cannot (EN 16931 BR-AE, BR-IC, BR-G, BR-O): checked again when the document is
    /// numbered, as either party may have changed since the draft was saved.
    pub fn check_parties(
        &self,
        company: &CompanyProfile,
        customer: &Customer,
    ) -> Result<(), Vec<FieldError>> {
        check_parties(&self.lines, company, Some(customer))
    }

    /// Why this content cannot go out (be issued, be sent), if it cannot: `kind` names the
    /// document in the message.
    pub fn complete(&self, kind: &str) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.customer_id.is_none() {
            errors.push(FieldError::new(
                "customer_id",
                format!("required before the {kind} goes out"),
            ));
        }
        if self.lines.is_empty() {
            errors.push(FieldError::new(
                "lines",
                format!("at least one line is required before the {kind} goes out"),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A number in a series: the prefix, with `{YYYY}` as the issue year, then the counter
/// zero-padded to four digits (`INV-2026-0007`).
pub fn document_number(prefix: &str, year: i16, counter: u64) -> String {
    format!(
        "{}{counter:04}",
        prefix.replace("{YYYY}", &year.to_string())
    )
}

/// The counter period a prefix numbers in: the year when it holds `{YYYY}` (the series restarts
/// each year), else one series for ever.
pub fn number_period(prefix: &str, year: i16) -> String {
    if prefix.contains("{YYYY}") {
        year.to_string()
    } else {
        "all".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_restart_each_year_only_with_a_year_in_the_prefix() {
        assert_eq!(document_number("INV-{YYYY}-", 2026, 7), "INV-2026-0007");
        assert_eq!(number_period("INV-{YYYY}-", 2026), "2026");
        assert_eq!(document_number("F", 2026, 12345), "F12345");
        assert_eq!(number_period("F", 2026), "all");
    }

    #[test]
    fn quantities_are_positive_with_four_decimals_at_most() {
        assert!(Quantity::parse("0").is_err());
        assert!(Quantity::parse("0.00001").is_err());
        assert!(Quantity::parse("-1").is_err());
        assert!(Quantity::parse("12345678").is_err());
        assert_eq!(
            Quantity::parse("0.0001").map(|q| q.to_string()),
            Ok("0.0001".into())
        );
    }
}
