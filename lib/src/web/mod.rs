//! The web app: everything an owner does, as server-rendered HTML on the API's own origin.
//!
//! - Pages are written with maud (escaped by construction) and made live with htmx, served as
//!   a fingerprinted, immutable file; there is no other script and no build step.
//! - Every read and every change goes through the API's routes, called in process
//!   ([`api::Api`]): the same parsing, rules, use cases, session check, CSRF check and audit as
//!   `/v1`, and the API's problem+json shown beside the field it names. The browser never
//!   computes an amount: the editor's totals are the ones the API computed for the saved draft.
//! - Every unsafe request passes the API's CSRF guard twice: here (htmx sends the header, a
//!   cross-site form cannot) and again in the API.
//!
//! See docs/decisions/0016-web-app.md.

mod api;
pub mod assets;
mod form;
mod page;
mod pages;
mod reads;
mod show;
pub mod ui;

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use maud::html;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use api::{Api, Reply};
use page::Section;
use ui::t;

/// What every page handler has: the API.
#[derive(Clone)]
pub struct Web {
    api: Arc<Api>,
}

/// The strictest policy the pages work under: our own script and style only, nothing inline,
/// never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
    base-uri 'none'; frame-ancestors 'none'";

/// Declares the web app's routes once: the router, and [`ROUTES`], the list a test reads to
/// check that every page is visited (and checked for accessibility and fit) by the browser test.
macro_rules! web_routes {
    ($($path:literal => { $($method:ident: $handler:path),+ $(,)? })+) => {
        /// The web app's routes, with their state.
        fn routes(web: Web) -> Router {
            use pages::{account, auth, dashboard, documents, editor, integrations, records, recurring};
            Router::new()
                $(.route($path, axum::routing::MethodRouter::new()$(.$method($handler))+))+
                .layer(axum::middleware::from_fn_with_state(web.clone(), in_the_owner_s_language))
                .with_state(web)
        }

        /// Every route of the web app, with its methods.
        pub const ROUTES: &[(&str, &[&str])] = &[$(($path, &[$(stringify!($method)),+])),+];
    };
}

web_routes! {
    "/" => { get: dashboard::show }
    "/login" => { get: auth::login_page, post: auth::login }
    "/signup" => { get: auth::signup_page, post: auth::signup }
    "/logout" => { post: auth::logout }
    "/customers" => { get: records::list_customers, post: records::create_customer }
    "/customers/new" => { get: records::new_customer }
    "/customers/{id}" => { get: records::customer, post: records::update_customer }
    "/services" => { get: records::list_services, post: records::create_service }
    "/services/new" => { get: records::new_service }
    "/services/{id}" => { get: records::service, post: records::update_service }
    "/{kind}/{id}/delete" => { post: records::delete }
    "/proposals" => { get: documents::list_proposals, post: editor::create }
    "/proposals/new" => { get: editor::new_proposal }
    "/invoices" => { get: documents::list_invoices, post: editor::create }
    "/invoices/new" => { get: editor::new_invoice }
    "/{kind}/{id}/edit" => { post: editor::save }
    "/proposals/{id}" => { get: documents::proposal }
    "/invoices/{id}" => { get: documents::invoice }
    "/{kind}/{id}/do/{action}" => { post: documents::act }
    "/recurring" => { get: recurring::list_recurring, post: recurring::create_recurring }
    "/recurring/new" => { get: recurring::new_recurring }
    "/recurring/{id}" => { get: recurring::recurring }
    "/recurring/{id}/do/{action}" => { post: recurring::act_on_recurring }
    "/credit-notes" => { get: documents::list_credit_notes }
    "/credit-notes/{id}" => { get: documents::credit_note }
    "/credit-notes/{id}/do/{action}" => { post: documents::act_on_credit_note }
    "/payments" => { get: documents::list_payments }
    "/exports" => { get: account::exports, post: account::create_export }
    "/settings" => { get: account::settings }
    "/settings/company" => { post: account::save_company }
    "/settings/preferences" => { post: account::save_settings }
    "/settings/password" => { post: account::change_password }
    "/settings/email" => { post: account::change_email }
    "/settings/two-factor" => { post: account::start_two_factor }
    "/settings/two-factor/confirm" => { post: account::confirm_two_factor }
    "/settings/two-factor/off" => { post: account::disable_two_factor }
    "/settings/series/{series}" => { post: account::raise_series }
    "/settings/delete" => { post: account::delete_account }
    "/settings/suppressions/{id}/clear" => { post: account::clear_suppression }
    "/audit" => { get: account::audit }
    "/audit/check" => { get: account::audit_check }
    "/integrations" => { get: integrations::integrations }
    "/integrations/keys" => { post: integrations::make_key }
    "/integrations/keys/{id}/revoke" => { post: integrations::revoke_key }
    "/integrations/webhooks" => { post: integrations::make_endpoint }
    "/integrations/webhooks/{id}/{action}" => { post: integrations::endpoint_action }
    "/assets/{file}" => { get: assets::serve }
}

/// The paths of the pages a browser opens (every `GET` route but the static assets).
pub fn pages() -> impl Iterator<Item = &'static str> {
    ROUTES
        .iter()
        .filter(|(path, methods)| methods.contains(&"get") && !path.starts_with("/assets/"))
        .map(|(path, _)| *path)
}

/// The page route `path` (e.g. `/invoices/inv_01…`) is served by, if any: a literal segment
/// wins over a `{placeholder}`, as in the router.
pub fn page_of(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path
        .split('?')
        .next()
        .unwrap_or_default()
        .split('/')
        .collect();
    let fits = |route: &str| {
        let parts: Vec<&str> = route.split('/').collect();
        parts.len() == segments.len()
            && parts
                .iter()
                .zip(&segments)
                .all(|(part, segment)| part.starts_with('{') || part == segment)
    };
    let literals = |route: &str| route.split('/').filter(|p| !p.starts_with('{')).count();
    pages()
        .filter(|route| fits(route))
        .max_by_key(|route| literals(route))
}

/// The web function's name (its crate, its binary, its events' prefix).
pub const FUNCTION: &str = "web";

/// What the web function serves: its pages over the API on the site's origin, with every layer
/// a page needs. It holds no right to any data: its one AWS call derives the key it vouches for
/// its browsers with ([`crate::http::client`]).
pub fn router(allowed_origins: &[String], vouching: Vouching) -> anyhow::Result<Router> {
    let web = Web {
        api: Arc::new(Api::remote(allowed_origins)?),
    };
    Ok(finish(
        routes(web).fallback(not_found),
        allowed_origins,
        vouching,
        crate::http::edge::EdgeSecret::from_env(),
    ))
}

/// How the web function vouches for the browser it serves to the API: the key and the clock.
#[derive(Clone)]
pub struct Vouching {
    pub forwarding: crate::http::client::Forwarding,
    pub clock: crate::clock::Clock,
}

impl Vouching {
    /// A web app that vouches for no one (the API then records the web function's address).
    pub fn none() -> Self {
        Self {
            forwarding: crate::http::client::Forwarding::none(),
            clock: crate::clock::Clock::default(),
        }
    }
}

/// The web app over `api`, called in process, with the API itself under `/v1/…` as API Gateway
/// routes it: what `crate::site` composes for the local server and the browser tests.
pub fn over_api(api: Router, allowed_origins: &[String], vouching: Vouching) -> Router {
    let web = Web {
        api: Arc::new(Api::InProcess(api.clone())),
    };
    let site = routes(web).fallback(move |req: Request| {
        let api = api.clone();
        async move {
            if req.uri().path().starts_with("/v1/") {
                let Ok(response) = tower::ServiceExt::oneshot(api, req).await;
                response
            } else {
                not_found(req.uri().clone()).await
            }
        }
    });
    // One router for the whole site: the API's own layers check the edge.
    finish(
        site,
        allowed_origins,
        vouching,
        crate::http::edge::EdgeSecret::default(),
    )
}

fn finish(
    router: Router,
    allowed_origins: &[String],
    vouching: Vouching,
    edge: crate::http::edge::EdgeSecret,
) -> Router {
    let allowed: Arc<[String]> = allowed_origins.to_vec().into();
    // An asset calls no API: nothing to vouch for (and no MAC, nor a first request's key
    // derivation, spent on it).
    let unvouched = Vouching::none();
    let router = router
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            crate::http::session::csrf_guard(allowed.clone(), req, next)
        }))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::http::layers::MAX_BODY_BYTES,
        ))
        .layer(middleware::from_fn(htmx_redirects))
        .layer(middleware::from_fn(arrivals_from_other_sites))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            let Vouching { forwarding, clock } = if req.uri().path().starts_with("/assets/") {
                unvouched.clone()
            } else {
                vouching.clone()
            };
            crate::http::client::vouch_for_browser(forwarding, clock, req, next)
        }))
        .layer(CatchPanicLayer::custom(crate::http::layers::panic_response))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            crate::http::edge::edge_only(edge.clone(), req, next)
        }))
        .layer(middleware::from_fn(crate::http::layers::request_context))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        // A response may ask for less (a redirect to a presigned file: none at all).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ));
    crate::http::layers::hardened(router)
}

/// A path no route serves: the app's own page, or, under `/v1/` (a path the API does not
/// route, which API Gateway sends here), the API's problem+json.
async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/v1/") {
        return crate::http::ApiError::NotFound.into_response();
    }
    (
        StatusCode::NOT_FOUND,
        page::page(
            &t("not-found"),
            Section::Public,
            html! { p { (t("no-such-page")) " " a href="/" { (t("go-to-dashboard")) } "." } },
        ),
    )
        .into_response()
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum Failure {
    /// No live session: log in first.
    LoggedOut,
    NotFound,
    /// Anything else the API refused or failed at.
    Refused(api::Refusal),
}

impl Failure {
    fn of(reply: &Reply) -> Self {
        match reply.status.as_u16() {
            401 => Self::LoggedOut,
            404 => Self::NotFound,
            _ => Self::Refused(reply.refusal()),
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Self::LoggedOut => {
                let mut response = go_to("/login");
                response
                    .headers_mut()
                    .append(header::SET_COOKIE, crate::auth::cookie::clear_session());
                response
            }
            Self::NotFound => not_found_page(),
            Self::Refused(refusal) => {
                let status = StatusCode::from_u16(refusal.status)
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (
                    status,
                    page::page(
                        &t("something-went-wrong"),
                        Section::Public,
                        html! { p { (refusal.message) } p { a href="/" { (t("go-to-dashboard")) } } },
                    ),
                )
                    .into_response()
            }
        }
    }
}

fn not_found_page() -> Response {
    (
        StatusCode::NOT_FOUND,
        page::page(
            &t("not-found"),
            Section::Public,
            html! { p { (t("no-such-record")) " " a href="/" { (t("go-to-dashboard")) } "." } },
        ),
    )
        .into_response()
}

/// The body of a successful reply, or why the page cannot be shown.
fn body(reply: Reply) -> Result<serde_json::Value, Failure> {
    if reply.is_success() {
        Ok(reply.body)
    } else {
        Err(Failure::of(&reply))
    }
}

/// `path` if it is one of the app's own paths, to go back to after an action: `/` and then
/// segments of letters, digits, `-`, `_` and `.`, with an optional query of the same and `=`,
/// `&`, `%`. Nothing else: `//host` and `/\host` lead browsers to another site, and a tab or
/// newline is dropped by browsers before they read the rest.
pub(crate) fn own_path(path: &str) -> Option<&str> {
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    let segment_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let own_route = route.len() <= 256
        && route.starts_with('/')
        && (route == "/"
            || route[1..].split('/').all(|segment| {
                !segment.is_empty() && segment != ".." && segment.chars().all(segment_char)
            }));
    let own_query = query.len() <= 512
        && query
            .chars()
            .all(|c| segment_char(c) || matches!(c, '=' | '&' | '%'));
    (own_route && own_query).then_some(path)
}

/// Go to `path` (a 303; for htmx, [`htmx_redirects`] turns it into `HX-Redirect`).
fn go_to(path: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(path) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Go to `path`, passing on the cookies the API set (a session, or its removal).
/// Serves each page in its locale: the `ui` cookie's; for a signed-in browser without one, the
/// account's settings' (then kept in the cookie); else the browser's languages; else English.
async fn in_the_owner_s_language(
    axum::extract::State(web): axum::extract::State<Web>,
    req: Request,
    next: Next,
) -> Response {
    if req.uri().path().starts_with("/v1/") || req.uri().path().starts_with("/assets/") {
        return next.run(req).await;
    }
    let headers = req.headers();
    let mut learned = None;
    let locale = match ui::from_cookie(headers) {
        Some(locale) => locale,
        None => {
            let account = if crate::auth::cookie::session_token(headers).is_some() {
                web.api
                    .read(headers, reads::settings())
                    .await
                    .ok()
                    .map(|settings| settings.record.locale.as_str().to_owned())
            } else {
                None
            };
            learned.clone_from(&account);
            account
                .or_else(|| ui::accepted(headers))
                .unwrap_or_else(|| "en".to_owned())
        }
    };
    let mut response = ui::Ui::of(&locale).scope(next.run(req)).await;
    if let Some(locale) = learned {
        let already = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| {
                v.to_str()
                    .is_ok_and(|v| v.starts_with(&format!("{}=", ui::COOKIE)))
            });
        if !already {
            response
                .headers_mut()
                .append(header::SET_COOKIE, ui::cookie(&locale));
        }
    }
    response
}

/// The app's locale is forgotten with the session: the next page reads the account's.
fn went(path: &str, reply: &Reply) -> Response {
    let mut response = go_to(path);
    response
        .headers_mut()
        .append(header::SET_COOKIE, ui::clear());
    for cookie in reply.cookies() {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie.clone());
    }
    response
}

/// A browser's XMLHttpRequest follows a 303 by itself and htmx would swap the page it lands on
/// into the form; so for htmx a redirect is a 200 carrying `HX-Redirect`, a full page load.
async fn htmx_redirects(req: Request, next: Next) -> Response {
    let htmx = req.headers().contains_key("hx-request");
    let mut response = next.run(req).await;
    if htmx && response.status().is_redirection() {
        if let Some(location) = response.headers_mut().remove(header::LOCATION) {
            response
                .headers_mut()
                .insert(HeaderName::from_static("hx-redirect"), location);
        }
        *response.status_mut() = StatusCode::OK;
    }
    response
}

/// A page opened from another site (a link in an e-mail, a bookmark in another app) arrives
/// without the session cookie, which is `SameSite=Strict`. Such a visit is answered with a page
/// that asks for itself again from our own origin, a same-site navigation that carries the
/// cookie: an owner who is logged in lands on the page. Only a cross-site top-level `GET` of a
/// page is answered so, and the second request is same-origin, so it never repeats; no unsafe
/// request is let through, so the CSRF rules are as they were.
///
/// And a response never clears a session cookie the request did not send: the browser may hold
/// a live one that it only withheld.
async fn arrivals_from_other_sites(req: Request, next: Next) -> Response {
    let sent_session = crate::auth::cookie::session_token(req.headers()).is_some();
    if !sent_session && is_cross_site_page_visit(&req) {
        return ask_again_from_here(req.uri());
    }
    let mut response = next.run(req).await;
    if !sent_session {
        let kept: Vec<HeaderValue> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter(|cookie| !clears_session(cookie))
            .cloned()
            .collect();
        let headers = response.headers_mut();
        headers.remove(header::SET_COOKIE);
        for cookie in kept {
            headers.append(header::SET_COOKIE, cookie);
        }
    }
    response
}

fn is_cross_site_page_visit(req: &Request) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    req.method() == axum::http::Method::GET
        && header("sec-fetch-site") == Some("cross-site")
        && header("sec-fetch-mode") == Some("navigate")
        && !req.uri().path().starts_with("/v1/")
        && !req.uri().path().starts_with("/assets/")
}

/// Whether a `Set-Cookie` removes the session cookie.
fn clears_session(cookie: &HeaderValue) -> bool {
    cookie.to_str().is_ok_and(|c| {
        c.starts_with(&format!("{}=;", crate::auth::cookie::SESSION_COOKIE))
            && c.contains("Max-Age=0")
    })
}

/// The page at `uri` asked for again by the browser itself, from our origin: a `Refresh`, which
/// needs no script (the policy forbids inline script).
fn ask_again_from_here(uri: &axum::http::Uri) -> Response {
    let here = uri
        .path_and_query()
        .map_or("/", axum::http::uri::PathAndQuery::as_str);
    // `//elsewhere.example/` would be another site's address: never send the browser there.
    let here = if here.starts_with("//") || here.starts_with("/\\") {
        "/"
    } else {
        here
    };
    let mut response = page::page(
        &t("opening"),
        Section::Public,
        html! { p { a href=(here) { (t("open-the-page")) } } },
    )
    .into_response();
    if let Ok(refresh) = HeaderValue::from_str(&format!("0; url={here}")) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("refresh"), refresh);
    }
    response
}

/// A refused form, swapped in place of the one sent (htmx swaps a 422, see `page`).
fn refused(markup: maud::Markup) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, markup).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_app_s_own_paths_are_gone_back_to() {
        for own in [
            "/",
            "/invoices",
            "/invoices/inv_01J?page=2&q=a%20b",
            "/credit-notes/cn_1",
        ] {
            assert_eq!(own_path(own), Some(own), "{own}");
        }
        for other in [
            "",
            "invoices",
            "//evil.com",
            "/\\evil.com",
            "/\\/evil.com",
            "/\t/evil.com",
            "/\n/evil.com",
            "https://evil.com",
            "/invoices//x",
            "/../etc",
            "/a b",
            "/invoices?x=<script>",
            "/%2F%2Fevil.com/",
        ] {
            assert_eq!(own_path(other), None, "{other:?}");
        }
    }

    #[test]
    fn a_path_is_served_by_its_most_literal_page() {
        assert_eq!(page_of("/invoices/new"), Some("/invoices/new"));
        assert_eq!(page_of("/invoices/inv_01ABC"), Some("/invoices/{id}"));
        assert_eq!(page_of("/customers?next=abc"), Some("/customers"));
        assert_eq!(page_of("/"), Some("/"));
        assert_eq!(page_of("/invoices/inv_01ABC/delete"), None, "not a page");
        assert_eq!(page_of("/assets/app.css"), None, "an asset, not a page");
    }
}
