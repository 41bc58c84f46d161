//! Proposals, invoices, credit notes and payments: lists, the draft editor, each document's
//! page and its actions (send, accept, decline, convert, issue, void, credit, record or delete
//! a payment).
//!
//! The editor saves the draft on every change and shows the totals the API computed for it:
//! the browser never computes an amount.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use super::dashboard::invoice_table;
use super::records::{Paging, safe_id};
use super::{Fields, Submission, idempotency, listed, own};
use crate::web::form::{Form, to_json};
use crate::web::page::{
    self, Input, Section, field, hidden, next_link, notice, once, required, status, with_query,
};
use crate::web::show::{Fmt, method, text};
use crate::web::{Failure, Web, body, go_to};

/// A document as it is shown once issued: the two kinds with drafts, and credit notes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    Proposal,
    Invoice,
    CreditNote,
}

impl From<Kind> for Shown {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Proposal => Self::Proposal,
            Kind::Invoice => Self::Invoice,
        }
    }
}

/// A kind of document with drafts: proposals and invoices.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Proposal,
    Invoice,
}

impl Kind {
    fn parse(path: &str) -> Option<Self> {
        match path {
            "proposals" => Some(Self::Proposal),
            "invoices" => Some(Self::Invoice),
            _ => None,
        }
    }

    fn path(self) -> &'static str {
        match self {
            Self::Proposal => "proposals",
            Self::Invoice => "invoices",
        }
    }

    fn singular(self) -> &'static str {
        match self {
            Self::Proposal => "proposal",
            Self::Invoice => "invoice",
        }
    }

    fn section(self) -> Section {
        match self {
            Self::Proposal => Section::Proposals,
            Self::Invoice => Section::Invoices,
        }
    }

    /// The date after the issue date: when it is due, or until when it is valid.
    fn second_date(self) -> (&'static str, &'static str) {
        match self {
            Self::Proposal => ("valid_until", "Valid until"),
            Self::Invoice => ("due_date", "Due date"),
        }
    }

    fn statuses(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Proposal => &[
                ("", "Any status"),
                ("draft", "Draft"),
                ("sent", "Sent"),
                ("accepted", "Accepted"),
                ("declined", "Declined"),
                ("expired", "Expired"),
                ("converted", "Converted"),
            ],
            Self::Invoice => &[
                ("", "Any status"),
                ("draft", "Draft"),
                ("issued", "Issued"),
                ("partially_paid", "Partially paid"),
                ("paid", "Paid"),
                ("void", "Void"),
            ],
        }
    }
}

/// `?status=&customer=&next=` of a document list.
#[derive(Debug, Default, Deserialize)]
pub struct Filter {
    status: Option<String>,
    customer: Option<String>,
    next: Option<String>,
}

impl Filter {
    /// The filter's parameters that every page of the list keeps.
    fn kept(&self) -> [(&'static str, Option<&str>); 2] {
        [
            ("status", self.status.as_deref()),
            ("customer", self.customer.as_deref()),
        ]
    }

    /// The API's list path `path` for this page.
    fn of(&self, path: &str) -> String {
        with_query(
            path,
            self.kept()
                .into_iter()
                .chain([("next", self.next.as_deref())]),
        )
    }
}

/// Up to 100 of the account's customers, as a picker's options.
async fn customer_options(
    web: &Web,
    headers: &HeaderMap,
) -> Result<Vec<(String, String)>, Failure> {
    let page = body(web.api.get(headers, "/v1/customers?limit=100").await)?;
    Ok(page["data"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|c| (text(&c["id"]).to_owned(), text(&c["name"]).to_owned()))
                .collect()
        })
        .unwrap_or_default())
}

fn filter_form(kind: Kind, filter: &Filter, customers: &[(String, String)]) -> Markup {
    let mut form = Form::default();
    form.set("status", filter.status.clone().unwrap_or_default());
    form.set("customer", filter.customer.clone().unwrap_or_default());
    let mut options: Vec<(&str, &str)> = vec![("", "Any customer")];
    options.extend(
        customers
            .iter()
            .map(|(id, name)| (id.as_str(), name.as_str())),
    );
    html! {
        form.card.fields method="get" action=(format!("/{}", kind.path())) role="search" {
            (field(&form, "Status", "status", Input::Select(kind.statuses())))
            (field(&form, "Customer", "customer", Input::Select(&options)))
            div { button.secondary type="submit" { "Show" } }
        }
    }
}

async fn list(
    kind: Kind,
    web: &Web,
    headers: &HeaderMap,
    filter: &Filter,
) -> Result<Response, Failure> {
    let api_path = filter.of(&format!("/v1/{}", kind.path()));
    let (page, settings, customers) = tokio::join!(
        web.api.get(headers, &api_path),
        web.api.get(headers, "/v1/settings"),
        customer_options(web, headers),
    );
    let page = body(page)?;
    let fmt = Fmt::of(&body(settings)?);
    let items = page["data"].as_array().cloned().unwrap_or_default();
    let table = match kind {
        Kind::Invoice => invoice_table(&fmt, &items),
        Kind::Proposal => proposal_table(&fmt, &items),
    };
    let content = html! {
        div.actions { a.button href=(format!("/{}/new", kind.path())) { "New " (kind.singular()) } }
        (filter_form(kind, filter, &customers?))
        (table)
        (next_link(&format!("/{}", kind.path()), &filter.kept(), page["next"].as_str()))
    };
    let title = match kind {
        Kind::Proposal => "Proposals",
        Kind::Invoice => "Invoices",
    };
    Ok(page::page(title, kind.section(), content).into_response())
}

fn proposal_table(fmt: &Fmt, proposals: &[Value]) -> Markup {
    html! {
        @if proposals.is_empty() {
            p { "No proposals here." }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { "Number" } th scope="col" { "Customer" } th scope="col" { "Date" }
                    th scope="col" { "Valid until" } th scope="col" { "Status" } th.num scope="col" { "Total" }
                } }
                tbody { @for p in proposals { tr {
                    td { a href=(format!("/proposals/{}", text(&p["id"]))) { (p["number"].as_str().unwrap_or("Draft")) } }
                    td { (text(&p["customer_name"])) }
                    td { (fmt.date(&p["issue_date"])) }
                    td { (fmt.date(&p["valid_until"])) }
                    td { (status(text(&p["status"]))) }
                    td.num { (fmt.money(&p["total"], &p["currency"])) }
                } } }
            } }
        }
    }
}

pub async fn list_proposals(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Result<Response, Failure> {
    list(Kind::Proposal, &web, &headers, &filter).await
}

pub async fn list_invoices(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Result<Response, Failure> {
    list(Kind::Invoice, &web, &headers, &filter).await
}

fn new_form(kind: Kind, form: &Form, customers: &[(String, String)]) -> Markup {
    let mut options: Vec<(&str, &str)> = vec![("", "Choose a customer…")];
    options.extend(
        customers
            .iter()
            .map(|(id, name)| (id.as_str(), name.as_str())),
    );
    html! {
        form.card.narrow hx-post=(format!("/{}", kind.path())) hx-target="this" hx-swap="outerHTML" {
            (notice(form, &["customer_id"]))
            (once())
            (required(form, "Customer", "customer_id", Input::Select(&options)))
            @if customers.is_empty() {
                p { "You have no customers yet. " a href="/customers/new" { "Add one first" } "." }
            }
            button type="submit" { "Start the " (kind.singular()) }
        }
    }
}

async fn new_page(kind: Kind, web: &Web, headers: &HeaderMap) -> Result<Response, Failure> {
    let customers = customer_options(web, headers).await?;
    let title = format!("New {}", kind.singular());
    Ok(page::page(
        &title,
        kind.section(),
        new_form(kind, &Form::default(), &customers),
    )
    .into_response())
}

pub async fn new_proposal(State(web): State<Web>, headers: HeaderMap) -> Result<Response, Failure> {
    new_page(Kind::Proposal, &web, &headers).await
}

pub async fn new_invoice(State(web): State<Web>, headers: HeaderMap) -> Result<Response, Failure> {
    new_page(Kind::Invoice, &web, &headers).await
}

/// `POST /proposals`, `POST /invoices`: a draft for the chosen customer, then its editor.
pub async fn create(
    State(web): State<Web>,
    headers: HeaderMap,
    uri: Uri,
    fields: Fields,
) -> Result<Response, Failure> {
    let kind = Kind::parse(uri.path().trim_start_matches('/')).ok_or(Failure::NotFound)?;
    let mut sent = to_json(&fields);
    sent.body["lines"] = json!([]);
    let reply = web
        .api
        .send(
            &headers,
            Method::POST,
            format!("/v1/{}", kind.path()),
            Some(&sent.body),
            idempotency(&fields),
        )
        .await;
    if reply.is_success() {
        let id = text(&reply.body["id"]);
        return Ok(go_to(&format!("/{}/{id}", kind.path())));
    }
    let customers = match reply.status.as_u16() {
        401 => Vec::new(),
        _ => customer_options(&web, &headers).await?,
    };
    Submission { reply, sent }.refused(&fields, |form| new_form(kind, form, &customers))
}

/// What the editor shows beside the draft.
struct EditorContext {
    customers: Vec<(String, String)>,
    services: Vec<(String, String)>,
    fmt: Fmt,
}

async fn editor_context(web: &Web, headers: &HeaderMap) -> Result<EditorContext, Failure> {
    let (customers, services, settings) = tokio::join!(
        customer_options(web, headers),
        web.api.get(headers, "/v1/services?limit=100"),
        web.api.get(headers, "/v1/settings"),
    );
    let services = body(services)?["data"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|s| s["active"] != Value::Bool(false))
                .map(|s| (text(&s["id"]).to_owned(), text(&s["name"]).to_owned()))
                .collect()
        })
        .unwrap_or_default();
    Ok(EditorContext {
        customers: customers?,
        services,
        fmt: Fmt::of(&body(settings)?),
    })
}

const DRAFT_NAMES: &[&str] = &[
    "customer_id",
    "issue_date",
    "due_date",
    "valid_until",
    "discount_percent",
    "prices_include_tax",
    "notes",
    "footer",
];

/// The draft editor: its fields, its lines (and one blank line to add another), and the
/// totals the API computed when it was last saved (`saved`; none while a change is refused).
fn editor(
    kind: Kind,
    id: &str,
    form: &Form,
    saved: Option<&Value>,
    context: &EditorContext,
) -> Markup {
    let mut customers: Vec<(&str, &str)> = vec![("", "No customer yet")];
    customers.extend(
        context
            .customers
            .iter()
            .map(|(i, n)| (i.as_str(), n.as_str())),
    );
    let mut services: Vec<(&str, &str)> = vec![("", "Free text")];
    services.extend(
        context
            .services
            .iter()
            .map(|(i, n)| (i.as_str(), n.as_str())),
    );
    let count = (0..)
        .take_while(|i| {
            ["description", "quantity", "unit_price", "service_id"]
                .iter()
                .any(|f| !form.value(&format!("lines[{i}].{f}")).is_empty())
        })
        .count();
    let mut shown: Vec<String> = DRAFT_NAMES.iter().map(|s| (*s).to_owned()).collect();
    for i in 0..=count {
        for f in LINE_FIELDS {
            shown.push(format!("lines[{i}].{}", f.0));
        }
    }
    let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
    let (second, second_label) = kind.second_date();
    html! {
        form.card.editor id="editor" hx-post=(format!("/{}/{id}/edit", kind.path()))
            hx-trigger="change delay:300ms, submit" hx-target="this" hx-swap="outerHTML"
            hx-sync="this:queue last" {
            (notice(form, &shown))
            (hidden("_etag", form.value("_etag")))
            div.fields {
                (field(form, "Customer", "customer_id", Input::Select(&customers)))
                (field(form, "Date", "issue_date", Input::Date))
                (field(form, second_label, second, Input::Date))
                (field(form, "Discount on the whole (%)", "discount_percent", Input::Decimal))
            }
            (field(form, "Prices include tax", "prices_include_tax", Input::Check))
            h2 { "Lines" }
            div.table { table.lines {
                thead { tr {
                    @for (_, label) in LINE_FIELDS { th scope="col" { (label) } }
                    th.num scope="col" { "Net" }
                    th scope="col" { "Remove" }
                } }
                tbody {
                    @for i in 0..=count {
                        (line_row(form, i, i == count, &services, saved, &context.fmt))
                    }
                }
            } }
            p.hint { "Pick a service to fill a line from your catalogue, or type a line of your own. \
                Every change is saved, and the totals are worked out again by InvoiceFlow." }
            (totals(&context.fmt, saved, kind.into()))
            div.fields {
                (field(form, "Notes", "notes", Input::Area))
                (field(form, "Footer", "footer", Input::Area))
            }
            button type="submit" { "Save draft" }
            span role="status" class="saved" {
                @if saved.is_some() && form.message.is_none() { " Saved." }
            }
        }
    }
}

/// The line fields, in the order of the table: (name, label).
const LINE_FIELDS: &[(&str, &str)] = &[
    ("service_id", "From the catalogue"),
    ("description", "Description"),
    ("quantity", "Quantity"),
    ("unit", "Unit"),
    ("unit_price", "Unit price"),
    ("tax_rate", "Tax %"),
    ("discount_percent", "Discount %"),
];

fn line_row(
    form: &Form,
    i: usize,
    blank: bool,
    services: &[(&str, &str)],
    saved: Option<&Value>,
    fmt: &Fmt,
) -> Markup {
    let name = |f: &str| format!("lines[{i}].{f}");
    let net = saved
        .filter(|_| !blank)
        .map(|doc| fmt.money(&doc["lines"][i]["net"], &doc["currency"]));
    html! {
        tr {
            td.wide { (field(form, &format!("Line {}: from the catalogue", i + 1), &name("service_id"), Input::Select(services))) }
            td.wide { (field(form, &format!("Line {}: description", i + 1), &name("description"), Input::Area)) }
            td { (field(form, &format!("Line {}: quantity", i + 1), &name("quantity"), Input::Decimal)) }
            td { (field(form, &format!("Line {}: unit", i + 1), &name("unit"), Input::Text)) }
            td { (field(form, &format!("Line {}: unit price", i + 1), &name("unit_price"), Input::Decimal)) }
            td { (field(form, &format!("Line {}: tax rate", i + 1), &name("tax_rate"), Input::Decimal)) }
            td { (field(form, &format!("Line {}: discount", i + 1), &name("discount_percent"), Input::Decimal)) }
            td.num { (net.unwrap_or_default()) }
            td {
                @if !blank {
                    @let id = page::id_of(&name("_remove"));
                    label.check for=(id) {
                        input type="checkbox" id=(id) name=(name("_remove")) value="on";
                        span { "Remove line " (i + 1) }
                    }
                }
            }
        }
    }
}

/// Whether an amount the API answered is other than zero.
fn nonzero(amount: &Value) -> bool {
    amount
        .as_str()
        .is_some_and(|a| !a.trim_start_matches(['-', '0', '.']).is_empty())
}

/// Where an action's success leads: the document's page, or what the action made.
type Next = fn(&str, &Value) -> String;

/// The totals as the API computed them for the saved document.
fn totals(fmt: &Fmt, saved: Option<&Value>, shown: Shown) -> Markup {
    html! {
        div.totals aria-live="polite" {
            @if let Some(doc) = saved {
                @let currency = &doc["currency"];
                table {
                    caption { "Totals" }
                    tbody {
                        tr { th scope="row" { "Net" } td.num data-total="net" { (fmt.money(&doc["net_total"], currency)) } }
                        @if nonzero(&doc["discount_total"]) {
                            tr { th scope="row" { "Discount" } td.num { "−" (fmt.money(&doc["discount_total"], currency)) } }
                        }
                        @for tax in doc["tax_breakdown"].as_array().map(Vec::as_slice).unwrap_or_default() {
                            tr { th scope="row" { "Tax " (fmt.percent(&tax["rate"])) " on " (fmt.money(&tax["base"], currency)) }
                                 td.num { (fmt.money(&tax["tax"], currency)) } }
                        }
                        tr { th scope="row" { "Tax" } td.num data-total="tax" { (fmt.money(&doc["tax_total"], currency)) } }
                        tr.total { th scope="row" { "Total" } td.num data-total="total" { (fmt.money(&doc["total"], currency)) } }
                        @if shown == Shown::Invoice && doc["status"] != "draft" {
                            tr { th scope="row" { "Paid" } td.num { (fmt.money(&doc["amount_paid"], currency)) } }
                            @if nonzero(&doc["amount_credited"]) {
                                tr { th scope="row" { "Credited" } td.num { (fmt.money(&doc["amount_credited"], currency)) } }
                            }
                            tr.total { th scope="row" { "Amount due" } td.num data-total="due" { (fmt.money(&doc["amount_due"], currency)) } }
                        }
                    }
                }
            } @else {
                p { "The totals are shown again once every line is complete." }
            }
        }
    }
}

/// A draft's form: the document as the API answered it, with its `ETag`.
fn draft_form(doc: &Value, etag: String) -> Form {
    let mut form = Form::of(doc);
    form.set("_etag", etag);
    form
}

/// `POST /{kind}/{id}/edit`: saves the draft (at the version the editor showed) and shows it
/// again with the totals the API computed.
pub async fn save(
    State(web): State<Web>,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
    fields: Fields,
) -> Result<Response, Failure> {
    let kind = Kind::parse(&kind).ok_or(Failure::NotFound)?;
    let id = safe_id(&id)?;
    let mut sent = to_json(&fields);
    match sent.body.get_mut("lines").and_then(Value::as_array_mut) {
        // A line picked from the catalogue is one of its unit until a quantity is typed.
        Some(lines) => {
            for line in lines {
                if line["quantity"].is_null() && !line["service_id"].is_null() {
                    line["quantity"] = json!("1");
                }
            }
        }
        None => sent.body["lines"] = json!([]),
    }
    let etag = own(&fields, "_etag").unwrap_or_default().to_owned();
    let (reply, context) = tokio::join!(
        web.api.send(
            &headers,
            Method::PATCH,
            format!("/v1/{}/{id}", kind.path()),
            Some(&sent.body),
            vec![(header::IF_MATCH, etag)],
        ),
        editor_context(&web, &headers),
    );
    if reply.status == 401 {
        return Err(Failure::LoggedOut);
    }
    let context = context?;
    if reply.is_success() {
        let form = draft_form(&reply.body, reply.etag().unwrap_or_default());
        return Ok(editor(kind, id, &form, Some(&reply.body), &context).into_response());
    }
    Submission { reply, sent }.refused(&fields, |form| editor(kind, id, form, None, &context))
}

/// Facts of an issued document, as a list of terms.
fn facts(fmt: &Fmt, doc: &Value, shown: Shown) -> Markup {
    let currency = &doc["currency"];
    html! {
        dl.facts {
            dt { "Status" } dd { (status(text(&doc["status"]))) }
            dt { "Customer" } dd {
                @if let Some(customer) = doc["customer_id"].as_str() {
                    a href=(format!("/customers/{customer}")) { (text(&doc["customer_name"])) }
                } @else { (text(&doc["buyer"]["name"])) }
            }
            dt { "Date" } dd { (fmt.date(&doc["issue_date"])) }
            @match shown {
                Shown::Invoice => { dt { "Due" } dd { (fmt.date(&doc["due_date"])) } }
                Shown::Proposal => { dt { "Valid until" } dd { (fmt.date(&doc["valid_until"])) } }
                Shown::CreditNote => {}
            }
            dt { "Total" } dd { (fmt.money(&doc["total"], currency)) }
            @if let Some(reason) = doc["void_reason"].as_str() { dt { "Voided because" } dd { (reason) } }
            @if let Some(reason) = doc["decline_reason"].as_str() { dt { "Declined because" } dd { (reason) } }
            @if let Some(reason) = doc["reason"].as_str() { dt { "Reason" } dd { (reason) } }
        }
    }
}

/// The lines of an issued document, read only.
fn lines_table(fmt: &Fmt, doc: &Value) -> Markup {
    let currency = &doc["currency"];
    html! {
        div.table { table {
            caption { "Lines" }
            thead { tr {
                th scope="col" { "Description" } th.num scope="col" { "Quantity" } th scope="col" { "Unit" }
                th.num scope="col" { "Unit price" } th.num scope="col" { "Tax" } th.num scope="col" { "Net" }
            } }
            tbody { @for line in doc["lines"].as_array().map(Vec::as_slice).unwrap_or_default() { tr {
                td { (text(&line["description"])) }
                td.num { (fmt.quantity(&line["quantity"])) }
                td { (text(&line["unit"])) }
                td.num { (fmt.money(&line["unit_price"], currency)) }
                td.num { (fmt.percent(&line["tax_rate"])) }
                td.num { (fmt.money(&line["net"], currency)) }
            } } }
        } }
    }
}

/// A form for one action on a document, with a reason or other fields.
fn action_form(path: &str, label: &str, class: &str, form: &Form, inner: Markup) -> Markup {
    html! {
        form.card.action hx-post=(path) hx-target="this" hx-swap="outerHTML" {
            (notice(form, &["reason", "amount", "date", "method", "reference"]))
            (once())
            (inner)
            button class=(class) type="submit" { (label) }
        }
    }
}

fn reason_form(path: &str, label: &str, class: &str, form: &Form, prompt: &str) -> Markup {
    // Each action's path ends with its name: `decline`, `credit`, `void`.
    let scope = match path.rsplit('/').next() {
        Some("credit") => "credit",
        Some("void") => "void",
        _ => "decline",
    };
    let form = form.clone().scoped(scope);
    let reason = required(&form, prompt, "reason", Input::Area);
    action_form(path, label, class, &form, reason)
}

const METHODS: &[(&str, &str)] = &[
    ("bank_transfer", "Bank transfer"),
    ("card", "Card"),
    ("cash", "Cash"),
    ("cheque", "Cheque"),
    ("other", "Other"),
];

fn payment_form(path: &str, form: &Form) -> Markup {
    action_form(
        path,
        "Record payment",
        "",
        form,
        html! {
            div.fields {
                (required(form, "Amount", "amount", Input::Decimal))
                (required(form, "Received on", "date", Input::Date))
                (required(form, "Method", "method", Input::Select(METHODS)))
                (field(form, "Reference", "reference", Input::Text))
            }
        },
    )
}

async fn draft_page(
    kind: Kind,
    web: &Web,
    headers: &HeaderMap,
    id: &str,
    doc: &Value,
    etag: String,
) -> Result<Response, Failure> {
    let context = editor_context(web, headers).await?;
    let form = draft_form(doc, etag.clone());
    let title = format!("Draft {}", kind.singular());
    let path = kind.path();
    let content = html! {
        div.actions {
            @match kind {
                Kind::Proposal => (page::action(&format!("/proposals/{id}/do/send"), "Send to the customer", "")),
                Kind::Invoice => (page::action(&format!("/invoices/{id}/do/issue"), "Issue (gives it its number)", "")),
            }
            a.button.secondary href=(format!("/v1/{path}/{id}/pdf")) download { "Preview PDF" }
            form.action hx-post=(format!("/{path}/{id}/delete")) hx-target="this" hx-swap="outerHTML" {
                (hidden("_etag", &etag))
                button.danger type="submit" { "Delete draft" }
            }
        }
        (editor(kind, id, &form, Some(doc), &context))
    };
    Ok(page::page(&title, kind.section(), content).into_response())
}

/// `GET /proposals/{id}`: the editor for a draft; otherwise the proposal and what can be done
/// with it now.
pub async fn proposal(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = safe_id(&id)?;
    let reply = web.api.get(&headers, format!("/v1/proposals/{id}")).await;
    let etag = reply.etag().unwrap_or_default();
    let doc = body(reply)?;
    if doc["status"] == "draft" {
        return draft_page(Kind::Proposal, &web, &headers, id, &doc, etag).await;
    }
    let fmt = Fmt::of(&body(web.api.get(&headers, "/v1/settings").await)?);
    let none = Form::default();
    let content = html! {
        (facts(&fmt, &doc, Shown::Proposal))
        div.actions {
            a.button.secondary href=(format!("/v1/proposals/{id}/pdf")) download { "Download PDF" }
            @if doc["status"] == "sent" {
                (page::action(&format!("/proposals/{id}/do/accept"), "Mark accepted", ""))
            }
            @if doc["status"] == "accepted" {
                (page::action(&format!("/proposals/{id}/do/invoice"), "Convert to an invoice", ""))
            }
            @if let Some(invoice) = doc["invoice_id"].as_str() {
                a.button href=(format!("/invoices/{invoice}")) { "Open its invoice" }
            }
        }
        @if doc["status"] == "sent" {
            h2 { "Declined?" }
            (reason_form(&format!("/proposals/{id}/do/decline"), "Mark declined", "secondary", &none, "Why the customer declined"))
        }
        (lines_table(&fmt, &doc))
        (totals(&fmt, Some(&doc), Shown::Proposal))
    };
    let title = format!("Proposal {}", text(&doc["number"]));
    Ok(page::page(&title, Section::Proposals, content).into_response())
}

/// `GET /invoices/{id}`: the editor for a draft; otherwise the invoice, its payments and
/// credit notes, and what can be done with it now.
pub async fn invoice(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = safe_id(&id)?;
    let reply = web.api.get(&headers, format!("/v1/invoices/{id}")).await;
    let etag = reply.etag().unwrap_or_default();
    let doc = body(reply)?;
    if doc["status"] == "draft" {
        return draft_page(Kind::Invoice, &web, &headers, id, &doc, etag).await;
    }
    let (settings, payments, credits, summary) = tokio::join!(
        web.api.get(&headers, "/v1/settings"),
        web.api
            .get(&headers, format!("/v1/invoices/{id}/payments?limit=100")),
        web.api.get(
            &headers,
            format!("/v1/invoices/{id}/credit-notes?limit=100")
        ),
        web.api.get(&headers, "/v1/summary"),
    );
    let fmt = Fmt::of(&body(settings)?);
    let payments = body(payments)?["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let credits = body(credits)?["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let today = body(summary)?["as_of"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let open = matches!(doc["status"].as_str(), Some("issued" | "partially_paid"));
    let mut pay = Form::default();
    pay.set("amount", text(&doc["amount_due"]));
    pay.set("date", today);
    pay.set("method", "bank_transfer");
    let none = Form::default();
    let content = html! {
        (facts(&fmt, &doc, Shown::Invoice))
        div.actions {
            a.button.secondary href=(format!("/v1/invoices/{id}/pdf")) download { "Download PDF" }
            @if doc["status"] != "void" {
                a.button.secondary href=(format!("/v1/invoices/{id}/ubl")) download { "Download e-invoice (UBL)" }
            }
        }
        (lines_table(&fmt, &doc))
        (totals(&fmt, Some(&doc), Shown::Invoice))
        @if open {
            h2 { "Record a payment" }
            (payment_form(&format!("/invoices/{id}/do/pay"), &pay))
        }
        h2 { "Payments" }
        (payment_table(&fmt, &payments, Some(&format!("/invoices/{id}"))))
        h2 { "Credit notes" }
        (credit_table(&fmt, &credits))
        @if doc["status"] != "void" {
            h2 { "Credit this invoice" }
            p { "A credit note cancels what is left of this invoice, with a reason shown on it." }
            (reason_form(&format!("/invoices/{id}/do/credit"), "Issue a credit note", "secondary", &none, "Reason for the credit"))
        }
        @if open {
            h2 { "Void this invoice" }
            p { "Voiding keeps the invoice and its number, marked VOID; nothing is owed on it any more." }
            (reason_form(&format!("/invoices/{id}/do/void"), "Void invoice", "danger", &none, "Reason for voiding"))
        }
    };
    let title = format!("Invoice {}", text(&doc["number"]));
    Ok(page::page(&title, Section::Invoices, content).into_response())
}

fn payment_table(fmt: &Fmt, payments: &[Value], back: Option<&str>) -> Markup {
    html! {
        @if payments.is_empty() {
            p { "No payments recorded." }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { "Received" } th scope="col" { "Invoice" } th scope="col" { "Customer" }
                    th scope="col" { "Method" } th scope="col" { "Reference" } th.num scope="col" { "Amount" }
                    th scope="col" { span.visually-hidden { "Actions" } }
                } }
                tbody { @for p in payments { tr {
                    td { (fmt.date(&p["date"])) }
                    td { a href=(format!("/invoices/{}", text(&p["invoice_id"]))) { (text(&p["invoice_number"])) } }
                    td { (text(&p["customer_name"])) }
                    td { (method(&p["method"])) }
                    td { (text(&p["reference"])) }
                    td.num { (fmt.money(&p["amount"], &p["currency"])) }
                    td {
                        form.action hx-post=(format!("/payments/{}/delete", text(&p["id"]))) hx-target="this" hx-swap="outerHTML" {
                            @if let Some(back) = back { (hidden("_back", back)) }
                            button.link type="submit" { "Delete" span.visually-hidden { " payment of " (fmt.money(&p["amount"], &p["currency"])) } }
                        }
                    }
                } } }
            } }
        }
    }
}

fn credit_table(fmt: &Fmt, credits: &[Value]) -> Markup {
    html! {
        @if credits.is_empty() {
            p { "No credit notes." }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { "Number" } th scope="col" { "Invoice" } th scope="col" { "Customer" }
                    th scope="col" { "Date" } th.num scope="col" { "Credited" }
                } }
                tbody { @for c in credits { tr {
                    td { a href=(format!("/credit-notes/{}", text(&c["id"]))) { (text(&c["number"])) } }
                    td { a href=(format!("/invoices/{}", text(&c["invoice_id"]))) { (text(&c["invoice_number"])) } }
                    td { (text(&c["customer_name"])) }
                    td { (fmt.date(&c["issue_date"])) }
                    td.num { (fmt.money(&c["total"], &c["currency"])) }
                } } }
            } }
        }
    }
}

/// `POST /{kind}/{id}/do/{action}`: one action on a document, then its page again (or the
/// document the action made).
pub async fn act(
    State(web): State<Web>,
    headers: HeaderMap,
    Path((kind, id, action)): Path<(String, String, String)>,
    fields: Fields,
) -> Result<Response, Failure> {
    let kind = Kind::parse(&kind).ok_or(Failure::NotFound)?;
    let id = safe_id(&id)?;
    let path = kind.path();
    let sent = to_json(&fields);
    let (api_path, body, goes_to): (String, Option<&Value>, Next) = match (kind, action.as_str()) {
        (Kind::Proposal, "send" | "accept") | (Kind::Invoice, "issue") => {
            (format!("/v1/{path}/{id}/{action}"), None, |page, _| {
                page.to_owned()
            })
        }
        (Kind::Proposal, "decline") | (Kind::Invoice, "void") => (
            format!("/v1/{path}/{id}/{action}"),
            Some(&sent.body),
            |page, _| page.to_owned(),
        ),
        (Kind::Proposal, "invoice") => (format!("/v1/proposals/{id}/invoice"), None, |_, made| {
            format!("/invoices/{}", text(&made["id"]))
        }),
        (Kind::Invoice, "credit") => (
            format!("/v1/invoices/{id}/credit-notes"),
            Some(&sent.body),
            |_, made| format!("/credit-notes/{}", text(&made["id"])),
        ),
        (Kind::Invoice, "pay") => (
            format!("/v1/invoices/{id}/payments"),
            Some(&sent.body),
            |page, _| page.to_owned(),
        ),
        _ => return Err(Failure::NotFound),
    };
    let reply = web
        .api
        .send(&headers, Method::POST, api_path, body, idempotency(&fields))
        .await;
    if reply.is_success() {
        return Ok(go_to(&goes_to(&format!("/{path}/{id}"), &reply.body)));
    }
    let here = format!("/{path}/{id}/do/{action}");
    Submission { reply, sent }.refused(&fields, |form| match action.as_str() {
        "pay" => payment_form(&here, form),
        "decline" => reason_form(
            &here,
            "Mark declined",
            "secondary",
            form,
            "Why the customer declined",
        ),
        "credit" => reason_form(
            &here,
            "Issue a credit note",
            "secondary",
            form,
            "Reason for the credit",
        ),
        "void" => reason_form(&here, "Void invoice", "danger", form, "Reason for voiding"),
        _ => html! {
            form.action hx-post=(here) hx-target="this" hx-swap="outerHTML" {
                (notice(form, &[]))
                (once())
                button type="submit" { "Try again" }
            }
        },
    })
}

pub async fn list_credit_notes(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Result<Response, Failure> {
    let path = paging.of("/v1/credit-notes");
    let (page, items, fmt) = listed(&web, &headers, path).await?;
    let content = html! {
        p { "A credit note is made from its invoice's page." }
        (credit_table(&fmt, &items))
        (next_link("/credit-notes", &[], page["next"].as_str()))
    };
    Ok(page::page("Credit notes", Section::CreditNotes, content).into_response())
}
pub async fn credit_note(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = safe_id(&id)?;
    let (doc, settings) = tokio::join!(
        web.api.get(&headers, format!("/v1/credit-notes/{id}")),
        web.api.get(&headers, "/v1/settings"),
    );
    let doc = body(doc)?;
    let fmt = Fmt::of(&body(settings)?);
    let content = html! {
        p { "Credits invoice " a href=(format!("/invoices/{}", text(&doc["invoice_id"]))) { (text(&doc["invoice_number"])) } "." }
        (facts(&fmt, &doc, Shown::CreditNote))
        div.actions {
            a.button.secondary href=(format!("/v1/credit-notes/{id}/pdf")) download { "Download PDF" }
            a.button.secondary href=(format!("/v1/credit-notes/{id}/ubl")) download { "Download e-invoice (UBL)" }
        }
        (lines_table(&fmt, &doc))
        (totals(&fmt, Some(&doc), Shown::CreditNote))
    };
    let title = format!("Credit note {}", text(&doc["number"]));
    Ok(page::page(&title, Section::CreditNotes, content).into_response())
}

pub async fn list_payments(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Result<Response, Failure> {
    let path = paging.of("/v1/payments");
    let (page, items, fmt) = listed(&web, &headers, path).await?;
    let content = html! {
        p { "A payment is recorded from its invoice's page." }
        (payment_table(&fmt, &items, None))
        (next_link("/payments", &[], page["next"].as_str()))
    };
    Ok(page::page("Payments", Section::Payments, content).into_response())
}
