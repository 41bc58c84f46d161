//! Accounts and sessions, end to end over HTTP.

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use invoiceflow::auth::Claims;
use invoiceflow_tests::{STRONG_PASSWORD, TestApp, session_token, set_cookie, spawn_app};
use serde_json::{Value, json};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

/// The claims inside a token (read without checking, to forge variations of it).
fn claims_of(token: &str) -> Claims {
    let payload = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("claims")
}

async fn status_with_token(app: &TestApp, token: &str) -> u16 {
    app.get_with_token("/v1/auth/session", token)
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn signup_sets_a_host_only_http_only_strict_session_cookie() {
    let app = spawn_app().await;
    let response = app
        .post(&app.client, "/v1/auth/signup")
        .json(&json!({
            "name": "Ann Example",
            "email": "ann.cookie@example.com",
            "password": STRONG_PASSWORD,
            "company_name": "Example Atelier",
        }))
        .send()
        .await
        .expect("signup");
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let cookie = set_cookie(&response).expect("cookie");
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=43200",
    ] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    let body: Value = response.json().await.expect("body");
    assert_eq!(body["user"]["email"], "ann.cookie@example.com");
    assert_eq!(body["user"]["name"], "Ann Example");
    assert!(
        body["user"]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("usr_"))
    );
    assert!(
        body["account"]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("acc_"))
    );
    assert!(body["user"].get("password_hash").is_none(), "{body}");
}

#[tokio::test]
async fn signup_then_session_then_logout_refuses_the_old_cookie() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;

    let session = app
        .client
        .get(app.url("/v1/auth/session"))
        .send()
        .await
        .expect("session");
    assert_eq!(session.status(), 200);
    let body: Value = session.json().await.expect("body");
    assert_eq!(body["user"], account.body["user"]);
    assert_eq!(body["account"], account.body["account"]);

    let logout = app
        .post(&app.client, "/v1/auth/logout")
        .send()
        .await
        .expect("logout");
    assert_eq!(logout.status(), 204);
    let cleared = set_cookie(&logout).expect("logout clears the cookie");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    assert_eq!(status_with_token(&app, &account.token).await, 401);
    let after = app
        .client
        .get(app.url("/v1/auth/session"))
        .send()
        .await
        .expect("session");
    assert_eq!(after.status(), 401);
}

/// Half an hour without a request ends a session, well before its 12 hours; use keeps it going.
#[tokio::test]
async fn a_session_left_idle_for_half_an_hour_ends_and_use_keeps_it_alive() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let other = app.new_client();
    let kept = app.login(&other, &account.email, &account.password).await;
    let kept = session_token(&kept).expect("a second session");
    // Used every 20 minutes for an hour and a half: still live.
    for _ in 0..4 {
        app.state().clock.advance(20 * 60);
        assert_eq!(status_with_token(&app, &kept).await, 200);
    }
    // The first session was last used at signup, 80 minutes ago: ended, for reads and writes.
    assert_eq!(status_with_token(&app, &account.token).await, 401);
    let written = reqwest::Client::new()
        .patch(app.url("/v1/settings"))
        .header("cookie", format!("__Host-session={}", account.token))
        .header("x-requested-with", "XMLHttpRequest")
        .header("if-match", "*")
        .json(&json!({"locale": "de"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(written.status(), 401);
    // 31 minutes of silence end the one that was used.
    app.state().clock.advance(31 * 60);
    assert_eq!(status_with_token(&app, &kept).await, 401);
}

#[tokio::test]
async fn a_logged_out_session_cannot_write() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let company: Value = app
        .client
        .get(app.url("/v1/company"))
        .send()
        .await
        .expect("company")
        .json()
        .await
        .expect("body");
    app.post(&app.client, "/v1/auth/logout")
        .send()
        .await
        .expect("logout");

    let replaced = reqwest::Client::new()
        .put(app.url("/v1/company"))
        .header("cookie", format!("__Host-session={}", account.token))
        .header("x-requested-with", "XMLHttpRequest")
        .header("if-match", format!("\"{}\"", company["version"]))
        .json(&json!({"legal_name": "Taken Over Ltd"}))
        .send()
        .await
        .expect("put");
    assert_eq!(replaced.status(), 401);

    let login = app.new_client();
    app.login(&login, &account.email, &account.password).await;
    let company_now: Value = login
        .get(app.url("/v1/company"))
        .send()
        .await
        .expect("company")
        .json()
        .await
        .expect("body");
    assert_eq!(company_now["legal_name"], account.company_name);
    assert_eq!(company_now["version"], company["version"]);
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_and_renews_this_one() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let other = app.new_client();
    let login = app.login(&other, &account.email, &account.password).await;
    assert_eq!(login.status(), 200);
    let other_token = session_token(&login).expect("cookie");

    let new_password = "quartz-meadow-violin-harbor";
    let change = app
        .post(&app.client, "/v1/auth/password")
        .json(&json!({"current_password": account.password, "new_password": new_password}))
        .send()
        .await
        .expect("change");
    assert_eq!(change.status(), 204);
    let renewed = session_token(&change).expect("a new cookie");
    assert_ne!(renewed, account.token);

    assert_eq!(status_with_token(&app, &other_token).await, 401);
    assert_eq!(status_with_token(&app, &account.token).await, 401);
    assert_eq!(status_with_token(&app, &renewed).await, 200);

    let stale = app
        .login(&app.new_client(), &account.email, &account.password)
        .await;
    assert_eq!(stale.status(), 401);
    let fresh = app
        .login(&app.new_client(), &account.email, new_password)
        .await;
    assert_eq!(fresh.status(), 200);
}

#[tokio::test]
async fn a_wrong_current_password_changes_nothing() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let change = app
        .post(&app.client, "/v1/auth/password")
        .json(&json!({"current_password": "not-the-password-at-all", "new_password": "quartz-meadow-violin-harbor"}))
        .send()
        .await
        .expect("change");
    assert_eq!(change.status(), 400);
    let body: Value = change.json().await.expect("problem");
    assert_eq!(body["errors"][0]["field"], "current_password");
    assert_eq!(status_with_token(&app, &account.token).await, 200);
    let login = app
        .login(&app.new_client(), &account.email, &account.password)
        .await;
    assert_eq!(login.status(), 200);
}

#[tokio::test]
async fn tampered_foreign_expired_and_orphaned_tokens_are_refused() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    assert_eq!(status_with_token(&app, &account.token).await, 200);
    let claims = claims_of(&account.token);
    let parts: Vec<&str> = account.token.split('.').collect();

    // One character of the payload changed: the signature no longer matches.
    let mut tampered_claims = claims.clone();
    tampered_claims.sv += 1;
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&tampered_claims).expect("json")),
        parts[2]
    );
    assert_eq!(status_with_token(&app, &tampered).await, 401, "tampered");

    // HS256 with a key an attacker might guess, and no signature at all.
    let payload = parts[1];
    let hs_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let hs_input = format!("{hs_header}.{payload}");
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"secret").expect("key");
    mac.update(hs_input.as_bytes());
    let hs256 = format!(
        "{hs_input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    );
    assert_eq!(status_with_token(&app, &hs256).await, 401, "HS256");
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    assert_eq!(
        status_with_token(&app, &format!("{none_header}.{payload}.")).await,
        401,
        "alg none"
    );

    // Properly signed by the real key, but expired, or for another audience.
    let signer = &app.state().signer;
    let mut expired = claims.clone();
    expired.iat = now() - 13 * 3600;
    expired.exp = now() - 3600;
    let expired = signer.sign(&expired).await.expect("sign");
    assert_eq!(status_with_token(&app, &expired).await, 401, "expired");
    let mut foreign = claims.clone();
    foreign.aud = "another-api".into();
    let foreign = signer.sign(&foreign).await.expect("sign");
    assert_eq!(status_with_token(&app, &foreign).await, 401, "aud");
    let mut long_lived = claims.clone();
    long_lived.exp = claims.iat + 30 * 24 * 3600;
    let long_lived = signer.sign(&long_lived).await.expect("sign");
    assert_eq!(status_with_token(&app, &long_lived).await, 401, "lifetime");

    // A valid token whose user no longer exists.
    let user = claims.sub.strip_prefix("usr_").expect("user id");
    let tenant = claims.tid.strip_prefix("acc_").expect("tenant id");
    app.stack
        .raw_dynamodb
        .delete_item()
        .table_name(&app.stack.stack.config.table_name)
        .key("PK", AttributeValue::S(format!("T#{tenant}")))
        .key("SK", AttributeValue::S(format!("USER#{user}")))
        .send()
        .await
        .expect("delete user");
    assert_eq!(
        status_with_token(&app, &account.token).await,
        401,
        "deleted user"
    );
}

#[tokio::test]
async fn unsafe_requests_without_the_csrf_header_or_from_a_foreign_origin_are_forbidden() {
    let app = spawn_app().await;
    let before = app.stack.raw_items().await.len();
    let no_header = app
        .client
        .post(app.url("/v1/auth/signup"))
        .json(&json!({"name": "Ann", "email": "ann.csrf@example.com", "password": STRONG_PASSWORD, "company_name": "X"}))
        .send()
        .await
        .expect("signup");
    assert_eq!(no_header.status(), 403);
    let body: Value = no_header.json().await.expect("problem");
    assert_eq!(body["status"], 403);
    assert_eq!(app.stack.raw_items().await.len(), before, "nothing written");

    let account = app.signup(&app.client).await;
    let company: Value = app
        .client
        .get(app.url("/v1/company"))
        .send()
        .await
        .expect("company")
        .json()
        .await
        .expect("body");
    let foreign = app
        .client
        .put(app.url("/v1/company"))
        .header("x-requested-with", "XMLHttpRequest")
        .header("origin", "https://evil.example")
        .header("if-match", format!("\"{}\"", company["version"]))
        .json(&json!({"legal_name": "Forged Ltd"}))
        .send()
        .await
        .expect("put");
    assert_eq!(foreign.status(), 403);
    let logout = app
        .client
        .post(app.url("/v1/auth/logout"))
        .send()
        .await
        .expect("logout");
    assert_eq!(logout.status(), 403);

    let company_now: Value = app
        .client
        .get(app.url("/v1/company"))
        .send()
        .await
        .expect("company")
        .json()
        .await
        .expect("body");
    assert_eq!(company_now["legal_name"], account.company_name);
    assert_eq!(
        status_with_token(&app, &account.token).await,
        200,
        "still logged in"
    );
}

#[tokio::test]
async fn an_unknown_email_and_a_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let wrong = app
        .login(&app.new_client(), &account.email, "wrong-password-entirely")
        .await;
    let unknown = app
        .login(
            &app.new_client(),
            "nobody.here@example.com",
            "wrong-password-entirely",
        )
        .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), wrong.status());
    let content_type = |r: &reqwest::Response| r.headers()["content-type"].clone();
    assert_eq!(content_type(&wrong), content_type(&unknown));
    assert!(set_cookie(&wrong).is_none() && set_cookie(&unknown).is_none());
    let wrong: Value = wrong.json().await.expect("problem");
    let unknown: Value = unknown.json().await.expect("problem");
    assert_eq!(wrong, unknown);

    // And the same work: the same AWS calls (the wrong password's audit entry is one write, the
    // unknown address makes one too), so the time does not tell them apart either. Measured
    // (printed, not asserted): the medians of four of each, alternating.
    let calls = app.state().aws_calls();
    let mut made = Vec::new();
    let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for round in 0..4 {
        for (which, email) in [account.email.as_str(), "nobody.here@example.com"]
            .into_iter()
            .enumerate()
        {
            let before = calls.snapshot();
            let started = std::time::Instant::now();
            let response = app
                .login(&app.new_client(), email, "wrong-password-entirely")
                .await;
            times[which].push(started.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(response.status(), 401);
            if round == 0 {
                made.push(calls.since(&before));
            }
        }
    }
    assert_eq!(
        made[0], made[1],
        "a known address's calls, then an unknown one's"
    );
    assert_eq!(made[0].get("dynamodb:TransactWriteItems"), Some(&1));
    let median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        (values[1] + values[2]) / 2.0
    };
    let (known, unknown) = (median(&mut times[0]), median(&mut times[1]));
    println!(
        "MEASURE a wrong password {known:.1} ms, an unknown address {unknown:.1} ms: {:.2}x",
        unknown / known
    );
}

#[tokio::test]
async fn more_than_ten_failures_lock_the_address_until_the_window_passes() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let client = app.new_client();
    for attempt in 1..=10 {
        let response = app
            .login(&client, &account.email, "wrong-password-entirely")
            .await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    let eleventh = app
        .login(&client, &account.email, "wrong-password-entirely")
        .await;
    assert_eq!(eleventh.status(), 429);
    let retry_after: u64 = eleventh.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry_after), "{retry_after}");

    let right = app.login(&client, &account.email, &account.password).await;
    assert_eq!(right.status(), 429, "locked even with the right password");
    assert!(set_cookie(&right).is_none());

    app.state().clock.advance(15 * 60);
    let after = app.login(&client, &account.email, &account.password).await;
    assert_eq!(after.status(), 200, "the window has passed");
    // A success resets the count: one more failure is a plain 401.
    let again = app
        .login(&client, &account.email, "wrong-password-entirely")
        .await;
    assert_eq!(again.status(), 401);
}

#[tokio::test]
async fn an_unknown_address_is_locked_exactly_like_a_known_one() {
    let app = spawn_app().await;
    let client = app.new_client();
    for _ in 1..=10 {
        let response = app
            .login(&client, "ghost@example.com", "wrong-password-entirely")
            .await;
        assert_eq!(response.status(), 401);
    }
    let eleventh = app
        .login(&client, "ghost@example.com", "wrong-password-entirely")
        .await;
    assert_eq!(eleventh.status(), 429);
    assert!(eleventh.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn security_events_are_written_to_the_audit_trail() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    app.login(&app.new_client(), &account.email, "wrong-password-entirely")
        .await;
    app.login(&app.new_client(), &account.email, &account.password)
        .await;
    app.post(&app.client, "/v1/auth/logout")
        .send()
        .await
        .expect("logout");

    let audit_items: Vec<_> = app
        .stack
        .raw_items()
        .await
        .into_iter()
        .filter(|item| item.get("type") == Some(&AttributeValue::S("audit".into())))
        .collect();
    // signup, failed login, login, logout; contents sealed, so only the count shows here.
    assert_eq!(audit_items.len(), 4, "{audit_items:?}");
}

#[tokio::test]
async fn the_same_email_cannot_sign_up_twice_and_the_second_attempt_writes_nothing() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let before = app.stack.raw_items().await.len();
    let again = app
        .post(&app.new_client(), "/v1/auth/signup")
        .json(&json!({
            "name": "Someone Else",
            "email": account.email.to_uppercase(),
            "password": "quartz-meadow-violin-harbor",
            "company_name": "Other Co",
        }))
        .send()
        .await
        .expect("signup");
    assert_eq!(again.status(), 409);
    assert_eq!(app.stack.raw_items().await.len(), before);
}

#[tokio::test]
async fn bad_signups_are_refused_naming_the_field_and_write_nothing() {
    let app = spawn_app().await;
    let before = app.stack.raw_items().await.len();
    let base = json!({
        "name": "Ann Example",
        "email": "ann.bad@example.com",
        "password": STRONG_PASSWORD,
        "company_name": "Example Atelier",
    });
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let cases = [
        (with("password", json!("password1234")), "password"),
        (with("password", json!("short")), "password"),
        // 73 bytes: bcrypt would cut it silently, so it is refused.
        (
            with("password", json!(format!("{}x", "ölç€a-Zürich-".repeat(4)))),
            "password",
        ),
        (with("email", json!("not-an-email")), "email"),
        (with("name", json!("")), "name"),
        (with("company_name", json!(null)), "company_name"),
        (with("role", json!("admin")), "role"),
    ];
    for (body, field) in cases {
        let response = app
            .post(&app.client, "/v1/auth/signup")
            .json(&body)
            .send()
            .await
            .expect("signup");
        assert_eq!(response.status(), 400, "{field}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.expect("problem");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let weak: Value = app
        .post(&app.client, "/v1/auth/signup")
        .json(&with("password", json!("password1234")))
        .send()
        .await
        .expect("signup")
        .json()
        .await
        .expect("problem");
    assert!(
        weak["errors"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("is too weak")),
        "{weak}"
    );
    let form = app
        .post(&app.client, "/v1/auth/signup")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=Ann")
        .send()
        .await
        .expect("signup");
    assert_eq!(form.status(), 415);
    assert_eq!(app.stack.raw_items().await.len(), before);
}

#[tokio::test]
async fn the_table_holds_no_plaintext_name_email_or_company_name() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let needles = [
        account.name.clone(),
        account.email.clone(),
        account.email.to_lowercase(),
        account.company_name.clone(),
        "Ölçü".to_owned(),
    ];
    let items = app.stack.raw_items().await;
    assert!(
        items.len() >= 6,
        "account, user, email, company, settings, session, audit"
    );
    let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
    app.stack.assert_no_plain_text(&needles).await;
}

#[tokio::test]
async fn a_read_withheld_because_the_session_ended_is_not_logged_as_a_success() {
    let logs = invoiceflow_tests::capture_logs();
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let created = app.add_customer("Withheld GmbH").await;
    let id = created["id"].as_str().expect("id").to_owned();
    let live = app
        .get_with_token(&format!("/v1/customers/{id}"), &account.token)
        .await;
    assert_eq!(live.status(), 200);
    let live_id = live.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_owned();
    app.post(&app.client, "/v1/auth/logout")
        .send()
        .await
        .expect("logout");
    let withheld = app
        .get_with_token(&format!("/v1/customers/{id}"), &account.token)
        .await;
    assert_eq!(withheld.status(), 401);
    let withheld_id = withheld.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_owned();

    let outcome_of = |request_id: &str| -> Vec<(String, String)> {
        invoiceflow_tests::audit_lines(&logs, request_id)
            .iter()
            .map(|line| {
                (
                    line["fields"]["action"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    line["fields"]["outcome"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        outcome_of(&live_id),
        [("customer.read".to_owned(), "success".to_owned())]
    );
    assert_eq!(
        outcome_of(&withheld_id),
        [("customer.read".to_owned(), "session_ended".to_owned())]
    );
}
