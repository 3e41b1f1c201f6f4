//! The typed, already-normalised shape of result contract v2 (SPEC §5), as stored and served.
//!
//! These types describe what the backend *keeps*; untrusted input never goes through their
//! `Deserialize` (see `parse_result`/`normalize`), so they can be strict and tidy.

use crate::run_error::{ErrorCode, FileCap};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How a run ended, as the tool (its wrapper) reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ToolStatus {
    Succeeded,
    Failed,
    TimedOut,
}

/// A parsed and normalised `result.json`. Serialized, it has the shape of `result.json` without
/// `contract_version` (the UI part is flattened).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ToolResult {
    pub status: ToolStatus,
    /// A message for whoever ran the tool; at most 20 KiB.
    #[serde(default)]
    pub error_summary: Option<String>,
    #[serde(flatten)]
    pub ui: UiPayload,
    /// What the tool *says* it wrote. Informational only: the runner's own listing of the
    /// output directory is what counts.
    #[serde(default)]
    pub artifacts: Vec<DeclaredArtifact>,
    /// Why a failed run failed, as the wrapper tells (only the codes a tool's side may claim;
    /// the host decides timeouts, cancels and engine failures itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<ErrorCode>,
    /// Output files the wrapper did not send back, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped_files: Option<SkippedFiles>,
}

/// `skipped_files` of `result.json`: how many files under `output/` were not sent back, and
/// the reasons that applied (unknown reasons are left out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkippedFiles {
    pub count: u64,
    pub reasons: Vec<FileCap>,
}

/// An artifact as declared by the tool: a safe relative path and its size in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeclaredArtifact {
    pub path: String,
    pub bytes: u64,
}

/// The normalised UI of a run: what the SPA renders and what a follow-up action continues from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UiPayload {
    #[serde(default)]
    pub outputs: Vec<UiOutput>,
    #[serde(default)]
    pub next_actions: Vec<NextAction>,
    /// Opaque tool state handed back on the next action; always an object when present.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub state: Option<Value>,
}

/// One output block; `kind` picks the renderer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UiOutput {
    Notice {
        level: NoticeLevel,
        message: String,
    },
    Markdown {
        markdown: String,
    },
    Table {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        columns: Vec<TableColumn>,
        /// Each row holds only declared column keys, with scalar values.
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
        rows: Vec<Map<String, Value>>,
    },
    Json {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// Any JSON value.
        value: Value,
    },
    /// HTML rendered in an iframe sandbox without scripts.
    HtmlSandboxed {
        html: String,
    },
    /// A Vega-Lite spec with inline data only.
    VegaLite {
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        spec: Value,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeLevel {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableColumn {
    pub key: String,
    pub label: String,
}

/// A follow-up the user may submit; it starts a new run with `input` and the current `state`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextAction {
    pub action_id: String,
    pub label: String,
    #[serde(default)]
    pub kind: ActionKind,
    #[serde(default)]
    pub fields: Vec<ActionField>,
    /// Initial values, each already checked against its field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub prefill: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    #[default]
    Form,
}

/// One form field. The same shape serves next actions, and later tools' input and settings
/// schemas, so validation of submitted values lives in `validate_fields`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionField {
    pub name: String,
    pub kind: FieldKind,
    pub label: String,
    #[serde(default)]
    pub required: bool,
    /// The choices of an `enum` or `multi_enum` field; empty for other kinds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<EnumOption>,
    /// Bounds of an `integer` or `number` field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Longest `string` or `text` value, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl ActionField {
    /// A field of `kind` with no options, bounds or help; handy for building schemas in code.
    pub fn new(name: impl Into<String>, kind: FieldKind, label: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind,
            label: label.into(),
            required: false,
            options: Vec::new(),
            min: None,
            max: None,
            max_length: None,
            help: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    String,
    Text,
    Integer,
    Number,
    Boolean,
    Enum,
    MultiEnum,
}

impl FieldKind {
    pub const ALL: [FieldKind; 7] = [
        FieldKind::String,
        FieldKind::Text,
        FieldKind::Integer,
        FieldKind::Number,
        FieldKind::Boolean,
        FieldKind::Enum,
        FieldKind::MultiEnum,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::String => "string",
            FieldKind::Text => "text",
            FieldKind::Integer => "integer",
            FieldKind::Number => "number",
            FieldKind::Boolean => "boolean",
            FieldKind::Enum => "enum",
            FieldKind::MultiEnum => "multi_enum",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn has_options(self) -> bool {
        matches!(self, FieldKind::Enum | FieldKind::MultiEnum)
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, FieldKind::Integer | FieldKind::Number)
    }

    pub fn is_text(self) -> bool {
        matches!(self, FieldKind::String | FieldKind::Text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnumOption {
    pub value: String,
    pub label: String,
}
