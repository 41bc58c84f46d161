//! `Idempotency-Key`: a retry of the same request is answered as the first was and writes
//! nothing; a key is scoped to its method and path; the record keeps no plain digest of the
//! request; a request that loses its claim to a retry is answered as the retry was.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use invoiceflow_tests::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn an_idempotency_key_reused_on_another_route_is_another_request() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let customer = app
        .post(&app.client, "/v1/customers")
        .header("idempotency-key", "same-key")
        .json(&json!({"name": "Keyed GmbH"}))
        .send()
        .await
        .expect("customer");
    assert_eq!(customer.status(), 201);
    let service = app
        .post(&app.client, "/v1/services")
        .header("idempotency-key", "same-key")
        .json(&json!({"name": "Keyed GmbH", "unit_price": "10.00"}))
        .send()
        .await
        .expect("service");
    assert_eq!(
        service.status(),
        201,
        "not the customer's replay, nor a 422"
    );
    assert!(service.headers().get("idempotent-replayed").is_none());
    let body: Value = service.json().await.expect("service");
    assert!(body["id"].as_str().is_some_and(|id| id.starts_with("svc_")));
}

#[tokio::test]
async fn an_idempotency_record_holds_no_plain_digest_of_the_request() {
    use sha2::Digest as _;
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let body = serde_json::to_vec(&json!({"name": "Guessable Ltd"})).expect("json");
    let response = app
        .post(&app.client, "/v1/customers")
        .header("idempotency-key", "k-1")
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .expect("create");
    assert_eq!(response.status(), 201);
    let guesses = [
        hex(&sha2::Sha256::digest(&body)),
        hex(&sha2::Sha256::digest(b"k-1")),
    ];
    let items = app.stack.raw_items().await;
    let records: Vec<_> = items
        .iter()
        .filter(|item| item.get("type") == Some(&AttributeValue::S("idempotency".into())))
        .collect();
    assert_eq!(records.len(), 1);
    for item in &items {
        for value in item.values() {
            if let AttributeValue::S(text) = value {
                for guess in &guesses {
                    assert!(
                        !text.contains(guess.as_str()),
                        "an operator could test a guess: {text}"
                    );
                }
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A retry that takes over the key of a request that outlived its idempotency claim (the
/// lease ran out while it worked), on another instance, and loses it at commit to that
/// request, is answered as that request was: one customer, and the same response twice.
#[tokio::test]
async fn a_retry_that_loses_a_taken_over_claim_is_answered_as_the_first_request_was() {
    let logs = invoiceflow_tests::capture_logs();
    // On an emulator of its own: a wait behind the run's other tests would reorder the claims.
    let app = invoiceflow_tests::spawn_app_alone().await;
    let account = app.signup(&app.client).await;
    // Each AWS answer arrives 1 s late on the first instance and 2 s late on the retry's, whose
    // clock is past the first claim's lease. Warm, a create claims the key with its first call,
    // so: the first request claims (t≈0 s); the retry takes the key over (t≈0.5 s); the first
    // request commits (t≈1 to 2 s); the retry's commit, after t≈2.5 s, finds the key done.
    let first_instance = app.instance_beside(Duration::from_secs(1)).await;
    let retry_instance = app.instance_beside(Duration::from_secs(2)).await;
    retry_instance
        .state
        .clock
        .advance(invoiceflow::store::LEASE_SECONDS + 1);
    let client = reqwest::Client::new();
    let send = |instance: &invoiceflow_tests::Instance, method: reqwest::Method, path: &str| {
        client
            .request(method, instance.url(path))
            .header("cookie", format!("__Host-session={}", account.token))
            .header("x-requested-with", "XMLHttpRequest")
            .header("origin", &instance.base)
    };
    // Warm both instances: the data key and the session's public key are cached.
    let (warm_first, warm_retry) = tokio::join!(
        send(&first_instance, reqwest::Method::GET, "/v1/customers").send(),
        send(&retry_instance, reqwest::Method::GET, "/v1/customers").send(),
    );
    assert_eq!(warm_first.expect("get").status(), 200);
    assert_eq!(warm_retry.expect("get").status(), 200);

    let body = json!({"name": "Outlived GmbH", "currency": "EUR"});
    let create = |instance| {
        send(instance, reqwest::Method::POST, "/v1/customers")
            .header("idempotency-key", "outlived")
            .json(&body)
            .send()
    };
    let retried = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        create(&retry_instance).await
    };
    let (first, retried) = tokio::join!(create(&first_instance), retried);
    let (first, retried) = (first.expect("first"), retried.expect("retry"));
    assert_eq!(first.status(), 201);
    assert_eq!(retried.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    assert_eq!(retried.headers()["idempotent-replayed"], "true");
    let retry_id = retried.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_owned();
    let lost = invoiceflow_tests::request_lines(&logs, &retry_id);
    assert!(
        lost.iter().any(|line| line["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("claim lost at commit"))),
        "the retry took the key over and lost it at commit: {lost:?}"
    );
    let (first, retried): (Value, Value) = (
        first.json().await.expect("customer"),
        retried.json().await.expect("customer"),
    );
    assert_eq!(retried, first);

    assert_eq!(app.customer_names(&account.token).await, ["Outlived GmbH"]);
}

#[tokio::test]
async fn a_key_with_a_space_or_tab_is_refused_naming_the_header_and_nothing_is_written() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    for key in ["two words", "tab\there", " ", &"k".repeat(256)] {
        let response = app
            .post(&app.client, "/v1/customers")
            .header("idempotency-key", key)
            .json(&json!({"name": "Keyed GmbH"}))
            .send()
            .await
            .expect("customer");
        assert_eq!(response.status(), 400, "{key:?}");
        let problem: Value = response.json().await.expect("problem");
        assert_eq!(problem["errors"][0]["field"], "Idempotency-Key", "{key:?}");
    }
    let list: Value = app
        .client
        .get(app.url("/v1/customers"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list["data"], json!([]));
}
