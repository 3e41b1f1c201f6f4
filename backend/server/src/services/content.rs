//! Editor content (source, entrypoint, schemas, change summary): parsing the schemas a client
//! sends and checking the whole, with every problem reported at its field path.

use crate::error::{ApiError, ApiResult};
use skriptoteket_domain::contract::FieldIssue;
use skriptoteket_domain::schema::{InputSchema, SettingsSchema};
use skriptoteket_domain::tool::{MAX_USAGE_INSTRUCTIONS, VersionContent};

pub const MAX_SOURCE_BYTES: usize = 256 * 1024;

/// Checks editor content; every problem is reported with its field path.
pub fn check(content: &VersionContent) -> ApiResult<()> {
    let mut issues: Vec<FieldIssue> = Vec::new();
    if content.source.len() > MAX_SOURCE_BYTES {
        issues.push(FieldIssue {
            field: "source".into(),
            message: format!("must be at most {} KiB", MAX_SOURCE_BYTES / 1024),
        });
    }
    let entry_ok = !content.entrypoint.is_empty()
        && content.entrypoint.len() <= 64
        && content.entrypoint.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !content.entrypoint.as_bytes()[0].is_ascii_digit();
    if !entry_ok {
        issues.push(FieldIssue { field: "entrypoint".into(), message: "must be a Python function name".into() });
    }
    if content.usage_instructions.len() > MAX_USAGE_INSTRUCTIONS {
        issues.push(FieldIssue {
            field: "usage_instructions".into(),
            message: format!("must be at most {} KiB", MAX_USAGE_INSTRUCTIONS / 1024),
        });
    }
    if content.change_summary.len() > 2000 {
        issues.push(FieldIssue { field: "change_summary".into(), message: "must be at most 2000 characters".into() });
    }
    if let Some(schema) = &content.input_schema {
        issues.extend(schema.check("input_schema"));
    }
    if let Some(schema) = &content.settings_schema {
        issues.extend(schema.check("settings_schema"));
    }
    if issues.is_empty() { Ok(()) } else { Err(ApiError::from_issues(issues)) }
}

/// Parses an input schema given as JSON, pointing errors at `input_schema`.
pub fn parse_input_schema(value: Option<serde_json::Value>) -> ApiResult<Option<InputSchema>> {
    parse_schema(value, "input_schema")
}

/// Parses a settings schema given as JSON, pointing errors at `settings_schema`.
pub fn parse_settings_schema(value: Option<serde_json::Value>) -> ApiResult<Option<SettingsSchema>> {
    parse_schema(value, "settings_schema")
}

fn parse_schema<T: serde::de::DeserializeOwned>(value: Option<serde_json::Value>, field: &str) -> ApiResult<Option<T>> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v).map(Some).map_err(|e| ApiError::field(field, e.to_string())),
    }
}
