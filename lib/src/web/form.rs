//! HTML forms and the API's JSON, both ways, under one naming: a field's `name` is its path in
//! the API's body, as the API's problem+json names it (`billing_address.lines[0]`,
//! `lines[2].quantity`), so a refusal is shown beside the field it names.
//!
//! - Every value is a string, as the API's decimals, dates and ids are; a name ending in `:int`
//!   is sent as a number, one ending in `:bool` as a boolean, and one ending in `:dec` (a
//!   decimal, as the owner's locale writes it: `800,00` in German) as the API's `800.00`.
//! - An empty field is `null`; an object whose fields are all empty is `null` (an address not
//!   given); an empty element of a list is left out (the editor's blank line), and so is one
//!   whose `_remove` box is ticked. Names starting with `_` are the form's own (`_etag`, `_key`).

use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::api::Refusal;
use super::ui;

/// The most fields a submitted form may have: the editor's 500 lines of ten fields each, with
/// room to spare.
pub const MAX_FIELDS: usize = 6_000;
/// The longest field name, in bytes (`lines[499].unit_price:int` is 27).
pub const MAX_NAME_BYTES: usize = 128;
/// The deepest path a field name may be (`billing_address.lines[0]` is three steps).
pub const MAX_DEPTH: usize = 6;

/// A submitted form, as its (name, value) pairs in order: refused with 400 before any page
/// sees it when it has more fields, longer names or deeper paths than any of the app's forms.
#[derive(Debug, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Deref for Fields {
    type Target = Vec<(String, String)>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// Why a submitted form was refused unread.
#[derive(Debug)]
pub struct Unreadable(&'static str);

impl IntoResponse for Unreadable {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, self.0).into_response()
    }
}

impl Fields {
    /// The pairs, or why none of the app's forms could have sent them.
    pub fn checked(pairs: Vec<(String, String)>) -> Result<Self, Unreadable> {
        if pairs.len() > MAX_FIELDS {
            return Err(Unreadable("This form has more fields than any of ours."));
        }
        for (name, _) in &pairs {
            if name.len() > MAX_NAME_BYTES || depth(name) > MAX_DEPTH {
                return Err(Unreadable("This form has a field none of ours has."));
            }
        }
        Ok(Self(pairs))
    }
}

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Self::checked(pairs).map_err(IntoResponse::into_response)
    }
}

/// How many steps a name's path has: its keys and its indexes.
fn depth(name: &str) -> usize {
    1 + name.bytes().filter(|b| matches!(b, b'.' | b'[')).count()
}

/// A form's state: the values shown in it, and what was refused.
#[derive(Debug, Default, Clone)]
pub struct Form {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    pub message: Option<String>,
    /// Set apart the ids of a form's fields from another form's on the same page.
    scope: &'static str,
    /// The values are what a person typed (shown as typed), not the API's (whose decimals are
    /// shown the locale's way).
    typed: bool,
}

impl Form {
    /// A form showing a record as the API answered it.
    pub fn of(record: &Value) -> Self {
        let mut values = HashMap::new();
        flatten(record, String::new(), &mut values);
        Self {
            values,
            ..Self::default()
        }
    }

    /// A form showing what was submitted, with the API's refusal beside the fields it names.
    pub fn refused(submitted: &[(String, String)], refusal: &Refusal, sent: &Sent) -> Self {
        let values = submitted
            .iter()
            .map(|(name, value)| (plain_name(name).to_owned(), value.clone()))
            .collect();
        let mut errors = HashMap::new();
        for (field, detail) in &refusal.fields {
            errors
                .entry(sent.form_name(field))
                .or_insert_with(|| detail.clone());
        }
        let message = if refusal.fields.is_empty() || refusal.status != 400 {
            Some(refusal.message.clone())
        } else {
            Some(ui::t("fields-need-attention"))
        };
        Self {
            values,
            errors,
            message,
            scope: "",
            typed: true,
        }
    }

    /// The same form, its field ids set apart by `scope` (two forms with a `reason`).
    pub fn scoped(mut self, scope: &'static str) -> Self {
        self.scope = scope;
        self
    }

    pub fn scope(&self) -> &'static str {
        self.scope
    }

    /// A decimal field's value as the owner writes it: the API's `800.00` is `800,00` in German;
    /// what the owner typed is shown as typed.
    pub fn decimal(&self, name: &str) -> String {
        let value = self.value(name);
        if self.typed {
            value.to_owned()
        } else {
            ui::format().typed(value)
        }
    }

    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_owned(), value.into());
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    /// Refusals naming no field of the form (shown at its top).
    pub fn errors_outside(&self, shown: &[&str]) -> Vec<(&str, &str)> {
        let mut outside: Vec<(&str, &str)> = self
            .errors
            .iter()
            .filter(|(name, _)| !shown.contains(&name.as_str()))
            .map(|(name, detail)| (name.as_str(), detail.as_str()))
            .collect();
        outside.sort();
        outside
    }
}

/// A form turned into the API's body, and how to name the API's fields back in the form.
#[derive(Debug, Default)]
pub struct Sent {
    pub body: Value,
    /// `lines[1]` in the body was `lines[2]` in the form (a blank or removed line before it).
    renames: Vec<(String, String)>,
}

impl Sent {
    /// The form's name for a field the API named.
    pub fn form_name(&self, field: &str) -> String {
        for (sent, form) in &self.renames {
            if let Some(rest) = field.strip_prefix(sent.as_str())
                && (rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
            {
                return format!("{form}{rest}");
            }
        }
        field.to_owned()
    }
}

/// The name without its type suffix.
pub fn plain_name(name: &str) -> &str {
    name.strip_suffix(":int")
        .or_else(|| name.strip_suffix(":bool"))
        .or_else(|| name.strip_suffix(":dec"))
        .unwrap_or(name)
}

#[derive(Debug)]
enum Node {
    Leaf(Value),
    Map(BTreeMap<String, Node>),
    List(BTreeMap<usize, Node>),
}

#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// `a.b[2].c` as its steps; `None` for a name that is not a path.
fn steps(name: &str) -> Option<Vec<Step>> {
    if depth(name) > MAX_DEPTH {
        return None;
    }
    let mut steps = Vec::new();
    for part in name.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(at) => part.split_at(at),
            None => (part, ""),
        };
        if key.is_empty() {
            return None;
        }
        steps.push(Step::Key(key.to_owned()));
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']')?;
            let index = inner[..close].parse().ok().filter(|i| *i < 1000)?;
            steps.push(Step::Index(index));
            rest = &inner[close + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(steps)
}

fn typed(name: &str, value: &str) -> Value {
    let value = value.trim();
    if value.is_empty() {
        return Value::Null;
    }
    if name.ends_with(":bool") {
        return Value::Bool(matches!(value, "true" | "on" | "yes"));
    }
    if name.ends_with(":int")
        && let Ok(number) = value.parse::<i64>()
    {
        return Value::from(number);
    }
    if name.ends_with(":dec") {
        // Not a number the locale's way: sent as typed, for the API to name the field.
        return Value::String(ui::format().read(value).unwrap_or_else(|| value.to_owned()));
    }
    Value::String(value.to_owned())
}

fn insert(node: &mut Node, steps: &[Step], value: Value) {
    let Some((first, rest)) = steps.split_first() else {
        *node = Node::Leaf(value);
        return;
    };
    let child = match (first, &mut *node) {
        (Step::Key(key), Node::Map(map)) => map
            .entry(key.clone())
            .or_insert_with(|| Node::Map(BTreeMap::new())),
        (Step::Index(index), Node::List(list)) => list
            .entry(*index)
            .or_insert_with(|| Node::Map(BTreeMap::new())),
        (Step::Key(_), _) => {
            *node = Node::Map(BTreeMap::new());
            return insert(node, steps, value);
        }
        (Step::Index(_), _) => {
            *node = Node::List(BTreeMap::new());
            return insert(node, steps, value);
        }
    };
    insert(child, rest, value);
}

fn build(node: Node, path: &str, renames: &mut Vec<(String, String)>) -> Value {
    match node {
        Node::Leaf(value) => value,
        Node::Map(map) => {
            if map
                .get("_remove")
                .is_some_and(|n| matches!(n, Node::Leaf(Value::Bool(true))))
            {
                return Value::Null;
            }
            let object: Map<String, Value> = map
                .into_iter()
                .filter(|(key, _)| !key.starts_with('_'))
                .map(|(key, child)| {
                    let child_path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    let value = build(child, &child_path, renames);
                    (key, value)
                })
                .collect();
            let empty = |v: &Value| v.is_null() || v.as_array().is_some_and(Vec::is_empty);
            if !path.is_empty() && object.values().all(empty) {
                Value::Null
            } else {
                Value::Object(object)
            }
        }
        Node::List(list) => {
            let mut items = Vec::new();
            for (index, child) in list {
                let value = build(child, &format!("{path}[{index}]"), renames);
                if value.is_null() {
                    continue;
                }
                if items.len() != index {
                    renames.push((
                        format!("{path}[{}]", items.len()),
                        format!("{path}[{index}]"),
                    ));
                }
                items.push(value);
            }
            Value::Array(items)
        }
    }
}

/// A submitted form as the API's JSON body.
pub fn to_json(submitted: &[(String, String)]) -> Sent {
    let mut root = Node::Map(BTreeMap::new());
    for (name, value) in submitted {
        if let Some(steps) = steps(plain_name(name)) {
            let value = if name.ends_with("_remove") {
                Value::Bool(!value.is_empty())
            } else {
                typed(name, value)
            };
            insert(&mut root, &steps, value);
        }
    }
    let mut renames = Vec::new();
    let body = build(root, "", &mut renames);
    // Renames are looked up longest first, so `lines[1].x` in a nested list wins over `lines[1]`.
    renames.sort_by_key(|rename| std::cmp::Reverse(rename.0.len()));
    Sent { body, renames }
}

/// A record's fields by their form names.
fn flatten(value: &Value, path: String, into: &mut HashMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                flatten(child, child_path, into);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                flatten(child, format!("{path}[{index}]"), into);
            }
        }
        Value::Null => {}
        Value::String(text) => {
            into.insert(path, text.clone());
        }
        other => {
            into.insert(path, other.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn names_are_paths_in_the_body_and_empty_is_null() {
        let sent = to_json(&pairs(&[
            ("name", "Ada"),
            ("email", ""),
            ("billing_address.lines[0]", "1 Main St"),
            ("billing_address.lines[1]", ""),
            ("billing_address.country", "DE"),
            ("shipping_address.lines[0]", ""),
            ("shipping_address.country", ""),
            ("payment_terms_days:int", "14"),
            ("active:bool", "false"),
            ("active:bool", "true"),
            ("_etag", "\"3\""),
        ]));
        assert_eq!(
            sent.body,
            json!({
                "name": "Ada", "email": null,
                "billing_address": {"lines": ["1 Main St"], "country": "DE"},
                "shipping_address": null,
                "payment_terms_days": 14, "active": true,
            })
        );
    }

    #[test]
    fn blank_and_removed_lines_are_left_out_and_errors_find_their_row() {
        let sent = to_json(&pairs(&[
            ("lines[0].description", "Design"),
            ("lines[0].quantity", "2"),
            ("lines[1].description", "Gone"),
            ("lines[1]._remove", "on"),
            ("lines[2].description", "Build"),
            ("lines[2].quantity", "x"),
            ("lines[3].description", ""),
            ("lines[3].quantity", ""),
        ]));
        assert_eq!(
            sent.body,
            json!({"lines": [
                {"description": "Design", "quantity": "2"},
                {"description": "Build", "quantity": "x"},
            ]})
        );
        assert_eq!(sent.form_name("lines[1].quantity"), "lines[2].quantity");
        assert_eq!(sent.form_name("lines[0].quantity"), "lines[0].quantity");
        assert_eq!(sent.form_name("lines[10].quantity"), "lines[10].quantity");
    }

    #[test]
    fn a_record_fills_its_form_by_the_same_names() {
        let form = Form::of(&json!({
            "name": "Ada", "billing_address": {"lines": ["1 Main St"], "country": "DE"},
            "active": true, "lines": [{"quantity": "2"}],
        }));
        assert_eq!(form.value("billing_address.lines[0]"), "1 Main St");
        assert_eq!(form.value("active"), "true");
        assert_eq!(form.value("lines[0].quantity"), "2");
        assert_eq!(form.value("missing"), "");
    }

    #[test]
    fn a_form_no_page_of_ours_sends_is_refused_unread() {
        let deep = vec!["a"; 200_000].join(".");
        assert!(Fields::checked(pairs(&[(&deep, "v")])).is_err());
        let long = "a".repeat(MAX_NAME_BYTES + 1);
        assert!(Fields::checked(pairs(&[(&long, "v")])).is_err());
        let many = vec![("name".to_owned(), String::new()); MAX_FIELDS + 1];
        assert!(Fields::checked(many).is_err());
        let editor = pairs(&[
            ("lines[499].unit_price", "1"),
            ("billing_address.lines[0]", "x"),
        ]);
        assert!(Fields::checked(editor).is_ok());
    }

    #[test]
    fn names_that_are_not_paths_are_ignored() {
        let deep = ["a"; MAX_DEPTH + 1].join(".");
        for name in ["", "a..b", "a[", "a[x]", "a[1]b", "[0]", "a[99999]", &deep] {
            assert_eq!(to_json(&pairs(&[(name, "v")])).body, json!({}), "{name}");
        }
    }
}
