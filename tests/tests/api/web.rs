//! The web app over HTTP, as a browser's requests reach it: its headers and files, where a
//! logged-out visit goes, the CSRF guard, refused and stale forms. (The whole app in a real
//! browser is tests/browser.)

use std::path::PathBuf;

use invoiceflow::http::layers::{PERMISSIONS_POLICY, STRICT_TRANSPORT_SECURITY};
use invoiceflow::web::{CONTENT_SECURITY_POLICY, assets};
use invoiceflow_tests::{TestApp, spawn_app};

fn npm_file(path: &str) -> Vec<u8> {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("browser/node_modules")
        .join(path);
    std::fs::read(&file).unwrap_or_else(|e| panic!("{} ({e}): run make browser", file.display()))
}

/// A form as htmx sends it from one of the app's pages, for the session `token`.
pub(crate) fn htmx_post(app: &TestApp, token: &str, path: &str) -> reqwest::RequestBuilder {
    app.new_client()
        .post(app.url(path))
        .header("cookie", format!("__Host-session={token}"))
        .header("x-requested-with", "htmx")
        .header("hx-request", "true")
        .header("origin", &app.base)
}

/// Whether the HTML has an `on…=` attribute (`onclick=`, `onload=`).
fn has_event_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(at, _)| {
        let rest = &html[at + 3..];
        let name = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        name > 0 && rest[name..].starts_with('=')
    })
}

#[test]
fn the_htmx_the_app_serves_is_the_pinned_npm_package_s_own() {
    assert!(
        assets::HTMX.bytes == npm_file("htmx.org/dist/htmx.min.js").as_slice(),
        "lib/src/web/assets/htmx.min.js differs from the htmx.org package in tests/browser"
    );
}

#[tokio::test]
async fn pages_carry_a_strict_policy_no_inline_code_and_are_never_cached() {
    let app = spawn_app().await;
    let account = app.signup(&app.new_client()).await;
    for (path, token) in [
        ("/login", None),
        ("/signup", None),
        ("/", Some(&account.token)),
        ("/settings", Some(&account.token)),
    ] {
        let mut request = app.new_client().get(app.url(path));
        if let Some(token) = token {
            request = request.header("cookie", format!("__Host-session={token}"));
        }
        let response = request.send().await.expect("page");
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert_eq!(
            headers["content-security-policy"], CONTENT_SECURITY_POLICY,
            "{path}"
        );
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            headers["strict-transport-security"], STRICT_TRANSPORT_SECURITY,
            "{path}"
        );
        assert_eq!(headers["permissions-policy"], PERMISSIONS_POLICY, "{path}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap_or_default()
                .starts_with("text/html")
        );
        let html = response.text().await.expect("html");
        assert!(!html.contains("<style"), "{path} has a style element");
        assert!(!html.contains(" style="), "{path} has a style attribute");
        assert!(
            !has_event_handler(&html),
            "{path} has an inline event handler"
        );
        for script in html.split("<script").skip(1) {
            assert!(
                script.starts_with(" src=\"/assets/"),
                "{path} has an inline script"
            );
        }
    }
    // The customer's document page (another function) and an unknown one of its links too.
    let link_page = app
        .new_client()
        .get(app.url("/d/unknown"))
        .send()
        .await
        .expect("link page");
    assert_eq!(link_page.status(), 404);
    assert_eq!(
        link_page.headers()["strict-transport-security"],
        STRICT_TRANSPORT_SECURITY
    );
    assert_eq!(
        link_page.headers()["permissions-policy"],
        PERMISSIONS_POLICY
    );
    for feature in ["camera=()", "geolocation=()", "microphone=()", "payment=()"] {
        assert!(PERMISSIONS_POLICY.contains(feature), "{feature}");
    }
    assert!(STRICT_TRANSPORT_SECURITY.starts_with("max-age=63072000"));
    let policy = CONTENT_SECURITY_POLICY;
    for directive in [
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "default-src 'none'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
}

#[tokio::test]
async fn files_have_fingerprinted_names_a_year_s_cache_and_gzip() {
    let app = spawn_app().await;
    let html = app
        .new_client()
        .get(app.url("/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("html");
    for (asset, content_type) in [
        (&assets::HTMX, "text/javascript"),
        (&assets::STYLE, "text/css"),
    ] {
        assert!(
            html.contains(asset.path()),
            "the page loads {}",
            asset.path()
        );
        let plain = app
            .new_client()
            .get(app.url(asset.path()))
            .send()
            .await
            .expect("asset");
        assert_eq!(plain.status(), 200);
        assert_eq!(
            plain.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert!(
            plain.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .starts_with(content_type)
        );
        assert_eq!(plain.bytes().await.expect("bytes").as_ref(), asset.bytes);
    }
    let gzipped = app
        .new_client()
        .get(app.url(assets::HTMX.path()))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .expect("asset");
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(
        gzipped.bytes().await.expect("bytes").as_ref(),
        npm_file("htmx.org/dist/htmx.min.js.gz").as_slice()
    );
    // An old or made-up fingerprint is not served.
    let stale = app
        .new_client()
        .get(app.url("/assets/htmx-2.0.11.000000000000.js"))
        .send()
        .await
        .expect("asset");
    assert_eq!(stale.status(), 404);
}

/// An asset calls no API, so the web app vouches for no browser on it: a container whose
/// first requests are for assets derives no vouching key (no KMS call) until a page asks.
#[tokio::test]
async fn assets_are_served_without_vouching_for_the_browser() {
    let app = spawn_app().await;
    let container = app.instance_configured(|_| {}).await;
    let calls = container.state.aws_calls().clone();
    let before = calls.snapshot();
    for asset in assets::ALL {
        let response = app
            .new_client()
            .get(container.url(asset.path()))
            .send()
            .await
            .expect("asset");
        assert_eq!(response.status(), 200, "{}", asset.path());
    }
    assert_eq!(calls.since(&before).get("kms:GenerateMac"), None);
    let page = app
        .new_client()
        .get(container.url("/login"))
        .send()
        .await
        .expect("login page");
    assert_eq!(page.status(), 200);
    assert_eq!(calls.since(&before).get("kms:GenerateMac"), Some(&1));
}

#[tokio::test]
async fn a_logged_out_visit_goes_to_the_login_page() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for path in [
        "/",
        "/invoices",
        "/customers/cus_01M8AKGEYZRBNZSBGE52FM9XRW",
    ] {
        let page = client.get(app.url(path)).send().await.expect("page");
        assert_eq!(page.status(), 303, "{path}");
        assert_eq!(page.headers()["location"], "/login");
    }
    // htmx would swap a followed redirect into the form: it gets HX-Redirect instead.
    let from_htmx = client
        .get(app.url("/invoices"))
        .header("hx-request", "true")
        .send()
        .await
        .expect("page");
    assert_eq!(from_htmx.status(), 200);
    assert_eq!(from_htmx.headers()["hx-redirect"], "/login");
    // A path outside the app and the API is the app's own page, not the API's problem+json.
    let missing = client
        .get(app.url("/no-such-page"))
        .send()
        .await
        .expect("page");
    assert_eq!(missing.status(), 404);
    assert!(
        missing.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn a_form_sent_without_the_csrf_header_or_from_another_origin_changes_nothing() {
    let app = spawn_app().await;
    let account = app.signup(&app.new_client()).await;
    let cookie = format!("__Host-session={}", account.token);
    let plain_form = app
        .new_client()
        .post(app.url("/customers"))
        .header("cookie", &cookie)
        .form(&[("name", "Evil Corp")])
        .send()
        .await
        .expect("post");
    assert_eq!(plain_form.status(), 403);
    let other_origin = app
        .new_client()
        .post(app.url("/customers"))
        .header("cookie", &cookie)
        .header("x-requested-with", "htmx")
        .header("origin", "http://127.0.0.1:1")
        .form(&[("name", "Evil Corp")])
        .send()
        .await
        .expect("post");
    assert_eq!(other_origin.status(), 403);
    assert!(app.customer_names(&account.token).await.is_empty());
}

#[tokio::test]
async fn a_refused_field_is_named_beside_it_and_nothing_is_written() {
    let app = spawn_app().await;
    let account = app.signup(&app.new_client()).await;
    let refused = htmx_post(&app, &account.token, "/customers")
        .form(&[("name", ""), ("email", "not an address"), ("_key", "k1")])
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.expect("html");
    assert!(html.contains(r#"id="f-email-error""#), "{html}");
    assert!(
        html.contains(r#"aria-describedby="f-email-error""#),
        "{html}"
    );
    assert!(
        html.contains(r#"value="not an address""#),
        "what was typed is kept: {html}"
    );
    assert!(app.customer_names(&account.token).await.is_empty());
}

#[tokio::test]
async fn a_stale_edit_says_so_instead_of_overwriting() {
    let app = spawn_app().await;
    let account = app.signup(&app.new_client()).await;
    let created = htmx_post(&app, &account.token, "/customers")
        .form(&[("name", "Nordlicht GmbH"), ("_key", "k2")])
        .send()
        .await
        .expect("post");
    assert_eq!(created.status(), 200);
    let page = created.headers()["hx-redirect"]
        .to_str()
        .expect("a page")
        .to_owned();
    assert!(page.starts_with("/customers/cus_"), "{page}");
    let id = page.trim_start_matches("/customers/");
    let opened: serde_json::Value = app
        .get_with_token(&format!("/v1/customers/{id}"), &account.token)
        .await
        .json()
        .await
        .expect("customer");
    let etag = format!("\"{}\"", opened["version"]);
    // Someone else changes it (another window, another person).
    let elsewhere = app
        .new_client()
        .patch(app.url(&format!("/v1/customers/{id}")))
        .header("cookie", format!("__Host-session={}", account.token))
        .header("x-requested-with", "test")
        .header("if-match", &etag)
        .json(&serde_json::json!({"name": "Nordlicht AG"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(elsewhere.status(), 200);
    let stale = htmx_post(&app, &account.token, &page)
        .form(&[("_etag", etag.as_str()), ("name", "Nordlicht KG")])
        .send()
        .await
        .expect("post");
    assert_eq!(stale.status(), 422);
    assert!(
        stale
            .text()
            .await
            .expect("html")
            .contains("changed elsewhere")
    );
    assert_eq!(app.customer_names(&account.token).await, ["Nordlicht AG"]);
}

/// In AWS every path the API does not route reaches the web function: an unknown `/v1/` path
/// still answers as the API does.
#[tokio::test]
async fn the_web_function_answers_an_unrouted_api_path_as_the_api_would() {
    use tower::ServiceExt as _;
    let router = invoiceflow::web::router(
        &["https://app.example.com".to_owned()],
        invoiceflow::web::Vouching::none(),
    )
    .expect("router");
    for (path, content_type) in [
        ("/v1/nothing", "application/problem+json"),
        ("/nothing", "text/html"),
    ] {
        let request = axum::http::Request::get(path)
            .body(axum::body::Body::empty())
            .expect("request");
        let response = router.clone().oneshot(request).await.expect("infallible");
        assert_eq!(response.status(), 404, "{path}");
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(kind.starts_with(content_type), "{path}: {kind}");
    }
}

#[tokio::test]
async fn a_series_is_raised_from_settings_and_never_lowered() {
    let app = spawn_app().await;
    let account = app.signup(&app.new_client()).await;
    let raised = htmx_post(&app, &account.token, "/settings/series/invoice")
        .form(&[("next:int", "500")])
        .send()
        .await
        .expect("post");
    assert_eq!(raised.status(), 200);
    let html = raised.text().await.expect("html");
    assert!(html.contains("Raised."), "{html}");
    assert!(html.contains("0500") || html.contains("500<"), "{html}");
    let lowered = htmx_post(&app, &account.token, "/settings/series/invoice")
        .form(&[("next:int", "7")])
        .send()
        .await
        .expect("post");
    assert_eq!(lowered.status(), 422);
    let html = lowered.text().await.expect("html");
    assert!(html.contains(r#"id="f-invoice-next-error""#), "{html}");
    let unknown = htmx_post(&app, &account.token, "/settings/series/receipt")
        .form(&[("next:int", "7")])
        .send()
        .await
        .expect("post");
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn customers_are_found_by_name_email_or_city() {
    let app = spawn_app().await;
    let account = app.signup(&app.new_client()).await;
    for (name, email, city) in [
        ("Nordlicht GmbH", "books@nordlicht.example", "Hamburg"),
        ("Café Sonne", "hallo@sonne.example", "München"),
        ("Ölçü Handels AG", "info@olcu.example", "Berlin"),
    ] {
        let created = htmx_post(&app, &account.token, "/customers")
            .form(&[
                ("name", name),
                ("email", email),
                ("billing_address.lines[0]", "Am Markt 5"),
                ("billing_address.city", city),
                ("billing_address.country", "DE"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(created.status(), 200, "{name}");
    }
    let search = |q: &'static str| {
        app.new_client()
            .get(app.url("/customers"))
            .query(&[("q", q)])
            .header("cookie", format!("__Host-session={}", account.token))
            .send()
    };
    for (query, expected, absent) in [
        ("sonne", "Café Sonne", "Nordlicht"),
        ("HAMBURG", "Nordlicht GmbH", "Sonne"),
        ("ölçü berlin", "Ölçü Handels AG", "Nordlicht"),
    ] {
        let html = search(query)
            .await
            .expect("get")
            .text()
            .await
            .expect("html");
        assert!(html.contains(expected), "{query}: {html}");
        assert!(!html.contains(absent), "{query} also found {absent}");
        assert!(html.contains("1 customer matches"), "{query}: {html}");
    }
    let none = search("zürich")
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(none.contains("0 customers match"), "{none}");
}

#[tokio::test]
async fn logging_out_ends_the_session_and_clears_the_cookie() {
    let app = spawn_app().await;
    let account = app.signup(&app.new_client()).await;
    let out = htmx_post(&app, &account.token, "/logout")
        .send()
        .await
        .expect("post");
    assert_eq!(out.status(), 200);
    assert_eq!(out.headers()["hx-redirect"], "/login");
    let cleared = out
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("__Host-session=;") && v.contains("Max-Age=0"));
    assert!(cleared, "{:?}", out.headers());
    let after = app.get_with_token("/v1/auth/session", &account.token).await;
    assert_eq!(after.status(), 401);
}

#[tokio::test]
async fn deleting_the_account_with_a_wrong_password_names_the_field_and_keeps_everything() {
    let app = spawn_app().await;
    let account = app.signup(&app.new_client()).await;
    let refused = htmx_post(&app, &account.token, "/settings/delete")
        .form(&[
            ("password", "not-the-password-at-all"),
            ("confirm", account.company_name.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.expect("html");
    assert!(html.contains(r#"id="f-password-error""#), "{html}");
    assert!(
        html.contains(&account.company_name),
        "the confirmation typed is kept: {html}"
    );
    // Still logged in, still there.
    let session = app.get_with_token("/v1/auth/session", &account.token).await;
    assert_eq!(session.status(), 200);
    let company = app.get_with_token("/v1/company", &account.token).await;
    assert_eq!(company.status(), 200);
}

/// A filtered list of invoices pages on with its filter kept: the next page's link carries the
/// status, the customer and the API's cursor, and no page shows another customer's invoices.
#[tokio::test]
async fn a_filtered_list_pages_on_with_its_filter_kept() {
    let app = spawn_app().await;
    let client = app.new_client();
    let account = app.signup(&client).await;
    let created = |path: &'static str, body: serde_json::Value| {
        let request = app.post(&client, path).json(&body);
        async move {
            let created: serde_json::Value = request
                .send()
                .await
                .expect("post")
                .json()
                .await
                .expect("json");
            created["id"].as_str().expect("id").to_owned()
        }
    };
    let customers = [
        created(
            "/v1/customers",
            serde_json::json!({ "name": "Kunde Eins & Co" }),
        )
        .await,
        created("/v1/customers", serde_json::json!({ "name": "Kunde Zwei" })).await,
    ];
    let mut mine = Vec::new();
    for _ in 0..26 {
        let draft = serde_json::json!({ "customer_id": customers[0] });
        mine.push(created("/v1/invoices", draft).await);
    }
    let other = created(
        "/v1/invoices",
        serde_json::json!({ "customer_id": customers[1] }),
    )
    .await;
    let page = |path: String| {
        let app = &app;
        let token = account.token.clone();
        async move {
            app.get_with_token(&path, &token)
                .await
                .text()
                .await
                .expect("html")
        }
    };
    let rows = |html: &str| html.matches(r#"href="/invoices/inv_"#).count();

    let first = page(format!("/invoices?status=draft&customer={}", customers[0])).await;
    assert_eq!(rows(&first), 25, "{first}");
    let next = first
        .split(r#"<p class="more"><a href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the next page")
        .replace("&amp;", "&");
    let expected = format!("/invoices?status=draft&customer={}&next=", customers[0]);
    assert!(next.starts_with(&expected), "{next}");
    let second = page(next).await;
    assert_eq!(rows(&second), 1, "{second}");
    assert!(!second.contains("Next page"), "{second}");
    let shown = format!("{first}{second}");
    assert_eq!(
        mine.iter().filter(|id| shown.contains(id.as_str())).count(),
        26
    );
    assert!(!shown.contains(&other), "another customer's draft");
}

#[tokio::test]
async fn a_form_no_page_sends_is_refused_and_the_process_keeps_serving() {
    // Its own emulator: the health check's 3 s must not wait behind the run's other tests.
    let app = invoiceflow_tests::spawn_app_alone().await;
    // One name of 200,000 path steps: the decoder once recursed per step and overflowed the
    // stack, taking down the one process serving the web app and the API.
    let deep = vec!["a"; 200_000].join(".");
    let response = app
        .new_client()
        .post(app.url("/login"))
        .header("x-requested-with", "htmx")
        .header("origin", &app.base)
        .form(&[(deep.as_str(), "x"), ("password", "y")])
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 400);
    let many: Vec<(String, &str)> = (0..7_000).map(|i| (format!("f{i}"), "x")).collect();
    let response = app
        .new_client()
        .post(app.url("/login"))
        .header("x-requested-with", "htmx")
        .header("origin", &app.base)
        .form(&many)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 400);
    let health = app
        .new_client()
        .get(app.url("/v1/health"))
        .send()
        .await
        .expect("still serving");
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn a_session_cookie_not_sent_is_never_cleared_and_a_link_from_another_site_asks_again() {
    let app = spawn_app().await;
    let account = app.signup(&app.new_client()).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let clears = |response: &reqwest::Response| {
        response.headers().get_all("set-cookie").iter().any(|c| {
            c.to_str()
                .unwrap_or_default()
                .starts_with("__Host-session=;")
        })
    };
    // No cookie sent (a browser withholding a Strict cookie): to the login page, and the
    // cookie the browser may hold is left alone.
    let response = client.get(app.url("/invoices")).send().await.expect("page");
    assert_eq!(response.status(), 303);
    assert!(!clears(&response), "a cookie that was not sent was cleared");
    // A dead cookie sent: cleared, so the browser stops sending it.
    let response = client
        .get(app.url("/invoices"))
        .header("cookie", "__Host-session=not-a-token")
        .send()
        .await
        .expect("page");
    assert_eq!(response.status(), 303);
    assert!(clears(&response));
    // A link followed from another site: the page asks for itself again from this origin,
    // which carries the cookie; nothing else is answered or changed.
    let response = client
        .get(app.url("/invoices?status=issued"))
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate")
        .send()
        .await
        .expect("page");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["refresh"],
        "0; url=/invoices?status=issued"
    );
    assert!(!clears(&response));
    // The same request with its cookie is the page itself.
    let response = client
        .get(app.url("/invoices?status=issued"))
        .header("sec-fetch-site", "same-origin")
        .header("sec-fetch-mode", "navigate")
        .header("cookie", format!("__Host-session={}", account.token))
        .send()
        .await
        .expect("page");
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("refresh").is_none());
    // An unsafe request from another site is refused as before.
    let response = client
        .post(app.url("/customers"))
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate")
        .header("origin", "https://elsewhere.example")
        .form(&[("name", "Evil")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn a_link_from_another_site_is_never_sent_on_to_another_site() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let response = client
        .get(format!("{}//elsewhere.example/phish", app.base))
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate")
        .send()
        .await
        .expect("page");
    assert_eq!(
        response.headers()["refresh"],
        "0; url=/",
        "the refresh stays on this site"
    );
}

#[tokio::test]
async fn a_customer_s_vat_category_is_chosen_in_its_form_and_an_exempt_service_needs_its_reason() {
    let app = spawn_app().await;
    let account = app.signup(&app.new_client()).await;
    let created = htmx_post(&app, &account.token, "/customers")
        .form(&[
            ("name", "Client SARL"),
            ("tax_id", "FR12345678901"),
            ("tax_category", "AE"),
            ("_key", "k1"),
        ])
        .send()
        .await
        .expect("post");
    assert!(
        created.status().is_redirection() || created.status() == 200,
        "{}",
        created.status()
    );
    let list = app
        .client
        .get(app.url("/v1/customers"))
        .header("cookie", format!("__Host-session={}", account.token))
        .send()
        .await
        .expect("list");
    let page: serde_json::Value = list.json().await.expect("json");
    assert_eq!(page["data"][0]["tax_category"], "AE");
    let id = page["data"][0]["id"].as_str().expect("id");
    let form = app
        .new_client()
        .get(app.url(&format!("/customers/{id}")))
        .header("cookie", format!("__Host-session={}", account.token))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        form.contains(r#"<option value="AE" selected>AE: reverse charge</option>"#),
        "the form shows the customer's category: {form}"
    );
    let refused = htmx_post(&app, &account.token, "/services")
        .form(&[
            ("name", "Course"),
            ("unit_price", "10.00"),
            ("currency", "EUR"),
            ("tax_category", "E"),
            ("_key", "k2"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.expect("html");
    assert!(html.contains(r#"id="f-exemption_reason-error""#), "{html}");
}

/// Signs up with `body`'s extra fields and `Accept-Language`, and returns the account's locale
/// and session token.
async fn signup_speaking(
    app: &TestApp,
    accept_language: Option<&str>,
    extra: serde_json::Value,
) -> (String, String) {
    let marker = ulid::Ulid::generate().to_string().to_lowercase();
    let mut body = serde_json::json!({
        "name": "Ann Owner",
        "email": format!("ann.{marker}@example.com"),
        "password": invoiceflow_tests::STRONG_PASSWORD,
        "company_name": format!("Atelier {marker}"),
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let client = app.new_client();
    let mut request = app.post(&client, "/v1/auth/signup").json(&body);
    if let Some(languages) = accept_language {
        request = request.header("accept-language", languages);
    }
    let response = request.send().await.expect("signup");
    assert_eq!(response.status(), 201, "{body}");
    let token = invoiceflow_tests::session_token(&response).expect("session");
    let settings: serde_json::Value = client
        .get(app.url("/v1/settings"))
        .send()
        .await
        .expect("settings")
        .json()
        .await
        .expect("json");
    (
        settings["locale"].as_str().expect("locale").to_owned(),
        token,
    )
}

#[tokio::test]
async fn a_new_account_speaks_the_browser_s_language_or_its_country_s() {
    let app = spawn_app().await;
    let cases = [
        (
            Some("de-de,de;q=0.9,en;q=0.8"),
            serde_json::json!({}),
            "de-DE",
        ),
        (
            Some("en;q=0.4, fr-BE"),
            serde_json::json!({"country": "DE"}),
            "fr-BE",
        ),
        (None, serde_json::json!({"country": "BE"}), "nl-BE"),
        (None, serde_json::json!({"country": "JP"}), "en"),
        (Some("*"), serde_json::json!({}), "en"),
        (
            Some("de-DE"),
            serde_json::json!({"locale": "it-IT"}),
            "it-IT",
        ),
    ];
    for (accept, extra, expected) in cases {
        let (locale, _) = signup_speaking(&app, accept, extra.clone()).await;
        assert_eq!(locale, expected, "{accept:?} {extra}");
    }
    // A country that is not one is refused, naming it, and no account is made.
    let refused = app
        .post(&app.new_client(), "/v1/auth/signup")
        .json(&serde_json::json!({
            "name": "Ann", "email": "nobody.country@example.com",
            "password": invoiceflow_tests::STRONG_PASSWORD, "company_name": "X", "country": "XX",
        }))
        .send()
        .await
        .expect("signup");
    assert_eq!(refused.status(), 400);
    let problem: serde_json::Value = refused.json().await.expect("problem");
    assert_eq!(problem["errors"][0]["field"], "country", "{problem}");
    let login = app
        .login(
            &app.new_client(),
            "nobody.country@example.com",
            invoiceflow_tests::STRONG_PASSWORD,
        )
        .await;
    assert_eq!(login.status(), 401);
}

#[tokio::test]
async fn the_app_speaks_the_account_s_language_and_reads_amounts_its_way() {
    let app = spawn_app().await;
    let (locale, token) = signup_speaking(&app, Some("de-DE"), serde_json::json!({})).await;
    assert_eq!(locale, "de-DE");
    // The first page reads the account's locale and keeps it in the `ui` cookie.
    let page = app
        .new_client()
        .get(app.url("/"))
        .header("cookie", format!("__Host-session={token}"))
        .send()
        .await
        .expect("dashboard");
    let kept: Vec<&str> = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        kept.iter()
            .any(|c| c.starts_with("__Host-ui=de-DE;") && c.contains("HttpOnly")),
        "{kept:?}"
    );
    let html = page.text().await.expect("html");
    assert!(html.contains(r#"<html lang="de">"#), "{html}");
    assert!(html.contains("<h1>Übersicht</h1>"), "{html}");
    assert!(html.contains("Neue Rechnung"), "{html}");

    // A price typed the German way is the API's decimal; shown back the German way.
    let made = htmx_post(&app, &token, "/services")
        .form(&[
            ("_key", ulid::Ulid::generate().to_string().as_str()),
            ("name", "Beratung"),
            ("unit_price:dec", "1.234,50"),
            ("tax_rate:dec", "19"),
            ("active:bool", "true"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(made.status(), 200);
    let services: serde_json::Value = app
        .get_with_token("/v1/services", &token)
        .await
        .json()
        .await
        .expect("json");
    let service = &services["data"][0];
    assert_eq!(service["unit_price"], "1234.50", "{services}");
    let id = service["id"].as_str().expect("id");
    let edit = app
        .new_client()
        .get(app.url(&format!("/services/{id}")))
        .header("cookie", format!("__Host-session={token}; __Host-ui=de-DE"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        edit.contains(r#"name="unit_price:dec" value="1234,50""#),
        "{edit}"
    );
    assert!(edit.contains("Einzelpreis"), "{edit}");

    // Not a number the German way: refused beside the field, as typed, and nothing is saved.
    let refused = app
        .new_client()
        .post(app.url("/services"))
        .header("cookie", format!("__Host-session={token}; __Host-ui=de-DE"))
        .header("x-requested-with", "htmx")
        .header("hx-request", "true")
        .header("origin", &app.base)
        .form(&[
            ("_key", ulid::Ulid::generate().to_string().as_str()),
            ("name", "Falsch"),
            ("unit_price:dec", "12,34,5"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.expect("html");
    assert!(html.contains(r#"id="f-unit_price-error""#), "{html}");
    assert!(html.contains(r#"value="12,34,5""#), "{html}");
    assert!(
        html.contains("Einige Felder brauchen Ihre Aufmerksamkeit"),
        "{html}"
    );
    let after: serde_json::Value = app
        .get_with_token("/v1/services", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(after["data"].as_array().map(Vec::len), Some(1), "{after}");

    // Before a login, the browser's language; an English browser gets English.
    for (accept, text) in [
        ("de-AT,de;q=0.9", "Anmelden"),
        ("en-GB", "Log in"),
        ("sv-SE", "Log in"),
    ] {
        let html = app
            .new_client()
            .get(app.url("/login"))
            .header("accept-language", accept)
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("html");
        assert!(
            html.contains(&format!("<h1>{text}</h1>")),
            "{accept}: {html}"
        );
    }
}

/// After a deletion the app goes back where the form says, but only to one of its own paths:
/// `/\evil.com` and `//evil.com` lead a browser to another site, so they lead to the list.
#[tokio::test]
async fn a_deletion_goes_back_only_to_the_app_s_own_paths() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    for (back, expected) in [
        ("/\\evil.com", "/customers"),
        ("//evil.com", "/customers"),
        ("/\t/evil.com", "/customers"),
        ("https://evil.com", "/customers"),
        ("/invoices?page=2", "/invoices?page=2"),
    ] {
        let made: serde_json::Value = app
            .post(&app.client, "/v1/customers")
            .json(&serde_json::json!({"name": "Nordlicht AG", "currency": "EUR"}))
            .send()
            .await
            .expect("customer")
            .json()
            .await
            .expect("json");
        let id = made["id"].as_str().expect("id");
        let deleted = htmx_post(&app, &account.token, &format!("/customers/{id}/delete"))
            .form(&[("_etag", "*"), ("_back", back)])
            .send()
            .await
            .expect("delete");
        assert_eq!(deleted.status(), 200, "{back:?}");
        assert_eq!(deleted.headers()["hx-redirect"], expected, "{back:?}");
    }
    assert!(app.customer_names(&account.token).await.is_empty());
}

/// Two-factor authentication in the app: set up on the settings page (the QR code and key,
/// then the app's code, then the recovery codes once), and the login form asking for the
/// code once the password was right.
#[tokio::test]
async fn the_app_sets_up_two_factor_authentication_and_its_login_asks_for_the_code() {
    use invoiceflow::domain::second_factor::code_at;
    use invoiceflow_tests::STRONG_PASSWORD;
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let settings = app
        .new_client()
        .get(app.url("/settings"))
        .header("cookie", format!("__Host-session={}", account.token))
        .send()
        .await
        .expect("settings")
        .text()
        .await
        .expect("html");
    assert!(settings.contains("Set up two-factor authentication"));

    let started = htmx_post(&app, &account.token, "/settings/two-factor")
        .form(&[("password", STRONG_PASSWORD)])
        .send()
        .await
        .expect("start");
    assert_eq!(started.status(), 200);
    let html = started.text().await.expect("html");
    assert!(
        html.contains("<svg") && !html.contains("<?xml"),
        "the QR code inline"
    );
    let secret = html
        .split("name=\"_secret\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the key")
        .to_owned();
    let wrong = htmx_post(&app, &account.token, "/settings/two-factor/confirm")
        .form(&[("_secret", secret.as_str()), ("code", "000000")])
        .send()
        .await
        .expect("confirm");
    assert_eq!(wrong.status(), 422);
    let code = code_at(&secret, app.state().clock.unix()).expect("code");
    let confirmed = htmx_post(&app, &account.token, "/settings/two-factor/confirm")
        .form(&[("_secret", secret.as_str()), ("code", code.as_str())])
        .send()
        .await
        .expect("confirm");
    assert_eq!(confirmed.status(), 200);
    let html = confirmed.text().await.expect("html");
    assert!(html.contains("Two-factor authentication is on."));
    assert_eq!(
        html.matches("<li><code>").count(),
        10,
        "ten recovery codes: {html}"
    );

    // The login form: the password alone brings the code field, then the code logs in.
    let login = |fields: Vec<(&'static str, String)>| {
        app.new_client()
            .post(app.url("/login"))
            .header("x-requested-with", "htmx")
            .header("hx-request", "true")
            .header("origin", &app.base)
            .form(&fields)
            .send()
    };
    let asked = login(vec![
        ("email", account.email.clone()),
        ("password", STRONG_PASSWORD.to_owned()),
    ])
    .await
    .expect("login");
    assert_eq!(asked.status(), 422);
    let html = asked.text().await.expect("html");
    assert!(
        html.contains("name=\"code\"") && html.contains("name=\"_second\""),
        "{html}"
    );
    assert!(html.contains("Enter the code your authenticator app shows"));
    app.state().clock.advance(30);
    let code = code_at(&secret, app.state().clock.unix()).expect("code");
    let logged_in = login(vec![
        ("email", account.email.clone()),
        ("password", STRONG_PASSWORD.to_owned()),
        ("_second", "1".to_owned()),
        ("code", code),
        ("recovery_code", String::new()),
    ])
    .await
    .expect("login");
    assert_eq!(logged_in.headers()["hx-redirect"], "/");
}

#[tokio::test]
async fn the_settings_change_the_email_address_after_the_password_is_confirmed() {
    let app = spawn_app().await;
    let account = app.signup(&app.new_client()).await;
    let settings = app
        .get_with_token("/settings", &account.token)
        .await
        .text()
        .await
        .expect("html");
    assert!(
        settings.contains("hx-post=\"/settings/email\""),
        "{settings}"
    );
    let new = format!("moved.{}", account.email);

    let asked = htmx_post(&app, &account.token, "/settings/email")
        .form(&[("email", new.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(asked.status(), 422);
    let html = asked.text().await.expect("html");
    assert!(
        html.contains("please confirm your password") && html.contains("name=\"_password\""),
        "{html}"
    );
    let changed = htmx_post(&app, &account.token, "/settings/email")
        .form(&[
            ("email", new.as_str()),
            ("_confirm", "1"),
            ("_password", invoiceflow_tests::STRONG_PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(changed.status(), 200);
    let html = changed.text().await.expect("html");
    assert!(html.contains("E-mail address changed."), "{html}");
    assert_eq!(
        app.login(&app.new_client(), &new, invoiceflow_tests::STRONG_PASSWORD)
            .await
            .status(),
        200
    );
}
