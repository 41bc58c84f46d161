//! Customers and services: a paged list, a form to add one, a page to change or delete one.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use super::{Fields, idempotency, listed, own, submit};
use crate::web::form::Form;
use crate::web::page::{
    self, Input, Section, address, field, hidden, hinted, next_link, notice, once, required,
    with_query,
};
use crate::web::pages::auth::currencies;
use crate::web::show::{Fmt, text};
use crate::web::{Failure, Web, body, go_to, refused};

/// `?next=` of a list page.
#[derive(Debug, Default, Deserialize)]
pub struct Paging {
    pub next: Option<String>,
    /// Words to search a list of customers or services for.
    pub q: Option<String>,
}

impl Paging {
    /// The API's list path `path` for this page.
    pub fn of(&self, path: &str) -> String {
        with_query(path, [("next", self.next.as_deref())])
    }
}

/// An id as a path segment of the API: ids are letters, digits and `_`, so nothing else can
/// reach the API's path.
pub fn safe_id(id: &str) -> Result<&str, Failure> {
    if !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(id)
    } else {
        Err(Failure::NotFound)
    }
}

/// One of the two kinds of record kept here.
struct Kind {
    /// `/customers`, and `/v1/customers`.
    path: &'static str,
    title: &'static str,
    singular: &'static str,
    section: Section,
    fields: fn(&Form) -> Markup,
    names: &'static [&'static str],
    columns: fn(&Fmt, &Value) -> Markup,
    headings: &'static [&'static str],
}

fn currency_options() -> Vec<(&'static str, &'static str)> {
    let mut options = vec![("", "The company's currency")];
    options.extend_from_slice(currencies());
    options
}

fn customer_fields(form: &Form) -> Markup {
    let currencies = currency_options();
    html! {
        fieldset {
            legend { "Customer" }
            div.fields {
                (required(form, "Name", "name", Input::Text))
                (field(form, "Contact person", "contact_name", Input::Text))
                (field(form, "Email", "email", Input::Email))
                (field(form, "Phone", "phone", Input::Text))
                (hinted(form, "Tax id", "tax_id", Input::Text, "VAT number, e.g. DE123456789"))
                (field(form, "Currency", "currency", Input::Select(&currencies)))
            }
        }
        (address(form, "Billing address", "billing_address"))
        (field(form, "Notes", "notes", Input::Area))
    }
}

const CUSTOMER_NAMES: &[&str] = &[
    "name",
    "contact_name",
    "email",
    "phone",
    "tax_id",
    "currency",
    "billing_address.lines[0]",
    "billing_address.lines[1]",
    "billing_address.postal_code",
    "billing_address.city",
    "billing_address.region",
    "billing_address.country",
    "notes",
];

fn customer_columns(_: &Fmt, customer: &Value) -> Markup {
    html! {
        td { (text(&customer["email"])) }
        td { (text(&customer["billing_address"]["city"])) }
    }
}

fn service_fields(form: &Form) -> Markup {
    let currencies = currency_options();
    html! {
        div.fields {
            (required(form, "Name", "name", Input::Text))
            (required(form, "Unit price", "unit_price", Input::Decimal))
            (hinted(form, "Unit", "unit", Input::Text, "e.g. hour, day, piece"))
            (hinted(form, "Tax rate (%)", "tax_rate", Input::Decimal, "Empty: the account's default rate"))
            (field(form, "Currency", "currency", Input::Select(&currencies)))
        }
        (field(form, "Description", "description", Input::Area))
        (field(form, "Offered for new documents", "active", Input::Check))
    }
}

const SERVICE_NAMES: &[&str] = &[
    "name",
    "unit_price",
    "unit",
    "tax_rate",
    "currency",
    "description",
    "active",
];

fn service_columns(fmt: &Fmt, service: &Value) -> Markup {
    html! {
        td.num { (fmt.money(&service["unit_price"], &service["currency"])) }
        td { (text(&service["unit"])) }
        td { @if service["active"] == Value::Bool(false) { "archived" } @else { "offered" } }
    }
}

const CUSTOMERS: Kind = Kind {
    path: "customers",
    title: "Customers",
    singular: "customer",
    section: Section::Customers,
    fields: customer_fields,
    names: CUSTOMER_NAMES,
    columns: customer_columns,
    headings: &["Email", "City"],
};

const SERVICES: Kind = Kind {
    path: "services",
    title: "Services",
    singular: "service",
    section: Section::Services,
    fields: service_fields,
    names: SERVICE_NAMES,
    columns: service_columns,
    headings: &["Unit price", "Unit", "Status"],
};

/// The most a search reads: 10 pages of 100. The records are sealed under the account's key,
/// so the table cannot search them; the web app reads them through the API and matches here.
const SEARCH_PAGES: usize = 10;

/// Whether a record's name, contact, email, city, tax id or description holds every one of
/// `words` (lower-cased).
fn matches(record: &Value, words: &[String]) -> bool {
    let haystack = [
        &record["name"],
        &record["contact_name"],
        &record["email"],
        &record["billing_address"]["city"],
        &record["tax_id"],
        &record["description"],
    ]
    .iter()
    .map(|value| text(value).to_lowercase())
    .collect::<Vec<_>>()
    .join(" ");
    words.iter().all(|word| haystack.contains(word.as_str()))
}

/// The records of `kind` matching `query`, and whether there were more than a search reads.
async fn search(
    kind: &Kind,
    web: &Web,
    headers: &HeaderMap,
    query: &str,
) -> Result<(Vec<Value>, bool), Failure> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut found = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..SEARCH_PAGES {
        let path = with_query(
            &format!("/v1/{}", kind.path),
            [("limit", Some("100")), ("next", next.as_deref())],
        );
        let mut page = body(web.api.get(headers, path).await)?;
        if let Value::Array(items) = page["data"].take() {
            found.extend(items.into_iter().filter(|item| matches(item, &words)));
        }
        next = page["next"].as_str().map(str::to_owned);
        if next.is_none() {
            return Ok((found, false));
        }
    }
    Ok((found, true))
}

async fn list(
    kind: &Kind,
    web: &Web,
    headers: &HeaderMap,
    paging: &Paging,
) -> Result<Response, Failure> {
    let query = paging.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let (next, items, more, fmt) = match query {
        Some(query) => {
            let (found, settings) = tokio::join!(
                search(kind, web, headers, query),
                web.api.get(headers, "/v1/settings")
            );
            let (items, more) = found?;
            (None, items, more, Fmt::of(&body(settings)?))
        }
        None => {
            let api_path = paging.of(&format!("/v1/{}", kind.path));
            let (page, items, fmt) = listed(web, headers, api_path).await?;
            (page["next"].as_str().map(str::to_owned), items, false, fmt)
        }
    };
    let mut search_form = Form::default();
    search_form.set("q", query.unwrap_or_default());
    let content = html! {
        div.actions { a.button href=(format!("/{}/new", kind.path)) { "Add a " (kind.singular) } }
        form.card.fields method="get" action=(format!("/{}", kind.path)) role="search" {
            (field(&search_form, "Search by name, email, city or tax id", "q", Input::Text))
            div { button.secondary type="submit" { "Search" } }
        }
        @if let Some(query) = query {
            p role="status" {
                (items.len()) " " (kind.path) " match “" (query) "”. "
                @if more { "Only the first " (SEARCH_PAGES * 100) " were searched. " }
                a href=(format!("/{}", kind.path)) { "Show all" }
            }
        }
        @if items.is_empty() {
            @if query.is_none() { p { "No " (kind.path) " yet." } }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { "Name" }
                    @for heading in kind.headings { th scope="col" { (heading) } }
                } }
                tbody {
                    @for item in &items {
                        tr {
                            td { a href=(format!("/{}/{}", kind.path, text(&item["id"]))) { (text(&item["name"])) } }
                            ((kind.columns)(&fmt, item))
                        }
                    }
                }
            } }
        }
        (next_link(&format!("/{}", kind.path), &[], next.as_deref()))
    };
    Ok(page::page(kind.title, kind.section, content).into_response())
}

fn new_form(kind: &Kind, form: &Form) -> Markup {
    html! {
        form.card hx-post=(format!("/{}", kind.path)) hx-target="this" hx-swap="outerHTML" {
            (notice(form, kind.names))
            (once())
            ((kind.fields)(form))
            button type="submit" { "Add " (kind.singular) }
        }
    }
}

fn new_page(kind: &Kind) -> Markup {
    let mut form = Form::default();
    form.set("active", "true");
    page::page(
        &format!("New {}", kind.singular),
        kind.section,
        new_form(kind, &form),
    )
}

async fn create(
    kind: &Kind,
    web: &Web,
    headers: &HeaderMap,
    fields: &Fields,
) -> Result<Response, Failure> {
    let path = format!("/v1/{}", kind.path);
    let sent = submit(
        web,
        headers,
        Method::POST,
        path,
        fields,
        idempotency(fields),
    )
    .await;
    if sent.reply.is_success() {
        let id = text(&sent.reply.body["id"]);
        return Ok(go_to(&format!("/{}/{id}", kind.path)));
    }
    sent.refused(fields, |form| new_form(kind, form))
}

fn edit_form(kind: &Kind, id: &str, form: &Form, saved: bool) -> Markup {
    html! {
        form.card hx-post=(format!("/{}/{id}", kind.path)) hx-target="this" hx-swap="outerHTML" {
            @if saved { p.ok role="status" { "Saved." } }
            (notice(form, kind.names))
            (hidden("_etag", form.value("_etag")))
            ((kind.fields)(form))
            button type="submit" { "Save changes" }
        }
    }
}

async fn detail(
    kind: &Kind,
    web: &Web,
    headers: &HeaderMap,
    id: &str,
) -> Result<Response, Failure> {
    let id = safe_id(id)?;
    let reply = web
        .api
        .get(headers, &format!("/v1/{}/{id}", kind.path))
        .await;
    let etag = reply.etag().unwrap_or_default();
    let record = body(reply)?;
    let mut form = Form::of(&record);
    form.set("_etag", etag.clone());
    let title = text(&record["name"]).to_owned();
    let content = html! {
        (edit_form(kind, id, &form, false))
        h2 { "Delete" }
        form.action hx-post=(format!("/{}/{id}/delete", kind.path)) hx-target="this" hx-swap="outerHTML"
            hx-confirm=(format!("Delete {title}? This cannot be undone.")) {
            (notice(&Form::default(), &[]))
            (hidden("_etag", &etag))
            button.danger type="submit" { "Delete this " (kind.singular) }
        }
    };
    Ok(page::page(&title, kind.section, content).into_response())
}

async fn update(
    kind: &Kind,
    web: &Web,
    headers: &HeaderMap,
    id: &str,
    fields: &Fields,
) -> Result<Response, Failure> {
    let id = safe_id(id)?;
    let etag = own(fields, "_etag").unwrap_or_default().to_owned();
    let path = format!("/v1/{}/{id}", kind.path);
    let extra = vec![(header::IF_MATCH, etag)];
    let sent = submit(web, headers, Method::PATCH, path, fields, extra).await;
    if sent.reply.is_success() {
        let mut form = Form::of(&sent.reply.body);
        form.set("_etag", sent.reply.etag().unwrap_or_default());
        return Ok(edit_form(kind, id, &form, true).into_response());
    }
    sent.refused(fields, |form| edit_form(kind, id, form, false))
}

pub async fn list_customers(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Result<Response, Failure> {
    list(&CUSTOMERS, &web, &headers, &paging).await
}

pub async fn new_customer() -> Markup {
    new_page(&CUSTOMERS)
}

pub async fn create_customer(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    create(&CUSTOMERS, &web, &headers, &fields).await
}

pub async fn customer(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    detail(&CUSTOMERS, &web, &headers, &id).await
}

pub async fn update_customer(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
    fields: Fields,
) -> Result<Response, Failure> {
    update(&CUSTOMERS, &web, &headers, &id, &fields).await
}

pub async fn list_services(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Result<Response, Failure> {
    list(&SERVICES, &web, &headers, &paging).await
}

pub async fn new_service() -> Markup {
    new_page(&SERVICES)
}

pub async fn create_service(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    create(&SERVICES, &web, &headers, &fields).await
}

pub async fn service(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    detail(&SERVICES, &web, &headers, &id).await
}

pub async fn update_service(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
    fields: Fields,
) -> Result<Response, Failure> {
    update(&SERVICES, &web, &headers, &id, &fields).await
}

/// `POST /{kind}/{id}/delete`: deletes a customer, a service, a draft, or a payment, at the
/// version the page showed (a payment: whatever its version, the button being on its own row).
pub async fn delete(
    State(web): State<Web>,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
    fields: Fields,
) -> Result<Response, Failure> {
    let id = safe_id(&id)?;
    let back = match kind.as_str() {
        "customers" | "services" | "proposals" | "invoices" => format!("/{kind}"),
        "payments" => "/payments".to_owned(),
        _ => return Err(Failure::NotFound),
    };
    let etag = own(&fields, "_etag").unwrap_or("*").to_owned();
    let reply = web
        .api
        .send(
            &headers,
            Method::DELETE,
            format!("/v1/{kind}/{id}"),
            None,
            vec![(header::IF_MATCH, etag)],
        )
        .await;
    if reply.is_success() {
        let back = own(&fields, "_back")
            .filter(|path| path.starts_with('/') && !path.starts_with("//"))
            .map(str::to_owned)
            .unwrap_or(back);
        return Ok(go_to(&back));
    }
    if reply.status == 401 {
        return Err(Failure::LoggedOut);
    }
    let mut form = Form::default();
    form.message = Some(reply.refusal().message);
    Ok(refused(html! {
        form.action hx-post=(format!("/{kind}/{id}/delete")) hx-target="this" hx-swap="outerHTML" {
            (notice(&form, &[]))
            (hidden("_etag", own(&fields, "_etag").unwrap_or_default()))
            button.danger type="submit" { "Delete" }
        }
    }))
}
