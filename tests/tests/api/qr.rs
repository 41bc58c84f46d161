//! The payment QR code and reference of an invoice, read as a customer's banking app reads
//! them: the PDF's first page rendered (poppler's pdftoppm) and the code decoded (zbarimg), both
//! pinned Debian packages; and the ISO 11649 reference's check digits computed here anew.

use std::process::Command;

use invoiceflow_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

use crate::documents::{bytes, factur_x, inspect, issue, plain, post, seller, tempfile, text_of};

/// What a phone's camera reads on the PDF's first page: the QR codes' payloads.
fn scan(pdf: &[u8]) -> Vec<String> {
    let file = tempfile("pdf", pdf);
    let prefix = file.with_extension("page");
    let rendered = Command::new("pdftoppm")
        .args(["-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&file)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (make doctools installs it)");
    assert!(rendered.success(), "pdftoppm failed");
    let image = std::path::PathBuf::from(format!("{}.png", prefix.display()));
    let output = Command::new("zbarimg")
        .args(["--raw", "-q", "-Sqrcode.enable"])
        .arg(&image)
        .output()
        .expect("zbarimg (make doctools installs it)");
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&image);
    // zbarimg exits with 4 when the image holds no code.
    assert!(
        output.status.success() || output.status.code() == Some(4),
        "zbarimg failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if text.trim().is_empty() {
        Vec::new()
    } else {
        vec![text.strip_suffix('\n').unwrap_or(&text).to_owned()]
    }
}

/// ISO 7064 MOD 97-10 of a creditor reference moved to the end: 1 when its check digits hold.
fn iso_11649_remainder(reference: &str) -> u32 {
    let moved = format!("{}{}", &reference[4..], &reference[..4]);
    moved.chars().fold(0, |remainder, c| {
        let value = c.to_digit(36).expect("alphanumeric");
        if value < 10 {
            (remainder * 10 + value) % 97
        } else {
            (remainder * 100 + value) % 97
        }
    })
}

async fn customer(app: &TestApp) -> String {
    let created = post(
        app,
        "/v1/customers",
        &json!({"name": "Client SARL", "tax_id": "FR12345678901",
                "electronic_address": {"scheme": "0009", "id": "73282932000074"},
                "billing_address": {"lines": ["1 rue de la Paix"], "city": "Paris", "postal_code": "75002", "country": "FR"}}),
    )
    .await;
    created["id"].as_str().expect("id").to_owned()
}

async fn issued(app: &TestApp, customer: &str, currency: &str, price: &str) -> Value {
    let draft = post(
        app,
        "/v1/invoices",
        &json!({"customer_id": customer, "currency": currency, "issue_date": "2026-11-25",
                "lines": [{"description": "Design", "quantity": "2", "unit_price": price, "tax_rate": "19"}]}),
    )
    .await;
    issue(app, draft["id"].as_str().expect("id")).await
}

#[tokio::test]
async fn an_eur_invoice_carries_an_epc_qr_code_of_the_transfer_and_its_creditor_reference() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let customer = customer(&app).await;
    let invoice = issued(&app, &customer, "EUR", "100.00").await;
    let id = invoice["id"].as_str().expect("id");
    assert_eq!(invoice["total"], "238.00");
    let pdf = bytes(&app, &format!("/v1/invoices/{id}/pdf")).await;
    let scanned = scan(&pdf);
    assert_eq!(scanned.len(), 1, "one code on the first page: {scanned:?}");
    let lines: Vec<&str> = scanned[0].split('\n').collect();
    let reference = lines.get(9).copied().unwrap_or_default().to_owned();
    assert_eq!(
        lines,
        [
            "BCD",
            "002",
            "1",
            "SCT",
            "COBADEFFXXX",
            "Ölçü Atelier GmbH",
            "DE89370400440532013000",
            "EUR238",
            "",
            reference.as_str(),
        ]
    );
    // The reference: RF, check digits that hold, and the invoice number's letters and digits.
    assert!(reference.starts_with("RF"), "{reference}");
    assert_eq!(iso_11649_remainder(&reference), 1, "{reference}");
    let number: String = invoice["number"]
        .as_str()
        .expect("number")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    assert_eq!(&reference[4..], number);
    // Printed for people, and sent as BT-83 in both e-invoices.
    let grouped: Vec<String> = reference
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let inspected = inspect(&pdf);
    let text = plain(&text_of(&inspected));
    assert!(
        text.contains(&format!("Reference: {}", grouped.join(" "))),
        "{text}"
    );
    let ubl =
        String::from_utf8(bytes(&app, &format!("/v1/invoices/{id}/ubl")).await).expect("utf-8");
    assert!(
        ubl.contains(&format!("<cbc:PaymentID>{reference}</cbc:PaymentID>")),
        "{ubl}"
    );
    let cii = factur_x(&inspected, "factur-x.xml");
    assert!(cii.contains(&format!(
        "<ram:PaymentReference>{reference}</ram:PaymentReference>"
    )));
}

#[tokio::test]
async fn no_code_where_the_standard_cannot_carry_the_transfer_and_the_pdf_says_how_to_pay() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let customer = customer(&app).await;
    // Not in euros.
    let dollars = issued(&app, &customer, "USD", "100.00").await;
    let pdf = bytes(
        &app,
        &format!("/v1/invoices/{}/pdf", dollars["id"].as_str().expect("id")),
    )
    .await;
    assert_eq!(scan(&pdf), Vec::<String>::new(), "no code for USD");
    let text = plain(&text_of(&inspect(&pdf)));
    assert!(
        text.contains("Payment by bank transfer") && text.contains("Reference: RF"),
        "{text}"
    );
    // Above the standard's EUR 999,999,999.99.
    let large = issued(&app, &customer, "EUR", "500000000.00").await;
    let pdf = bytes(
        &app,
        &format!("/v1/invoices/{}/pdf", large["id"].as_str().expect("id")),
    )
    .await;
    assert_eq!(scan(&pdf), Vec::<String>::new(), "no code above the limit");
    // No bank account in the company profile: no code, and the PDF says what to quote.
    let response = app
        .unsafe_request(&app.client, Method::GET, "/v1/company")
        .send()
        .await
        .expect("company");
    let etag = response.headers()["etag"]
        .to_str()
        .expect("etag")
        .to_owned();
    let mut company: Value = response.json().await.expect("json");
    for field in ["bank_account", "version", "updated_at"] {
        company.as_object_mut().expect("object").remove(field);
    }
    let response = app
        .unsafe_request(&app.client, Method::PUT, "/v1/company")
        .header("if-match", etag)
        .json(&company)
        .send()
        .await
        .expect("put company");
    assert_eq!(response.status(), 200);
    let unbanked = issued(&app, &customer, "EUR", "100.00").await;
    let pdf = bytes(
        &app,
        &format!("/v1/invoices/{}/pdf", unbanked["id"].as_str().expect("id")),
    )
    .await;
    assert_eq!(
        scan(&pdf),
        Vec::<String>::new(),
        "no code without an account"
    );
    let text = plain(&text_of(&inspect(&pdf)));
    assert!(text.contains("How to pay"), "{text}");
    assert!(text.contains("quoting the reference RF"), "{text}");
}
