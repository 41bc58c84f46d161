//! Webhooks: an endpoint gets the events it asked for, signed so that the Standard Webhooks
//! reference library verifies them; no event without its committed change; a failing
//! receiver gets the same `webhook-id` on every retry; disabling stops what was queued and
//! retrying; no delivery goes to a non-public address, even one a name resolves to later;
//! bad endpoints are refused naming the field; no API key manages webhooks.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use invoiceflow::AppState;
use invoiceflow_tests::{TestApp, spawn_app};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::documents::root;

/// One request a receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: Vec<(String, String)>,
    body: String,
    at: Instant,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    fn payload(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON payload")
    }
}

/// A local receiver on a loopback port: it keeps every request and answers the statuses of
/// `script` in turn (then 200).
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(script: Vec<u16>) -> Self {
        let got = Arc::new(Mutex::new(Vec::<Received>::new()));
        let script = Arc::new(Mutex::new(script.into_iter()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!(
            "http://{}/hooks/invoiceflow",
            listener.local_addr().expect("addr")
        );
        let (kept, answers) = (got.clone(), script.clone());
        let app = axum::Router::new().route(
            "/hooks/invoiceflow",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let (kept, answers) = (kept.clone(), answers.clone());
                async move {
                    kept.lock().expect("lock").push(Received {
                        headers: headers
                            .iter()
                            .map(|(n, v)| {
                                (n.to_string(), v.to_str().unwrap_or_default().to_owned())
                            })
                            .collect(),
                        body,
                        at: Instant::now(),
                    });
                    let status = answers.lock().expect("lock").next().unwrap_or(200);
                    axum::http::StatusCode::from_u16(status).expect("status")
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, got }
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }
}

/// Delivers what the queue holds, again and again, until the receiver has `count` requests or
/// `within` has passed (retries wait in the queue for their pause).
async fn deliver_until(state: &AppState, receiver: &Receiver, count: usize, within: Duration) {
    let started = Instant::now();
    while receiver.received().len() < count && started.elapsed() < within {
        invoiceflow::webhooks::drain(state).await.expect("drain");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A GET with the owner's session: its JSON.
async fn read(app: &TestApp, path: &str) -> Value {
    let response = app.client.get(app.url(path)).send().await.expect("get");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.expect("json")
}

async fn make_endpoint(app: &TestApp, client: &Client, body: &Value) -> Value {
    let response = app
        .post(client, "/v1/webhook-endpoints")
        .json(body)
        .send()
        .await
        .expect("make an endpoint");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.expect("json")
}

async fn made(app: &TestApp, client: &Client, path: &str, body: &Value) -> Value {
    let response = app
        .post(client, path)
        .json(body)
        .send()
        .await
        .expect("post");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.expect("json")
}

fn today(app: &TestApp) -> String {
    app.state().clock.now().to_string()[..10].to_owned()
}

/// An issued invoice of 119.00 (100.00 and 19 % VAT): its id.
async fn issued_invoice(app: &TestApp, client: &Client) -> String {
    let customer = made(
        app,
        client,
        "/v1/customers",
        &json!({"name": "Kunde", "currency": "EUR"}),
    )
    .await;
    let draft = made(
        app,
        client,
        "/v1/invoices",
        &json!({"customer_id": customer["id"], "issue_date": today(app),
                "lines": [{"description": "Beratung", "quantity": "1", "unit_price": "100.00", "tax_rate": "19"}]}),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    made(app, client, &format!("/v1/invoices/{id}/issue"), &json!({})).await;
    id
}

async fn pay(app: &TestApp, client: &Client, invoice: &str, amount: &str) -> Value {
    made(
        app,
        client,
        &format!("/v1/invoices/{invoice}/payments"),
        &json!({"amount": amount, "date": today(app), "method": "bank_transfer"}),
    )
    .await
}

/// Verifies each delivery with the Standard Webhooks reference library (PyPI
/// `standardwebhooks`, pinned in infra/requirements.txt): the payloads it parsed.
fn verified_by_reference(secret: &str, deliveries: &[Received]) -> Vec<Value> {
    let input: Vec<Value> = deliveries
        .iter()
        .map(|d| {
            json!({"secret": secret, "body": d.body, "headers": {
                "webhook-id": d.header("webhook-id"),
                "webhook-timestamp": d.header("webhook-timestamp"),
                "webhook-signature": d.header("webhook-signature"),
            }})
        })
        .collect();
    let file = std::env::temp_dir().join(format!("webhooks-{}.json", ulid::Ulid::generate()));
    std::fs::write(&file, serde_json::to_vec(&input).expect("json")).expect("write");
    let output = std::process::Command::new(root().join("infra/.venv/bin/python"))
        .arg(root().join("tests/tools/verify_webhook.py"))
        .arg(&file)
        .output()
        .expect("run the reference library");
    let _ = std::fs::remove_file(&file);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&output.stdout).expect("json");
    results
        .into_iter()
        .map(|r| {
            assert_eq!(r["verified"], true, "{r}");
            r["payload"].clone()
        })
        .collect()
}

#[tokio::test]
async fn an_issued_and_paid_invoice_reaches_the_receiver_signed_as_the_reference_library_verifies()
{
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let receiver = Receiver::start(vec![]).await;
    let endpoint = make_endpoint(
        &app,
        &app.client,
        &json!({"url": receiver.url, "events": ["invoice.issued", "payment.recorded", "invoice.paid"]}),
    )
    .await;
    let secret = endpoint["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("whsec_"), "{endpoint}");
    assert_eq!(endpoint["payload"], "ids", "ids only unless asked");

    let invoice = issued_invoice(&app, &app.client).await;
    let payment = pay(&app, &app.client, &invoice, "119.00").await;
    deliver_until(app.state(), &receiver, 3, Duration::from_secs(20)).await;

    let got = receiver.received();
    let payloads = verified_by_reference(&secret, &got);
    let seen: Vec<(String, String)> = payloads
        .iter()
        .map(|p| {
            (
                p["type"].as_str().unwrap_or_default().to_owned(),
                p["data"]["id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let payment_id = payment["id"].as_str().expect("id").to_owned();
    for expected in [
        ("invoice.issued".to_owned(), invoice.clone()),
        ("payment.recorded".to_owned(), payment_id),
        ("invoice.paid".to_owned(), invoice.clone()),
    ] {
        assert!(seen.contains(&expected), "{expected:?} in {seen:?}");
    }
    assert_eq!(got.len(), 3, "each event once: {seen:?}");
    // Ids only: the payload names the object and nothing of its content.
    for payload in &payloads {
        let data = payload["data"].as_object().expect("data");
        assert_eq!(
            data.keys().collect::<Vec<_>>(),
            ["id", "object"],
            "{payload}"
        );
    }
    assert!(
        !got.iter().any(|d| d.body.contains("Kunde")),
        "no customer name leaves"
    );

    // The owner asks for objects: the next event carries the invoice.
    let response = app
        .unsafe_request(
            &app.client,
            Method::PATCH,
            &format!(
                "/v1/webhook-endpoints/{}",
                endpoint["id"].as_str().expect("id")
            ),
        )
        .header("if-match", "*")
        .json(&json!({"payload": "object", "events": ["invoice.issued"]}))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), 200);
    let second = issued_invoice(&app, &app.client).await;
    deliver_until(app.state(), &receiver, 4, Duration::from_secs(20)).await;
    let last = receiver.received().pop().expect("a fourth delivery");
    let payload = &verified_by_reference(&secret, std::slice::from_ref(&last))[0];
    assert_eq!(payload["data"]["id"], second.as_str());
    assert_eq!(payload["data"]["status"], "issued", "{payload}");

    // The log holds each attempt: event, attempt, outcome, status, time, response time.
    let log = read(
        &app,
        &format!(
            "/v1/webhook-endpoints/{}/deliveries",
            endpoint["id"].as_str().expect("id")
        ),
    )
    .await;
    let entries = log["data"].as_array().expect("entries");
    assert_eq!(entries.len(), 4, "{log}");
    assert!(
        entries.iter().all(|e| e["outcome"] == "delivered"
            && e["status"] == 200
            && e["attempt"] == 1
            && e["response_ms"].is_u64()),
        "{log}"
    );
    assert!(!log.to_string().contains("Beratung"), "no bodies are kept");
}

#[tokio::test]
async fn an_invoice_still_open_when_it_falls_due_is_reported_overdue_once() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let receiver = Receiver::start(vec![]).await;
    make_endpoint(
        &app,
        &app.client,
        &json!({"url": receiver.url, "events": ["invoice.overdue"]}),
    )
    .await;
    let unpaid = issued_invoice(&app, &app.client).await;
    let paid = issued_invoice(&app, &app.client).await;
    pay(&app, &app.client, &paid, "119.00").await;
    let invoice = read(&app, &format!("/v1/invoices/{unpaid}")).await;
    let due_at = invoice["due_at"].as_str().expect("due_at").to_owned();
    // Before it falls due: nothing.
    let (report, _) = invoiceflow_tests::passes_until_done(app.state()).await;
    assert_eq!(report.reported_overdue, 0, "{report:?}");
    // An hour after.
    let after = invoiceflow::domain::Timestamp::parse(&due_at)
        .expect("a time")
        .plus_seconds(3_600);
    app.move_clock_to(&after.to_string());
    let (report, _) = invoiceflow_tests::passes_until_done(app.state()).await;
    assert_eq!(report.reported_overdue, 1, "{report:?}");
    let (again, _) = invoiceflow_tests::passes_until_done(app.state()).await;
    assert_eq!(again.reported_overdue, 0, "once: {again:?}");
    deliver_until(app.state(), &receiver, 1, Duration::from_secs(10)).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].payload()["type"], "invoice.overdue");
    assert_eq!(got[0].payload()["data"]["id"], unpaid.as_str());
    // Days later: the session has ended; a new login reads the trail.
    let client = app.new_client();
    let login = app.login(&client, &account.email, &account.password).await;
    assert_eq!(login.status(), 200);
    let audit: Value = client
        .get(app.url("/v1/audit"))
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    assert!(
        audit["data"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["action"] == "invoice.overdue" && e["object"] == unpaid.as_str()),
        "{audit}"
    );
}

#[tokio::test]
async fn after_a_rotation_both_secrets_sign_and_the_reference_library_verifies_each() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let receiver = Receiver::start(vec![]).await;
    let endpoint = make_endpoint(
        &app,
        &app.client,
        &json!({"url": receiver.url, "events": ["invoice.issued"]}),
    )
    .await;
    let id = endpoint["id"].as_str().expect("id").to_owned();
    let old = endpoint["secret"].as_str().expect("secret").to_owned();
    let response = app
        .post(
            &app.client,
            &format!("/v1/webhook-endpoints/{id}/rotate-secret"),
        )
        .header("if-match", "*")
        .send()
        .await
        .expect("rotate");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let rotated: Value = response.json().await.expect("json");
    let new = rotated["secret"]
        .as_str()
        .expect("the new secret")
        .to_owned();
    assert_ne!(new, old);
    assert_eq!(
        read(&app, &format!("/v1/webhook-endpoints/{id}")).await["secret"],
        Value::Null,
        "shown once"
    );
    let response = app
        .post(&app.client, &format!("/v1/webhook-endpoints/{id}/test"))
        .send()
        .await
        .expect("test event");
    assert_eq!(response.status(), 202);
    deliver_until(app.state(), &receiver, 1, Duration::from_secs(10)).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].header("webhook-signature").split(' ').count(),
        2,
        "both signatures during the overlap"
    );
    // A receiver still on the old secret, and one already on the new, both accept it.
    let by_old = verified_by_reference(&old, &got);
    let by_new = verified_by_reference(&new, &got);
    assert_eq!(by_old[0]["type"], "webhook.test");
    assert_eq!(by_new[0]["data"]["id"], id.as_str());
}

#[tokio::test]
async fn a_change_whose_transaction_fails_emits_nothing() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let receiver = Receiver::start(vec![]).await;
    make_endpoint(
        &app,
        &app.client,
        &json!({"url": receiver.url, "events": ["invoice.issued"]}),
    )
    .await;
    let invoice = issued_invoice(&app, &app.client).await;
    let tenant = invoiceflow::domain::TenantId::parse_for_tests(
        account.body["account"]["id"].as_str().expect("account id"),
    )
    .expect("tenant");
    // A transaction that reports an issue and creates an item that is already there.
    let store = &app.state().store;
    let mut tx = store.transaction(&tenant).await.expect("tx");
    let id: invoiceflow::domain::ids::InvoiceId = invoice.parse().expect("id");
    let existing = store
        .get::<invoiceflow::domain::invoice::Invoice>(
            &tenant,
            &invoiceflow::store::keys::invoice(&tenant, &id),
        )
        .await
        .expect("read")
        .expect("there");
    tx.emit(invoiceflow::domain::webhook::EventType::InvoiceIssued, id)
        .create(
            &invoiceflow::store::keys::invoice(&tenant, &id),
            &existing.record,
        );
    assert!(store.commit(tx).await.is_err(), "the create fails");
    deliver_until(app.state(), &receiver, 2, Duration::from_secs(3)).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1, "only the real issue's event");
    let events = store
        .list::<invoiceflow::domain::webhook::Event>(
            &tenant,
            invoiceflow::store::Collection::Events,
            100,
            None,
        )
        .await
        .expect("events");
    assert_eq!(events.items.len(), 1, "no event item without its change");
}

#[tokio::test]
async fn a_receiver_failing_twice_gets_the_same_webhook_id_three_times_and_the_log_shows_each_try()
{
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let retrying = app
        .instance_configured(|c| c.webhook_retry_pauses = vec![Duration::from_secs(1); 3])
        .await;
    let receiver = Receiver::start(vec![500, 500, 200]).await;
    let endpoint = make_endpoint(
        &app,
        &app.client,
        &json!({"url": receiver.url, "events": ["invoice.issued"]}),
    )
    .await;
    let secret = endpoint["secret"].as_str().expect("secret");
    issued_invoice(&app, &app.client).await;
    deliver_until(&retrying.state, &receiver, 3, Duration::from_secs(30)).await;
    let got = receiver.received();
    assert_eq!(got.len(), 3);
    let ids: Vec<&str> = got.iter().map(|d| d.header("webhook-id")).collect();
    assert!(
        ids[0].starts_with("evt_") && ids.iter().all(|id| *id == ids[0]),
        "{ids:?}"
    );
    verified_by_reference(secret, &got);
    let log = read(
        &app,
        &format!(
            "/v1/webhook-endpoints/{}/deliveries",
            endpoint["id"].as_str().expect("id")
        ),
    )
    .await;
    let tries: Vec<(u64, &str, u64)> = log["data"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["attempt"].as_u64().unwrap_or(0),
                e["outcome"].as_str().unwrap_or(""),
                e["status"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        tries,
        [
            (3, "delivered", 200),
            (2, "failed", 500),
            (1, "failed", 500)
        ],
        "{log}"
    );
    let view = read(
        &app,
        &format!(
            "/v1/webhook-endpoints/{}",
            endpoint["id"].as_str().expect("id")
        ),
    )
    .await;
    assert_eq!(
        view["failing_since"],
        Value::Null,
        "a success ends the failing"
    );
}

#[tokio::test]
async fn disabling_an_endpoint_stops_what_is_queued_and_retrying_and_enabling_does_not_replay_it() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let retrying = app
        .instance_configured(|c| c.webhook_retry_pauses = vec![Duration::from_secs(1); 5])
        .await;
    let receiver = Receiver::start(vec![500; 10]).await;
    let endpoint = make_endpoint(
        &app,
        &app.client,
        &json!({"url": receiver.url, "events": ["invoice.issued", "payment.recorded"]}),
    )
    .await;
    let id = endpoint["id"].as_str().expect("id").to_owned();
    let invoice = issued_invoice(&app, &app.client).await;
    // The first attempt fails: its retry waits in the queue.
    deliver_until(&retrying.state, &receiver, 1, Duration::from_secs(10)).await;
    assert_eq!(receiver.received().len(), 1);
    // Another event is queued, not yet delivered.
    pay(&app, &app.client, &invoice, "10.00").await;
    let response = app
        .unsafe_request(
            &app.client,
            Method::PATCH,
            &format!("/v1/webhook-endpoints/{id}"),
        )
        .header("if-match", "*")
        .json(&json!({"enabled": false}))
        .send()
        .await
        .expect("disable");
    assert_eq!(response.status(), 200);
    let disabled: Value = response.json().await.expect("json");
    assert_eq!(
        (disabled["enabled"].clone(), disabled["disabled_by"].clone()),
        (json!(false), json!("owner"))
    );
    // Past every pause: whatever was queued or retrying is taken and not delivered.
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(4) {
        invoiceflow::webhooks::drain(&retrying.state)
            .await
            .expect("drain");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(
        receiver.received().len(),
        1,
        "nothing reached it after it was disabled"
    );
    let log = read(&app, &format!("/v1/webhook-endpoints/{id}/deliveries")).await;
    let skipped = log["data"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["outcome"] == "skipped")
        .count();
    assert_eq!(
        skipped, 2,
        "the retry and the queued event were skipped: {log}"
    );
    // Enabling starts with the next event; what was skipped stays skipped.
    let response = app
        .unsafe_request(
            &app.client,
            Method::PATCH,
            &format!("/v1/webhook-endpoints/{id}"),
        )
        .header("if-match", "*")
        .json(&json!({"enabled": true}))
        .send()
        .await
        .expect("enable");
    assert_eq!(response.status(), 200);
    for _ in 0..3 {
        invoiceflow::webhooks::drain(&retrying.state)
            .await
            .expect("drain");
    }
    assert_eq!(
        receiver.received().len(),
        1,
        "nothing is replayed unless asked"
    );
    // Asked: the events since before the invoice are delivered again.
    let replayed = made(
        &app,
        &app.client,
        &format!("/v1/webhook-endpoints/{id}/replay"),
        &json!({"since": "2000-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(replayed["queued"], 2, "{replayed}");
}

#[tokio::test]
async fn an_endpoint_failing_for_three_days_is_disabled_and_the_owner_told() {
    let app = invoiceflow_tests::spawn_app_alone().await;
    let account = app.signup(&app.client).await;
    let retrying = app
        .instance_configured(|c| c.webhook_retry_pauses = vec![Duration::from_secs(1); 10])
        .await;
    let receiver = Receiver::start(vec![500; 10]).await;
    let endpoint = make_endpoint(
        &app,
        &app.client,
        &json!({"url": receiver.url, "events": ["invoice.issued", "payment.recorded"]}),
    )
    .await;
    let id = endpoint["id"].as_str().expect("id").to_owned();
    let invoice = issued_invoice(&app, &app.client).await;
    deliver_until(&retrying.state, &receiver, 1, Duration::from_secs(10)).await;
    // Three days of failures later, the next attempt fails too.
    let later = retrying.state.clock.now().plus_seconds(3 * 24 * 3600 + 60);
    invoiceflow_tests::move_state_clock_to(&retrying.state, &later.to_string());
    deliver_until(&retrying.state, &receiver, 2, Duration::from_secs(10)).await;
    assert_eq!(receiver.received().len(), 2);
    let view = read(&app, &format!("/v1/webhook-endpoints/{id}")).await;
    assert_eq!(
        (view["enabled"].clone(), view["disabled_by"].clone()),
        (json!(false), json!("failing")),
        "{view}"
    );
    // Nothing more is queued for it: a new event does not go there, and no retry follows.
    pay(&app, &app.client, &invoice, "1.00").await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    for _ in 0..3 {
        invoiceflow::webhooks::drain(&retrying.state)
            .await
            .expect("drain");
    }
    assert_eq!(receiver.received().len(), 2);
    let audit = read(&app, "/v1/audit").await;
    assert!(
        audit["data"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["action"] == "webhook_endpoint.disabled" && e["object"] == id.as_str()),
        "{audit}"
    );
    let mail = app.sent_mail().await;
    let told = mail
        .iter()
        .find(|m| m.destinations.iter().any(|d| d.contains(&account.email)))
        .expect("the owner was e-mailed");
    assert!(
        told.raw.contains("Your webhook endpoint was disabled"),
        "{}",
        told.raw
    );
}

#[tokio::test]
async fn no_request_goes_to_a_non_public_address_even_one_a_name_resolves_to_later() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    // As deployed: loopback not allowed.
    let deployed = app
        .instance_configured(|c| c.webhooks_allow_loopback = false)
        .await;
    let answers = Arc::new(Mutex::new(0_u32));
    let counter = answers.clone();
    deployed
        .state
        .resolve_webhooks_with(Arc::new(move |host: &str| match host {
            "hooks.rebind.test" => {
                let mut n = counter.lock().expect("lock");
                *n += 1;
                // Public when the URL is checked, private when the delivery is made.
                vec![
                    if *n == 1 { "93.184.216.34" } else { "10.0.0.1" }
                        .parse()
                        .expect("ip"),
                ]
            }
            "loopback.test" => vec!["127.0.0.1".parse().expect("ip")],
            "mixed.test" => vec![
                "93.184.216.34".parse().expect("ip"),
                "169.254.169.254".parse().expect("ip"),
            ],
            _ => vec![],
        }));
    let post = |url: &str| {
        app.client
            .post(deployed.url("/v1/webhook-endpoints"))
            .header("x-requested-with", "XMLHttpRequest")
            .header("origin", &deployed.base)
            .json(&json!({"url": url, "events": ["invoice.issued"]}))
            .send()
    };
    for url in [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://loopback.test/hook",
        "https://mixed.test/hook",
        "http://hooks.example.com/hook",
        "http://127.0.0.1:9/hook",
    ] {
        let response = post(url).await.expect("post");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{url}");
        let problem: Value = response.json().await.expect("json");
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
    }
    let response = post("https://hooks.rebind.test/hook").await.expect("post");
    assert_eq!(response.status(), StatusCode::CREATED, "public when saved");
    let endpoint: Value = response.json().await.expect("json");
    issued_invoice(&app, &app.client).await;
    invoiceflow::webhooks::drain(&deployed.state)
        .await
        .expect("drain");
    let log = read(
        &app,
        &format!(
            "/v1/webhook-endpoints/{}/deliveries",
            endpoint["id"].as_str().expect("id")
        ),
    )
    .await;
    let entry = &log["data"][0];
    assert_eq!(entry["outcome"], "failed", "{log}");
    assert!(
        entry["detail"]
            .as_str()
            .is_some_and(|d| d.contains("10.0.0.1") && d.contains("not a public address")),
        "{log}"
    );
    assert_eq!(entry["response_ms"], Value::Null, "no request was made");
}

#[tokio::test]
async fn bad_endpoints_are_refused_naming_the_field_and_no_key_manages_webhooks() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let receiver = Receiver::start(vec![]).await;
    for (body, field) in [
        (
            json!({"url": receiver.url, "events": ["invoice.eaten"]}),
            "events[0]",
        ),
        (json!({"url": receiver.url, "events": []}), "events"),
        (
            json!({"url": format!("https://hooks.example.com/{}", "a".repeat(2_048)), "events": ["invoice.issued"]}),
            "url",
        ),
        (
            json!({"url": "ftp://hooks.example.com/", "events": ["invoice.issued"]}),
            "url",
        ),
    ] {
        let response = app
            .post(&app.client, "/v1/webhook-endpoints")
            .json(&body)
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let problem: Value = response.json().await.expect("json");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    for _ in 0..100 {
        make_endpoint(
            &app,
            &app.client,
            &json!({"url": receiver.url, "events": ["invoice.issued"]}),
        )
        .await;
    }
    let response = app
        .post(&app.client, "/v1/webhook-endpoints")
        .json(&json!({"url": receiver.url, "events": ["invoice.issued"]}))
        .send()
        .await
        .expect("post");
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the 101st"
    );
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["errors"][0]["field"], "url", "{problem}");

    let key: Value = made(
        &app,
        &app.client,
        "/v1/api-keys",
        &json!({"name": "Sync", "scope": "write"}),
    )
    .await;
    let secret = key["secret"].as_str().expect("secret");
    for (method, path) in [
        (Method::GET, "/v1/webhook-endpoints".to_owned()),
        (Method::POST, "/v1/webhook-endpoints".to_owned()),
    ] {
        let response = Client::new()
            .request(method.clone(), app.url(&path))
            .bearer_auth(secret)
            .json(&json!({"url": receiver.url, "events": ["invoice.issued"]}))
            .send()
            .await
            .expect("with a key");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
    }
}

/// The closing note's numbers: what writing an event adds to a warm write (a payment), with no
/// endpoint and with one that wants it, and the time from the write's answer to the
/// receiver's request when the queue is read at once. Prints `MEASURE` lines; asserts the
/// calls, which do not depend on the machine.
#[tokio::test]
async fn measured_an_event_s_cost_on_a_warm_write_and_its_latency_to_receipt() {
    const ROUNDS: usize = 7;
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let invoice = issued_invoice(&app, &app.client).await;
    let calls = app.state().aws_calls();
    let measure = async |rounds: usize| {
        let mut times = Vec::new();
        let mut answered = Vec::new();
        let mut made = std::collections::BTreeMap::<String, u64>::new();
        for _ in 0..rounds {
            let before = calls.snapshot();
            let started = Instant::now();
            pay(&app, &app.client, &invoice, "1.00").await;
            times.push(started.elapsed());
            answered.push(Instant::now());
            for (name, count) in calls.since(&before) {
                *made.entry(name).or_default() += count;
            }
            // Deliveries (if any) are made here, outside the write's time and calls.
            invoiceflow::webhooks::drain(app.state())
                .await
                .expect("drain");
        }
        times.sort();
        (times[rounds / 2], made, answered)
    };
    pay(&app, &app.client, &invoice, "1.00").await; // warm
    let (alone, alone_calls, _) = measure(ROUNDS).await;
    let receiver = Receiver::start(vec![]).await;
    make_endpoint(
        &app,
        &app.client,
        &json!({"url": receiver.url, "events": ["payment.recorded"]}),
    )
    .await;
    let received_before = receiver.received().len();
    let (with_endpoint, with_calls, answered) = measure(ROUNDS).await;
    let got = receiver.received();
    assert_eq!(got.len() - received_before, ROUNDS);
    let mut latencies: Vec<Duration> = got
        .iter()
        .zip(&answered)
        .map(|(received, answer)| received.at.saturating_duration_since(*answer))
        .collect();
    latencies.sort();
    assert!(
        got.iter()
            .all(|d| d.payload()["type"] == "payment.recorded")
    );
    let per_write = |calls: &std::collections::BTreeMap<String, u64>, name: &str| {
        calls.get(name).copied().unwrap_or(0) as f64 / ROUNDS as f64
    };
    // Reading which endpoints want the event is one Query; handing it over is one
    // SendMessageBatch and one UpdateItem (out of the outbox). The delivery's own calls
    // (receive, reads, the log) are the webhooks function's, not the write's.
    let query_delta =
        per_write(&with_calls, "dynamodb:Query") - per_write(&alone_calls, "dynamodb:Query");
    assert_eq!(
        query_delta, 0.0,
        "the endpoints are read either way: {alone_calls:?} {with_calls:?}"
    );
    assert_eq!(
        per_write(&with_calls, "sqs:SendMessageBatch"),
        1.0,
        "{with_calls:?}"
    );
    println!(
        "MEASURE a payment (median of {ROUNDS}), its event written, no endpoint: {alone:?}, calls a write {alone_calls:?}\n\
         MEASURE the same with an endpoint that wants it: {with_endpoint:?} = {:.2}x, calls {with_calls:?}\n\
         MEASURE commit (the write's answer) to the receiver's request, the queue read at once: median {:?}, max {:?}",
        with_endpoint.as_secs_f64() / alone.as_secs_f64(),
        latencies[ROUNDS / 2],
        latencies[ROUNDS - 1],
    );
}
