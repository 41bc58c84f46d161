//! Invoices end to end: drafts, amounts, issue with gapless numbers, immutability, void,
//! lists and filters, isolation and encryption.

use invoiceflow_tests::{TestApp, spawn_app};
use reqwest::{Client, Method, Response};
use serde_json::{Value, json};

async fn json_of(response: Response) -> Value {
    response.json().await.expect("json")
}

async fn post(app: &TestApp, client: &Client, path: &str, body: &Value) -> Response {
    app.post(client, path)
        .json(body)
        .send()
        .await
        .expect("post")
}

async fn get(app: &TestApp, client: &Client, path: &str) -> Response {
    client.get(app.url(path)).send().await.expect("get")
}

/// A customer of the signed-up account; its id.
async fn customer(app: &TestApp, client: &Client, name: &str) -> String {
    let response = post(
        app,
        client,
        "/v1/customers",
        &json!({
            "name": name,
            "email": "buyer@kunde.example",
            "billing_address": {"lines": ["Friedrichstraße 12"], "city": "Berlin", "postal_code": "10117", "country": "DE"},
            "tax_id": "DE123456789",
        }),
    )
    .await;
    assert_eq!(response.status(), 201);
    json_of(response).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn line(description: &str, quantity: &str, price: &str, rate: &str) -> Value {
    json!({"description": description, "quantity": quantity, "unit_price": price, "tax_rate": rate})
}

/// A draft for `customer` with two lines; its body.
async fn draft(app: &TestApp, client: &Client, customer: &str, issue_date: &str) -> Value {
    let response = post(
        app,
        client,
        "/v1/invoices",
        &json!({
            "customer_id": customer,
            "issue_date": issue_date,
            "lines": [line("Design", "3", "33.33", "19"), line("Printing", "7", "4.99", "7")],
            "discount_percent": "12.5",
        }),
    )
    .await;
    assert_eq!(response.status(), 201);
    json_of(response).await
}

async fn issue(app: &TestApp, client: &Client, id: &str) -> Response {
    app.post(client, &format!("/v1/invoices/{id}/issue"))
        .send()
        .await
        .expect("issue")
}

#[tokio::test]
async fn a_draft_is_priced_changed_issued_and_then_never_changes() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let service = post(
        &app,
        &app.client,
        "/v1/services",
        &json!({"name": "Consulting hour", "unit_price": "120.00", "unit": "hour", "tax_rate": "19"}),
    )
    .await;
    let service_id = json_of(service).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let customer_id = customer(&app, &app.client, "Kunde Ölçü GmbH").await;

    let created = post(
        &app,
        &app.client,
        "/v1/invoices",
        &json!({
            "customer_id": customer_id,
            "issue_date": "2026-11-25",
            "lines": [
                {"service_id": service_id, "quantity": "2.5"},
                line("Printing", "7", "4.99", "7"),
            ],
            "discount_percent": "10",
        }),
    )
    .await;
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let body = json_of(created).await;
    assert!(body["id"].as_str().expect("id").starts_with("inv_"));
    assert_eq!(body["status"], "draft");
    assert_eq!(body["number"], Value::Null);
    assert_eq!(body["currency"], "EUR");
    assert_eq!(
        body["due_date"], "2026-12-25",
        "issue date + 30 days of terms"
    );
    // The service's name, unit, price and rate were copied into the line.
    assert_eq!(body["lines"][0]["description"], "Consulting hour");
    assert_eq!(body["lines"][0]["unit"], "hour");
    assert_eq!(body["lines"][0]["net"], "300.00");
    assert_eq!(body["lines"][1]["net"], "34.93");
    // 19 %: 300.00 - 30.00 = 270.00, tax 51.30; 7 %: 34.93 - 3.49 = 31.44, tax 2.20.
    assert_eq!(body["net_total"], "334.93");
    assert_eq!(body["discount_total"], "33.49");
    assert_eq!(
        body["tax_breakdown"],
        json!([
            {"category": "S", "rate": "7", "base": "31.44", "tax": "2.20",
             "exemption_reason": null, "exemption_code": null},
            {"category": "S", "rate": "19", "base": "270.00", "tax": "51.30",
             "exemption_reason": null, "exemption_code": null},
        ])
    );
    assert_eq!(body["tax_total"], "53.50");
    assert_eq!(body["total"], "354.94");
    assert_eq!(body["amount_due"], "354.94");

    // A draft changes; its amounts follow.
    let patched = app
        .unsafe_request(&app.client, Method::PATCH, &location)
        .header("if-match", "\"1\"")
        .json(&json!({"discount_percent": null, "notes": "Thank you!"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    let patched = json_of(patched).await;
    assert_eq!(patched["discount_total"], "0.00");
    assert_eq!(patched["total"], "394.38");
    assert_eq!(patched["notes"], "Thank you!");

    let issued = issue(&app, &app.client, body["id"].as_str().expect("id")).await;
    assert_eq!(issued.status(), 200);
    assert_eq!(issued.headers()["etag"], "\"3\"");
    let issued = json_of(issued).await;
    assert_eq!(issued["status"], "issued");
    assert_eq!(issued["number"], "INV-2026-0001");
    assert_eq!(issued["buyer"]["name"], "Kunde Ölçü GmbH");
    assert_eq!(issued["buyer"]["tax_id"], "DE123456789");
    assert!(issued["seller"]["legal_name"].is_string());

    // Issued: unchangeable, undeletable, not issued twice.
    for method in [Method::PATCH, Method::DELETE] {
        let refused = app
            .unsafe_request(&app.client, method.clone(), &location)
            .header("if-match", "\"3\"")
            .json(&json!({"notes": "changed"}))
            .send()
            .await
            .expect("refused");
        assert_eq!(refused.status(), 409, "{method}");
        let problem = json_of(refused).await;
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("credit note")),
            "{problem}"
        );
    }
    let again = issue(&app, &app.client, body["id"].as_str().expect("id")).await;
    assert_eq!(again.status(), 409);

    // Later edits of the customer and the company do not reach the issued invoice.
    let customer_path = format!("/v1/customers/{customer_id}");
    let edited = app
        .unsafe_request(&app.client, Method::PATCH, &customer_path)
        .header("if-match", "*")
        .json(&json!({"name": "Renamed AG", "tax_id": "DE999999999"}))
        .send()
        .await
        .expect("edit customer");
    assert_eq!(edited.status(), 200);
    let company = json_of(get(&app, &app.client, "/v1/company").await).await;
    let mut changed = company.clone();
    for field in ["id", "version", "updated_at"] {
        changed.as_object_mut().expect("object").remove(field);
    }
    changed["legal_name"] = json!("New Name Ltd");
    let replaced = app
        .unsafe_request(&app.client, Method::PUT, "/v1/company")
        .header("if-match", "*")
        .json(&changed)
        .send()
        .await
        .expect("replace company");
    assert_eq!(replaced.status(), 200);
    let kept = json_of(get(&app, &app.client, &location).await).await;
    assert_eq!(kept["buyer"]["name"], "Kunde Ölçü GmbH");
    assert_eq!(kept["buyer"]["tax_id"], "DE123456789");
    assert_eq!(kept["seller"], issued["seller"]);
    assert_eq!(kept["customer_name"], "Kunde Ölçü GmbH");

    // Void keeps the number and owes nothing.
    let voided = post(
        &app,
        &app.client,
        &format!("{location}/void"),
        &json!({"reason": "Sent to the wrong customer"}),
    )
    .await;
    assert_eq!(voided.status(), 200);
    let voided = json_of(voided).await;
    assert_eq!(voided["status"], "void");
    assert_eq!(voided["number"], "INV-2026-0001");
    assert_eq!(voided["amount_due"], "0.00");
    assert_eq!(voided["total"], issued["total"]);
}

#[tokio::test]
async fn fifty_concurrent_issues_take_the_numbers_one_to_fifty() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer_id = customer(&app, &app.client, "Kunde").await;
    let mut ids = Vec::new();
    for _ in 0..50 {
        let body = draft(&app, &app.client, &customer_id, "2026-11-25").await;
        ids.push(body["id"].as_str().expect("id").to_owned());
    }
    let issues = ids.iter().map(|id| issue(&app, &app.client, id));
    let responses = futures::future::join_all(issues).await;
    let mut numbers = Vec::new();
    for response in responses {
        assert_eq!(response.status(), 200);
        numbers.push(
            json_of(response).await["number"]
                .as_str()
                .expect("number")
                .to_owned(),
        );
    }
    numbers.sort();
    let expected: Vec<String> = (1..=50).map(|n| format!("INV-2026-{n:04}")).collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn a_refused_issue_uses_no_number_and_series_restart_each_year() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer_id = customer(&app, &app.client, "Kunde").await;

    // No customer, then no lines: refused, naming the field, and no number is used.
    let no_customer = post(
        &app,
        &app.client,
        "/v1/invoices",
        &json!({"lines": [line("Design", "1", "10", "19")]}),
    )
    .await;
    let no_customer = json_of(no_customer).await;
    let refused = issue(&app, &app.client, no_customer["id"].as_str().expect("id")).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(json_of(refused).await["errors"][0]["field"], "customer_id");
    let no_lines = post(
        &app,
        &app.client,
        "/v1/invoices",
        &json!({"customer_id": customer_id}),
    )
    .await;
    let no_lines = json_of(no_lines).await;
    let refused = issue(&app, &app.client, no_lines["id"].as_str().expect("id")).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(json_of(refused).await["errors"][0]["field"], "lines");

    let mut numbers = Vec::new();
    for date in ["2026-12-31", "2027-01-01", "2026-06-01", "2027-03-15"] {
        let body = draft(&app, &app.client, &customer_id, date).await;
        let issued = issue(&app, &app.client, body["id"].as_str().expect("id")).await;
        assert_eq!(issued.status(), 200);
        numbers.push(json_of(issued).await["number"].clone());
    }
    assert_eq!(
        numbers,
        [
            "INV-2026-0001",
            "INV-2027-0001",
            "INV-2026-0002",
            "INV-2027-0002"
        ]
    );
}

#[tokio::test]
async fn lists_filter_by_status_and_customer_and_page_newest_first() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let first = customer(&app, &app.client, "First").await;
    let second = customer(&app, &app.client, "Second").await;
    let mut all = Vec::new();
    for n in 0..120 {
        let customer = if n % 3 == 0 { &second } else { &first };
        let body = draft(&app, &app.client, customer, "2026-11-25").await;
        let id = body["id"].as_str().expect("id").to_owned();
        if n % 2 == 0 {
            assert_eq!(issue(&app, &app.client, &id).await.status(), 200);
        }
        all.push((id, n % 3 == 0, n % 2 == 0));
    }
    let read_all = |query: String| {
        let app = &app;
        async move {
            let mut ids = Vec::new();
            let mut next: Option<String> = None;
            loop {
                let mut path = format!("/v1/invoices?limit=17{query}");
                if let Some(cursor) = &next {
                    path.push_str(&format!("&next={cursor}"));
                }
                let page = json_of(get(app, &app.client, &path).await).await;
                for item in page["data"].as_array().expect("data") {
                    ids.push(item["id"].as_str().expect("id").to_owned());
                }
                match page["next"].as_str() {
                    Some(cursor) => next = Some(cursor.to_owned()),
                    None => return ids,
                }
            }
        }
    };
    let newest_first = |keep: &dyn Fn(&(String, bool, bool)) -> bool| -> Vec<String> {
        all.iter()
            .rev()
            .filter(|i| keep(i))
            .map(|i| i.0.clone())
            .collect()
    };
    assert_eq!(read_all(String::new()).await, newest_first(&|_| true));
    assert_eq!(
        read_all("&status=issued".into()).await,
        newest_first(&|i| i.2)
    );
    assert_eq!(
        read_all("&status=draft".into()).await,
        newest_first(&|i| !i.2)
    );
    assert_eq!(
        read_all(format!("&customer={second}")).await,
        newest_first(&|i| i.1)
    );
    assert_eq!(
        read_all(format!("&customer={second}&status=draft")).await,
        newest_first(&|i| i.1 && !i.2)
    );
    let page = json_of(get(&app, &app.client, "/v1/invoices?limit=1&status=issued").await).await;
    let item = &page["data"][0];
    for field in [
        "number",
        "status",
        "customer_name",
        "issue_date",
        "due_date",
        "currency",
        "total",
        "amount_due",
    ] {
        assert!(!item[field].is_null(), "{field} in {item}");
    }
    for (bad, field) in [
        ("status=sent", "status"),
        ("customer=inv_01KAT5Q3B2ZP8V1N6X4M9R7C0D", "customer"),
        ("colour=red", "colour"),
        ("overdue=yes", "overdue"),
    ] {
        app.assert_refused_by_name(&app.client, &format!("/v1/invoices?{bad}"), field)
            .await;
    }
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer_id = customer(&app, &app.client, "Kunde").await;
    let other = app.new_client();
    app.signup(&other).await;
    let foreign_customer = customer(&app, &other, "Someone else's").await;
    let many: Vec<Value> = (0..501).map(|_| line("x", "1", "1", "0")).collect();
    let cases = [
        (
            json!({"customer_id": customer_id, "colour": "red"}),
            "colour",
        ),
        (json!({"customer_id": customer_id, "lines": many}), "lines"),
        (
            json!({"lines": [line("x", "0", "1", "0")]}),
            "lines[0].quantity",
        ),
        (
            json!({"lines": [line("x", "1", "1", "100.0001")]}),
            "lines[0].tax_rate",
        ),
        (
            json!({"lines": [line("x", "1", "1.23456", "0")]}),
            "lines[0].unit_price",
        ),
        (json!({"currency": "XYZ"}), "currency"),
        (json!({"customer_id": foreign_customer}), "customer_id"),
        (
            json!({"lines": [{"description": "x", "quantity": "1", "unit_price": "5", "discount_amount": "6"}]}),
            "lines[0].discount_amount",
        ),
        (
            json!({"issue_date": "2026-11-25", "due_date": "2026-11-24"}),
            "due_date",
        ),
    ];
    let before = app.stack.raw_items().await.len();
    for (body, field) in cases {
        let refused = post(&app, &app.client, "/v1/invoices", &body).await;
        assert_eq!(refused.status(), 400, "{field}");
        let problem = json_of(refused).await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    assert_eq!(app.stack.raw_items().await.len(), before);
}

#[tokio::test]
async fn the_largest_document_that_fits_one_item_is_kept_and_a_larger_one_refused() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let lines = |length: usize| -> Vec<Value> {
        (0..500)
            .map(|n| {
                line(
                    &format!("{n:03} {}", "ä".repeat(length)),
                    "1.5",
                    "19.99",
                    "19",
                )
            })
            .collect()
    };
    // 500 lines whose descriptions make the invoice about 385 KB, just under the limit (390 KB of
    // content, 400 KB for the whole item); 10 characters more per line (+10 KB) are refused.
    // (Each line states its VAT category too, 19 bytes.)
    let fits = post(
        &app,
        &app.client,
        "/v1/invoices",
        &json!({"lines": lines(290)}),
    )
    .await;
    assert_eq!(fits.status(), 201);
    let body = json_of(fits).await;
    assert_eq!(body["lines"].as_array().expect("lines").len(), 500);
    assert_eq!(body["net_total"], "14995.00");
    let read = get(
        &app,
        &app.client,
        body["id"]
            .as_str()
            .map(|id| format!("/v1/invoices/{id}"))
            .as_deref()
            .expect("id"),
    )
    .await;
    assert_eq!(read.status(), 200);

    let too_large = post(
        &app,
        &app.client,
        "/v1/invoices",
        &json!({"lines": lines(300)}),
    )
    .await;
    assert_eq!(too_large.status(), 400);
    assert_eq!(json_of(too_large).await["errors"][0]["field"], "lines");

    // A body above the API's limit (1 MiB) is refused before it is read, as problem+json.
    let huge = post(
        &app,
        &app.client,
        "/v1/invoices",
        &json!({"lines": lines(1100)}),
    )
    .await;
    assert_eq!(huge.status(), 413);
    assert_eq!(huge.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn another_tenant_gets_404_on_every_route_and_the_table_holds_no_plain_text() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer_id = customer(&app, &app.client, "Geheimkunde Ölçü").await;
    let created = post(
        &app,
        &app.client,
        "/v1/invoices",
        &json!({
            "customer_id": customer_id,
            "notes": "Confidential arrangement",
            "lines": [line("Secret widget", "3", "1234.56", "19")],
        }),
    )
    .await;
    let id = json_of(created).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(issue(&app, &app.client, &id).await.status(), 200);
    // A credit note and a proposal copy the same text and amounts into items of their own.
    let credited = post(
        &app,
        &app.client,
        &format!("/v1/invoices/{id}/credit-notes"),
        &json!({"reason": "Confidential correction", "lines": [{"line": 0, "quantity": "1"}]}),
    )
    .await;
    assert_eq!(credited.status(), 201);
    assert_eq!(json_of(credited).await["total"], "1469.13");
    let proposed = post(
        &app,
        &app.client,
        "/v1/proposals",
        &json!({
            "customer_id": customer_id,
            "notes": "Confidential offer",
            "lines": [line("Secret widget", "3", "1234.56", "19")],
        }),
    )
    .await;
    assert_eq!(proposed.status(), 201);

    let intruder = app.new_client();
    app.signup(&intruder).await;
    let path = format!("/v1/invoices/{id}");
    assert_eq!(get(&app, &intruder, &path).await.status(), 404);
    for method in [Method::PATCH, Method::DELETE] {
        let response = app
            .unsafe_request(&intruder, method.clone(), &path)
            .header("if-match", "*")
            .json(&json!({}))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 404, "{method}");
    }
    for action in ["issue", "void"] {
        let response = post(
            &app,
            &intruder,
            &format!("{path}/{action}"),
            &json!({"reason": "x"}),
        )
        .await;
        assert_eq!(response.status(), 404, "{action}");
    }
    let listed = json_of(get(&app, &intruder, "/v1/invoices").await).await;
    assert_eq!(listed["data"], json!([]));

    // The unit price, the line's net and the credit note's amount (1 × 1234.56 + 19 %).
    let needles = [
        "Secret widget",
        "Geheimkunde",
        "Confidential",
        "1234.56",
        "3703.68",
        "1469.13",
    ];
    app.stack.assert_no_plain_text(&needles).await;
}

#[tokio::test]
async fn credit_notes_credit_at_most_what_is_left_and_lower_the_amount_due() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer_id = customer(&app, &app.client, "Kunde").await;
    let body = draft(&app, &app.client, &customer_id, "2026-11-25").await;
    let id = body["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/invoices/{id}/credit-notes");

    // A draft is changed, not credited.
    let refused = post(&app, &app.client, &path, &json!({})).await;
    assert_eq!(refused.status(), 409);
    let invoice = json_of(issue(&app, &app.client, &id).await).await;
    assert_eq!(invoice["total"], "136.81");

    // Two of the three design hours: 2 × 33.33 = 66.66, less 12.5 % = 58.33, + 19 % = 69.41.
    let partial = post(
        &app,
        &app.client,
        &path,
        &json!({"reason": "Two hours were not worked", "lines": [{"line": 0, "quantity": "2"}]}),
    )
    .await;
    assert_eq!(partial.status(), 201);
    let location = partial.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let partial = json_of(partial).await;
    assert!(partial["id"].as_str().expect("id").starts_with("crn_"));
    assert_eq!(partial["number"], "CN-2026-0001");
    assert_eq!(partial["invoice_number"], "INV-2026-0001");
    assert_eq!(partial["lines"][0]["net"], "66.66");
    assert_eq!(partial["discount_total"], "8.33");
    assert_eq!(partial["total"], "69.41");
    assert_eq!(partial["buyer"], invoice["buyer"]);
    assert_eq!(
        json_of(get(&app, &app.client, &location).await).await,
        partial
    );

    let credited = json_of(get(&app, &app.client, &format!("/v1/invoices/{id}")).await).await;
    assert_eq!(credited["amount_credited"], "69.41");
    assert_eq!(credited["amount_due"], "67.40");
    let listed = json_of(get(&app, &app.client, "/v1/invoices?limit=1").await).await;
    assert_eq!(listed["data"][0]["amount_due"], "67.40");

    // The whole invoice again would credit more than is left: 422 naming lines, nothing written.
    let before = app.stack.raw_items().await.len();
    let too_much = post(&app, &app.client, &path, &json!({})).await;
    assert_eq!(too_much.status(), 422);
    let problem = json_of(too_much).await;
    assert_eq!(problem["errors"][0]["field"], "lines", "{problem}");
    for (body, field) in [
        (json!({"lines": [{"line": 5}]}), "lines[0].line"),
        (
            json!({"lines": [{"line": 1, "quantity": "8"}]}),
            "lines[0].quantity",
        ),
        (
            json!({"lines": [{"line": 1}, {"line": 1}]}),
            "lines[1].line",
        ),
        (json!({"lines": []}), "lines"),
    ] {
        let refused = post(&app, &app.client, &path, &body).await;
        assert_eq!(refused.status(), 400, "{body}");
        assert_eq!(
            json_of(refused).await["errors"][0]["field"],
            field,
            "{body}"
        );
    }
    assert_eq!(app.stack.raw_items().await.len(), before);

    // What is left can be credited, and then nothing is due.
    let rest = post(
        &app,
        &app.client,
        &path,
        &json!({"lines": [{"line": 0, "quantity": "1"}, {"line": 1}]}),
    )
    .await;
    assert_eq!(rest.status(), 201);
    let rest = json_of(rest).await;
    assert_eq!(rest["number"], "CN-2026-0002");
    let settled = json_of(get(&app, &app.client, &format!("/v1/invoices/{id}")).await).await;
    assert_eq!(settled["amount_due"], "0.00");
    assert_eq!(settled["amount_credited"], settled["total"]);

    let of_invoice = json_of(get(&app, &app.client, &path).await).await;
    let numbers: Vec<&Value> = of_invoice["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|n| &n["number"])
        .collect();
    assert_eq!(numbers, [&json!("CN-2026-0002"), &json!("CN-2026-0001")]);
    let all = json_of(get(&app, &app.client, "/v1/credit-notes").await).await;
    assert_eq!(all["data"], of_invoice["data"]);

    // Another account sees none of it.
    let intruder = app.new_client();
    app.signup(&intruder).await;
    assert_eq!(get(&app, &intruder, &location).await.status(), 404);
    assert_eq!(get(&app, &intruder, &path).await.status(), 404);
    assert_eq!(post(&app, &intruder, &path, &json!({})).await.status(), 404);
    let theirs = json_of(get(&app, &intruder, "/v1/credit-notes").await).await;
    assert_eq!(theirs["data"], json!([]));
}

/// AWS calls of a warm container for the document routes, counted by the SDK interceptor (the
/// closing note reports them; `--nocapture` prints them). Reads of a request are made in
/// parallel: a create reads settings, company, customer and each named service at once.
#[tokio::test]
async fn warm_document_routes_make_the_budgeted_aws_calls() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer_id = customer(&app, &app.client, "Kunde").await;
    let first = draft(&app, &app.client, &customer_id, "2026-11-25").await;
    let calls = app.state().aws_calls();
    let delta = |before: &std::collections::BTreeMap<String, u64>| calls.since(before);
    let expect = |pairs: &[(&str, u64)]| {
        pairs
            .iter()
            .map(|(op, n)| ((*op).to_owned(), *n))
            .collect::<std::collections::BTreeMap<_, _>>()
    };

    let before = calls.snapshot();
    let created = draft(&app, &app.client, &customer_id, "2026-11-25").await;
    let create = delta(&before);
    let before = calls.snapshot();
    let id = created["id"].as_str().expect("id");
    assert_eq!(issue(&app, &app.client, id).await.status(), 200);
    let issued = delta(&before);
    let before = calls.snapshot();
    get(&app, &app.client, "/v1/invoices?status=issued").await;
    let list = delta(&before);
    let before = calls.snapshot();
    get(
        &app,
        &app.client,
        &format!("/v1/invoices/{}", first["id"].as_str().expect("id")),
    )
    .await;
    let read = delta(&before);
    println!("POST invoice: {create:?}\nissue: {issued:?}\nGET list: {list:?}\nGET one: {read:?}");

    let session_check = ("dynamodb:TransactGetItems", 1);
    // Settings, company and customer read in parallel; one transaction.
    assert_eq!(
        create,
        expect(&[("dynamodb:GetItem", 3), ("dynamodb:TransactWriteItems", 1)])
    );
    // Invoice, settings and company in parallel, then customer, counter and the running
    // totals in parallel, and the number's own item (is it taken?) after the counter; the
    // account's webhook subscriptions, as the issue emits `invoice.issued` (decision 0025).
    assert_eq!(
        issued,
        expect(&[("dynamodb:GetItem", 8), ("dynamodb:TransactWriteItems", 1)])
    );
    assert_eq!(list, expect(&[("dynamodb:Query", 1), session_check]));
    assert_eq!(read, expect(&[("dynamodb:GetItem", 1), session_check]));
}

#[tokio::test]
async fn a_number_series_can_be_raised_never_lowered() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer_id = customer(&app, &app.client, "Kunde").await;
    let year = app.state().clock.now().to_string()[..4].to_owned();
    let series = json_of(get(&app, &app.client, "/v1/number-series").await).await;
    assert_eq!(series[0]["series"], "invoice");
    assert_eq!(series[0]["next"], 1);
    assert_eq!(series[0]["next_number"], format!("INV-{year}-0001"));

    let raise = |next: u64| {
        let app = &app;
        async move {
            app.unsafe_request(&app.client, Method::PUT, "/v1/number-series/invoice")
                .json(&json!({"next": next}))
                .send()
                .await
                .expect("raise")
        }
    };
    // JSON Schema counts 1041.0 as an integer, so the API takes it; a fraction is refused.
    let as_float = app
        .unsafe_request(&app.client, Method::PUT, "/v1/number-series/invoice")
        .json(&json!({"next": 1041.0}))
        .send()
        .await
        .expect("raise");
    assert_eq!(as_float.status(), 200);
    let fraction = app
        .unsafe_request(&app.client, Method::PUT, "/v1/number-series/invoice")
        .json(&json!({"next": 1041.5}))
        .send()
        .await
        .expect("raise");
    assert_eq!(fraction.status(), 400);
    let raised = raise(1042).await;
    assert_eq!(raised.status(), 200);
    assert_eq!(
        json_of(raised).await["next_number"],
        format!("INV-{year}-1042")
    );
    let today = app.state().clock.now().to_string()[..10].to_owned();
    let body = draft(&app, &app.client, &customer_id, &today).await;
    let issued = json_of(issue(&app, &app.client, body["id"].as_str().expect("id")).await).await;
    assert_eq!(issued["number"], format!("INV-{year}-1042"));

    let before = app.stack.raw_items().await.len();
    let lowered = raise(1042).await;
    assert_eq!(lowered.status(), 422);
    assert_eq!(json_of(lowered).await["errors"][0]["field"], "next");
    assert_eq!(app.stack.raw_items().await.len(), before);
    let unknown = app
        .unsafe_request(&app.client, Method::PUT, "/v1/number-series/receipt")
        .json(&json!({"next": 5}))
        .send()
        .await
        .expect("unknown");
    assert_eq!(unknown.status(), 404);
}

/// A raise racing concurrent issues is read again like an issue is, never refused with 412:
/// every number is still given once, those before the raise from 1 up and those after from
/// the raised number up.
#[tokio::test]
async fn a_raise_amid_concurrent_issues_keeps_every_number_unique_and_gapless() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer_id = customer(&app, &app.client, "Kunde").await;
    let today = app.state().clock.now().to_string()[..10].to_owned();
    let year = &today[..4];
    let mut ids = Vec::new();
    for _ in 0..20 {
        let body = draft(&app, &app.client, &customer_id, &today).await;
        ids.push(body["id"].as_str().expect("id").to_owned());
    }
    let raise = app
        .unsafe_request(&app.client, Method::PUT, "/v1/number-series/invoice")
        .json(&json!({"next": 500}))
        .send();
    let issues = futures::future::join_all(ids.iter().map(|id| issue(&app, &app.client, id)));
    let (raised, issued) = tokio::join!(raise, issues);
    let raised = raised.expect("raise");
    assert_eq!(raised.status(), 200);
    let mut numbers: Vec<u64> = Vec::new();
    for response in issued {
        assert_eq!(response.status(), 200);
        let number = json_of(response).await["number"]
            .as_str()
            .expect("number")
            .to_owned();
        let digits = number
            .strip_prefix(&format!("INV-{year}-"))
            .expect("prefix");
        numbers.push(digits.parse().expect("a number"));
    }
    numbers.sort_unstable();
    let before: Vec<u64> = numbers.iter().copied().filter(|n| *n < 500).collect();
    let after: Vec<u64> = numbers.iter().copied().filter(|n| *n >= 500).collect();
    assert_eq!(before, (1..=before.len() as u64).collect::<Vec<_>>());
    assert_eq!(after, (500..500 + after.len() as u64).collect::<Vec<_>>());
}

async fn patch_settings(app: &TestApp, body: &Value) {
    let response = app
        .unsafe_request(&app.client, Method::PATCH, "/v1/settings")
        .header("if-match", "*")
        .json(body)
        .send()
        .await
        .expect("patch settings");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_document_number_is_never_issued_twice_whatever_the_prefixes() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer_id = customer(&app, &app.client, "Kunde").await;
    let issued_number = |body: Value| body["number"].as_str().expect("number").to_owned();
    let mut numbers = Vec::new();
    let body = draft(&app, &app.client, &customer_id, "2026-11-25").await;
    let issued = issue(&app, &app.client, body["id"].as_str().expect("id")).await;
    numbers.push(issued_number(json_of(issued).await));
    assert_eq!(numbers, ["INV-2026-0001"]);

    // The literal prefix that `INV-{YYYY}-` wrote in 2026: a new series, counting from 1, whose
    // first number is taken, so it is skipped.
    patch_settings(&app, &json!({"invoice_number_prefix": "INV-2026-"})).await;
    let body = draft(&app, &app.client, &customer_id, "2026-11-25").await;
    let id = body["id"].as_str().expect("id").to_owned();
    let issued = issue(&app, &app.client, &id).await;
    assert_eq!(issued.status(), 200);
    numbers.push(issued_number(json_of(issued).await));
    assert_eq!(numbers, ["INV-2026-0001", "INV-2026-0002"]);

    // Credit notes numbered with the invoices' own prefix take the numbers after them.
    patch_settings(&app, &json!({"credit_note_number_prefix": "INV-2026-"})).await;
    let note = post(
        &app,
        &app.client,
        &format!("/v1/invoices/{id}/credit-notes"),
        &json!({"reason": "Not delivered"}),
    )
    .await;
    assert_eq!(note.status(), 201);
    numbers.push(issued_number(json_of(note).await));
    let body = draft(&app, &app.client, &customer_id, "2026-11-25").await;
    let issued = issue(&app, &app.client, body["id"].as_str().expect("id")).await;
    numbers.push(issued_number(json_of(issued).await));
    assert_eq!(
        numbers,
        [
            "INV-2026-0001",
            "INV-2026-0002",
            "INV-2026-0003",
            "INV-2026-0004"
        ]
    );
    // What the series say comes next skips the numbers taken too.
    let series = json_of(get(&app, &app.client, "/v1/number-series").await).await;
    let next: Vec<&str> = series
        .as_array()
        .expect("series")
        .iter()
        .filter_map(|s| s["next_number"].as_str())
        .collect();
    assert_eq!(next[..2], ["INV-2026-0005", "INV-2026-0005"], "{series}");
}

#[tokio::test]
async fn a_line_beyond_the_ceiling_is_refused_by_name_never_a_crash() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer_id = customer(&app, &app.client, "Kunde").await;
    for prices_include_tax in [true, false] {
        let response = post(
            &app,
            &app.client,
            "/v1/invoices",
            &json!({
                "customer_id": customer_id,
                "prices_include_tax": prices_include_tax,
                "lines": [line("Design", "100", "9999999999999", "19")],
            }),
        )
        .await;
        assert_eq!(
            response.status(),
            400,
            "tax-inclusive: {prices_include_tax}"
        );
        let problem = json_of(response).await;
        assert_eq!(problem["errors"][0]["field"], "lines[0]", "{problem}");
    }
    // Lines each below the ceiling whose total is not.
    let response = post(
        &app,
        &app.client,
        "/v1/invoices",
        &json!({
            "customer_id": customer_id,
            "prices_include_tax": true,
            "lines": vec![line("Design", "1", "9999999999999", "19"); 2],
        }),
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(json_of(response).await["errors"][0]["field"], "lines");
    let listed = json_of(get(&app, &app.client, "/v1/invoices").await).await;
    assert_eq!(listed["data"], json!([]), "nothing was written");
}
