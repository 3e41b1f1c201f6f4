//! Tests of the result contract, one file per concern; helpers shared by them live here.

use super::*;
use serde_json::{Value, json};

mod actions;
mod determinism;
mod envelope;
mod fields;
mod outputs;
mod tables;

/// A minimal valid result.json around `ui` (merged into the top level).
pub(super) fn result_doc(ui: Value) -> Value {
    let mut doc = json!({ "contract_version": 2, "status": "succeeded" });
    let (Value::Object(doc_map), Value::Object(ui)) = (&mut doc, ui) else { panic!("objects only") };
    doc_map.extend(ui);
    doc
}

/// Parses `doc` as a result.json and returns its normalised result.
pub(super) fn parse(doc: &Value) -> ToolResult {
    parse_result(&serde_json::to_vec(doc).unwrap()).expect("a valid envelope")
}

/// The messages of the system notices among `outputs`.
pub(super) fn system_notices(payload: &UiPayload) -> Vec<&str> {
    payload
        .outputs
        .iter()
        .filter_map(|o| match o {
            UiOutput::Notice { message, .. } if message.starts_with(SYSTEM_NOTICE_PREFIX) => Some(message.as_str()),
            _ => None,
        })
        .collect()
}
