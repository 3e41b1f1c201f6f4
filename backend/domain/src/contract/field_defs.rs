//! Normalising untrusted form field *definitions* (what a tool declares), as opposed to
//! `fields.rs`, which checks the *values* a user submits for them.

use super::limits::{MAX_ENUM_OPTIONS, MAX_FIELDS_PER_ACTION, MAX_HELP_BYTES, MAX_ID_BYTES, MAX_LABEL_BYTES};
use super::notices::{Cut, Cuts};
use super::read::{Obj, capped, object, opt_bool, opt_f64, opt_str, req_array, req_id, req_str};
use super::text::{code, describe, human_bytes};
use super::types::{ActionField, EnumOption, FieldKind};
use serde_json::Value;
use std::collections::BTreeSet;

/// Valid fields with distinct names, in order, at most 25. `owner` names the form in notices
/// ("action `grade`").
pub(crate) fn normalize_fields(owner: &str, raw: &[Value], cuts: &mut Cuts) -> Vec<ActionField> {
    let mut fields = Vec::new();
    let mut names = BTreeSet::new();
    let mut valid = 0;
    for (index, item) in raw.iter().enumerate() {
        let field = match normalize_field(owner, item, cuts) {
            Ok(field) => field,
            Err(why) => {
                cuts.add(Cut::MalformedField, format!("{owner} fields[{index}] {why}"));
                continue;
            }
        };
        if !names.insert(field.name.clone()) {
            let why = format!("{owner} fields[{index}]: the name {} is already used", code(&field.name));
            cuts.add(Cut::MalformedField, why);
            continue;
        }
        valid += 1;
        if fields.len() < MAX_FIELDS_PER_ACTION {
            fields.push(field);
        }
    }
    if valid > MAX_FIELDS_PER_ACTION {
        let why = format!("{owner} was cut to {MAX_FIELDS_PER_ACTION} fields (it had {valid})");
        cuts.add(Cut::FieldsCap, why);
    }
    fields
}

fn normalize_field(owner: &str, raw: &Value, cuts: &mut Cuts) -> Result<ActionField, String> {
    let obj = object(raw)?;
    let name = req_id(obj, "name", MAX_ID_BYTES)?;
    let kind_name = req_str(obj, "kind")?;
    let kind = FieldKind::from_name(kind_name).ok_or_else(|| {
        let known: Vec<&str> = FieldKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("has unknown kind {} (expected {})", code(kind_name), known.join(", "))
    })?;
    let what = format!("{owner} field {}", code(name));
    let label = capped(opt_str(obj, "label")?.unwrap_or(name), MAX_LABEL_BYTES, &format!("{what} label"), cuts);
    let help = opt_str(obj, "help")?.map(|h| capped(h, MAX_HELP_BYTES, &format!("{what} help"), cuts));
    let mut field = ActionField::new(name, kind, label);
    field.required = opt_bool(obj, "required")?.unwrap_or(false);
    field.help = help;
    // Attributes that do not apply to the kind are ignored rather than refused: they are
    // harmless, and tools often share one dict of attributes between fields.
    if kind.is_numeric() {
        field.min = opt_f64(obj, "min")?;
        field.max = opt_f64(obj, "max")?;
        if let (Some(min), Some(max)) = (field.min, field.max)
            && min > max
        {
            return Err("has `min` greater than `max`".to_owned());
        }
    }
    if kind.is_text() {
        field.max_length = max_length(obj)?;
    }
    if kind.has_options() {
        field.options = normalize_options(&what, req_array(obj, "options")?, cuts);
        if field.options.is_empty() {
            return Err("has no valid options".to_owned());
        }
    }
    Ok(field)
}

fn max_length(obj: &Obj) -> Result<Option<u32>, String> {
    match obj.get("max_length") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Ok(Some(n)),
            None => Err("has a `max_length` that is not a whole number ≥ 0".to_owned()),
        },
        Some(other) => Err(format!("`max_length` must be a number, not {}", describe(other))),
    }
}

/// Valid options with distinct values, in order, at most 100. A bare string is an option whose
/// value and label are that string.
fn normalize_options(what: &str, raw: &[Value], cuts: &mut Cuts) -> Vec<EnumOption> {
    let mut options = Vec::new();
    let mut values = BTreeSet::new();
    let mut valid = 0;
    for (index, item) in raw.iter().enumerate() {
        let option = match normalize_option(item) {
            Ok((value, label)) => {
                let what = format!("{what} option {} label", code(value));
                EnumOption { value: value.to_owned(), label: capped(label, MAX_LABEL_BYTES, &what, cuts) }
            }
            Err(why) => {
                cuts.add(Cut::Options, format!("{what}: options[{index}] was ignored, it {why}"));
                continue;
            }
        };
        if !values.insert(option.value.clone()) {
            let why = format!("{what}: option {} is listed twice", code(&option.value));
            cuts.add(Cut::Options, why);
            continue;
        }
        valid += 1;
        if options.len() < MAX_ENUM_OPTIONS {
            options.push(option);
        }
    }
    if valid > MAX_ENUM_OPTIONS {
        cuts.add(Cut::Options, format!("{what} was cut to {MAX_ENUM_OPTIONS} options (it had {valid})"));
    }
    options
}

/// An option's value and label. Values are compared exactly when a user submits them, so an
/// over-long value is refused (not shortened); the label is only shown and may be shortened.
fn normalize_option(raw: &Value) -> Result<(&str, &str), String> {
    let (value, label) = match raw {
        Value::String(value) => (value.as_str(), value.as_str()),
        other => {
            let obj = object(other)?;
            let value = req_str(obj, "value")?;
            (value, opt_str(obj, "label")?.unwrap_or(value))
        }
    };
    if value.len() > MAX_LABEL_BYTES {
        return Err(format!("has a value longer than {}", human_bytes(MAX_LABEL_BYTES)));
    }
    Ok((value, label))
}
