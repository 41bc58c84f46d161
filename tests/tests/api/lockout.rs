//! The failed-login rule under concurrency, device cookies, and passwords at bcrypt's limit.

use std::time::Duration;

use invoiceflow_tests::{TestApp, device_cookie, spawn_app, spawn_interleaving_app};
use serde_json::{Value, json};

const WRONG: &str = "wrong-password-entirely";

/// A login from a browser that presents exactly this device cookie (or none).
async fn login_with_device(
    app: &TestApp,
    device: Option<&str>,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let mut request = app
        .post(&reqwest::Client::new(), "/v1/auth/login")
        .json(&json!({"email": email, "password": password}));
    if let Some(device) = device {
        request = request.header("cookie", format!("__Host-device={device}"));
    }
    request.send().await.expect("login")
}

/// The outcomes of the account's audit entries for `action`, read through the API.
async fn audit_outcomes(app: &TestApp, action: &str) -> Vec<String> {
    app.audit_entries()
        .await
        .iter()
        .filter(|entry| entry["action"] == action)
        .map(|entry| entry["outcome"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_parallel_burst_has_no_more_than_ten_guesses_checked() {
    // Every AWS answer held back 150 ms: all 31 requests read before any of them writes, as on
    // DynamoDB. Counting after bcrypt (read, check, record) let all 31 be checked here.
    let app = spawn_interleaving_app(Duration::from_millis(150)).await;
    let account = app.signup(&app.client).await;
    let guesses = (0..31).map(|i| {
        let password = if i == 15 {
            account.password.clone()
        } else {
            WRONG.to_owned()
        };
        let app = &app;
        let email = account.email.clone();
        async move {
            login_with_device(app, None, &email, &password)
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| matches!(s, 200 | 401)).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(
        checked <= 10,
        "{checked} guesses were checked: {statuses:?}"
    );
    assert_eq!(checked + refused, 31, "{statuses:?}");
    let wrong = audit_outcomes(&app, "auth.login")
        .await
        .into_iter()
        .filter(|outcome| outcome == "wrong_password")
        .count();
    assert!(wrong <= 10, "{wrong} wrong passwords were checked");
}

#[tokio::test]
async fn an_attacker_cannot_lock_the_owners_browser_out() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let owner_login = login_with_device(&app, None, &account.email, &account.password).await;
    assert_eq!(owner_login.status(), 200);
    let owners_device = device_cookie(&owner_login).expect("a login sets the device cookie");

    // The attacker spends the address's budget and keeps it locked.
    for _ in 0..10 {
        let guess = login_with_device(&app, None, &account.email, WRONG).await;
        assert_eq!(guess.status(), 401);
    }
    let locked = login_with_device(&app, None, &account.email, WRONG).await;
    assert_eq!(locked.status(), 429);
    let stranger = login_with_device(&app, None, &account.email, &account.password).await;
    assert_eq!(
        stranger.status(),
        429,
        "an unrecognised browser is locked out"
    );

    // The owner's browser has its own budget.
    let owner = login_with_device(
        &app,
        Some(&owners_device),
        &account.email,
        &account.password,
    )
    .await;
    assert_eq!(owner.status(), 200, "the owner's browser still logs in");
    // A device cookie for another user does not count as recognised.
    let other = app.signup(&app.new_client()).await;
    let foreign = login_with_device(&app, Some(&owners_device), &other.email, WRONG).await;
    assert_eq!(foreign.status(), 401);
    // A forged one neither.
    let forged = format!("{}x", &owners_device[..owners_device.len() - 1]);
    let refused = login_with_device(&app, Some(&forged), &account.email, &account.password).await;
    assert_eq!(
        refused.status(),
        429,
        "a forged device cookie is an unrecognised browser"
    );
    assert!(
        audit_outcomes(&app, "auth.login")
            .await
            .iter()
            .any(|o| o == "locked"),
        "refusals by the lockout are in the audit trail"
    );
}

#[tokio::test]
async fn a_stolen_device_cookie_that_keeps_failing_locks_only_itself() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let login = login_with_device(&app, None, &account.email, &account.password).await;
    let stolen = device_cookie(&login).expect("device cookie");
    for _ in 0..5 {
        let guess = login_with_device(&app, Some(&stolen), &account.email, WRONG).await;
        assert_eq!(guess.status(), 401);
    }
    let locked = login_with_device(&app, Some(&stolen), &account.email, &account.password).await;
    assert_eq!(locked.status(), 429, "the device's own budget is spent");
    assert!(locked.headers().contains_key("retry-after"));
    // Its failures did not touch the address's budget.
    let elsewhere = login_with_device(&app, None, &account.email, &account.password).await;
    assert_eq!(elsewhere.status(), 200);
    app.state().clock.advance(15 * 60);
    let later = login_with_device(&app, Some(&stolen), &account.email, &account.password).await;
    assert_eq!(later.status(), 200, "the device's window has passed");
}

/// A strong password of exactly `len` bytes.
fn password_of(len: usize) -> String {
    "granite-lantern-orbit-cactus-"
        .chars()
        .cycle()
        .take(len)
        .collect()
}

#[tokio::test]
async fn passwords_of_71_and_72_bytes_work_and_73_is_refused_naming_the_field() {
    let app = spawn_app().await;
    for (len, expected) in [(71, 201), (72, 201), (73, 400)] {
        let client = app.new_client();
        let response = app
            .post(&client, "/v1/auth/signup")
            .json(&json!({
                "name": "Ann Example",
                "email": format!("ann.{len}@example.com"),
                "password": password_of(len),
                "company_name": "Example Atelier",
            }))
            .send()
            .await
            .expect("signup");
        assert_eq!(response.status(), expected, "{len} bytes");
        if expected == 400 {
            let problem: Value = response.json().await.expect("problem");
            assert_eq!(problem["errors"][0]["field"], "password");
        }
    }
    let ok = login_with_device(&app, None, "ann.72@example.com", &password_of(72)).await;
    assert_eq!(ok.status(), 200, "a 72-byte password logs in");

    // A 73-byte guess is an ordinary failed login: a 401, counted like any other.
    for _ in 0..10 {
        let guess = login_with_device(&app, None, "ann.72@example.com", &password_of(73)).await;
        assert_eq!(guess.status(), 401);
    }
    let eleventh = login_with_device(&app, None, "ann.72@example.com", &password_of(73)).await;
    assert_eq!(eleventh.status(), 429);
    let unknown = login_with_device(&app, None, "nobody.72@example.com", &password_of(73)).await;
    assert_eq!(
        unknown.status(),
        401,
        "unknown email, 73 bytes: 401, never a 500"
    );

    // Password change: 72 bytes accepted, 73 refused naming the field.
    let owner = app.signup(&app.client).await;
    let change = |new: String, current: String| {
        app.post(&app.client, "/v1/auth/password")
            .json(&json!({"current_password": current, "new_password": new}))
            .send()
    };
    let too_long = change(password_of(73), owner.password.clone())
        .await
        .expect("change");
    assert_eq!(too_long.status(), 400);
    let problem: Value = too_long.json().await.expect("problem");
    assert_eq!(problem["errors"][0]["field"], "new_password");
    let changed = change(password_of(72), owner.password.clone())
        .await
        .expect("change");
    assert_eq!(changed.status(), 204);
}

#[tokio::test]
async fn a_wrong_current_password_is_in_the_audit_trail() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let response = app
        .post(&app.client, "/v1/auth/password")
        .json(&json!({"current_password": WRONG, "new_password": password_of(40)}))
        .send()
        .await
        .expect("change");
    assert_eq!(response.status(), 400);
    assert_eq!(
        audit_outcomes(&app, "auth.password_change").await,
        ["wrong_password"],
        "{}",
        account.email
    );
}
