//! Each account's hourly quotas of what costs the most: past one, the answer is 429 with
//! `Retry-After`, nothing is done, and other accounts are untouched.

use invoiceflow::domain::throttle::Budget;
use invoiceflow_tests::{Account, Instance, session_token, spawn_app};
use serde_json::{Value, json};

fn hourly(max: u32) -> Budget {
    Budget {
        max,
        window_seconds: 3600,
    }
}

async fn export(instance: &Instance, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(instance.url("/v1/exports"))
        .header("cookie", format!("__Host-session={token}"))
        .header("x-requested-with", "test")
        .header("origin", &instance.base)
        .json(&json!({"dataset": "customers"}))
        .send()
        .await
        .expect("export")
}

async fn pdf(instance: &Instance, token: &str, id: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(instance.url(&format!("/v1/invoices/{id}/pdf")))
        .header("cookie", format!("__Host-session={token}"))
        .send()
        .await
        .expect("pdf")
}

/// A new session on `instance` (its clock moved on: the old one idled out).
async fn log_in(instance: &Instance, account: &Account) -> reqwest::Response {
    reqwest::Client::new()
        .post(instance.url("/v1/auth/login"))
        .header("x-requested-with", "test")
        .header("origin", &instance.base)
        .json(&json!({"email": account.email, "password": account.password}))
        .send()
        .await
        .expect("login")
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds")
}

#[tokio::test]
async fn an_account_s_hourly_quotas_are_its_own_and_end_with_429_and_retry_after() {
    let app = spawn_app().await;
    let ann = app.signup(&app.client).await;
    let bob_client = app.new_client();
    let bob = app.signup(&bob_client).await;
    let tight = app
        .instance_configured(|config| {
            config.quotas.exports = hourly(2);
            config.quotas.pdfs = hourly(1);
        })
        .await;

    for _ in 0..2 {
        assert_eq!(export(&tight, &ann.token).await.status(), 201);
    }
    let refused = export(&tight, &ann.token).await;
    assert_eq!(refused.status(), 429);
    assert!((1..=3600).contains(&retry_after(&refused)));
    let problem: Value = refused.json().await.expect("problem");
    assert!(
        problem["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("too-many-requests")),
        "{problem}"
    );
    let listed: Value = app
        .client
        .get(app.url("/v1/exports"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(
        listed["data"].as_array().map(Vec::len),
        Some(2),
        "nothing written"
    );
    // Another account's quota is its own.
    assert_eq!(export(&tight, &bob.token).await.status(), 201);
    // An hour later the account may export again (once logged in again: the session idled out).
    tight.state.clock.advance(3601);
    let login = log_in(&tight, &ann).await;
    let token = session_token(&login).expect("a session");
    assert_eq!(export(&tight, &token).await.status(), 201);

    // PDFs: one an hour here.
    let customer: Value = app
        .post(&bob_client, "/v1/customers")
        .json(&json!({"name": "Nordlicht GmbH", "currency": "EUR"}))
        .send()
        .await
        .expect("customer")
        .json()
        .await
        .expect("json");
    let invoice: Value = app
        .post(&bob_client, "/v1/invoices")
        .json(&json!({"customer_id": customer["id"], "issue_date": "2026-11-25",
                      "lines": [{"description": "Beratung", "quantity": "1", "unit_price": "100.00", "tax_rate": "19"}]}))
        .send()
        .await
        .expect("draft")
        .json()
        .await
        .expect("json");
    let id = invoice["id"].as_str().expect("id");
    let login = log_in(&tight, &bob).await;
    let bob_token = session_token(&login).expect("a session");
    assert_eq!(pdf(&tight, &bob_token, id).await.status(), 200);
    let refused = pdf(&tight, &bob_token, id).await;
    assert_eq!(refused.status(), 429);
    assert!((1..=3600).contains(&retry_after(&refused)));
}
