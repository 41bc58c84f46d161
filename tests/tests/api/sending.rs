//! Sending an issued invoice by e-mail through SES (the emulator's), read back as raw MIME.
//!
//! Each test has an emulator of its own: the emulator shows what SES received only in a dump
//! of everything it holds (`/moto-api/data.json`), which on the run's shared emulator is every
//! test's data, slow to make and, the emulator serving one call at a time, in everyone's way.

use invoiceflow_tests::{SentMail, TestApp, spawn_app_alone};
use mail_parser::{MessageParser, MimeHeaders};
use reqwest::Method;
use serde_json::{Value, json};

use crate::documents::{assert_valid, check, inspect, issue, json_of, post, seller};
use crate::web::htmx_post;

/// A customer reading German, reachable by e-mail and on Peppol; its id and address.
async fn customer(app: &TestApp, email: Option<&str>) -> String {
    let mut body = json!({
        "name": "Nordlicht GmbH",
        "language": "de",
        "tax_id": "DE123456789",
        "electronic_address": {"scheme": "0204", "id": "991-01234-44"},
        "billing_address": {"lines": ["Am Markt 5"], "city": "Hamburg", "postal_code": "20095", "country": "DE"},
    });
    if let Some(email) = email {
        body["email"] = json!(email);
    }
    let created = post(app, "/v1/customers", &body).await;
    created["id"].as_str().expect("id").to_owned()
}

/// An issued invoice to `customer`; its id.
async fn issued(app: &TestApp, customer: &str) -> String {
    let draft = post(
        app,
        "/v1/invoices",
        &json!({"customer_id": customer, "issue_date": "2026-11-25",
                "lines": [{"description": "Beratung", "quantity": "2", "unit_price": "400.00", "tax_rate": "19"}]}),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    issue(app, &id).await;
    id
}

/// `POST /v1/invoices/{id}/send` with `body` (and `key` as the Idempotency-Key).
async fn send(app: &TestApp, id: &str, body: &Value, key: Option<&str>) -> (u16, Value) {
    let mut request = app
        .unsafe_request(
            &app.client,
            Method::POST,
            &format!("/v1/invoices/{id}/send"),
        )
        .json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    (status, json_of(response).await)
}

/// The emulator's messages to `address`.
async fn mail_to(app: &TestApp, address: &str) -> Vec<SentMail> {
    app.sent_mail()
        .await
        .into_iter()
        .filter(|m| m.destinations.iter().any(|d| d.contains(address)))
        .collect()
}

/// A parsed message's attachments: each one's name and bytes.
pub(crate) fn attachments_of(parsed: &mail_parser::Message<'_>) -> Vec<(String, Vec<u8>)> {
    parsed
        .attachments()
        .map(|part| {
            (
                part.attachment_name().unwrap_or_default().to_owned(),
                part.contents().to_vec(),
            )
        })
        .collect()
}

/// The invoice as the API shows it.
async fn invoice(app: &TestApp, id: &str) -> Value {
    let response = app
        .client
        .get(app.url(&format!("/v1/invoices/{id}")))
        .send()
        .await
        .expect("get");
    json_of(response).await
}

/// A signed-up account with its company, a German customer reachable at a fresh address, and
/// an invoice issued to it: the account, the address and the invoice's id.
async fn ready(app: &TestApp, name: &str) -> (invoiceflow_tests::Account, String, String) {
    let account = app.signup(&app.client).await;
    seller(app, "en-GB").await;
    let address = unique(name);
    let customer = customer(app, Some(&address)).await;
    let id = issued(app, &customer).await;
    (account, address, id)
}

fn unique(name: &str) -> String {
    format!(
        "{name}.{}@kunde.example",
        ulid::Ulid::generate().to_string().to_lowercase()
    )
}

#[tokio::test]
async fn an_issued_invoice_is_e_mailed_in_the_customer_s_language_with_its_pdf_and_ubl() {
    let app = spawn_app_alone().await;
    let (_, address, id) = ready(&app, "einkauf").await;
    let key = ulid::Ulid::generate().to_string();

    let (status, sent) = send(&app, &id, &json!({}), Some(&key)).await;
    assert_eq!(status, 200, "{sent}");
    let sendings = sent["sendings"].as_array().expect("sendings");
    assert_eq!(sendings.len(), 1, "{sent}");
    assert_eq!(sendings[0]["to"], json!([address]));
    let message_id = sendings[0]["message_id"].as_str().expect("message id");
    let number = sent["number"].as_str().expect("number");

    let mail = mail_to(&app, &address).await;
    assert_eq!(mail.len(), 1, "one message");
    assert_eq!(mail[0].id, message_id);
    assert_eq!(mail[0].source, invoiceflow_infra::bootstrap::MAIL_FROM);
    let parsed = MessageParser::default()
        .parse(mail[0].raw.as_bytes())
        .expect("MIME parses");
    let subject = parsed.subject().expect("subject");
    assert!(
        subject.starts_with(&format!("Rechnung {number} von ")),
        "{subject}"
    );
    assert_eq!(sendings[0]["subject"], subject);
    let to = parsed
        .to()
        .and_then(|to| to.first())
        .and_then(|a| a.address());
    assert_eq!(to, Some(address.as_str()));
    let reply_to = parsed
        .reply_to()
        .and_then(|r| r.first())
        .and_then(|a| a.address());
    assert_eq!(
        reply_to,
        Some("rechnung@atelier.example"),
        "the company answers"
    );
    let text = parsed.body_text(0).expect("a text part");
    assert!(
        text.contains(&format!("Rechnung {number} über 952,00"))
            && text.contains("zahlbar bis 25.12.2026"),
        "{text}"
    );
    let attachments = attachments_of(&parsed);
    let names: Vec<&str> = attachments.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, [format!("{number}.pdf"), format!("{number}.xml")]);
    // The PDF is the kept one, with its e-invoice inside; the UBL passes the Peppol rules.
    let pdf = inspect(&attachments[0].1);
    assert!(pdf["attachments"]["factur-x.xml"].is_array(), "{pdf}");
    let results = check(&[("peppol", attachments[1].1.as_slice())]);
    assert_valid(&results[0], "the UBL attached");

    // `make mail` lists it as `make dev`'s emulator received it.
    let endpoint = app.stack.sdk.endpoint_url().expect("endpoint").to_owned();
    let listed = std::process::Command::new(invoiceflow_infra::emulator::venv_python())
        .arg(crate::documents::root().join("infra/mail.py"))
        .args(["--endpoint", &endpoint])
        .output()
        .expect("make mail's script");
    let listed = String::from_utf8_lossy(&listed.stdout);
    for shown in [
        subject,
        address.as_str(),
        &format!("{number}.pdf"),
        &format!("{number}.xml"),
        "zahlbar bis",
    ] {
        assert!(listed.contains(shown), "{shown}: {listed}");
    }

    // The same key again: the same answer, and no second message.
    let (status, again) = send(&app, &id, &json!({}), Some(&key)).await;
    assert_eq!(status, 200);
    assert_eq!(again["sendings"], sent["sendings"]);
    assert_eq!(mail_to(&app, &address).await.len(), 1);

    // Sent again on purpose, to a copy as well: a second message, and both recorded.
    let copy = unique("buchhaltung");
    let (status, twice) = send(
        &app,
        &id,
        &json!({"cc": [copy], "subject": "Erinnerung: unsere Rechnung", "message": "Bitte beachten Sie die Rechnung im Anhang."}),
        None,
    )
    .await;
    assert_eq!(status, 200, "{twice}");
    assert_eq!(twice["sendings"].as_array().map(Vec::len), Some(2));
    let second = mail_to(&app, &copy).await;
    assert_eq!(second.len(), 1);
    let parsed = MessageParser::default()
        .parse(second[0].raw.as_bytes())
        .expect("MIME parses");
    assert_eq!(parsed.subject(), Some("Erinnerung: unsere Rechnung"));
    // The owner's own text, then the document's link.
    let text = parsed.body_text(0).expect("text");
    assert!(
        text.starts_with(
            "Bitte beachten Sie die Rechnung im Anhang.\r\n\r\nOnline ansehen, herunterladen: "
        ),
        "{text}"
    );
    assert!(text.contains(&app.url("/d/")), "{text}");

    // The audit trail has both sends.
    let audit = json_of(
        app.client
            .get(app.url("/v1/audit"))
            .send()
            .await
            .expect("audit"),
    )
    .await;
    let sent_entries = audit["data"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "invoice.sent" && e["object"] == id.as_str())
        .count();
    assert_eq!(sent_entries, 2, "{audit}");
}

#[tokio::test]
async fn a_send_without_a_recipient_to_a_bad_address_or_of_a_draft_sends_nothing() {
    let app = spawn_app_alone().await;
    app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let silent = customer(&app, None).await;
    let id = issued(&app, &silent).await;

    let (status, problem) = send(&app, &id, &json!({}), None).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "to");

    let (status, problem) = send(&app, &id, &json!({"to": ["not-an-address"]}), None).await;
    assert_eq!(status, 400, "{problem}");
    assert!(
        problem["errors"][0]["field"]
            .as_str()
            .is_some_and(|f| f.starts_with("to")),
        "{problem}"
    );

    let many: Vec<String> = (0..51).map(|i| unique(&format!("r{i}"))).collect();
    let (status, problem) = send(&app, &id, &json!({"to": many}), None).await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "to");

    let (status, problem) = send(
        &app,
        &id,
        &json!({"to": [unique("x")], "subject": "two\nlines"}),
        None,
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "subject");

    let address = unique("entwurf");
    let reachable = customer(&app, Some(&address)).await;
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": reachable, "lines": [{"description": "x", "quantity": "1", "unit_price": "1.00"}]}),
    )
    .await;
    let (status, _) = send(&app, draft["id"].as_str().expect("id"), &json!({}), None).await;
    assert_eq!(status, 409);

    let void_id = issued(&app, &reachable).await;
    let voided = app
        .post(&app.client, &format!("/v1/invoices/{void_id}/void"))
        .json(&json!({"reason": "Issued by mistake"}))
        .send()
        .await
        .expect("void");
    assert_eq!(voided.status(), 200);
    let (status, _) = send(&app, &void_id, &json!({}), None).await;
    assert_eq!(status, 409);

    assert!(mail_to(&app, &address).await.is_empty());
    assert!(mail_to(&app, &many[0]).await.is_empty());
    let invoice = invoice(&app, &id).await;
    assert_eq!(invoice["sendings"], json!([]), "nothing marked");
}

#[tokio::test]
async fn twenty_concurrent_sends_under_one_key_send_one_message() {
    let app = spawn_app_alone().await;
    let (_, address, id) = ready(&app, "gleichzeitig").await;
    let key = ulid::Ulid::generate().to_string();
    let empty = json!({});
    let sends = (0..20).map(|_| send(&app, &id, &empty, Some(&key)));
    let answers = futures::future::join_all(sends).await;
    for (status, body) in &answers {
        assert!(
            *status == 200 || *status == 409,
            "a duplicate is answered or told it is in flight: {status} {body}"
        );
    }
    assert!(answers.iter().any(|(status, _)| *status == 200));
    assert_eq!(mail_to(&app, &address).await.len(), 1, "one message");
    let invoice = invoice(&app, &id).await;
    assert_eq!(invoice["sendings"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_refusal_by_ses_marks_nothing_and_the_same_request_can_be_sent_again() {
    let app = spawn_app_alone().await;
    let (account, address, id) = ready(&app, "abgelehnt").await;
    // An instance whose sender SES has not verified: SES refuses every message.
    let unverified = app
        .instance_configured(|config| config.mail_from = "documents@unverified.example".into())
        .await;
    let key = ulid::Ulid::generate().to_string();
    let refused = reqwest::Client::new()
        .post(unverified.url(&format!("/v1/invoices/{id}/send")))
        .header("cookie", format!("__Host-session={}", account.token))
        .header("x-requested-with", "test")
        .header("origin", &unverified.base)
        .header("idempotency-key", &key)
        .json(&json!({}))
        .send()
        .await
        .expect("send");
    assert_eq!(refused.status(), 502);
    let problem = json_of(refused).await;
    assert!(
        problem["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("mail-refused")),
        "{problem}"
    );
    assert!(mail_to(&app, &address).await.is_empty());
    let invoice = invoice(&app, &id).await;
    assert_eq!(invoice["sendings"], json!([]), "nothing marked");
    // The same request, with the same key, once the sender works: sent.
    let (status, sent) = send(&app, &id, &json!({}), Some(&key)).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(mail_to(&app, &address).await.len(), 1);
}

#[tokio::test]
async fn the_owner_sends_from_the_invoice_s_page_and_sees_it_sent() {
    let app = spawn_app_alone().await;
    let (account, address, id) = ready(&app, "seite").await;
    let page = |path: String| {
        reqwest::Client::new()
            .get(app.url(&path))
            .header("cookie", format!("__Host-session={}", account.token))
            .send()
    };
    let before = page(format!("/invoices/{id}"))
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(before.contains("Not sent by e-mail yet."), "{before}");
    // Every field left to its default.
    let sent = htmx_post(&app, &account.token, &format!("/invoices/{id}/do/send"))
        .form(&[
            ("_key", ulid::Ulid::generate().to_string().as_str()),
            ("to[0]", ""),
            ("cc[0]", ""),
            ("subject", ""),
            ("message", ""),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(sent.status(), 200);
    assert_eq!(
        sent.headers()
            .get("hx-redirect")
            .and_then(|v| v.to_str().ok()),
        Some(format!("/invoices/{id}").as_str())
    );
    assert_eq!(mail_to(&app, &address).await.len(), 1);
    let after = page(format!("/invoices/{id}"))
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        after.contains("Sent by e-mail") && after.contains(&address),
        "{after}"
    );
    // A bad address is refused beside the field, and nothing is sent.
    let refused = htmx_post(&app, &account.token, &format!("/invoices/{id}/do/send"))
        .form(&[
            ("_key", ulid::Ulid::generate().to_string().as_str()),
            ("to[0]", "nicht-gültig"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.expect("html");
    assert!(html.contains(r#"id="f-send-to-0-error""#), "{html}");
    assert_eq!(mail_to(&app, &address).await.len(), 1);
}

/// What one send costs beside an invoice `GET`, on the same stack: its AWS calls (asserted)
/// and the wall time of each (printed, for the closing note: never asserted), and the size of
/// the message for a 500-line invoice.
#[tokio::test]
async fn one_send_s_aws_calls_and_time_beside_an_invoice_get() {
    let app = spawn_app_alone().await;
    app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    let address = unique("messung");
    let customer = customer(&app, Some(&address)).await;
    let lines: Vec<Value> = (0..500)
        .map(|i| json!({"description": format!("Position {i}"), "quantity": "1", "unit_price": "10.00", "tax_rate": "19"}))
        .collect();
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": customer, "issue_date": "2026-11-25", "lines": lines}),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    issue(&app, &id).await;
    // Warm: the data key, the kept PDF.
    let pdf = app
        .client
        .get(app.url(&format!("/v1/invoices/{id}/pdf")))
        .send()
        .await
        .expect("pdf")
        .bytes()
        .await
        .expect("bytes");
    let calls = app.state().aws_calls();
    let delta = |before: &std::collections::BTreeMap<String, u64>| calls.since(before);
    let before = calls.snapshot();
    let started = std::time::Instant::now();
    let got = app
        .client
        .get(app.url(&format!("/v1/invoices/{id}")))
        .send()
        .await
        .expect("get");
    assert_eq!(got.status(), 200);
    let get_time = started.elapsed();
    let get_calls = delta(&before);

    let before = calls.snapshot();
    let started = std::time::Instant::now();
    let (status, _) = send(&app, &id, &json!({}), None).await;
    assert_eq!(status, 200);
    let send_time = started.elapsed();
    let send_calls = delta(&before);
    assert_eq!(
        send_calls.get("sesv2:SendEmail"),
        Some(&1),
        "{send_calls:?}"
    );
    assert_eq!(
        send_calls.get("kms:Decrypt"),
        None,
        "the data key stays cached"
    );

    let mail = mail_to(&app, &address).await;
    let raw = mail[0].raw.len();
    println!(
        "MEASURE invoice GET: {get_time:?}, calls {get_calls:?}\nMEASURE send (500 lines): {send_time:?} = {:.1}x the GET, calls {send_calls:?}\nMEASURE MIME message {raw} bytes for a {} byte PDF",
        send_time.as_secs_f64() / get_time.as_secs_f64(),
        pdf.len()
    );
}

#[tokio::test]
async fn a_credit_note_is_e_mailed_naming_the_invoice_it_credits() {
    let app = spawn_app_alone().await;
    let (_, address, id) = ready(&app, "gutschrift").await;
    let credit = post(
        &app,
        &format!("/v1/invoices/{id}/credit-notes"),
        &json!({"reason": "Doppelt berechnet"}),
    )
    .await;
    let credit_id = credit["id"].as_str().expect("credit note id");
    let response = app
        .unsafe_request(
            &app.client,
            Method::POST,
            &format!("/v1/credit-notes/{credit_id}/send"),
        )
        .json(&json!({}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    let sent = json_of(response).await;
    assert_eq!(sent["sendings"][0]["to"], json!([address]));
    let number = sent["number"].as_str().expect("number");
    let invoice_number = sent["invoice_number"].as_str().expect("invoice number");
    let mail = mail_to(&app, &address).await;
    assert_eq!(mail.len(), 1);
    let parsed = MessageParser::default()
        .parse(mail[0].raw.as_bytes())
        .expect("MIME parses");
    assert!(
        parsed
            .subject()
            .is_some_and(|s| s.starts_with(&format!("Gutschrift {number} von "))),
        "{:?}",
        parsed.subject()
    );
    let text = parsed.body_text(0).expect("text");
    assert!(
        text.contains(&format!("zur Rechnung {invoice_number}")),
        "{text}"
    );
    let names: Vec<&str> = parsed
        .attachments()
        .filter_map(|part| part.attachment_name())
        .collect();
    assert_eq!(names, [format!("{number}.pdf"), format!("{number}.xml")]);
}
