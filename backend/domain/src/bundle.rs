//! Tool bundles: one JSON document that carries a tool from one installation to another
//! (metadata, taxonomy by slug, usage instructions, source, entrypoint and both schemas), and
//! the conversion of the Python original's input schema — a list of fields — into ours.

use crate::contract::{ActionField, EnumOption, FieldIssue, FieldKind};
use crate::schema::{FileRule, InputSchema, MAX_FILES_PER_RUN, SettingsSchema};
use crate::tool::{Tool, ToolVersion};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `format` every bundle names, so a stray JSON file is refused with a clear message.
pub const BUNDLE_FORMAT: &str = "skriptoteket.tool-bundle";
pub const BUNDLE_FORMAT_VERSION: u32 = 1;

/// A tool bundle as exported (and, with the schemas in our shape, as imported).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ToolBundle {
    /// Always `skriptoteket.tool-bundle`.
    pub format: String,
    /// Always 1.
    pub format_version: u32,
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// Category slugs, e.g. `administration`.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Profession slugs, e.g. `larare`.
    #[serde(default)]
    pub professions: Vec<String>,
    #[serde(default)]
    pub usage_instructions: String,
    pub source: String,
    #[serde(default = "default_entrypoint")]
    pub entrypoint: String,
    /// Ours (`{files, fields}`) or the original platform's list of fields.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub input_schema: Option<Value>,
    /// Ours (`{fields}`) or a list of fields like the original's input schema.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub settings_schema: Option<Value>,
}

fn default_entrypoint() -> String {
    crate::tool::DEFAULT_ENTRYPOINT.to_owned()
}

impl ToolBundle {
    /// The bundle of `version` of `tool`, schemas in our shape.
    pub fn of(tool: &Tool, version: &ToolVersion) -> Self {
        Self {
            format: BUNDLE_FORMAT.to_owned(),
            format_version: BUNDLE_FORMAT_VERSION,
            slug: tool.slug.clone(),
            title: tool.title.clone(),
            summary: tool.summary.clone(),
            categories: tool.categories.iter().map(|t| t.slug.clone()).collect(),
            professions: tool.professions.iter().map(|t| t.slug.clone()).collect(),
            usage_instructions: version.usage_instructions.clone(),
            source: version.source.clone(),
            entrypoint: version.entrypoint.clone(),
            input_schema: version.input_schema.as_ref().and_then(|s| serde_json::to_value(s).ok()),
            settings_schema: version.settings_schema.as_ref().and_then(|s| serde_json::to_value(s).ok()),
        }
    }

    /// The format markers, then both schemas in our shape; every problem with its field path.
    pub fn schemas(&self) -> Result<(Option<InputSchema>, Option<SettingsSchema>), Vec<FieldIssue>> {
        let mut issues = Vec::new();
        if self.format != BUNDLE_FORMAT {
            issues.push(issue("format".into(), format!("must be `{BUNDLE_FORMAT}`")));
        }
        if self.format_version != BUNDLE_FORMAT_VERSION {
            issues.push(issue("format_version".into(), format!("must be {BUNDLE_FORMAT_VERSION}")));
        }
        let input = match &self.input_schema {
            None | Some(Value::Null) => None,
            Some(Value::Array(list)) => convert_fields("input_schema", list, true, &mut issues)
                .map(|(files, fields)| InputSchema { files, fields }),
            Some(value) => typed(value, "input_schema", &mut issues),
        };
        let settings = match &self.settings_schema {
            None | Some(Value::Null) => None,
            Some(Value::Array(list)) => {
                convert_fields("settings_schema", list, false, &mut issues).map(|(_, fields)| SettingsSchema { fields })
            }
            Some(value) => typed(value, "settings_schema", &mut issues),
        };
        if issues.is_empty() { Ok((input, settings)) } else { Err(issues) }
    }
}

fn issue(field: String, message: impl Into<String>) -> FieldIssue {
    FieldIssue { field, message: message.into() }
}

fn typed<T: serde::de::DeserializeOwned>(value: &Value, at: &str, issues: &mut Vec<FieldIssue>) -> Option<T> {
    serde_json::from_value(value.clone()).map_err(|e| issues.push(issue(at.to_owned(), e.to_string()))).ok()
}

/// Converts the original's list of fields. `file` fields (at most one, and only in an input
/// schema) become the file rule; the rest become form fields. Whatever cannot be carried over
/// is reported at `prefix[i].key`; nothing is dropped silently.
fn convert_fields(
    prefix: &str,
    list: &[Value],
    files_allowed: bool,
    issues: &mut Vec<FieldIssue>,
) -> Option<(Option<FileRule>, Vec<ActionField>)> {
    let before = issues.len();
    let mut files = None;
    let mut fields = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let at = |key: &str| if key.is_empty() { format!("{prefix}[{i}]") } else { format!("{prefix}[{i}].{key}") };
        let Some(obj) = item.as_object() else {
            issues.push(issue(at(""), "must be an object with `name`, `kind` and `label`"));
            continue;
        };
        let kind = obj.get("kind").or_else(|| obj.get("type")).and_then(Value::as_str).unwrap_or_default();
        if kind == "file" {
            if !files_allowed {
                issues.push(issue(at("kind"), "settings cannot ask for files"));
            } else if files.is_some() {
                issues.push(issue(at("kind"), "only one file field can be converted; merge them into one"));
            } else {
                files = file_rule(obj, &at, issues);
            }
            continue;
        }
        let Some(kind) = field_kind(kind) else {
            let known = "file, string, text, integer, number, boolean, enum, multi_enum";
            issues.push(issue(at("kind"), format!("unknown kind `{kind}` (known: {known})")));
            continue;
        };
        if let Some(field) = action_field(obj, kind, &at, issues) {
            fields.push(field);
        }
    }
    (issues.len() == before).then_some((files, fields))
}

fn field_kind(kind: &str) -> Option<FieldKind> {
    Some(match kind {
        "string" => FieldKind::String,
        "text" | "textarea" => FieldKind::Text,
        "integer" | "int" => FieldKind::Integer,
        "number" | "float" => FieldKind::Number,
        "boolean" | "bool" | "checkbox" => FieldKind::Boolean,
        "enum" | "select" | "dropdown" => FieldKind::Enum,
        "multi_enum" => FieldKind::MultiEnum,
        _ => return None,
    })
}

/// Keys of a field the conversion understands (`type` is the original's older name of `kind`).
const FIELD_KEYS: [&str; 13] = [
    "name",
    "kind",
    "type",
    "label",
    "required",
    "options",
    "min",
    "max",
    "max_length",
    "help",
    "description",
    "placeholder",
    "default",
];

fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn number(
    obj: &Map<String, Value>,
    key: &str,
    at: &dyn Fn(&str) -> String,
    issues: &mut Vec<FieldIssue>,
) -> Option<f64> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => v.as_f64().or_else(|| {
            issues.push(issue(at(key), "must be a number"));
            None
        }),
    }
}

fn action_field(
    obj: &Map<String, Value>,
    kind: FieldKind,
    at: &dyn Fn(&str) -> String,
    issues: &mut Vec<FieldIssue>,
) -> Option<ActionField> {
    for key in obj.keys().filter(|k| !FIELD_KEYS.contains(&k.as_str())) {
        issues.push(issue(at(key), "is not part of a field and cannot be converted"));
    }
    if obj.get("default").is_some_and(|v| !v.is_null()) {
        issues.push(issue(at("default"), "defaults cannot be converted; use the tool's settings instead"));
    }
    let name = text(obj, "name").unwrap_or_default();
    let label = text(obj, "label").unwrap_or_else(|| name.clone());
    let options = match obj.get("options") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => {
            list.iter().enumerate().filter_map(|(j, o)| option(o, &at(&format!("options[{j}]")), issues)).collect()
        }
        Some(_) => {
            issues.push(issue(at("options"), "must be a list"));
            Vec::new()
        }
    };
    let max_length = number(obj, "max_length", at, issues).map(|n| n.clamp(0.0, f64::from(u32::MAX)) as u32);
    let help = text(obj, "help").or_else(|| text(obj, "description")).or_else(|| text(obj, "placeholder"));
    Some(ActionField {
        required: obj.get("required").and_then(Value::as_bool).unwrap_or(false),
        options,
        min: number(obj, "min", at, issues),
        max: number(obj, "max", at, issues),
        max_length,
        help,
        ..ActionField::new(name, kind, label)
    })
}

/// An option is a string (value and label alike) or `{value, label}`.
fn option(value: &Value, at: &str, issues: &mut Vec<FieldIssue>) -> Option<EnumOption> {
    match value {
        Value::String(s) => Some(EnumOption { value: s.clone(), label: s.clone() }),
        Value::Object(o) => match o.get("value").and_then(Value::as_str) {
            Some(v) => {
                let label = o.get("label").and_then(Value::as_str).unwrap_or(v);
                Some(EnumOption { value: v.to_owned(), label: label.to_owned() })
            }
            None => {
                issues.push(issue(at.to_owned(), "needs a text `value`"));
                None
            }
        },
        _ => {
            issues.push(issue(at.to_owned(), "must be a text or {value, label}"));
            None
        }
    }
}

fn file_rule(obj: &Map<String, Value>, at: &dyn Fn(&str) -> String, issues: &mut Vec<FieldIssue>) -> Option<FileRule> {
    let count = |key: &str, default: u32, issues: &mut Vec<FieldIssue>| match obj.get(key) {
        None | Some(Value::Null) => default,
        Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => n,
            None => {
                issues.push(issue(at(key), "must be a whole number ≥ 0"));
                default
            }
        },
    };
    let accept = match obj.get("accept") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(extension).collect(),
        Some(Value::String(s)) => s.split(',').map(extension).filter(|e| e.len() > 1).collect(),
        Some(_) => {
            issues.push(issue(at("accept"), "must be a list of extensions such as .csv"));
            Vec::new()
        }
    };
    let min = count("min", 1, issues);
    let max = count("max", min.max(1), issues);
    if max > MAX_FILES_PER_RUN {
        issues.push(issue(at("max"), format!("at most {MAX_FILES_PER_RUN} files per run")));
    }
    Some(FileRule { accept, min, max, label: text(obj, "label") })
}

/// `csv`, `.CSV` and ` .csv` all mean `.csv`.
fn extension(raw: &str) -> String {
    let trimmed = raw.trim().trim_start_matches('.').to_lowercase();
    format!(".{trimmed}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bundle(input: Value) -> ToolBundle {
        ToolBundle {
            format: BUNDLE_FORMAT.into(),
            format_version: 1,
            slug: "s".into(),
            title: "T".into(),
            summary: String::new(),
            categories: vec![],
            professions: vec![],
            usage_instructions: String::new(),
            source: "def run_tool(i, o): pass".into(),
            entrypoint: "run_tool".into(),
            input_schema: Some(input),
            settings_schema: None,
        }
    }

    #[test]
    fn the_originals_field_list_becomes_a_file_rule_and_fields() {
        let original = json!([
            { "name": "elevlista", "kind": "file", "label": "Elevlista", "accept": [".CSV", "xlsx"], "min": 1, "max": 2 },
            { "name": "klass", "kind": "string", "label": "Klass", "required": true, "placeholder": "7B" },
            { "name": "antal", "kind": "integer", "label": "Antal", "min": 1, "max": 10 },
            { "name": "skala", "kind": "enum", "label": "Skala", "options": ["A-F", { "value": "pf", "label": "G/IG" }] },
        ]);
        let (input, settings) = bundle(original).schemas().unwrap();
        let input = input.unwrap();
        assert_eq!(
            input.files,
            Some(FileRule {
                accept: vec![".csv".into(), ".xlsx".into()],
                min: 1,
                max: 2,
                label: Some("Elevlista".into())
            })
        );
        assert_eq!(input.fields.len(), 3);
        assert!(input.fields[0].required);
        assert_eq!(input.fields[0].help.as_deref(), Some("7B"));
        assert_eq!((input.fields[1].min, input.fields[1].max), (Some(1.0), Some(10.0)));
        assert_eq!(input.fields[2].options[1], EnumOption { value: "pf".into(), label: "G/IG".into() });
        assert!(input.check("input_schema").is_empty(), "a converted schema passes our own checks");
        assert_eq!(settings, None);
    }

    #[test]
    fn what_cannot_be_converted_is_reported_per_field() {
        let original = json!([
            { "name": "a", "kind": "file" },
            { "name": "b", "kind": "file" },
            { "name": "c", "kind": "colour", "label": "C" },
            { "name": "d", "kind": "string", "label": "D", "default": "x", "pattern": "^x$" },
            { "name": "e", "kind": "enum", "label": "E", "options": [1] },
            "f",
        ]);
        let issues = bundle(original).schemas().unwrap_err();
        let at: Vec<&str> = issues.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(
            at,
            [
                "input_schema[1].kind",
                "input_schema[2].kind",
                "input_schema[3].pattern",
                "input_schema[3].default",
                "input_schema[4].options[0]",
                "input_schema[5]"
            ],
            "{issues:?}"
        );
    }

    #[test]
    fn our_own_shape_and_the_format_markers_are_checked() {
        let mut b = bundle(json!({ "files": null, "fields": [], "extra": 1 }));
        b.format = "zip".into();
        let issues = b.schemas().unwrap_err();
        assert_eq!(issues[0].field, "format");
        assert_eq!(issues[1].field, "input_schema");
        let ok = bundle(json!({ "fields": [{ "name": "x", "kind": "boolean", "label": "X" }] }));
        assert_eq!(ok.schemas().unwrap().0.unwrap().fields[0].kind, FieldKind::Boolean);
        let mut settings = bundle(Value::Null);
        settings.settings_schema = Some(json!([{ "name": "f", "kind": "file" }]));
        assert_eq!(settings.schemas().unwrap_err()[0].message, "settings cannot ask for files");
    }
}
