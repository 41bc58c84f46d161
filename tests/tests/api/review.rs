//! Defects found in review, each pinned by a test: exports written for an ended session,
//! idempotency records an operator could test guesses against or replay across routes, rolled
//! back ciphertexts, non-problem rejections, `If-Match: *`, and a new account without a currency.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use invoiceflow_tests::{TestApp, spawn_app, spawn_interleaving_app};
use serde_json::{Value, json};

fn tenant_of(account: &invoiceflow_tests::Account) -> String {
    account.body["account"]["id"]
        .as_str()
        .expect("account id")
        .trim_start_matches("acc_")
        .to_owned()
}

/// Every object key under the tenant's export prefix.
async fn export_objects(app: &TestApp, tenant: &str) -> Vec<String> {
    let clients = invoiceflow::aws::Clients::new(&app.stack.sdk);
    let s3 = clients.s3();
    s3.list_objects_v2()
        .bucket(&app.stack.stack.config.export_bucket)
        .prefix(format!("exports/acc_{tenant}/"))
        .send()
        .await
        .expect("list objects")
        .contents
        .unwrap_or_default()
        .into_iter()
        .filter_map(|object| object.key)
        .collect()
}

async fn add_customer(app: &TestApp, name: &str) -> Value {
    let response = app
        .post(&app.client, "/v1/customers")
        .json(&json!({"name": name, "currency": "EUR"}))
        .send()
        .await
        .expect("create");
    assert_eq!(response.status(), 201);
    response.json().await.expect("customer")
}

#[tokio::test]
async fn a_logged_out_session_leaves_no_export_file() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    add_customer(&app, "Kept Private GmbH").await;
    let token = account.token.clone();
    app.post(&app.client, "/v1/auth/logout")
        .send()
        .await
        .expect("logout");
    let response = app
        .post(&reqwest::Client::new(), "/v1/exports")
        .header("cookie", format!("__Host-session={token}"))
        .json(&json!({"dataset": "customers"}))
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), 401);
    assert_eq!(
        export_objects(&app, &tenant_of(&account)).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn an_export_whose_record_cannot_be_written_leaves_no_file() {
    // Each AWS answer held back 300 ms, so the logout below lands while the export streams:
    // its file is written, then its transaction fails on the ended session.
    let app = spawn_interleaving_app(Duration::from_millis(300)).await;
    let account = app.signup(&app.client).await;
    add_customer(&app, "Streamed GmbH").await;
    let token = account.token.clone();
    let export = app
        .post(&reqwest::Client::new(), "/v1/exports")
        .header("cookie", format!("__Host-session={token}"))
        .json(&json!({"dataset": "customers"}))
        .send();
    let logout = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        app.post(&app.client, "/v1/auth/logout")
            .send()
            .await
            .expect("logout")
            .status()
    };
    let (export, logout) = tokio::join!(export, logout);
    assert_eq!(logout, 204);
    assert_eq!(export.expect("export").status(), 401);
    assert_eq!(
        export_objects(&app, &tenant_of(&account)).await,
        Vec::<String>::new()
    );
}

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

#[tokio::test]
async fn an_older_ciphertext_written_back_does_not_open() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let created = add_customer(&app, "First Name GmbH").await;
    let id = created["id"].as_str().expect("id").to_owned();
    let ulid = id.trim_start_matches("cus_").to_owned();
    let item_of = |items: Vec<invoiceflow::store::RawItem>| {
        items
            .into_iter()
            .find(
                |item| matches!(item.get("SK"), Some(AttributeValue::S(sk)) if sk.ends_with(&ulid)),
            )
            .expect("the customer's item")
    };
    let first = item_of(app.stack.raw_items().await);
    let patched = app
        .unsafe_request(
            &app.client,
            reqwest::Method::PATCH,
            &format!("/v1/customers/{id}"),
        )
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Second Name GmbH"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    // Someone with write access to the table puts the first content back beside version 2.
    let mut rolled_back = item_of(app.stack.raw_items().await);
    rolled_back.insert("ct".into(), first["ct"].clone());
    app.stack
        .raw_dynamodb
        .put_item()
        .table_name(&app.stack.stack.config.table_name)
        .set_item(Some(rolled_back))
        .send()
        .await
        .expect("put back");
    let read = app
        .client
        .get(app.url(&format!("/v1/customers/{id}")))
        .send()
        .await
        .expect("read");
    assert_eq!(
        read.status(),
        500,
        "the old content must not be served as version 2"
    );
    let body = read.text().await.expect("body");
    assert!(!body.contains("First Name"), "{body}");
}

#[tokio::test]
async fn every_rejected_path_value_is_a_problem() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    for path in [
        "/v1/customers/%FF",
        "/v1/services/%C3%28",
        "/v1/exports/%FF",
    ] {
        let response = app.client.get(app.url(path)).send().await.expect("get");
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
}

#[tokio::test]
async fn if_match_star_changes_whatever_version_is_there() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let created = add_customer(&app, "Starred GmbH").await;
    let id = created["id"].as_str().expect("id");
    let patch = |if_match: Option<&str>| {
        let mut request = app
            .unsafe_request(
                &app.client,
                reqwest::Method::PATCH,
                &format!("/v1/customers/{id}"),
            )
            .json(&json!({"notes": "changed"}));
        if let Some(value) = if_match {
            request = request.header("if-match", value);
        }
        request.send()
    };
    assert_eq!(patch(None).await.expect("patch").status(), 428);
    let starred = patch(Some("*")).await.expect("patch");
    assert_eq!(starred.status(), 200);
    assert_eq!(starred.headers()["etag"], "\"2\"");
    assert_eq!(patch(Some("\"1\"")).await.expect("patch").status(), 412);
    let company = app
        .unsafe_request(&app.client, reqwest::Method::PUT, "/v1/company")
        .header("if-match", "*")
        .json(&json!({"legal_name": "Starred Holdings", "currency": "EUR"}))
        .send()
        .await
        .expect("put");
    assert_eq!(company.status(), 200);
    let delete_any_version = || {
        app.unsafe_request(
            &app.client,
            reqwest::Method::DELETE,
            &format!("/v1/customers/{id}"),
        )
        .header("if-match", "*")
        .send()
    };
    let deleted = delete_any_version().await.expect("delete");
    assert_eq!(deleted.status(), 204);
    let gone = delete_any_version().await.expect("delete");
    assert_eq!(gone.status(), 404, "* is false when nothing is there");
}

#[tokio::test]
async fn a_new_account_adds_a_service_without_naming_a_currency() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let response = app
        .post(&app.client, "/v1/services")
        .json(&json!({"name": "Consulting", "unit_price": "95.00"}))
        .send()
        .await
        .expect("service");
    assert_eq!(response.status(), 201);
    let service: Value = response.json().await.expect("service");
    assert_eq!(service["currency"], "EUR");
    let chosen = app.new_client();
    let signup = app
        .post(&chosen, "/v1/auth/signup")
        .json(&json!({
            "name": "Yuki Example",
            "email": "yuki.currency@example.com",
            "password": invoiceflow_tests::STRONG_PASSWORD,
            "company_name": "Example KK",
            "currency": "JPY",
        }))
        .send()
        .await
        .expect("signup");
    assert_eq!(signup.status(), 201);
    let company: Value = chosen
        .get(app.url("/v1/company"))
        .send()
        .await
        .expect("company")
        .json()
        .await
        .expect("company");
    assert_eq!(company["currency"], "JPY");
}

#[tokio::test]
async fn a_read_withheld_because_the_session_ended_is_not_logged_as_a_success() {
    let logs = invoiceflow_tests::capture_logs();
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let created = add_customer(&app, "Withheld GmbH").await;
    let id = created["id"].as_str().expect("id").to_owned();
    let live = app
        .get_with_token(&format!("/v1/customers/{id}"), &account.token)
        .await;
    assert_eq!(live.status(), 200);
    let live_id = live.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_owned();
    app.post(&app.client, "/v1/auth/logout")
        .send()
        .await
        .expect("logout");
    let withheld = app
        .get_with_token(&format!("/v1/customers/{id}"), &account.token)
        .await;
    assert_eq!(withheld.status(), 401);
    let withheld_id = withheld.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_owned();

    let outcome_of = |request_id: &str| -> Vec<(String, String)> {
        invoiceflow_tests::audit_lines(&logs, request_id)
            .iter()
            .map(|line| {
                (
                    line["fields"]["action"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    line["fields"]["outcome"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        outcome_of(&live_id),
        [("customer.read".to_owned(), "success".to_owned())]
    );
    assert_eq!(
        outcome_of(&withheld_id),
        [("customer.read".to_owned(), "session_ended".to_owned())]
    );
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
