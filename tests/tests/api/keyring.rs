//! A warm container unwraps each tenant's data key with KMS at most once while it is cached.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use invoiceflow::domain::TenantId;
use invoiceflow::store::keys;
use invoiceflow_tests::{TestStack, spawn_app};
use serde_json::json;

use crate::store::{Note, open_account_with_note};

#[tokio::test]
async fn a_warm_container_unwraps_each_tenants_key_once() {
    let writer = TestStack::new().await;
    let (alice, bob) = (TenantId::for_tests(), TenantId::for_tests());
    let alice_note = open_account_with_note(&writer.state, &alice, "alice's").await;
    let bob_note = open_account_with_note(&writer.state, &bob, "bob's").await;

    // A second container on the same table: cold, with an empty key cache.
    let container = invoiceflow::AppState::new(writer.stack.config.clone(), &writer.app_sdk);
    let calls = container.aws_calls().clone();
    for _ in 0..5 {
        for (tenant, note) in [(&alice, &alice_note), (&bob, &bob_note)] {
            let read = container
                .store
                .get::<Note>(tenant, note)
                .await
                .expect("read")
                .expect("present");
            assert!(read.record.text.ends_with("note"));
        }
    }
    let snapshot = calls.snapshot();
    assert_eq!(snapshot.get("kms:Decrypt"), Some(&2), "{snapshot:?}");
    assert_eq!(calls.to_service("kms"), 2, "{snapshot:?}");
}

#[tokio::test]
async fn concurrent_first_reads_of_one_tenant_share_one_unwrap() {
    let writer = TestStack::new().await;
    let tenant = TenantId::for_tests();
    let note = open_account_with_note(&writer.state, &tenant, "shared").await;
    let container = invoiceflow::AppState::new(writer.stack.config.clone(), &writer.app_sdk);
    let reads = (0..8).map(|_| container.store.get::<Note>(&tenant, &note));
    for read in futures::future::join_all(reads).await {
        assert!(read.expect("read").is_some());
    }
    assert_eq!(
        container.aws_calls().snapshot().get("kms:Decrypt"),
        Some(&1)
    );
}

#[tokio::test]
async fn an_expired_key_is_unwrapped_again() {
    let writer = TestStack::new().await;
    let tenant = TenantId::for_tests();
    let note = open_account_with_note(&writer.state, &tenant, "ttl").await;
    let container = invoiceflow::AppState::with_key_cache(
        writer.stack.config.clone(),
        &writer.app_sdk,
        100,
        Duration::from_millis(200),
    );
    container
        .store
        .get::<Note>(&tenant, &note)
        .await
        .expect("read");
    tokio::time::sleep(Duration::from_millis(400)).await;
    container
        .store
        .get::<Note>(&tenant, &note)
        .await
        .expect("read");
    assert_eq!(
        container.aws_calls().snapshot().get("kms:Decrypt"),
        Some(&2)
    );
}

#[tokio::test]
async fn a_tenant_without_an_account_has_no_key() {
    let stack = TestStack::new().await;
    let stranger = TenantId::for_tests();
    let key = keys::company(&stranger);
    let result = stack.state.store.get::<Note>(&stranger, &key).await;
    assert!(result.is_err(), "{result:?}");
    assert_eq!(stack.state.aws_calls().to_service("kms"), 0);
}

#[tokio::test]
async fn concurrent_reads_of_a_tenant_without_a_key_each_learn_why() {
    use invoiceflow::crypto::KeyringError;
    use invoiceflow::store::StoreError;

    let stack = TestStack::new().await;
    let stranger = TenantId::for_tests();
    let key = keys::company(&stranger);
    let reads = (0..8).map(|_| stack.state.store.get::<Note>(&stranger, &key));
    for read in futures::future::join_all(reads).await {
        assert!(
            matches!(read, Err(StoreError::Keyring(KeyringError::NoKey))),
            "{read:?}"
        );
    }
}

#[tokio::test]
async fn an_older_ciphertext_written_back_does_not_open() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let created = app.add_customer("First Name GmbH").await;
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
