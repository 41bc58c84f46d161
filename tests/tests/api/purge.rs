//! The scheduled purge, end to end: a deleted account with thousands of items and several
//! export files is removed from the table, the purge queue and the bucket, across passes that
//! stop at their deadline or are killed and then resume, while a neighbour's items and files
//! stay exactly as they were.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use invoiceflow::domain::TenantId;
use invoiceflow::purge::{self, Report};
use invoiceflow::store::{AuditEntry, RawItem, keys};
use invoiceflow_tests::{Account, TestApp, spawn_app};
use reqwest::{Client, Method};
use serde_json::json;

fn tenant_of(account: &Account) -> TenantId {
    TenantId::parse_for_tests(account.body["account"]["id"].as_str().expect("account id"))
        .expect("tenant")
}

/// Every item of the tenant's partition, as a copy of the table shows it, in key order.
async fn partition(app: &TestApp, tenant: &TenantId) -> Vec<RawItem> {
    let pk = AttributeValue::S(keys::account(tenant).pk().to_owned());
    let mut items: Vec<RawItem> = app
        .stack
        .raw_items()
        .await
        .into_iter()
        .filter(|item| item.get("PK") == Some(&pk))
        .collect();
    items.sort_by_key(|item| format!("{:?}", item.get("SK")));
    items
}

/// The keys of the tenant's export files in the bucket.
async fn files(app: &TestApp, tenant: &TenantId) -> Vec<String> {
    let listed = app
        .stack
        .raw_s3()
        .list_objects_v2()
        .bucket(&app.state().config.export_bucket)
        .prefix(invoiceflow::store::keys::exports_prefix(tenant))
        .send()
        .await
        .expect("list");
    let mut keys: Vec<String> = listed
        .contents()
        .iter()
        .filter_map(|object| object.key().map(str::to_owned))
        .collect();
    keys.sort();
    keys
}

/// The purge-queue entries (GSI1) that name the tenant.
async fn queued(app: &TestApp, tenant: &TenantId) -> usize {
    let out = app
        .stack
        .raw_dynamodb
        .query()
        .table_name(&app.state().config.table_name)
        .index_name("GSI1")
        .key_condition_expression("GSI1PK = :queue")
        .expression_attribute_values(":queue", AttributeValue::S("PURGE".into()))
        .send()
        .await
        .expect("query the purge queue");
    let tenant = tenant.ulid().to_string();
    out.items()
        .iter()
        .filter(|item| {
            matches!(item.get("GSI1SK"), Some(AttributeValue::S(entry)) if entry.ends_with(&tenant))
        })
        .count()
}

/// An account with records of its own, `seeded` more items and `exports` export files.
async fn busy_account(app: &TestApp, client: &Client, seeded: usize, exports: usize) -> Account {
    let account = app.signup(client).await;
    let tenant = tenant_of(&account);
    for name in ["Kunde Eins", "Kunde Zwei"] {
        let created = app
            .post(client, "/v1/customers")
            .json(&json!({"name": name}))
            .send()
            .await
            .expect("customer");
        assert_eq!(created.status(), 201);
    }
    for _ in 0..exports {
        crate::exports::export(app, client, "customers").await;
    }
    let entry = AuditEntry {
        via: None,
        actor: None,
        action: "test.seed".into(),
        object: None,
        outcome: "success".into(),
        request_id: None,
        ip: None,
        user_agent: None,
    };
    let store = &app.state().store;
    for start in (0..seeded).step_by(1_000) {
        let records = (start..seeded.min(start + 1_000))
            .map(|_| (keys::audit(&tenant, &ulid::Ulid::generate()), entry.clone()))
            .collect();
        store.seed_for_tests(&tenant, records).await.expect("seed");
    }
    account
}

#[tokio::test]
async fn a_purge_removes_a_deleted_account_across_passes_and_leaves_its_neighbour_intact() {
    let app = spawn_app().await;
    let victim = busy_account(&app, &app.client, 5_000, 3).await;
    let neighbour_client = app.new_client();
    let neighbour = busy_account(&app, &neighbour_client, 300, 1).await;
    let (gone, kept) = (tenant_of(&victim), tenant_of(&neighbour));
    let victim_items = partition(&app, &gone).await.len();
    assert!(victim_items > 5_000, "{victim_items}");
    assert_eq!(files(&app, &gone).await.len(), 3);
    let neighbour_items = partition(&app, &kept).await;
    let neighbour_files = files(&app, &kept).await;
    assert_eq!(neighbour_files.len(), 1);

    // Nothing is due before the deletion.
    let nothing = purge::run(app.state(), Instant::now() + Duration::from_secs(120))
        .await
        .expect("a pass");
    assert_eq!(nothing, Report::default());

    let deleted = app
        .unsafe_request(&app.client, Method::DELETE, "/v1/account")
        .json(&json!({"password": victim.password, "confirm": victim.company_name}))
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    assert_eq!(queued(&app, &gone).await, 1);
    // Its files are gone at once, not at the purge; the neighbour's are untouched.
    assert_eq!(files(&app, &gone).await, Vec::<String>::new());
    assert_eq!(files(&app, &kept).await, neighbour_files);
    // A file that outlived the deletion (an export that finished writing after it, or S3
    // failing then) is the purge's to delete.
    let late = format!(
        "{}late.csv",
        invoiceflow::store::keys::exports_prefix(&gone)
    );
    app.stack
        .raw_s3()
        .put_object()
        .bucket(&app.state().config.export_bucket)
        .key(&late)
        .body(b"id\n".to_vec().into())
        .send()
        .await
        .expect("a late file");
    // The deletion's audit item is kept until the purge.
    assert_eq!(partition(&app, &gone).await.len(), victim_items + 1);
    let victim_items = victim_items + 1;

    // A pass whose time is up stops after one page; the account stays queued.
    let first = purge::run(app.state(), Instant::now())
        .await
        .expect("a pass");
    assert!(first.stopped_early, "{first:?}");
    assert_eq!(first.accounts, 0);
    // One page read, less the account item it holds (kept for last).
    assert_eq!(
        first.items,
        usize::try_from(invoiceflow::store::PURGE_PAGE).expect("page") - 1
    );
    assert_eq!(
        partition(&app, &gone).await.len(),
        victim_items - first.items
    );
    assert_eq!(
        queued(&app, &gone).await,
        1,
        "still queued after an interrupted pass"
    );

    // A pass killed in the middle of its work (its future dropped mid-call, as a Lambda
    // timeout would), once it has sent five batches of deletes, leaves the account queued.
    let calls = app.state().aws_calls();
    let batches = || {
        calls
            .snapshot()
            .get("dynamodb:BatchWriteItem")
            .copied()
            .unwrap_or(0)
    };
    let before_kill = batches();
    tokio::select! {
        _ = purge::run(app.state(), Instant::now() + Duration::from_secs(120)) => {
            panic!("the pass finished before it was killed")
        }
        () = async {
            while batches() < before_kill + 5 {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        } => {}
    }
    assert_eq!(
        queued(&app, &gone).await,
        1,
        "still queued after a killed pass"
    );
    let left = partition(&app, &gone).await.len();
    assert!(
        left < victim_items - first.items,
        "the killed pass got somewhere"
    );

    // The next pass finishes it: every item but the account's, every file, then the account
    // item and with it the queue entry. (`--nocapture` prints its pace on the emulator.)
    let calls = app.state().aws_calls();
    let before = calls.snapshot();
    let started = Instant::now();
    let second = purge::run(app.state(), Instant::now() + Duration::from_secs(120))
        .await
        .expect("a pass");
    let seconds = started.elapsed().as_secs_f64();
    let made: std::collections::BTreeMap<String, u64> = calls
        .snapshot()
        .into_iter()
        .map(|(op, n)| (op.clone(), n - before.get(&op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    println!(
        "purge: {} items in {seconds:.2} s ({:.0} items/s); calls {made:?}",
        second.items,
        second.items as f64 / seconds
    );
    // Per 1,000 items: one Query page and 40 batches of 25 deletes (none left unprocessed on
    // the emulator); then the queue, the account's state, the bucket and the account item.
    let pages = second.items.div_ceil(1_000) as u64;
    assert_eq!(
        made.get("dynamodb:BatchWriteItem").copied(),
        Some(second.items.div_ceil(25) as u64)
    );
    assert_eq!(
        made.get("dynamodb:Query").copied(),
        Some(1 + pages + 1),
        "the queue, each page, the empty last"
    );
    assert_eq!(
        second,
        Report {
            accounts: 1,
            items: left - 1,
            files: 1,
            stopped_early: false,
        }
    );
    assert_eq!(
        partition(&app, &gone).await.len(),
        0,
        "nothing of it in the table"
    );
    assert_eq!(queued(&app, &gone).await, 0, "nothing of it in the index");
    assert!(
        files(&app, &gone).await.is_empty(),
        "nothing of it in the bucket"
    );

    // The neighbour is untouched, item for item and file for file, and still works.
    assert_eq!(partition(&app, &kept).await, neighbour_items);
    assert_eq!(files(&app, &kept).await, neighbour_files);
    let listed = neighbour_client
        .get(app.url("/v1/customers"))
        .send()
        .await
        .expect("list");
    assert_eq!(listed.status(), 200);

    // A pass over a finished purge does nothing.
    let again = purge::run(app.state(), Instant::now() + Duration::from_secs(120))
        .await
        .expect("a pass");
    assert_eq!(again, Report::default());
}
