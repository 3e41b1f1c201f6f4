//! Normalising `next_actions`: valid forms only, first of each `action_id`, at most 10, with
//! prefill values that fit their fields.

use super::field_defs::normalize_fields;
use super::fields::validate_field_value;
use super::limits::{MAX_ID_BYTES, MAX_LABEL_BYTES, MAX_NESTING, MAX_NEXT_ACTIONS};
use super::notices::{Cut, Cuts};
use super::read::{capped, object, opt_array, opt_str, req_id};
use super::text::{code, describe, nests_deeper_than};
use super::types::{ActionField, ActionKind, NextAction};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

pub(crate) fn normalize_actions(raw: Option<&Value>, cuts: &mut Cuts) -> Vec<NextAction> {
    let items = match raw {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            let why = format!("`next_actions` must be a list, not {}", describe(other));
            cuts.add(Cut::MalformedAction, why);
            return Vec::new();
        }
    };
    let mut actions = Vec::new();
    let mut ids = BTreeSet::new();
    let mut offered = 0;
    // Actions past the cap are still checked (to count them honestly) but what is wrong
    // inside them is not worth a notice: they are dropped anyway.
    let mut ignored = Cuts::default();
    for (index, item) in items.iter().enumerate() {
        let at = format!("next_actions[{index}]");
        let sink = if actions.len() < MAX_NEXT_ACTIONS { &mut *cuts } else { &mut ignored };
        let action = match normalize_action(item, sink) {
            Ok(action) => action,
            Err(why) => {
                sink.add(Cut::MalformedAction, format!("{at} {why}"));
                continue;
            }
        };
        if !ids.insert(action.action_id.clone()) {
            sink.add(Cut::DuplicateAction, format!("{} ({at})", code(&action.action_id)));
            continue;
        }
        offered += 1;
        if actions.len() < MAX_NEXT_ACTIONS {
            actions.push(action);
        }
    }
    if offered > MAX_NEXT_ACTIONS {
        let why = format!("only the first {MAX_NEXT_ACTIONS} of {offered} next actions are offered");
        cuts.add(Cut::ActionsCap, why);
    }
    actions
}

fn normalize_action(raw: &Value, cuts: &mut Cuts) -> Result<NextAction, String> {
    let obj = object(raw)?;
    // Parsed documents never nest this deep; values built in code might.
    if nests_deeper_than(raw, MAX_NESTING) {
        return Err(format!("nests deeper than {MAX_NESTING} levels"));
    }
    let action_id = req_id(obj, "action_id", MAX_ID_BYTES)?.to_owned();
    match opt_str(obj, "kind")? {
        None | Some("form") => {}
        Some(other) => {
            return Err(format!("has kind {} (only `form` is supported)", code(other)));
        }
    }
    let name = format!("action {}", code(&action_id));
    // A button-like action without a label is still usable: show its id.
    let label = opt_str(obj, "label")?.unwrap_or(&action_id);
    let label = capped(label, MAX_LABEL_BYTES, &format!("{name} label"), cuts);
    let fields = normalize_fields(&name, opt_array(obj, "fields")?.unwrap_or_default(), cuts);
    let prefill = normalize_prefill(&name, obj.get("prefill"), &fields, cuts);
    Ok(NextAction { action_id, label, kind: ActionKind::Form, fields, prefill })
}

/// Keeps each prefill value that is valid for its field; the rest is dropped one by one, so a
/// single stale value does not cost the author all the others.
fn normalize_prefill(
    name: &str,
    raw: Option<&Value>,
    fields: &[ActionField],
    cuts: &mut Cuts,
) -> Option<Map<String, Value>> {
    let values = match raw {
        None | Some(Value::Null) => return None,
        Some(Value::Object(values)) => values,
        Some(other) => {
            cuts.add(Cut::Prefill, format!("{name}: prefill must be an object, not {}", describe(other)));
            return None;
        }
    };
    let mut kept = Map::new();
    for (key, value) in values.iter().filter(|(_, v)| !v.is_null()) {
        let Some(field) = fields.iter().find(|f| f.name == *key) else {
            cuts.add(Cut::Prefill, format!("{name}: {} is not one of its fields", code(key)));
            continue;
        };
        match validate_field_value(field, value) {
            Ok(value) => {
                kept.insert(key.clone(), value);
            }
            Err(why) => cuts.add(Cut::Prefill, format!("{name}: {} {why}", code(key))),
        }
    }
    (!kept.is_empty()).then_some(kept)
}
