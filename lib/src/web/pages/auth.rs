//! Sign up, log in (with the lockout's messages), log out.

use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::{Fields, submit};
use crate::web::form::Form;
use crate::web::page::{self, Input, Section, field, hinted, notice, required};
use crate::web::reads;
use crate::web::{Failure, Web, go_to, refused, went};

const CURRENCIES: &[(&str, &str)] = &[
    ("EUR", "Euro (EUR)"),
    ("USD", "US dollar (USD)"),
    ("GBP", "Pound sterling (GBP)"),
    ("CHF", "Swiss franc (CHF)"),
    ("CAD", "Canadian dollar (CAD)"),
    ("AUD", "Australian dollar (AUD)"),
    ("SEK", "Swedish krona (SEK)"),
    ("DKK", "Danish krone (DKK)"),
    ("NOK", "Norwegian krone (NOK)"),
    ("PLN", "Polish złoty (PLN)"),
    ("CZK", "Czech koruna (CZK)"),
    ("JPY", "Japanese yen (JPY)"),
];

pub fn currencies() -> &'static [(&'static str, &'static str)] {
    CURRENCIES
}

fn login_form(form: &Form) -> Markup {
    html! {
        form.card.narrow hx-post="/login" hx-target="this" hx-swap="outerHTML" {
            (notice(form, &["email", "password"]))
            (required(form, "Email", "email", Input::Email))
            (required(form, "Password", "password", Input::Password { autocomplete: "current-password" }))
            button type="submit" { "Log in" }
            p { "New here? " a href="/signup" { "Create an account" } "." }
        }
    }
}

pub async fn login_page() -> Markup {
    page::page("Log in", Section::Public, login_form(&Form::default()))
}

pub async fn login(State(web): State<Web>, headers: HeaderMap, fields: Fields) -> Response {
    let path = reads::LOGIN;
    let sent = submit(&web, &headers, Method::POST, path, &fields, Vec::new()).await;
    if sent.reply.is_success() {
        return went("/", &sent.reply);
    }
    // A 401 here is a failed login, not an ended session.
    let mut refusal = sent.reply.refusal();
    if sent.reply.is_wrong_password() {
        refusal.message = "That email and password do not match an account.".to_owned();
    }
    refused(login_form(&Form::refused(&fields, &refusal, &sent.sent)))
}

fn signup_form(form: &Form) -> Markup {
    html! {
        form.card.narrow hx-post="/signup" hx-target="this" hx-swap="outerHTML" {
            (notice(form, &["name", "email", "password", "company_name", "currency"]))
            (required(form, "Your name", "name", Input::Text))
            (required(form, "Email", "email", Input::Email))
            (hinted(form, "Password", "password", Input::Password { autocomplete: "new-password" },
                "12 to 72 characters; a few unrelated words make a strong one."))
            (required(form, "Business name", "company_name", Input::Text))
            (field(form, "Currency of your documents", "currency", Input::Select(CURRENCIES)))
            p.hint { "By creating an account you agree to our privacy policy: your records are \
                encrypted under a key only your account can use." }
            button type="submit" { "Create account" }
            p { "Already have an account? " a href="/login" { "Log in" } "." }
        }
    }
}

pub async fn signup_page() -> Markup {
    page::page(
        "Create your account",
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
