//! The account: company profile and settings, password, deletion, exports, the audit trail.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Serialize;

use super::records::Paging;
use super::{Fields, confirm, idempotency, listed, own, submit};
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
use crate::web::ui::{self, t, t_with};
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
            h2 { (t("company-profile")) }
            p.hint { (t("company-profile-hint")) }
            @if saved { p.ok role="status" { (t("company-profile-saved")) } }
            (notice(form, COMPANY_NAMES))
            (hidden("_etag", form.value("_etag")))
            div.fields {
                (required(form, &t("legal-name"), "legal_name", Input::Text))
                (field(form, &t("field-email"), "email", Input::Email))
                (field(form, &t("field-phone"), "phone", Input::Text))
                (hinted(form, &t("website"), "website", Input::Text, "https://…"))
                (hinted(form, &t("field-tax-id"), "tax_id", Input::Text, &t("hint-tax-id")))
                (hinted(form, &t("registration-number"), "registration_number", Input::Text, &t("hint-registration-number")))
                (hinted(form, &t("field-eas-scheme"), "electronic_address.scheme", Input::Text, &t("hint-eas-scheme")))
                (hinted(form, &t("field-eas-id"), "electronic_address.id", Input::Text, &t("hint-own-eas-id")))
                (required(form, &t("field-currency"), "currency", Input::Choice(currencies())))
            }
            (address(form, &t("address"), "address"))
            fieldset {
                legend { (t("bank-account")) }
                div.fields {
                    (field(form, &t("account-holder"), "bank_account.holder", Input::Text))
                    (field(form, "IBAN", "bank_account.iban", Input::Text))
                    (field(form, "BIC", "bank_account.bic", Input::Text))
                }
            }
            (confirm::fields(form))
            button type="submit" { (t("save-company-profile")) }
        }
    }
}

const SETTINGS_NAMES: &[&str] = &[
    "invoice_number_prefix",
    "proposal_number_prefix",
    "credit_note_number_prefix",
    "payment_terms_days",
    "proposal_validity_days",
    "document_link_days",
    "default_tax_rate",
    "locale",
    "time_zone",
    "invoice_notes",
    "invoice_footer",
    "small_business_exemption",
    "reminders.enabled",
    "reminders.interest_percent",
    "reminders.compensation",
    "reminders.stages[0].days",
    "reminders.stages[0].fee",
    "reminders.stages[0].subject",
    "reminders.stages[0].message",
    "reminders.stages[1].days",
    "reminders.stages[1].fee",
    "reminders.stages[1].subject",
    "reminders.stages[1].message",
    "reminders.stages[2].days",
    "reminders.stages[2].fee",
    "reminders.stages[2].subject",
    "reminders.stages[2].message",
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
            h2 { (t("numbers-terms-language")) }
            @if saved { p.ok role="status" { (t("settings-saved")) } }
            (notice(form, SETTINGS_NAMES))
            (hidden("_etag", form.value("_etag")))
            div.fields {
                (hinted(form, &t("invoice-prefix"), "invoice_number_prefix", Input::Text, &t("hint-invoice-prefix")))
                (field(form, &t("proposal-prefix"), "proposal_number_prefix", Input::Text))
                (field(form, &t("credit-note-prefix"), "credit_note_number_prefix", Input::Text))
                (hinted(form, &t("payment-terms"), "payment_terms_days:int", Input::Number, &t("hint-payment-terms")))
                (field(form, &t("proposal-validity"), "proposal_validity_days:int", Input::Number))
                (hinted(form, &t("link-days"), "document_link_days:int", Input::Number, &t("hint-link-days")))
                (field(form, &t("default-tax-rate"), "default_tax_rate", Input::Decimal))
                (hinted(form, &t("locale"), "locale", Input::Select(LOCALES), &t("hint-locale")))
                (hinted(form, &t("time-zone"), "time_zone", Input::Text, &t("hint-time-zone")))
            }
            div.fields {
                (field(form, &t("invoice-notes"), "invoice_notes", Input::Area))
                (field(form, &t("invoice-footer"), "invoice_footer", Input::Area))
            }
            (field(form, &t("small-business"), "small_business_exemption", Input::Check))
            fieldset {
                legend { (t("reminders")) }
                (hinted(form, &t("reminders-enabled"), "reminders.enabled", Input::Check, &t("hint-reminders-enabled")))
                div.fields {
                    (hinted(form, &t("reminders-interest"), "reminders.interest_percent", Input::Decimal, &t("hint-reminders-interest")))
                    (hinted(form, &t("reminders-compensation"), "reminders.compensation", Input::Decimal, &t("hint-reminders-compensation")))
                }
                @for i in 0..crate::domain::reminders::MAX_STAGES {
                    @let n = (i + 1).to_string();
                    @let label = |id: &str| t_with(id, &[("n", &n)]);
                    div.fields {
                        (field(form, &label("reminder-days"), &format!("reminders.stages[{i}].days:int"), Input::Number))
                        (field(form, &label("reminder-fee"), &format!("reminders.stages[{i}].fee"), Input::Decimal))
                        (field(form, &label("reminder-subject"), &format!("reminders.stages[{i}].subject"), Input::Text))
                        (field(form, &label("reminder-message"), &format!("reminders.stages[{i}].message"), Input::Area))
                    }
                }
            }
            button type="submit" { (t("save-settings")) }
        }
    }
}

/// What a series numbers.
fn series_label(series: Series) -> &'static str {
    match series {
        Series::Invoice => "series-invoices",
        Series::CreditNote => "series-credit-notes",
        Series::Proposal => "series-proposals",
    }
}

/// One series: where it stands (unknown while it cannot be read), and a form to raise it.
fn series_form(series: Series, state: Option<&SeriesState>, form: &Form, saved: bool) -> Markup {
    let (name, label) = (series.name(), series_label(series));
    let form = form.clone().scoped(name);
    html! {
        form hx-post=(format!("/settings/series/{name}")) hx-target="this" hx-swap="outerHTML" {
            h3 { (t(label)) }
            p { (t("next-number")) " " strong data-series=(name) { (state.map_or("", |s| s.next_number.as_str())) } }
            @if saved { p.ok role="status" { (t("raised")) } }
            (notice(&form, &["next"]))
            (field(&form, &t("continue-from"), "next:int", Input::Number))
            button.secondary type="submit" { (t(&format!("{label}-raise"))) }
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
            h2 { (t("field-password")) }
            @if saved { p.ok role="status" { (t("password-changed")) } }
            (notice(form, &["current_password", "new_password"]))
            (required(form, &t("current-password"), "current_password", Input::Password { autocomplete: "current-password" }))
            (hinted(form, &t("new-password"), "new_password", Input::Password { autocomplete: "new-password" },
                &t("hint-new-password")))
            button type="submit" { (t("change-password")) }
        }
    }
}

/// The address the user logs in with: changed with the password confirmed again.
fn email_form(form: &Form, saved: bool) -> Markup {
    // Its password field's id apart from the other forms'.
    let form = &form.clone().scoped("email");
    html! {
        form.card.narrow hx-post="/settings/email" hx-target="this" hx-swap="outerHTML" {
            h2 { (t("email-address")) }
            @if saved { p.ok role="status" { (t("email-changed")) } }
            (notice(form, &["email"]))
            (required(form, &t("new-email"), "email", Input::Email))
            (confirm::fields(form))
            button type="submit" { (t("change-email")) }
        }
    }
}

/// `POST /settings/email`: the new address (`PUT /v1/auth/email`), the password asked for
/// first when the API wants it confirmed.
pub async fn change_email(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    if let Some(form) = confirm::first(&web, &headers, &fields).await? {
        return Ok(crate::web::refused(email_form(&form, false)));
    }
    let sent = submit(
        &web,
        &headers,
        Method::PUT,
        reads::EMAIL,
        &fields,
        Vec::new(),
    )
    .await;
    if sent.reply.is_success() {
        return Ok(email_form(&Form::default(), true).into_response());
    }
    if let Some(form) = confirm::asked(&fields, &sent, "confirm-for-email") {
        return Ok(crate::web::refused(email_form(&form, false)));
    }
    sent.refused(&fields, |form| email_form(form, false))
}

/// Two-factor authentication: set up (with the password), or turned off (with the password
/// and a code).
fn two_factor_form(on: bool, form: &Form) -> Markup {
    // Its password field's id apart from the deletion form's.
    let form = &form.clone().scoped("two-factor");
    html! {
        @if on {
            form.card.narrow hx-post="/settings/two-factor/off" hx-target="this" hx-swap="outerHTML" {
                h2 { (t("two-factor")) }
                p.ok role="status" { (t("two-factor-is-on")) }
                (notice(form, &["password", "code", "recovery_code"]))
                (required(form, &t("your-password"), "password", Input::Password { autocomplete: "current-password" }))
                (hinted(form, &t("field-code"), "code", Input::Text, &t("hint-code")))
                button.danger type="submit" { (t("two-factor-turn-off")) }
            }
        } @else {
            form.card.narrow hx-post="/settings/two-factor" hx-target="this" hx-swap="outerHTML" {
                h2 { (t("two-factor")) }
                p { (t("two-factor-explained")) }
                (notice(form, &["password"]))
                (required(form, &t("your-password"), "password", Input::Password { autocomplete: "current-password" }))
                button type="submit" { (t("two-factor-set-up")) }
            }
        }
    }
}

/// The secret just made: its QR code and key, and the field for the app's first code.
fn two_factor_enrolment(qr_svg: &str, secret: &str, form: &Form) -> Markup {
    let form = &form.clone().scoped("two-factor");
    // Our own QR code's SVG (no script, no style), without its XML declaration.
    let svg = qr_svg
        .find("<svg")
        .map_or("", |at| &qr_svg[at..])
        .to_owned();
    html! {
        form.card.narrow hx-post="/settings/two-factor/confirm" hx-target="this" hx-swap="outerHTML" {
            h2 { (t("two-factor")) }
            p { (t("two-factor-scan")) }
            div.qr role="img" aria-label=(t("two-factor-qr")) { (maud::PreEscaped(svg)) }
            p { (t("two-factor-key")) " " code.secret { (secret) } }
            (hidden("_secret", secret))
            (hidden("_qr", qr_svg))
            (notice(form, &["code"]))
            (required(form, &t("field-code"), "code", Input::Text))
            button type="submit" { (t("two-factor-turn-on")) }
        }
    }
}

fn delete_form(form: &Form, legal_name: &str) -> Markup {
    html! {
        form.card.narrow hx-post="/settings/delete" hx-target="this" hx-swap="outerHTML" {
            h2 { (t("delete-account")) }
            p { (t("delete-account-explained")) }
            (notice(form, &["password", "confirm"]))
            (required(form, &t("your-password"), "password", Input::Password { autocomplete: "current-password" }))
            (hinted(form, &t("type-legal-name"), "confirm", Input::Text, legal_name))
            button.danger type="submit" { (t("delete-account-button")) }
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

pub async fn settings(
    State(web): State<Web>,
    headers: HeaderMap,
    Query(saved): Query<Saved>,
) -> Result<Response, Failure> {
    let (company, settings, series, suppressions, fmt, session) = tokio::join!(
        company(&web, &headers),
        web.api.read_tagged(&headers, reads::settings()),
        web.api.read(&headers, reads::number_series()),
        web.api.get(&headers, "/v1/suppressions"),
        super::fmt(&web, &headers),
        web.api.get(&headers, reads::SESSION),
    );
    let two_factor_on = session.body["user"]["second_factor"] == true;
    let (company, settings, series, fmt) = (company?, settings?, series?, fmt?);
    let suppressions = typed::<Suppressions>(suppressions)?.value;
    let legal_name = company
        .as_ref()
        .map(|got| got.value.record.legal_name.to_string())
        .unwrap_or_default();
    let company_form_shown = company.as_ref().map(singleton_form).unwrap_or_default();
    let content = html! {
        (company_form(&company_form_shown, false))
        (settings_form(&singleton_form(&settings), saved.saved.as_deref() == Some("settings")))
        section.card aria-labelledby="numbering-heading" {
            h2 id="numbering-heading" { (t("number-series")) }
            p { (t("number-series-explained")) }
            div.grid {
                @for state in &series {
                    (series_form(state.series, Some(state), &Form::default(), false))
                }
            }
        }
        (suppressions_section(&suppressions, &fmt))
        (password_form(&Form::default(), false))
        (email_form(&Form::default(), false))
        (two_factor_form(two_factor_on, &Form::default()))
        (delete_form(&Form::default(), &legal_name))
    };
    Ok(page::page(&t("nav-settings"), Section::Settings, content).into_response())
}

/// The account's suppressed addresses, as the API lists them.
#[derive(Debug, serde::Deserialize)]
struct Suppressions {
    data: Vec<Suppressed>,
}

#[derive(Debug, serde::Deserialize)]
struct Suppressed {
    id: String,
    #[serde(flatten)]
    suppression: crate::domain::link::Suppression,
}

/// The addresses documents are not sent to, each with a button that clears it.
fn suppressions_section(suppressions: &Suppressions, fmt: &crate::web::show::Fmt) -> Markup {
    use crate::domain::link::SuppressionReason;
    html! {
        section.card aria-labelledby="suppressed-heading" {
            h2 id="suppressed-heading" { (t("suppressed-addresses")) }
            p { (t("suppressed-explained")) }
            @if suppressions.data.is_empty() {
                p { (t("no-suppressed")) }
            } @else {
                div.table { table {
                    thead { tr {
                        th scope="col" { (t("col-address")) } th scope="col" { (t("col-reason")) }
                        th scope="col" { (t("col-date")) }
                        th scope="col" { span.visually-hidden { (t("actions")) } }
                    } }
                    tbody { @for row in &suppressions.data { tr {
                        td { (row.suppression.address.as_str()) }
                        td { (t(match row.suppression.reason {
                            SuppressionReason::Bounced => "suppressed-bounced",
                            SuppressionReason::Complained => "suppressed-complained",
                        })) }
                        td { (fmt.day(row.suppression.at)) }
                        td {
                            form.action hx-post=(format!("/settings/suppressions/{}/clear", row.id)) hx-target="closest section" hx-swap="outerHTML" {
                                button.link type="submit" { (t("clear-suppression")) span.visually-hidden { " " (row.suppression.address.as_str()) } }
                            }
                        }
                    } } }
                } }
            }
        }
    }
}

/// `POST /settings/suppressions/{id}/clear`: the address can be sent to again.
pub async fn clear_suppression(
    State(web): State<Web>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, Failure> {
    let id = super::records::safe_id(&id)?;
    let reply = web
        .api
        .send(
            &headers,
            Method::DELETE,
            format!("/v1/suppressions/{id}"),
            None,
            Vec::new(),
        )
        .await;
    if !reply.is_success() {
        return Err(Failure::Refused(reply.refusal()));
    }
    Ok(crate::web::go_to("/settings"))
}

/// A singleton's form sent with `If-Match` (`*` for a first company profile), answered with
/// the form again: as saved, or with what was refused.
async fn save_singleton<T: Serialize + serde::de::DeserializeOwned>(
    web: &Web,
    headers: &HeaderMap,
    fields: &Fields,
    (method, path): (Method, &str),
    form_of: fn(&Form, bool) -> Markup,
    saved: fn(&T, &mut Response),
) -> Result<Response, Failure> {
    let etag = own(fields, "_etag").unwrap_or("*").to_owned();
    let if_match = vec![(header::IF_MATCH, etag)];
    let sent = submit(web, headers, method, path, fields, if_match).await;
    if sent.reply.is_success() {
        let record = typed::<Versioned<T>>(sent.reply)?;
        let mut response = form_of(&singleton_form(&record), true).into_response();
        saved(&record.value.record, &mut response);
        return Ok(response);
    }
    if let Some(form) = confirm::asked(fields, &sent, "confirm-for-bank-account") {
        return Ok(crate::web::refused(form_of(&form, false)));
    }
    sent.refused(fields, |form| form_of(form, false))
}

pub async fn save_company(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    if let Some(form) = confirm::first(&web, &headers, &fields).await? {
        return Ok(crate::web::refused(company_form(&form, false)));
    }
    let put = (Method::PUT, reads::COMPANY);
    save_singleton::<CompanyProfile>(&web, &headers, &fields, put, company_form, |_, _| {}).await
}

pub async fn save_settings(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    let patch = (Method::PATCH, reads::SETTINGS);
    save_singleton::<Settings>(&web, &headers, &fields, patch, settings_form, keep_locale).await
}

/// The app follows the locale just saved: kept in the `ui` cookie, and, when it changed, the
/// settings page loaded again in it, saying it saved.
fn keep_locale(settings: &Settings, response: &mut Response) {
    let locale = settings.locale.as_str();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, ui::cookie(locale));
    if locale != ui::locale() {
        headers.insert(
            "hx-redirect",
            axum::http::HeaderValue::from_static("/settings?saved=settings"),
        );
    }
}

/// `?saved=settings` of the settings page: the preferences were just saved.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Saved {
    saved: Option<String>,
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

/// The API's refusal of a two-factor form, the form drawn again with it; a missing code is
/// asked for, not taken for an ended session.
fn two_factor_refused(
    fields: &[(String, String)],
    sent: &super::Submission,
    draw: impl FnOnce(&Form) -> Markup,
) -> Result<Response, Failure> {
    if sent.reply.problem_is("second-factor-required") {
        let mut form = Form::refused(fields, &sent.reply.refusal(), &sent.sent);
        form.message = Some(t("confirm-needs-code"));
        return Ok(crate::web::refused(draw(&form)));
    }
    sent.refused(fields, draw)
}

pub async fn start_two_factor(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    let sent = submit(
        &web,
        &headers,
        Method::POST,
        reads::SECOND_FACTOR,
        &fields,
        Vec::new(),
    )
    .await;
    if sent.reply.is_success() {
        let text = |name: &str| {
            sent.reply.body[name]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        };
        let (qr, secret) = (text("qr_svg"), text("secret"));
        return Ok(two_factor_enrolment(&qr, &secret, &Form::default()).into_response());
    }
    two_factor_refused(&fields, &sent, |form| two_factor_form(false, form))
}

pub async fn confirm_two_factor(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    let sent = submit(
        &web,
        &headers,
        Method::POST,
        reads::SECOND_FACTOR_CONFIRM,
        &fields,
        Vec::new(),
    )
    .await;
    if sent.reply.is_success() {
        let codes: Vec<String> = sent.reply.body["recovery_codes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|code| code.as_str().map(str::to_owned))
            .collect();
        return Ok(html! {
            section.card.narrow {
                h2 { (t("two-factor")) }
                p.ok role="status" { (t("two-factor-is-on")) }
                p { (t("two-factor-recovery-codes")) }
                ul.codes { @for code in &codes { li { code { (code) } } } }
                a href="/settings" { (t("done")) }
            }
        }
        .into_response());
    }
    let (qr, secret) = (
        own(&fields, "_qr").unwrap_or_default(),
        own(&fields, "_secret").unwrap_or_default(),
    );
    two_factor_refused(&fields, &sent, |form| {
        two_factor_enrolment(qr, secret, form)
    })
}

pub async fn disable_two_factor(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    let sent = submit(
        &web,
        &headers,
        Method::DELETE,
        reads::SECOND_FACTOR,
        &fields,
        Vec::new(),
    )
    .await;
    if sent.reply.is_success() {
        let mut form = Form::default();
        form.message = Some(t("two-factor-turned-off"));
        return Ok(two_factor_form(false, &form).into_response());
    }
    two_factor_refused(&fields, &sent, |form| two_factor_form(true, form))
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
        Dataset::Invoices => "dataset-invoices",
        Dataset::InvoiceLines => "dataset-invoice_lines",
        Dataset::Payments => "dataset-payments",
        Dataset::Customers => "dataset-customers",
        Dataset::Services => "dataset-services",
        Dataset::Proposals => "dataset-proposals",
        Dataset::Account => "dataset-account",
    }
}

/// The form's choices: the API's name of each dataset, and its label.
const DATASETS: &[(&str, &str)] = &[
    ("invoices", "dataset-invoices"),
    ("invoice_lines", "dataset-invoice_lines"),
    ("payments", "dataset-payments"),
    ("customers", "dataset-customers"),
    ("services", "dataset-services"),
    ("proposals", "dataset-proposals"),
    ("account", "dataset-account"),
];

fn export_form(form: &Form) -> Markup {
    html! {
        form.card.narrow hx-post="/exports" hx-target="this" hx-swap="outerHTML" {
            (notice(form, &["dataset"]))
            (once())
            (required(form, &t("what-to-export"), "dataset", Input::Choice(DATASETS)))
            (confirm::fields(form))
            button type="submit" { (t("export")) }
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
        p { (t("exports-explained")) }
        (export_form(&Form::default()))
        @if items.is_empty() {
            p { (t("no-exports")) }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { (t("made")) } th scope="col" { (t("data")) }
                    th.num scope="col" { (t("rows")) } th scope="col" { (t("file")) }
                } }
                tbody { @for item in &items { tr {
                    td { (fmt.day(item.created_at)) }
                    td { (t(dataset_label(item.dataset))) }
                    td.num { (item.rows) }
                    td {
                        @if let Some(url) = &item.url {
                            a href=(url) rel="noreferrer" { (t("download")) }
                        } @else { (t("status-expired")) }
                    }
                } } }
            } }
        }
        (next_link("/exports", &[], page.next.as_deref()))
    };
    Ok(page::page(&t("nav-exports"), Section::Exports, content).into_response())
}

pub async fn create_export(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    if let Some(form) = confirm::first(&web, &headers, &fields).await? {
        return Ok(crate::web::refused(export_form(&form)));
    }
    let key = idempotency(&fields);
    let sent = submit(&web, &headers, Method::POST, reads::EXPORTS, &fields, key).await;
    if sent.reply.is_success() {
        return Ok(go_to("/exports"));
    }
    if let Some(form) = confirm::asked(&fields, &sent, "confirm-for-export") {
        return Ok(crate::web::refused(export_form(&form)));
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
        p { (t("audit-explained")) }
        div.table { table {
            thead { tr {
                th scope="col" { (t("when-utc")) } th scope="col" { (t("action")) } th scope="col" { (t("record")) }
                th scope="col" { (t("outcome")) } th scope="col" { (t("audit-client")) }
            } }
            tbody { @for item in items { tr {
                td { (item.at.to_string().replace('T', " ").trim_end_matches('Z')) }
                td { code { (item.action) } }
                td { (or_empty(&item.object)) }
                td { (t(&format!("outcome-{}", item.outcome))) }
                td {
                    (or_empty(&item.ip))
                    @if let Some(agent) = &item.user_agent { br; small { (agent) } }
                }
            } } }
        } }
        (next_link("/audit", &[], page.next.as_deref()))
        p { a href="/audit/check" { (t("audit-check")) } }
    };
    Ok(page::page(&t("nav-audit"), Section::Audit, content).into_response())
}

/// The audit trail checked against its signed checkpoints: intact, or what was found.
pub async fn audit_check(State(web): State<Web>, headers: HeaderMap) -> Result<Response, Failure> {
    let found = web.api.read(&headers, reads::audit_check()).await?;
    let (checkpoints, sealed, unsealed) = (
        found.checkpoints.to_string(),
        found.entries_sealed.to_string(),
        found.entries_unsealed.to_string(),
    );
    let content = html! {
        @if found.intact {
            p role="status" { strong { (t_with("audit-intact", &[
                ("checkpoints", checkpoints.as_str()),
                ("sealed", sealed.as_str()),
            ])) } }
        } @else {
            div.notice role="alert" {
                p { (t("audit-not-intact")) }
                ul { @for problem in &found.problems { li { code { (problem) } } } }
            }
        }
        p { (t_with("audit-unsealed", &[("unsealed", unsealed.as_str())])) }
        details {
            summary { (t("audit-public-key")) }
            pre { (found.public_key_pem) }
        }
        p { a href="/audit" { (t("nav-audit")) } }
    };
    Ok(page::page(&t("audit-check"), Section::Audit, content).into_response())
}
