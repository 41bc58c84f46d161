//! Who the audit trail names: the client's address and user agent (a page's: the browser's, as
//! the web function vouched for it), and one client's guesses locking out only that client.

use invoiceflow_tests::{STRONG_PASSWORD, TestApp, spawn_app};
use serde_json::{Value, json};

/// A client of its own loopback address (the machine answers on all of 127.0.0.0/8), saying it
/// is `agent`.
fn client_at(ip: &str, agent: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<std::net::IpAddr>().ok())
        .user_agent(agent)
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The account's audit entries for `action`, newest first, read through the API.
async fn entries(app: &TestApp, action: &str) -> Vec<Value> {
    let mut entries = app.audit_entries().await;
    entries.retain(|entry| entry["action"] == action);
    entries
}

/// The web app's login form, sent by `browser` as htmx does.
async fn form_login(app: &TestApp, browser: &reqwest::Client, email: &str) -> reqwest::Response {
    browser
        .post(app.url("/login"))
        .header("x-requested-with", "htmx")
        .header("hx-request", "true")
        .header("origin", &app.base)
        .form(&[("email", email), ("password", STRONG_PASSWORD)])
        .send()
        .await
        .expect("the login form")
}

async fn api_login(app: &TestApp, client: &reqwest::Client, email: &str, password: &str) -> u16 {
    app.post(client, "/v1/auth/login")
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login")
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_trail_names_the_clients_address_and_agent_and_a_forged_vouching_is_ignored() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;

    // Straight to the API, with a made-up vouching for someone else.
    let direct = client_at("127.0.0.2", "curl/8.5.0");
    let answered = app
        .post(&direct, "/v1/auth/login")
        .header("x-invoiceflow-client", "v1.0.MTk4LjUxLjEwMC43.RmFrZQ.AAAA")
        .json(&json!({"email": account.email, "password": account.password}))
        .send()
        .await
        .expect("login");
    assert_eq!(answered.status(), 200);

    // Through the web app's login form, from another address and browser.
    let browser = client_at("127.0.0.3", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0");
    let page = form_login(&app, &browser, &account.email).await;
    assert_eq!(
        page.headers()["hx-redirect"],
        "/",
        "the form logs in and goes on"
    );

    let logins = entries(&app, "auth.login").await;
    let seen: Vec<(&str, &str)> = logins
        .iter()
        .filter(|entry| entry["outcome"] == "success")
        .map(|entry| {
            (
                entry["ip"].as_str().unwrap_or_default(),
                entry["user_agent"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            // Newest first: the browser's, as the web function vouched for it, then the
            // direct client's own (the forged vouching ignored).
            ("127.0.0.3", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"),
            ("127.0.0.2", "curl/8.5.0"),
        ],
        "{logins:#?}"
    );
    // The signup, made by the test's own client.
    let signup = entries(&app, "auth.signup").await;
    assert_eq!(signup[0]["ip"], "127.0.0.1", "{signup:#?}");
}

#[tokio::test]
async fn one_client_that_guesses_locks_out_only_itself() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let attacker = client_at("127.0.0.4", "guesser/1.0");
    for _ in 0..10 {
        assert_eq!(
            api_login(&app, &attacker, &account.email, "not-the-password-at-all").await,
            401
        );
    }
    assert_eq!(
        api_login(&app, &attacker, &account.email, &account.password).await,
        429,
        "the guessing client is locked, even with the right password"
    );

    // Another client, a browser never seen before, still logs in: over the API and the form.
    let stranger = client_at("127.0.0.5", "Mozilla/5.0");
    assert_eq!(
        api_login(&app, &stranger, &account.email, &account.password).await,
        200
    );
    let browser = client_at("127.0.0.6", "Mozilla/5.0");
    let page = form_login(&app, &browser, &account.email).await;
    assert_eq!(page.headers()["hx-redirect"], "/");

    // The trail says who guessed.
    let guesses = entries(&app, "auth.login").await;
    let wrong: Vec<&Value> = guesses
        .iter()
        .filter(|entry| entry["outcome"] == "wrong_password")
        .collect();
    assert_eq!(wrong.len(), 10);
    assert!(
        wrong
            .iter()
            .all(|entry| entry["ip"] == "127.0.0.4" && entry["user_agent"] == "guesser/1.0"),
        "{wrong:#?}"
    );
}

/// The account's tenant, as the signup answered it.
fn tenant_of(account: &invoiceflow_tests::Account) -> invoiceflow::domain::TenantId {
    invoiceflow::domain::TenantId::parse_for_tests(
        account.body["account"]["id"].as_str().expect("account id"),
    )
    .expect("tenant")
}

/// What `GET /v1/audit/verify` says, after the app's client logged in again (the clock has
/// moved on past the idle timeout).
async fn check(app: &TestApp, account: &invoiceflow_tests::Account) -> Value {
    let client = &app.client;
    assert_eq!(
        app.login(client, &account.email, &account.password)
            .await
            .status(),
        200
    );
    let answer = client
        .get(app.url("/v1/audit/verify"))
        .send()
        .await
        .expect("verify");
    assert_eq!(answer.status(), 200);
    answer.json().await.expect("the check")
}

/// The web app's page of the check, for the app's client (logged in by [`check`]).
async fn web_check(app: &TestApp) -> String {
    let page = app
        .client
        .get(app.url("/audit/check"))
        .send()
        .await
        .expect("the page");
    assert_eq!(page.status(), 200);
    page.text().await.expect("html")
}

/// The kinds of problem a check found.
fn problems(found: &Value) -> Vec<String> {
    found["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["problem"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// An entry no one made: what a rewrite of the table would put in.
fn made_up(action: &str) -> invoiceflow::store::AuditEntry {
    invoiceflow::store::AuditEntry {
        actor: None,
        action: action.into(),
        object: None,
        outcome: "success".into(),
        request_id: None,
        via: None,
        ip: None,
        user_agent: None,
    }
}

/// Two hours on, a scheduled pass: every entry but the last 15 minutes' is signed.
async fn two_hours_and_a_pass(app: &TestApp) -> invoiceflow::schedules::Report {
    app.state().clock.advance(2 * 3600);
    invoiceflow_tests::passes_until_done(app.state()).await.0
}

#[tokio::test]
async fn each_tampering_of_the_trail_is_found_and_the_export_checks_offline() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use invoiceflow::store::{Checkpoint, keys};

    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let tenant = tenant_of(&account);
    for name in ["Ada", "Grace"] {
        app.add_customer(name).await;
    }
    let report = two_hours_and_a_pass(&app).await;
    assert!(report.entries_signed >= 3, "{report:?}");
    assert_eq!(report.trails_failed, 0, "{report:?}");
    let found = check(&app, &account).await;
    app.add_customer("Edsger").await;
    let report = two_hours_and_a_pass(&app).await;
    assert!(report.entries_signed >= 2, "{report:?}");
    let found_after = check(&app, &account).await;
    assert_eq!(found_after["intact"], true, "{found_after:#}");
    assert_eq!(found_after["checkpoints"], 2, "{found_after:#}");
    assert!(
        found_after["entries_sealed"].as_u64() > found["entries_sealed"].as_u64(),
        "{found:#} then {found_after:#}"
    );
    assert!(
        found_after["public_key_pem"]
            .as_str()
            .is_some_and(|pem| pem.starts_with("-----BEGIN PUBLIC KEY-----")),
        "{found_after:#}"
    );
    // A pass with nothing new to sign makes no checkpoint.
    let quiet = invoiceflow_tests::passes_until_done(app.state()).await.0;
    assert_eq!(quiet.entries_signed, 0, "{quiet:?}");

    // The raw items, as an operator with write access to the table would touch them.
    let db = &app.stack.raw_dynamodb;
    let table = app.state().config.table_name.clone();
    let pk = keys::account(&tenant).pk().to_owned();
    let sealed_entries: Vec<String> = {
        let through = found_after["sealed_through"]
            .as_str()
            .and_then(|id| id.strip_prefix("aud_"))
            .expect("sealed through")
            .to_owned();
        let out = db
            .query()
            .table_name(&table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :audit)")
            .expression_attribute_values(":pk", AttributeValue::S(pk.clone()))
            .expression_attribute_values(":audit", AttributeValue::S("AUDIT#".into()))
            .send()
            .await
            .expect("query");
        out.items
            .unwrap_or_default()
            .iter()
            .filter_map(|item| item.get("SK")?.as_s().ok().cloned())
            .filter(|sk| sk.as_str() <= format!("AUDIT#{through}").as_str())
            .collect()
    };
    assert!(sealed_entries.len() >= 5, "{sealed_entries:?}");
    let get = |sk: String| {
        let (db, table, pk) = (db.clone(), table.clone(), pk.clone());
        async move {
            db.get_item()
                .table_name(table)
                .key("PK", AttributeValue::S(pk))
                .key("SK", AttributeValue::S(sk))
                .send()
                .await
                .expect("get")
                .item
                .expect("the item")
        }
    };
    let put = |item: std::collections::HashMap<String, AttributeValue>| {
        let (db, table) = (db.clone(), table.clone());
        async move {
            db.put_item()
                .table_name(table)
                .set_item(Some(item))
                .send()
                .await
                .expect("put");
        }
    };
    let delete = |sk: String| {
        let (db, table, pk) = (db.clone(), table.clone(), pk.clone());
        async move {
            db.delete_item()
                .table_name(table)
                .key("PK", AttributeValue::S(pk))
                .key("SK", AttributeValue::S(sk))
                .send()
                .await
                .expect("delete");
        }
    };
    let expect_found = |found: Value, kind: &'static str| {
        assert_eq!(found["intact"], false, "{kind}: {found:#}");
        assert!(
            problems(&found).iter().any(|p| p == kind),
            "{kind}: {found:#}"
        );
    };

    // 1. An entry deleted.
    let victim = sealed_entries[1].clone();
    let kept = get(victim.clone()).await;
    delete(victim.clone()).await;
    expect_found(check(&app, &account).await, "entries-changed");
    put(kept.clone()).await;
    assert_eq!(check(&app, &account).await["intact"], true, "restored");

    // 2. An entry changed: a well-formed record under the account's own key, other words.
    let store = &app.state().store;
    let entry_id = ulid::Ulid::from_string(victim.trim_start_matches("AUDIT#")).expect("ulid");
    let mut tx = store.transaction(&tenant).await.expect("tx");
    tx.put(
        &keys::audit(&tenant, &entry_id),
        &made_up("nothing.happened"),
    );
    store.commit(tx).await.expect("rewrite");
    expect_found(check(&app, &account).await, "entries-changed");
    put(kept.clone()).await;

    // 3. An entry inserted among the signed ones (an id just after the first's).
    let first =
        ulid::Ulid::from_string(sealed_entries[0].trim_start_matches("AUDIT#")).expect("ulid");
    let inserted = ulid::Ulid::from_parts(first.timestamp_ms(), first.random() + 1);
    let mut tx = store.transaction(&tenant).await.expect("tx");
    tx.put(
        &keys::audit(&tenant, &inserted),
        &made_up("customer.delete"),
    );
    store.commit(tx).await.expect("insert");
    expect_found(check(&app, &account).await, "entries-changed");
    delete(format!("AUDIT#{inserted}")).await;

    // 4. An entry's stored form altered: it no longer opens.
    let mut garbled = kept.clone();
    if let Some(AttributeValue::B(blob)) = garbled.get("ct").cloned() {
        let mut bytes = blob.into_inner();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        garbled.insert("ct".into(), AttributeValue::B(bytes.into()));
    } else {
        panic!("an entry's content is binary: {kept:?}");
    }
    put(garbled).await;
    expect_found(check(&app, &account).await, "entry-unreadable");
    put(kept.clone()).await;

    // 5. The first checkpoint deleted.
    let first_checkpoint = keys::checkpoint(&tenant, 1).sk().to_owned();
    let checkpoint = get(first_checkpoint.clone()).await;
    delete(first_checkpoint.clone()).await;
    let found = check(&app, &account).await;
    expect_found(found.clone(), "checkpoint-missing");
    expect_found(found, "chain-broken");
    let page = web_check(&app).await;
    assert!(
        page.contains("The trail is not as it was signed") && page.contains("checkpoint-missing"),
        "{page}"
    );
    put(checkpoint.clone()).await;

    // 6. A checkpoint's statement changed (its signature kept).
    let stored = store
        .get::<Checkpoint>(&tenant, &keys::checkpoint(&tenant, 1))
        .await
        .expect("read")
        .expect("checkpoint");
    let mut tx = store.transaction(&tenant).await.expect("tx");
    tx.put(
        &keys::checkpoint(&tenant, 1),
        &Checkpoint {
            statement: stored.record.statement.replace("\"count\":", "\"count\":1"),
            signature: stored.record.signature.clone(),
        },
    );
    store.commit(tx).await.expect("rewrite");
    expect_found(check(&app, &account).await, "signature-invalid");
    put(checkpoint).await;
    let restored = check(&app, &account).await;
    assert_eq!(restored["intact"], true, "all restored: {restored:#}");
    let page = web_check(&app).await;
    assert!(
        page.contains("The trail is intact: 2 signed checkpoints cover"),
        "{page}"
    );

    // The complete export carries the trail as signed; its own script checks it offline, and
    // finds an entry changed in the file.
    let client = app.new_client();
    app.login(&client, &account.email, &account.password).await;
    app.reauthenticate(&client).await;
    let folder = crate::exports::export_account_to_folder(&app, &client).await;
    let audit = folder.join("audit");
    let run = || {
        std::process::Command::new(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/.venv/bin/python"),
        )
        .arg(audit.join("verify.py"))
        .arg(&audit)
        .output()
        .expect("python")
    };
    let checked = run();
    let said = String::from_utf8_lossy(&checked.stdout).into_owned();
    assert!(checked.status.success(), "{said}");
    assert!(
        said.contains("2 checkpoints") && said.ends_with("intact\n"),
        "{said}"
    );
    let trail_file = audit.join("trail.jsonl");
    let lines = std::fs::read_to_string(&trail_file).expect("trail");
    std::fs::write(
        &trail_file,
        lines.replacen("customer.create", "customer.delete", 1),
    )
    .expect("write");
    let checked = run();
    let said = String::from_utf8_lossy(&checked.stdout).into_owned();
    assert!(!checked.status.success(), "{said}");
    assert!(said.contains("PROBLEM: checkpoint 1"), "{said}");
    std::fs::remove_dir_all(&folder).expect("clean up");
}

/// A trail of many entries (the count from `MEASURE_TRAIL`, 2,000 in `make test`): the passes
/// that sign it, and one check of it, by AWS calls and time, beside one page of the trail read
/// (100 entries). The check reads the whole trail, a page of 500 at a time.
#[tokio::test]
async fn a_long_trail_is_signed_and_checked_with_measured_calls_and_time() {
    let app = invoiceflow_tests::spawn_app_alone().await;
    let count: usize = std::env::var("MEASURE_TRAIL")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let account = app.signup(&app.client).await;
    let tenant = tenant_of(&account);
    let store = &app.state().store;
    for start in (0..count).step_by(1_000) {
        let records: Vec<_> = (start..count.min(start + 1_000))
            .map(|i| {
                (
                    invoiceflow::store::keys::audit(&tenant, &ulid::Ulid::generate()),
                    made_up(if i % 2 == 0 {
                        "customer.create"
                    } else {
                        "invoice.pdf"
                    }),
                )
            })
            .collect();
        store.seed_for_tests(&tenant, records).await.expect("seed");
    }
    let calls = app.state().aws_calls();

    app.state().clock.advance(2 * 3600);
    let before = calls.snapshot();
    let started = std::time::Instant::now();
    let mut passes = 0;
    let mut signed = 0;
    loop {
        let report = invoiceflow_tests::passes_until_done(app.state()).await.0;
        passes += 1;
        signed += report.entries_signed;
        if report.entries_signed == 0 {
            break;
        }
    }
    let sign_time = started.elapsed();
    let sign_calls = calls.since(&before);
    assert!(signed >= count as u64, "{signed} of {count}");

    app.login(&app.client, &account.email, &account.password)
        .await;
    let before = calls.snapshot();
    let started = std::time::Instant::now();
    let page = app
        .client
        .get(app.url("/v1/audit?limit=100"))
        .send()
        .await
        .expect("a page");
    assert_eq!(page.status(), 200);
    let page_time = started.elapsed();
    let page_calls = calls.since(&before);

    let before = calls.snapshot();
    let started = std::time::Instant::now();
    let checked: Value = app
        .client
        .get(app.url("/v1/audit/verify"))
        .send()
        .await
        .expect("verify")
        .json()
        .await
        .expect("json");
    let check_time = started.elapsed();
    let check_calls = calls.since(&before);
    assert_eq!(checked["intact"], true, "{checked:#}");
    assert!(checked["entries_sealed"].as_u64() >= Some(count as u64));
    let ratio = |t: std::time::Duration| t.as_secs_f64() / page_time.as_secs_f64().max(1e-6);
    println!(
        "trail of {count} entries: signed in {passes} passes, {checkpoints} checkpoints, {:.2} s \
         = {:.0}x a page of the trail ({:.1} ms), calls {sign_calls:?}; checked in {:.2} s = \
         {:.0}x the page, calls {check_calls:?}; the page's calls {page_calls:?}",
        sign_time.as_secs_f64(),
        ratio(sign_time),
        page_time.as_secs_f64() * 1000.0,
        check_time.as_secs_f64(),
        ratio(check_time),
        checkpoints = checked["checkpoints"],
    );
}
