//! What happened to a sent document: SES's events (the shapes kept in `events/`, since the
//! emulator produces none) recorded on the document and in the audit trail; a permanent
//! bounce or a complaint suppresses the address until the owner clears it.

use std::path::PathBuf;

use invoiceflow::deliveries::{Handled, SesEvent, handle};
use invoiceflow_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

use crate::documents::{issue, json_of, post, seller};

/// A sample event from `events/`, about `message_id` to `address`, tagged with the document.
pub(crate) fn event(
    name: &str,
    message_id: &str,
    address: &str,
    tags: &[(&str, &str)],
) -> SesEvent {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../events/deliveries-{name}.json"));
    let text = std::fs::read_to_string(&path).expect("sample event");
    let text = text.replace("einkauf@kunde.example", address);
    let mut value: Value = serde_json::from_str(&text).expect("json");
    value["detail"]["mail"]["messageId"] = json!(message_id);
    let mail_tags = value["detail"]["mail"]["tags"]
        .as_object_mut()
        .expect("tags");
    for (name, tag) in tags {
        mail_tags.insert((*name).to_owned(), json!([tag]));
    }
    serde_json::from_value(value).expect("an SES event")
}

fn unique(name: &str) -> String {
    format!(
        "{name}.{}@kunde.example",
        ulid::Ulid::generate().to_string().to_lowercase()
    )
}

/// `POST /v1/invoices/{id}/send` with `body`.
async fn send(app: &TestApp, id: &str, body: &Value) -> (u16, Value) {
    let response = app
        .unsafe_request(
            &app.client,
            Method::POST,
            &format!("/v1/invoices/{id}/send"),
        )
        .json(body)
        .send()
        .await
        .expect("send");
    (response.status().as_u16(), json_of(response).await)
}

async fn get(app: &TestApp, path: &str) -> Value {
    json_of(app.client.get(app.url(path)).send().await.expect("get")).await
}

#[tokio::test]
async fn a_delivery_is_recorded_once_and_a_bounce_suppresses_the_address_until_cleared() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let tenant = account.body["account"]["id"]
        .as_str()
        .and_then(|id| id.strip_prefix("acc_"))
        .expect("account id")
        .to_owned();
    seller(&app, "en-GB").await;
    let address = unique("einkauf");
    let customer = post(
        &app,
        "/v1/customers",
        &json!({"name": "Nordlicht GmbH", "email": address,
                "billing_address": {"lines": ["Am Markt 5"], "city": "Hamburg", "postal_code": "20095", "country": "DE"}}),
    )
    .await;
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": customer["id"], "issue_date": "2026-11-25",
                "lines": [{"description": "Beratung", "quantity": "1", "unit_price": "400.00", "tax_rate": "19"}]}),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    issue(&app, &id).await;
    let (status, sent) = send(&app, &id, &json!({})).await;
    assert_eq!(status, 200, "{sent}");
    let message_id = sent["sendings"][0]["message_id"]
        .as_str()
        .expect("message id")
        .to_owned();
    let document = id.strip_prefix("inv_").expect("ulid").to_owned();
    let tags = [
        ("tenant", tenant.as_str()),
        ("kind", "invoice"),
        ("document", document.as_str()),
    ];
    let state = &app.stack.state;

    // Delivered: on the invoice and in the audit trail, once however often it arrives.
    let delivered = event("delivery", &message_id, &address, &tags);
    assert_eq!(
        handle(state, delivered.clone()).await.expect("handled"),
        Handled::Recorded {
            entries: 1,
            suppressed: 0
        }
    );
    assert_eq!(
        handle(state, delivered).await.expect("handled"),
        Handled::AlreadyRecorded
    );
    let invoice = get(&app, &format!("/v1/invoices/{id}")).await;
    let history = invoice["deliveries"].as_array().expect("deliveries");
    assert_eq!(history.len(), 1, "{invoice}");
    assert_eq!(history[0]["event"], "delivered");
    assert_eq!(history[0]["recipient"], address);
    assert_eq!(history[0]["message_id"], message_id.as_str());
    let audit = get(&app, "/v1/audit?limit=100").await;
    let delivered_entries = audit["data"]
        .as_array()
        .expect("audit")
        .iter()
        .filter(|e| e["action"] == "invoice.delivered" && e["object"] == id.as_str())
        .count();
    assert_eq!(delivered_entries, 1, "{audit}");

    // A permanent bounce: recorded, and the address suppressed.
    let bounced = event("bounce", &message_id, &address, &tags);
    assert_eq!(
        handle(state, bounced).await.expect("handled"),
        Handled::Recorded {
            entries: 1,
            suppressed: 1
        }
    );
    let suppressions = get(&app, "/v1/suppressions").await;
    let data = suppressions["data"].as_array().expect("data");
    assert_eq!(data.len(), 1, "{suppressions}");
    assert_eq!(data[0]["address"], address);
    assert_eq!(data[0]["reason"], "bounced");
    let suppression_id = data[0]["id"].as_str().expect("id").to_owned();

    // The next send to it is refused, naming it, and nothing is sent or marked.
    let (status, problem) = send(&app, &id, &json!({"cc": ["buchhaltung@kunde.example"]})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "to[0]", "{problem}");
    let (status, problem) = send(
        &app,
        &id,
        &json!({"to": ["buchhaltung@kunde.example"], "cc": [address.to_uppercase()]}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "cc[0]", "{problem}");
    let invoice = get(&app, &format!("/v1/invoices/{id}")).await;
    assert_eq!(invoice["sendings"].as_array().map(Vec::len), Some(1));

    // Cleared by the owner, it can be sent to again.
    let cleared = app
        .unsafe_request(
            &app.client,
            Method::DELETE,
            &format!("/v1/suppressions/{suppression_id}"),
        )
        .send()
        .await
        .expect("clear");
    assert_eq!(cleared.status(), 204);
    let (status, sent) = send(&app, &id, &json!({})).await;
    assert_eq!(status, 200, "{sent}");
    let audit = get(&app, "/v1/audit?limit=100").await;
    let actions: Vec<&str> = audit["data"]
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"invoice.bounced"), "{actions:?}");
    assert!(actions.contains(&"suppression.clear"), "{actions:?}");

    // Another account's suppression id is not this one's.
    let other = app.new_client();
    app.signup(&other).await;
    let response = app
        .unsafe_request(
            &other,
            Method::DELETE,
            &format!("/v1/suppressions/{suppression_id}"),
        )
        .send()
        .await
        .expect("clear");
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn a_complaint_suppresses_and_events_not_ours_are_ignored() {
    let app = spawn_app().await;
    let state = &app.stack.state;
    // No tags of ours (a message some other sender's), and an event type not recorded.
    let untagged = event("complaint", "m-1", "x@kunde.example", &[]);
    assert!(matches!(
        handle(state, untagged).await.expect("handled"),
        Handled::Ignored(_)
    ));
    let mut other = event("delivery", "m-2", "x@kunde.example", &[]);
    other.detail.event_type = "Open".into();
    assert!(matches!(
        handle(state, other).await.expect("handled"),
        Handled::Ignored(_)
    ));
    let mut not_ses = event("delivery", "m-3", "x@kunde.example", &[]);
    not_ses.source = "aws.s3".into();
    assert!(handle(state, not_ses).await.is_err());
    // A document that is gone (a purged account's): nothing to record.
    let gone = event(
        "complaint",
        "m-4",
        "x@kunde.example",
        &[
            ("tenant", &ulid::Ulid::generate().to_string()),
            ("kind", "invoice"),
            ("document", &ulid::Ulid::generate().to_string()),
        ],
    );
    assert!(matches!(
        handle(state, gone).await.expect("handled"),
        Handled::Ignored("an account closed or gone")
    ));
}

/// A credit note's delivery and its page's links are audited as the credit note's
/// (`credit_note.delivered`, `credit_note.link_made`), not another kind's.
#[tokio::test]
async fn a_credit_note_s_events_are_audited_as_the_credit_note_s() {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let tenant = account.body["account"]["id"]
        .as_str()
        .and_then(|id| id.strip_prefix("acc_"))
        .expect("account id")
        .to_owned();
    seller(&app, "en-GB").await;
    let address = unique("gutschrift");
    let customer = post(
        &app,
        "/v1/customers",
        &json!({"name": "Nordlicht GmbH", "email": address,
                "billing_address": {"lines": ["Am Markt 5"], "city": "Hamburg", "postal_code": "20095", "country": "DE"}}),
    )
    .await;
    let draft = post(
        &app,
        "/v1/invoices",
        &json!({"customer_id": customer["id"], "issue_date": "2026-11-25",
                "lines": [{"description": "Beratung", "quantity": "1", "unit_price": "400.00", "tax_rate": "19"}]}),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    issue(&app, &id).await;
    let credit = post(
        &app,
        &format!("/v1/invoices/{id}/credit-notes"),
        &json!({"reason": "Doppelt berechnet"}),
    )
    .await;
    let credit_id = credit["id"].as_str().expect("credit note id").to_owned();
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
    let message_id = sent["sendings"][0]["message_id"]
        .as_str()
        .expect("message id")
        .to_owned();
    let document = credit_id.strip_prefix("crn_").expect("ulid").to_owned();
    let tags = [
        ("tenant", tenant.as_str()),
        ("kind", "credit_note"),
        ("document", document.as_str()),
    ];
    let delivered = event("delivery", &message_id, &address, &tags);
    assert!(matches!(
        handle(&app.stack.state, delivered).await.expect("handled"),
        Handled::Recorded { .. }
    ));
    let response = app
        .unsafe_request(
            &app.client,
            Method::POST,
            &format!("/v1/credit-notes/{credit_id}/links"),
        )
        .send()
        .await
        .expect("make a link");
    assert_eq!(response.status(), 201);
    let link = json_of(response).await["id"].clone();
    let audit = get(&app, "/v1/audit?limit=100").await;
    let actions: Vec<&str> = audit["data"]
        .as_array()
        .expect("audit")
        .iter()
        .filter(|e| e["object"] == credit_id.as_str() || e["object"] == link)
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"credit_note.delivered"), "{actions:?}");
    assert!(actions.contains(&"credit_note.link_made"), "{actions:?}");
    assert!(
        !actions.iter().any(|a| a.starts_with("proposal.")),
        "{actions:?}"
    );
}
