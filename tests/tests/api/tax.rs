//! VAT categories end to end: each category (alone, and mixed in one invoice and its credit
//! note) issues an e-invoice that passes the XSDs and the EN 16931 rules in both syntaxes, with
//! the wording the law asks for on the PDF; and every combination EN 16931 forbids is refused
//! naming the field, with nothing written.

use invoiceflow_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

use crate::documents::{
    assert_valid, bytes, check, factur_x, get, inspect, issue, json_of, plain, post, seller,
    text_of,
};

/// A customer in `country` with the VAT id `vat` (none when `None`); its id.
async fn customer(app: &TestApp, name: &str, country: &str, vat: Option<&str>) -> String {
    customer_reading(app, name, country, vat, None).await
}

/// The same, reading its documents in `language` (the account's when `None`).
async fn customer_reading(
    app: &TestApp,
    name: &str,
    country: &str,
    vat: Option<&str>,
    language: Option<&str>,
) -> String {
    let mut body = json!({
        "name": name,
        "email": "buyer@customer.example",
        "billing_address": {"lines": ["1 Main Street"], "city": "Somewhere", "postal_code": "12345", "country": country},
    });
    if let Some(vat) = vat {
        body["tax_id"] = json!(vat);
    }
    if let Some(language) = language {
        body["language"] = json!(language);
    }
    // Where each receives e-invoices on the Peppol network.
    body["electronic_address"] = match country {
        "FR" => json!({"scheme": "0009", "id": "73282932000074"}),
        "BE" => json!({"scheme": "0208", "id": "0123456749"}),
        "DE" => json!({"scheme": "0204", "id": "991-01234-44"}),
        _ => json!({"scheme": "0060", "id": "123456789"}),
    };
    let created = post(app, "/v1/customers", &body).await;
    created["id"].as_str().expect("id").to_owned()
}

fn line(description: &str, price: &str, tax: Value) -> Value {
    let mut line =
        json!({"description": description, "quantity": "2", "unit": "hour", "unit_price": price});
    for (name, value) in tax.as_object().expect("tax fields") {
        line[name] = value.clone();
    }
    line
}

/// POST `path` with `body`: its status and problem, expecting a refusal.
async fn refused(app: &TestApp, method: Method, path: &str, body: &Value) -> (u16, Value) {
    let response = app
        .unsafe_request(&app.client, method, path)
        .header("if-match", "*")
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, json_of(response).await)
}

/// XML without the indentation between elements.
fn compact(xml: &str) -> String {
    xml.lines().map(str::trim).collect()
}

fn field_of(problem: &Value) -> &str {
    problem["errors"][0]["field"].as_str().unwrap_or_default()
}

async fn invoice_count(app: &TestApp) -> usize {
    let page = json_of(get(app, &app.client, "/v1/invoices?limit=100").await).await;
    page["data"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn every_vat_category_issues_a_valid_e_invoice_with_its_legal_wording() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let exempt = json!({"tax_category": "E", "exemption_reason": "Exempt under § 4 Nr. 21 UStG (schooling)", "exemption_code": "VATEX-EU-132-1I"});
    let mut files: Vec<(String, Vec<u8>, &str)> = Vec::new();
    // Each case in each language, with the legal wording that language's law texts use.
    let languages = [
        (
            "en",
            [
                "Reverse charge: the customer accounts for the VAT",
                "Intra-community supply, exempt from VAT",
                "Export outside the EU, exempt from VAT",
                "Not subject to VAT.",
            ],
        ),
        (
            "de",
            [
                "Steuerschuldnerschaft des Leistungsempfängers",
                "Steuerfreie innergemeinschaftliche Lieferung",
                "Steuerfreie Ausfuhr aus der EU",
                "Nicht steuerbar.",
            ],
        ),
        (
            "fr",
            [
                "Autoliquidation : la TVA est due par le preneur",
                "Livraison intracommunautaire exonérée de TVA",
                "Exportation hors de l’UE exonérée de TVA",
                "Non soumis à la TVA.",
            ],
        ),
    ];
    for (language, [reverse, intra, export, outside]) in languages {
        let domestic = customer_reading(
            &app,
            "Inland GmbH",
            "DE",
            Some("DE123456789"),
            Some(language),
        )
        .await;
        let french = customer_reading(
            &app,
            "Client SARL",
            "FR",
            Some("FR12345678901"),
            Some(language),
        )
        .await;
        let american = customer_reading(&app, "Client Inc.", "US", None, Some(language)).await;
        let cases: Vec<(&str, &str, Vec<Value>, Option<&str>)> = vec![
            (
                "S",
                &domestic,
                vec![line("Design", "100.00", json!({"tax_rate": "19"}))],
                None,
            ),
            (
                "Z",
                &domestic,
                vec![line(
                    "Books",
                    "40.00",
                    json!({"tax_rate": "0", "tax_category": "Z"}),
                )],
                None,
            ),
            (
                "E",
                &domestic,
                vec![line("Course", "90.00", exempt.clone())],
                Some("Exempt under § 4 Nr. 21 UStG (schooling)"),
            ),
            (
                "AE",
                &french,
                vec![line("Consulting", "120.00", json!({"tax_category": "AE"}))],
                Some(reverse),
            ),
            (
                "K",
                &french,
                vec![line(
                    "Machine parts",
                    "300.00",
                    json!({"tax_category": "K"}),
                )],
                Some(intra),
            ),
            (
                "G",
                &american,
                vec![line("Export goods", "500.00", json!({"tax_category": "G"}))],
                Some(export),
            ),
            (
                "O",
                &domestic,
                vec![line("Damages", "75.00", json!({"tax_category": "O"}))],
                Some(outside),
            ),
            (
                "mixed",
                &domestic,
                vec![
                    line("Design", "100.00", json!({"tax_rate": "19"})),
                    line("Printing", "30.00", json!({"tax_rate": "7"})),
                    line("Course", "90.00", exempt.clone()),
                    line("Books", "40.00", json!({"tax_rate": "0"})),
                ],
                Some("Exempt under § 4 Nr. 21 UStG (schooling)"),
            ),
        ];
        for (name, customer, lines, wording) in &cases {
            let draft = post(
                &app,
                "/v1/invoices",
                &json!({"customer_id": customer, "issue_date": "2026-11-25", "lines": lines}),
            )
            .await;
            let id = draft["id"].as_str().expect("id").to_owned();
            let invoice = issue(&app, &id).await;
            let categories: Vec<&str> = invoice["lines"]
                .as_array()
                .expect("lines")
                .iter()
                .map(|l| l["tax_category"].as_str().unwrap_or_default())
                .collect();
            if *name == "mixed" {
                assert_eq!(categories, ["S", "S", "E", "Z"]);
                let breakdown: Vec<(&str, &str)> = invoice["tax_breakdown"]
                    .as_array()
                    .expect("breakdown")
                    .iter()
                    .map(|t| {
                        (
                            t["category"].as_str().unwrap_or_default(),
                            t["rate"].as_str().unwrap_or_default(),
                        )
                    })
                    .collect();
                assert_eq!(breakdown, [("Z", "0"), ("E", "0"), ("S", "7"), ("S", "19")]);
            } else {
                assert_eq!(categories, [*name], "{name}");
            }
            if *name != "S" && *name != "Z" && *name != "mixed" {
                assert_eq!(invoice["tax_total"], "0.00", "{name}: no VAT");
            }
            let pdf = inspect(&bytes(&app, &format!("/v1/invoices/{id}/pdf")).await);
            let text = plain(&text_of(&pdf));
            if let Some(wording) = wording {
                assert!(
                    text.contains(wording),
                    "{name}: the PDF says {wording:?}:\n{text}"
                );
            }
            let cii = factur_x(&pdf, &format!("{name}: no factur-x.xml"))
                .as_bytes()
                .to_vec();
            let ubl = bytes(&app, &format!("/v1/invoices/{id}/ubl")).await;
            if let (Some(wording), true) = (wording, ["AE", "K", "G", "O"].contains(name)) {
                // BT-120 in the customer's language, as the PDF says it.
                let ubl_text = String::from_utf8_lossy(&ubl);
                assert!(
                    ubl_text.contains(&format!("<cbc:TaxExemptionReason>{wording}")),
                    "{name}, {language}: {ubl_text}"
                );
                let cii_text = String::from_utf8_lossy(&cii);
                assert!(
                    cii_text.contains(&format!("<ram:ExemptionReason>{wording}")),
                    "{name}, {language}: {cii_text}"
                );
            }
            if *name == "O" {
                let ubl_text = String::from_utf8_lossy(&ubl);
                assert!(
                    !ubl_text.contains("DE987654321"),
                    "O states no VAT id (BR-O-2)"
                );
            }
            files.push((format!("{name}, {language} (CII)"), cii, "cii"));
            files.push((format!("{name}, {language} (UBL, Peppol)"), ubl, "peppol"));
            if *name == "mixed" {
                let credit = post(
                    &app,
                    &format!("/v1/invoices/{id}/credit-notes"),
                    &json!({"reason": "Cancelled"}),
                )
                .await;
                let credit_id = credit["id"].as_str().expect("credit note id");
                let credit_ubl = bytes(&app, &format!("/v1/credit-notes/{credit_id}/ubl")).await;
                files.push((
                    format!("mixed credit note, {language} (UBL, Peppol)"),
                    credit_ubl,
                    "peppol",
                ));
            }
        }
    }
    // A currency of three decimals (KWD), its amounts in whole hundredths: written at two
    // decimals, as EN 16931 requires, with nothing rounded.
    let kuwaiti = customer(&app, "Client KSC", "DE", Some("DE123456789")).await;
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": kuwaiti, "currency": "KWD", "issue_date": "2026-11-25",
                "lines": [line("Design", "12.250", json!({"tax_rate": "10"}))]}),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    let invoice = issue(&app, &id).await;
    assert_eq!(invoice["total"], "26.950", "{invoice}");
    let ubl = bytes(&app, &format!("/v1/invoices/{id}/ubl")).await;
    let written = compact(&String::from_utf8_lossy(&ubl));
    assert!(
        written.contains(r#"<cbc:PayableAmount currencyID="KWD">26.95</cbc:PayableAmount>"#),
        "{written}"
    );
    let pdf = inspect(&bytes(&app, &format!("/v1/invoices/{id}/pdf")).await);
    let cii = factur_x(&pdf, "the KWD invoice carries its CII")
        .as_bytes()
        .to_vec();
    files.push(("KWD (CII)".into(), cii, "cii"));
    files.push(("KWD (UBL, Peppol)".into(), ubl, "peppol"));
    let inputs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(_, xml, syntax)| (*syntax, xml.as_slice()))
        .collect();
    let results = check(&inputs);
    assert_eq!(results.len(), files.len());
    for (result, (name, _, _)) in results.iter().zip(&files) {
        assert_valid(result, name);
    }
}

#[tokio::test]
async fn a_combination_en_16931_forbids_is_refused_by_field_and_nothing_is_written() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let domestic = customer(&app, "Inland GmbH", "DE", Some("DE123456789")).await;
    let no_vat_id = customer(&app, "Client SARL", "FR", None).await;
    let french = customer(&app, "Client SA", "FR", Some("FR12345678901")).await;
    let draft = |customer: &str, lines: Vec<Value>| json!({"customer_id": customer, "issue_date": "2026-11-25", "lines": lines});
    let cases = [
        (
            "AE without the buyer's VAT id",
            draft(
                &no_vat_id,
                vec![line("Consulting", "1.00", json!({"tax_category": "AE"}))],
            ),
            "lines[0].tax_category",
        ),
        (
            "K without the buyer's VAT id",
            draft(
                &no_vat_id,
                vec![line("Parts", "1.00", json!({"tax_category": "K"}))],
            ),
            "lines[0].tax_category",
        ),
        (
            "K to a buyer in the seller's country",
            draft(
                &domestic,
                vec![line("Parts", "1.00", json!({"tax_category": "K"}))],
            ),
            "lines[0].tax_category",
        ),
        (
            "G to an EU buyer",
            draft(
                &french,
                vec![line("Goods", "1.00", json!({"tax_category": "G"}))],
            ),
            "lines[0].tax_category",
        ),
        (
            "E without a reason",
            draft(
                &domestic,
                vec![line("Course", "1.00", json!({"tax_category": "E"}))],
            ),
            "lines[0].exemption_reason",
        ),
        (
            "O beside another category",
            draft(
                &domestic,
                vec![
                    line("Design", "1.00", json!({})),
                    line("Damages", "1.00", json!({"tax_category": "O"})),
                ],
            ),
            "lines[1].tax_category",
        ),
        (
            "E at a rate above 0",
            draft(
                &domestic,
                vec![line(
                    "Course",
                    "1.00",
                    json!({"tax_category": "E", "tax_rate": "19", "exemption_reason": "Schooling"}),
                )],
            ),
            "lines[0].tax_rate",
        ),
        (
            "S at 0 %",
            draft(
                &domestic,
                vec![line(
                    "Design",
                    "1.00",
                    json!({"tax_category": "S", "tax_rate": "0"}),
                )],
            ),
            "lines[0].tax_rate",
        ),
        (
            "a reason on a standard line",
            draft(
                &domestic,
                vec![line("Design", "1.00", json!({"exemption_reason": "None"}))],
            ),
            "lines[0].exemption_reason",
        ),
        (
            "a malformed VATEX code",
            draft(
                &domestic,
                vec![line(
                    "Course",
                    "1.00",
                    json!({"tax_category": "E", "exemption_reason": "Schooling", "exemption_code": "VAT-132"}),
                )],
            ),
            "lines[0].exemption_code",
        ),
        (
            "two exemptions on one document",
            draft(
                &domestic,
                vec![
                    line(
                        "Course",
                        "1.00",
                        json!({"tax_category": "E", "exemption_reason": "Schooling"}),
                    ),
                    line(
                        "Care",
                        "1.00",
                        json!({"tax_category": "E", "exemption_reason": "Medical care"}),
                    ),
                ],
            ),
            "lines[1].exemption_reason",
        ),
    ];
    for (what, body, field) in &cases {
        let (status, problem) = refused(&app, Method::POST, "/v1/invoices", body).await;
        assert!(matches!(status, 400 | 422), "{what}: {status} {problem}");
        assert!(
            problem["errors"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["field"] == *field)),
            "{what}: names {field}: {problem}"
        );
    }
    assert_eq!(invoice_count(&app).await, 0, "nothing was written");

    // A service's own category is checked when it is saved.
    let (status, problem) = refused(
        &app,
        Method::POST,
        "/v1/services",
        &json!({"name": "Course", "unit_price": "10.00", "tax_category": "E"}),
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(field_of(&problem), "exemption_reason");

    // A party that changed after the draft was saved is caught at issue: 422, still a draft.
    let draft = post(
        &app,
        "/v1/invoices",
        &draft(
            &french,
            vec![line("Consulting", "1.00", json!({"tax_category": "AE"}))],
        ),
    )
    .await;
    let id = draft["id"].as_str().expect("id");
    let (status, problem) = refused(
        &app,
        Method::PATCH,
        &format!("/v1/customers/{french}"),
        &json!({"tax_id": null}),
    )
    .await;
    assert_eq!(status, 200, "the customer loses its VAT id: {problem}");
    let (status, problem) = refused(
        &app,
        Method::POST,
        &format!("/v1/invoices/{id}/issue"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(field_of(&problem), "lines[0].tax_category");
    let still = json_of(get(&app, &app.client, &format!("/v1/invoices/{id}")).await).await;
    assert_eq!(still["status"], "draft");
    assert_eq!(still["number"], Value::Null);
}

#[tokio::test]
async fn a_customer_s_category_prices_its_lines_unless_a_line_names_one() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let created = post(
        &app,
        "/v1/customers",
        &json!({"name": "Client SARL", "tax_id": "FR12345678901", "tax_category": "AE",
                "billing_address": {"lines": ["1 rue de la Paix"], "city": "Paris", "postal_code": "75002", "country": "FR"}}),
    )
    .await;
    assert_eq!(created["tax_category"], "AE");
    let service = post(
        &app,
        "/v1/services",
        &json!({"name": "Consulting", "unit_price": "100.00", "tax_rate": "19"}),
    )
    .await;
    let invoice = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": created["id"], "lines": [
            {"service_id": service["id"], "quantity": "1"},
            {"description": "Local event ticket", "quantity": "1", "unit_price": "10.00", "tax_category": "S", "tax_rate": "20"},
        ]}),
    )
    .await;
    assert_eq!(invoice["lines"][0]["tax_category"], "AE");
    assert_eq!(
        invoice["lines"][0]["tax_rate"], "0",
        "the service's 19 % does not apply"
    );
    assert_eq!(invoice["lines"][1]["tax_category"], "S");
    assert_eq!(invoice["tax_total"], "2.00");
}

#[tokio::test]
async fn a_small_business_exempt_from_vat_prints_its_country_s_sentence_and_no_vat() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    seller(&app, "de-DE").await;
    let domestic = customer(&app, "Inland GmbH", "DE", None).await;
    // A draft saved while the account still charged VAT.
    let before = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": domestic, "lines": [line("Design", "100.00", json!({"tax_rate": "19"}))]}),
    )
    .await;
    let (status, problem) = refused(
        &app,
        Method::PATCH,
        "/v1/settings",
        &json!({"small_business_exemption": true}),
    )
    .await;
    assert_eq!(status, 200, "{problem}");
    assert_eq!(problem["small_business_exemption"], true);
    let before_id = before["id"].as_str().expect("id");
    let (status, problem) = refused(
        &app,
        Method::POST,
        &format!("/v1/invoices/{before_id}/issue"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(field_of(&problem), "lines[0].tax_category");

    let service = post(
        &app,
        "/v1/services",
        &json!({"name": "Beratung", "unit_price": "100.00", "tax_rate": "19"}),
    )
    .await;
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": domestic, "issue_date": "2026-11-25",
                "lines": [{"service_id": service["id"], "quantity": "3"}]}),
    )
    .await;
    assert_eq!(draft["lines"][0]["tax_category"], "E");
    assert_eq!(draft["lines"][0]["tax_rate"], "0");
    assert_eq!(
        draft["lines"][0]["exemption_reason"],
        "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet."
    );
    assert_eq!(draft["tax_total"], "0.00");
    assert_eq!(draft["total"], "300.00");
    let invoice = issue(&app, draft["id"].as_str().expect("id")).await;
    let id = invoice["id"].as_str().expect("id");
    let pdf = inspect(&bytes(&app, &format!("/v1/invoices/{id}/pdf")).await);
    let text = plain(&text_of(&pdf));
    assert!(
        text.contains("Gemäß § 19 UStG wird keine Umsatzsteuer berechnet."),
        "{text}"
    );
    for vat in ["Tax 0", "VAT exempt on", "19%", "19 %"] {
        assert!(!text.contains(vat), "no VAT amount ({vat}):\n{text}");
    }
    let cii = factur_x(&pdf, "factur-x.xml").as_bytes().to_vec();
    let ubl = bytes(&app, &format!("/v1/invoices/{id}/ubl")).await;
    assert!(String::from_utf8_lossy(&ubl).contains("§ 19 UStG"));
    let results = check(&[("cii", cii.as_slice()), ("peppol", ubl.as_slice())]);
    assert_valid(&results[0], "small business (CII)");
    assert_valid(&results[1], "small business (UBL, Peppol)");

    // A line may not charge VAT while the account is exempt.
    let (status, problem) = refused(
        &app,
        Method::POST,
        "/v1/invoices",
        &json!({"customer_id": domestic, "lines": [line("Design", "1.00", json!({"tax_category": "S", "tax_rate": "19"}))]}),
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(field_of(&problem), "lines[0].tax_category");
}

#[tokio::test]
async fn an_invoice_states_the_buyer_s_references_and_when_it_was_supplied() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let french = customer(&app, "Client SARL", "FR", Some("FR12345678901")).await;
    let (status, problem) = refused(
        &app,
        Method::POST,
        "/v1/invoices",
        &json!({"customer_id": french, "supply_period": {"start": "2026-11-30", "end": "2026-11-01"},
                "lines": [line("Parts", "1.00", json!({}))]}),
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(field_of(&problem), "supply_period.end");
    assert_eq!(invoice_count(&app).await, 0);

    // An intra-community supply dated by its period (BR-IC-11), with the buyer's references.
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": french, "issue_date": "2026-12-01",
                "buyer_reference": "04011000-12345-67", "order_reference": "PO-4711",
                "supply_period": {"start": "2026-11-01", "end": "2026-11-30"},
                "lines": [line("Machine parts", "300.00", json!({"tax_category": "K"}))]}),
    )
    .await;
    assert_eq!(draft["buyer_reference"], "04011000-12345-67");
    assert_eq!(
        draft["supply_period"],
        json!({"start": "2026-11-01", "end": "2026-11-30"})
    );
    let invoice = issue(&app, draft["id"].as_str().expect("id")).await;
    let id = invoice["id"].as_str().expect("id");
    let pdf = inspect(&bytes(&app, &format!("/v1/invoices/{id}/pdf")).await);
    let text = plain(&text_of(&pdf));
    for printed in [
        "Your reference",
        "04011000-12345-67",
        "Your order",
        "PO-4711",
        "Service period",
    ] {
        assert!(text.contains(printed), "{printed}:\n{text}");
    }
    let cii = compact(factur_x(&pdf, "factur-x.xml"));
    let ubl = compact(
        &String::from_utf8(bytes(&app, &format!("/v1/invoices/{id}/ubl")).await).expect("utf-8"),
    );
    for stated in [
        "<cbc:BuyerReference>04011000-12345-67</cbc:BuyerReference>",
        "<cac:OrderReference><cbc:ID>PO-4711</cbc:ID></cac:OrderReference>",
        "<cac:InvoicePeriod><cbc:StartDate>2026-11-01</cbc:StartDate><cbc:EndDate>2026-11-30</cbc:EndDate></cac:InvoicePeriod>",
    ] {
        assert!(ubl.contains(stated), "{stated}:\n{ubl}");
    }
    assert!(
        !ubl.contains("<cbc:ActualDeliveryDate>"),
        "the period dates the supply, not the issue date"
    );
    for stated in [
        "<ram:BuyerReference>04011000-12345-67</ram:BuyerReference>",
        "<ram:IssuerAssignedID>PO-4711</ram:IssuerAssignedID>",
        "<ram:BillingSpecifiedPeriod>",
    ] {
        assert!(cii.contains(stated), "{stated}:\n{cii}");
    }

    // A supply date, cleared and given again on the draft.
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": french, "issue_date": "2026-12-01", "supply_date": "2026-11-20",
                "lines": [line("Consulting", "100.00", json!({"tax_category": "AE"}))]}),
    )
    .await;
    let draft_id = draft["id"].as_str().expect("id");
    let (status, changed) = refused(
        &app,
        Method::PATCH,
        &format!("/v1/invoices/{draft_id}"),
        &json!({"delivery_address": {"lines": ["Entrepôt 3"], "city": "Lyon", "country": "XX"}}),
    )
    .await;
    assert_eq!(status, 400, "{changed}");
    assert_eq!(field_of(&changed), "delivery_address.country");
    // The goods go to a warehouse of the buyer's (BG-15), not to the billing address.
    let (status, changed) = refused(
        &app,
        Method::PATCH,
        &format!("/v1/invoices/{draft_id}"),
        &json!({"order_reference": "PO-9", "supply_date": null,
                "delivery_address": {"lines": ["Entrepôt 3"], "city": "Lyon", "postal_code": "69007", "country": "FR"}}),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["supply_date"], Value::Null);
    assert_eq!(changed["order_reference"], "PO-9");
    assert_eq!(changed["delivery_address"]["city"], "Lyon");
    let invoice = issue(&app, draft_id).await;
    let delivered = plain(&text_of(&inspect(
        &bytes(
            &app,
            &format!("/v1/invoices/{}/pdf", invoice["id"].as_str().expect("id")),
        )
        .await,
    )));
    for printed in ["Deliver to", "Entrepôt 3", "69007 Lyon", "France"] {
        assert!(delivered.contains(printed), "{printed}:\n{delivered}");
    }
    let dated = String::from_utf8(
        bytes(
            &app,
            &format!("/v1/invoices/{}/ubl", invoice["id"].as_str().expect("id")),
        )
        .await,
    )
    .expect("utf-8");
    assert!(dated.contains("<cbc:ActualDeliveryDate>2026-12-01</cbc:ActualDeliveryDate>"));
    assert!(
        compact(&dated).contains("<cac:DeliveryLocation><cac:Address><cbc:StreetName>Entrepôt 3</cbc:StreetName><cbc:CityName>Lyon</cbc:CityName><cbc:PostalZone>69007</cbc:PostalZone>"),
        "{dated}"
    );
    assert!(
        !dated.contains("<cbc:BuyerReference>"),
        "the order reference stands for BT-10"
    );
    assert!(
        ubl.contains("urn:xeinkauf.de:kosit:xrechnung_3.0"),
        "a Leitweg-ID makes it an XRechnung: {ubl}"
    );
    let results = check(&[
        ("cii", cii.as_bytes()),
        ("xrechnung", ubl.as_bytes()),
        ("peppol", dated.as_bytes()),
    ]);
    for (result, what) in results.iter().zip([
        "period (CII)",
        "Leitweg-ID (UBL, XRechnung)",
        "supply date (UBL, Peppol)",
    ]) {
        assert_valid(result, what);
    }
}

#[tokio::test]
async fn electronic_addresses_are_checked_and_name_both_parties_in_the_e_invoices() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    // A mistyped Belgian enterprise number is refused, by field, and nothing is written.
    let (status, problem) = refused(
        &app,
        Method::POST,
        "/v1/customers",
        &json!({"name": "Klant BV", "electronic_address": {"scheme": "0208", "id": "0123456748"}}),
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(field_of(&problem), "electronic_address.id");
    let (status, problem) = refused(
        &app,
        Method::POST,
        "/v1/customers",
        &json!({"name": "Klant BV", "electronic_address": {"scheme": "EM", "id": "a@b.example"}}),
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(field_of(&problem), "electronic_address.scheme");
    let customers = json_of(get(&app, &app.client, "/v1/customers").await).await;
    assert_eq!(customers["data"], json!([]));

    let company = json_of(get(&app, &app.client, "/v1/company").await).await;
    let mut profile = company.clone();
    for field in ["version", "updated_at"] {
        profile.as_object_mut().expect("object").remove(field);
    }
    profile["electronic_address"] = json!({"scheme": "9930", "id": "DE136695977"});
    let (status, problem) = refused(&app, Method::PUT, "/v1/company", &profile).await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(field_of(&problem), "electronic_address.id");
    profile["electronic_address"] = json!({"scheme": "9930", "id": "DE136695976"});
    let (status, problem) = refused(&app, Method::PUT, "/v1/company", &profile).await;
    assert_eq!(status, 200, "{problem}");

    let belgian = post(
        &app,
        "/v1/customers",
        &json!({"name": "Klant BV", "tax_id": "BE0123456749", "tax_category": "AE",
                "electronic_address": {"scheme": "0208", "id": "0123456749"},
                "billing_address": {"lines": ["Grote Markt 1"], "city": "Brussel", "postal_code": "1000", "country": "BE"}}),
    )
    .await;
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": belgian["id"], "issue_date": "2026-11-25",
                "lines": [line("Consulting", "100.00", json!({}))]}),
    )
    .await;
    let invoice = issue(&app, draft["id"].as_str().expect("id")).await;
    let id = invoice["id"].as_str().expect("id");
    let ubl =
        String::from_utf8(bytes(&app, &format!("/v1/invoices/{id}/ubl")).await).expect("utf-8");
    assert!(
        ubl.contains(r#"<cbc:EndpointID schemeID="9930">DE136695976</cbc:EndpointID>"#),
        "{ubl}"
    );
    assert!(
        ubl.contains(r#"<cbc:EndpointID schemeID="0208">0123456749</cbc:EndpointID>"#),
        "{ubl}"
    );
    assert!(!ubl.contains(r#"schemeID="EM""#), "{ubl}");
    let pdf = inspect(&bytes(&app, &format!("/v1/invoices/{id}/pdf")).await);
    let cii = factur_x(&pdf, "factur-x.xml").to_owned();
    assert!(
        cii.contains(r#"<ram:URIID schemeID="0208">0123456749</ram:URIID>"#),
        "{cii}"
    );
    let results = check(&[("cii", cii.as_bytes()), ("peppol", ubl.as_bytes())]);
    assert_valid(&results[0], "Belgian business (CII)");
    assert_valid(&results[1], "Belgian business (UBL, Peppol)");
}

#[tokio::test]
async fn a_customer_reads_the_pdf_in_their_own_language_and_formats() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let (status, problem) = refused(
        &app,
        Method::POST,
        "/v1/customers",
        &json!({"name": "Client SARL", "language": "pt"}),
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(field_of(&problem), "language");
    let mut texts = Vec::new();
    for (language, expected) in [
        (
            "fr",
            ["Facture", "Reste à payer", "Autoliquidation", "238,00"],
        ),
        (
            "de",
            [
                "Rechnung",
                "Offener Betrag",
                "Steuerschuldnerschaft",
                "238,00",
            ],
        ),
        (
            "it",
            [
                "Fattura",
                "Importo dovuto",
                "Inversione contabile",
                "238,00",
            ],
        ),
        ("nl", ["Factuur", "Te betalen", "Btw verlegd", "238,00"]),
        (
            "es",
            [
                "Factura",
                "Importe pendiente",
                "Inversión del sujeto pasivo",
                "238,00",
            ],
        ),
    ] {
        let created = post(
            &app,
            "/v1/customers",
            &json!({"name": format!("Client {language}"), "language": language, "tax_id": "FR12345678901",
                    "billing_address": {"lines": ["1 rue de la Paix"], "city": "Paris", "postal_code": "75002", "country": "FR"}}),
        )
        .await;
        let draft = post(
            &app,
            "/v1/invoices",
            &json!({"customer_id": created["id"], "issue_date": "2026-11-25",
                    "lines": [line("Consulting", "119.00", json!({"tax_category": "AE"}))]}),
        )
        .await;
        let invoice = issue(&app, draft["id"].as_str().expect("id")).await;
        let id = invoice["id"].as_str().expect("id");
        let text = plain(&text_of(&inspect(
            &bytes(&app, &format!("/v1/invoices/{id}/pdf")).await,
        )));
        for wanted in expected {
            assert!(text.contains(wanted), "{language}: {wanted:?}:\n{text}");
        }
        assert!(
            !text.contains("Amount due"),
            "{language}: no English label:\n{text}"
        );
        texts.push(text);
    }
}
