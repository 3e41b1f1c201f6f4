//! Validating submitted form values against form fields. One validator serves every form of
//! Skriptoteket: a next action's input, and (later) a tool's input and settings schemas.

use super::types::{ActionField, FieldKind, NextAction};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use std::collections::BTreeSet;

/// One problem with one submitted value; `field` is empty when the problem is the whole input
/// (e.g. it is not an object). Messages are for the person who filled in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldIssue {
    pub field: String,
    pub message: String,
}

impl FieldIssue {
    fn new(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_owned(), message: message.into() }
    }
}

/// Checks a submitted action input against the fields of the action that was offered.
pub fn validate_action_input(action: &NextAction, input: &Value) -> Result<Map<String, Value>, Vec<FieldIssue>> {
    validate_fields(&action.fields, input)
}

/// Checks `input` (a JSON object of field name → value) against `fields` and returns the
/// cleaned values: only known fields, `null` treated as absent, whole numbers as integers.
/// Issues come in field order, then unknown names in sorted order, so they are stable.
pub fn validate_fields(fields: &[ActionField], input: &Value) -> Result<Map<String, Value>, Vec<FieldIssue>> {
    let Some(values) = input.as_object() else {
        return Err(vec![FieldIssue::new("", "the input must be a JSON object")]);
    };
    let mut clean = Map::new();
    let mut issues = Vec::new();
    for field in fields {
        match values.get(&field.name).filter(|v| !is_blank(field, v)) {
            None if field.required => issues.push(FieldIssue::new(&field.name, "is required")),
            None => {}
            Some(value) => match validate_field_value(field, value) {
                Ok(value) => {
                    clean.insert(field.name.clone(), value);
                }
                Err(message) => issues.push(FieldIssue::new(&field.name, message)),
            },
        }
    }
    let known: BTreeSet<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let mut unknown: Vec<&String> = values.keys().filter(|k| !known.contains(k.as_str())).collect();
    unknown.sort();
    issues.extend(unknown.into_iter().map(|k| FieldIssue::new(k, "is not a field of this form")));
    if issues.is_empty() { Ok(clean) } else { Err(issues) }
}

/// Absent for the purpose of `required`: null, an all-blank text, or an empty selection.
fn is_blank(field: &ActionField, value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) if field.kind.is_text() => s.trim().is_empty() && field.required,
        Value::Array(items) if field.kind == FieldKind::MultiEnum => items.is_empty() && field.required,
        _ => false,
    }
}

/// Checks one non-null value against one field; the error is a short message for the user.
pub fn validate_field_value(field: &ActionField, value: &Value) -> Result<Value, String> {
    match field.kind {
        FieldKind::String | FieldKind::Text => validate_text(field, value),
        FieldKind::Integer => {
            let n = whole_number(value).ok_or("must be a whole number")?;
            check_bounds(field, n as f64)?;
            Ok(Value::Number(n.into()))
        }
        FieldKind::Number => {
            let n = value.as_f64().filter(|_| value.is_number()).ok_or("must be a number")?;
            check_bounds(field, n)?;
            Ok(value.clone())
        }
        FieldKind::Boolean => value.as_bool().map(Value::Bool).ok_or_else(|| "must be true or false".to_owned()),
        FieldKind::Enum => {
            let choice = value.as_str().filter(|v| is_option(field, v));
            choice.map(|v| Value::String(v.to_owned())).ok_or_else(|| "must be one of the offered options".to_owned())
        }
        FieldKind::MultiEnum => validate_multi(field, value),
    }
}

fn validate_text(field: &ActionField, value: &Value) -> Result<Value, String> {
    let text = value.as_str().ok_or("must be text")?;
    if let Some(max) = field.max_length
        && text.chars().count() > max as usize
    {
        return Err(format!("must be at most {max} characters"));
    }
    Ok(value.clone())
}

/// A JSON number with no fractional part, as an i64 (`3` and `3.0` both count).
fn whole_number(value: &Value) -> Option<i64> {
    let Value::Number(n) = value else { return None };
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    // Floats are only accepted where they are exact integers within i64.
    let f = n.as_f64()?;
    let in_range = f >= i64::MIN as f64 && f < i64::MAX as f64;
    (f.fract() == 0.0 && in_range).then_some(f as i64)
}

fn check_bounds(field: &ActionField, n: f64) -> Result<(), String> {
    if let Some(min) = field.min
        && n < min
    {
        return Err(format!("must be at least {}", show_number(min)));
    }
    if let Some(max) = field.max
        && n > max
    {
        return Err(format!("must be at most {}", show_number(max)));
    }
    Ok(())
}

/// `5` rather than `5.0` for whole bounds.
fn show_number(n: f64) -> String {
    match Number::from_f64(n) {
        Some(_) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", n as i64),
        _ => n.to_string(),
    }
}

fn is_option(field: &ActionField, value: &str) -> bool {
    field.options.iter().any(|o| o.value == value)
}

/// One pass over the options and one set lookup per item: a long list of choices against many
/// options costs no more than their sum.
fn validate_multi(field: &ActionField, value: &Value) -> Result<Value, String> {
    let items = value.as_array().ok_or("must be a list of the offered options")?;
    if items.len() > field.options.len() {
        return Err("must not choose the same option twice".to_owned());
    }
    let options: std::collections::HashSet<&str> = field.options.iter().map(|o| o.value.as_str()).collect();
    let mut seen = BTreeSet::new();
    for item in items {
        let choice = item.as_str().filter(|v| options.contains(v));
        let choice = choice.ok_or("must only contain the offered options")?;
        if !seen.insert(choice) {
            return Err("must not choose the same option twice".to_owned());
        }
    }
    Ok(value.clone())
}
