//! Reading fields out of untrusted JSON objects, with messages an author can act on.
//!
//! Errors are short phrases ("`columns` must be a list, not text"); the caller says where.

use super::notices::{Cut, Cuts};
use super::text::{code, describe, human_bytes, truncate};
use serde_json::{Map, Value};

pub(crate) type Obj = Map<String, Value>;

pub(crate) fn object(value: &Value) -> Result<&Obj, String> {
    value.as_object().ok_or_else(|| format!("must be an object, not {}", describe(value)))
}

/// A present, non-null field.
fn present<'a>(obj: &'a Obj, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

pub(crate) fn req_str<'a>(obj: &'a Obj, key: &str) -> Result<&'a str, String> {
    opt_str(obj, key)?.ok_or_else(|| format!("{} is missing", code(key)))
}

pub(crate) fn opt_str<'a>(obj: &'a Obj, key: &str) -> Result<Option<&'a str>, String> {
    match present(obj, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("{} must be text, not {}", code(key), describe(other))),
    }
}

pub(crate) fn opt_array<'a>(obj: &'a Obj, key: &str) -> Result<Option<&'a [Value]>, String> {
    match present(obj, key) {
        None => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(other) => Err(format!("{} must be a list, not {}", code(key), describe(other))),
    }
}

pub(crate) fn req_array<'a>(obj: &'a Obj, key: &str) -> Result<&'a [Value], String> {
    opt_array(obj, key)?.ok_or_else(|| format!("{} is missing", code(key)))
}

pub(crate) fn opt_bool(obj: &Obj, key: &str) -> Result<Option<bool>, String> {
    match present(obj, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(format!("{} must be true or false, not {}", code(key), describe(other))),
    }
}

pub(crate) fn opt_f64(obj: &Obj, key: &str) -> Result<Option<f64>, String> {
    match present(obj, key) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(other) => Err(format!("{} must be a number, not {}", code(key), describe(other))),
    }
}

/// An identifier (action id, field name, column key): non-empty and short. Too long is an
/// error, not a truncation, because two shortened ids could collide.
pub(crate) fn req_id<'a>(obj: &'a Obj, key: &str, max_bytes: usize) -> Result<&'a str, String> {
    let id = req_str(obj, key)?;
    if id.trim().is_empty() {
        return Err(format!("{} is empty", code(key)));
    }
    if id.len() > max_bytes {
        return Err(format!("{} is longer than {}", code(key), human_bytes(max_bytes)));
    }
    Ok(id)
}

/// `text` shortened to `max_bytes`, noting the cut as `what` ("outputs[2] markdown").
pub(crate) fn capped(text: &str, max_bytes: usize, what: &str, cuts: &mut Cuts) -> String {
    match truncate(text, max_bytes) {
        Some(short) => {
            cuts.add(Cut::Shortened, format!("{what} to {}", human_bytes(max_bytes)));
            short
        }
        None => text.to_owned(),
    }
}
