//! The draft editor of proposals and invoices: a new draft for a chosen customer, then its
//! fields and lines, saved on every change, with the totals the API computed for it (the
//! browser never computes an amount).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde_json::{Value, json};

use super::records::safe_id;
use super::{Fields, Submission, TAX_CATEGORIES, fmt, idempotency, own};
use crate::domain::catalogue::Service;
use crate::domain::customer::Customer;
use crate::domain::document::Content;
use crate::domain::invoice::Invoice;
use crate::domain::money::Money;
use crate::domain::proposal::Proposal;
use crate::http::records::View;
use crate::web::form::{Form, to_json};
use crate::web::page::{
    self, Input, Section, address, field, hidden, hinted, notice, once, required,
};
use crate::web::reads::{self, Got, typed};
use crate::web::show::Fmt;
use crate::web::ui::{t, t_with};
use crate::web::{Failure, Web, go_to};

fn new_form(kind: Kind, form: &Form, customers: &[(String, String)]) -> Markup {
    let choose = t("choose-a-customer");
    let mut options: Vec<(&str, &str)> = vec![("", choose.as_str())];
    options.extend(
        customers
            .iter()
            .map(|(id, name)| (id.as_str(), name.as_str())),
    );
    html! {
        form.card.narrow hx-post=(format!("/{}", kind.path())) hx-target="this" hx-swap="outerHTML" {
            (notice(form, &["customer_id"]))
            (once())
            (required(form, &t("col-customer"), "customer_id", Input::Select(&options)))
            @if customers.is_empty() {
                p { (t("no-customers-yet")) " " a href="/customers/new" { (t("add-one-first")) } "." }
            }
            button type="submit" { (t(&format!("{}-start", kind.singular()))) }
        }
    }
}

async fn new_page(kind: Kind, web: &Web, headers: &HeaderMap) -> Result<Response, Failure> {
    let customers = customer_options(web, headers).await?;
    let title = t(&format!("{}-new", kind.singular()));
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
            kind.api_path(),
            Some(&sent.body),
            idempotency(&fields),
        )
        .await;
    if reply.is_success() {
        let draft = Draft::of(kind, reply)?;
        return Ok(go_to(&format!("/{}/{}", kind.path(), draft.id())));
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
    let (customers, services, fmt) = tokio::join!(
        customer_options(web, headers),
        service_options(web, headers),
        fmt(web, headers),
    );
    Ok(EditorContext {
        customers: customers?,
        services: services?,
        fmt: fmt?,
    })
}

/// The catalogue's offered services (id, name), as a line's choice.
pub(super) async fn service_options(
    web: &Web,
    headers: &HeaderMap,
) -> Result<Vec<(String, String)>, Failure> {
    let page = web
        .api
        .read(headers, reads::list::<Service>([("limit", Some("100"))]))
        .await?;
    Ok(page
        .data
        .into_iter()
        .filter(|service| service.record.active)
        .map(|service| (service.id, service.record.name.to_string()))
        .collect())
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
    "buyer_reference",
    "order_reference",
    "supply_date",
    "delivery_address.lines[0]",
    "delivery_address.lines[1]",
    "delivery_address.postal_code",
    "delivery_address.city",
    "delivery_address.region",
    "delivery_address.country",
];

/// The draft editor: its fields, its lines (and one blank line to add another), and the
/// totals the API computed when it was last saved (`saved`; none while a change is refused).
fn editor(
    kind: Kind,
    id: &str,
    form: &Form,
    saved: Option<&Content>,
    context: &EditorContext,
) -> Markup {
    let no_customer = t("no-customer-yet");
    let mut customers: Vec<(&str, &str)> = vec![("", no_customer.as_str())];
    customers.extend(
        context
            .customers
            .iter()
            .map(|(i, n)| (i.as_str(), n.as_str())),
    );
    let free_text = t("free-text");
    let mut services: Vec<(&str, &str)> = vec![("", free_text.as_str())];
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
                (field(form, &t("col-customer"), "customer_id", Input::Select(&customers)))
                (field(form, &t("col-date"), "issue_date", Input::Date))
                (field(form, &t(second_label), second, Input::Date))
                (field(form, &t("discount-whole"), "discount_percent", Input::Decimal))
            }
            @if kind == Kind::Invoice {
                div.fields {
                    (hinted(form, &t("buyer-reference"), "buyer_reference", Input::Text, &t("hint-buyer-reference")))
                    (field(form, &t("order-reference"), "order_reference", Input::Text))
                    (hinted(form, &t("supply-date"), "supply_date", Input::Date, &t("hint-supply-date")))
                }
                (address(form, &t("delivery-address"), "delivery_address"))
            }
            (field(form, &t("prices-include-tax"), "prices_include_tax", Input::Check))
            h2 { (t("lines")) }
            div.table { table.lines {
                thead { tr {
                    @for (_, label) in LINE_FIELDS { th scope="col" { (t(label)) } }
                    th.num scope="col" { (t("net")) }
                    th scope="col" { (t("remove")) }
                } }
                tbody {
                    @for i in 0..=count {
                        (line_row(form, i, i == count, &services, saved, &context.fmt))
                    }
                }
            } }
            p.hint { "Pick a service to fill a line from your catalogue, or type a line of your own. \
                Every change is saved, and the totals are worked out again by InvoiceFlow." }
            (totals(&context.fmt, saved, None))
            div.fields {
                (field(form, &t("field-notes"), "notes", Input::Area))
                (field(form, &t("footer"), "footer", Input::Area))
            }
            button type="submit" { (t("save-draft")) }
            span role="status" class="saved" {
                @if saved.is_some() && form.message.is_none() { " " (t("saved")) }
            }
        }
    }
}

/// The line fields, in the order of the table: (name, label).
const LINE_FIELDS: &[(&str, &str)] = &[
    ("service_id", "from-catalogue"),
    ("description", "field-description"),
    ("quantity", "quantity"),
    ("unit", "field-unit"),
    ("unit_price", "field-unit-price"),
    ("tax_rate", "tax-percent"),
    ("tax_category", "field-category"),
    ("exemption_reason", "field-exemption-reason"),
    ("discount_percent", "discount-percent"),
];

pub(super) fn line_row(
    form: &Form,
    i: usize,
    blank: bool,
    services: &[(&str, &str)],
    saved: Option<&Content>,
    fmt: &Fmt,
) -> Markup {
    let name = |f: &str| format!("lines[{i}].{f}");
    let n = (i + 1).to_string();
    let label = |id: &str| t_with(id, &[("n", &n)]);
    let net = saved
        .filter(|_| !blank)
        .and_then(|doc| Some(fmt.money(&doc.lines.get(i)?.net, doc.currency)));
    html! {
        tr {
            td.wide { (field(form, &label("line-from-catalogue"), &name("service_id"), Input::Select(services))) }
            td.wide { (field(form, &label("line-description"), &name("description"), Input::Area)) }
            td { (field(form, &label("line-quantity"), &name("quantity"), Input::Decimal)) }
            td { (field(form, &label("line-unit"), &name("unit"), Input::Text)) }
            td { (field(form, &label("line-unit-price"), &name("unit_price"), Input::Decimal)) }
            td { (field(form, &label("line-tax-rate"), &name("tax_rate"), Input::Decimal)) }
            td { (field(form, &label("line-category"), &name("tax_category"), Input::Choice(TAX_CATEGORIES))) }
            td.wide { (field(form, &label("line-exemption-reason"), &name("exemption_reason"), Input::Text)) }
            td { (field(form, &label("line-discount"), &name("discount_percent"), Input::Decimal)) }
            td.num { (net.unwrap_or_default()) }
            td {
                @if !blank {
                    @let id = page::id_of(&name("_remove"));
                    label.check for=(id) {
                        input type="checkbox" id=(id) name=(name("_remove")) value="on";
                        span { (label("line-remove")) }
                    }
                }
            }
        }
    }
}

/// A draft's form: the document as the API answered it, with its `ETag`.
fn draft_form(doc: &impl serde::Serialize, etag: String) -> Form {
    let mut form = Form::of(&serde_json::to_value(doc).unwrap_or_default());
    form.set("_etag", etag);
    form
}

/// A draft as the API answered it, of either kind.
pub(super) enum Draft {
    Proposal(Got<View<Proposal>>),
    Invoice(Got<View<Invoice>>),
}

impl Draft {
    fn kind(&self) -> Kind {
        match self {
            Self::Proposal(_) => Kind::Proposal,
            Self::Invoice(_) => Kind::Invoice,
        }
    }

    fn content(&self) -> &Content {
        match self {
            Self::Proposal(got) => &got.value.record.content,
            Self::Invoice(got) => &got.value.record.content,
        }
    }

    fn id(&self) -> &str {
        match self {
            Self::Proposal(got) => &got.value.id,
            Self::Invoice(got) => &got.value.id,
        }
    }

    fn etag(&self) -> &str {
        match self {
            Self::Proposal(got) => &got.etag,
            Self::Invoice(got) => &got.etag,
        }
    }

    fn form(&self) -> Form {
        let etag = self.etag().to_owned();
        match self {
            Self::Proposal(got) => draft_form(&got.value, etag),
            Self::Invoice(got) => draft_form(&got.value, etag),
        }
    }

    /// What `kind`'s `PATCH` answered.
    fn of(kind: Kind, reply: super::Reply) -> Result<Self, Failure> {
        Ok(match kind {
            Kind::Proposal => Self::Proposal(typed(reply)?),
            Kind::Invoice => Self::Invoice(typed(reply)?),
        })
    }
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
            kind.api_record(id),
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
        let draft = Draft::of(kind, reply)?;
        let form = draft.form();
        return Ok(editor(kind, id, &form, Some(draft.content()), &context).into_response());
    }
    Submission { reply, sent }.refused(&fields, |form| editor(kind, id, form, None, &context))
}

pub(super) async fn draft_page(
    web: &Web,
    headers: &HeaderMap,
    id: &str,
    draft: &Draft,
) -> Result<Response, Failure> {
    let kind = draft.kind();
    let context = editor_context(web, headers).await?;
    let form = draft.form();
    let etag = draft.etag();
    let title = t(&format!("{}-draft", kind.singular()));
    let path = kind.path();
    let content = html! {
        div.actions {
            @match kind {
                Kind::Proposal => (page::action(&format!("/proposals/{id}/do/send"), &t("send-to-customer"), "")),
                Kind::Invoice => (page::action(&format!("/invoices/{id}/do/issue"), &t("issue-invoice"), "")),
            }
            a.button.secondary href=(kind.api_of(id, "pdf")) download { (t("preview-pdf")) }
            form.action hx-post=(format!("/{path}/{id}/delete")) hx-target="this" hx-swap="outerHTML" {
                (hidden("_etag", etag))
                button.danger type="submit" { (t("delete-draft")) }
            }
        }
        (editor(kind, id, &form, Some(draft.content()), &context))
    };
    Ok(page::page(&title, kind.section(), content).into_response())
}

/// A kind of document with drafts: proposals and invoices.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Proposal,
    Invoice,
}

impl Kind {
    pub(super) fn parse(path: &str) -> Option<Self> {
        match path {
            "proposals" => Some(Self::Proposal),
            "invoices" => Some(Self::Invoice),
            _ => None,
        }
    }

    pub(super) fn path(self) -> &'static str {
        match self {
            Self::Proposal => "proposals",
            Self::Invoice => "invoices",
        }
    }

    /// The API's records of this kind: `/v1/invoices`.
    pub(super) fn api_path(self) -> &'static str {
        match self {
            Self::Proposal => reads::records::<Proposal>(),
            Self::Invoice => reads::records::<Invoice>(),
        }
    }

    /// One record of this kind in the API.
    pub(super) fn api_record(self, id: &str) -> String {
        format!("{}/{id}", self.api_path())
    }

    /// What is done to a record of this kind, or made from it: `/v1/invoices/inv_…/issue`.
    pub(super) fn api_of(self, id: &str, what: &str) -> String {
        format!("{}/{id}/{what}", self.api_path())
    }

    pub(super) fn singular(self) -> &'static str {
        match self {
            Self::Proposal => "proposal",
            Self::Invoice => "invoice",
        }
    }

    pub(super) fn section(self) -> Section {
        match self {
            Self::Proposal => Section::Proposals,
            Self::Invoice => Section::Invoices,
        }
    }

    /// The date after the issue date: when it is due, or until when it is valid.
    pub(super) fn second_date(self) -> (&'static str, &'static str) {
        match self {
            Self::Proposal => ("valid_until", "valid-until"),
            Self::Invoice => ("due_date", "due-date"),
        }
    }

    pub(super) fn statuses(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Proposal => &[
                ("", "any-status"),
                ("draft", "status-draft"),
                ("sent", "status-sent"),
                ("accepted", "status-accepted"),
                ("declined", "status-declined"),
                ("expired", "status-expired"),
                ("converted", "status-converted"),
            ],
            Self::Invoice => &[
                ("", "any-status"),
                ("draft", "status-draft"),
                ("issued", "status-issued"),
                ("partially_paid", "status-partially_paid"),
                ("paid", "status-paid"),
                ("void", "status-void"),
            ],
        }
    }
}

/// Up to 100 of the account's customers, as a picker's options.
pub(super) async fn customer_options(
    web: &Web,
    headers: &HeaderMap,
) -> Result<Vec<(String, String)>, Failure> {
    let page = web
        .api
        .read(headers, reads::list::<Customer>([("limit", Some("100"))]))
        .await?;
    Ok(page
        .data
        .into_iter()
        .map(|customer| (customer.id, customer.record.name.to_string()))
        .collect())
}

/// Whether an amount is other than zero.
fn nonzero(amount: &Money) -> bool {
    !amount.value().is_zero()
}

/// What an issued invoice's totals add: what was paid and credited, and what is still due.
pub(super) struct Balance<'a> {
    pub paid: &'a Money,
    pub credited: &'a Money,
    pub due: &'a Money,
}

/// The totals as the API computed them for the saved document, and an issued invoice's
/// balance.
pub(super) fn totals(fmt: &Fmt, saved: Option<&Content>, balance: Option<Balance<'_>>) -> Markup {
    html! {
        div.totals aria-live="polite" {
            @if let Some(doc) = saved {
                @let currency = doc.currency;
                table {
                    caption { (t("totals")) }
                    tbody {
                        tr { th scope="row" { (t("net")) } td.num data-total="net" { (fmt.money(&doc.net_total, currency)) } }
                        @if nonzero(&doc.discount_total) {
                            tr { th scope="row" { (t("discount")) } td.num { "−" (fmt.money(&doc.discount_total, currency)) } }
                        }
                        @for tax in &doc.tax_breakdown {
                            tr { th scope="row" { (t_with("tax-on", &[("rate", &fmt.percent(&tax.rate)), ("base", &fmt.money(&tax.base, currency))])) }
                                 td.num { (fmt.money(&tax.tax, currency)) } }
                        }
                        tr { th scope="row" { (t("tax")) } td.num data-total="tax" { (fmt.money(&doc.tax_total, currency)) } }
                        tr.total { th scope="row" { (t("col-total")) } td.num data-total="total" { (fmt.money(&doc.total, currency)) } }
                        @if let Some(balance) = balance {
                            tr { th scope="row" { (t("status-paid")) } td.num { (fmt.money(balance.paid, currency)) } }
                            @if nonzero(balance.credited) {
                                tr { th scope="row" { (t("credited")) } td.num { (fmt.money(balance.credited, currency)) } }
                            }
                            tr.total { th scope="row" { (t("amount-due")) } td.num data-total="due" { (fmt.money(balance.due, currency)) } }
                        }
                    }
                }
            } @else {
                p { (t("totals-pending")) }
            }
        }
    }
}
