//! Sign up, log in (with the lockout's messages), log out.

use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::{Fields, submit};
use crate::web::form::Form;
use crate::web::page::{self, Input, Section, field, hidden, hinted, notice, required};
use crate::web::reads;
use crate::web::ui::t;
use crate::web::{Failure, Web, go_to, refused, went};

/// The currencies offered first, each with its message (`currency-EUR`).
const CURRENCIES: &[(&str, &str)] = &[
    ("EUR", "currency-EUR"),
    ("USD", "currency-USD"),
    ("GBP", "currency-GBP"),
    ("CHF", "currency-CHF"),
    ("CAD", "currency-CAD"),
    ("AUD", "currency-AUD"),
    ("SEK", "currency-SEK"),
    ("DKK", "currency-DKK"),
    ("NOK", "currency-NOK"),
    ("PLN", "currency-PLN"),
    ("CZK", "currency-CZK"),
    ("JPY", "currency-JPY"),
];

pub fn currencies() -> &'static [(&'static str, &'static str)] {
    CURRENCIES
}

fn login_form(form: &Form) -> Markup {
    html! {
        form.card.narrow hx-post="/login" hx-target="this" hx-swap="outerHTML" {
            (notice(form, &["email", "password", "code", "recovery_code"]))
            (required(form, &t("field-email"), "email", Input::Email))
            (required(form, &t("field-password"), "password", Input::Password { autocomplete: "current-password" }))
            // Asked for once the API says the user's second factor is needed.
            @if form.value("_second") == "1" {
                (hidden("_second", "1"))
                (hinted(form, &t("field-code"), "code", Input::Text, &t("hint-code")))
                (field(form, &t("field-recovery-code"), "recovery_code", Input::Text))
            }
            button type="submit" { (t("log-in")) }
            p { (t("new-here")) " " a href="/signup" { (t("create-an-account")) } "." }
        }
    }
}

pub async fn login_page() -> Markup {
    page::page(&t("log-in"), Section::Public, login_form(&Form::default()))
}

pub async fn login(State(web): State<Web>, headers: HeaderMap, fields: Fields) -> Response {
    let path = reads::LOGIN;
    let sent = submit(&web, &headers, Method::POST, path, &fields, Vec::new()).await;
    if sent.reply.is_success() {
        return went("/", &sent.reply);
    }
    // A 401 here is a failed login, not an ended session.
    let mut refusal = sent.reply.refusal();
    let second = sent.reply.problem_is("second-factor-required");
    if second {
        refusal.message = t("login-needs-code");
        refusal.fields.clear();
    } else if sent.reply.is_wrong_password() {
        refusal.message = t("login-refused");
    }
    let mut form = Form::refused(&fields, &refusal, &sent.sent);
    if second || super::own(&fields, "_second") == Some("1") {
        form.set("_second", "1");
    }
    refused(login_form(&form))
}

fn signup_form(form: &Form) -> Markup {
    html! {
        form.card.narrow hx-post="/signup" hx-target="this" hx-swap="outerHTML" {
            (notice(form, &["name", "email", "password", "company_name", "currency", "country"]))
            (required(form, &t("field-your-name"), "name", Input::Text))
            (required(form, &t("field-email"), "email", Input::Email))
            (hinted(form, &t("field-password"), "password", Input::Password { autocomplete: "new-password" },
                &t("hint-new-password")))
            (required(form, &t("field-business-name"), "company_name", Input::Text))
            (field(form, &t("field-signup-currency"), "currency", Input::Choice(CURRENCIES)))
            (field(form, &t("field-signup-country"), "country", Input::Country))
            p.hint { (t("signup-privacy")) }
            button type="submit" { (t("create-account")) }
            p { (t("have-an-account")) " " a href="/login" { (t("log-in")) } "." }
        }
    }
}

pub async fn signup_page() -> Markup {
    page::page(
        &t("create-your-account"),
        Section::Public,
        signup_form(&Form::default()),
    )
}

pub async fn signup(
    State(web): State<Web>,
    headers: HeaderMap,
    fields: Fields,
) -> Result<Response, Failure> {
    let path = reads::SIGNUP;
    let sent = submit(&web, &headers, Method::POST, path, &fields, Vec::new()).await;
    if sent.reply.is_success() {
        return Ok(went("/settings", &sent.reply));
    }
    sent.refused(&fields, signup_form)
}

pub async fn logout(State(web): State<Web>, headers: HeaderMap) -> Response {
    let reply = web
        .api
        .send(&headers, Method::POST, reads::LOGOUT, None, Vec::new())
        .await;
    if reply.is_success() || reply.status == 401 {
        let mut response = went("/login", &reply);
        if reply.status == 401 {
            response.headers_mut().append(
                axum::http::header::SET_COOKIE,
                crate::auth::cookie::clear_session(),
            );
        }
        return response;
    }
    go_to("/").into_response()
}
