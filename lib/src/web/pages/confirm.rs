//! Confirming the password again, where the API asks for it (a new bank account, the complete
//! export): the form is drawn again with a password field (and, with two-factor
//! authentication on, a code field), and its next submission confirms first
//! (`POST /v1/auth/reauthenticate`), then sends the form as before.

use axum::http::{HeaderMap, Method};
use maud::{Markup, html};

use super::Submission;
use crate::web::form::{Form, Sent, to_json};
use crate::web::page::{Input, field, hidden, required};
use crate::web::reads;
use crate::web::ui::t;
use crate::web::{Failure, Web};

/// The fields a form carries while it asks for the password.
pub fn fields(form: &Form) -> Markup {
    html! {
        @if form.value("_confirm") == "1" {
            (hidden("_confirm", "1"))
            div.fields {
                (required(form, &t("your-password"), "_password", Input::Password { autocomplete: "current-password" }))
                @if form.value("_second") == "1" {
                    (hidden("_second", "1"))
                    (field(form, &t("field-code"), "_code", Input::Text))
                }
            }
        }
    }
}

/// The form drawn again asking for the password, saying `why`.
fn asking(fields: &[(String, String)], sent: &Sent, why: String, second: bool) -> Form {
    let mut form = Form::refused(
        fields,
        &crate::web::api::Refusal {
            status: 403,
            message: why.clone(),
            fields: Vec::new(),
        },
        sent,
    );
    form.message = Some(why);
    form.set("_confirm", "1");
    form.set("_password", "");
    if second {
        form.set("_second", "1");
    }
    form
}

/// Before a form is sent: confirms the password it carries, if it carries one. `Some(form)`
/// when the confirmation was refused (the form to draw again), `None` to go on.
pub async fn first(
    web: &Web,
    headers: &HeaderMap,
    fields: &[(String, String)],
) -> Result<Option<Form>, Failure> {
    let own = |name: &str| super::own(fields, name);
    if own("_confirm") != Some("1") {
        return Ok(None);
    }
    let mut body = serde_json::json!({"password": own("_password").unwrap_or_default()});
    if let Some(code) = own("_code") {
        body["code"] = code.trim().into();
    }
    let reply = web
        .api
        .send(
            headers,
            Method::POST,
            reads::REAUTHENTICATE,
            Some(&body),
            Vec::new(),
        )
        .await;
    if reply.is_success() {
        return Ok(None);
    }
    let sent = to_json(fields);
    if reply.problem_is("second-factor-required") {
        return Ok(Some(asking(fields, &sent, t("confirm-needs-code"), true)));
    }
    if reply.status == 401 {
        return Err(Failure::LoggedOut);
    }
    let second = own("_second") == Some("1");
    let why = if reply.status == 400 {
        t("confirm-refused")
    } else {
        reply.refusal().message
    };
    Ok(Some(asking(fields, &sent, why, second)))
}

/// After a form was sent: if the API asked for the password again, the form asking for it.
pub fn asked(fields: &[(String, String)], submission: &Submission, why: &str) -> Option<Form> {
    submission
        .reply
        .problem_is("reauthentication-required")
        .then(|| asking(fields, &submission.sent, t(why), false))
}
