//! Electronic addresses (EN 16931 BT-34, BT-49): where a party receives e-invoices, named by
//! an identifier scheme of the EAS code list (CEF) and the identifier in it. A scheme whose
//! identifiers carry check digits has them checked, so a mistyped address is refused when it
//! is saved rather than bounced by the network.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldError;

/// The EAS schemes Peppol routes on (its code list, without `EM`, which it refuses).
const SCHEMES: &[&str] = &[
    "0002", "0007", "0009", "0037", "0060", "0088", "0096", "0097", "0106", "0130", "0135", "0142",
    "0151", "0183", "0184", "0188", "0190", "0191", "0192", "0193", "0195", "0196", "0198", "0199",
    "0200", "0201", "0202", "0204", "0208", "0209", "0210", "0211", "0212", "0213", "0215", "0216",
    "0218", "0221", "0230", "9901", "9910", "9913", "9914", "9915", "9918", "9919", "9920", "9922",
    "9923", "9924", "9925", "9926", "9927", "9928", "9929", "9930", "9931", "9932", "9933", "9934",
    "9935", "9936", "9937", "9938", "9939", "9940", "9941", "9942", "9943", "9944", "9945", "9946",
    "9947", "9948", "9949", "9950", "9951", "9952", "9953", "9957", "9959",
];

/// An electronic address: `{"scheme": "0208", "id": "0123456749"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ElectronicAddress {
    /// The identifier scheme, a code of the EAS list (`0208` Belgian enterprise number, `0088`
    /// GLN, `9930` German VAT number, `0192` Norwegian organisation number, `0204` Leitweg-ID…).
    #[schema(pattern = r"^[0-9]{4}$", example = "0208")]
    pub scheme: String,
    /// The identifier in that scheme.
    #[schema(min_length = 1, max_length = 100, example = "0123456749")]
    pub id: String,
}

impl ElectronicAddress {
    /// Why the address cannot be used, naming `field.scheme` or `field.id`.
    pub fn check(&self, field: &str) -> Result<(), FieldError> {
        if !SCHEMES.contains(&self.scheme.as_str()) {
            return Err(FieldError::new(
                format!("{field}.scheme"),
                "must be a code of the EAS list that Peppol routes on, e.g. 0208 or 0088",
            ));
        }
        let id = self.id.as_str();
        let shaped = !id.is_empty()
            && id.len() <= 100
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b));
        if !shaped {
            return Err(FieldError::new(
                format!("{field}.id"),
                "must be 1 to 100 letters, digits, '-', '.', '_' or ':'",
            ));
        }
        let holds = match self.scheme.as_str() {
            "0208" => belgian_enterprise(id),
            "9925" => id.strip_prefix("BE").is_some_and(belgian_enterprise),
            "0088" => gln(id),
            "9930" => german_vat(id),
            "0192" => norwegian_organisation(id),
            "0007" => digits(id, 10) && luhn(id),
            "0002" => digits(id, 9) && luhn(id),
            "0009" => digits(id, 14) && luhn(id),
            _ => true,
        };
        if holds {
            Ok(())
        } else {
            Err(FieldError::new(
                format!("{field}.id"),
                format!(
                    "is not a valid identifier in scheme {}: its check digits do not hold",
                    self.scheme
                ),
            ))
        }
    }
}

fn digits(id: &str, count: usize) -> bool {
    id.len() == count && id.bytes().all(|b| b.is_ascii_digit())
}

fn number(id: &str) -> Option<u64> {
    id.parse().ok()
}

/// A Belgian enterprise number: 10 digits, the last two 97 less the first eight modulo 97.
fn belgian_enterprise(id: &str) -> bool {
    digits(id, 10)
        && matches!(id.as_bytes()[0], b'0' | b'1')
        && match (number(&id[..8]), number(&id[8..])) {
            (Some(body), Some(check)) => 97 - body % 97 == check,
            _ => false,
        }
}

/// A GS1 Global Location Number: 13 digits, the last a GS1 mod-10 check digit.
fn gln(id: &str) -> bool {
    if !digits(id, 13) {
        return false;
    }
    let values: Vec<u32> = id.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = values[..12]
        .iter()
        .enumerate()
        .map(|(i, v)| if i % 2 == 0 { *v } else { v * 3 })
        .sum();
    (10 - sum % 10) % 10 == values[12]
}

/// A German VAT number: DE and 9 digits, the last an ISO 7064 MOD 11,10 check digit.
fn german_vat(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("DE").filter(|rest| digits(rest, 9)) else {
        return false;
    };
    let values: Vec<u32> = rest.bytes().map(|b| u32::from(b - b'0')).collect();
    let mut product = 10;
    for value in &values[..8] {
        let mut sum = (value + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (2 * sum) % 11;
    }
    let check = (11 - product) % 10;
    check == values[8]
}

/// A Norwegian organisation number: 9 digits, the last a MOD 11 check digit.
fn norwegian_organisation(id: &str) -> bool {
    if !digits(id, 9) {
        return false;
    }
    let values: Vec<u32> = id.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = values[..8]
        .iter()
        .zip([3, 2, 7, 6, 5, 4, 3, 2])
        .map(|(v, w)| v * w)
        .sum();
    match 11 - sum % 11 {
        11 => values[8] == 0,
        10 => false,
        check => values[8] == check,
    }
}

/// The Luhn check every digit string of some schemes carries.
fn luhn(id: &str) -> bool {
    let sum: u32 = id
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let value = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = value * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                value
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(scheme: &str, id: &str) -> ElectronicAddress {
        ElectronicAddress {
            scheme: scheme.into(),
            id: id.into(),
        }
    }

    #[test]
    fn identifiers_with_check_digits_are_checked() {
        for (scheme, good, bad) in [
            ("0208", "0123456749", "0123456748"),
            ("9925", "BE0123456749", "BE0123456748"),
            ("0088", "4000001000005", "4000001000006"),
            ("9930", "DE136695976", "DE136695977"),
            ("0192", "974760673", "974760674"),
            ("0007", "5560360793", "5560360794"),
            ("0009", "73282932000074", "73282932000075"),
        ] {
            assert_eq!(
                address(scheme, good).check("electronic_address"),
                Ok(()),
                "{scheme} {good}"
            );
            let refused = address(scheme, bad)
                .check("electronic_address")
                .expect_err(bad);
            assert_eq!(refused.field, "electronic_address.id", "{scheme} {bad}");
        }
    }

    #[test]
    fn a_scheme_peppol_does_not_route_on_is_refused() {
        for scheme in ["EM", "1234", "", "02080"] {
            let refused = address(scheme, "x").check("a").expect_err(scheme);
            assert_eq!(refused.field, "a.scheme");
        }
        assert!(address("0204", "991-12345-67").check("a").is_ok());
        assert!(address("0204", "no spaces allowed").check("a").is_err());
    }
}
