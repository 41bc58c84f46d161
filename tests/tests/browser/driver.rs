//! Driving Chromium: ChromeDriver started for the test, a WebDriver session on it, and what a
//! person does on a page (fill, choose, press, wait to see), with axe-core and the page's
//! weight checked on every page the test looks at.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long a person would wait for a page before calling it broken.
const PATIENCE: Duration = Duration::from_secs(30);

/// The most a page may weigh on first load, everything it loads included (issue: 100 KB).
const MAX_PAGE_BYTES: u64 = 100 * 1000;

pub struct Browser {
    client: Client,
    driver: Child,
    base: String,
    profile: PathBuf,
    axe: String,
    checked: AtomicUsize,
    /// The web app's page routes checked so far (`/invoices/{id}`).
    routes: std::sync::Mutex<std::collections::BTreeSet<&'static str>>,
    heaviest: AtomicUsize,
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

impl Browser {
    /// ChromeDriver and a fresh headless Chromium profile, looking at `base`.
    pub async fn start(base: &str) -> Self {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (make browser installs it)");
        let webdriver = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while reqwest::get(format!("{webdriver}/status")).await.is_err() {
            assert!(started.elapsed() < PATIENCE, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile =
            std::env::temp_dir().join(format!("invoiceflow-chromium-{}", ulid::Ulid::generate()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            }),
        );
        let client = ClientBuilder::rustls()
            .expect("TLS roots")
            .capabilities(capabilities)
            .connect(&webdriver)
            .await
            .expect("a WebDriver session in Chromium");
        let axe = std::fs::read_to_string(
            workspace().join("tests/browser/node_modules/axe-core/axe.min.js"),
        )
        .expect("axe-core (make browser installs it)");
        Self {
            client,
            driver,
            base: base.to_owned(),
            profile,
            axe,
            checked: AtomicUsize::new(0),
            routes: Default::default(),
            heaviest: AtomicUsize::new(0),
        }
    }

    pub async fn stop(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
        eprintln!(
            "browser: axe-core checked {} pages; the heaviest weighed {} bytes",
            self.checked.load(Ordering::Relaxed),
            self.heaviest.load(Ordering::Relaxed)
        );
    }

    pub fn pages_checked(&self) -> usize {
        self.checked.load(Ordering::Relaxed)
    }

    /// The web app's pages (from its own list of routes) this browser has not checked yet.
    pub fn pages_not_checked(&self) -> Vec<&'static str> {
        let checked = self.routes.lock().expect("routes").clone();
        invoiceflow::web::pages()
            .filter(|page| !checked.contains(page))
            .collect()
    }

    pub async fn visit(&self, path: &str) {
        self.goto_absolute(&format!("{}{path}", self.base)).await;
    }

    pub async fn goto_absolute(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
        self.wait_until("document.readyState === 'complete'").await;
    }

    pub async fn script(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .expect("a script in the page")
    }

    /// Polls `condition` (a JavaScript expression) until it is true.
    pub async fn wait_until(&self, condition: &str) {
        let started = Instant::now();
        loop {
            let value = self
                .client
                .execute(&format!("return !!({condition});"), Vec::new())
                .await
                .unwrap_or(Value::Bool(false));
            if value == Value::Bool(true) {
                return;
            }
            if started.elapsed() > PATIENCE {
                let text = self.page_text().await;
                panic!(
                    "waited {PATIENCE:?} for {condition} at {}; the page says:\n{text}",
                    self.current_path().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn wait_for_text(&self, text: &str) {
        self.wait_until(&format!(
            "document.body && document.body.innerText.includes({})",
            json!(text)
        ))
        .await;
    }

    pub async fn wait_for_element(&self, css: &str) {
        self.wait_until(&format!("document.querySelector({}) !== null", json!(css)))
            .await;
    }

    /// Waits for a total the page shows (`data-total`) to read `expected`.
    pub async fn wait_for_total(&self, name: &str, expected: &str) {
        self.wait_until(&format!(
            "(document.querySelector('[data-total={name}]') || {{}}).textContent === {}",
            json!(expected)
        ))
        .await;
    }

    /// Waits until the page's path starts with `prefix`; answers the path.
    pub async fn wait_for_path(&self, prefix: &str) -> String {
        self.wait_until(&format!(
            "location.pathname.startsWith({}) && document.readyState === 'complete'",
            json!(prefix)
        ))
        .await;
        self.current_path().await
    }

    pub async fn current_path(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|url| url.path().to_owned())
            .unwrap_or_default()
    }

    pub async fn page_text(&self) -> String {
        self.script("return document.body ? document.body.innerText : ''")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    async fn field(&self, name: &str) -> fantoccini::elements::Element {
        let css = format!("[name={}]", json!(name));
        self.wait_for_element(&css).await;
        self.client
            .find(Locator::Css(&css))
            .await
            .unwrap_or_else(|_| panic!("a field named {name}"))
    }

    /// Types `value` into the field `name`, replacing what it held.
    pub async fn fill(&self, name: &str, value: &str) {
        let field = self.field(name).await;
        field.clear().await.expect("clear the field");
        field.send_keys(value).await.expect("type");
    }

    /// Types `value` into the field with the id `id`, replacing what it held.
    pub async fn fill_id(&self, id: &str, value: &str) {
        self.wait_for_element(&format!("#{id}")).await;
        let field = self.client.find(Locator::Id(id)).await.expect("the field");
        field.clear().await.expect("clear the field");
        field.send_keys(value).await.expect("type");
    }

    /// Types `value` into the field whose label starts with `label`, replacing what it held.
    pub async fn fill_labelled(&self, label: &str, value: &str) {
        let find = format!(
            "return ([...document.querySelectorAll('label')]
                .find(l => l.textContent.trim().startsWith({})) || {{}}).htmlFor || null",
            json!(label)
        );
        let started = Instant::now();
        let id = loop {
            if let Some(id) = self.script(&find).await.as_str() {
                break id.to_owned();
            }
            assert!(started.elapsed() < PATIENCE, "no field labelled {label:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let field = self
            .client
            .find(Locator::Id(&id))
            .await
            .expect("the labelled field");
        field.clear().await.expect("clear the field");
        field.send_keys(value).await.expect("type");
    }

    /// Chooses `value` in the list `name`.
    pub async fn select(&self, name: &str, value: &str) {
        let field = self.field(name).await;
        field
            .select_by_value(value)
            .await
            .expect("choose an option");
    }

    /// Leaves the field being typed in (a change is saved when you leave it).
    pub async fn blur(&self) {
        self.script("document.activeElement && document.activeElement.blur(); return true")
            .await;
    }

    /// Presses the button that says `label`.
    pub async fn press(&self, label: &str) {
        let xpath = format!("//button[normalize-space()={}]", json!(label));
        let started = Instant::now();
        loop {
            if let Ok(button) = self.client.find(Locator::XPath(&xpath)).await {
                button.click().await.expect("press the button");
                return;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "no button {label:?} at {}: {}",
                self.current_path().await,
                self.page_text().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.script(&format!(
            "return (document.querySelector({}) || {{}}).textContent || ''",
            json!(css)
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_owned()
    }

    pub async fn attribute(&self, css: &str, name: &str) -> String {
        self.script(&format!(
            "return document.querySelector({}).getAttribute({})",
            json!(css),
            json!(name)
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// The rows of the table on the page at `path`.
    pub async fn count_rows(&self, path: &str) -> u64 {
        self.visit(path).await;
        self.script("return document.querySelectorAll('tbody tr').length")
            .await
            .as_u64()
            .unwrap_or(0)
    }

    /// `GET path` from the page, as a download link does: (status, content type, first bytes).
    pub async fn fetch_in_page(&self, path: &str) -> (u64, String, String) {
        let script = "const done = arguments[arguments.length - 1];
            fetch(arguments[0]).then(async r => {
                const bytes = new Uint8Array(await r.arrayBuffer());
                done([r.status, r.headers.get('content-type'), String.fromCharCode(...bytes.slice(0, 5))]);
            }).catch(e => done([0, String(e), '']));";
        let value = self
            .client
            .execute_async(script, vec![json!(path)])
            .await
            .expect("fetch in the page");
        (
            value[0].as_u64().unwrap_or(0),
            value[1].as_str().unwrap_or_default().to_owned(),
            value[2].as_str().unwrap_or_default().to_owned(),
        )
    }

    /// The session cookie the browser holds, as a `Cookie` header's value (for a download the
    /// test makes as the browser would, following the API's redirect to the file).
    pub async fn session_cookie(&self) -> String {
        let cookies = self.client.get_all_cookies().await.expect("cookies");
        let session = cookies
            .iter()
            .find(|cookie| cookie.name() == "__Host-session")
            .expect("a session cookie");
        format!("__Host-session={}", session.value())
    }

    /// Whether the session cookie the browser holds is HttpOnly.
    pub async fn session_cookie_is_http_only(&self) -> bool {
        let cookies = self.client.get_all_cookies().await.expect("cookies");
        let session = cookies
            .iter()
            .find(|cookie| cookie.name() == "__Host-session")
            .expect("a session cookie");
        session.http_only() == Some(true) && session.secure() == Some(true)
    }

    /// axe-core on the page as it is now: no serious or critical violation; and its weight.
    pub async fn check_page(&self) {
        let path = self.current_path().await;
        self.client
            .execute(&format!("{}\nreturn true;", self.axe), Vec::new())
            .await
            .expect("load axe-core into the page");
        let script = "const done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
              .catch(e => done(['axe-core failed: ' + e]));";
        let violations = self
            .client
            .execute_async(script, Vec::new())
            .await
            .expect("run axe-core");
        assert_eq!(violations, json!([]), "accessibility violations on {path}");
        self.fits_a_phone(&path).await;
        let weight = self
            .script(
                "const nav = performance.getEntriesByType('navigation')[0];
                 let total = nav ? nav.encodedBodySize : 0;
                 for (const r of performance.getEntriesByType('resource')) {
                     if (!r.name.includes('/v1/')) total += r.encodedBodySize;
                 }
                 return total;",
            )
            .await
            .as_u64()
            .unwrap_or(u64::MAX);
        assert!(
            weight <= MAX_PAGE_BYTES,
            "{path} weighs {weight} bytes on first load"
        );
        self.heaviest.fetch_max(weight as usize, Ordering::Relaxed);
        self.checked.fetch_add(1, Ordering::Relaxed);
        if let Some(route) = invoiceflow::web::page_of(&path) {
            self.routes.lock().expect("routes").insert(route);
        }
    }

    /// Nothing on the page runs off the side of a phone's 390 px window (a wide table scrolls
    /// inside its own box, or reflows into rows); the window is a desktop's again after.
    async fn fits_a_phone(&self, path: &str) {
        self.client.set_window_size(390, 844).await.expect("resize");
        let overflow = self
            .wait_for_layout("return document.documentElement.scrollWidth - window.innerWidth")
            .await;
        // The outermost elements that run off the side, to say what to mend.
        let culprits = self
            .script(
                "const out = [];
                 for (const e of document.body.querySelectorAll('*')) {
                     if (e.getBoundingClientRect().right <= window.innerWidth + 0.5) continue;
                     if (out.some(o => o.contains(e))) continue;
                     out.push(e);
                 }
                 return out.slice(0, 5).map(e => e.tagName.toLowerCase()
                     + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '')
                     + ' ' + Math.round(e.getBoundingClientRect().width) + 'px');",
            )
            .await;
        self.client
            .set_window_size(1280, 900)
            .await
            .expect("resize");
        assert!(
            overflow <= 0,
            "{path} is {overflow} px wider than a 390 px window: {culprits}"
        );
    }

    /// What `script` measures once the layout has settled (two frames after a resize).
    async fn wait_for_layout(&self, script: &str) -> i64 {
        let settle = "const done = arguments[arguments.length - 1];
            requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        self.client
            .execute_async(settle, Vec::new())
            .await
            .expect("wait for a frame");
        self.script(script).await.as_i64().unwrap_or(i64::MAX)
    }

    /// Screenshots of the page at a phone's width (390 px) and a desktop's (1280 px), in
    /// `target/screenshots/<name>-<width>.png`.
    pub async fn screenshots(&self, name: &str) {
        let directory = workspace().join("target/screenshots");
        std::fs::create_dir_all(&directory).expect("screenshot directory");
        for (width, height) in [(390, 844), (1280, 900)] {
            self.client
                .set_window_size(width, height)
                .await
                .expect("resize");
            tokio::time::sleep(Duration::from_millis(300)).await;
            // Usable at this width: nothing runs off the side of the page (a wide table
            // scrolls inside its own box).
            let overflow = self
                .script("return document.documentElement.scrollWidth - window.innerWidth")
                .await
                .as_i64()
                .unwrap_or(i64::MAX);
            assert!(
                overflow <= 0,
                "{name} is {overflow} px wider than a {width} px window"
            );
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::write(directory.join(format!("{name}-{width}.png")), png)
                .expect("write the screenshot");
        }
    }
}

/// A site on another origin (same host, another port: the same site, so a SameSite=Strict
/// cookie still goes along) that tries to change the account.
pub struct Evil {
    base: String,
}

impl Evil {
    pub async fn serve(target: &str) -> Self {
        use axum::response::Html;
        use axum::routing::get;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let form = format!(
            r#"<!doctype html><title>win a prize</title>
            <form method="post" action="{target}/customers"><input name="name" value="Evil Corp"></form>
            <script>document.forms[0].submit()</script>"#
        );
        let fetch = format!(
            r#"<!doctype html><title>trying</title><script>
            Promise.allSettled([
              fetch("{target}/customers", {{method: "POST", credentials: "include",
                headers: {{"X-Requested-With": "htmx", "Content-Type": "application/x-www-form-urlencoded"}},
                body: "name=Evil+Fetch"}}),
              fetch("{target}/customers", {{method: "POST", credentials: "include", mode: "no-cors",
                headers: {{"Content-Type": "application/x-www-form-urlencoded"}}, body: "name=Evil+Simple"}}),
            ]).then(() => {{ document.title = "done"; }});
            </script>"#
        );
        let app = axum::Router::new()
            .route("/form", get(move || async move { Html(form) }))
            .route("/fetch", get(move || async move { Html(fetch) }));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base }
    }

    pub fn form_page(&self) -> String {
        format!("{}/form", self.base)
    }

    pub fn fetch_page(&self) -> String {
        format!("{}/fetch", self.base)
    }
}

/// A page on another site (`localhost` is another site than `127.0.0.1`), as an e-mail's link
/// is: a top-level navigation from it arrives without a `SameSite=Strict` cookie.
pub struct Elsewhere {
    base: String,
}

impl Elsewhere {
    pub async fn serve(link: &str) -> Self {
        use axum::response::Html;
        use axum::routing::get;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        let page = format!(
            r#"<!doctype html><title>Your invoice</title>
            <p>Your invoice is ready: <a id="open" href="{link}">open it</a>.</p>"#
        );
        let app = axum::Router::new().route("/mail", get(move || async move { Html(page) }));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base: format!("http://localhost:{port}"),
        }
    }

    pub fn mail_page(&self) -> String {
        format!("{}/mail", self.base)
    }
}
