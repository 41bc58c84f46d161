//! Account deletion, end to end: refused without the password and the company's name; once
//! done, every session and cursor is refused, the data key is gone (nothing can be opened),
//! and the address can sign up again as a new, empty account.

use aws_sdk_dynamodb::types::AttributeValue;
use invoiceflow::domain::TenantId;
use invoiceflow::domain::customer::Customer;
use invoiceflow::store::keys;
use invoiceflow_tests::{Account, TestApp, session_token, spawn_app};
use reqwest::{Client, Method, Response};
use serde_json::{Value, json};

async fn delete_account(app: &TestApp, client: &Client, password: &str, confirm: &str) -> Response {
    app.unsafe_request(client, Method::DELETE, "/v1/account")
        .json(&json!({"password": password, "confirm": confirm}))
        .send()
        .await
        .expect("delete")
}

async fn status(client: &Client, url: String) -> u16 {
    client.get(url).send().await.expect("get").status().as_u16()
}

fn tenant_of(account: &Account) -> TenantId {
    TenantId::parse_for_tests(account.body["account"]["id"].as_str().expect("account id"))
        .expect("tenant")
}

/// The account item as a copy of the table shows it.
async fn account_item(
    app: &TestApp,
    tenant: &TenantId,
) -> std::collections::HashMap<String, AttributeValue> {
    let key = keys::account(tenant);
    app.stack
        .raw_items()
        .await
        .into_iter()
        .find(|item| {
            item.get("PK") == Some(&AttributeValue::S(key.pk().to_owned()))
                && item.get("SK") == Some(&AttributeValue::S(key.sk().to_owned()))
        })
        .expect("the account item")
}

#[tokio::test]
async fn a_wrong_password_or_confirmation_deletes_nothing() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let tenant = tenant_of(&account);

    let wrong_name = delete_account(&app, &app.client, &account.password, "Some Other GmbH").await;
    assert_eq!(wrong_name.status(), 400);
    let problem: Value = wrong_name.json().await.expect("json");
    assert_eq!(problem["errors"][0]["field"], "confirm");

    let wrong_password = delete_account(
        &app,
        &app.client,
        "not-the-password-at-all",
        &account.company_name,
    )
    .await;
    // The session is good; the field is wrong, as a password change says it.
    assert_eq!(wrong_password.status(), 400);
    let problem: Value = wrong_password.json().await.expect("json");
    assert_eq!(problem["errors"][0]["field"], "password");

    let unknown = app
        .unsafe_request(&app.client, Method::DELETE, "/v1/account")
        .json(&json!({"password": account.password, "confirm": account.company_name, "now": true}))
        .send()
        .await
        .expect("delete");
    assert_eq!(unknown.status(), 400);

    // Still there, still readable; the wrong password was counted and audited.
    assert_eq!(status(&app.client, app.url("/v1/company")).await, 200);
    let item = account_item(&app, &tenant).await;
    assert_eq!(
        item.get("status"),
        Some(&AttributeValue::S("active".into()))
    );
    assert!(item.contains_key("dk"), "the wrapped key is kept");
    assert!(!item.contains_key("GSI1PK"), "not queued for purge");
    let audit: Value = app
        .client
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
            .expect("data")
            .iter()
            .any(|e| e["action"] == "account.delete" && e["outcome"] == "wrong_password"),
        "{audit}"
    );
}

#[tokio::test]
async fn a_deleted_account_is_unreadable_at_once_and_its_address_can_start_afresh() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let tenant = tenant_of(&account);
    // A second browser, logged in too.
    let other = app.new_client();
    let login = app.login(&other, &account.email, &account.password).await;
    assert_eq!(login.status(), 200);
    let other_token = session_token(&login).expect("token");
    // A customer, and a cursor into the list of customers.
    let mut customer_id = String::new();
    for name in ["Kunde Eins", "Kunde Zwei"] {
        let created = app
            .post(&app.client, "/v1/customers")
            .json(&json!({"name": name}))
            .send()
            .await
            .expect("customer");
        assert_eq!(created.status(), 201);
        let body: Value = created.json().await.expect("json");
        customer_id = body["id"].as_str().expect("id").to_owned();
    }
    let page: Value = app
        .client
        .get(app.url("/v1/customers?limit=1"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let cursor = page["next"].as_str().expect("cursor").to_owned();

    let deleted = delete_account(&app, &app.client, &account.password, &account.company_name).await;
    assert_eq!(deleted.status(), 204);
    let cleared = invoiceflow_tests::set_cookie(&deleted).expect("a cookie is set");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    // Every old session, cursor and route is refused.
    for path in ["/v1/company", "/v1/audit", "/v1/customers", "/v1/summary"] {
        assert_eq!(
            app.get_with_token(path, &account.token).await.status(),
            401,
            "{path}"
        );
        assert_eq!(
            app.get_with_token(path, &other_token).await.status(),
            401,
            "{path}"
        );
    }
    let with_cursor = app
        .get_with_token(
            &format!("/v1/customers?limit=1&next={cursor}"),
            &other_token,
        )
        .await;
    assert_eq!(with_cursor.status(), 401);
    assert_eq!(
        app.get_with_token(&format!("/v1/customers/{customer_id}"), &other_token)
            .await
            .status(),
        401
    );
    let again = app
        .login(&app.new_client(), &account.email, &account.password)
        .await;
    assert_eq!(again.status(), 401, "the login is gone with the account");

    // A copy of the table: the account is marked and queued, and its data key is gone, so no
    // item of it opens, even for the application with its KMS access.
    let item = account_item(&app, &tenant).await;
    assert_eq!(
        item.get("status"),
        Some(&AttributeValue::S("deleted".into()))
    );
    assert!(
        !item.contains_key("dk"),
        "the wrapped data key is destroyed"
    );
    assert_eq!(item.get("GSI1PK"), Some(&AttributeValue::S("PURGE".into())));
    let customer_key = keys::customer(&tenant, &customer_id.parse().expect("customer id"));
    app.state().store.keyring().forget(&tenant).await;
    let opened = app
        .state()
        .store
        .get::<Customer>(&tenant, &customer_key)
        .await;
    assert!(
        opened.is_err(),
        "a customer of a deleted account cannot be opened"
    );

    // The same address signs up again: a new, empty account.
    let fresh = app.new_client();
    let signup = app
        .post(&fresh, "/v1/auth/signup")
        .json(&json!({
            "name": account.name,
            "email": account.email,
            "password": account.password,
            "company_name": account.company_name,
        }))
        .send()
        .await
        .expect("signup");
    assert_eq!(signup.status(), 201);
    let body: Value = signup.json().await.expect("json");
    assert_ne!(body["account"]["id"], account.body["account"]["id"]);
    let customers: Value = fresh
        .get(app.url("/v1/customers"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(customers["data"], json!([]));
}
