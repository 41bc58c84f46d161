//! A warm container unwraps each tenant's data key with KMS at most once while it is cached.

use std::time::Duration;

use invoiceflow::domain::TenantId;
use invoiceflow::store::keys;
use invoiceflow_tests::TestStack;

use crate::store::{Note, open_account_with_note};

#[tokio::test]
async fn a_warm_container_unwraps_each_tenants_key_once() {
    let writer = TestStack::new().await;
    let (alice, bob) = (TenantId::for_tests(), TenantId::for_tests());
    let alice_note = open_account_with_note(&writer.state, &alice, "alice's").await;
    let bob_note = open_account_with_note(&writer.state, &bob, "bob's").await;

    // A second container on the same table: cold, with an empty key cache.
    let container = invoiceflow::AppState::new(writer.stack.config.clone(), &writer.sdk);
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
    let container = invoiceflow::AppState::new(writer.stack.config.clone(), &writer.sdk);
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
        &writer.sdk,
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
