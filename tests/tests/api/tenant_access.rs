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

    // The same reads where the function's own credentials are used.
    let own = app
        .instance_configured(|config| config.tenant_role_arn.clear())
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
