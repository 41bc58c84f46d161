//! API keys: a program reaches the API with `Authorization: Bearer ifk_…`, no cookie and no
//! CSRF header, within the key's scope; a revoked or expired key gets the same 401 as none;
//! the audit trail names the key; no key reaches keys, the password or the account; a key's
//! requests are limited per minute; bad keys are refused naming the field.

use invoiceflow_tests::{TestApp, spawn_app};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};

async fn json_of(response: Response) -> Value {
    response.json().await.expect("json")
}

/// Makes a key with the owner's session; its view (with the secret).
async fn make_key(app: &TestApp, body: &Value) -> Value {
    let response = app
        .post(&app.client, "/v1/api-keys")
        .json(body)
        .send()
        .await
        .expect("make a key");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["cache-control"], "no-store");
    json_of(response).await
}

/// A request as a program sends it: the key, no cookie jar, no CSRF header.
fn with_key(app: &TestApp, method: Method, path: &str, secret: &str) -> reqwest::RequestBuilder {
    Client::new()
        .request(method, app.url(path))
        .bearer_auth(secret)
}

fn secret_of(key: &Value) -> String {
    key["secret"].as_str().expect("secret").to_owned()
}

#[tokio::test]
async fn a_read_key_reads_a_write_key_writes_without_cookie_or_csrf_and_a_revoked_key_is_refused() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let reader = make_key(&app, &json!({"name": "Dashboard", "scope": "read"})).await;
    let writer = make_key(&app, &json!({"name": "Shop sync", "scope": "write"})).await;
    let (reader_secret, writer_secret) = (secret_of(&reader), secret_of(&writer));
    assert!(reader_secret.starts_with("ifk_"), "{reader}");
    assert_eq!(reader["scope"], "read");
    assert!(
        reader["hint"]
            .as_str()
            .is_some_and(|hint| reader_secret.starts_with(hint.trim_end_matches('…'))),
        "{reader}"
    );

    // The read key lists invoices, and may not make one.
    let listed = with_key(&app, Method::GET, "/v1/invoices", &reader_secret)
        .send()
        .await
        .expect("list");
    assert_eq!(listed.status(), StatusCode::OK);
    let refused = with_key(&app, Method::POST, "/v1/invoices", &reader_secret)
        .json(&json!({}))
        .send()
        .await
        .expect("create");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // The write key makes a customer: no cookie, no X-Requested-With.
    let made = with_key(&app, Method::POST, "/v1/customers", &writer_secret)
        .json(&json!({"name": "Kunde über Schnittstelle GmbH"}))
        .send()
        .await
        .expect("create");
    assert_eq!(made.status(), StatusCode::CREATED);
    let customer = json_of(made).await;

    // The audit trail names the key for its change, and has the keys' making.
    let audit = json_of(
        app.client
            .get(app.url("/v1/audit?limit=100"))
            .send()
            .await
            .expect("audit"),
    )
    .await;
    let entries = audit["data"].as_array().expect("entries");
    let created = entries
        .iter()
        .find(|e| e["action"] == "customer.create" && e["object"] == customer["id"])
        .expect("the customer's entry");
    assert_eq!(created["via"], "key Shop sync", "{created}");
    assert_eq!(
        entries
            .iter()
            .filter(|e| e["action"] == "api_key.created")
            .count(),
        2
    );

    // No key reaches the keys, the password, the session or the account.
    for (method, path, body) in [
        (Method::GET, "/v1/api-keys", None),
        (
            Method::POST,
            "/v1/api-keys",
            Some(json!({"name": "Escalation", "scope": "write"})),
        ),
        (
            Method::DELETE,
            &*format!("/v1/api-keys/{}", reader["id"].as_str().expect("id")),
            None,
        ),
        (
            Method::POST,
            "/v1/auth/password",
            Some(json!({"current_password": "x", "new_password": "a long new passphrase 1"})),
        ),
        (Method::GET, "/v1/auth/session", None),
        (
            Method::DELETE,
            "/v1/account",
            Some(json!({"password": "x", "confirm": "x"})),
        ),
    ] {
        let mut request = with_key(&app, method.clone(), path, &writer_secret);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
    }

    // The owner sees both keys, each with its last use.
    let keys = json_of(
        app.client
            .get(app.url("/v1/api-keys"))
            .send()
            .await
            .expect("list keys"),
    )
    .await;
    let listed = keys["data"].as_array().expect("keys");
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|k| k.get("secret").is_none()), "{keys}");
    assert!(
        listed.iter().all(|k| k["last_used_at"].is_string()),
        "{keys}"
    );

    // Revoked: the next request gets the 401 of a wrong or missing key.
    let writer_id = writer["id"].as_str().expect("id");
    let revoked = app
        .unsafe_request(
            &app.client,
            Method::DELETE,
            &format!("/v1/api-keys/{writer_id}"),
        )
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let after = with_key(&app, Method::GET, "/v1/customers", &writer_secret)
        .send()
        .await
        .expect("after");
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    let wrong = format!("ifk_{}", "A".repeat(43));
    for secret in [wrong.as_str(), "not-a-key"] {
        let response = with_key(&app, Method::GET, "/v1/customers", secret)
            .send()
            .await
            .expect("wrong");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{secret}");
    }
    let none = Client::new()
        .get(app.url("/v1/customers"))
        .send()
        .await
        .expect("none");
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    let audit = json_of(
        app.client
            .get(app.url("/v1/audit?limit=100"))
            .send()
            .await
            .expect("audit"),
    )
    .await;
    assert!(
        audit["data"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["action"] == "api_key.revoked" && e["object"] == writer_id),
        "{audit}"
    );
}

#[tokio::test]
async fn an_expired_key_is_refused_a_busy_key_is_limited_and_bad_keys_are_refused_naming_the_field()
{
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let soon = time::OffsetDateTime::from_unix_timestamp(app.state().clock.unix() + 3_600)
        .expect("instant")
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    let expiring = make_key(
        &app,
        &json!({"name": "One hour", "scope": "read", "expires_at": soon}),
    )
    .await;
    let secret = secret_of(&expiring);
    let ok = with_key(&app, Method::GET, "/v1/services", &secret)
        .send()
        .await
        .expect("before");
    assert_eq!(ok.status(), StatusCode::OK);

    // 120 requests a minute; the 121st waits.
    let mut limited = None;
    for n in 0..130 {
        let response = with_key(&app, Method::GET, "/v1/services", &secret)
            .send()
            .await
            .expect("request");
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((n, response));
            break;
        }
        assert_eq!(response.status(), StatusCode::OK);
    }
    let (n, response) = limited.expect("limited");
    assert_eq!(n, 119, "the 121st request of the minute");
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    // A minute later the key works again; an hour later it has expired.
    app.state().clock.advance(61);
    let again = with_key(&app, Method::GET, "/v1/services", &secret)
        .send()
        .await
        .expect("again");
    assert_eq!(again.status(), StatusCode::OK);
    app.state().clock.advance(3_600);
    let expired = with_key(&app, Method::GET, "/v1/services", &secret)
        .send()
        .await
        .expect("expired");
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    // The owner's session ended too, idle for an hour: the owner logs in again.
    let login = app
        .login(&app.client, &account.email, &account.password)
        .await;
    assert_eq!(login.status(), StatusCode::OK);

    // Bad keys are refused naming the field, and nothing is made.
    let before = json_of(
        app.client
            .get(app.url("/v1/api-keys"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    for (body, field) in [
        (json!({"name": "x", "scope": "admin"}), "scope"),
        (json!({"name": "", "scope": "read"}), "name"),
        (json!({"name": "x".repeat(201), "scope": "read"}), "name"),
        (
            json!({"name": "Past", "scope": "read", "expires_at": "2020-01-01T00:00:00Z"}),
            "expires_at",
        ),
        (json!({"scope": "read"}), "name"),
        (
            json!({"name": "x", "scope": "read", "role": "owner"}),
            "role",
        ),
    ] {
        let response = app
            .post(&app.client, "/v1/api-keys")
            .json(&body)
            .send()
            .await
            .expect("make");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let problem = json_of(response).await;
        assert!(
            problem["errors"][0]["field"]
                .as_str()
                .is_some_and(|f| f.contains(field)),
            "{body}: {problem}"
        );
    }
    let after = json_of(
        app.client
            .get(app.url("/v1/api-keys"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(before, after, "nothing was made");
}

#[tokio::test]
async fn a_closed_account_s_keys_stop_at_once_and_the_purge_removes_their_lookup_items() {
    let app = spawn_app().await;
    let owner = app.signup(&app.client).await;
    let key = make_key(&app, &json!({"name": "Nightly sync", "scope": "write"})).await;
    let secret = secret_of(&key);
    let read = || with_key(&app, Method::GET, "/v1/customers", &secret).send();
    assert_eq!(read().await.expect("read").status(), StatusCode::OK);
    let lookups = || async {
        app.stack
            .raw_items()
            .await
            .into_iter()
            .filter(|item| {
                matches!(item.get("PK"), Some(aws_sdk_dynamodb::types::AttributeValue::S(pk)) if pk.starts_with("KEY#"))
            })
            .count()
    };
    assert_eq!(lookups().await, 1);

    let deleted = app
        .unsafe_request(&app.client, Method::DELETE, "/v1/account")
        .json(&json!({"password": owner.password, "confirm": owner.company_name}))
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        read().await.expect("read").status(),
        StatusCode::UNAUTHORIZED
    );
    let write = with_key(&app, Method::POST, "/v1/customers", &secret)
        .json(&json!({"name": "Too late GmbH"}))
        .send()
        .await
        .expect("write");
    assert_eq!(write.status(), StatusCode::UNAUTHORIZED);

    let report = invoiceflow::purge::run(
        app.state(),
        std::time::Instant::now() + std::time::Duration::from_secs(120),
    )
    .await
    .expect("a pass");
    assert_eq!(report.accounts, 1, "{report:?}");
    assert_eq!(
        lookups().await,
        0,
        "the key's lookup item went with the account"
    );
}
