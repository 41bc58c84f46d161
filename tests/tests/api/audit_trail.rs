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
    let page: Value = app
        .client
        .get(app.url("/v1/audit?limit=100"))
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("audit page");
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|entry| entry["action"] == action)
        .cloned()
        .collect()
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
    let page = browser
        .post(app.url("/login"))
        .header("x-requested-with", "htmx")
        .header("hx-request", "true")
        .header("origin", &app.base)
        .form(&[
            ("email", account.email.as_str()),
            ("password", STRONG_PASSWORD),
        ])
        .send()
        .await
        .expect("the login form");
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
    let page = browser
        .post(app.url("/login"))
        .header("x-requested-with", "htmx")
        .header("hx-request", "true")
        .header("origin", &app.base)
        .form(&[
            ("email", account.email.as_str()),
            ("password", STRONG_PASSWORD),
        ])
        .send()
        .await
        .expect("the login form");
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
