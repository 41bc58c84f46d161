//! Payment reminders: the account's policy in the settings (off by default with stages at 7,
//! 14 and 30 days, replaced whole, a bad one refused naming the field with nothing written),
//! and the schedule's reminders with the state's clock moved on: an invoice paid between two
//! stages gets only the first, a missed run sends only the latest stage due, nothing goes to a
//! suppressed address, an opted-out customer, a void or a paused invoice, each stage leaves
//! at most once, and the reminder's PDF claims what was computed by hand.

use std::time::{Duration, Instant};

use invoiceflow::schedules;
use invoiceflow_tests::{TestApp, spawn_app, spawn_app_alone};
use mail_parser::MessageParser;
use reqwest::Method;
use serde_json::{Value, json};

use crate::documents::{inspect, issue, plain, post, seller, text_of};

fn move_clock_to(app: &TestApp, at: &str) {
    app.move_clock_to(at);
}

async fn pass(app: &TestApp) -> schedules::Report {
    schedules::run(app.state(), Instant::now() + Duration::from_secs(300))
        .await
        .expect("a pass")
}

async fn get(app: &TestApp, path: &str) -> Value {
    let response = app.client.get(app.url(path)).send().await.expect("get");
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("json")
}

/// Sets the account's reminder policy (and logs in again first: the moved clock ends sessions).
async fn policy(app: &TestApp, policy: Value) {
    let response = app
        .unsafe_request(&app.client, Method::PATCH, "/v1/settings")
        .header("if-match", "*")
        .json(&json!({"reminders": policy}))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), 200);
}

/// A German customer at `email` (and `extra` fields); its id.
async fn customer(app: &TestApp, email: &str, extra: Value) -> String {
    let mut body = json!({
        "name": "Nordlicht GmbH", "language": "de", "email": email,
        "billing_address": {"lines": ["Am Markt 5"], "city": "Hamburg", "postal_code": "20095", "country": "DE"},
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    post(app, "/v1/customers", &body).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// An invoice of 952.00 issued on 25 November 2026 to `customer`, due on `due`; its id.
async fn issued(app: &TestApp, customer: &str, due: &str) -> String {
    let draft = post(
        app,
        "/v1/invoices",
        &json!({"customer_id": customer, "issue_date": "2026-11-25", "due_date": due,
                "lines": [{"description": "Beratung", "quantity": "2", "unit_price": "400.00", "tax_rate": "19"}]}),
    )
    .await;
    let id = draft["id"].as_str().expect("id").to_owned();
    issue(app, &id).await;
    id
}

async fn reminders(app: &TestApp, id: &str) -> Value {
    get(app, &format!("/v1/invoices/{id}/reminders")).await
}

fn stages(reminders: &Value) -> Vec<u64> {
    reminders["sent"]
        .as_array()
        .expect("sent")
        .iter()
        .map(|r| r["stage"].as_u64().expect("stage"))
        .collect()
}

fn unique(name: &str) -> String {
    format!(
        "{name}.{}@kunde.example",
        ulid::Ulid::generate().to_string().to_lowercase()
    )
}

#[tokio::test]
async fn paid_between_stages_gets_only_the_first_a_missed_run_only_the_latest_and_the_pdf_claims_the_hand_computed_charges()
 {
    let app = spawn_app_alone().await;
    let account = app.signup(&app.client).await;
    seller(&app, "en-GB").await;
    policy(
        &app,
        json!({
            "enabled": true,
            "stages": [{"days": 7, "fee": "5.00"}, {"days": 14}, {"days": 30, "fee": "7.50"}],
            "interest_percent": "11.27",
            "compensation": "40.00",
        }),
    )
    .await;
    let address = unique("buchhaltung");
    let client = customer(&app, &address, json!({})).await;
    // Due on 25 December (UTC, the account's zone): day 7 begins on 1 January.
    let paid = issued(&app, &client, "2026-12-25").await;
    let unpaid = issued(&app, &client, "2026-12-25").await;
    // Due on 5 January: not overdue at the first two passes.
    let missed = issued(&app, &client, "2027-01-05").await;
    let next = reminders(&app, &paid).await;
    assert_eq!(next["next_reminder"], "2027-01-01", "{next}");

    // Nothing before the first stage's day.
    move_clock_to(&app, "2026-12-31T12:00:00Z");
    assert_eq!(pass(&app).await.reminders_sent, 0);

    move_clock_to(&app, "2027-01-01T12:00:00Z");
    let report = pass(&app).await;
    assert_eq!(report.reminders_sent, 2, "{report:?}");
    app.login(&app.client, &account.email, &account.password)
        .await;
    assert_eq!(stages(&reminders(&app, &paid).await), [1]);
    assert_eq!(stages(&reminders(&app, &unpaid).await), [1]);

    // Paid between the 7-day and the 14-day reminders: it gets only the first.
    move_clock_to(&app, "2027-01-03T12:00:00Z");
    app.login(&app.client, &account.email, &account.password)
        .await;
    post(
        &app,
        &format!("/v1/invoices/{paid}/payments"),
        &json!({"amount": "952.00", "date": "2027-01-03", "method": "bank_transfer"}),
    )
    .await;
    move_clock_to(&app, "2027-01-08T12:00:00Z");
    let report = pass(&app).await;
    assert_eq!(report.reminders_sent, 1, "{report:?}");
    app.login(&app.client, &account.email, &account.password)
        .await;
    assert_eq!(stages(&reminders(&app, &paid).await), [1], "paid: no more");
    assert_eq!(stages(&reminders(&app, &unpaid).await), [1, 2]);
    assert_eq!(reminders(&app, &paid).await["next_reminder"], Value::Null);

    // No pass from 8 January to 5 February, day 31 of the third invoice: only its 30-day
    // stage, once (and the second invoice's 30-day stage, its day come too).
    move_clock_to(&app, "2027-02-05T12:00:00Z");
    let report = pass(&app).await;
    assert_eq!(report.reminders_sent, 2, "{report:?}");
    assert_eq!(
        pass(&app).await.reminders_sent,
        0,
        "each stage at most once"
    );
    app.login(&app.client, &account.email, &account.password)
        .await;
    assert_eq!(stages(&reminders(&app, &unpaid).await), [1, 2, 3]);
    let third = reminders(&app, &missed).await;
    assert_eq!(stages(&third), [3], "{third}");
    // 952.00 × 11.27 % × 31 / 365 = 9.1123… → 9.11; this stage's fee 7.50 (no earlier stage
    // was sent); EUR 40 compensation: 952.00 + 9.11 + 7.50 + 40.00 = 1,008.61.
    let charges = &third["sent"][0]["charges"];
    assert_eq!(charges["days_overdue"], 31);
    assert_eq!(charges["interest"], "9.11");
    assert_eq!(charges["fees"], "7.50");
    assert_eq!(charges["compensation"], "40.00");
    assert_eq!(charges["total"], "1008.61");
    assert_eq!(
        third["next_reminder"],
        Value::Null,
        "the last stage was sent"
    );

    // The e-mail: in the customer's language, the reminder's PDF first, then the invoice's.
    let invoice = get(&app, &format!("/v1/invoices/{missed}")).await;
    let number = invoice["number"].as_str().expect("number");
    let message_id = third["sent"][0]["message_id"].as_str().expect("message id");
    let mail: Vec<_> = app
        .sent_mail()
        .await
        .into_iter()
        .filter(|m| m.id == message_id)
        .collect();
    assert_eq!(mail.len(), 1);
    let parsed = MessageParser::default()
        .parse(mail[0].raw.as_bytes())
        .expect("MIME parses");
    let subject = parsed.subject().expect("subject");
    assert!(
        subject.starts_with(&format!("Zahlungserinnerung: Rechnung {number}")),
        "{subject}"
    );
    let text = parsed.body_text(0).expect("text");
    assert!(
        text.contains("seit 31 Tagen") && text.contains("1.008,61"),
        "{text}"
    );
    let attachments = crate::sending::attachments_of(&parsed);
    let names: Vec<&str> = attachments.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [format!("{number}-reminder-3.pdf"), format!("{number}.pdf")]
    );
    let pdf = inspect(&attachments[0].1);
    let text = plain(&text_of(&pdf));
    for expected in [
        "Zahlungserinnerung",
        "Mahnstufe 3",
        "Tage überfällig 31",
        "952,00",
        "Mahngebühren 7,50",
        "Verzugszinsen (11,27 % p. a. für 31 Tage) 9,11",
        "Verzugspauschale 40,00",
        "Zu zahlender Gesamtbetrag 1.008,61",
        number,
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // The audit trail has each reminder.
    let audit = get(&app, "/v1/audit?limit=100").await;
    let reminded = audit["data"]
        .as_array()
        .expect("audit")
        .iter()
        .filter(|e| e["action"] == "invoice.reminded")
        .count();
    assert_eq!(
        reminded, 5,
        "2 on 1 January, 1 on 8 January, 2 on 5 February: {audit}"
    );
}

#[tokio::test]
async fn nothing_goes_to_a_suppressed_address_an_opted_out_customer_a_void_or_a_paused_invoice_and_the_owner_sends_one_by_hand()
 {
    let app = spawn_app().await;
    let account = app.signup(&app.client).await;
    let tenant = account.body["account"]["id"]
        .as_str()
        .and_then(|id| id.strip_prefix("acc_"))
        .expect("account id")
        .to_owned();
    seller(&app, "en-GB").await;
    policy(&app, json!({"enabled": true})).await;
    let opted_out = customer(&app, &unique("nein"), json!({"no_reminders": true})).await;
    let bounced_address = unique("bounced");
    let bounced = customer(&app, &bounced_address, json!({})).await;
    let plain_customer = customer(&app, &unique("ok"), json!({})).await;
    let to_opted_out = issued(&app, &opted_out, "2026-12-25").await;
    let to_bounced = issued(&app, &bounced, "2026-12-25").await;
    let voided = issued(&app, &plain_customer, "2026-12-25").await;
    let paused = issued(&app, &plain_customer, "2026-12-25").await;
    let by_hand = issued(&app, &plain_customer, "2026-12-25").await;

    // Not overdue yet: nothing by hand either.
    let remind = |id: String| {
        app.unsafe_request(
            &app.client,
            Method::POST,
            &format!("/v1/invoices/{id}/reminders"),
        )
        .send()
    };
    let early = remind(by_hand.clone()).await.expect("remind");
    assert_eq!(early.status(), 409);

    // The bounced address is suppressed (a permanent bounce of the invoice's own message).
    let sent = app
        .unsafe_request(
            &app.client,
            Method::POST,
            &format!("/v1/invoices/{to_bounced}/send"),
        )
        .json(&json!({}))
        .send()
        .await
        .expect("send");
    assert_eq!(sent.status(), 200);
    let sent: Value = sent.json().await.expect("json");
    let message_id = sent["sendings"][0]["message_id"].as_str().expect("id");
    let document = to_bounced.strip_prefix("inv_").expect("ulid");
    let tags = [
        ("tenant", tenant.as_str()),
        ("kind", "invoice"),
        ("document", document),
    ];
    let bounce = crate::deliveries::event("bounce", message_id, &bounced_address, &tags);
    invoiceflow::deliveries::handle(app.state(), bounce)
        .await
        .expect("handled");
    // Voided, and paused by the owner.
    post(
        &app,
        &format!("/v1/invoices/{voided}/void"),
        &json!({"reason": "Falsch ausgestellt"}),
    )
    .await;
    let pause = app
        .unsafe_request(
            &app.client,
            Method::POST,
            &format!("/v1/invoices/{paused}/reminders/pause"),
        )
        .header("if-match", "*")
        .send()
        .await
        .expect("pause");
    assert_eq!(pause.status(), 200);
    let paused_view = reminders(&app, &paused).await;
    assert_eq!(paused_view["paused"], true);
    assert_eq!(paused_view["next_reminder"], Value::Null);

    move_clock_to(&app, "2027-01-01T12:00:00Z");
    let report = pass(&app).await;
    assert_eq!(
        report.reminders_sent, 1,
        "only the invoice by hand's: {report:?}"
    );
    assert_eq!(report.reminders_withheld, 2, "{report:?}");
    app.login(&app.client, &account.email, &account.password)
        .await;
    for id in [&to_opted_out, &to_bounced, &voided, &paused] {
        assert!(stages(&reminders(&app, id).await).is_empty(), "{id}");
    }
    let problem = reminders(&app, &to_opted_out).await["problem"].clone();
    assert!(
        problem.as_str().is_some_and(|p| p.contains("asked for no")),
        "{problem}"
    );
    let problem = reminders(&app, &to_bounced).await["problem"].clone();
    assert!(
        problem.as_str().is_some_and(|p| p.contains("suppress")),
        "{problem}"
    );
    assert_eq!(stages(&reminders(&app, &by_hand).await), [1]);

    // By hand: the next stage now, then the last; then none is left. Never a stage twice.
    let second = remind(by_hand.clone()).await.expect("remind");
    assert_eq!(second.status(), 200);
    let view: Value = second.json().await.expect("json");
    assert_eq!(view["reminders"][1]["by_hand"], true, "{view}");
    assert_eq!(remind(by_hand.clone()).await.expect("remind").status(), 200);
    assert_eq!(stages(&reminders(&app, &by_hand).await), [1, 2, 3]);
    let none_left = remind(by_hand.clone()).await.expect("remind");
    assert_eq!(none_left.status(), 409);
    // Nor by hand to the opted-out customer.
    assert_eq!(
        remind(to_opted_out.clone()).await.expect("remind").status(),
        409
    );
    // A later pass sends the paused invoice nothing either, and nothing twice.
    move_clock_to(&app, "2027-02-01T12:00:00Z");
    let report = pass(&app).await;
    assert_eq!(report.reminders_sent, 0, "{report:?}");
}

#[tokio::test]
async fn the_reminder_policy_is_off_by_default_and_bad_ones_are_refused_naming_the_field() {
    let app = spawn_app().await;
    app.signup(&app.client).await;
    let settings = |app: &invoiceflow_tests::TestApp| {
        let client = app.client.clone();
        let url = app.url("/v1/settings");
        async move {
            let response = client.get(url).send().await.expect("get");
            response.json::<Value>().await.expect("json")
        }
    };
    let before = settings(&app).await;
    assert_eq!(
        before["reminders"],
        json!({
            "enabled": false,
            "stages": [
                {"days": 7, "fee": null, "subject": null, "message": null},
                {"days": 14, "fee": null, "subject": null, "message": null},
                {"days": 30, "fee": null, "subject": null, "message": null},
            ],
            "interest_percent": null,
            "compensation": null,
        })
    );
    let patch = |policy: Value| {
        app.unsafe_request(&app.client, Method::PATCH, "/v1/settings")
            .header("if-match", "*")
            .json(&json!({"reminders": policy}))
            .send()
    };
    for (policy, field) in [
        (
            json!({"stages": [{"days": 7, "fee": "-5.00"}]}),
            "reminders.stages[0].fee",
        ),
        (
            json!({"interest_percent": "100.01"}),
            "reminders.interest_percent",
        ),
        (json!({"stages": [{"days": 0}]}), "reminders.stages[0].days"),
        (json!({"compensation": "-40.00"}), "reminders.compensation"),
        (json!({"stages": [{"days": 14}, {"days": 7}]}), "reminders"),
    ] {
        let response = patch(policy.clone()).await.expect("patch");
        assert_eq!(response.status(), 400, "{policy}");
        let problem: Value = response.json().await.expect("problem");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    assert_eq!(settings(&app).await, before, "nothing was written");

    let policy = json!({
        "enabled": true,
        "stages": [{"days": 10, "fee": "5.00"}, {"days": 20, "subject": "Second reminder"}],
        "interest_percent": "11.27",
        "compensation": "40.00",
    });
    let response = patch(policy).await.expect("patch");
    assert_eq!(response.status(), 200);
    let after = settings(&app).await;
    assert_eq!(after["reminders"]["enabled"], true);
    assert_eq!(
        after["reminders"]["stages"][1]["subject"],
        "Second reminder"
    );
    assert_eq!(after["reminders"]["interest_percent"], "11.27");
    assert_eq!(
        after["reminders"]["stages"].as_array().map(Vec::len),
        Some(2)
    );
}

/// One pass over `MEASURE_REMINDERS` overdue invoices (40 by default; the closing note's
/// 1,000 with `MEASURE_REMINDERS=1000`) of four accounts, each sent its first reminder: the AWS
/// calls a reminder and the time, beside one invoice GET measured in the same run. Prints
/// `MEASURE` lines; asserts no scan and every reminder sent once.
#[tokio::test]
async fn one_pass_s_aws_calls_and_time_for_overdue_invoices() {
    use futures::StreamExt as _;
    let app = spawn_app_alone().await;
    let count: usize = std::env::var("MEASURE_REMINDERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);
    let mut firsts = Vec::new();
    for account in 0..4 {
        let client = app.new_client();
        app.signup(&client).await;
        let response = app
            .unsafe_request(&client, Method::PATCH, "/v1/settings")
            .header("if-match", "*")
            .json(&json!({"reminders": {"enabled": true}}))
            .send()
            .await
            .expect("patch");
        assert_eq!(response.status(), 200);
        let customer: Value = app
            .post(&client, "/v1/customers")
            .json(
                &json!({"name": format!("Kunde {account}"), "currency": "EUR",
                          "email": unique(&format!("kunde{account}"))}),
            )
            .send()
            .await
            .expect("customer")
            .json()
            .await
            .expect("json");
        let customer = customer["id"].as_str().expect("id").to_owned();
        let made = futures::stream::iter(0..count / 4)
            .map(|_| {
                let (client, customer) = (client.clone(), customer.clone());
                let app = &app;
                async move {
                    // As a client should: a 503 (the emulator, serving one call at a time,
                    // did not answer) is sent again after its Retry-After; a 409 on a second
                    // try of an issue means the first committed after all.
                    let mut draft = None;
                    for tried in 1..=5 {
                        let made = app
                            .post(&client, "/v1/invoices")
                            .json(&json!({"customer_id": customer, "issue_date": "2026-11-25", "due_date": "2026-12-25",
                                          "lines": [{"description": "Beratung", "quantity": "1", "unit_price": "100.00", "tax_rate": "19"}]}))
                            .send()
                            .await
                            .expect("draft");
                        if made.status() == 201 {
                            draft = Some(made.json::<Value>().await.expect("json"));
                            break;
                        }
                        assert!(made.status() == 503 && tried < 5, "{}", made.status());
                        println!("MEASURE seeding: a draft answered 503; again");
                        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    }
                    let draft = draft.expect("a draft");
                    let id = draft["id"].as_str().expect("id").to_owned();
                    for tried in 1..=5 {
                        let issued = app
                            .post(&client, &format!("/v1/invoices/{id}/issue"))
                            .json(&json!({}))
                            .send()
                            .await
                            .expect("issue");
                        if issued.status() == 200 || (tried > 1 && issued.status() == 409) {
                            break;
                        }
                        assert!(issued.status() == 503 && tried < 5, "{}", issued.status());
                        println!("MEASURE seeding: issue answered 503; again");
                        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    }
                    id
                }
            })
            .buffer_unordered(
                std::env::var("MEASURE_SEED_CONCURRENCY")
                    .ok()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(4),
            )
            .collect::<Vec<_>>()
            .await;
        firsts.push((client, made[0].clone()));
    }
    let (client, one) = &firsts[0];
    let calls = app.state().aws_calls();
    let delta = |before: &std::collections::BTreeMap<String, u64>| calls.since(before);
    let before = calls.snapshot();
    let started = Instant::now();
    let got = client
        .get(app.url(&format!("/v1/invoices/{one}")))
        .send()
        .await
        .expect("get");
    assert_eq!(got.status(), 200);
    let read_time = started.elapsed();
    let read_calls = delta(&before);

    move_clock_to(&app, "2027-01-01T12:00:00Z");
    let before = calls.snapshot();
    let started = Instant::now();
    let (report, passes) = invoiceflow_tests::passes_until_done(app.state()).await;
    let pass_time = started.elapsed();
    let pass_calls = delta(&before);
    let total = count / 4 * 4;
    assert_eq!(
        (
            report.invoices_looked_at,
            report.reminders_sent,
            report.reminders_failed
        ),
        (total, total, 0),
        "{report:?}"
    );
    assert_eq!(pass_calls.get("dynamodb:Scan"), None, "no scan");
    // A second pass finds nothing due: each entry moved to the next stage's day.
    let before_again = calls.snapshot();
    let again = pass(&app).await;
    assert_eq!(again.invoices_looked_at, 0, "{again:?}");
    let idle_calls = delta(&before_again);
    let per_invoice: f64 = pass_calls.values().sum::<u64>() as f64 / total as f64;
    println!(
        "MEASURE invoice GET: {read_time:?}, calls {read_calls:?}\nMEASURE {passes} pass(es) over {total} overdue invoices: {pass_time:?} = {:.0}x the GET, {:.1} calls a reminder, calls {pass_calls:?}\nMEASURE a pass with nothing due: calls {idle_calls:?}",
        pass_time.as_secs_f64() / read_time.as_secs_f64(),
        per_invoice,
    );
}
