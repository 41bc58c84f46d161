//! The payment reference of an invoice: an ISO 11649 structured creditor reference (`RF` and
//! two check digits before the reference itself), derived from the invoice's number, so a
//! bank transfer quoting it can be matched to the invoice by any bank in the SEPA area.

/// The most characters the reference after `RF` and its check digits may have.
const MAX_REFERENCE: usize = 21;

/// The creditor reference of the document numbered `number`: its letters and digits (at most
/// the last 21), upper case, behind `RF` and the check digits. `None` for a number with no
/// letter or digit.
pub fn creditor_reference(number: &str) -> Option<String> {
    let kept: Vec<char> = number
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if kept.is_empty() {
        return None;
    }
    // The end of a number tells documents apart (INV-2026-0001, INV-2026-0002).
    let reference: String = kept[kept.len().saturating_sub(MAX_REFERENCE)..]
        .iter()
        .collect();
    let check = 98 - mod_97(&format!("{reference}RF00"))?;
    Some(format!("RF{check:02}{reference}"))
}

/// Whether `text` (without spaces) is a creditor reference whose check digits hold.
pub fn is_valid(text: &str) -> bool {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let shaped = text.len() >= 5
        && text.len() <= 25
        && text.starts_with("RF")
        && text[2..4].bytes().all(|b| b.is_ascii_digit())
        && text[4..].bytes().all(|b| b.is_ascii_alphanumeric());
    shaped && mod_97(&format!("{}{}", &text[4..], &text[..4])) == Some(1)
}

/// The text read as ISO 7064 MOD 97-10 reads it (a letter is two digits, A = 10), modulo 97.
fn mod_97(text: &str) -> Option<u32> {
    let mut remainder = 0u32;
    for c in text.chars() {
        let value = c.to_digit(36)?;
        remainder = if value < 10 {
            (remainder * 10 + value) % 97
        } else {
            (remainder * 100 + value) % 97
        };
    }
    Some(remainder)
}

/// The reference in groups of four, as printed for people to type.
pub fn grouped(reference: &str) -> String {
    reference
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_iso_11649_example_holds() {
        assert_eq!(
            creditor_reference("539007547034").as_deref(),
            Some("RF18539007547034")
        );
        assert!(is_valid("RF18 5390 0754 7034"));
        assert!(!is_valid("RF19 5390 0754 7034"));
    }

    #[test]
    fn an_invoice_number_becomes_a_reference_whose_check_digits_hold() {
        for number in [
            "INV-2026-0001",
            "F12345",
            "2026/000123",
            "a-b-c",
            "INV-2026-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0042",
        ] {
            let reference = creditor_reference(number).expect("a reference");
            assert!(is_valid(&reference), "{number}: {reference}");
            assert!(reference.len() <= 25, "{reference}");
        }
        assert_eq!(creditor_reference("--"), None);
        assert_ne!(
            creditor_reference("INV-2026-0001"),
            creditor_reference("INV-2026-0002")
        );
        assert_eq!(grouped("RF18539007547034"), "RF18 5390 0754 7034");
    }
}
