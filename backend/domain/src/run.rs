//! Runs: one execution of a tool version, its queue states, files and artifacts (SPEC §3).

use crate::contract::UiPayload;
use crate::run_error::RunError;
use crate::schema::{InputSchema, SettingsSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Cancelled,
}

impl RunStatus {
    pub const ALL: [RunStatus; 6] =
        [Self::Queued, Self::Running, Self::Succeeded, Self::Failed, Self::TimedOut, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::TimedOut => "timed_out",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn is_final(self) -> bool {
        !matches!(self, Self::Queued | Self::Running)
    }
}

impl From<crate::execution::ExecutionStatus> for RunStatus {
    fn from(s: crate::execution::ExecutionStatus) -> Self {
        use crate::execution::ExecutionStatus as E;
        match s {
            E::Succeeded => Self::Succeeded,
            E::Failed => Self::Failed,
            E::TimedOut => Self::TimedOut,
            E::Cancelled => Self::Cancelled,
        }
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RunStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| format!("unknown run status `{s}`"))
    }
}

/// KÖR (production, the active version) or TESTKÖR (sandbox, any version, by its authors).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunContext {
    Production,
    Sandbox,
}

impl RunContext {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Sandbox => "sandbox",
        }
    }
}

impl FromStr for RunContext {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "production" => Ok(Self::Production),
            "sandbox" => Ok(Self::Sandbox),
            _ => Err(format!("unknown run context `{s}`")),
        }
    }
}

/// How long uploaded files stay reusable by a new run of the same tool, per user (SPEC §3).
pub const SESSION_FILES_TTL: chrono::Duration = chrono::Duration::hours(24);

/// An uploaded file of a run: its sanitised name, size, and where the server keeps it
/// (relative to the data dir's `uploads/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFile {
    pub name: String,
    pub bytes: u64,
    pub stored_as: String,
}

/// Unsaved editor content a sandbox run carries instead of the stored version's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceOverride {
    pub source: String,
    pub entrypoint: String,
    pub input_schema: Option<InputSchema>,
    pub settings_schema: Option<SettingsSchema>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    pub id: Uuid,
    pub run_id: Uuid,
    /// The tool's relative name below `output/`.
    pub name: String,
    /// Where the file is, relative to `ARTIFACTS_ROOT`.
    pub stored_as: String,
    pub bytes: u64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub id: Uuid,
    pub tool_id: Uuid,
    pub version_id: Uuid,
    pub context: RunContext,
    pub user_id: Uuid,
    pub status: RunStatus,
    /// The validated form inputs (a JSON object).
    pub inputs: serde_json::Value,
    pub files: Vec<RunFile>,
    /// The settings handed in as `memory.json`.
    pub settings: serde_json::Value,
    /// For follow-up runs: `{action_id, input, state}`.
    pub action: Option<serde_json::Value>,
    pub parent_run_id: Option<Uuid>,
    pub source_override: Option<SourceOverride>,
    pub timeout_seconds: u32,
    pub stdout: String,
    pub stderr: String,
    pub ui: Option<UiPayload>,
    pub error_summary: Option<String>,
    /// Why it did not simply succeed (see `run_error`).
    pub error: Option<RunError>,
    pub exit_code: Option<i64>,
    pub request_id: Option<String>,
    pub cancel_requested: bool,
    /// The run whose upload folder holds `files`: this run when it uploaded them, the earlier
    /// run when it reused them or follows up on it; `None` without files.
    pub files_from: Option<Uuid>,
    /// Bytes of the files uploaded with this run that are still kept (`None` once housekeeping
    /// removed them, or when the run uploaded nothing of its own).
    pub upload_bytes: Option<u64>,
    /// The class-mode batch this run is an item of.
    pub batch_id: Option<Uuid>,
    pub artifacts: Vec<Artifact>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewRun {
    pub id: Uuid,
    pub tool_id: Uuid,
    pub version_id: Uuid,
    pub context: RunContext,
    pub user_id: Uuid,
    pub inputs: serde_json::Value,
    pub files: Vec<RunFile>,
    pub settings: serde_json::Value,
    pub action: Option<serde_json::Value>,
    pub parent_run_id: Option<Uuid>,
    pub source_override: Option<SourceOverride>,
    pub timeout_seconds: u32,
    pub request_id: Option<String>,
    /// The run whose upload folder holds `files` (see `Run::files_from`).
    pub files_from: Option<Uuid>,
    pub batch_id: Option<Uuid>,
}

impl NewRun {
    /// The bytes this run adds to its user's storage: its files when it uploaded them itself
    /// (`files_from` is the run), nothing when it reuses another run's.
    pub fn upload_bytes(&self) -> Option<u64> {
        (self.files_from == Some(self.id)).then(|| self.files.iter().map(|f| f.bytes).sum())
    }
}

#[derive(Debug, Clone)]
pub struct NewArtifact {
    pub name: String,
    pub stored_as: String,
    pub bytes: u64,
}

/// What a finished run records.
#[derive(Debug, Clone)]
pub struct RunFinish {
    pub status: RunStatus,
    pub stdout: String,
    pub stderr: String,
    pub ui: Option<UiPayload>,
    pub error_summary: Option<String>,
    pub error: Option<RunError>,
    pub exit_code: Option<i64>,
    pub artifacts: Vec<NewArtifact>,
}

/// Filters of a run list; `user_id: None` lists everyone's (admins).
#[derive(Debug, Clone, Default)]
pub struct RunQuery {
    pub user_id: Option<Uuid>,
    pub tool_id: Option<Uuid>,
    pub status: Option<RunStatus>,
    pub context: Option<RunContext>,
}

/// A run in a list: no logs or payload.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub id: Uuid,
    pub tool_id: Uuid,
    pub tool_slug: String,
    pub tool_title: String,
    pub version_id: Uuid,
    pub context: RunContext,
    pub user_id: Uuid,
    pub status: RunStatus,
    pub error_summary: Option<String>,
    pub error: Option<RunError>,
    pub parent_run_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Which run folders the database still needs (`StorageStore::folders_in_use`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FoldersInUse {
    /// Runs that exist (a folder of any other run may belong to one on its way in).
    pub known: std::collections::HashSet<Uuid>,
    /// Runs whose upload folder is still kept.
    pub uploads: std::collections::HashSet<Uuid>,
    /// Runs whose artifact folder is needed: queued or running (it is being written), or with
    /// artifacts still recorded.
    pub artifacts: std::collections::HashSet<Uuid>,
}

/// What `request_cancel` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    /// A queued run was cancelled at once.
    Cancelled,
    /// A running run was flagged; its worker kills the container.
    Requested,
    /// The run had already ended.
    AlreadyFinal(RunStatus),
    NotFound,
}

/// Per-user settings of a tool in one scope (production, or one version's sandbox).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSettings {
    pub fingerprint: String,
    pub values: serde_json::Map<String, serde_json::Value>,
    pub updated_at: DateTime<Utc>,
}

/// Which settings: the production ones of a tool, or a version's sandbox ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsScope {
    Production,
    Sandbox(Uuid),
}

impl SettingsScope {
    pub fn key(&self) -> String {
        match self {
            Self::Production => "production".into(),
            Self::Sandbox(version) => format!("sandbox:{version}"),
        }
    }
}
