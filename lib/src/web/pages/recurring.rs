//! Recurring invoices: the list, a form to start one (its template's customer and lines, its
//! schedule, what each period makes), and a page with its next dates, its last invoice and
//! pause, resume and end.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::editor::{customer_options, line_row, service_options};
use super::records::safe_id;
use super::{Fields, fmt, idempotency, own, submit};
use crate::domain::recurrence::{Ending, Recurrence};
use crate::domain::recurring::{RecurringInvoice, ScheduleStatus};
use crate::http::records::View;
use crate::web::form::Form;
use crate::web::page::{self, Input, Section, hidden, hinted, notice, once, required};
use crate::web::reads::{self, typed};
use crate::web::show::Fmt;
use crate::web::ui::{t, t_with};
use crate::web::{Failure, Web, go_to};

/// Blank line rows the form offers (more lines: the API).
const LINES: usize = 3;

const UNITS: &[(&str, &str)] = &[
    ("months", "unit-months"),
    ("weeks", "unit-weeks"),
    ("quarters", "unit-quarters"),
    ("years", "unit-years"),
];
const ENDINGS: &[(&str, &str)] = &[
    ("never", "ending-never"),
    ("after", "ending-after"),
    ("on", "ending-on"),
];
const PRODUCE: &[(&str, &str)] = &[
    ("draft", "produce-draft"),
    ("issued", "produce-issued"),
    ("sent", "produce-sent"),
];
const CATCH_UP: &[(&str, &str)] = &[("each", "catch-up-each"), ("latest", "catch-up-latest")];

/// The fields a refusal may name that the form shows beside a field.
const NAMES: &[&str] = &[
    "name",
    "customer_id",
    "payment_terms_days",
    "schedule.every",
    "schedule.unit",
    "schedule.start",
    "schedule.ending.type",
    "schedule.ending.count",
    "schedule.ending.date",
    "produce",
    "catch_up",
];

fn new_form(
    form: &Form,
    customers: &[(String, String)],
    services: &[(&str, &str)],
    fmt: &Fmt,
) -> Markup {
    let choose = t("choose-a-customer");
    let mut options: Vec<(&str, &str)> = vec![("", choose.as_str())];
    options.extend(
        customers
            .iter()
            .map(|(id, name)| (id.as_str(), name.as_str())),
    );
    html! {
        form.card hx-post="/recurring" hx-target="this" hx-swap="outerHTML" {
            (notice(form, NAMES))
            (once())
            div.fields {
                (required(form, &t("field-name"), "name", Input::Text))
                (required(form, &t("col-customer"), "customer_id", Input::Select(&options)))
                (hinted(form, &t("payment-terms"), "payment_terms_days:int", Input::Number, &t("hint-recurring-terms")))
            }
            fieldset {
                legend { (t("recurring-schedule")) }
                div.fields {
                    (required(form, &t("field-every"), "schedule.every:int", Input::Number))
                    (required(form, &t("field-interval-unit"), "schedule.unit", Input::Choice(UNITS)))
                    (hinted(form, &t("field-start"), "schedule.start", Input::Date, &t("hint-recurring-start")))
                    (required(form, &t("field-ending"), "schedule.ending.type", Input::Choice(ENDINGS)))
                    (hinted(form, &t("field-ending-count"), "schedule.ending.count:int", Input::Number, &t("hint-ending-count")))
                    (hinted(form, &t("field-ending-date"), "schedule.ending.date", Input::Date, &t("hint-ending-date")))
                    (required(form, &t("field-produce"), "produce", Input::Choice(PRODUCE)))
                    (hinted(form, &t("field-catch-up"), "catch_up", Input::Choice(CATCH_UP), &t("hint-catch-up")))
                }
            }
            fieldset {
                legend { (t("recurring-lines")) }
                div.table { table.lines {
                    tbody {
                        @for i in 0..LINES {
                            (line_row(form, i, true, services, None, fmt))
                        }
                    }
                } }
            }
            button type="submit" { (t("recurring-add")) }
        }
    }
}

pub async fn new_recurring(
    State(web): State<Web>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let (customers, services, settings) = tokio::join!(
        customer_options(&web, &headers),
        service_options(&web, &headers),
        web.api.read(&headers, reads::settings()),
    );
    let (customers, services, settings) = (customers?, services?, settings?.record);
    let fmt = Fmt::of(&settings);
    // Today in the account's time zone: the earliest a schedule may start.
    let today = settings
        .time_zone
        .today(crate::domain::Timestamp::from_datetime(
            time::OffsetDateTime::now_utc(),
        ))
        .map(|date| date.to_string())
        .unwrap_or_default();
    let services: Vec<(&str, &str)> = services
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    let mut form = Form::default();
    for (name, value) in [
        ("schedule.every", "1"),
        ("schedule.unit", "months"),
        ("schedule.ending.type", "never"),
        ("produce", "draft"),
        ("catch_up", "each"),
        ("schedule.start", today.as_str()),
    ] {
        form.set(name, value);
    }
    let content = new_form(&form, &customers, &with_blank(&services), &fmt);
    Ok(page::page(&t("recurring-new"), Section::Recurring, content).into_response())
}

/// The catalogue's services, after the choice of none (a free line).
fn with_blank<'a>(services: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut options = vec![("", "—")];
    options.extend_from_slice(services);
    options
}

/// `POST /recurring`: starts one, then shows it.
pub async fn create_recurring(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    let path = reads::records::<RecurringInvoice>();
    let sent = submit(
        &web,
        &headers,
        Method::POST,
        path,
        &fields,
        idempotency(&fields),
    )
    .await;
    if sent.reply.is_success() {
        let made = typed::<View<RecurringInvoice>>(sent.reply)?.value;
        return Ok(go_to(&format!("/recurring/{}", made.id)));
    }
    let (customers, services, fmt) = tokio::join!(
        customer_options(&web, &headers),
        service_options(&web, &headers),
        fmt(&web, &headers),
    );
    let (customers, services, fmt) = (customers?, services?, fmt?);
    let services: Vec<(&str, &str)> = services
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    let services = with_blank(&services);
    sent.refused(&fields, |form| new_form(form, &customers, &services, &fmt))
}

/// "Every 2 months from 31 Jan 2027, until 31 Dec 2027".
fn described(fmt: &Fmt, schedule: &Recurrence) -> String {
    let every = t_with(
        &format!("every-{}", schedule.unit.as_str()),
        &[("count", &schedule.every.to_string())],
    );
    let from = t_with("from-date", &[("date", &fmt.date(schedule.start))]);
    let until = match schedule.ending {
        Ending::Never => String::new(),
        Ending::After { count } => t_with("ending-after-count", &[("count", &count.to_string())]),
        Ending::On { date } => t_with("ending-on-date", &[("date", &fmt.date(date))]),
    };
    [every, from, until]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn status_name(status: ScheduleStatus) -> String {
    t(&format!("recurring-status-{}", status.as_str()))
}

pub async fn list_recurring(
    State(web): State<Web>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let list = reads::list::<RecurringInvoice>([("limit", Some("100"))]);
    let (page, fmt) = super::listed(&web, &headers, list).await?;
    let content = html! {
        div.actions { a.button href="/recurring/new" { (t("recurring-add-a")) } }
        @if page.data.is_empty() {
            p { (t("recurring-none-yet")) }
        } @else {
            div.table { table {
                thead { tr {
                    th scope="col" { (t("field-name")) }
                    th scope="col" { (t("recurring-schedule")) }
                    th scope="col" { (t("col-status")) }
                    th scope="col" { (t("recurring-next")) }
                } }
                tbody {
                    @for item in &page.data {
                        tr {
                            td { a href=(format!("/recurring/{}", item.id)) { (item.record.name) } }
                            td { (described(&fmt, &item.record.schedule)) }
                            td { (status_name(item.record.status)) }
                            td { @if let Some(next) = item.record.clone().seen().upcoming.first() { (fmt.date(*next)) } }
                        }
                    }
                }
            } }
        }
    };
    Ok(page::page(&t("nav-recurring"), Section::Recurring, content).into_response())
}

fn action(id: &str, etag: &str, action: &str, class: &str) -> Markup {
    html! {
        form.action hx-post=(format!("/recurring/{id}/do/{action}")) hx-target="this" hx-swap="outerHTML" {
            (notice(&Form::default(), &[]))
            (hidden("_etag", etag))
            button class=(class) type="submit" { (t(&format!("recurring-{action}"))) }
        }
    }
}

pub async fn recurring(
    State(web): State<Web>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = safe_id(&id)?;
    let (got, fmt) = tokio::join!(
        web.api
            .read_tagged(&headers, reads::record::<RecurringInvoice>(id)),
        fmt(&web, &headers),
    );
    let (got, fmt) = (got?, fmt?);
    // `upcoming` is computed when read and not read back from JSON: computed here the same way.
    let r = &got.value.record.clone().seen();
    let content = html! {
        dl.facts {
            dt { (t("col-status")) } dd { (status_name(r.status)) }
            dt { (t("recurring-schedule")) } dd { (described(&fmt, &r.schedule)) }
            dt { (t("field-produce")) } dd { (t(&format!("produce-{}", r.produce.as_str()))) }
            dt { (t("recurring-made")) } dd { (r.invoices_made) }
            @if let Some(last) = r.last {
                dt { (t("recurring-last")) }
                dd { a href=(format!("/invoices/{}", last.invoice_id)) { (fmt.date(last.date)) } }
            }
        }
        @if let Some(why) = &r.stopped_because { p.error role="status" { (why) } }
        @if let Some(why) = &r.send_problem { p.error role="status" { (why) } }
        h2 { (t("recurring-upcoming")) }
        @if r.upcoming.is_empty() {
            p { (t("recurring-nothing-upcoming")) }
        } @else {
            ol.upcoming { @for date in &r.upcoming { li { (fmt.date(*date)) } } }
        }
        div.actions {
            @match r.status {
                ScheduleStatus::Active => {
                    (action(id, &got.etag, "pause", "secondary"))
                    (action(id, &got.etag, "end", "danger"))
                }
                ScheduleStatus::Paused => {
                    (action(id, &got.etag, "resume", ""))
                    (action(id, &got.etag, "end", "danger"))
                }
                ScheduleStatus::Ended => {}
            }
        }
    };
    Ok(page::page(r.name.as_str(), Section::Recurring, content).into_response())
}

/// `POST /recurring/{id}/do/{pause|resume|end}`, at the version the page showed.
pub async fn act_on_recurring(
    State(web): State<Web>,
    headers: HeaderMap,
    Path((id, action_name)): Path<(String, String)>,
    fields: Fields,
) -> Result<Response, Failure> {
    let id = safe_id(&id)?;
    if !["pause", "resume", "end"].contains(&action_name.as_str()) {
        return Err(Failure::NotFound);
    }
    let etag = own(&fields, "_etag").unwrap_or("*").to_owned();
    let reply = web
        .api
        .send(
            &headers,
            Method::POST,
            reads::of_record::<RecurringInvoice>(id, &action_name),
            None,
            vec![(header::IF_MATCH, etag.clone())],
        )
        .await;
    if reply.is_success() {
        return Ok(go_to(&format!("/recurring/{id}")));
    }
    let sent = super::Submission {
        reply,
        sent: crate::web::form::to_json(&fields),
    };
    let class = if action_name == "end" { "danger" } else { "" };
    sent.refused(&fields, |form| {
        html! {
            form.action hx-post=(format!("/recurring/{id}/do/{action_name}")) hx-target="this" hx-swap="outerHTML" {
                (notice(form, &[]))
                (hidden("_etag", &etag))
                button class=(class) type="submit" { (t(&format!("recurring-{action_name}"))) }
            }
        }
    })
}
