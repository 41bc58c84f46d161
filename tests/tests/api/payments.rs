//! Payments end to end: balances and statuses, refusals, concurrent payments that never
//! overpay, deletion, overdue invoices, the account summary against sums of the listed
//! invoices and payments, lists and filters, isolation and encryption.

use std::collections::BTreeMap;
use std::str::FromStr as _;
use std::time::Duration;

use invoiceflow::domain::time::Date;
use invoiceflow_tests::{TestApp, spawn_app, spawn_interleaving_app};
use reqwest::{Client, Method, Response};
use rust_decimal::Decimal;
use serde_json::{Value, json};

async fn json_of(response: Response) -> Value {
    response.json().await.expect("json")
}

async fn get(app: &TestApp, client: &Client, path: &str) -> Value {
    let response = client.get(app.url(path)).send().await.expect("get");
    assert_eq!(response.status(), 200, "GET {path}");
    json_of(response).await
}

/// Today in the account's time zone (UTC by default).
fn today(app: &TestApp) -> Date {
    Date::parse(&app.state().clock.now().to_string()[..10]).expect("today")
}

async fn customer(app: &TestApp, client: &Client, name: &str) -> String {
    let response = app
        .post(client, "/v1/customers")
        .json(&json!({"name": name}))
        .send()
        .await
        .expect("customer");
    assert_eq!(response.status(), 201);
    json_of(response).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// An issued invoice of one line of `price` (no tax), dated `issue` and due on `due`.
async fn issued(
    app: &TestApp,
    client: &Client,
    customer: &str,
    price: &str,
    currency: &str,
    (issue, due): (Date, Date),
) -> Value {
    let draft = app
        .post(client, "/v1/invoices")
        .json(&json!({
            "customer_id": customer,
            "currency": currency,
            "issue_date": issue.to_string(),
            "due_date": due.to_string(),
            "lines": [{"description": "Work", "quantity": "1", "unit_price": price, "tax_rate": "0"}],
        }))
        .send()
        .await
        .expect("draft");
    assert_eq!(draft.status(), 201);
    let id = json_of(draft).await["id"].as_str().expect("id").to_owned();
    let issued = app
        .post(client, &format!("/v1/invoices/{id}/issue"))
        .send()
        .await
        .expect("issue");
    assert_eq!(issued.status(), 200);
    json_of(issued).await
}

async fn pay(
    app: &TestApp,
    client: &Client,
    invoice: &Value,
    amount: &str,
    date: Date,
) -> Response {
    let id = invoice["id"].as_str().expect("id");
    app.post(client, &format!("/v1/invoices/{id}/payments"))
        .json(&json!({"amount": amount, "date": date.to_string(), "method": "bank_transfer"}))
        .send()
        .await
        .expect("pay")
}

async fn invoice(app: &TestApp, client: &Client, id: &Value) -> Value {
    get(
        app,
        client,
        &format!("/v1/invoices/{}", id.as_str().expect("id")),
    )
    .await
}

async fn delete_payment(app: &TestApp, client: &Client, id: &str) -> Response {
    let current = client
        .get(app.url(&format!("/v1/payments/{id}")))
        .send()
        .await
        .expect("get");
    let etag = current.headers()["etag"].to_str().expect("etag").to_owned();
    app.unsafe_request(client, Method::DELETE, &format!("/v1/payments/{id}"))
        .header("if-match", etag)
        .send()
        .await
        .expect("delete")
}

/// Every item of a list, following its cursors.
async fn all_pages(app: &TestApp, client: &Client, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let url = match &next {
            Some(cursor) => format!("{path}{separator}limit=100&next={cursor}"),
            None => format!("{path}{separator}limit=100"),
        };
        let page = get(app, client, &url).await;
        items.extend(page["data"].as_array().expect("data").iter().cloned());
        match page["next"].as_str() {
            Some(cursor) => next = Some(cursor.to_owned()),
            None => return items,
        }
    }
}

fn decimal(value: &Value) -> Decimal {
    Decimal::from_str(value.as_str().expect("a decimal string")).expect("decimal")
}

/// The summary's figures per currency: (outstanding, overdue count, overdue amount, received).
type Figures = BTreeMap<String, (Decimal, u64, Decimal, Decimal)>;

fn summary_figures(summary: &Value) -> Figures {
    summary["currencies"]
        .as_array()
        .expect("currencies")
        .iter()
        .map(|row| {
            (
                row["currency"].as_str().expect("currency").to_owned(),
                (
                    decimal(&row["outstanding"]),
                    row["overdue_count"].as_u64().expect("count"),
                    decimal(&row["overdue_amount"]),
                    decimal(&row["received_last_30_days"]),
                ),
            )
        })
        .collect()
}

/// The same figures, summed from every listed invoice and the payments of the last 30 days.
async fn listed_figures(app: &TestApp, client: &Client) -> Figures {
    let mut figures = Figures::new();
    for invoice in all_pages(app, client, "/v1/invoices").await {
        let currency = invoice["currency"].as_str().expect("currency").to_owned();
        let row = figures.entry(currency).or_default();
        if ["issued", "partially_paid"].contains(&invoice["status"].as_str().expect("status")) {
            row.0 += decimal(&invoice["amount_due"]);
        }
        if invoice["overdue"] == json!(true) {
            row.1 += 1;
            row.2 += decimal(&invoice["amount_due"]);
        }
    }
    let today = today(app);
    let window = format!("/v1/payments?from={}&to={today}", today.minus_days(29));
    for payment in all_pages(app, client, &window).await {
        let currency = payment["currency"].as_str().expect("currency").to_owned();
        figures.entry(currency).or_default().3 += decimal(&payment["amount"]);
    }
    figures.retain(|_, (outstanding, count, _, received)| {
        !outstanding.is_zero() || *count > 0 || !received.is_zero()
    });
    figures
}

/// Figures compared as numbers (`10.00` == `10.0`).
fn normalised(figures: Figures) -> Figures {
    figures
        .into_iter()
        .map(|(c, (o, n, a, r))| (c, (o.normalize(), n, a.normalize(), r.normalize())))
        .collect()
}

async fn assert_summary_matches_the_lists(app: &TestApp, client: &Client, when: &str) {
    let summary = get(app, client, "/v1/summary").await;
    assert_eq!(summary["as_of"], today(app).to_string(), "{when}");
    assert_eq!(
        normalised(summary_figures(&summary)),
        normalised(listed_figures(app, client).await),
        "{when}: {summary}"
    );
}

#[tokio::test]
async fn a_payment_moves_the_invoice_to_partially_paid_then_paid_and_a_deletion_moves_it_back() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let today = today(&app);
    let customer = customer(&app, &app.client, "Kunde").await;
    let invoice = issued(
        &app,
        &app.client,
        &customer,
        "118.99",
        "EUR",
        (today, today.plus_days(30)),
    )
    .await;
    assert_eq!(invoice["status"], "issued");
    assert_eq!(invoice["overdue"], false);
    assert_eq!(invoice["paid_at"], Value::Null);

    let first = pay(&app, &app.client, &invoice, "50", today).await;
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let first = json_of(first).await;
    assert!(first["id"].as_str().expect("id").starts_with("pay_"));
    assert_eq!(
        location,
        format!("/v1/payments/{}", first["id"].as_str().expect("id"))
    );
    assert_eq!(first["amount"], "50.00");
    assert_eq!(first["currency"], "EUR");
    assert_eq!(first["invoice_id"], invoice["id"]);
    assert_eq!(first["invoice_number"], invoice["number"]);
    assert_eq!(first["customer_id"], customer);
    let partly = invoice_of(&app, &invoice).await;
    assert_eq!(partly["status"], "partially_paid");
    assert_eq!(partly["amount_paid"], "50.00");
    assert_eq!(partly["amount_due"], "68.99");
    assert_eq!(partly["paid_at"], Value::Null);

    let second = pay(&app, &app.client, &invoice, "68.99", today).await;
    assert_eq!(second.status(), 201);
    let second = json_of(second).await;
    let paid = invoice_of(&app, &invoice).await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["amount_paid"], "118.99");
    assert_eq!(paid["amount_due"], "0.00");
    assert!(paid["paid_at"].is_string());
    let listed = get(&app, &app.client, "/v1/invoices?status=paid").await;
    assert_eq!(listed["data"][0]["id"], invoice["id"]);
    assert_eq!(listed["data"][0]["amount_due"], "0.00");
    let summary = get(&app, &app.client, "/v1/summary").await;
    assert_eq!(summary["currencies"][0]["outstanding"], "0.00");
    assert_eq!(summary["currencies"][0]["received_last_30_days"], "118.99");

    // A deletion needs If-Match.
    let second_id = second["id"].as_str().expect("id");
    let bare = app
        .unsafe_request(
            &app.client,
            Method::DELETE,
            &format!("/v1/payments/{second_id}"),
        )
        .send()
        .await
        .expect("delete");
    assert_eq!(bare.status(), 428);
    let stale = app
        .unsafe_request(
            &app.client,
            Method::DELETE,
            &format!("/v1/payments/{second_id}"),
        )
        .header("if-match", "\"7\"")
        .send()
        .await
        .expect("delete");
    assert_eq!(stale.status(), 412);
    assert_eq!(
        delete_payment(&app, &app.client, second_id).await.status(),
        204
    );
    let back = invoice_of(&app, &invoice).await;
    assert_eq!(back["status"], "partially_paid");
    assert_eq!(back["amount_paid"], "50.00");
    assert_eq!(back["amount_due"], "68.99");
    assert_eq!(back["paid_at"], Value::Null);
    let gone = app
        .client
        .get(app.url(&format!("/v1/payments/{second_id}")))
        .send()
        .await
        .expect("get");
    assert_eq!(gone.status(), 404);
    let payments = get(
        &app,
        &app.client,
        &format!(
            "/v1/invoices/{}/payments",
            invoice["id"].as_str().expect("id")
        ),
    )
    .await;
    assert_eq!(payments["data"].as_array().expect("data").len(), 1);
    assert_eq!(payments["data"][0]["id"], first["id"]);
    let summary = get(&app, &app.client, "/v1/summary").await;
    assert_eq!(summary["currencies"][0]["outstanding"], "68.99");
    assert_eq!(summary["currencies"][0]["received_last_30_days"], "50.00");

    // Deleting the other payment makes it issued again; the audit trail has all of it.
    let first_id = first["id"].as_str().expect("id");
    assert_eq!(
        delete_payment(&app, &app.client, first_id).await.status(),
        204
    );
    assert_eq!(invoice_of(&app, &invoice).await["status"], "issued");
    let audit = get(&app, &app.client, "/v1/audit?limit=100").await;
    let actions: Vec<&str> = audit["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "payment.create").count(),
        2
    );
    assert_eq!(
        actions.iter().filter(|a| **a == "payment.delete").count(),
        2
    );
    assert_summary_matches_the_lists(&app, &app.client, "after every deletion").await;
}

async fn invoice_of(app: &TestApp, invoice: &Value) -> Value {
    self::invoice(app, &app.client, &invoice["id"]).await
}

/// DynamoDB runs concurrent requests side by side: here every AWS answer arrives 20 ms late,
/// so the 20 payments read the invoice at the same balance and race to commit. The writes are
/// conditioned on the version read, so exactly ten succeed.
#[tokio::test]
async fn twenty_concurrent_payments_of_ten_on_a_hundred_never_overpay() {
    let app = spawn_interleaving_app(Duration::from_millis(20)).await;
    app.signup(&app.client).await;
    let today = today(&app);
    let customer = customer(&app, &app.client, "Kunde").await;
    let invoice = issued(
        &app,
        &app.client,
        &customer,
        "100.00",
        "EUR",
        (today, today),
    )
    .await;
    let answers = futures::future::join_all(
        (0..20).map(|_| pay(&app, &app.client, &invoice, "10.00", today)),
    )
    .await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        10,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [201, 409, 422].contains(s)),
        "{statuses:?}"
    );
    let paid = invoice_of(&app, &invoice).await;
    assert_eq!(paid["amount_paid"], "100.00");
    assert_eq!(paid["amount_due"], "0.00");
    assert_eq!(paid["status"], "paid");
    let payments = get(
        &app,
        &app.client,
        &format!(
            "/v1/invoices/{}/payments",
            invoice["id"].as_str().expect("id")
        ),
    )
    .await;
    assert_eq!(payments["data"].as_array().expect("data").len(), 10);
    assert_summary_matches_the_lists(&app, &app.client, "after the burst").await;
}

#[tokio::test]
async fn refused_payments_name_the_field_and_write_nothing() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let today = today(&app);
    let customer = customer(&app, &app.client, "Kunde").await;
    let open = issued(
        &app,
        &app.client,
        &customer,
        "100.00",
        "EUR",
        (today, today),
    )
    .await;
    let yen = issued(&app, &app.client, &customer, "1000", "JPY", (today, today)).await;
    let draft = app
        .post(&app.client, "/v1/invoices")
        .json(&json!({"customer_id": customer, "lines": [{"description": "x", "quantity": "1", "unit_price": "5", "tax_rate": "0"}]}))
        .send()
        .await
        .expect("draft");
    let draft = json_of(draft).await;
    let void = issued(&app, &app.client, &customer, "10.00", "EUR", (today, today)).await;
    let voided = app
        .post(
            &app.client,
            &format!("/v1/invoices/{}/void", void["id"].as_str().expect("id")),
        )
        .json(&json!({"reason": "Sent twice"}))
        .send()
        .await
        .expect("void");
    assert_eq!(voided.status(), 200);

    let before = app.stack.raw_items().await.len();
    let url = |invoice: &Value| {
        format!(
            "/v1/invoices/{}/payments",
            invoice["id"].as_str().expect("id")
        )
    };
    let tomorrow = today.plus_days(1).to_string();
    let cases: Vec<(&Value, Value, u16, &str)> = vec![
        (
            &open,
            json!({"amount": "0", "date": today.to_string(), "method": "cash"}),
            422,
            "amount",
        ),
        (
            &open,
            json!({"amount": "0.00", "date": today.to_string(), "method": "cash"}),
            422,
            "amount",
        ),
        (
            &open,
            json!({"amount": "-5.00", "date": today.to_string(), "method": "cash"}),
            422,
            "amount",
        ),
        (
            &open,
            json!({"amount": "10.001", "date": today.to_string(), "method": "cash"}),
            422,
            "amount",
        ),
        (
            &yen,
            json!({"amount": "10.5", "date": today.to_string(), "method": "cash"}),
            422,
            "amount",
        ),
        (
            &open,
            json!({"amount": "100.01", "date": today.to_string(), "method": "cash"}),
            422,
            "amount",
        ),
        (
            &open,
            json!({"amount": "ten", "date": today.to_string(), "method": "cash"}),
            400,
            "amount",
        ),
        (
            &open,
            json!({"amount": 10, "date": today.to_string(), "method": "cash"}),
            400,
            "amount",
        ),
        (
            &open,
            json!({"amount": "10", "date": tomorrow, "method": "cash"}),
            400,
            "date",
        ),
        (
            &open,
            json!({"amount": "10", "date": "25/11/2026", "method": "cash"}),
            400,
            "date",
        ),
        (
            &open,
            json!({"amount": "10", "date": today.to_string(), "method": "bitcoin"}),
            400,
            "method",
        ),
        (
            &open,
            json!({"amount": "10", "date": today.to_string()}),
            400,
            "method",
        ),
        (
            &open,
            json!({"amount": "10", "date": today.to_string(), "method": "cash", "reference": ""}),
            400,
            "reference",
        ),
        (
            &open,
            json!({"amount": "10", "date": today.to_string(), "method": "cash", "paid": true}),
            400,
            "paid",
        ),
        (
            &draft,
            json!({"amount": "1", "date": today.to_string(), "method": "cash"}),
            409,
            "",
        ),
        (
            &void,
            json!({"amount": "1", "date": today.to_string(), "method": "cash"}),
            409,
            "",
        ),
    ];
    for (invoice, body, status, field) in cases {
        let response = app
            .post(&app.client, &url(invoice))
            .json(&body)
            .send()
            .await
            .expect("pay");
        assert_eq!(response.status(), status, "{body}");
        let problem = json_of(response).await;
        if !field.is_empty() {
            assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        }
    }
    let unknown = app
        .post(
            &app.client,
            "/v1/invoices/inv_01KAT5Q3B2ZP8V1N6X4M9R7C0D/payments",
        )
        .json(&json!({"amount": "1", "date": today.to_string(), "method": "cash"}))
        .send()
        .await
        .expect("pay");
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        app.stack.raw_items().await.len(),
        before,
        "nothing was written"
    );
    let untouched = invoice_of(&app, &open).await;
    assert_eq!(untouched["version"], open["version"]);
    assert_eq!(untouched["amount_due"], "100.00");

    // A paid invoice takes no more, and cannot be voided: its payments are deleted first, or
    // it is credited, which records what to pay back.
    assert_eq!(
        pay(&app, &app.client, &open, "100", today).await.status(),
        201
    );
    assert_eq!(
        pay(&app, &app.client, &open, "1", today).await.status(),
        409
    );
    let path = format!("/v1/invoices/{}", open["id"].as_str().expect("id"));
    let void = app
        .post(&app.client, &format!("{path}/void"))
        .json(&json!({"reason": "Wrong customer"}))
        .send()
        .await
        .expect("void");
    assert_eq!(void.status(), 409);
    assert!(
        json_of(void).await["detail"]
            .as_str()
            .expect("detail")
            .contains("payments")
    );
    let credit = app
        .post(&app.client, &format!("{path}/credit-notes"))
        .json(&json!({"reason": "Returned"}))
        .send()
        .await
        .expect("credit");
    assert_eq!(credit.status(), 201);
    let credit = json_of(credit).await;
    assert_eq!(credit["total"], "100.00");
    assert_eq!(credit["refund"], "100.00", "all of it is paid back");
    let credited = invoice_of(&app, &open).await;
    assert_eq!(credited["status"], "paid");
    assert_eq!(credited["amount_due"], "0.00");
}

#[tokio::test]
async fn a_partial_credit_of_a_partly_paid_invoice_refunds_only_what_was_overpaid() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let today = today(&app);
    let customer = customer(&app, &app.client, "Kunde").await;
    let invoice = issued(
        &app,
        &app.client,
        &customer,
        "100.00",
        "EUR",
        (today, today),
    )
    .await;
    assert_eq!(
        pay(&app, &app.client, &invoice, "80", today).await.status(),
        201
    );
    let note = app
        .post(
            &app.client,
            &format!(
                "/v1/invoices/{}/credit-notes",
                invoice["id"].as_str().expect("id")
            ),
        )
        .json(&json!({"lines": [{"line": 0, "quantity": "0.3"}]}))
        .send()
        .await
        .expect("credit");
    assert_eq!(note.status(), 201);
    let note = json_of(note).await;
    assert_eq!(note["total"], "30.00");
    assert_eq!(note["refund"], "10.00", "20.00 was still due");
    let after = invoice_of(&app, &invoice).await;
    assert_eq!(after["status"], "paid");
    assert_eq!(after["amount_credited"], "30.00");
    assert_eq!(after["amount_due"], "0.00");
    assert_summary_matches_the_lists(&app, &app.client, "after the credit").await;
}

/// A mixed history in two currencies, some invoices past due: the summary's running totals
/// equal the sums over the listed invoices and payments, then again once the clock has moved
/// 40 days on (more invoices overdue, early payments out of the 30 days).
#[tokio::test]
async fn the_summary_equals_the_sums_of_the_listed_invoices_and_payments() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let today = today(&app);
    let (a, b) = (
        customer(&app, &app.client, "Kunde A").await,
        customer(&app, &app.client, "Client B").await,
    );
    let long_ago = today.minus_days(60);
    let past_due = (long_ago, today.minus_days(10));
    let soon = (today, today.plus_days(14));
    let later = (today, today.plus_days(90));
    let i1 = issued(&app, &app.client, &a, "1000.00", "EUR", past_due).await;
    let i2 = issued(&app, &app.client, &a, "250.50", "EUR", soon).await;
    let i3 = issued(&app, &app.client, &b, "99.99", "USD", past_due).await;
    let i4 = issued(&app, &app.client, &b, "400.00", "USD", later).await;
    let i5 = issued(&app, &app.client, &a, "75.25", "EUR", soon).await;
    let i6 = issued(&app, &app.client, &b, "12.00", "EUR", past_due).await;
    assert_eq!(invoice_of(&app, &i1).await["overdue"], true);
    assert_eq!(invoice_of(&app, &i1).await["days_overdue"], 10);
    assert_eq!(invoice_of(&app, &i2).await["overdue"], false);
    assert_eq!(invoice_of(&app, &i2).await["days_overdue"], 0);
    assert_summary_matches_the_lists(&app, &app.client, "after the issues").await;

    assert_eq!(
        pay(&app, &app.client, &i1, "300", today).await.status(),
        201
    );
    assert_eq!(
        pay(&app, &app.client, &i1, "200", today.minus_days(45))
            .await
            .status(),
        201
    );
    assert_eq!(
        pay(&app, &app.client, &i3, "99.99", today.minus_days(3))
            .await
            .status(),
        201
    );
    let mistake = json_of(pay(&app, &app.client, &i4, "150", today).await).await;
    assert_eq!(
        pay(&app, &app.client, &i2, "250.50", today).await.status(),
        201
    );
    assert_eq!(
        delete_payment(&app, &app.client, mistake["id"].as_str().expect("id"))
            .await
            .status(),
        204
    );
    let credit = app
        .post(
            &app.client,
            &format!(
                "/v1/invoices/{}/credit-notes",
                i5["id"].as_str().expect("id")
            ),
        )
        .json(&json!({"lines": [{"line": 0, "quantity": "0.2"}]}))
        .send()
        .await
        .expect("credit");
    assert_eq!(credit.status(), 201);
    let void = app
        .post(
            &app.client,
            &format!("/v1/invoices/{}/void", i6["id"].as_str().expect("id")),
        )
        .json(&json!({"reason": "Duplicate"}))
        .send()
        .await
        .expect("void");
    assert_eq!(void.status(), 200);
    assert_summary_matches_the_lists(&app, &app.client, "after the mixed history").await;
    let summary = get(&app, &app.client, "/v1/summary").await;
    let eur = summary_figures(&summary)["EUR"];
    // i1 500.00 due (overdue), i5 60.20 due; i2 paid, i6 void.
    assert_eq!(eur.0.normalize(), Decimal::from_str("560.2").expect("d"));
    assert_eq!((eur.1, eur.2.normalize()), (1, Decimal::from(500)));
    // 300 + 250.50 today; the payment 45 days ago is outside the 30 days.
    assert_eq!(eur.3.normalize(), Decimal::from_str("550.5").expect("d"));

    let overdue = get(&app, &app.client, "/v1/invoices?overdue=true").await;
    let ids: Vec<&Value> = overdue["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(ids, vec![&i1["id"]], "i3 is paid, i6 void");

    app.state().clock.advance(40 * 86_400);
    let login = app
        .login(&app.client, &account.email, &account.password)
        .await;
    assert_eq!(login.status(), 200, "the session has expired: log in again");
    assert_summary_matches_the_lists(&app, &app.client, "40 days on").await;
    let overdue = get(&app, &app.client, "/v1/invoices?overdue=true").await;
    let ids: Vec<&Value> = overdue["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(ids, vec![&i1["id"], &i5["id"]], "the longest overdue first");
    assert_eq!(overdue["data"][0]["days_overdue"], 50);
    assert_eq!(overdue["data"][1]["days_overdue"], 26);
    let not_overdue = get(
        &app,
        &app.client,
        "/v1/invoices?overdue=false&status=issued",
    )
    .await;
    let ids: Vec<&Value> = not_overdue["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(ids, vec![&i4["id"]]);
    let of_b = get(
        &app,
        &app.client,
        &format!("/v1/invoices?overdue=true&customer={b}"),
    )
    .await;
    assert_eq!(of_b["data"], json!([]));
    app.assert_refused_by_name(&app.client, "/v1/invoices?overdue=yes", "overdue")
        .await;
}

#[tokio::test]
async fn payments_are_listed_latest_first_by_customer_and_by_day() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let today = today(&app);
    let (a, b) = (
        customer(&app, &app.client, "Kunde A").await,
        customer(&app, &app.client, "Client B").await,
    );
    let ia = issued(
        &app,
        &app.client,
        &a,
        "1000.00",
        "EUR",
        (today.minus_days(20), today),
    )
    .await;
    let ib = issued(
        &app,
        &app.client,
        &b,
        "1000.00",
        "EUR",
        (today.minus_days(20), today),
    )
    .await;
    let mut made = Vec::new();
    for (invoice, days_ago) in [(&ia, 10), (&ib, 5), (&ia, 2), (&ib, 0)] {
        let payment =
            json_of(pay(&app, &app.client, invoice, "1", today.minus_days(days_ago)).await).await;
        made.push((payment["id"].clone(), days_ago));
    }
    let all = all_pages(&app, &app.client, "/v1/payments").await;
    let days: Vec<String> = all
        .iter()
        .map(|p| p["date"].as_str().expect("date").to_owned())
        .collect();
    let expected: Vec<String> = [0, 2, 5, 10]
        .iter()
        .map(|d| today.minus_days(*d).to_string())
        .collect();
    assert_eq!(days, expected, "latest received first");
    let of_a = all_pages(&app, &app.client, &format!("/v1/payments?customer={a}")).await;
    assert_eq!(
        of_a.iter().map(|p| &p["id"]).collect::<Vec<_>>(),
        vec![&made[2].0, &made[0].0]
    );
    let window = all_pages(
        &app,
        &app.client,
        &format!(
            "/v1/payments?from={}&to={}",
            today.minus_days(5),
            today.minus_days(1)
        ),
    )
    .await;
    assert_eq!(
        window.iter().map(|p| &p["id"]).collect::<Vec<_>>(),
        vec![&made[2].0, &made[1].0]
    );
    let a_window = all_pages(
        &app,
        &app.client,
        &format!("/v1/payments?customer={a}&from={}", today.minus_days(3)),
    )
    .await;
    assert_eq!(
        a_window.iter().map(|p| &p["id"]).collect::<Vec<_>>(),
        vec![&made[2].0]
    );

    // One at a time, with a cursor bound to its filter.
    let first = get(
        &app,
        &app.client,
        &format!("/v1/payments?limit=1&customer={a}"),
    )
    .await;
    assert_eq!(first["data"][0]["id"], made[2].0);
    let cursor = first["next"].as_str().expect("next");
    let second = get(
        &app,
        &app.client,
        &format!("/v1/payments?limit=1&customer={a}&next={cursor}"),
    )
    .await;
    assert_eq!(second["data"][0]["id"], made[0].0);
    assert_eq!(second["next"], Value::Null);
    let elsewhere = app
        .client
        .get(app.url(&format!("/v1/payments?limit=1&customer={b}&next={cursor}")))
        .send()
        .await
        .expect("get");
    assert_eq!(
        elsewhere.status(),
        400,
        "a cursor only resumes its own list"
    );

    for (query, field) in [
        (format!("from={}&to={}", today, today.minus_days(1)), "to"),
        ("from=yesterday".to_owned(), "from"),
        (
            "customer=inv_01KAT5Q3B2ZP8V1N6X4M9R7C0D".to_owned(),
            "customer",
        ),
        ("status=paid".to_owned(), "status"),
    ] {
        app.assert_refused_by_name(&app.client, &format!("/v1/payments?{query}"), field)
            .await;
    }
}

#[tokio::test]
async fn a_retried_payment_is_recorded_once() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let today = today(&app);
    let customer = customer(&app, &app.client, "Kunde").await;
    let invoice = issued(
        &app,
        &app.client,
        &customer,
        "100.00",
        "EUR",
        (today, today),
    )
    .await;
    let path = format!(
        "/v1/invoices/{}/payments",
        invoice["id"].as_str().expect("id")
    );
    let body = json!({"amount": "40", "date": today.to_string(), "method": "card"});
    let send = |body: Value| {
        let (app, path) = (&app, &path);
        async move {
            app.post(&app.client, path)
                .header("idempotency-key", "payment-1")
                .json(&body)
                .send()
                .await
                .expect("pay")
        }
    };
    let first = send(body.clone()).await;
    assert_eq!(first.status(), 201);
    let first = json_of(first).await;
    let again = send(body).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(json_of(again).await["id"], first["id"]);
    let other = send(json!({"amount": "41", "date": today.to_string(), "method": "card"})).await;
    assert_eq!(other.status(), 422);
    assert_eq!(invoice_of(&app, &invoice).await["amount_paid"], "40.00");
}

#[tokio::test]
async fn another_tenant_gets_404_and_the_table_holds_no_payment_in_plain_text() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let today = today(&app);
    let customer = customer(&app, &app.client, "Kunde").await;
    let invoice = issued(
        &app,
        &app.client,
        &customer,
        "8642.13",
        "EUR",
        (today, today),
    )
    .await;
    let payment = app
        .post(
            &app.client,
            &format!(
                "/v1/invoices/{}/payments",
                invoice["id"].as_str().expect("id")
            ),
        )
        .json(
            &json!({"amount": "4321.09", "date": today.to_string(), "method": "cheque",
            "reference": "Cheque 77-GEHEIM", "note": "Handed over at the Vertraulich fair"}),
        )
        .send()
        .await
        .expect("pay");
    assert_eq!(payment.status(), 201);
    let payment = json_of(payment).await;
    let payment_path = format!("/v1/payments/{}", payment["id"].as_str().expect("id"));

    let intruder = app.new_client();
    app.signup(&intruder).await;
    let status = |response: Response| response.status().as_u16();
    assert_eq!(
        status(
            intruder
                .get(app.url(&payment_path))
                .send()
                .await
                .expect("get")
        ),
        404
    );
    let delete = app
        .unsafe_request(&intruder, Method::DELETE, &payment_path)
        .header("if-match", "*")
        .send()
        .await
        .expect("delete");
    assert_eq!(status(delete), 404);
    let invoice_payments = format!(
        "/v1/invoices/{}/payments",
        invoice["id"].as_str().expect("id")
    );
    assert_eq!(
        status(
            intruder
                .get(app.url(&invoice_payments))
                .send()
                .await
                .expect("get")
        ),
        404
    );
    let theirs = app
        .post(&intruder, &invoice_payments)
        .json(&json!({"amount": "1", "date": today.to_string(), "method": "cash"}))
        .send()
        .await
        .expect("pay");
    assert_eq!(status(theirs), 404);
    assert_eq!(
        get(&app, &intruder, "/v1/payments").await["data"],
        json!([])
    );
    assert_eq!(
        get(&app, &intruder, "/v1/summary").await["currencies"],
        json!([])
    );
    assert_eq!(invoice_of(&app, &invoice).await["amount_paid"], "4321.09");

    let needles = ["4321.09", "4321.04", "8642.13", "77-GEHEIM", "Vertraulich"];
    app.stack.assert_no_plain_text(&needles).await;

    // The owner's export holds it; the intruder's does not.
    let export = crate::exports::export(&app, &app.client, "payments").await;
    let rows = crate::exports::fetch_csv(&app, &app.client, &export).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let header = &rows[0];
    let cell = |name: &str| rows[1][header.iter().position(|h| h == name).expect(name)].clone();
    assert_eq!(cell("id"), payment["id"].as_str().expect("id"));
    assert_eq!(
        cell("invoice_number"),
        invoice["number"].as_str().expect("number")
    );
    assert_eq!(cell("amount"), "4321.09");
    assert_eq!(cell("method"), "cheque");
    assert_eq!(cell("reference"), "Cheque 77-GEHEIM");
    let theirs = crate::exports::export(&app, &intruder, "payments").await;
    assert_eq!(
        crate::exports::fetch_csv(&app, &intruder, &theirs)
            .await
            .len(),
        1
    );
}

/// AWS calls of recording a payment and of the summary on a warm container (the closing note
/// reports them; `--nocapture` prints them).
#[tokio::test]
async fn warm_payment_routes_make_the_budgeted_aws_calls() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let today = today(&app);
    let customer = customer(&app, &app.client, "Kunde").await;
    let invoice = issued(
        &app,
        &app.client,
        &customer,
        "100.00",
        "EUR",
        (today.minus_days(9), today.minus_days(1)),
    )
    .await;
    let calls = app.state().aws_calls();
    let delta = |before: &std::collections::BTreeMap<String, u64>| calls.since(before);
    let before = calls.snapshot();
    assert_eq!(
        pay(&app, &app.client, &invoice, "10", today).await.status(),
        201
    );
    let record = delta(&before);
    let before = calls.snapshot();
    let summary = get(&app, &app.client, "/v1/summary").await;
    let read = delta(&before);
    println!("POST payment: {record:?}\nGET summary: {read:?}");
    assert_eq!(summary["currencies"][0]["overdue_count"], 1);
    let expect = |pairs: &[(&str, u64)]| {
        pairs
            .iter()
            .map(|(op, n)| ((*op).to_owned(), *n))
            .collect::<BTreeMap<_, _>>()
    };
    // Invoice, settings and totals in parallel; the account's webhook subscriptions, as the
    // payment emits `payment.recorded` (decision 0025); one transaction.
    assert_eq!(
        record,
        expect(&[("dynamodb:GetItem", 4), ("dynamodb:TransactWriteItems", 1)])
    );
    // Settings, totals and one page of the overdue index in parallel; the session check.
    assert_eq!(
        read,
        expect(&[
            ("dynamodb:GetItem", 2),
            ("dynamodb:Query", 1),
            ("dynamodb:TransactGetItems", 1)
        ])
    );
}
