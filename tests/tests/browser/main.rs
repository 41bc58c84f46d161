//! The web app in a real browser: headless Chromium (Debian's, driven by ChromeDriver over
//! WebDriver) against the application served over HTTP on the local stack, as a new user uses
//! it. axe-core (npm, `tests/browser`) checks every page visited for accessibility.

mod driver;

use std::time::Duration;

use driver::Browser;
use invoiceflow::domain::values::Currency;
use invoiceflow::render::locale::Format;
use invoiceflow_tests::{STRONG_PASSWORD, spawn_app_alone};
use rust_decimal::Decimal;

const NEW_PASSWORD: &str = "velvet-harbor-quartz-meadow";

fn euros(amount: &str) -> String {
    Format::of("de-DE").money(
        amount.parse::<Decimal>().expect("a decimal"),
        Currency::parse("EUR").expect("EUR"),
    )
}

/// Everything an owner does, from signing up to deleting the account, in one browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_runs_the_business_in_the_browser_from_signup_to_deletion() {
    // An emulator of its own: the test reads the e-mails its SES took.
    let app = spawn_app_alone().await;
    let browser = Browser::start(&app.base).await;
    let marker = ulid::Ulid::generate().to_string().to_lowercase();
    let email = format!("owner.{marker}@example.com");
    let company = format!("Ölçü Atelier {marker}");

    // Sign up: the session cookie is set, and page script cannot read it.
    browser.visit("/signup").await;
    browser.check_page().await;
    browser.fill("name", "Ann Owner").await;
    browser.fill("email", &email).await;
    browser.fill("password", STRONG_PASSWORD).await;
    browser.fill("company_name", &company).await;
    browser.select("currency", "EUR").await;
    browser.press("Create account").await;
    browser.wait_for_path("/settings").await;
    browser.check_page().await;
    let cookies = browser.script("return document.cookie").await;
    assert!(
        !cookies
            .as_str()
            .unwrap_or_default()
            .contains("__Host-session"),
        "page script can read the session cookie: {cookies}"
    );
    assert!(browser.session_cookie_is_http_only().await);

    // The company profile, and the account's language: from here on the app is German, and
    // amounts are typed and shown the German way.
    browser.fill("address.lines[0]", "Hauptstraße 1").await;
    browser.fill("address.postal_code", "10115").await;
    browser.fill("address.city", "Berlin").await;
    browser.select("address.country", "DE").await;
    browser.fill("tax_id", "DE123456789").await;
    browser.fill("bank_account.holder", &company).await;
    browser
        .fill("bank_account.iban", "DE89 3704 0044 0532 0130 00")
        .await;
    // Customers pay into it: a new bank account needs the password confirmed first.
    browser.press("Save company profile").await;
    browser
        .wait_for_text("please confirm your password to change it")
        .await;
    browser.check_page().await;
    browser.fill("_password", STRONG_PASSWORD).await;
    browser.press("Save company profile").await;
    browser.wait_for_text("Company profile saved.").await;
    browser.select("locale", "de-DE").await;
    browser.fill("time_zone", "Europe/Berlin").await;
    browser.press("Save settings").await;
    browser.wait_for_text("Einstellungen gespeichert.").await;
    assert_eq!(browser.attribute("html", "lang").await, "de");
    assert_eq!(browser.text("h1").await, "Einstellungen");
    // Invoices continue another tool's numbers from 1000.
    browser.fill_id("f-invoice-next", "1000").await;
    browser.press("Rechnungen anheben").await;
    browser.wait_for_text("Angehoben.").await;
    assert!(
        browser
            .text("[data-series=invoice]")
            .await
            .ends_with("1000")
    );
    // A refused field is shown beside the field, and nothing is saved.
    browser.fill("payment_terms_days:int", "999").await;
    browser.press("Einstellungen speichern").await;
    browser
        .wait_until("document.querySelector('#f-payment_terms_days-error') !== null")
        .await;
    browser.check_page().await;

    // A reminder policy: on, with interest, the compensation and a first stage's fee.
    browser.fill("payment_terms_days:int", "30").await;
    browser
        .script("document.getElementById('f-reminders-enabled').click(); return null;")
        .await;
    browser
        .fill("reminders.interest_percent:dec", "11,27")
        .await;
    browser.fill("reminders.compensation:dec", "40,00").await;
    browser.fill("reminders.stages[0].fee:dec", "5,00").await;
    browser.press("Einstellungen speichern").await;
    browser.wait_for_text("Einstellungen gespeichert.").await;
    browser.visit("/settings").await;
    assert_eq!(
        browser
            .attribute("[name='reminders.interest_percent:dec']", "value")
            .await,
        "11,27"
    );
    assert_eq!(
        browser
            .script("return document.getElementById('f-reminders-enabled').checked;")
            .await,
        serde_json::json!(true)
    );
    assert_eq!(
        browser
            .attribute("[name='reminders.stages[2].days:int']", "value")
            .await,
        "30"
    );

    // Two customers and three services.
    let mut customers = Vec::new();
    for (name, city) in [("Nordlicht GmbH", "Hamburg"), ("Café Sonne", "München")] {
        browser.visit("/customers/new").await;
        browser.fill("name", name).await;
        browser.fill("email", "books@example.com").await;
        browser.fill("billing_address.lines[0]", "Am Markt 5").await;
        browser.fill("billing_address.city", city).await;
        browser.select("billing_address.country", "DE").await;
        browser.press("Kunden anlegen").await;
        customers.push(browser.wait_for_path("/customers/cus_").await);
    }
    browser.check_page().await;
    browser.visit("/customers").await;
    browser.wait_for_text("Café Sonne").await;
    browser.check_page().await;
    browser.visit("/customers/new").await;
    browser.check_page().await;
    let services = [
        ("Design workshop", "800,00", "day", "19"),
        ("Development", "95,00", "hour", "19"),
        ("Printed brochure", "2,50", "piece", "7"),
    ];
    let mut service_ids = Vec::new();
    for (name, price, unit, rate) in services {
        browser.visit("/services/new").await;
        if service_ids.is_empty() {
            browser.check_page().await;
        }
        browser.fill("name", name).await;
        browser.fill("unit_price:dec", price).await;
        browser.fill("unit", unit).await;
        browser.fill("tax_rate:dec", rate).await;
        browser.press("Leistung anlegen").await;
        let path = browser.wait_for_path("/services/svc_").await;
        service_ids.push(path.trim_start_matches("/services/").to_owned());
    }
    browser.check_page().await;
    browser.visit("/services").await;
    browser.check_page().await;
    // The price typed as 800,00 was kept as 800.00, and is shown back as 800,00.
    browser
        .visit(&format!("/services/{}", service_ids[0]))
        .await;
    assert_eq!(
        browser.attribute("[name='unit_price:dec']", "value").await,
        "800,00"
    );

    // A monthly retainer: its next dates shown (31 January, then each month's last day), then
    // paused, after which nothing is to come.
    browser.visit("/recurring").await;
    browser
        .wait_for_text("Noch keine wiederkehrenden Rechnungen")
        .await;
    browser.check_page().await;
    browser.visit("/recurring/new").await;
    browser.check_page().await;
    browser.fill("name", "Monatliche Betreuung").await;
    browser
        .select(
            "customer_id",
            customers[0].trim_start_matches("/customers/"),
        )
        .await;
    browser
        .script("document.getElementById('f-schedule-start').value = '2030-01-31'; return null;")
        .await;
    browser.select("produce", "issued").await;
    browser.select("lines[0].service_id", &service_ids[1]).await;
    browser.fill("lines[0].quantity:dec", "10").await;
    browser.press("Starten").await;
    browser.wait_for_path("/recurring/rec_").await;
    for date in [
        "31.01.2030",
        "28.02.2030",
        "31.03.2030",
        "30.04.2030",
        "31.05.2030",
    ] {
        browser.wait_for_text(date).await;
    }
    browser.wait_for_text("Jeden Monat, ab 31.01.2030").await;
    browser.check_page().await;
    browser.press("Pausieren").await;
    browser.wait_for_text("Es steht nichts an").await;
    assert!(browser.page_text().await.contains("Pausiert"));
    browser.visit("/recurring").await;
    browser.wait_for_text("Monatliche Betreuung").await;

    // A proposal from the catalogue: send it, accept it, convert it.
    browser.visit("/proposals/new").await;
    browser.check_page().await;
    browser
        .select(
            "customer_id",
            customers[0].trim_start_matches("/customers/"),
        )
        .await;
    browser.press("Angebot beginnen").await;
    browser.wait_for_path("/proposals/pro_").await;
    browser.select("lines[0].service_id", &service_ids[0]).await;
    browser
        .wait_for_element("[name='lines[1].service_id']")
        .await;
    browser.select("lines[1].service_id", &service_ids[1]).await;
    browser
        .wait_for_element("[name='lines[2].service_id']")
        .await;
    // Live totals: 1 day + 1 hour, then 10 hours; the server works them out on every change.
    browser.wait_for_total("total", &euros("1065.05")).await;
    browser.fill("lines[1].quantity:dec", "10").await;
    browser.blur().await;
    browser.wait_for_total("total", &euros("2082.50")).await;
    browser.check_page().await;
    browser.press("An den Kunden senden").await;
    browser.wait_for_text("Versendet").await;
    browser.check_page().await;
    let proposal = browser.current_path().await;

    // The customer, in a browser of their own with no session, opens the link in the e-mail,
    // downloads the PDF and accepts the proposal with their name.
    let link = mailed_link(&app, "books@example.com").await;
    let customer = Browser::start(&app.base).await;
    customer.goto_absolute(&link).await;
    customer.wait_for_text("Angebot annehmen").await;
    customer.check_page().await;
    let page = link.trim_start_matches(&app.base).to_owned();
    let pdf = customer.fetch_in_page(&format!("{page}/pdf")).await;
    assert_eq!(pdf.0, 200);
    assert_eq!(pdf.1, "application/pdf");
    assert!(pdf.2.starts_with("%PDF-"), "{:?}", pdf.2);
    customer.fill("name", "Greta Nordlicht").await;
    customer.press("Angebot annehmen").await;
    customer
        .wait_for_text("Angenommen von Greta Nordlicht")
        .await;
    customer.check_page().await;
    // A token with one character changed opens the page every dead link gets.
    customer.goto_absolute(&altered(&link)).await;
    customer
        .wait_until("document.querySelector('h1') !== null && document.title.length > 0")
        .await;
    let dead = customer.page_text().await;
    assert!(
        dead.contains("Not found") || dead.contains("Nicht gefunden"),
        "{dead}"
    );
    customer.check_page().await;

    // The owner sees the acceptance on the dashboard, on the proposal and in the audit trail.
    browser.visit("/").await;
    browser.wait_for_text("Angenommene Angebote").await;
    browser.check_page().await;
    browser.visit("/audit").await;
    browser.wait_for_text("proposal.accepted_on_page").await;
    browser.visit(&proposal).await;
    browser.wait_for_text("Vom Kunden angenommen").await;
    browser.wait_for_text("In eine Rechnung umwandeln").await;
    browser.check_page().await;
    browser.press("In eine Rechnung umwandeln").await;
    let invoice = browser.wait_for_path("/invoices/inv_").await;

    // Issue it; screenshots of the dashboard and the invoice editor come later.
    browser.wait_for_total("total", &euros("2082.50")).await;
    browser.check_page().await;
    browser.screenshots("invoice-editor").await;
    browser.press("Ausstellen (vergibt ihre Nummer)").await;
    browser.wait_for_text("Eine Zahlung erfassen").await;
    let title = browser.text("h1").await;
    assert!(
        title.starts_with("Rechnung ") && title.ends_with("1000"),
        "{title}"
    );
    // The reminder policy set above is on: the invoice shows its next reminder's day.
    browser.wait_for_text("Nächste Zahlungserinnerung: ").await;
    let next = browser.text(".next-reminder").await;
    let day = next
        .trim()
        .trim_start_matches("Nächste Zahlungserinnerung: ");
    assert!(
        day.len() == 10 && day.chars().filter(|c| *c == '.').count() == 2,
        "{next}"
    );
    browser
        .wait_for_text("Jetzt eine Zahlungserinnerung senden")
        .await;
    browser.check_page().await;

    // A link to the invoice in an e-mail, opened from another site: the owner lands on the
    // invoice, still logged in (the session cookie is SameSite=Strict, so the first request
    // arrives without it, and nothing may clear it).
    let mail = driver::Elsewhere::serve(&format!("{}{invoice}", app.base)).await;
    browser.goto_absolute(&mail.mail_page()).await;
    browser
        .script("document.getElementById('open').click(); return true")
        .await;
    browser.wait_for_path(&invoice).await;
    browser.wait_for_text("Eine Zahlung erfassen").await;
    assert_eq!(browser.text("h1").await, title);
    assert!(
        browser.session_cookie_is_http_only().await,
        "still logged in"
    );

    // A partial payment, then the rest: the dashboard follows.
    browser.visit("/").await;
    let outstanding = browser.text("[data-figure='outstanding']").await;
    assert_eq!(outstanding, euros("2082.50"));
    browser.visit(&invoice).await;
    browser.fill("amount:dec", "1.000,00").await;
    browser.press("Zahlung erfassen").await;
    browser.wait_for_total("due", &euros("1082.50")).await;
    browser.visit("/").await;
    assert_eq!(
        browser.text("[data-figure='outstanding']").await,
        euros("1082.50")
    );
    assert_eq!(
        browser.text("[data-figure='received']").await,
        euros("1000.00")
    );
    browser.visit(&invoice).await;
    browser.press("Zahlung erfassen").await;
    browser.wait_for_total("due", &euros("0")).await;
    browser.wait_for_text("Bezahlt").await;
    browser.visit("/").await;
    assert_eq!(
        browser.text("[data-figure='outstanding']").await,
        euros("0")
    );
    assert_eq!(
        browser.text("[data-figure='received']").await,
        euros("2082.50")
    );
    browser.check_page().await;
    browser.screenshots("dashboard").await;

    // The invoice's PDF, as the download link gives it.
    browser.visit(&invoice).await;
    let pdf = browser
        .fetch_in_page(&format!(
            "/v1/invoices/{}/pdf",
            invoice.trim_start_matches("/invoices/")
        ))
        .await;
    assert_eq!(pdf.0, 200);
    assert_eq!(pdf.1, "application/pdf");
    assert!(pdf.2.starts_with("%PDF-"), "{:?}", pdf.2);

    // Void another invoice; credit a third.
    let second = draft_invoice(&browser, &customers[1], &service_ids[2]).await;
    browser.press("Ausstellen (vergibt ihre Nummer)").await;
    browser.wait_for_text("Diese Rechnung stornieren").await;
    // Sent to another address first: its link opens the invoice until it is voided.
    browser.fill("to[0]", "einkauf@example.com").await;
    browser.press("Senden").await;
    browser.wait_for_text("Per E-Mail gesendet").await;
    let voided_link = mailed_link(&app, "einkauf@example.com").await;
    customer.goto_absolute(&voided_link).await;
    customer.wait_for_text("Rechnung").await;
    browser
        .fill_labelled("Grund der Stornierung", "Sent to the wrong customer")
        .await;
    browser.press("Rechnung stornieren").await;
    browser.wait_for_text("Storniert, weil").await;
    assert!(browser.current_path().await.starts_with(&second));
    customer.goto_absolute(&voided_link).await;
    customer
        .wait_until("document.querySelector('h1') !== null")
        .await;
    assert_eq!(
        customer.page_text().await,
        dead,
        "a voided invoice's link is dead"
    );
    customer.stop().await;
    let _third = draft_invoice(&browser, &customers[0], &service_ids[0]).await;
    browser.press("Ausstellen (vergibt ihre Nummer)").await;
    browser.wait_for_text("Diese Rechnung gutschreiben").await;
    browser
        .fill_labelled("Grund der Gutschrift", "Workshop cancelled")
        .await;
    browser.press("Eine Gutschrift ausstellen").await;
    browser.wait_for_path("/credit-notes/crn_").await;
    browser.wait_for_text("Workshop cancelled").await;
    browser.check_page().await;
    for path in [
        "/invoices",
        "/proposals",
        "/credit-notes",
        "/payments",
        "/audit",
        "/no-such-page",
    ] {
        browser.visit(path).await;
        browser.check_page().await;
    }
    // The trail checked against its signed checkpoints (none yet: no hourly pass has run).
    browser.visit("/audit/check").await;
    browser.wait_for_text("Das Protokoll ist unverändert").await;
    browser.check_page().await;

    // A CSV export, downloaded from its link.
    browser.visit("/exports").await;
    browser.select("dataset", "invoices").await;
    browser.press("Exportieren").await;
    browser.wait_for_element("a[href*='exports/']").await;
    browser.check_page().await;
    // The link is the API's: with the browser's session it records the download and
    // redirects to the file.
    let link = browser.attribute("a[href*='exports/']", "href").await;
    assert!(link.starts_with("/v1/exports/exp_"), "{link}");
    let csv = reqwest::Client::new()
        .get(format!("{}{link}", app.base))
        .header("cookie", browser.session_cookie().await)
        .send()
        .await
        .expect("download")
        .text()
        .await
        .expect("csv");
    assert!(csv.contains("Nordlicht GmbH"), "{csv}");
    assert!(csv.lines().count() >= 4, "header and three invoices: {csv}");

    // An API key made on the Integrations page: shown once, it lets a program in, until it is
    // revoked there.
    browser.visit("/integrations").await;
    browser.fill("name", "Buchhaltung").await;
    browser.select("scope", "read").await;
    browser.press("Schlüssel erstellen").await;
    browser.wait_for_text("Ihr neuer Schlüssel").await;
    browser.check_page().await;
    let secret = browser.text("code.secret").await;
    assert!(secret.starts_with("ifk_"), "{secret}");
    let with_key = || {
        reqwest::Client::new()
            .get(format!("{}/v1/customers", app.base))
            .bearer_auth(secret.trim())
            .send()
    };
    assert_eq!(with_key().await.expect("with the key").status(), 200);
    browser.visit("/integrations").await;
    assert!(
        !browser.page_text().await.contains(secret.trim()),
        "shown once"
    );
    browser.press("Widerrufen Buchhaltung").await;
    browser
        .wait_until("!document.querySelector('form[hx-post$=\"/revoke\"]')")
        .await;
    assert_eq!(with_key().await.expect("revoked").status(), 401);

    // A webhook endpoint added there: its signing secret shown once; disabled, then deleted.
    browser.visit("/integrations").await;
    browser.fill("url", "http://127.0.0.1:9/hook").await;
    browser
        .script(
            "document.querySelector('input[name=\"events\"][value=\"invoice.issued\"]').click()",
        )
        .await;
    browser.press("Endpunkt hinzufügen").await;
    browser
        .wait_for_text("Das Signaturgeheimnis des Endpunkts")
        .await;
    browser.check_page().await;
    let signing = browser.text("code.secret").await;
    assert!(signing.trim().starts_with("whsec_"), "{signing}");
    browser.visit("/integrations").await;
    assert!(
        !browser.page_text().await.contains(signing.trim()),
        "shown once"
    );
    browser.press("Deaktivieren http://127.0.0.1:9/hook").await;
    browser.wait_for_text("Aktivieren").await;
    browser.press("Löschen http://127.0.0.1:9/hook").await;
    browser.wait_for_text("Noch keine Webhook-Endpunkte.").await;

    // A page from another origin cannot change anything, even with the cookie sent along.
    let before = browser.count_rows("/customers").await;
    let evil = driver::Evil::serve(&app.base).await;
    browser.goto_absolute(&evil.form_page()).await;
    browser
        .wait_until("document.body && document.body.innerText.includes('X-Requested-With')")
        .await;
    browser.goto_absolute(&evil.fetch_page()).await;
    browser.wait_until("document.title === 'done'").await;
    assert_eq!(browser.count_rows("/customers").await, before);
    assert!(!browser.page_text().await.contains("Evil"));

    // Change the password; a wrong current one is refused beside the field.
    browser.visit("/settings").await;
    browser
        .fill("current_password", "not-the-password-at-all")
        .await;
    browser.fill("new_password", NEW_PASSWORD).await;
    browser.press("Passwort ändern").await;
    browser
        .wait_for_text("Is not the account's current password")
        .await;
    browser.fill("current_password", STRONG_PASSWORD).await;
    browser.fill("new_password", NEW_PASSWORD).await;
    browser.press("Passwort ändern").await;
    browser.wait_for_text("Passwort geändert.").await;

    // Delete the account; the login is refused afterwards.
    browser.visit("/settings").await;
    // The deletion form's password (the two-factor form has one too).
    browser.fill_id("f-password", NEW_PASSWORD).await;
    browser.fill("confirm", &company).await;
    browser
        .press("Das Konto und alle seine Daten löschen")
        .await;
    // Logged out, the app speaks the browser's language again.
    browser.wait_for_path("/login").await;
    browser.check_page().await;
    browser.fill("email", &email).await;
    browser.fill("password", NEW_PASSWORD).await;
    browser.press("Log in").await;
    browser
        .wait_for_text("That email and password do not match an account.")
        .await;
    browser.visit("/").await;
    browser.wait_for_path("/login").await;

    assert_eq!(
        browser.pages_not_checked(),
        Vec::<&str>::new(),
        "every page of the web app is visited and checked (axe-core, a phone's width, weight)"
    );
    assert!(
        browser.pages_checked() >= 25,
        "axe-core ran on every page the test visits"
    );
    browser.stop().await;
    drop(app);
    tokio::time::sleep(Duration::from_millis(10)).await;
}

/// The link to the document's page in the one message the emulator's SES took for `address`.
async fn mailed_link(app: &invoiceflow_tests::TestApp, address: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        if let Some(link) = app.link_mailed_to(address).await {
            return link;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no mail to {address}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `link` with the last character of its token changed.
fn altered(link: &str) -> String {
    let last = if link.ends_with('A') { 'B' } else { 'A' };
    format!("{}{last}", &link[..link.len() - 1])
}

/// A new invoice for `customer` with one line of `service`, left in its editor.
async fn draft_invoice(browser: &Browser, customer: &str, service: &str) -> String {
    browser.visit("/invoices/new").await;
    browser.check_page().await;
    browser
        .select("customer_id", customer.trim_start_matches("/customers/"))
        .await;
    browser.press("Rechnung beginnen").await;
    let path = browser.wait_for_path("/invoices/inv_").await;
    browser.select("lines[0].service_id", service).await;
    browser
        .wait_for_element("[name='lines[1].service_id']")
        .await;
    path
}
