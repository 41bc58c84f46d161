//! A sent document's page, `/d/<token>`: reached only through the link in its e-mail, by a
//! customer with no session; the same 404 for every link that opens nothing.

use invoiceflow_tests::{TestApp, spawn_app, spawn_app_alone};
use mail_parser::MessageParser;
use reqwest::{Client, Method, redirect};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::documents::{bytes, issue, json_of, post, seller};

/// A customer reading German with an address; its id.
async fn customer(app: &TestApp, email: &str) -> String {
    let created = post(
        app,
        "/v1/customers",
        &json!({
            "name": "Nordlicht GmbH", "language": "de", "email": email,
            "billing_address": {"lines": ["Am Markt 5"], "city": "Hamburg", "postal_code": "20095", "country": "DE"},
        }),
    )
    .await;
    created["id"].as_str().expect("id").to_owned()
}

fn lines() -> Value {
    json!([{"description": "Beratung", "quantity": "2", "unit_price": "400.00", "tax_rate": "19"}])
}

/// `POST {path}` as the owner, under a fresh Idempotency-Key.
async fn act(app: &TestApp, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
    let mut request = app
        .unsafe_request(&app.client, method, path)
        .header("idempotency-key", ulid::Ulid::generate().to_string());
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("request");
    (response.status().as_u16(), json_of(response).await)
}

/// The link in the one message sent to `address`.
async fn link_to(app: &TestApp, address: &str) -> String {
    let mail = app.sent_mail().await;
    let to_address = mail
        .iter()
        .filter(|m| m.destinations.iter().any(|d| d.contains(address)))
        .count();
    assert_eq!(to_address, 1, "one message to {address}");
    app.link_mailed_to(address)
        .await
        .expect("a link in the text")
}

/// A client with no session, which follows no redirect: the customer's browser.
fn stranger() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .expect("client")
}

fn unique(name: &str) -> String {
    format!(
        "{name}.{}@kunde.example",
        ulid::Ulid::generate().to_string().to_lowercase()
    )
}

/// The owner's audit actions, newest first.
async fn audit_actions(app: &TestApp) -> Vec<String> {
    app.audit_entries()
        .await
        .iter()
        .filter_map(|entry| entry["action"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_link_in_the_e_mail_opens_the_invoice_s_page_without_a_session_until_it_is_voided() {
    let app = spawn_app_alone().await;
    let account = app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let address = unique("einkauf");
    let customer = customer(&app, &address).await;
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": customer, "issue_date": "2026-11-25", "lines": lines()}),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    let issued = issue(&app, &id).await;
    let number = issued["number"].as_str().expect("number").to_owned();
    let (status, sent) = act(
        &app,
        Method::POST,
        &format!("/v1/invoices/{id}/send"),
        Some(&json!({})),
    )
    .await;
    assert_eq!(status, 200, "{sent}");
    let link = link_to(&app, &address).await;
    let links = sent["links"].as_array().expect("links");
    assert_eq!(links.len(), 1, "{sent}");
    let token = link.rsplit('/').next().expect("token");
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    assert!(
        !sent.to_string().contains(token),
        "the API never shows the token again"
    );

    // The customer, with no session, reads the invoice in German.
    let customer_browser = stranger();
    let page = customer_browser.get(&link).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-robots-tag"], "noindex, nofollow");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("default-src 'none'")
    );
    let html = page.text().await.expect("html");
    assert!(html.contains("lang=\"de\""), "in the customer's language");
    assert!(html.contains(&format!("Rechnung {number}")), "{html}");
    assert!(html.contains("DE89 3704 0044 0532 0130 00"), "the IBAN");
    assert!(html.contains("<svg"), "the EPC QR code, inline");
    assert!(!html.contains("<script"), "no script");

    // The PDF it offers is the very file the account keeps.
    let pdf = customer_browser
        .get(format!("{link}/pdf"))
        .send()
        .await
        .expect("pdf");
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let pdf = pdf.bytes().await.expect("bytes");
    assert_eq!(
        pdf.as_ref(),
        bytes(&app, &format!("/v1/invoices/{id}/pdf")).await
    );

    // The first view is on the invoice and in the audit trail, once.
    customer_browser.get(&link).send().await.expect("again");
    let invoice = json_of(
        app.client
            .get(app.url(&format!("/v1/invoices/{id}")))
            .send()
            .await
            .expect("get"),
    )
    .await;
    let views: Vec<&Value> = invoice["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .filter(|d| d["event"] == "viewed")
        .collect();
    assert_eq!(views.len(), 1, "{invoice}");
    assert!(invoice["links"][0]["viewed_at"].is_string(), "{invoice}");
    let actions = audit_actions(&app).await;
    assert_eq!(actions.iter().filter(|a| *a == "invoice.viewed").count(), 1);

    // Every link that opens nothing gets the one same page.
    let not_found = customer_browser
        .get(app.url("/d/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .send()
        .await
        .expect("unknown");
    assert_eq!(not_found.status(), 404);
    let unknown = not_found.text().await.expect("html");
    let last = token.chars().last().expect("a character");
    let altered = format!(
        "{}{}",
        &token[..token.len() - 1],
        if last == 'A' { 'B' } else { 'A' }
    );
    for path in [
        format!("/d/{altered}"),
        format!("/d/{altered}/pdf"),
        format!("/d/{token}x"),
        format!("/d/{id}"),
    ] {
        let response = customer_browser
            .get(app.url(&path))
            .send()
            .await
            .expect("other");
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(response.text().await.expect("html"), unknown, "{path}");
    }
    // A link names its document only: the API is no wider with it.
    let api = customer_browser
        .get(app.url(&format!("/v1/invoices/{id}")))
        .send()
        .await
        .expect("api");
    assert_eq!(api.status(), 401);

    // The owner makes a link to hand over another way, in the API and in the web app: each
    // shown once, each opening the page.
    let (status, made) = act(
        &app,
        Method::POST,
        &format!("/v1/invoices/{id}/links"),
        None,
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let made_url = made["url"].as_str().expect("url").to_owned();
    assert!(made_url.starts_with(&app.url("/d/")), "{made}");
    let fragment = crate::web::htmx_post(
        &app,
        &account.token,
        &format!("/invoices/{id}/do/make-link"),
    )
    .form(&[("_key", ulid::Ulid::generate().to_string().as_str())])
    .send()
    .await
    .expect("make a link")
    .text()
    .await
    .expect("html");
    let start = fragment
        .find(&app.url("/d/"))
        .expect("the link in the fragment");
    let web_url = fragment[start..].split('"').next().expect("url").to_owned();
    for url in [&made_url, &web_url] {
        let response = customer_browser.get(url).send().await.expect("made link");
        assert_eq!(response.status(), 200, "{url}");
    }
    let with_made = json_of(
        app.client
            .get(app.url(&format!("/v1/invoices/{id}")))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(
        with_made["links"].as_array().map(Vec::len),
        Some(3),
        "{with_made}"
    );
    assert!(
        !with_made
            .to_string()
            .contains(&made_url[made_url.len() - 32..])
    );

    // Voided, the invoice's page closes: every one of its links.
    let (status, voided) = act(
        &app,
        Method::POST,
        &format!("/v1/invoices/{id}/void"),
        Some(&json!({"reason": "Falscher Betrag"})),
    )
    .await;
    assert_eq!(status, 200, "{voided}");
    assert!(
        voided["links"]
            .as_array()
            .expect("links")
            .iter()
            .all(|l| l["revoked_at"].is_string()),
        "{voided}"
    );
    for path in [link.clone(), format!("{link}/pdf"), made_url, web_url] {
        let response = customer_browser.get(&path).send().await.expect("void");
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(response.text().await.expect("html"), unknown);
    }
}

#[tokio::test]
async fn a_customer_accepts_a_proposal_on_its_page_and_the_owner_sees_it_and_is_told() {
    let app = spawn_app_alone().await;
    app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let address = unique("einkauf");
    let customer = customer(&app, &address).await;
    let draft = post(
        &app,
        "/v1/proposals",
        &json!({"customer_id": customer, "lines": lines()}),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    let (status, sent) = act(
        &app,
        Method::POST,
        &format!("/v1/proposals/{id}/send"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["sendings"].as_array().map(Vec::len), Some(1), "{sent}");
    let link = link_to(&app, &address).await;
    let browser = stranger();
    let html = browser
        .get(&link)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Angebot annehmen"), "{html}");

    // No name: refused, nothing moved.
    let refused = browser
        .post(format!("{link}/accept"))
        .header("origin", app.url("").trim_end_matches('/'))
        .form(&[("name", "  ")])
        .send()
        .await
        .expect("accept");
    assert_eq!(refused.status(), 422);
    // From another site: refused, whether the browser names the site or says `null`.
    for (origin, site) in [
        ("https://evil.example", "cross-site"),
        ("null", "cross-site"),
        ("null", "none"),
    ] {
        let forged = browser
            .post(format!("{link}/accept"))
            .header("origin", origin)
            .header("sec-fetch-site", site)
            .form(&[("name", "Mallory")])
            .send()
            .await
            .expect("forged");
        assert_eq!(forged.status(), 403, "{origin} {site}");
    }

    let accepted = browser
        .post(format!("{link}/accept"))
        .header("origin", app.url("").trim_end_matches('/'))
        .header("user-agent", "Kunde/1.0")
        .form(&[("name", "Greta Nordlicht")])
        .send()
        .await
        .expect("accept");
    assert_eq!(accepted.status(), 303);
    let html = browser
        .get(&link)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Angenommen von Greta Nordlicht"), "{html}");
    assert!(!html.contains("Angebot annehmen"), "answered once");

    let proposal = json_of(
        app.client
            .get(app.url(&format!("/v1/proposals/{id}")))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(proposal["status"], "accepted", "{proposal}");
    let acceptance = &proposal["acceptance"];
    assert_eq!(acceptance["name"], "Greta Nordlicht");
    assert_eq!(acceptance["user_agent"], "Kunde/1.0");
    let pdf = bytes(&app, &format!("/v1/proposals/{id}/pdf")).await;
    assert_eq!(
        acceptance["pdf_sha256"],
        hex::encode(Sha256::digest(&pdf)),
        "the PDF the customer was offered"
    );
    let actions = audit_actions(&app).await;
    assert!(
        actions.contains(&"proposal.accepted_on_page".to_owned()),
        "{actions:?}"
    );

    // A second answer is refused: the proposal is answered.
    let again = browser
        .post(format!("{link}/decline"))
        .header("origin", app.url("").trim_end_matches('/'))
        .form(&[("reason", "Zu teuer")])
        .send()
        .await
        .expect("decline");
    assert_eq!(again.status(), 409);

    // The owner is told at the company's address.
    let told: Vec<_> = app
        .sent_mail()
        .await
        .into_iter()
        .filter(|m| {
            m.destinations
                .iter()
                .any(|d| d.contains("rechnung@atelier.example"))
        })
        .collect();
    assert_eq!(told.len(), 1, "the owner's notice");
    let parsed = MessageParser::default()
        .parse(told[0].raw.as_bytes())
        .expect("MIME");
    let subject = parsed.subject().expect("subject");
    assert!(subject.contains("accepted proposal"), "{subject}");

    // The owner revokes the link: it opens nothing.
    let link_id = proposal["links"][0]["id"].as_str().expect("link id");
    let (status, revoked) = act(
        &app,
        Method::DELETE,
        &format!("/v1/proposals/{id}/links/{link_id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(browser.get(&link).send().await.expect("page").status(), 404);
}

#[tokio::test]
async fn a_proposal_sent_with_email_false_is_only_numbered_and_a_decline_needs_no_reason() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let customer = customer(&app, &unique("ohne")).await;
    let draft = post(
        &app,
        "/v1/proposals",
        &json!({"customer_id": customer, "lines": lines()}),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    let (status, sent) = act(
        &app,
        Method::POST,
        &format!("/v1/proposals/{id}/send"),
        Some(&json!({"email": false})),
    )
    .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["sendings"], json!([]));
    assert_eq!(sent["links"], json!([]));
    // Unknown fields are refused, naming them; nothing is sent.
    let (status, problem) = act(
        &app,
        Method::POST,
        &format!("/v1/proposals/{id}/send"),
        Some(&json!({"emial": true})),
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    // Malformed tokens cost nothing and look like any other unknown link.
    for token in [
        "",
        "short",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%",
        "x".repeat(5000).as_str(),
    ] {
        let response = stranger()
            .get(app.url(&format!("/d/{token}")))
            .send()
            .await
            .expect("page");
        assert_eq!(response.status(), 404, "{token}");
    }
}
