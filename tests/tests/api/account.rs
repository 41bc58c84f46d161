//! The company profile and settings, end to end over HTTP.

use invoiceflow_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

async fn get(app: &TestApp, path: &str) -> (Value, String) {
    let response = app.client.get(app.url(path)).send().await.expect("get");
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let etag = response.headers()["etag"]
        .to_str()
        .expect("etag")
        .to_owned();
    (response.json().await.expect("json"), etag)
}

fn company() -> Value {
    json!({
        "legal_name": "Ölçü Atelier Inc.",
        "address": {
            "lines": ["1200 Rue Sainte-Catherine O", "Suite 400"],
            "city": "Montréal",
            "region": "QC",
            "postal_code": "H3B 1K9",
            "country": "CA"
        },
        "email": "billing@olcu.example",
        "phone": "+1 514 555 0100",
        "website": "https://olcu.example/",
        "tax_id": "123456789RT0001",
        "currency": "CAD",
        "bank_account": {"holder": "Ölçü Atelier Inc.", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX"}
    })
}

#[tokio::test]
async fn signup_creates_a_company_profile_and_default_settings() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let (profile, etag) = get(&app, "/v1/company").await;
    assert_eq!(profile["legal_name"], account.company_name);
    assert_eq!(profile["version"], 1);
    assert_eq!(etag, "\"1\"");
    assert_eq!(
        profile["currency"], "EUR",
        "every account has a currency from signup on"
    );

    let (settings, _) = get(&app, "/v1/settings").await;
    assert_eq!(settings["invoice_number_prefix"], "INV-{YYYY}-");
    assert_eq!(settings["payment_terms_days"], 30);
    assert_eq!(settings["default_tax_rate"], "0");
    assert_eq!(settings["time_zone"], "UTC");
}

#[tokio::test]
async fn the_company_profile_is_replaced_with_if_match() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    // The bank account is set: that needs the password confirmed first.
    app.reauthenticate(&app.client).await;
    let response = app
        .unsafe_request(&app.client, Method::PUT, "/v1/company")
        .header("if-match", "\"1\"")
        .json(&company())
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let (profile, etag) = get(&app, "/v1/company").await;
    assert_eq!(etag, "\"2\"");
    let mut expected = company();
    expected["version"] = json!(2);
    expected["updated_at"] = profile["updated_at"].clone();
    // What the request left out is shown empty.
    expected["registration_number"] = Value::Null;
    expected["electronic_address"] = Value::Null;
    assert_eq!(profile, expected);
}

#[tokio::test]
async fn a_change_without_if_match_is_428_and_a_stale_one_412() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let missing = app
        .unsafe_request(&app.client, Method::PUT, "/v1/company")
        .json(&company())
        .send()
        .await
        .expect("put");
    assert_eq!(missing.status(), 428);
    let stale = app
        .unsafe_request(&app.client, Method::PUT, "/v1/company")
        .header("if-match", "\"7\"")
        .json(&company())
        .send()
        .await
        .expect("put");
    assert_eq!(stale.status(), 412);
    let stale_settings = app
        .unsafe_request(&app.client, Method::PATCH, "/v1/settings")
        .header("if-match", "\"7\"")
        .json(&json!({"payment_terms_days": 14}))
        .send()
        .await
        .expect("patch");
    assert_eq!(stale_settings.status(), 412);
    let (profile, _) = get(&app, "/v1/company").await;
    assert_eq!(profile["legal_name"], account.company_name);
    assert_eq!(profile["version"], 1);
}

#[tokio::test]
async fn invalid_company_fields_are_refused_by_name_and_nothing_changes() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let with = |pointer: &str, value: Value| {
        let mut body = company();
        let (parent, name) = pointer.rsplit_once('/').expect("pointer");
        let parent = if parent.is_empty() {
            &mut body
        } else {
            body.pointer_mut(parent).expect("parent")
        };
        parent[name] = value;
        body
    };
    let cases = [
        (with("/address/country", json!("Canada")), "address.country"),
        (with("/address/lines", json!([])), "address.lines"),
        (with("/currency", json!("CA$")), "currency"),
        (with("/email", json!("billing@")), "email"),
        (with("/website", json!("javascript:alert(1)")), "website"),
        (with("/phone", json!("call me maybe")), "phone"),
        (with("/legal_name", json!("")), "legal_name"),
        (with("/address/fax", json!("1")), "address.fax"),
    ];
    for (body, field) in cases {
        let response = app
            .unsafe_request(&app.client, Method::PUT, "/v1/company")
            .header("if-match", "\"1\"")
            .json(&body)
            .send()
            .await
            .expect("put");
        assert_eq!(response.status(), 400, "{field}");
        let problem: Value = response.json().await.expect("problem");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let (profile, _) = get(&app, "/v1/company").await;
    assert_eq!(profile["version"], 1);
}

#[tokio::test]
async fn settings_are_patched_field_by_field() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let patch = json!({
        "invoice_number_prefix": "F-",
        "default_tax_rate": "9.975",
        "default_currency": "CAD",
        "locale": "fr-ca",
        "time_zone": "America/Toronto",
        "invoice_notes": "Merci!\nPayable à 30 jours."
    });
    let response = app
        .unsafe_request(&app.client, Method::PATCH, "/v1/settings")
        .header("if-match", "\"1\"")
        .json(&patch)
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), 200);
    let (settings, etag) = get(&app, "/v1/settings").await;
    assert_eq!(etag, "\"2\"");
    assert_eq!(settings["invoice_number_prefix"], "F-");
    assert_eq!(settings["default_tax_rate"], "9.975");
    assert_eq!(settings["locale"], "fr-CA");
    assert_eq!(settings["payment_terms_days"], 30, "untouched");

    let cleared = app
        .unsafe_request(&app.client, Method::PATCH, "/v1/settings")
        .header("if-match", "\"2\"")
        .json(&json!({"invoice_notes": null, "default_currency": null}))
        .send()
        .await
        .expect("patch");
    assert_eq!(cleared.status(), 200);
    let (settings, _) = get(&app, "/v1/settings").await;
    assert_eq!(settings["invoice_notes"], Value::Null);
    assert_eq!(settings["default_currency"], Value::Null);

    for (body, field) in [
        (json!({"default_tax_rate": 9.975}), "default_tax_rate"),
        (json!({"default_tax_rate": "9.9751"}), "default_tax_rate"),
        (json!({"time_zone": "Mars/Olympus"}), "time_zone"),
        (json!({"payment_terms_days": -1}), "payment_terms_days"),
        (json!({"locale": null}), "locale"),
        (json!({"theme": "dark"}), "theme"),
    ] {
        let response = app
            .unsafe_request(&app.client, Method::PATCH, "/v1/settings")
            .header("if-match", "\"3\"")
            .json(&body)
            .send()
            .await
            .expect("patch");
        assert_eq!(response.status(), 400, "{body}");
        let problem: Value = response.json().await.expect("problem");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let (_, etag) = get(&app, "/v1/settings").await;
    assert_eq!(etag, "\"3\"", "no refused patch was written");
}

#[tokio::test]
async fn account_routes_need_a_session() {
    let app = spawn_app().await;
    for path in ["/v1/company", "/v1/settings", "/v1/auth/session"] {
        let response = app.client.get(app.url(path)).send().await.expect("get");
        assert_eq!(response.status(), 401, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
}

#[tokio::test]
async fn each_account_sees_only_its_own_company() {
    let app = spawn_app().await;
    let ann = app.signup(&app.client).await;
    let bob_client = app.new_client();
    let bob = app.signup(&bob_client).await;
    let (ann_profile, _) = get(&app, "/v1/company").await;
    let bob_profile: Value = bob_client
        .get(app.url("/v1/company"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(ann_profile["legal_name"], ann.company_name);
    assert_eq!(bob_profile["legal_name"], bob.company_name);
}

/// AWS calls of a warm container, counted by the SDK interceptor (the closing note of the
/// accounts issue reports these; run with `--nocapture` to see them).
#[tokio::test]
async fn a_warm_login_read_and_write_make_the_budgeted_aws_calls() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    // Warm the container: the public key and the email index key are fetched once.
    app.client
        .get(app.url("/v1/company"))
        .send()
        .await
        .expect("warm");
    let client = app.new_client();
    app.login(&client, &account.email, &account.password).await;

    let calls = app.state().aws_calls();
    let count = |before: &std::collections::BTreeMap<String, u64>| {
        let after = calls.snapshot();
        after
            .iter()
            .filter_map(|(op, n)| {
                let delta = n - before.get(op).copied().unwrap_or(0);
                (delta > 0).then(|| (op.clone(), delta))
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };

    let before = calls.snapshot();
    let login = app.login(&client, &account.email, &account.password).await;
    assert_eq!(login.status(), 200);
    let login_calls = count(&before);

    let before = calls.snapshot();
    let (profile, _) = get(&app, "/v1/company").await;
    let read_calls = count(&before);

    // A change that leaves the bank account alone (a change of it also reads the session's
    // confirmation and is measured with it below).
    let mut unbanked = company();
    unbanked["bank_account"] = Value::Null;
    let before = calls.snapshot();
    let put = app
        .unsafe_request(&app.client, Method::PUT, "/v1/company")
        .header("if-match", format!("\"{}\"", profile["version"]))
        .json(&unbanked)
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);
    let write_calls = count(&before);

    println!(
        "login: {login_calls:?}\nGET /v1/company: {read_calls:?}\nPUT /v1/company: {write_calls:?}"
    );
    let expect = |pairs: &[(&str, u64)]| {
        pairs
            .iter()
            .map(|(op, n)| ((*op).to_owned(), *n))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    assert_eq!(
        login_calls,
        expect(&[
            // The email item; the guess counted (one conditional update) beside the user read;
            // the session written.
            ("dynamodb:GetItem", 1),
            ("dynamodb:UpdateItem", 1),
            ("dynamodb:TransactGetItems", 1),
            ("dynamodb:TransactWriteItems", 1),
            ("kms:Sign", 1),
        ])
    );
    assert_eq!(
        read_calls,
        expect(&[("dynamodb:GetItem", 1), ("dynamodb:TransactGetItems", 1)])
    );
    assert_eq!(write_calls, expect(&[("dynamodb:TransactWriteItems", 1)]));
}
