//! The EPC payment QR code (EPC069-12, "SEPA credit transfer", version 002): what a European
//! banking app reads to fill in a transfer of the amount due to the seller's account, quoting
//! the invoice's creditor reference.

use qrcode::{EcLevel, QrCode};
use rust_decimal::Decimal;

use crate::domain::account::BankAccount;
use crate::domain::values::Currency;

/// The most a transfer in the code may be (EPC069-12: EUR 999,999,999.99).
const MAX_AMOUNT: Decimal = Decimal::from_parts(1_215_752_191, 23, 0, false, 2);

/// The most bytes of payload the standard allows.
const MAX_PAYLOAD: usize = 331;

/// The payload of a transfer of `amount` in `currency` to `account`, quoting `reference`; `None`
/// when the standard cannot carry it (not EUR, nothing or too much to pay, a beneficiary name
/// over 70 characters).
pub fn payload(
    account: &BankAccount,
    currency: Currency,
    amount: Decimal,
    reference: &str,
) -> Option<String> {
    if currency.code() != "EUR" || amount <= Decimal::ZERO || amount > MAX_AMOUNT {
        return None;
    }
    let name = account.holder.as_str();
    if name.chars().count() > 70 || reference.len() > 35 {
        return None;
    }
    let lines = [
        "BCD",
        "002",
        // UTF-8.
        "1",
        "SCT",
        account.bic.as_ref().map_or("", |bic| bic.as_str()),
        name,
        account.iban.as_str(),
        &format!("EUR{}", amount.round_dp(2).normalize()),
        // No purpose code.
        "",
        reference,
    ];
    let payload = lines.join("\n");
    (payload.len() <= MAX_PAYLOAD).then_some(payload)
}

/// The QR symbol of `payload` at error correction level M (EPC069-12): its dark modules as
/// (column, row), and its width in modules.
pub fn symbol(payload: &str) -> Option<(Vec<(u16, u16)>, u16)> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let dark = colors
        .iter()
        .enumerate()
        .filter(|(_, color)| **color == qrcode::Color::Dark)
        .filter_map(|(index, _)| {
            Some((
                u16::try_from(index % width).ok()?,
                u16::try_from(index / width).ok()?,
            ))
        })
        .collect();
    Some((dark, u16::try_from(width).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> BankAccount {
        serde_json::from_value(serde_json::json!({
            "holder": "Ölçü Atelier GmbH",
            "iban": "DE89 3704 0044 0532 0130 00",
            "bic": "COBADEFFXXX",
        }))
        .expect("account")
    }

    fn eur() -> Currency {
        Currency::parse("EUR").expect("EUR")
    }

    #[test]
    fn the_payload_is_epc069_12_version_002() {
        let payload = payload(
            &account(),
            eur(),
            Decimal::new(123_450, 2),
            "RF18539007547034",
        );
        assert_eq!(
            payload.as_deref(),
            Some(
                "BCD\n002\n1\nSCT\nCOBADEFFXXX\nÖlçü Atelier GmbH\nDE89370400440532013000\n\
                 EUR1234.5\n\nRF18539007547034"
            )
        );
        let (dark, width) = symbol(&payload.expect("payload")).expect("a symbol");
        assert!(width >= 21 && !dark.is_empty());
    }

    #[test]
    fn no_code_where_the_standard_cannot_carry_the_transfer() {
        let usd = Currency::parse("USD").expect("USD");
        assert_eq!(
            payload(&account(), usd, Decimal::ONE, "RF18539007547034"),
            None
        );
        assert_eq!(
            payload(&account(), eur(), Decimal::ZERO, "RF18539007547034"),
            None
        );
        let too_much = Decimal::new(100_000_000_000, 2);
        assert_eq!(
            payload(&account(), eur(), too_much, "RF18539007547034"),
            None
        );
        let most = Decimal::new(99_999_999_999, 2);
        assert!(payload(&account(), eur(), most, "RF18539007547034").is_some());
    }
}
