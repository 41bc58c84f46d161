//! Requests act on their tenant's partition with that tenant's credentials (decision 0028):
//! one `AssumeRole` of `TenantDataRole`, tagged with the tenant, per tenant per warm container,
//! and none on a warm request. Measured beside an instance with no role to assume.

use std::time::Instant;

use invoiceflow_tests::{Instance, TestApp, spawn_app_alone};
use serde_json::Value;

/// A customer read `times` times by `client` from `instance`: the AWS calls of each read, and
/// the median time of the warm ones (after the first) in milliseconds.
async fn reads(
    app: &TestApp,
    instance: &Instance,
    token: &str,
    path: &str,
    times: usize,
) -> (Vec<std::collections::BTreeMap<String, u64>>, f64) {
    let calls = instance.state.aws_calls();
    let client = reqwest::Client::new();
    let mut made = Vec::new();
    let mut warm = Vec::new();
    for n in 0..times {
        let before = calls.snapshot();
        let started = Instant::now();
        let response = client
            .get(instance.url(path))
            .header("cookie", format!("__Host-session={token}"))
            .send()
            .await
            .expect("read");
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(response.status(), 200, "{}", app.base);
        made.push(calls.since(&before));
        if n > 0 {
            warm.push(elapsed);
        }
    }
    warm.sort_by(f64::total_cmp);
    (made, warm[warm.len() / 2])
}

#[tokio::test]
async fn a_tenant_s_first_request_assumes_its_role_once_and_a_warm_one_makes_no_sts_call() {
    let app = spawn_app_alone().await;
    let account = app.signup(&app.client).await;
    let customer: Value = app.add_customer("Ada Lovelace").await;
    let path = format!("/v1/customers/{}", customer["id"].as_str().expect("id"));

    // A new container (a fresh instance): its first request for the tenant assumes the role.
    let with_role = app.instance_configured(|_| {}).await;
    assert!(!with_role.state.config.tenant_role_arn.is_empty());
    let (tenant_calls, tenant_warm) = reads(&app, &with_role, &account.token, &path, 9).await;
    assert_eq!(
        tenant_calls[0].get("sts:AssumeRole"),
        Some(&1),
        "{tenant_calls:?}"
    );
    for warm in &tenant_calls[1..] {
        assert_eq!(warm.get("sts:AssumeRole"), None, "{warm:?}");
    }

    // The same reads where the function's own credentials are used (and reach every tenant).
    let own = app
        .instance_unfenced(|config| config.tenant_role_arn.clear())
        .await;
    let (own_calls, own_warm) = reads(&app, &own, &account.token, &path, 9).await;
    assert_eq!(own_calls[0].get("sts:AssumeRole"), None);
    let without_sts = |calls: &std::collections::BTreeMap<String, u64>| {
        let mut calls = calls.clone();
        calls.remove("sts:AssumeRole");
        calls
    };
    assert_eq!(
        without_sts(&tenant_calls[0]),
        own_calls[0],
        "the first request differs by the one AssumeRole"
    );
    assert_eq!(
        tenant_calls[1], own_calls[1],
        "a warm request makes the same calls"
    );

    // A second tenant in the same container costs one more AssumeRole, once.
    let other = app.signup(&app.new_client()).await;
    let (other_calls, _) = reads(&app, &with_role, &other.token, "/v1/customers", 2).await;
    assert_eq!(other_calls[0].get("sts:AssumeRole"), Some(&1));
    assert_eq!(other_calls[1].get("sts:AssumeRole"), None);
    println!(
        "MEASURE a warm read with the tenant's credentials {tenant_warm:.1} ms, with the \
         function's own {own_warm:.1} ms: {:.2}x; first request's calls {:?}, a warm one's {:?}",
        tenant_warm / own_warm,
        tenant_calls[0],
        tenant_calls[1],
    );
}

/// Whether an AWS call was refused as IAM refuses one (the emulator's tenant fence answers so).
fn denied<E: std::fmt::Debug>(result: Result<impl std::fmt::Debug, E>) -> bool {
    match result {
        Ok(_) => false,
        Err(error) => format!("{error:?}").contains("AccessDenied"),
    }
}

/// The whole suite runs on the emulator's tenant fence (infra/tenant_fence.py), which holds the
/// application's credentials to what template.yaml gives them. This shows the fence holds: a
/// function's own credentials reach no tenant's items, data key or files, and a tenant's reach
/// its own and no other's. (The policies themselves are proven by `tenant_policy::`.)
#[tokio::test]
async fn the_function_s_own_credentials_reach_no_tenant_and_a_tenant_s_only_its_own() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use invoiceflow::domain::TenantId;
    let app = invoiceflow_tests::spawn_app().await;
    let alice = app.signup(&app.new_client()).await;
    let bob = app.signup(&app.new_client()).await;
    let id = |account: &invoiceflow_tests::Account| {
        TenantId::parse_for_tests(account.body["account"]["id"].as_str().expect("id"))
            .expect("an account id")
    };
    let (alice, bob) = (id(&alice), id(&bob));
    let table = &app.stack.stack.config.table_name;
    let bucket = &app.stack.stack.config.export_bucket;
    let key_id = &app.stack.stack.config.tenant_key_id;
    let key_of = |key: invoiceflow::store::ItemKey| {
        std::collections::HashMap::from([
            ("PK".to_owned(), AttributeValue::S(key.pk().to_owned())),
            ("SK".to_owned(), AttributeValue::S(key.sk().to_owned())),
        ])
    };
    let account_item = |tenant: &TenantId| key_of(invoiceflow::store::keys::account(tenant));
    let get = |db: aws_sdk_dynamodb::Client, tenant: TenantId| {
        let key = account_item(&tenant);
        async move {
            db.get_item()
                .table_name(table)
                .set_key(Some(key))
                .send()
                .await
        }
    };
    let data_key = |kms: aws_sdk_kms::Client, tenant: TenantId| async move {
        kms.generate_data_key()
            .key_id(key_id)
            .key_spec(aws_sdk_kms::types::DataKeySpec::Aes256)
            .encryption_context("tenant", tenant.to_string())
            .send()
            .await
    };
    let file = |s3: aws_sdk_s3::Client, tenant: TenantId| async move {
        s3.put_object()
            .bucket(bucket)
            .key(format!(
                "{}fence.txt",
                invoiceflow::store::keys::exports_prefix(&tenant)
            ))
            .body(b"fence".to_vec().into())
            .send()
            .await
    };

    // The function's own credentials: no tenant's item, key or file; the shared indexes, yes.
    let own = invoiceflow::aws::Clients::new(&app.stack.app_sdk);
    assert!(denied(get(own.dynamodb().clone(), alice).await));
    assert!(denied(
        own.dynamodb()
            .query()
            .table_name(table)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(format!("T#{}", alice.ulid())))
            .send()
            .await
    ));
    assert!(denied(own.dynamodb().scan().table_name(table).send().await));
    let email_index = key_of(invoiceflow::store::keys::email("00"));
    let shared = own
        .dynamodb()
        .get_item()
        .table_name(table)
        .set_key(Some(email_index))
        .send()
        .await;
    assert!(shared.is_ok(), "{shared:?}");
    assert!(denied(data_key(own.kms().clone(), alice).await));
    assert!(denied(file(own.s3().clone(), alice).await));

    // Alice's credentials: her own, and nothing of Bob's.
    let as_alice = app
        .state()
        .store
        .as_tenant(&alice)
        .await
        .expect("alice's clients");
    let read = get(as_alice.dynamodb().clone(), alice).await;
    assert!(read.expect("her account item").item.is_some());
    assert!(denied(get(as_alice.dynamodb().clone(), bob).await));
    assert!(data_key(as_alice.kms().clone(), alice).await.is_ok());
    assert!(denied(data_key(as_alice.kms().clone(), bob).await));
    assert!(file(as_alice.s3().clone(), alice).await.is_ok());
    assert!(denied(file(as_alice.s3().clone(), bob).await));
    as_alice
        .s3()
        .delete_object()
        .bucket(bucket)
        .key(format!(
            "{}fence.txt",
            invoiceflow::store::keys::exports_prefix(&alice)
        ))
        .send()
        .await
        .expect("delete her file");
}
