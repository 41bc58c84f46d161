//! The page every screen is drawn in, and the pieces forms are made of.
//!
//! No inline script or style anywhere (the Content-Security-Policy forbids both): behaviour is
//! htmx attributes, looks are `app.css`. Every field has a label, a refused field says why
//! beside it (`aria-describedby`) and is marked `aria-invalid`.

use maud::{DOCTYPE, Markup, html};

use super::assets;
use super::form::Form;
use super::ui::t;

/// htmx's settings, read from a meta tag (no inline script): no `eval`, no style of its own,
/// and a refused form (422) swapped in like an accepted one so its messages show.
const HTMX_CONFIG: &str = r#"{"allowEval":false,"allowScriptTags":false,"includeIndicatorStyles":false,"selfRequestsOnly":true,"historyCacheSize":0,"refreshOnHistoryMiss":true,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"422","swap":true},{"code":"[45]..","swap":false,"error":true}]}"#;

/// Headers htmx sends with every request: the API's CSRF header.
const HTMX_HEADERS: &str = r#"{"X-Requested-With": "htmx"}"#;

/// Where the navigation is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Customers,
    Services,
    Proposals,
    Invoices,
    Recurring,
    CreditNotes,
    Payments,
    Exports,
    Settings,
    Integrations,
    Audit,
    /// Pages before logging in: no navigation.
    Public,
}

const NAV: &[(Section, &str, &str)] = &[
    (Section::Dashboard, "/", "nav-dashboard"),
    (Section::Customers, "/customers", "nav-customers"),
    (Section::Services, "/services", "nav-services"),
    (Section::Proposals, "/proposals", "nav-proposals"),
    (Section::Invoices, "/invoices", "nav-invoices"),
    (Section::Recurring, "/recurring", "nav-recurring"),
    (Section::CreditNotes, "/credit-notes", "nav-credit-notes"),
    (Section::Payments, "/payments", "nav-payments"),
    (Section::Exports, "/exports", "nav-exports"),
    (Section::Settings, "/settings", "nav-settings"),
    (Section::Integrations, "/integrations", "nav-integrations"),
    (Section::Audit, "/audit", "nav-audit"),
];

/// A whole page.
pub fn page(title: &str, section: Section, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(super::ui::language()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="htmx-config" content=(HTMX_CONFIG);
                title { (title) " · InvoiceFlow" }
                link rel="stylesheet" href=(assets::STYLE.path());
                script src=(assets::HTMX.path()) defer {}
            }
            body hx-headers=(HTMX_HEADERS) {
                a.skip href="#main" { (t("skip-to-content")) }
                header.top {
                    a.brand href="/" { "InvoiceFlow" }
                    @if section != Section::Public {
                        nav aria-label=(t("nav-main")) {
                            ul {
                                @for (item, href, label) in NAV {
                                    li {
                                        @if *item == section {
                                            a href=(href) aria-current="page" { (t(label)) }
                                        } @else {
                                            a href=(href) { (t(label)) }
                                        }
                                    }
                                }
                            }
                        }
                        form.logout hx-post="/logout" {
                            button.link type="submit" { (t("log-out")) }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// The kinds of input a field can be.
#[derive(Clone, Copy)]
pub enum Input<'a> {
    Text,
    Email,
    Password {
        autocomplete: &'a str,
    },
    Date,
    /// A decimal (money, quantity, percent): text with a decimal keyboard, never a float.
    Decimal,
    Number,
    Area,
    Check,
    /// A choice of values, each shown as its text.
    Select(&'a [(&'a str, &'a str)]),
    /// A choice of values, each shown as the message its text names (`currency-EUR`).
    Choice(&'a [(&'a str, &'a str)]),
    /// A country (ISO 3166-1), chosen by its name in the owner's language.
    Country,
}

/// One field: its label, its input and, if refused, why.
pub fn field(form: &Form, label: &str, name: &str, input: Input<'_>) -> Markup {
    field_with(form, label, name, input, None, false)
}

/// A field that must be filled.
pub fn required(form: &Form, label: &str, name: &str, input: Input<'_>) -> Markup {
    field_with(form, label, name, input, None, true)
}

/// A field with a hint under its label.
pub fn hinted(form: &Form, label: &str, name: &str, input: Input<'_>, hint: &str) -> Markup {
    field_with(form, label, name, input, Some(hint), false)
}

/// The form's id for a field's name (`lines[0].quantity` → `f-lines-0-quantity`).
pub fn id_of(name: &str) -> String {
    let mut id = String::from("f-");
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_owned()
}

fn field_with(
    form: &Form,
    label: &str,
    name: &str,
    input: Input<'_>,
    hint: Option<&str>,
    is_required: bool,
) -> Markup {
    // `payment_terms_days:int` is sent as a number; the API names it `payment_terms_days`.
    let path = crate::web::form::plain_name(name);
    // A decimal is typed the owner's way (`800,00`) and sent as the API's (`800.00`).
    let name = match input {
        Input::Decimal => format!("{path}:dec"),
        _ => name.to_owned(),
    };
    let name = name.as_str();
    let id = match form.scope() {
        "" => id_of(path),
        scope => id_of(&format!("{scope}.{path}")),
    };
    let error = form.error(path);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = match (error.is_some(), hint.is_some()) {
        (true, true) => Some(format!("{error_id} {hint_id}")),
        (true, false) => Some(error_id.clone()),
        (false, true) => Some(hint_id.clone()),
        (false, false) => None,
    };
    let value = match input {
        Input::Decimal => form.decimal(path),
        _ => form.value(path).to_owned(),
    };
    let value = value.as_str();
    let invalid = error.map(|_| "true");
    html! {
        div.field.invalid[error.is_some()] {
            @if let Input::Check = input {
                input type="hidden" name=(format!("{name}:bool")) value="false";
                label.check for=(id) {
                    input type="checkbox" id=(id) name=(format!("{name}:bool")) value="true"
                        checked[value == "true"] aria-invalid=[invalid]
                        aria-describedby=[described.as_deref()];
                    " " (label)
                }
            } @else {
                label for=(id) {
                    (label)
                    @if is_required { span.req aria-hidden="true" { " *" } }
                }
                @if let Some(hint) = hint { span.hint id=(hint_id) { (hint) } }
                @match input {
                    Input::Area => {
                        textarea id=(id) name=(name) rows="3" required[is_required]
                            aria-invalid=[invalid] aria-describedby=[described.as_deref()] { (value) }
                    }
                    Input::Select(options) => {
                        select id=(id) name=(name) required[is_required] aria-invalid=[invalid]
                            aria-describedby=[described.as_deref()] {
                            @for (option, text) in options {
                                option value=(option) selected[*option == value] { (text) }
                            }
                        }
                    }
                    Input::Country => {
                        select id=(id) name=(name) required[is_required] aria-invalid=[invalid]
                            aria-describedby=[described.as_deref()] {
                            option value="" selected[value.is_empty()] {}
                            @for (code, name) in countries() {
                                option value=(code) selected[code == value] { (name) }
                            }
                        }
                    }
                    Input::Choice(options) => {
                        select id=(id) name=(name) required[is_required] aria-invalid=[invalid]
                            aria-describedby=[described.as_deref()] {
                            @for (option, text) in options {
                                option value=(option) selected[*option == value] { (t(text)) }
                            }
                        }
                    }
                    _ => {
                        @let (kind, mode, complete) = match input {
                            Input::Email => ("email", None, Some("email")),
                            Input::Password { autocomplete } => ("password", None, Some(autocomplete)),
                            Input::Date => ("date", None, None),
                            Input::Decimal => ("text", Some("decimal"), Some("off")),
                            Input::Number => ("number", Some("numeric"), None),
                            _ => ("text", None, None),
                        };
                        input type=(kind) id=(id) name=(name)
                            value=[(!matches!(input, Input::Password { .. })).then_some(value)]
                            inputmode=[mode] autocomplete=[complete] required[is_required]
                            aria-invalid=[invalid] aria-describedby=[described.as_deref()];
                    }
                }
            }
            @if let Some(error) = error {
                p.error id=(error_id) { (error) }
            }
        }
    }
}

/// A postal address, the API's one shape, under `prefix` (`billing_address`, `address`).
pub fn address(form: &Form, legend: &str, prefix: &str) -> Markup {
    let name = |part: &str| format!("{prefix}.{part}");
    html! {
        fieldset {
            legend { (legend) }
            div.fields {
                (field(form, &t("address-street"), &name("lines[0]"), Input::Text))
                (field(form, &t("address-street-2"), &name("lines[1]"), Input::Text))
                (field(form, &t("address-postal-code"), &name("postal_code"), Input::Text))
                (field(form, &t("address-city"), &name("city"), Input::Text))
                (field(form, &t("address-region"), &name("region"), Input::Text))
                (field(form, &t("address-country"), &name("country"), Input::Country))
            }
        }
    }
}

/// The form's message, and refusals naming fields the form does not show.
pub fn notice(form: &Form, shown: &[&str]) -> Markup {
    let outside = form.errors_outside(shown);
    html! {
        div.notice role="alert" {
            @if let Some(message) = &form.message {
                p { (message) }
                @if !outside.is_empty() {
                    ul { @for (field, detail) in &outside { li { code { (field) } ": " (detail) } } }
                }
            }
        }
    }
}

/// A hidden field.
pub fn hidden(name: &str, value: &str) -> Markup {
    html! { input type="hidden" name=(name) value=(value); }
}

/// A new idempotency key for a form that creates something: a double submit creates it once.
pub fn once() -> Markup {
    hidden("_key", &ulid::Ulid::generate().to_string())
}

/// A button that posts to `action` (an action on a record), with an optional confirmation
/// field set.
pub fn action(action: &str, label: &str, class: &str) -> Markup {
    html! {
        form.action hx-post=(action) hx-target="this" hx-swap="outerHTML" {
            (notice(&Form::default(), &[]))
            button class=(class) type="submit" { (label) }
        }
    }
}

/// A status as a badge, in words (`status-partially_paid`).
pub fn status(text: &str) -> Markup {
    html! { span class=(format!("badge s-{text}")) { (t(&format!("status-{text}"))) } }
}

/// Every country (ISO 3166-1) and its name in the owner's language, by name.
fn countries() -> Vec<(&'static str, String)> {
    let mut all: Vec<(&'static str, String)> = isocountry::CountryCode::iter()
        .map(|code| (code.alpha2(), super::ui::country(code.alpha2())))
        .collect();
    all.sort_by_cached_key(|(_, name)| sort_key(name));
    all
}

/// A name as an alphabetical list orders it: without case and accents (`Österreich` among
/// the O's), for the Latin letters the app's languages write.
fn sort_key(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
            'ç' | 'č' | 'ć' => 'c',
            'è'..='ë' | 'ě' | 'ē' | 'ę' => 'e',
            'ì'..='ï' | 'ī' => 'i',
            'ñ' | 'ň' | 'ń' => 'n',
            'ò'..='ö' | 'ø' | 'ō' | 'ő' => 'o',
            'ù'..='ü' | 'ů' | 'ū' | 'ű' => 'u',
            'ý' | 'ÿ' => 'y',
            'š' | 'ś' => 's',
            'ž' | 'ź' | 'ż' => 'z',
            'ř' => 'r',
            'ł' => 'l',
            other => other,
        })
        .collect()
}

/// `path` with a query of `parameters`, each percent-encoded; one without a value, or with an
/// empty one, is left out. Every list path of the web app, its own and the API's, is made here.
pub fn with_query<'n, 'v>(
    path: &str,
    parameters: impl IntoIterator<Item = (&'n str, Option<&'v str>)>,
) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in parameters {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            query.append_pair(name, value);
        }
    }
    match query.finish() {
        query if query.is_empty() => path.to_owned(),
        query => format!("{path}?{query}"),
    }
}

/// A link to the next page of a list, if there is one: `path` with the list's other
/// parameters (`kept`) and the API's `next` cursor.
pub fn next_link(path: &str, kept: &[(&str, Option<&str>)], next: Option<&str>) -> Markup {
    html! {
        @if let Some(next) = next {
            p.more {
                a href=(with_query(path, kept.iter().copied().chain([("next", Some(next))]))) { (t("next-page")) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_path_encodes_its_parameters_and_leaves_out_empty_ones() {
        assert_eq!(with_query("/v1/invoices", []), "/v1/invoices");
        assert_eq!(
            with_query("/v1/invoices", [("status", Some("")), ("next", None)]),
            "/v1/invoices"
        );
        assert_eq!(
            with_query(
                "/v1/invoices",
                [("status", Some("paid")), ("next", Some("a+b/c=&d"))]
            ),
            "/v1/invoices?status=paid&next=a%2Bb%2Fc%3D%26d"
        );
        let link = next_link("/invoices", &[("customer", Some("c 1"))], Some("x&y")).into_string();
        assert!(
            link.contains(r#"href="/invoices?customer=c+1&amp;next=x%26y""#),
            "{link}"
        );
        assert_eq!(next_link("/invoices", &[], None).into_string(), "");
    }

    #[test]
    fn ids_are_safe_and_stable() {
        assert_eq!(id_of("lines[0].quantity"), "f-lines-0-quantity");
        assert_eq!(
            id_of("billing_address.lines[1]"),
            "f-billing_address-lines-1"
        );
    }

    #[test]
    fn a_refused_field_says_why_beside_it_and_is_marked_invalid() {
        let mut form = Form::default();
        form.set("email", "not-an-email");
        let refused = Form::refused(
            &[("email".to_owned(), "not-an-email".to_owned())],
            &super::super::api::Refusal {
                status: 400,
                message: "refused".into(),
                fields: vec![("email".into(), "Must be an email address".into())],
            },
            &super::super::form::to_json(&[]),
        );
        let html = field(&refused, "Email", "email", Input::Email).into_string();
        assert!(html.contains(r#"aria-invalid="true""#), "{html}");
        assert!(
            html.contains(r#"aria-describedby="f-email-error""#),
            "{html}"
        );
        assert!(
            html.contains(r#"<p class="error" id="f-email-error">Must be an email address</p>"#),
            "{html}"
        );
        assert!(html.contains(r#"value="not-an-email""#), "{html}");
    }

    #[test]
    fn a_password_is_never_written_back_into_the_page() {
        let mut form = Form::default();
        form.set("password", "secret");
        let html = field(
            &form,
            "Password",
            "password",
            Input::Password {
                autocomplete: "current-password",
            },
        )
        .into_string();
        assert!(!html.contains("secret"), "{html}");
    }
}
