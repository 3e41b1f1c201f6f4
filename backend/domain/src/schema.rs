//! A version's input schema (what the run form asks for) and settings schema (per-user
//! settings), checked strictly when an author saves a draft, and used to validate every run.

use crate::contract::{ActionField, FieldIssue, FieldKind, validate_fields};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Upload caps of SPEC §6, which no schema can raise.
pub const MAX_FILES_PER_RUN: u32 = 20;
pub const MAX_FILE_BYTES: u64 = 20 * 1000 * 1000;
pub const MAX_RUN_UPLOAD_BYTES: u64 = 50 * 1000 * 1000;
pub const MAX_SCHEMA_FIELDS: usize = 25;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InputSchema {
    /// Which files the form asks for; `null` means no upload.
    #[serde(default)]
    pub files: Option<FileRule>,
    /// Form fields besides the files.
    #[serde(default)]
    pub fields: Vec<ActionField>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FileRule {
    /// Accepted extensions such as `.csv`, `.xlsx`; empty accepts any.
    #[serde(default)]
    pub accept: Vec<String>,
    #[serde(default)]
    pub min: u32,
    #[serde(default = "default_max_files")]
    pub max: u32,
    /// Shown above the drop zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

fn default_max_files() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SettingsSchema {
    pub fields: Vec<ActionField>,
}

fn issue(field: String, message: impl Into<String>) -> FieldIssue {
    FieldIssue { field, message: message.into() }
}

impl InputSchema {
    /// Problems an author must fix before the schema can be saved, with dotted field paths.
    pub fn check(&self, prefix: &str) -> Vec<FieldIssue> {
        let mut issues = check_fields(&format!("{prefix}.fields"), &self.fields);
        if let Some(files) = &self.files {
            let at = |what: &str| format!("{prefix}.files.{what}");
            if files.max == 0 || files.max > MAX_FILES_PER_RUN {
                issues.push(issue(at("max"), format!("must be between 1 and {MAX_FILES_PER_RUN}")));
            }
            if files.min > files.max {
                issues.push(issue(at("min"), "must not be larger than max"));
            }
            for (i, ext) in files.accept.iter().enumerate() {
                let ok = ext.len() >= 2
                    && ext.len() <= 16
                    && ext.starts_with('.')
                    && ext[1..].bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
                if !ok {
                    issues.push(issue(
                        at(&format!("accept[{i}]")),
                        "must look like .csv (a dot, then lower-case letters or digits)",
                    ));
                }
            }
        }
        issues
    }

    /// Whether `file_name` has an accepted extension.
    pub fn accepts(&self, file_name: &str) -> bool {
        let Some(files) = &self.files else { return false };
        files.accept.is_empty() || files.accept.iter().any(|ext| file_name.to_lowercase().ends_with(ext.as_str()))
    }
}

impl SettingsSchema {
    pub fn check(&self, prefix: &str) -> Vec<FieldIssue> {
        check_fields(&format!("{prefix}.fields"), &self.fields)
    }

    /// A stable fingerprint: settings saved under another schema are re-validated.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::to_string(&self.fields).unwrap_or_default();
        format!("{:016x}", fnv1a(canonical.as_bytes()))
    }

    /// Keeps the stored values that still fit the schema (for showing old settings after a
    /// schema change), filling nothing in.
    pub fn retain_valid(&self, values: &Map<String, Value>) -> Map<String, Value> {
        self.fields
            .iter()
            .filter_map(|f| {
                let v = values.get(&f.name)?;
                crate::contract::validate_field_value(f, v).ok().map(|v| (f.name.clone(), v))
            })
            .collect()
    }

    pub fn validate(&self, values: &Value) -> Result<Map<String, Value>, Vec<FieldIssue>> {
        validate_fields(&self.fields, values)
    }
}

fn check_fields(prefix: &str, fields: &[ActionField]) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    if fields.len() > MAX_SCHEMA_FIELDS {
        issues.push(issue(prefix.to_owned(), format!("at most {MAX_SCHEMA_FIELDS} fields")));
    }
    let mut names = BTreeSet::new();
    for (i, f) in fields.iter().enumerate() {
        let at = |what: &str| format!("{prefix}[{i}].{what}");
        let name_ok = !f.name.is_empty()
            && f.name.len() <= 64
            && f.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !f.name.as_bytes()[0].is_ascii_digit();
        if !name_ok {
            issues.push(issue(at("name"), "must be letters, digits and _, not starting with a digit"));
        } else if !names.insert(f.name.as_str()) {
            issues.push(issue(at("name"), format!("`{}` is used twice", f.name)));
        }
        if f.label.trim().is_empty() {
            issues.push(issue(at("label"), "must not be empty"));
        }
        let is_enum = matches!(f.kind, FieldKind::Enum | FieldKind::MultiEnum);
        if is_enum && f.options.is_empty() {
            issues.push(issue(at("options"), "an enum field needs at least one option"));
        }
        if f.options.len() > crate::contract::limits::MAX_ENUM_OPTIONS {
            let most = crate::contract::limits::MAX_ENUM_OPTIONS;
            issues.push(issue(at("options"), format!("at most {most} options")));
        }
        let mut values = BTreeSet::new();
        if f.options.iter().any(|o| !values.insert(o.value.as_str())) {
            issues.push(issue(at("options"), "option values must be distinct"));
        }
        if let (Some(min), Some(max)) = (f.min, f.max)
            && min > max
        {
            issues.push(issue(at("min"), "must not be larger than max"));
        }
    }
    issues
}

/// FNV-1a: tiny, stable across builds and platforms, and enough to notice a changed schema.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(name: &str, kind: FieldKind) -> ActionField {
        ActionField::new(name, kind, "Etikett")
    }

    #[test]
    fn schemas_reject_duplicate_names_empty_enums_and_bad_extensions() {
        let schema = InputSchema {
            files: Some(FileRule { accept: vec![".csv".into(), "xlsx".into()], min: 2, max: 1, label: None }),
            fields: vec![
                field("klass", FieldKind::String),
                field("klass", FieldKind::Enum),
                field("1x", FieldKind::Text),
            ],
        };
        let fields: Vec<String> = schema.check("input_schema").into_iter().map(|i| i.field).collect();
        assert_eq!(
            fields,
            [
                "input_schema.fields[1].name",
                "input_schema.fields[1].options",
                "input_schema.fields[2].name",
                "input_schema.files.min",
                "input_schema.files.accept[1]",
            ]
        );
    }

    #[test]
    fn extensions_are_matched_case_insensitively() {
        let schema = InputSchema {
            files: Some(FileRule { accept: vec![".csv".into()], min: 1, max: 1, label: None }),
            fields: vec![],
        };
        assert!(schema.accepts("Elever.CSV"));
        assert!(!schema.accepts("elever.csv.exe"));
        assert!(!InputSchema { files: None, fields: vec![] }.accepts("a.csv"));
    }

    #[test]
    fn unknown_schema_keys_are_refused() {
        assert!(serde_json::from_value::<InputSchema>(json!({ "fields": [], "script": "x" })).is_err());
    }

    #[test]
    fn fingerprints_change_with_the_fields() {
        let a = SettingsSchema { fields: vec![field("skala", FieldKind::String)] };
        let b = SettingsSchema { fields: vec![field("skala", FieldKind::Text)] };
        assert_eq!(a.fingerprint(), a.clone().fingerprint());
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
