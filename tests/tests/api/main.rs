//! End-to-end tests over HTTP and the store, against the local stack.

mod account;
mod api_keys;
mod audit_trail;
mod auth;
mod contract;
mod customers;
mod deletion;
mod deliveries;
mod documents;
mod events;
mod exports;
mod idempotency;
mod invoices;
mod keyring;
mod links;
mod lockout;
mod meta;
mod payments;
mod proposals;
mod purge;
mod qr;
mod quotas;
mod recurring;
mod reminders;
mod second_factor;
mod sending;
mod store;
mod tax;
mod template;
mod tenant_access;
mod tenant_policy;
mod web;
mod webhooks;

/// Every file beside this one is declared above: a test file left out would never run.
#[test]
fn every_test_file_is_a_module_of_this_suite() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api");
    let main = std::fs::read_to_string(dir.join("main.rs")).expect("main.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/api").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(module) = name.strip_suffix(".rs").filter(|m| *m != "main")
            && !main.lines().any(|line| line == format!("mod {module};"))
        {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "not declared in tests/api/main.rs: {missing:?}"
    );
}
