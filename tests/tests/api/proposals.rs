//! Proposals end to end: draft, send (numbered), the customer's answer, expiry as the clock
//! passes `valid_until`, and conversion into one invoice.

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

async fn customer(app: &TestApp, client: &Client) -> String {
    let response = post(
        app,
        client,
        "/v1/customers",
        &json!({"name": "Kunde Ölçü GmbH", "tax_id": "DE123456789"}),
    )
    .await;
    json_of(response).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// A draft proposal for `customer`; its id.
async fn proposal(app: &TestApp, client: &Client, customer: &str, extra: Value) -> String {
    let mut body = json!({
        "customer_id": customer,
        "lines": [
            {"description": "Website redesign", "quantity": "1", "unit_price": "2400.00", "tax_rate": "19"},
            {"description": "Hosting, months", "quantity": "12", "unit_price": "15.50", "tax_rate": "19"},
        ],
    });
    for (key, value) in extra.as_object().expect("object") {
        body[key] = value.clone();
    }
    let response = post(app, client, "/v1/proposals", &body).await;
    assert_eq!(response.status(), 201);
    json_of(response).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn act(app: &TestApp, client: &Client, id: &str, action: &str, body: Value) -> Response {
    post(app, client, &format!("/v1/proposals/{id}/{action}"), &body).await
}

/// Today on the server's clock, in the account's time zone (UTC by default).
async fn today(app: &TestApp) -> String {
    let now = app.state().clock.now().to_string();
    now[..10].to_owned()
}

#[tokio::test]
async fn a_proposal_is_sent_accepted_and_converted_into_one_invoice() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer_id = customer(&app, &app.client).await;
    let id = proposal(
        &app,
        &app.client,
        &customer_id,
        json!({"issue_date": "2026-11-25"}),
    )
    .await;
    let path = format!("/v1/proposals/{id}");
    let draft = json_of(get(&app, &app.client, &path).await).await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["valid_until"], "2026-12-25", "issue date + 30 days");
    assert_eq!(draft["total"], "3077.34");

    // Only a sent proposal is answered.
    assert_eq!(
        act(&app, &app.client, &id, "accept", json!({}))
            .await
            .status(),
        409
    );
    let sent = act(&app, &app.client, &id, "send", json!({})).await;
    assert_eq!(sent.status(), 200);
    let sent = json_of(sent).await;
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["number"], "PRO-2026-0001");
    assert_eq!(sent["buyer"]["name"], "Kunde Ölçü GmbH");
    assert!(sent["expires_at"].is_string());
    let changed = app
        .unsafe_request(&app.client, Method::PATCH, &path)
        .header("if-match", "*")
        .json(&json!({"notes": "x"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(changed.status(), 409);
    // Converting needs an accepted proposal.
    assert_eq!(
        act(&app, &app.client, &id, "invoice", json!({}))
            .await
            .status(),
        409
    );

    let accepted = act(&app, &app.client, &id, "accept", json!({})).await;
    assert_eq!(accepted.status(), 200);
    assert_eq!(json_of(accepted).await["status"], "accepted");

    let converted = act(&app, &app.client, &id, "invoice", json!({})).await;
    assert_eq!(converted.status(), 201);
    let invoice = json_of(converted).await;
    let invoice_id = invoice["id"].as_str().expect("id").to_owned();
    assert!(invoice_id.starts_with("inv_"));
    assert_eq!(invoice["status"], "draft");
    assert_eq!(invoice["proposal_id"], id.as_str());
    assert_eq!(invoice["customer_id"], customer_id.as_str());
    assert_eq!(invoice["currency"], sent["currency"]);
    assert_eq!(invoice["lines"], sent["lines"]);
    assert_eq!(invoice["total"], sent["total"]);
    let linked = json_of(get(&app, &app.client, &path).await).await;
    assert_eq!(linked["status"], "converted");
    assert_eq!(linked["invoice_id"], invoice_id.as_str());

    // Only once: the second conversion names the invoice, and no second invoice exists.
    let again = act(&app, &app.client, &id, "invoice", json!({})).await;
    assert_eq!(again.status(), 409);
    let problem = json_of(again).await;
    assert_eq!(problem["errors"][0]["field"], "invoice_id");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains(&invoice_id)),
        "{problem}"
    );
    let invoices = json_of(get(&app, &app.client, "/v1/invoices").await).await;
    assert_eq!(invoices["data"].as_array().map(Vec::len), Some(1));

    // Another account sees none of it.
    let intruder = app.new_client();
    app.signup(&intruder).await;
    assert_eq!(get(&app, &intruder, &path).await.status(), 404);
    for action in ["send", "accept", "decline", "invoice"] {
        let body = if action == "send" {
            json!({})
        } else {
            json!({"reason": "x"})
        };
        let response = act(&app, &intruder, &id, action, body).await;
        assert_eq!(response.status(), 404, "{action}");
    }
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
    let theirs = json_of(get(&app, &intruder, "/v1/proposals").await).await;
    assert_eq!(theirs["data"], json!([]));
}

#[tokio::test]
async fn a_sent_proposal_expires_when_the_clock_passes_its_validity() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let customer_id = customer(&app, &app.client).await;
    let today = today(&app).await;
    let expiring = proposal(
        &app,
        &app.client,
        &customer_id,
        json!({"issue_date": today, "valid_until": today}),
    )
    .await;
    let declined = proposal(&app, &app.client, &customer_id, json!({})).await;
    let drafted = proposal(&app, &app.client, &customer_id, json!({})).await;
    for id in [&expiring, &declined] {
        assert_eq!(
            act(&app, &app.client, id, "send", json!({})).await.status(),
            200
        );
    }
    let answer = act(
        &app,
        &app.client,
        &declined,
        "decline",
        json!({"reason": "Over budget"}),
    )
    .await;
    assert_eq!(answer.status(), 200);
    let answer = json_of(answer).await;
    assert_eq!(answer["status"], "declined");
    assert_eq!(answer["decline_reason"], "Over budget");

    let path = format!("/v1/proposals/{expiring}");
    assert_eq!(
        json_of(get(&app, &app.client, &path).await).await["status"],
        "sent"
    );

    // A day and a minute later (and a new login: sessions last 12 hours), its validity is over.
    app.state().clock.advance(24 * 60 * 60 + 60);
    let login = app
        .login(&app.client, &account.email, &account.password)
        .await;
    assert_eq!(login.status(), 200);
    assert_eq!(
        json_of(get(&app, &app.client, &path).await).await["status"],
        "expired"
    );
    let refused = act(&app, &app.client, &expiring, "accept", json!({})).await;
    assert_eq!(refused.status(), 409);
    assert!(
        json_of(refused).await["detail"]
            .as_str()
            .is_some_and(|d| d.contains("expired"))
    );

    let listed = |status: &'static str| {
        let app = &app;
        async move {
            let page =
                json_of(get(app, &app.client, &format!("/v1/proposals?status={status}")).await)
                    .await;
            page["data"]
                .as_array()
                .expect("data")
                .iter()
                .map(|p| p["id"].as_str().expect("id").to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed("expired").await, vec![expiring.clone()]);
    assert_eq!(listed("sent").await, Vec::<String>::new());
    assert_eq!(listed("declined").await, vec![declined.clone()]);
    assert_eq!(listed("draft").await, vec![drafted.clone()]);
    let all = json_of(get(&app, &app.client, "/v1/proposals").await).await;
    let statuses: Vec<&Value> = all["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|p| &p["status"])
        .collect();
    assert_eq!(
        statuses,
        [&json!("draft"), &json!("declined"), &json!("expired")]
    );

    // A validity already over cannot be sent.
    let stale = proposal(
        &app,
        &app.client,
        &customer_id,
        json!({"issue_date": today, "valid_until": today}),
    )
    .await;
    let refused = act(&app, &app.client, &stale, "send", json!({})).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(json_of(refused).await["errors"][0]["field"], "valid_until");
}

/// AWS calls of a warm container for converting a proposal (the closing note reports them).
#[tokio::test]
async fn converting_reads_twice_in_parallel_and_writes_once() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer_id = customer(&app, &app.client).await;
    let id = proposal(&app, &app.client, &customer_id, json!({})).await;
    for action in ["send", "accept"] {
        assert_eq!(
            act(&app, &app.client, &id, action, json!({}))
                .await
                .status(),
            200
        );
    }
    let calls = app.state().aws_calls();
    let before = calls.snapshot();
    let converted = act(&app, &app.client, &id, "invoice", json!({})).await;
    assert_eq!(converted.status(), 201);
    let after = calls.snapshot();
    let delta: std::collections::BTreeMap<String, u64> = after
        .into_iter()
        .filter_map(|(op, n)| {
            let d = n - before.get(&op).copied().unwrap_or(0);
            (d > 0).then_some((op, d))
        })
        .collect();
    println!("convert: {delta:?}");
    let expected: std::collections::BTreeMap<String, u64> = [
        ("dynamodb:GetItem".to_owned(), 2),
        ("dynamodb:TransactWriteItems".to_owned(), 1),
    ]
    .into();
    assert_eq!(delta, expected);
}
