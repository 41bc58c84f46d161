//! Two-factor authentication, and what needs the password confirmed again: enrolment, login
//! with a code and with a recovery code (each once), turning it off; a change of the bank
//! account; the security notices e-mailed to the user.

use invoiceflow::domain::second_factor::code_at;
use invoiceflow_tests::{STRONG_PASSWORD, TestApp, set_cookie, spawn_app_alone};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("json")
}

/// The subject and text of every message the emulator's SES took for `address`.
async fn mail_to(app: &TestApp, address: &str) -> Vec<(String, String)> {
    app.sent_mail()
        .await
        .into_iter()
        .filter(|m| m.destinations.iter().any(|d| d.contains(address)))
        .filter_map(|m| {
            let parsed = mail_parser::MessageParser::default().parse(m.raw.as_bytes())?;
            Some((
                parsed.subject().unwrap_or_default().to_owned(),
                parsed.body_text(0)?.to_string(),
            ))
        })
        .collect()
}

async fn actions(app: &TestApp) -> Vec<(String, String)> {
    let trail = json_of(
        app.client
            .get(app.url("/v1/audit?limit=100"))
            .send()
            .await
            .expect("audit"),
    )
    .await;
    trail["data"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["outcome"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn problem_type(problem: &Value) -> &str {
    problem["type"]
        .as_str()
        .and_then(|t| t.rsplit(':').next())
        .unwrap_or_default()
}

async fn login(app: &TestApp, email: &str, extra: Value) -> reqwest::Response {
    let mut body = json!({"email": email, "password": STRONG_PASSWORD});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    app.post(&app.new_client(), "/v1/auth/login")
        .json(&body)
        .send()
        .await
        .expect("login")
}

#[tokio::test]
async fn enrolment_then_login_with_a_code_and_with_a_recovery_code_each_used_once() {
    let app = spawn_app_alone().await;
    let account = app.signup(&app.client).await;
    let start = |password: &str| {
        app.post(&app.client, "/v1/auth/second-factor")
            .json(&json!({"password": password}))
            .send()
    };
    let wrong = start("not-the-password-at-all").await.expect("start");
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(wrong).await["errors"][0]["field"], "password");

    let started = start(STRONG_PASSWORD).await.expect("start");
    assert_eq!(started.status(), StatusCode::CREATED);
    assert_eq!(started.headers()["cache-control"], "no-store");
    let started = json_of(started).await;
    let secret = started["secret"].as_str().expect("secret").to_owned();
    assert!(
        started["otpauth_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("otpauth://totp/InvoiceFlow:")
                && u.contains(&format!("secret={secret}"))),
        "{started}"
    );
    assert!(
        started["qr_svg"]
            .as_str()
            .is_some_and(|s| s.contains("<svg"))
    );

    // Not the code the app shows, a malformed one: refused naming `code`, nothing turned on.
    for code in ["000000", "12345", "abcdef"] {
        let refused = app
            .post(&app.client, "/v1/auth/second-factor/confirm")
            .json(&json!({"code": code}))
            .send()
            .await
            .expect("confirm");
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{code}");
        assert_eq!(json_of(refused).await["errors"][0]["field"], "code");
    }
    let plain = login(&app, &account.email, json!({})).await;
    assert_eq!(plain.status(), StatusCode::OK, "not on yet");

    let now = app.state().clock.unix();
    let code = code_at(&secret, now).expect("code");
    let confirmed = app
        .post(&app.client, "/v1/auth/second-factor/confirm")
        .json(&json!({"code": code}))
        .send()
        .await
        .expect("confirm");
    assert_eq!(confirmed.status(), StatusCode::OK);
    assert_eq!(confirmed.headers()["cache-control"], "no-store");
    let recovery: Vec<String> = json_of(confirmed).await["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .filter_map(|c| c.as_str().map(str::to_owned))
        .collect();
    assert_eq!(recovery.len(), 10);

    // The password alone is not enough now, and the answer says what is missing.
    let missing = login(&app, &account.email, json!({})).await;
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&missing).is_none());
    let missing = json_of(missing).await;
    assert_eq!(
        problem_type(&missing),
        "second-factor-required",
        "{missing}"
    );
    assert_eq!(missing["errors"][0]["field"], "code");
    // A wrong code is a failed login; so is the enrolment's code again (its step is used).
    for used in ["123456", code.as_str()] {
        let refused = login(&app, &account.email, json!({"code": used})).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{used}");
        assert_eq!(problem_type(&json_of(refused).await), "invalid-credentials");
    }
    // The next step's code logs in, once.
    app.state().clock.advance(30);
    let code = code_at(&secret, app.state().clock.unix()).expect("code");
    let with_code = login(&app, &account.email, json!({"code": code})).await;
    assert_eq!(with_code.status(), StatusCode::OK);
    assert!(set_cookie(&with_code).is_some());
    let again = login(&app, &account.email, json!({"code": code})).await;
    assert_eq!(
        again.status(),
        StatusCode::UNAUTHORIZED,
        "a code works once"
    );
    // A wrong password with the right next code is refused as any wrong password.
    app.state().clock.advance(30);
    let next = code_at(&secret, app.state().clock.unix()).expect("code");
    let wrong_password = app
        .post(&app.new_client(), "/v1/auth/login")
        .json(&json!({"email": account.email, "password": "not-the-password-at-all", "code": next}))
        .send()
        .await
        .expect("login");
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);

    // A recovery code, typed as people type: once.
    let typed = recovery[4].to_uppercase().replace('-', " ");
    let recovered = login(&app, &account.email, json!({"recovery_code": typed})).await;
    assert_eq!(recovered.status(), StatusCode::OK);
    let reused = login(&app, &account.email, json!({"recovery_code": recovery[4]})).await;
    assert_eq!(reused.status(), StatusCode::UNAUTHORIZED, "used up");
    // Both at once, or a malformed one: refused naming the field, before any guess is counted.
    for (body, field) in [
        (
            json!({"code": next, "recovery_code": recovery[0]}),
            "recovery_code",
        ),
        (json!({"recovery_code": "short"}), "recovery_code"),
        (json!({"code": "12 345"}), "code"),
    ] {
        let refused = login(&app, &account.email, body.clone()).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(json_of(refused).await["errors"][0]["field"], field);
    }

    // Confirming the password for a sensitive change needs the code too.
    let reauth = |body: Value| {
        app.post(&app.client, "/v1/auth/reauthenticate")
            .json(&body)
            .send()
    };
    let without = reauth(json!({"password": STRONG_PASSWORD}))
        .await
        .expect("reauth");
    assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        problem_type(&json_of(without).await),
        "second-factor-required"
    );
    app.state().clock.advance(30);
    let code = code_at(&secret, app.state().clock.unix()).expect("code");
    let with = reauth(json!({"password": STRONG_PASSWORD, "code": code}))
        .await
        .expect("reauth");
    assert_eq!(with.status(), StatusCode::NO_CONTENT);

    // Turning it off needs the password and a code; then the password alone logs in.
    app.state().clock.advance(30);
    let code = code_at(&secret, app.state().clock.unix()).expect("code");
    let off = app
        .unsafe_request(&app.client, Method::DELETE, "/v1/auth/second-factor")
        .json(&json!({"password": STRONG_PASSWORD, "code": code}))
        .send()
        .await
        .expect("off");
    assert_eq!(off.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        login(&app, &account.email, json!({})).await.status(),
        StatusCode::OK
    );

    let trail = actions(&app).await;
    for (action, outcome) in [
        ("auth.second_factor_start", "success"),
        ("auth.second_factor_enable", "success"),
        ("auth.login", "wrong_second_factor"),
        ("auth.recovery_code_used", "success"),
        ("auth.reauthenticate", "success"),
        ("auth.second_factor_disable", "success"),
    ] {
        assert!(
            trail.iter().any(|(a, o)| a == action && o == outcome),
            "{action} {outcome}: {trail:?}"
        );
    }
    let mail = mail_to(&app, &account.email).await;
    let said = |text: &str| mail.iter().any(|(_, body)| body.contains(text));
    assert!(said("Two-factor authentication was turned on"), "{mail:?}");
    assert!(said("A recovery code was used"), "{mail:?}");
    assert!(said("9 recovery codes are left"), "{mail:?}");
    assert!(said("Two-factor authentication was turned off"), "{mail:?}");
    assert!(
        mail.iter()
            .all(|(subject, _)| subject == "Security notice for your InvoiceFlow account")
    );
}

#[tokio::test]
async fn a_bank_account_change_needs_a_recent_password_and_tells_the_owner() {
    let app = spawn_app_alone().await;
    let account = app.signup(&app.client).await;
    let company = |iban: &str, phone: &str| {
        json!({"legal_name": account.company_name, "currency": "EUR", "phone": phone,
               "bank_account": {"holder": account.company_name, "iban": iban}})
    };
    let put = |version: u64, body: Value| {
        app.unsafe_request(&app.client, Method::PUT, "/v1/company")
            .header("if-match", format!("\"{version}\""))
            .json(&body)
            .send()
    };
    let refused = put(1, company("DE89370400440532013000", "+49 30 1234567"))
        .await
        .expect("put");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let problem = json_of(refused).await;
    assert_eq!(problem_type(&problem), "reauthentication-required");
    assert_eq!(problem["errors"][0]["field"], "password");
    let profile = json_of(
        app.client
            .get(app.url("/v1/company"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(
        (&profile["version"], &profile["bank_account"]),
        (&json!(1), &Value::Null),
        "nothing written"
    );

    let wrong = app
        .post(&app.client, "/v1/auth/reauthenticate")
        .json(&json!({"password": "not-the-password-at-all"}))
        .send()
        .await
        .expect("reauth");
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(wrong).await["errors"][0]["field"], "password");

    app.reauthenticate(&app.client).await;
    let changed = put(1, company("DE89370400440532013000", "+49 30 1234567"))
        .await
        .expect("put");
    assert_eq!(changed.status(), StatusCode::OK);
    // Six minutes later the confirmation has lapsed for the bank account, not for the rest.
    app.state().clock.advance(6 * 60);
    let lapsed = put(2, company("GB82WEST12345698765432", "+49 30 1234567"))
        .await
        .expect("put");
    assert_eq!(lapsed.status(), StatusCode::FORBIDDEN);
    let phone_only = put(2, company("DE89370400440532013000", "+49 30 7654321"))
        .await
        .expect("put");
    assert_eq!(
        phone_only.status(),
        StatusCode::OK,
        "{}",
        phone_only.text().await.unwrap_or_default()
    );

    let trail = actions(&app).await;
    let changes = trail
        .iter()
        .filter(|(a, _)| a == "company.bank_account_change")
        .count();
    assert_eq!(changes, 1, "{trail:?}");
    let mail = mail_to(&app, &account.email).await;
    assert_eq!(
        mail.iter()
            .filter(
                |(_, body)| body.contains("The bank account printed on your invoices was changed")
            )
            .count(),
        1,
        "{mail:?}"
    );
}

#[tokio::test]
async fn an_email_change_needs_a_recent_password_moves_the_login_and_tells_both_addresses() {
    let app = spawn_app_alone().await;
    let account = app.signup(&app.client).await;
    let new = format!("new.{}", account.email);
    let change = |email: String| {
        app.unsafe_request(&app.client, Method::PUT, "/v1/auth/email")
            .json(&json!({ "email": email }))
            .send()
    };

    let refused = change(new.clone()).await.expect("put");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        problem_type(&json_of(refused).await),
        "reauthentication-required"
    );
    assert_eq!(
        login(&app, &new, json!({})).await.status(),
        StatusCode::UNAUTHORIZED,
        "nothing written"
    );

    app.reauthenticate(&app.client).await;
    let bad = change("not an address".into()).await.expect("put");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_of(bad).await["errors"][0]["field"], "email");
    let same = change(account.email.to_uppercase()).await.expect("put");
    assert_eq!(same.status(), StatusCode::BAD_REQUEST, "the account's own");
    let other = app.signup(&app.new_client()).await;
    let taken = change(other.email.clone()).await.expect("put");
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert_eq!(json_of(taken).await["errors"][0]["field"], "email");

    let changed = change(new.clone()).await.expect("put");
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(login(&app, &new, json!({})).await.status(), StatusCode::OK);
    assert_eq!(
        login(&app, &account.email, json!({})).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The old address is free: it can sign up as a new account.
    let again = app
        .post(&app.new_client(), "/v1/auth/signup")
        .json(&json!({
            "name": "Someone Else", "email": account.email, "password": STRONG_PASSWORD,
            "company_name": "Another Company Ltd",
        }))
        .send()
        .await
        .expect("signup");
    assert_eq!(again.status(), StatusCode::CREATED);

    for address in [&account.email, &new] {
        let mail = mail_to(&app, address).await;
        assert!(
            mail.iter().any(|(subject, text)| subject
                == "Security notice for your InvoiceFlow account"
                && text.contains(&format!("was changed to {new}"))),
            "{address}: {mail:?}"
        );
    }
    assert!(
        actions(&app)
            .await
            .contains(&("auth.email_change".to_owned(), "success".to_owned()))
    );
    let session = json_of(
        app.client
            .get(app.url("/v1/auth/session"))
            .send()
            .await
            .expect("session"),
    )
    .await;
    assert_eq!(session["user"]["email"], new.as_str(), "{session}");
}
