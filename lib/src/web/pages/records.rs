//! Customers and services: a paged list, a form to add one, a page to change or delete one.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Fields, TAX_CATEGORIES, fmt, idempotency, listed, own, submit};
use crate::domain::catalogue::Service;
use crate::domain::customer::Customer;
use crate::domain::invoice::Invoice;
use crate::domain::payment::Payment;
use crate::domain::proposal::Proposal;
use crate::http::records::View;
use crate::web::form::Form;
use crate::web::page::{
    self, Input, Section, address, field, hidden, hinted, next_link, notice, once, required,
};
use crate::web::pages::auth::currencies;
use crate::web::reads::{self, Listed, typed};
use crate::web::show::{Fmt, or_empty};
use crate::web::ui::{t, t_with};
use crate::web::{Failure, Web, go_to, refused};

/// `?next=` of a list page.
#[derive(Debug, Default, Deserialize)]
pub struct Paging {
    pub next: Option<String>,
    /// Words to search a list of customers or services for.
    pub q: Option<String>,
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
struct Kind<R> {
    /// `/customers` (the API's is the record's own, `/v1/customers`).
    path: &'static str,
    /// Message ids: `nav-customers`, and the prefix of its own (`customer` in `customer-add`).
    title: &'static str,
    singular: &'static str,
    section: Section,
    fields: fn(&Form) -> Markup,
    names: &'static [&'static str],
    /// Its name, as its page's title and its list's first column.
    name: fn(&R) -> &str,
    columns: fn(&Fmt, &R) -> Markup,
    /// Message ids of its list's columns after the name.
    headings: &'static [&'static str],
    /// What a search matches: name, contact, email, city, tax id or description.
    searched: fn(&R) -> Vec<&str>,
}

/// What the records kept here are to these pages.
trait Kept: Listed<Entry = View<Self>> + Serialize + DeserializeOwned {}
impl<R: Listed<Entry = View<R>> + Serialize + DeserializeOwned> Kept for R {}

/// The languages a customer's documents are written in; empty: the account's.
const DOCUMENT_LANGUAGES: &[(&str, &str)] = &[
    ("", "—"),
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("nl", "Nederlands"),
    ("es", "Español"),
    ("it", "Italiano"),
];

fn currency_options() -> Vec<(&'static str, &'static str)> {
    let mut options = vec![("", "currency-company")];
    options.extend_from_slice(currencies());
    options
}

fn customer_fields(form: &Form) -> Markup {
    let currencies = currency_options();
    html! {
        fieldset {
            legend { (t("customer")) }
            div.fields {
                (required(form, &t("field-name"), "name", Input::Text))
                (field(form, &t("field-contact"), "contact_name", Input::Text))
                (field(form, &t("field-email"), "email", Input::Email))
                (field(form, &t("field-phone"), "phone", Input::Text))
                (hinted(form, &t("field-tax-id"), "tax_id", Input::Text, &t("hint-tax-id")))
                (field(form, &t("field-currency"), "currency", Input::Choice(&currencies)))
                (hinted(form, &t("field-customer-category"), "tax_category", Input::Choice(TAX_CATEGORIES), &t("hint-customer-category")))
                (hinted(form, &t("field-eas-scheme"), "electronic_address.scheme", Input::Text, &t("hint-eas-scheme")))
                (hinted(form, &t("field-eas-id"), "electronic_address.id", Input::Text, &t("hint-eas-id")))
                (hinted(form, &t("field-customer-language"), "language", Input::Select(DOCUMENT_LANGUAGES), &t("hint-customer-language")))
            }
        }
        (address(form, &t("billing-address"), "billing_address"))
        (field(form, &t("field-notes"), "notes", Input::Area))
        (field(form, &t("field-no_reminders"), "no_reminders", Input::Check))
    }
}

const CUSTOMER_NAMES: &[&str] = &[
    "name",
    "contact_name",
    "email",
    "phone",
    "tax_id",
    "currency",
    "tax_category",
    "electronic_address.scheme",
    "electronic_address.id",
    "language",
    "billing_address.lines[0]",
    "billing_address.lines[1]",
    "billing_address.postal_code",
    "billing_address.city",
    "billing_address.region",
    "billing_address.country",
    "notes",
    "no_reminders",
];

fn customer_columns(_: &Fmt, customer: &Customer) -> Markup {
    html! {
        td { (or_empty(&customer.email)) }
        td { (customer_city(customer)) }
    }
}

fn customer_city(customer: &Customer) -> &str {
    customer
        .billing_address
        .as_ref()
        .map_or("", |address| or_empty(&address.city))
}

fn customer_searched(customer: &Customer) -> Vec<&str> {
    vec![
        customer.name.as_str(),
        or_empty(&customer.contact_name),
        or_empty(&customer.email),
        customer_city(customer),
        or_empty(&customer.tax_id),
    ]
}

fn service_fields(form: &Form) -> Markup {
    let currencies = currency_options();
    html! {
        div.fields {
            (required(form, &t("field-name"), "name", Input::Text))
            (required(form, &t("field-unit-price"), "unit_price", Input::Decimal))
            (hinted(form, &t("field-unit"), "unit", Input::Text, &t("hint-unit")))
            (hinted(form, &t("field-tax-rate"), "tax_rate", Input::Decimal, &t("hint-tax-rate")))
            (field(form, &t("field-currency"), "currency", Input::Choice(&currencies)))
            (field(form, &t("field-category"), "tax_category", Input::Choice(TAX_CATEGORIES)))
            (hinted(form, &t("field-exemption-reason"), "exemption_reason", Input::Text, &t("hint-exemption-reason")))
            (hinted(form, &t("field-exemption-code"), "exemption_code", Input::Text, &t("hint-exemption-code")))
        }
        (field(form, &t("field-description"), "description", Input::Area))
        (field(form, &t("field-active"), "active", Input::Check))
    }
}

const SERVICE_NAMES: &[&str] = &[
    "name",
    "unit_price",
    "unit",
    "tax_rate",
    "currency",
    "tax_category",
    "exemption_reason",
    "exemption_code",
    "description",
    "active",
];

fn service_columns(fmt: &Fmt, service: &Service) -> Markup {
    html! {
        td.num { (fmt.money(&service.unit_price, service.currency)) }
        td { (or_empty(&service.unit)) }
        td { @if service.active { (t("service-offered")) } @else { (t("service-archived")) } }
    }
}

fn service_searched(service: &Service) -> Vec<&str> {
    vec![service.name.as_str(), or_empty(&service.description)]
}

const CUSTOMERS: Kind<Customer> = Kind {
    path: "customers",
    title: "nav-customers",
    singular: "customer",
    section: Section::Customers,
    fields: customer_fields,
    names: CUSTOMER_NAMES,
    name: |customer| customer.name.as_str(),
    columns: customer_columns,
    headings: &["field-email", "address-city"],
    searched: customer_searched,
};

const SERVICES: Kind<Service> = Kind {
    path: "services",
    title: "nav-services",
    singular: "service",
    section: Section::Services,
    fields: service_fields,
    names: SERVICE_NAMES,
    name: |service| service.name.as_str(),
    columns: service_columns,
    headings: &["field-unit-price", "field-unit", "col-status"],
    searched: service_searched,
};

/// The most a search reads: 10 pages of 100. The records are sealed under the account's key,
/// so the table cannot search them; the web app reads them through the API and matches here.
const SEARCH_PAGES: usize = 10;

/// Whether what `kind` searches in a record holds every one of `words` (lower-cased).
fn matches<R>(kind: &Kind<R>, record: &R, words: &[String]) -> bool {
    let haystack = (kind.searched)(record).join(" ").to_lowercase();
    words.iter().all(|word| haystack.contains(word.as_str()))
}

/// The records of `kind` matching `query`, and whether there were more than a search reads.
async fn search<R: Kept>(
    kind: &Kind<R>,
    web: &Web,
    headers: &HeaderMap,
    query: &str,
) -> Result<(Vec<View<R>>, bool), Failure> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut found = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..SEARCH_PAGES {
        let list = reads::list::<R>([("limit", Some("100")), ("next", next.as_deref())]);
        let page = web.api.read(headers, list).await?;
        found.extend(
            page.data
                .into_iter()
                .filter(|item| matches(kind, &item.record, &words)),
        );
        next = page.next;
        if next.is_none() {
            return Ok((found, false));
        }
    }
    Ok((found, true))
}

async fn list<R: Kept>(
    kind: &Kind<R>,
    web: &Web,
    headers: &HeaderMap,
    paging: &Paging,
) -> Result<Response, Failure> {
    let query = paging.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let (next, items, more, fmt) = match query {
        Some(query) => {
            let (found, fmt) = tokio::join!(search(kind, web, headers, query), fmt(web, headers));
            let (items, more) = found?;
            (None, items, more, fmt?)
        }
        None => {
            let list = reads::list::<R>([("next", paging.next.as_deref())]);
            let (page, fmt) = listed(web, headers, list).await?;
            (page.next, page.data, false, fmt)
        }
    };
    let mut search_form = Form::default();
    search_form.set("q", query.unwrap_or_default());
    let content = html! {
        div.actions { a.button href=(format!("/{}/new", kind.path)) { (t(&format!("{}-add-a", kind.singular))) } }
        form.card.fields method="get" action=(format!("/{}", kind.path)) role="search" {
            (field(&search_form, &t(&format!("{}-search", kind.singular)), "q", Input::Text))
            div { button.secondary type="submit" { (t("search")) } }
        }
        @if let Some(query) = query {
            p role="status" {
                (t_with(&format!("{}-matches", kind.singular), &[("count", &items.len().to_string()), ("query", query)])) " "
                @if more { (t_with("search-only-first", &[("count", &(SEARCH_PAGES * 100).to_string())])) " " }
                a href=(format!("/{}", kind.path)) { (t("show-all")) }
            }
        }
        @if items.is_empty() {
            @if query.is_none() { p { (t(&format!("{}-none-yet", kind.singular))) } }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { (t("field-name")) }
                    @for heading in kind.headings { th scope="col" { (t(heading)) } }
                } }
                tbody {
                    @for item in &items {
                        tr {
                            td { a href=(format!("/{}/{}", kind.path, item.id)) { ((kind.name)(&item.record)) } }
                            ((kind.columns)(&fmt, &item.record))
                        }
                    }
                }
            } }
        }
        (next_link(&format!("/{}", kind.path), &[], next.as_deref()))
    };
    Ok(page::page(&t(kind.title), kind.section, content).into_response())
}

fn new_form<R>(kind: &Kind<R>, form: &Form) -> Markup {
    html! {
        form.card hx-post=(format!("/{}", kind.path)) hx-target="this" hx-swap="outerHTML" {
            (notice(form, kind.names))
            (once())
            ((kind.fields)(form))
            button type="submit" { (t(&format!("{}-add", kind.singular))) }
        }
    }
}

fn new_page<R>(kind: &Kind<R>) -> Markup {
    let mut form = Form::default();
    form.set("active", "true");
    page::page(
        &t(&format!("{}-new", kind.singular)),
        kind.section,
        new_form(kind, &form),
    )
}

async fn create<R: Kept>(
    kind: &Kind<R>,
    web: &Web,
    headers: &HeaderMap,
    fields: &Fields,
) -> Result<Response, Failure> {
    let path = reads::records::<R>();
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
        let made = typed::<View<R>>(sent.reply)?.value;
        return Ok(go_to(&format!("/{}/{}", kind.path, made.id)));
    }
    sent.refused(fields, |form| new_form(kind, form))
}

fn edit_form<R>(kind: &Kind<R>, id: &str, form: &Form, saved: bool) -> Markup {
    html! {
        form.card hx-post=(format!("/{}/{id}", kind.path)) hx-target="this" hx-swap="outerHTML" {
            @if saved { p.ok role="status" { (t("saved")) } }
            (notice(form, kind.names))
            (hidden("_etag", form.value("_etag")))
            ((kind.fields)(form))
            button type="submit" { (t("save-changes")) }
        }
    }
}

/// The form of a record as the API answered it, with its `ETag`.
fn record_form<R: Serialize>(view: &View<R>, etag: String) -> Form {
    let mut form = Form::of(&serde_json::to_value(view).unwrap_or_default());
    form.set("_etag", etag);
    form
}

async fn detail<R: Kept>(
    kind: &Kind<R>,
    web: &Web,
    headers: &HeaderMap,
    id: &str,
) -> Result<Response, Failure> {
    let id = safe_id(id)?;
    let got = web.api.read_tagged(headers, reads::record::<R>(id)).await?;
    let etag = got.etag.clone();
    let form = record_form(&got.value, got.etag);
    let title = (kind.name)(&got.value.record).to_owned();
    let content = html! {
        (edit_form(kind, id, &form, false))
        h2 { (t("delete")) }
        form.action hx-post=(format!("/{}/{id}/delete", kind.path)) hx-target="this" hx-swap="outerHTML"
            hx-confirm=(t_with("delete-confirm", &[("name", &title)])) {
            (notice(&Form::default(), &[]))
            (hidden("_etag", &etag))
            button.danger type="submit" { (t(&format!("{}-delete", kind.singular))) }
        }
    };
    Ok(page::page(&title, kind.section, content).into_response())
}

async fn update<R: Kept>(
    kind: &Kind<R>,
    web: &Web,
    headers: &HeaderMap,
    id: &str,
    fields: &Fields,
) -> Result<Response, Failure> {
    let id = safe_id(id)?;
    let etag = own(fields, "_etag").unwrap_or_default().to_owned();
    let path = reads::record_path::<R>(id);
    let extra = vec![(header::IF_MATCH, etag)];
    let sent = submit(web, headers, Method::PATCH, path, fields, extra).await;
    if sent.reply.is_success() {
        let got = typed::<View<R>>(sent.reply)?;
        let form = record_form(&got.value, got.etag);
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
    let (back, api_path) = match kind.as_str() {
        "customers" => ("/customers", reads::record_path::<Customer>(id)),
        "services" => ("/services", reads::record_path::<Service>(id)),
        "proposals" => ("/proposals", reads::record_path::<Proposal>(id)),
        "invoices" => ("/invoices", reads::record_path::<Invoice>(id)),
        "payments" => ("/payments", reads::record_path::<Payment>(id)),
        _ => return Err(Failure::NotFound),
    };
    let etag = own(&fields, "_etag").unwrap_or("*").to_owned();
    let reply = web
        .api
        .send(
            &headers,
            Method::DELETE,
            api_path,
            None,
            vec![(header::IF_MATCH, etag)],
        )
        .await;
    if reply.is_success() {
        let back = own(&fields, "_back")
            .and_then(crate::web::own_path)
            .unwrap_or(back);
        return Ok(go_to(back));
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
            button.danger type="submit" { (t("delete")) }
        }
    }))
}
