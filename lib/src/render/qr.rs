//! A QR code as an SVG image, for a screen (an authenticator app's `otpauth://` URL). The
//! payment QR code on documents is drawn into the PDF from [`super::epc::symbol`].

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// `payload` as a QR code at error correction level M, in an SVG at least 200 px wide, with
/// its quiet zone. Refused when the payload is too long for a QR code.
pub fn svg(payload: &str) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_payload_becomes_an_svg_and_one_too_long_is_refused() {
        let image =
            super::svg("otpauth://totp/InvoiceFlow:ann?secret=JBSWY3DPEHPK3PXP").expect("svg");
        assert!(
            image.starts_with("<?xml") && image.contains("<svg"),
            "{image}"
        );
        assert!(super::svg(&"x".repeat(8_000)).is_err());
    }
}
