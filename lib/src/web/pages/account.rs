//! The account: company profile and settings, password, deletion, exports, the audit trail.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Serialize;

use super::records::Paging;
use super::{Fields, idempotency, listed, own, submit};
use crate::app::numbering::{Series, SeriesState};
use crate::domain::account::CompanyProfile;
use crate::domain::settings::Settings;
use crate::export::Dataset;
use crate::http::account::Versioned;
use crate::web::form::Form;
use crate::web::page::{
    self, Input, Section, address, field, hidden, hinted, next_link, notice, once, required,
};
use crate::web::pages::auth::currencies;
use crate::web::reads::{self, Got, typed};
use crate::web::show::or_empty;
use crate::web::{Failure, Web, go_to, went};

const COMPANY_NAMES: &[&str] = &[
    "legal_name",
    "email",
    "phone",
    "website",
    "tax_id",
    "registration_number",
    "electronic_address.scheme",
    "electronic_address.id",
    "currency",
    "address.lines[0]",
    "address.lines[1]",
    "address.postal_code",
    "address.city",
    "address.region",
    "address.country",
    "bank_account.holder",
    "bank_account.iban",
    "bank_account.bic",
];

fn company_form(form: &Form, saved: bool) -> Markup {
    html! {
        form.card hx-post="/settings/company" hx-target="this" hx-swap="outerHTML" {
            h2 { "Company profile" }
            p.hint { "What your documents say about you. EU e-invoices need your address and tax id." }
            @if saved { p.ok role="status" { "Company profile saved." } }
            (notice(form, COMPANY_NAMES))
            (hidden("_etag", form.value("_etag")))
            div.fields {
                (required(form, "Legal name", "legal_name", Input::Text))
                (field(form, "Email", "email", Input::Email))
                (field(form, "Phone", "phone", Input::Text))
                (hinted(form, "Website", "website", Input::Text, "https://…"))
                (hinted(form, "Tax id", "tax_id", Input::Text, "VAT number, e.g. DE123456789"))
                (hinted(form, "Registration number", "registration_number", Input::Text, "In the register of companies, e.g. HRB 123456 B"))
                (hinted(form, "E-invoice address scheme", "electronic_address.scheme", Input::Text, "Its EAS code, e.g. 0208 (Belgium), 9930 (German VAT), 0088 (GLN)"))
                (hinted(form, "E-invoice address", "electronic_address.id", Input::Text, "Your Peppol identifier in that scheme"))
                (required(form, "Currency", "currency", Input::Select(currencies())))
            }
            (address(form, "Address", "address"))
            fieldset {
                legend { "Bank account for payments" }
                div.fields {
                    (field(form, "Account holder", "bank_account.holder", Input::Text))
                    (field(form, "IBAN", "bank_account.iban", Input::Text))
                    (field(form, "BIC", "bank_account.bic", Input::Text))
                }
            }
            button type="submit" { "Save company profile" }
        }
    }
}

const SETTINGS_NAMES: &[&str] = &[
    "invoice_number_prefix",
    "proposal_number_prefix",
    "credit_note_number_prefix",
    "payment_terms_days",
    "proposal_validity_days",
    "default_tax_rate",
    "locale",
    "time_zone",
    "invoice_notes",
    "invoice_footer",
    "small_business_exemption",
];

const LOCALES: &[(&str, &str)] = &[
    ("en-US", "English (United States)"),
    ("en-GB", "English (United Kingdom)"),
    ("de-DE", "Deutsch (Deutschland)"),
    ("de-AT", "Deutsch (Österreich)"),
    ("de-CH", "Deutsch (Schweiz)"),
    ("fr-FR", "Français (France)"),
    ("nl-NL", "Nederlands"),
    ("it-IT", "Italiano"),
    ("es-ES", "Español"),
    ("pt-PT", "Português"),
    ("sv-SE", "Svenska"),
    ("da-DK", "Dansk"),
    ("pl-PL", "Polski"),
    ("ja-JP", "日本語"),
];

fn settings_form(form: &Form, saved: bool) -> Markup {
    html! {
        form.card hx-post="/settings/preferences" hx-target="this" hx-swap="outerHTML" {
            h2 { "Numbers, terms and language" }
            @if saved { p.ok role="status" { "Settings saved." } }
            (notice(form, SETTINGS_NAMES))
            (hidden("_etag", form.value("_etag")))
            div.fields {
                (hinted(form, "Invoice numbers start with", "invoice_number_prefix", Input::Text, "e.g. INV-{YYYY}-"))
                (field(form, "Proposal numbers start with", "proposal_number_prefix", Input::Text))
                (field(form, "Credit note numbers start with", "credit_note_number_prefix", Input::Text))
                (hinted(form, "Payment terms (days)", "payment_terms_days:int", Input::Number, "0: due on receipt"))
                (field(form, "Proposals valid for (days)", "proposal_validity_days:int", Input::Number))
                (field(form, "Default tax rate (%)", "default_tax_rate", Input::Decimal))
                (field(form, "Language and number format", "locale", Input::Select(LOCALES)))
                (hinted(form, "Time zone", "time_zone", Input::Text, "e.g. Europe/Berlin"))
            }
            div.fields {
                (field(form, "Notes on every invoice", "invoice_notes", Input::Area))
                (field(form, "Footer of every invoice", "invoice_footer", Input::Area))
            }
            (field(form, "Exempt from VAT as a small business (e.g. § 19 UStG, art. 293 B CGI): every line is exempt, with the sentence your country requires", "small_business_exemption", Input::Check))
            button type="submit" { "Save settings" }
        }
    }
}

/// What a series numbers.
fn series_label(series: Series) -> &'static str {
    match series {
        Series::Invoice => "Invoices",
        Series::CreditNote => "Credit notes",
        Series::Proposal => "Proposals",
    }
}

/// One series: where it stands (unknown while it cannot be read), and a form to raise it.
fn series_form(series: Series, state: Option<&SeriesState>, form: &Form, saved: bool) -> Markup {
    let (name, label) = (series.name(), series_label(series));
    let form = form.clone().scoped(name);
    html! {
        form hx-post=(format!("/settings/series/{name}")) hx-target="this" hx-swap="outerHTML" {
            h3 { (label) }
            p { "Next number: " strong data-series=(name) { (state.map_or("", |s| s.next_number.as_str())) } }
            @if saved { p.ok role="status" { "Raised." } }
            (notice(&form, &["next"]))
            (field(&form, "Continue from number", "next:int", Input::Number))
            button.secondary type="submit" { "Raise " (label.to_lowercase()) }
        }
    }
}

/// `POST /settings/series/{series}`: raises a series (`PUT /v1/number-series/{series}`).
pub async fn raise_series(
    State(web): State<Web>,
    headers: HeaderMap,
    axum::extract::Path(series): axum::extract::Path<String>,
    fields: Fields,
) -> Result<Response, Failure> {
    let series = Series::parse(&series).ok_or(Failure::NotFound)?;
    let path = reads::series(series.name());
    let sent = submit(&web, &headers, Method::PUT, path, &fields, Vec::new()).await;
    if sent.reply.is_success() {
        let state = typed::<SeriesState>(sent.reply)?.value;
        return Ok(series_form(series, Some(&state), &Form::default(), true).into_response());
    }
    let current = web
        .api
        .read(&headers, reads::number_series())
        .await
        .unwrap_or_default();
    let state = current.iter().find(|state| state.series == series);
    sent.refused(&fields, |form| series_form(series, state, form, false))
}

fn password_form(form: &Form, saved: bool) -> Markup {
    html! {
        form.card.narrow hx-post="/settings/password" hx-target="this" hx-swap="outerHTML" {
            h2 { "Password" }
            @if saved { p.ok role="status" { "Password changed. Your other sessions were logged out." } }
            (notice(form, &["current_password", "new_password"]))
            (required(form, "Current password", "current_password", Input::Password { autocomplete: "current-password" }))
            (hinted(form, "New password", "new_password", Input::Password { autocomplete: "new-password" },
                "12 to 72 characters; a few unrelated words make a strong one."))
            button type="submit" { "Change password" }
        }
    }
}

fn delete_form(form: &Form, legal_name: &str) -> Markup {
    html! {
        form.card.narrow hx-post="/settings/delete" hx-target="this" hx-swap="outerHTML" {
            h2 { "Delete the account" }
            p { "Deleting the account logs you out at once and can not be undone. Every record, \
                file and export is destroyed within 30 days. Export what you want to keep first." }
            (notice(form, &["password", "confirm"]))
            (required(form, "Your password", "password", Input::Password { autocomplete: "current-password" }))
            (hinted(form, "Type your company's legal name to confirm", "confirm", Input::Text, legal_name))
            button.danger type="submit" { "Delete the account and all its data" }
        }
    }
}

/// A form showing a singleton the API answered, with its `ETag`.
fn singleton_form<T: Serialize>(got: &Got<Versioned<T>>) -> Form {
    let mut form = Form::of(&serde_json::to_value(&got.value).unwrap_or_default());
    form.set("_etag", got.etag.clone());
    form
}

/// The company profile; `None` until the account has one (the API's 404).
async fn company(
    web: &Web,
    headers: &HeaderMap,
) -> Result<Option<Got<Versioned<CompanyProfile>>>, Failure> {
    match web.api.read_tagged(headers, reads::company()).await {
        Ok(got) => Ok(Some(got)),
        Err(Failure::NotFound) => Ok(None),
        Err(failure) => Err(failure),
    }
}

pub async fn settings(State(web): State<Web>, headers: HeaderMap) -> Result<Response, Failure> {
    let (company, settings, series) = tokio::join!(
        company(&web, &headers),
        web.api.read_tagged(&headers, reads::settings()),
        web.api.read(&headers, reads::number_series()),
    );
    let (company, settings, series) = (company?, settings?, series?);
    let legal_name = company
        .as_ref()
        .map(|got| got.value.record.legal_name.to_string())
        .unwrap_or_default();
    let company_form_shown = company.as_ref().map(singleton_form).unwrap_or_default();
    let content = html! {
        (company_form(&company_form_shown, false))
        (settings_form(&singleton_form(&settings), false))
        section.card aria-labelledby="series-heading" {
            h2 id="series-heading" { "Number series" }
            p { "Each series numbers its documents without gaps. To continue the numbers of \
                another tool, raise a series to the next number it should give; a series is \
                never lowered." }
            div.grid {
                @for state in &series {
                    (series_form(state.series, Some(state), &Form::default(), false))
                }
            }
        }
        (password_form(&Form::default(), false))
        (delete_form(&Form::default(), &legal_name))
    };
    Ok(page::page("Settings", Section::Settings, content).into_response())
}

/// A singleton's form sent with `If-Match` (`*` for a first company profile), answered with
/// the form again: as saved, or with what was refused.
async fn save_singleton<T: Serialize + serde::de::DeserializeOwned>(
    web: &Web,
    headers: &HeaderMap,
    fields: &Fields,
    (method, path): (Method, &str),
    form_of: fn(&Form, bool) -> Markup,
) -> Result<Response, Failure> {
    let etag = own(fields, "_etag").unwrap_or("*").to_owned();
    let if_match = vec![(header::IF_MATCH, etag)];
    let sent = submit(web, headers, method, path, fields, if_match).await;
    if sent.reply.is_success() {
        let form = singleton_form(&typed::<Versioned<T>>(sent.reply)?);
        return Ok(form_of(&form, true).into_response());
    }
    sent.refused(fields, |form| form_of(form, false))
}

pub async fn save_company(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    let put = (Method::PUT, reads::COMPANY);
    save_singleton::<CompanyProfile>(&web, &headers, &fields, put, company_form).await
}

pub async fn save_settings(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    let patch = (Method::PATCH, reads::SETTINGS);
    save_singleton::<Settings>(&web, &headers, &fields, patch, settings_form).await
}

pub async fn change_password(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    let path = reads::PASSWORD;
    let sent = submit(&web, &headers, Method::POST, path, &fields, Vec::new()).await;
    if sent.reply.is_success() {
        // The API ended every other session and set this one a new cookie.
        let mut response = password_form(&Form::default(), true).into_response();
        for cookie in sent.reply.cookies() {
            response
                .headers_mut()
                .append(header::SET_COOKIE, cookie.clone());
        }
        return Ok(response);
    }
    sent.refused(&fields, |form| password_form(form, false))
}

pub async fn delete_account(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    let sent = submit(
        &web,
        &headers,
        Method::DELETE,
        reads::ACCOUNT,
        &fields,
        Vec::new(),
    )
    .await;
    if sent.reply.is_success() {
        let mut response = went("/login?deleted=1", &sent.reply);
        response
            .headers_mut()
            .append(header::SET_COOKIE, crate::auth::cookie::clear_session());
        return Ok(response);
    }
    let legal_name = company(&web, &headers)
        .await
        .ok()
        .flatten()
        .map(|got| got.value.record.legal_name.to_string())
        .unwrap_or_default();
    sent.refused(&fields, |form| delete_form(form, &legal_name))
}

/// What an export holds, in words.
fn dataset_label(dataset: Dataset) -> &'static str {
    match dataset {
        Dataset::Invoices => "Invoices (CSV)",
        Dataset::InvoiceLines => "Invoice lines (CSV)",
        Dataset::Payments => "Payments (CSV)",
        Dataset::Customers => "Customers (CSV)",
        Dataset::Services => "Services (CSV)",
        Dataset::Proposals => "Proposals (CSV)",
        Dataset::Account => "Everything, with PDFs (ZIP)",
    }
}

/// The form's choices: the API's name of each dataset, and its label.
const DATASETS: &[(&str, &str)] = &[
    ("invoices", "Invoices (CSV)"),
    ("invoice_lines", "Invoice lines (CSV)"),
    ("payments", "Payments (CSV)"),
    ("customers", "Customers (CSV)"),
    ("services", "Services (CSV)"),
    ("proposals", "Proposals (CSV)"),
    ("account", "Everything, with PDFs (ZIP)"),
];

fn export_form(form: &Form) -> Markup {
    html! {
        form.card.narrow hx-post="/exports" hx-target="this" hx-swap="outerHTML" {
            (notice(form, &["dataset"]))
            (once())
            (required(form, "What to export", "dataset", Input::Select(DATASETS)))
            button type="submit" { "Export" }
        }
    }
}

pub async fn exports(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Result<Response, Failure> {
    let (page, fmt) = listed(&web, &headers, reads::exports(paging.next.as_deref())).await?;
    let items = page.data;
    let content = html! {
        p { "An export is a file of your data. Its link works for a short while; \
            come back here for a fresh one." }
        (export_form(&Form::default()))
        @if items.is_empty() {
            p { "No exports yet." }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { "Made" } th scope="col" { "Data" }
                    th.num scope="col" { "Rows" } th scope="col" { "File" }
                } }
                tbody { @for item in &items { tr {
                    td { (fmt.day(item.created_at)) }
                    td { (dataset_label(item.dataset)) }
                    td.num { (item.rows) }
                    td {
                        @if let Some(url) = &item.url {
                            a href=(url) rel="noreferrer" { "Download" }
                        } @else { "Expired" }
                    }
                } } }
            } }
        }
        (next_link("/exports", &[], page.next.as_deref()))
    };
    Ok(page::page("Exports", Section::Exports, content).into_response())
}

pub async fn create_export(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    let key = idempotency(&fields);
    let sent = submit(&web, &headers, Method::POST, reads::EXPORTS, &fields, key).await;
    if sent.reply.is_success() {
        return Ok(go_to("/exports"));
    }
    sent.refused(&fields, export_form)
}

pub async fn audit(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Result<Response, Failure> {
    let page = web
        .api
        .read(&headers, reads::audit(paging.next.as_deref()))
        .await?;
    let items = &page.data;
    let content = html! {
        p { "Everything done in this account, newest first: who, what, on which record, and whether it was allowed." }
        div.table { table {
            thead { tr {
                th scope="col" { "When (UTC)" } th scope="col" { "Action" } th scope="col" { "Record" }
                th scope="col" { "Outcome" }
            } }
            tbody { @for item in items { tr {
                td { (item.at.to_string().replace('T', " ").trim_end_matches('Z')) }
                td { code { (item.action) } }
                td { (or_empty(&item.object)) }
                td { (item.outcome.replace('_', " ")) }
            } } }
        } }
        (next_link("/audit", &[], page.next.as_deref()))
    };
    Ok(page::page("Audit trail", Section::Audit, content).into_response())
}
