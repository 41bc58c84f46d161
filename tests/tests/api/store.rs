//! The encrypted tenant store against the local stack: sealing, tenancy, conditions, cursors.

use aws_sdk_dynamodb::types::AttributeValue;
use invoiceflow::AppState;
use invoiceflow::domain::TenantId;
use invoiceflow::domain::ids::CustomerId;
use invoiceflow::store::{
    ClaimToken, Collection, ConflictReason, IdempotentRequest, ItemKey, NextAction, Record,
    SavedResponse, StoreError, keys,
};
use invoiceflow_tests::TestStack;
use serde::{Deserialize, Serialize};

/// A record type of the tests' own, stored where customers live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub text: String,
}

impl Record for Note {
    const KIND: &'static str = "note";
    const SCHEMA_VERSION: u32 = 1;
}

fn note(text: &str) -> Note {
    Note {
        text: text.to_owned(),
    }
}

/// Opens an account for `tenant` with one note, `"<label> note"`, in one transaction.
pub async fn open_account_with_note(state: &AppState, tenant: &TenantId, label: &str) -> ItemKey {
    let key = keys::customer(tenant, &CustomerId::generate());
    let mut tx = state
        .store
        .open_account(tenant)
        .await
        .expect("open account");
    tx.create(&key, &note(&format!("{label} note")));
    state.store.commit(tx).await.expect("commit");
    key
}

async fn add_note(state: &AppState, tenant: &TenantId, text: &str) -> ItemKey {
    let key = keys::customer(tenant, &CustomerId::generate());
    let mut tx = state.store.transaction(tenant).await.expect("tx");
    tx.create(&key, &note(text));
    state.store.commit(tx).await.expect("commit");
    key
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

fn attribute_bytes(value: &AttributeValue) -> Vec<u8> {
    match value {
        AttributeValue::S(s) | AttributeValue::N(s) => s.as_bytes().to_vec(),
        AttributeValue::B(b) => b.as_ref().to_vec(),
        other => format!("{other:?}").into_bytes(),
    }
}

#[tokio::test]
async fn a_record_round_trips_through_the_store() {
    let stack = TestStack::new().await;
    let tenant = TenantId::for_tests();
    let key = open_account_with_note(&stack.state, &tenant, "round trip").await;
    let read = stack
        .state
        .store
        .get::<Note>(&tenant, &key)
        .await
        .expect("get")
        .expect("present");
    assert_eq!(read.record, note("round trip note"));
    assert_eq!(read.version, 1);
    assert_eq!(read.created_at, read.updated_at);
}

#[tokio::test]
async fn a_raw_read_of_the_table_finds_no_trace_of_stored_content() {
    let stack = TestStack::new().await;
    let tenant = TenantId::for_tests();
    let marker = "MARKER-Ölçü-7f3a9c";
    open_account_with_note(&stack.state, &tenant, marker).await;
    let items = stack.raw_items().await;
    assert_eq!(items.len(), 3, "the account, its trail head and the note");
    for item in items {
        for (name, value) in item {
            let bytes = attribute_bytes(&value);
            assert!(
                !contains(&bytes, marker.as_bytes()),
                "attribute {name} holds the marker"
            );
            assert!(
                !contains(&bytes, b"MARKER"),
                "attribute {name} holds part of the marker"
            );
        }
    }
}

#[tokio::test]
async fn the_account_item_holds_only_the_wrapped_data_key() {
    let stack = TestStack::new().await;
    let tenant = TenantId::for_tests();
    open_account_with_note(&stack.state, &tenant, "account").await;
    let account = stack
        .raw_items()
        .await
        .into_iter()
        .find(|item| item.get("SK") == Some(&AttributeValue::S("ACCOUNT".into())))
        .expect("account item");
    let wrapped = account
        .get("dk")
        .and_then(|v| v.as_b().ok())
        .expect("wrapped key");
    // A wrapped key is KMS ciphertext, longer than the 32 key bytes it protects.
    assert!(wrapped.as_ref().len() > 32);
}

#[tokio::test]
async fn sealed_content_copied_into_another_item_fails_to_open() {
    let stack = TestStack::new().await;
    let tenant = TenantId::for_tests();
    let original = open_account_with_note(&stack.state, &tenant, "original").await;
    let other = add_note(&stack.state, &tenant, "other").await;

    let content = raw_content(&stack, &original).await;
    raw_set(&stack, &other, "ct", content).await;

    let result = stack.state.store.get::<Note>(&tenant, &other).await;
    assert!(matches!(result, Err(StoreError::Corrupt(_))), "{result:?}");
    // The original still opens: nothing else was disturbed.
    assert!(
        stack
            .state
            .store
            .get::<Note>(&tenant, &original)
            .await
            .expect("get")
            .is_some()
    );
}

#[tokio::test]
async fn an_item_copied_into_another_tenants_partition_fails_to_open() {
    let stack = TestStack::new().await;
    let (alice, mallory) = (TenantId::for_tests(), TenantId::for_tests());
    let alices = open_account_with_note(&stack.state, &alice, "alice's secret").await;
    open_account_with_note(&stack.state, &mallory, "mallory's").await;

    // An operator copies Alice's item, as it is, under Mallory's partition.
    let mut item = stack
        .raw_dynamodb
        .get_item()
        .table_name(&stack.stack.config.table_name)
        .key("PK", AttributeValue::S(alices.pk().into()))
        .key("SK", AttributeValue::S(alices.sk().into()))
        .send()
        .await
        .expect("raw get")
        .item
        .expect("item");
    let stolen = keys::customer(&mallory, &CustomerId::generate());
    item.insert("PK".into(), AttributeValue::S(stolen.pk().into()));
    item.insert("SK".into(), AttributeValue::S(stolen.sk().into()));
    stack
        .raw_dynamodb
        .put_item()
        .table_name(&stack.stack.config.table_name)
        .set_item(Some(item))
        .send()
        .await
        .expect("raw put");

    let result = stack.state.store.get::<Note>(&mallory, &stolen).await;
    assert!(matches!(result, Err(StoreError::Corrupt(_))), "{result:?}");
}

#[tokio::test]
async fn a_key_of_another_tenant_is_refused_before_any_call() {
    let stack = TestStack::new().await;
    let (alice, bob) = (TenantId::for_tests(), TenantId::for_tests());
    let alices = open_account_with_note(&stack.state, &alice, "alice's").await;
    open_account_with_note(&stack.state, &bob, "bob's").await;
    let before = stack.state.aws_calls().to_service("dynamodb");

    let read = stack.state.store.get::<Note>(&bob, &alices).await;
    assert!(matches!(read, Err(StoreError::OutsideTenant)), "{read:?}");
    let mut tx = stack.state.store.transaction(&bob).await.expect("tx");
    tx.replace(&alices, &note("overwritten"), 1);
    let write = stack.state.store.commit(tx).await;
    assert!(matches!(write, Err(StoreError::OutsideTenant)), "{write:?}");

    assert_eq!(stack.state.aws_calls().to_service("dynamodb"), before);
    let still = stack
        .state
        .store
        .get::<Note>(&alice, &alices)
        .await
        .expect("get")
        .expect("present");
    assert_eq!(still.record, note("alice's note"));
}

#[tokio::test]
async fn creating_an_item_that_exists_is_a_conflict_and_writes_nothing() {
    let stack = TestStack::new().await;
    let tenant = TenantId::for_tests();
    let key = open_account_with_note(&stack.state, &tenant, "first").await;
    let untouched = keys::customer(&tenant, &CustomerId::generate());
    let mut tx = stack.state.store.transaction(&tenant).await.expect("tx");
    tx.create(&untouched, &note("would be new"))
        .create(&key, &note("second"));
    let result = stack.state.store.commit(tx).await;
    assert!(
        matches!(
            result,
            Err(StoreError::Conflict {
                index: 1,
                reason: ConflictReason::AlreadyExists
            })
        ),
        "{result:?}"
    );
    assert!(
        stack
            .state
            .store
            .get::<Note>(&tenant, &untouched)
            .await
            .expect("get")
            .is_none()
    );
    let kept = stack
        .state
        .store
        .get::<Note>(&tenant, &key)
        .await
        .expect("get")
        .expect("present");
    assert_eq!(kept.record, note("first note"));
}

#[tokio::test]
async fn a_change_at_the_current_version_bumps_it() {
    let stack = TestStack::new().await;
    let tenant = TenantId::for_tests();
    let key = open_account_with_note(&stack.state, &tenant, "v1").await;
    let mut tx = stack.state.store.transaction(&tenant).await.expect("tx");
    tx.replace(&key, &note("v2"), 1);
    stack.state.store.commit(tx).await.expect("commit");
    let read = stack
        .state
        .store
        .get::<Note>(&tenant, &key)
        .await
        .expect("get")
        .expect("present");
    assert_eq!((read.record, read.version), (note("v2"), 2));
    assert!(read.updated_at >= read.created_at);
}

#[tokio::test]
async fn a_change_at_a_stale_version_is_refused() {
    let stack = TestStack::new().await;
    let tenant = TenantId::for_tests();
    let key = open_account_with_note(&stack.state, &tenant, "v1").await;
    let mut tx = stack.state.store.transaction(&tenant).await.expect("tx");
    tx.replace(&key, &note("v2"), 1);
    stack.state.store.commit(tx).await.expect("first change");
    let mut stale = stack.state.store.transaction(&tenant).await.expect("tx");
    stale.replace(&key, &note("lost update"), 1);
    let result = stack.state.store.commit(stale).await;
    assert!(
        matches!(
            result,
            Err(StoreError::Conflict {
                reason: ConflictReason::VersionMismatch,
                ..
            })
        ),
        "{result:?}"
    );
}

fn request(key_digest: &str, fingerprint: &str) -> IdempotentRequest {
    IdempotentRequest {
        key_digest: key_digest.to_owned(),
        fingerprint: fingerprint.to_owned(),
    }
}

const DIGEST: &str = "key-digest";

/// The one request a first attempt and its duplicate both send.
fn same_request() -> IdempotentRequest {
    request(DIGEST, "body-fingerprint")
}

/// A key claimed by a first request whose lease then ran out while it worked, and taken over by
/// its duplicate: the tenant, and the first's and the duplicate's claims.
async fn a_claim_taken_over(stack: &TestStack) -> (TenantId, ClaimToken, ClaimToken) {
    let store = &stack.state.store;
    let tenant = TenantId::for_tests();
    open_account_with_note(&stack.state, &tenant, "account").await;
    let first = started(store.begin_idempotent(&tenant, &same_request()).await);
    let claim = keys::idempotency(&tenant, DIGEST);
    raw_set(stack, &claim, "expires_at", AttributeValue::N("1".into())).await;
    let duplicate = started(store.begin_idempotent(&tenant, &same_request()).await);
    (tenant, first, duplicate)
}

fn started(action: Result<NextAction, StoreError>) -> ClaimToken {
    match action {
        Ok(NextAction::StartProcessing(token)) => token,
        other => panic!("{other:?}"),
    }
}

fn saved(name: &str) -> SavedResponse {
    SavedResponse {
        status: 201,
        body: serde_json::json!({ "name": name }),
        location: None,
        etag: Some(1),
    }
}

/// A request whose claim ran out while it worked (a duplicate took the key over and committed
/// first) has its change refused as `ClaimLost`: the key's change is made exactly once.
#[tokio::test]
async fn a_claim_taken_over_by_a_duplicate_commits_once() {
    let stack = TestStack::new().await;
    let store = &stack.state.store;
    let (tenant, _, _) = a_claim_taken_over(&stack).await;
    let by_duplicate = keys::customer(&tenant, &CustomerId::generate());
    let mut tx = store.transaction(&tenant).await.expect("tx");
    tx.create(&by_duplicate, &note("the duplicate's"))
        .complete_idempotent(&same_request(), &saved("duplicate"));
    store.commit(tx).await.expect("the duplicate commits");

    let by_first = keys::customer(&tenant, &CustomerId::generate());
    let mut tx = store.transaction(&tenant).await.expect("tx");
    tx.create(&by_first, &note("the first's"))
        .complete_idempotent(&same_request(), &saved("first"));
    let late = store.commit(tx).await;
    assert!(
        matches!(
            late,
            Err(StoreError::Conflict {
                index: 1,
                reason: ConflictReason::ClaimLost
            })
        ),
        "{late:?}"
    );
    assert!(
        store
            .get::<Note>(&tenant, &by_first)
            .await
            .expect("get")
            .is_none()
    );
    // A retry is answered with what the duplicate saved.
    let retry = store.begin_idempotent(&tenant, &same_request()).await;
    match retry {
        Ok(NextAction::ReturnSavedResponse(saved)) => {
            assert_eq!(saved.body, serde_json::json!({ "name": "duplicate" }));
        }
        other => panic!("{other:?}"),
    }
}

/// A request that fails after a duplicate took its key over releases nothing: the claim is the
/// duplicate's now, and the duplicate still completes it (without the claim's own token, the
/// failing request deleted it and the duplicate's commit was refused as `ClaimLost`). A
/// request's own claim is released, and a retry may then claim the key.
#[tokio::test]
async fn a_request_releases_only_its_own_claim() {
    let stack = TestStack::new().await;
    let store = &stack.state.store;
    let (tenant, first, duplicate) = a_claim_taken_over(&stack).await;
    assert_ne!(first, duplicate, "each claim has a token of its own");

    // The first request fails and releases what it thinks is its claim.
    store
        .abandon_idempotent(&tenant, &same_request(), &first)
        .await
        .expect("a release that finds the claim not its own is no error");
    let meanwhile = store.begin_idempotent(&tenant, &same_request()).await;
    assert!(
        matches!(meanwhile, Ok(NextAction::InFlight)),
        "the duplicate still holds the key: {meanwhile:?}"
    );
    let by_duplicate = keys::customer(&tenant, &CustomerId::generate());
    let mut tx = store.transaction(&tenant).await.expect("tx");
    tx.create(&by_duplicate, &note("the duplicate's"))
        .complete_idempotent(&same_request(), &saved("duplicate"));
    store.commit(tx).await.expect("the duplicate commits");

    // A request's own claim is released.
    let other = request("another-key", "another-body");
    let own = started(store.begin_idempotent(&tenant, &other).await);
    store
        .abandon_idempotent(&tenant, &other, &own)
        .await
        .expect("release");
    started(store.begin_idempotent(&tenant, &other).await);
}

#[tokio::test]
async fn deleting_a_missing_item_is_not_found() {
    let stack = TestStack::new().await;
    let tenant = TenantId::for_tests();
    open_account_with_note(&stack.state, &tenant, "x").await;
    let mut tx = stack.state.store.transaction(&tenant).await.expect("tx");
    tx.delete(&keys::customer(&tenant, &CustomerId::generate()), 1);
    let result = stack.state.store.commit(tx).await;
    assert!(
        matches!(
            result,
            Err(StoreError::Conflict {
                reason: ConflictReason::NotFound,
                ..
            })
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_paginated_walk_returns_every_item_once_in_creation_order() {
    let stack = TestStack::new().await;
    let tenant = TenantId::for_tests();
    open_account_with_note(&stack.state, &tenant, "0").await;
    for i in 1..12 {
        add_note(&stack.state, &tenant, &format!("{i} note")).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = stack
            .state
            .store
            .list::<Note>(&tenant, Collection::Customers, 5, cursor.as_deref())
            .await
            .expect("page");
        assert!(page.items.len() <= 5);
        seen.extend(page.items.into_iter().map(|stored| stored.record.text));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let expected: Vec<_> = (0..12).map(|i| format!("{i} note")).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn a_cursor_edited_by_one_byte_is_refused() {
    let stack = TestStack::new().await;
    let tenant = TenantId::for_tests();
    open_account_with_note(&stack.state, &tenant, "a").await;
    add_note(&stack.state, &tenant, "b").await;
    let page = stack
        .state
        .store
        .list::<Note>(&tenant, Collection::Customers, 1, None)
        .await
        .expect("page");
    let cursor = page.next.expect("a second page");
    for position in 0..cursor.len() {
        let mut bytes = cursor.clone().into_bytes();
        bytes[position] = if bytes[position] == b'A' { b'B' } else { b'A' };
        let edited = String::from_utf8(bytes).expect("ascii");
        let result = stack
            .state
            .store
            .list::<Note>(&tenant, Collection::Customers, 1, Some(&edited))
            .await;
        assert!(
            matches!(result, Err(StoreError::BadCursor)),
            "edit at {position}: {result:?}"
        );
    }
}

#[tokio::test]
async fn a_cursor_replayed_by_another_tenant_is_refused() {
    let stack = TestStack::new().await;
    let (alice, bob) = (TenantId::for_tests(), TenantId::for_tests());
    open_account_with_note(&stack.state, &alice, "a1").await;
    add_note(&stack.state, &alice, "a2").await;
    open_account_with_note(&stack.state, &bob, "b1").await;
    let alices = stack
        .state
        .store
        .list::<Note>(&alice, Collection::Customers, 1, None)
        .await
        .expect("page");
    let cursor = alices.next.expect("a second page");
    let replay = stack
        .state
        .store
        .list::<Note>(&bob, Collection::Customers, 1, Some(&cursor))
        .await;
    assert!(matches!(replay, Err(StoreError::BadCursor)), "{replay:?}");
    let other_list = stack
        .state
        .store
        .list::<Note>(&alice, Collection::Services, 1, Some(&cursor))
        .await;
    assert!(
        matches!(other_list, Err(StoreError::BadCursor)),
        "{other_list:?}"
    );
}

async fn raw_content(stack: &TestStack, key: &ItemKey) -> AttributeValue {
    stack
        .raw_dynamodb
        .get_item()
        .table_name(&stack.stack.config.table_name)
        .key("PK", AttributeValue::S(key.pk().into()))
        .key("SK", AttributeValue::S(key.sk().into()))
        .send()
        .await
        .expect("raw get")
        .item
        .and_then(|mut item| item.remove("ct"))
        .expect("sealed content")
}

/// Sets one attribute of an item as an operator with database access could.
async fn raw_set(stack: &TestStack, key: &ItemKey, attribute: &str, value: AttributeValue) {
    stack
        .raw_dynamodb
        .update_item()
        .table_name(&stack.stack.config.table_name)
        .key("PK", AttributeValue::S(key.pk().into()))
        .key("SK", AttributeValue::S(key.sk().into()))
        .update_expression("SET #a = :v")
        .expression_attribute_names("#a", attribute)
        .expression_attribute_values(":v", value)
        .send()
        .await
        .expect("raw update");
}
