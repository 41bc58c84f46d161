//! Customers and services: the collection pattern, end to end over HTTP.

use aws_sdk_dynamodb::types::AttributeValue;
use invoiceflow_tests::{TestApp, spawn_app};
use reqwest::{Client, Method, Response};
use serde_json::{Value, json};

fn customer(name: &str) -> Value {
    json!({
        "name": name,
        "contact_name": "Jörg Ölçü",
        "email": "jorg@olcu.example",
        "phone": "+49 30 1234567",
        "billing_address": {"lines": ["Friedrichstraße 12"], "city": "Berlin", "postal_code": "10117", "country": "DE"},
        "tax_id": "DE123456789",
        "currency": "EUR",
        "notes": "Prefers email."
    })
}

async fn create(app: &TestApp, client: &Client, path: &str, body: &Value) -> Response {
    app.post(client, path)
        .json(body)
        .send()
        .await
        .expect("post")
}

async fn json_of(response: Response) -> Value {
    response.json().await.expect("json")
}

#[tokio::test]
async fn a_customer_is_created_read_changed_and_deleted() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let created = create(&app, &app.client, "/v1/customers", &customer("Ölçü GmbH")).await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["etag"], "\"1\"");
    let location = created.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let body = json_of(created).await;
    let id = body["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("cus_"), "{id}");
    assert_eq!(location, format!("/v1/customers/{id}"));
    assert_eq!(body["billing_address"]["city"], "Berlin");

    let read = app
        .client
        .get(app.url(&location))
        .send()
        .await
        .expect("get");
    assert_eq!(read.status(), 200);
    assert_eq!(json_of(read).await, body);

    let patched = app
        .unsafe_request(&app.client, Method::PATCH, &location)
        .header("if-match", "\"1\"")
        .json(&json!({"email": null, "name": "Ölçü AG"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    assert_eq!(patched.headers()["etag"], "\"2\"");
    let patched = json_of(patched).await;
    assert_eq!(patched["name"], "Ölçü AG");
    assert_eq!(patched["email"], Value::Null);
    assert_eq!(patched["phone"], body["phone"]);
    assert_eq!(patched["created_at"], body["created_at"]);

    let deleted = app
        .unsafe_request(&app.client, Method::DELETE, &location)
        .header("if-match", "\"2\"")
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    let gone = app
        .client
        .get(app.url(&location))
        .send()
        .await
        .expect("get");
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn a_customer_without_a_currency_takes_the_companys() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    app.unsafe_request(&app.client, Method::PUT, "/v1/company")
        .header("if-match", "\"1\"")
        .json(&json!({"legal_name": "Atelier", "currency": "CAD"}))
        .send()
        .await
        .expect("put");
    let created = json_of(
        create(
            &app,
            &app.client,
            "/v1/customers",
            &json!({"name": "Maple Inc."}),
        )
        .await,
    )
    .await;
    assert_eq!(created["currency"], "CAD");
}

#[tokio::test]
async fn another_account_gets_404_for_every_route_and_changes_nothing() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let ann_customer = json_of(
        create(
            &app,
            &app.client,
            "/v1/customers",
            &customer("Ann's client"),
        )
        .await,
    )
    .await;
    let ann_service = json_of(
        create(
            &app,
            &app.client,
            "/v1/services",
            &json!({"name": "Design", "unit_price": "95.00", "currency": "EUR"}),
        )
        .await,
    )
    .await;
    let bob = app.new_client();
    app.signup(&bob).await;

    for (collection, record) in [
        ("/v1/customers", &ann_customer),
        ("/v1/services", &ann_service),
    ] {
        let path = format!("{collection}/{}", record["id"].as_str().expect("id"));
        let read = bob.get(app.url(&path)).send().await.expect("get");
        assert_eq!(read.status(), 404, "GET {path}");
        for method in [Method::PATCH, Method::DELETE] {
            let response = app
                .unsafe_request(&bob, method.clone(), &path)
                .header("if-match", "\"1\"")
                .json(&json!({"name": "Hijacked"}))
                .send()
                .await
                .expect("change");
            assert_eq!(response.status(), 404, "{method} {path}");
        }
        let listed = json_of(bob.get(app.url(collection)).send().await.expect("list")).await;
        assert_eq!(listed["data"], json!([]), "{collection}");
        let still = json_of(app.client.get(app.url(&path)).send().await.expect("get")).await;
        assert_eq!(&still, record, "{path} unchanged for its owner");
    }
}

#[tokio::test]
async fn changes_need_if_match_and_a_stale_one_is_refused() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let created =
        json_of(create(&app, &app.client, "/v1/customers", &customer("Ölçü GmbH")).await).await;
    let path = format!("/v1/customers/{}", created["id"].as_str().expect("id"));
    for method in [Method::PATCH, Method::DELETE] {
        let missing = app
            .unsafe_request(&app.client, method.clone(), &path)
            .json(&json!({"name": "X"}))
            .send()
            .await
            .expect("change");
        assert_eq!(missing.status(), 428, "{method}");
        let stale = app
            .unsafe_request(&app.client, method.clone(), &path)
            .header("if-match", "\"9\"")
            .json(&json!({"name": "X"}))
            .send()
            .await
            .expect("change");
        assert_eq!(stale.status(), 412, "{method}");
    }
    let now = json_of(app.client.get(app.url(&path)).send().await.expect("get")).await;
    assert_eq!(now, created);
}

#[tokio::test]
async fn an_idempotent_retry_returns_the_first_response_and_writes_once() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let send = |body: Value, key: &'static str| {
        let request = app
            .post(&app.client, "/v1/customers")
            .header("idempotency-key", key)
            .json(&body);
        async move { request.send().await.expect("post") }
    };
    let first = send(customer("Once GmbH"), "key-1").await;
    assert_eq!(first.status(), 201);
    let first_location = first.headers()["location"].clone();
    let first = json_of(first).await;
    let again = send(customer("Once GmbH"), "key-1").await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["location"], first_location);
    assert_eq!(json_of(again).await, first);

    let other_body = send(customer("Twice GmbH"), "key-1").await;
    assert_eq!(other_body.status(), 422);

    let listed = json_of(
        app.client
            .get(app.url("/v1/customers"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1));
}

/// How the store keys a `POST /v1/customers` under `key` with `body`: the key scoped to method
/// and path, and the body, each a MAC under the tenant's own key.
async fn claim_of(app: &TestApp, tenant: &str, key: &str, body: &[u8]) -> (String, String) {
    let tenant =
        invoiceflow::domain::TenantId::parse_for_tests(&format!("acc_{tenant}")).expect("tenant");
    let cipher = app.state().store.cipher(&tenant).await.expect("cipher");
    (
        cipher.fingerprint(&[
            b"idempotency-key",
            b"POST",
            b"/v1/customers",
            key.as_bytes(),
        ]),
        cipher.fingerprint(&[b"idempotency-body", body]),
    )
}

#[tokio::test]
async fn a_duplicate_of_a_request_still_in_progress_is_a_409() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let tenant = account.body["account"]["id"]
        .as_str()
        .expect("id")
        .trim_start_matches("acc_")
        .to_owned();
    let body = serde_json::to_vec(&customer("Slow GmbH")).expect("json");
    // The first request's claim, as it stands while that request is still being processed.
    let (key_digest, fingerprint) = claim_of(&app, &tenant, "key-slow", &body).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    app.stack
        .raw_dynamodb
        .put_item()
        .table_name(&app.stack.stack.config.table_name)
        .item("PK", AttributeValue::S(format!("T#{tenant}")))
        .item("SK", AttributeValue::S(format!("IDEM#{key_digest}")))
        .item("state", AttributeValue::S("in_progress".into()))
        .item("fp", AttributeValue::S(fingerprint))
        .item("expires_at", AttributeValue::N((now + 60).to_string()))
        .send()
        .await
        .expect("claim");
    let duplicate = app
        .post(&app.client, "/v1/customers")
        .header("idempotency-key", "key-slow")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(duplicate.status(), 409);
    let listed = json_of(
        app.client
            .get(app.url("/v1/customers"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(listed["data"], json!([]));
}

#[tokio::test]
async fn a_paginated_walk_returns_every_customer_once_in_creation_order() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let mut created = Vec::new();
    for n in 0..120 {
        let body = json_of(
            create(
                &app,
                &app.client,
                "/v1/customers",
                &json!({"name": format!("Customer {n:03}")}),
            )
            .await,
        )
        .await;
        created.push(body["id"].as_str().expect("id").to_owned());
    }
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut url = app.url("/v1/customers?limit=50");
        if let Some(cursor) = &next {
            url = format!("{url}&next={cursor}");
        }
        let page = json_of(app.client.get(url).send().await.expect("list")).await;
        pages += 1;
        seen.extend(
            page["data"]
                .as_array()
                .expect("data")
                .iter()
                .map(|c| c["id"].as_str().expect("id").to_owned()),
        );
        match page["next"].as_str() {
            Some(cursor) => next = Some(cursor.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, created);
    let default_page = json_of(
        app.client
            .get(app.url("/v1/customers"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(default_page["data"].as_array().map(Vec::len), Some(25));
}

#[tokio::test]
async fn bad_list_parameters_are_refused_by_name() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("next=AAAA", "next"),
        ("sort=name", "sort"),
    ] {
        app.assert_refused_by_name(&app.client, &format!("/v1/customers?{query}"), field)
            .await;
    }
}

#[tokio::test]
async fn invalid_customers_and_services_are_refused_by_field_and_nothing_is_written() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let before = app.stack.raw_items().await.len();
    let cases = [
        ("/v1/customers", json!({"contact_name": "No Name"}), "name"),
        (
            "/v1/customers",
            json!({"name": "X", "currency": "EURO"}),
            "currency",
        ),
        (
            "/v1/customers",
            json!({"name": "X", "email": "x@"}),
            "email",
        ),
        (
            "/v1/customers",
            json!({"name": "X", "billing_address": {"lines": ["1"], "country": "Germany"}}),
            "billing_address.country",
        ),
        ("/v1/customers", json!({"name": "X", "vip": true}), "vip"),
        (
            "/v1/services",
            json!({"name": "X", "unit_price": 95.5, "currency": "EUR"}),
            "unit_price",
        ),
        (
            "/v1/services",
            json!({"name": "X", "unit_price": "95.12345", "currency": "EUR"}),
            "unit_price",
        ),
        (
            "/v1/services",
            json!({"name": "X", "unit_price": "12345678901234", "currency": "JPY"}),
            "unit_price",
        ),
        (
            "/v1/services",
            json!({"name": "X", "unit_price": "95", "currency": "EUR", "tax_rate": "9.9751"}),
            "tax_rate",
        ),
    ];
    for (path, body, field) in cases {
        let response = create(&app, &app.client, path, &body).await;
        assert_eq!(response.status(), 400, "{path} {body}");
        assert_eq!(
            json_of(response).await["errors"][0]["field"],
            field,
            "{path} {body}"
        );
    }
    assert_eq!(app.stack.raw_items().await.len(), before);
}

#[tokio::test]
async fn a_service_can_be_archived_and_stays_readable() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let created = json_of(
        create(&app, &app.client, "/v1/services", &json!({"name": "Consulting", "unit_price": "150.00", "unit": "hour", "tax_rate": "9.975", "currency": "CAD"})).await,
    )
    .await;
    assert_eq!(created["active"], true);
    assert_eq!(created["unit_price"], "150.00");
    assert_eq!(created["tax_rate"], "9.975");
    let path = format!("/v1/services/{}", created["id"].as_str().expect("id"));
    let archived = app
        .unsafe_request(&app.client, Method::PATCH, &path)
        .header("if-match", "\"1\"")
        .json(&json!({"active": false}))
        .send()
        .await
        .expect("patch");
    assert_eq!(archived.status(), 200);
    let read = json_of(app.client.get(app.url(&path)).send().await.expect("get")).await;
    assert_eq!(read["active"], false);
    assert_eq!(read["unit_price"], "150.00");
}

#[tokio::test]
async fn every_change_is_in_the_audit_trail_newest_first() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let created = json_of(
        create(
            &app,
            &app.client,
            "/v1/customers",
            &customer("Audited GmbH"),
        )
        .await,
    )
    .await;
    let id = created["id"].as_str().expect("id");
    app.unsafe_request(&app.client, Method::DELETE, &format!("/v1/customers/{id}"))
        .header("if-match", "\"1\"")
        .send()
        .await
        .expect("delete");
    let trail = json_of(
        app.client
            .get(app.url("/v1/audit?limit=3"))
            .send()
            .await
            .expect("audit"),
    )
    .await;
    let entries = trail["data"].as_array().expect("data");
    let actions: Vec<_> = entries
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        actions,
        ["customer.delete", "customer.create", "auth.signup"]
    );
    assert_eq!(entries[0]["object"], id);
    assert!(
        entries[0]["request_id"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    assert!(
        !trail.to_string().contains("Audited GmbH"),
        "no contents in the trail"
    );
}

#[tokio::test]
async fn the_table_holds_no_plaintext_customer_name_email_or_address() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    create(
        &app,
        &app.client,
        "/v1/customers",
        &customer("Geheim Ölçü GmbH"),
    )
    .await;
    let needles = [
        "Geheim",
        "jorg@olcu.example",
        "Friedrichstraße",
        "Berlin",
        "DE123456789",
    ];
    app.stack.assert_no_plain_text(&needles).await;
}

/// AWS calls of a warm container per customers route, counted by the SDK interceptor (the
/// closing note of the customers issue reports these; `--nocapture` prints them).
#[tokio::test]
async fn warm_customer_routes_make_the_budgeted_aws_calls() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let first =
        json_of(create(&app, &app.client, "/v1/customers", &customer("Warm GmbH")).await).await;
    let path = format!("/v1/customers/{}", first["id"].as_str().expect("id"));
    let calls = app.state().aws_calls();
    let delta = |before: &std::collections::BTreeMap<String, u64>| calls.since(before);
    let expect = |pairs: &[(&str, u64)]| {
        pairs
            .iter()
            .map(|(op, n)| ((*op).to_owned(), *n))
            .collect::<std::collections::BTreeMap<_, _>>()
    };

    let before = calls.snapshot();
    app.client.get(app.url(&path)).send().await.expect("get");
    let read = delta(&before);
    let before = calls.snapshot();
    app.client
        .get(app.url("/v1/customers?limit=25"))
        .send()
        .await
        .expect("list");
    let list = delta(&before);
    let before = calls.snapshot();
    create(&app, &app.client, "/v1/customers", &customer("Second GmbH")).await;
    let post = delta(&before);
    let before = calls.snapshot();
    let patched = app
        .unsafe_request(&app.client, Method::PATCH, &path)
        .header("if-match", "\"1\"")
        .json(&json!({"notes": "Changed."}))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    let patch = delta(&before);
    println!("GET one: {read:?}\nGET list: {list:?}\nPOST: {post:?}\nPATCH: {patch:?}");

    let session_check = ("dynamodb:TransactGetItems", 1);
    assert_eq!(read, expect(&[("dynamodb:GetItem", 1), session_check]));
    assert_eq!(list, expect(&[("dynamodb:Query", 1), session_check]));
    assert_eq!(post, expect(&[("dynamodb:TransactWriteItems", 1)]));
    assert_eq!(
        patch,
        expect(&[("dynamodb:GetItem", 1), ("dynamodb:TransactWriteItems", 1)])
    );
}

#[tokio::test]
async fn an_expired_idempotency_record_no_longer_answers() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let tenant = account.body["account"]["id"]
        .as_str()
        .expect("id")
        .trim_start_matches("acc_")
        .to_owned();
    let body = serde_json::to_vec(&customer("Again GmbH")).expect("json");
    let (key_digest, fingerprint) = claim_of(&app, &tenant, "key-old", &body).await;
    // A record of this very request, completed more than 24 hours ago (TTL has not run yet).
    let yesterday = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        - 25 * 3600;
    app.stack
        .raw_dynamodb
        .put_item()
        .table_name(&app.stack.stack.config.table_name)
        .item("PK", AttributeValue::S(format!("T#{tenant}")))
        .item("SK", AttributeValue::S(format!("IDEM#{key_digest}")))
        .item("state", AttributeValue::S("done".into()))
        .item("fp", AttributeValue::S(fingerprint))
        .item(
            "expires_at",
            AttributeValue::N((yesterday + 3600).to_string()),
        )
        .send()
        .await
        .expect("old record");
    let response = app
        .post(&app.client, "/v1/customers")
        .header("idempotency-key", "key-old")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 201);
    assert!(response.headers().get("idempotent-replayed").is_none());
    let listed = json_of(
        app.client
            .get(app.url("/v1/customers"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(
        listed["data"].as_array().map(Vec::len),
        Some(1),
        "processed anew"
    );
}

#[tokio::test]
async fn characters_that_break_xml_or_spoof_names_are_refused_by_field() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    for (c, field) in [
        ('\u{fffe}', "name"),
        ('\u{ffff}', "notes"),
        ('\u{202e}', "name"),
        ('\u{2067}', "contact_name"),
    ] {
        let mut body = customer("Ölçü GmbH");
        body[field] = json!(format!("Acme{c} Ltd"));
        let response = create(&app, &app.client, "/v1/customers", &body).await;
        assert_eq!(response.status(), 400, "U+{:04X} in {field}", u32::from(c));
        let problem = json_of(response).await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    // A lone surrogate is not text: the body is refused before any field is read.
    let response = app
        .post(&app.client, "/v1/customers")
        .header("content-type", "application/json")
        .body(r#"{"name": "Acme \ud800 Ltd"}"#)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let listed = json_of(
        app.client
            .get(app.url("/v1/customers"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(listed["data"], json!([]), "nothing was written");
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
    let created = app.add_customer("Starred GmbH").await;
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
