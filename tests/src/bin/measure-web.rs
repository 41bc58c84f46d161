//! `make measure-web`: each page's server time and weight, against a private stack on the local
//! emulator (release build), beside two floors measured in the same run: `/login`, which makes
//! no AWS call (the rendering floor), and `GET /v1/customers`, the API's JSON for one list.
//!
//! An account is set up as a user would have it (company profile, 3 customers, 3 services, a
//! proposal, an issued invoice with a payment, a credit note), then every page is fetched
//! `RUNS` times in turn over loopback HTTP with the session cookie; the median is reported.

use std::time::Instant;

use anyhow::{Context as _, ensure};
use invoiceflow_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

const RUNS: usize = 25;

async fn api(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> anyhow::Result<Value> {
    let response = app
        .new_client()
        .request(method, app.url(path))
        .header("cookie", format!("__Host-session={token}"))
        .header("x-requested-with", "measure")
        .header("if-match", "*")
        .json(&body)
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    ensure!(status.is_success(), "{path}: {status} {body}");
    Ok(body)
}

async fn median_ms(app: &TestApp, token: &str, path: &str) -> anyhow::Result<(f64, usize)> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut times = Vec::with_capacity(RUNS);
    let mut size = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let response = client
            .get(app.url(path))
            .header("cookie", format!("__Host-session={token}"))
            .send()
            .await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        ensure!(status == 200, "{path}: {status}");
        size = bytes.len();
    }
    times.sort_by(f64::total_cmp);
    Ok((times[RUNS / 2], size))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let app = spawn_app().await;
    let account = app.signup(&app.new_client()).await;
    let token = account.token.clone();
    use reqwest::Method;
    api(&app, &token, Method::PUT, "/v1/company", json!({
        "legal_name": account.company_name, "currency": "EUR", "tax_id": "DE123456789",
        "address": {"lines": ["Hauptstraße 1"], "city": "Berlin", "postal_code": "10115", "country": "DE"},
    })).await?;
    let mut customers = Vec::new();
    for name in ["Nordlicht GmbH", "Café Sonne", "Ölçü Handels AG"] {
        let customer = api(&app, &token, Method::POST, "/v1/customers", json!({
            "name": name, "billing_address": {"lines": ["Am Markt 5"], "city": "Hamburg", "country": "DE"},
        })).await?;
        customers.push(customer["id"].as_str().context("id")?.to_owned());
    }
    let mut services = Vec::new();
    for (name, price) in [
        ("Design workshop", "800.00"),
        ("Development", "95.00"),
        ("Brochure", "2.50"),
    ] {
        let service = api(
            &app,
            &token,
            Method::POST,
            "/v1/services",
            json!({"name": name, "unit_price": price, "tax_rate": "19"}),
        )
        .await?;
        services.push(service["id"].as_str().context("id")?.to_owned());
    }
    let lines = json!([{"service_id": services[0], "quantity": "1"}, {"service_id": services[1], "quantity": "10"}]);
    let proposal = api(
        &app,
        &token,
        Method::POST,
        "/v1/proposals",
        json!({"customer_id": customers[0], "lines": lines}),
    )
    .await?;
    let proposal = proposal["id"].as_str().context("id")?.to_owned();
    let draft = api(
        &app,
        &token,
        Method::POST,
        "/v1/invoices",
        json!({"customer_id": customers[1], "lines": lines}),
    )
    .await?;
    let draft = draft["id"].as_str().context("id")?.to_owned();
    let issued = api(
        &app,
        &token,
        Method::POST,
        "/v1/invoices",
        json!({"customer_id": customers[0], "lines": lines}),
    )
    .await?;
    let issued = issued["id"].as_str().context("id")?.to_owned();
    api(
        &app,
        &token,
        Method::POST,
        &format!("/v1/invoices/{issued}/issue"),
        Value::Null,
    )
    .await
    .ok();
    let today = api(&app, &token, Method::GET, "/v1/summary", Value::Null).await?["as_of"].clone();
    api(
        &app,
        &token,
        Method::POST,
        &format!("/v1/invoices/{issued}/payments"),
        json!({"amount": "100.00", "date": today, "method": "bank_transfer"}),
    )
    .await?;
    let credit = api(
        &app,
        &token,
        Method::POST,
        &format!("/v1/invoices/{issued}/credit-notes"),
        json!({"reason": "Goodwill"}),
    )
    .await?;
    let credit = credit["id"].as_str().context("id")?.to_owned();

    let (login, login_size) = median_ms(&app, "", "/login").await?;
    let (list, _) = median_ms(&app, &token, "/v1/customers").await?;
    println!("{RUNS} runs each, median server time over loopback (local emulator, release build)");
    println!(
        "{:<34} {:>8} {:>9} {:>9} {:>8}",
        "page", "ms", "÷ /login", "÷ API list", "bytes"
    );
    println!(
        "{:<34} {:>8.2} {:>9.2} {:>9.2} {:>8}",
        "/login (floor: no AWS call)",
        login,
        1.0,
        login / list,
        login_size
    );
    println!(
        "{:<34} {:>8.2} {:>9.2} {:>9.2} {:>8}",
        "GET /v1/customers (API floor)",
        list,
        list / login,
        1.0,
        ""
    );
    let pages = [
        "/".to_owned(),
        "/customers".to_owned(),
        format!("/customers/{}", customers[0]),
        "/customers/new".to_owned(),
        "/services".to_owned(),
        format!("/services/{}", services[0]),
        "/proposals".to_owned(),
        "/proposals/new".to_owned(),
        format!("/proposals/{proposal}"),
        "/invoices".to_owned(),
        format!("/invoices/{draft}"),
        format!("/invoices/{issued}"),
        "/credit-notes".to_owned(),
        format!("/credit-notes/{credit}"),
        "/payments".to_owned(),
        "/exports".to_owned(),
        "/settings".to_owned(),
        "/audit".to_owned(),
    ];
    for page in pages {
        let (ms, size) = median_ms(&app, &token, &page).await?;
        let shown = page
            .replace(&customers[0], "{customer}")
            .replace(&services[0], "{service}")
            .replace(&proposal, "{draft proposal}")
            .replace(&draft, "{draft invoice}")
            .replace(&issued, "{issued invoice}")
            .replace(&credit, "{credit note}");
        println!(
            "{shown:<34} {ms:>8.2} {:>9.2} {:>9.2} {size:>8}",
            ms / login,
            ms / list
        );
    }
    Ok(())
}
