//! VAT categories (EN 16931 BT-151/BT-118, UNCL 5305) and the rules that tie a category to
//! its rate, its exemption and the parties: a combination EN 16931 forbids is refused here,
//! naming the field, before any document holding it is written.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldError;
use super::values::{Country, DocumentText, TaxId, VatexCode};

/// A line's VAT category.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
pub enum TaxCategory {
    /// Standard rate (`S`): a rate above zero.
    #[serde(rename = "S")]
    Standard,
    /// Zero rated (`Z`).
    #[serde(rename = "Z")]
    ZeroRated,
    /// Exempt from VAT (`E`), with the reason.
    #[serde(rename = "E")]
    Exempt,
    /// Reverse charge (`AE`): the buyer accounts for the VAT.
    #[serde(rename = "AE")]
    ReverseCharge,
    /// Intra-community supply (`K`): to a VAT-registered buyer in another member state.
    #[serde(rename = "K")]
    IntraCommunity,
    /// Export outside the EU (`G`).
    #[serde(rename = "G")]
    Export,
    /// Not subject to VAT (`O`).
    #[serde(rename = "O")]
    NotSubject,
}

/// The member states of the European Union (Greece's VAT prefix is `EL`, its country `GR`).
const EU: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Whether `country` is a member state of the EU.
pub fn in_eu(country: &Country) -> bool {
    EU.contains(&country.as_str())
}

/// What the law has a document say for a category that is not charged: its VATEX code and
/// its wording (BT-121, BT-120).
pub struct Exemption {
    pub code: &'static str,
    pub wording: &'static str,
}

impl TaxCategory {
    /// The UNCL 5305 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Standard => "S",
            Self::ZeroRated => "Z",
            Self::Exempt => "E",
            Self::ReverseCharge => "AE",
            Self::IntraCommunity => "K",
            Self::Export => "G",
            Self::NotSubject => "O",
        }
    }

    /// A line's category when nothing names one: standard above 0 %, else zero rated (what
    /// every line meant before categories).
    pub fn for_rate(rate_is_zero: bool) -> Self {
        if rate_is_zero {
            Self::ZeroRated
        } else {
            Self::Standard
        }
    }

    /// Whether the category charges no VAT at all: its rate is 0 (BR-E-5, BR-AE-5, BR-IC-5,
    /// BR-G-5, BR-O-5).
    pub fn charges_none(self) -> bool {
        !matches!(self, Self::Standard | Self::ZeroRated)
    }

    /// The code and wording a category carries by law, whatever the line says.
    pub fn exemption(self) -> Option<Exemption> {
        let (code, wording) = match self {
            Self::ReverseCharge => ("VATEX-EU-AE", "Reverse charge"),
            Self::IntraCommunity => ("VATEX-EU-IC", "Intra-community supply"),
            Self::Export => ("VATEX-EU-G", "Export outside the EU"),
            Self::NotSubject => ("VATEX-EU-O", "Not subject to VAT"),
            Self::Standard | Self::ZeroRated | Self::Exempt => return None,
        };
        Some(Exemption { code, wording })
    }
}

/// The sentence a small enterprise exempt from VAT must print, by its country (its law's own
/// words; the EU directive's article elsewhere).
pub fn small_business_sentence(country: Option<&Country>) -> &'static str {
    match country.map(Country::as_str) {
        Some("DE") => "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.",
        Some("AT") => {
            "Umsatzsteuerfrei aufgrund der Kleinunternehmerregelung gemäß § 6 Abs. 1 Z 27 UStG."
        }
        Some("FR") => "TVA non applicable, art. 293 B du CGI.",
        Some("BE") => {
            "Régime particulier de franchise des petites entreprises : TVA non applicable."
        }
        Some("LU") => "Franchise de TVA (régime des petites entreprises, art. 57 de la loi TVA).",
        Some("NL") => "Vrijgesteld van btw op grond van de kleineondernemersregeling (KOR).",
        Some("IT") => {
            "Operazione in franchigia da IVA ai sensi dell'art. 1, commi 54-89, L. 190/2014."
        }
        _ => {
            "Exempt from VAT under the small enterprise scheme (article 284 of Directive              2006/112/EC)."
        }
    }
}

/// What a line states of its category: checked by [`check_line`].
pub struct LineTax<'a> {
    pub category: TaxCategory,
    pub rate_is_zero: bool,
    pub exemption_reason: Option<&'a DocumentText>,
    pub exemption_code: Option<&'a VatexCode>,
}

/// The rules one line must keep whatever the document: `field` names the line's fields.
pub fn check_line(line: &LineTax<'_>, field: impl Fn(&str) -> String) -> Result<(), FieldError> {
    let category = line.category;
    if category.charges_none() && !line.rate_is_zero {
        return Err(FieldError::new(
            field("tax_rate"),
            format!("must be 0 for tax category {}", category.code()),
        ));
    }
    if category == TaxCategory::Standard && line.rate_is_zero {
        return Err(FieldError::new(
            field("tax_rate"),
            "must be above 0 for tax category S (use Z for a zero rate)",
        ));
    }
    if category == TaxCategory::ZeroRated && !line.rate_is_zero {
        return Err(FieldError::new(
            field("tax_rate"),
            "must be 0 for tax category Z",
        ));
    }
    let states_exemption = line.exemption_reason.is_some() || line.exemption_code.is_some();
    if category == TaxCategory::Exempt && line.exemption_reason.is_none() {
        return Err(FieldError::new(
            field("exemption_reason"),
            "required for tax category E: the law that exempts the supply",
        ));
    }
    if category != TaxCategory::Exempt && states_exemption {
        let name = if line.exemption_reason.is_some() {
            "exemption_reason"
        } else {
            "exemption_code"
        };
        return Err(FieldError::new(
            field(name),
            "only for tax category E (the other categories carry their own wording)",
        ));
    }
    Ok(())
}

/// Who a document is between, as far as its categories care.
pub struct Parties<'a> {
    /// The seller's country, when known.
    pub seller_country: Option<&'a Country>,
    /// The buyer's VAT id, when it has one (a tax id with a country prefix).
    pub buyer_vat_id: Option<&'a TaxId>,
    /// The buyer's country, when known.
    pub buyer_country: Option<&'a Country>,
}

/// The rules between a document's categories and its parties (EN 16931 BR-AE, BR-IC, BR-G,
/// BR-O): `categories` is each line's category, in order; the first line that breaks one is
/// named. `complete` asks for what only an issued document must have (the buyer's VAT id and
/// country): a draft may not know its customer yet.
pub fn check_document(
    categories: &[TaxCategory],
    parties: &Parties<'_>,
    complete: bool,
) -> Result<(), FieldError> {
    let field = |index: usize| format!("lines[{index}].tax_category");
    if let Some(index) = categories
        .iter()
        .position(|c| *c == TaxCategory::NotSubject)
        && let Some(other) = categories
            .iter()
            .position(|c| *c != TaxCategory::NotSubject)
    {
        return Err(FieldError::new(
            field(index.max(other)),
            "tax category O (not subject to VAT) cannot be beside another category on one \
             document (BR-O-11)",
        ));
    }
    let buyer_country = parties.buyer_country;
    for (index, category) in categories.iter().enumerate() {
        match category {
            TaxCategory::ReverseCharge | TaxCategory::IntraCommunity
                if parties.buyer_vat_id.is_none() && complete =>
            {
                return Err(FieldError::new(
                    field(index),
                    format!(
                        "tax category {} needs the customer's VAT id (BR-AE-2, BR-IC-2): give the \
                         customer a tax_id with its country prefix",
                        category.code()
                    ),
                ));
            }
            TaxCategory::IntraCommunity => {
                let seller = parties.seller_country;
                match (seller, buyer_country) {
                    (Some(seller), Some(buyer))
                        if !in_eu(buyer) || !in_eu(seller) || seller == buyer =>
                    {
                        return Err(FieldError::new(
                            field(index),
                            "tax category K is for a buyer in another EU member state than the \
                             seller's",
                        ));
                    }
                    (_, None) if complete => {
                        return Err(FieldError::new(
                            field(index),
                            "tax category K needs the customer's country (its billing address)",
                        ));
                    }
                    _ => {}
                }
            }
            TaxCategory::Export => match buyer_country {
                Some(buyer) if in_eu(buyer) => {
                    return Err(FieldError::new(
                        field(index),
                        "tax category G is for a buyer outside the EU",
                    ));
                }
                None if complete => {
                    return Err(FieldError::new(
                        field(index),
                        "tax category G needs the customer's country (its billing address)",
                    ));
                }
                _ => {}
            },
            _ => {}
        }
    }
    Ok(())
}

/// Whether `tax_id` is written as a VAT identifier: a country's prefix (Greece writes EL),
/// then the number (BR-CO-9).
pub fn is_vat_id(tax_id: &TaxId) -> bool {
    let id = tax_id.as_str();
    let prefix = id.get(..2).unwrap_or_default();
    id.len() > 2 && (prefix == "EL" || Country::parse(prefix).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(code: &str) -> Country {
        Country::parse(code).expect("country")
    }

    fn tax_id(text: &str) -> TaxId {
        TaxId::parse(text).expect("tax id")
    }

    #[test]
    fn a_category_that_charges_nothing_has_a_zero_rate() {
        let line = |category, rate_is_zero| LineTax {
            category,
            rate_is_zero,
            exemption_reason: None,
            exemption_code: None,
        };
        let field = |name: &str| format!("lines[0].{name}");
        for category in [
            TaxCategory::ReverseCharge,
            TaxCategory::IntraCommunity,
            TaxCategory::Export,
            TaxCategory::NotSubject,
        ] {
            assert!(check_line(&line(category, true), field).is_ok());
            let refused = check_line(&line(category, false), field).expect_err("a rate");
            assert_eq!(refused.field, "lines[0].tax_rate");
        }
        assert!(check_line(&line(TaxCategory::Standard, true), field).is_err());
        assert!(check_line(&line(TaxCategory::ZeroRated, false), field).is_err());
        let exempt = check_line(&line(TaxCategory::Exempt, true), field).expect_err("reason");
        assert_eq!(exempt.field, "lines[0].exemption_reason");
    }

    fn parties<'a>(seller: &'a Country, buyer: &'a Country, vat: Option<&'a TaxId>) -> Parties<'a> {
        Parties {
            seller_country: Some(seller),
            buyer_vat_id: vat,
            buyer_country: Some(buyer),
        }
    }

    #[test]
    fn the_parties_decide_which_categories_a_document_may_hold() {
        use TaxCategory::*;
        let (de, fr, us) = (country("DE"), country("FR"), country("US"));
        let vat = tax_id("FR12345678901");
        let to = |buyer, vat| parties(&de, buyer, vat);
        assert!(check_document(&[IntraCommunity], &to(&fr, Some(&vat)), true).is_ok());
        assert!(check_document(&[IntraCommunity], &to(&de, Some(&vat)), true).is_err());
        assert!(check_document(&[IntraCommunity], &to(&fr, None), true).is_err());
        assert!(check_document(&[IntraCommunity], &to(&fr, None), false).is_ok());
        assert!(check_document(&[ReverseCharge, Standard], &to(&fr, Some(&vat)), true).is_ok());
        assert!(check_document(&[Export], &to(&us, None), true).is_ok());
        assert!(check_document(&[Export], &to(&fr, None), true).is_err());
        let mixed = check_document(&[Standard, NotSubject], &to(&fr, None), true);
        assert_eq!(mixed.expect_err("mixed").field, "lines[1].tax_category");
    }

    #[test]
    fn vat_ids_carry_their_country_prefix() {
        assert!(is_vat_id(&tax_id("DE123456789")));
        assert!(is_vat_id(&tax_id("EL123456789")));
        assert!(!is_vat_id(&tax_id("12/345/67890")));
        assert!(!is_vat_id(&tax_id("123/456/78901")));
        assert!(!is_vat_id(&tax_id("XX123")), "XX is no country");
    }

    #[test]
    fn vatex_codes_have_their_shape() {
        assert!(VatexCode::parse("VATEX-EU-132-1I").is_ok());
        assert!(VatexCode::parse("VATEX-EU-AE").is_ok());
        for bad in [
            "VATEX",
            "vatex-eu-ae",
            "VATEX-EU",
            "VATEX-EUR-1",
            "VATEX-EU-1-2-3-4",
        ] {
            assert!(VatexCode::parse(bad).is_err(), "{bad}");
        }
    }
}
