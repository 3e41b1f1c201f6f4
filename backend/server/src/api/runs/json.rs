//! Bodies of the run endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use skriptoteket_domain::contract::UiPayload;
use skriptoteket_domain::execution::RunProgress;
use skriptoteket_domain::run::{Artifact, Run, RunContext, RunStatus, RunSummary};
use skriptoteket_domain::run_error::{ErrorCode, ErrorParams};
use skriptoteket_domain::tool::Tool;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

/// The multipart form of a run (documentation only; it is read field by field).
#[derive(ToSchema)]
#[expect(dead_code, reason = "documents the multipart body")]
pub struct RunForm {
    /// The uploaded files (repeat the field for several).
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<String>,
    /// The form inputs as a JSON object, e.g. `{"klass": "7B"}`.
    inputs: Option<String>,
    /// Reuse the files of an earlier run of yours of this tool (within 24 h) instead of uploading.
    reuse_files_from: Option<Uuid>,
    /// Sandbox only: unsaved source to run instead of the stored version's.
    source: Option<String>,
    /// Sandbox only: unsaved entrypoint name.
    entrypoint: Option<String>,
    /// Sandbox only: unsaved input schema (JSON).
    input_schema: Option<String>,
    /// Sandbox only: unsaved settings schema (JSON).
    settings_schema: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunToolRef {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArtifactResponse {
    pub id: Uuid,
    /// The tool's relative file name.
    pub name: String,
    pub bytes: u64,
    pub content_type: String,
    pub download_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunFileResponse {
    pub name: String,
    pub bytes: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunResponse {
    pub id: Uuid,
    pub tool: RunToolRef,
    pub version_id: Uuid,
    pub context: RunContext,
    pub status: RunStatus,
    #[schema(value_type = Object)]
    pub inputs: Value,
    pub files: Vec<RunFileResponse>,
    /// What the tool returned, normalised; absent until the run ends.
    pub ui: Option<UiPayload>,
    /// An English explanation when the run did not succeed, for integrators and authors.
    /// People see `error_code` in their language instead.
    pub error_summary: Option<String>,
    /// Why the run did not simply succeed (absent while it goes and after a full success);
    /// `output_cut` may come with a success.
    pub error_code: Option<ErrorCode>,
    /// The code's parameters, e.g. `{"seconds": 120}` for `timed_out`.
    pub error_params: Option<ErrorParams>,
    pub stdout: String,
    /// Technical output; only the tool's maintainers and admins see it.
    pub stderr: Option<String>,
    pub artifacts: Vec<ArtifactResponse>,
    pub parent_run_id: Option<Uuid>,
    /// The class-mode batch this run is an item of.
    pub batch_id: Option<Uuid>,
    /// The action this run answered, for follow-up runs.
    pub action_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// While the run goes: the tool's latest progress (`skriptoteket.progress`), if it reported
    /// any. Absent when it did not and once it ended; up to 2 s old when another server process
    /// runs it.
    pub progress: Option<RunProgress>,
}

pub fn content_type_of(name: &str) -> String {
    mime_guess::from_path(name).first_or_octet_stream().essence_str().to_owned()
}

impl From<crate::services::runs::RunView> for RunResponse {
    fn from(view: crate::services::runs::RunView) -> Self {
        Self { progress: view.progress, ..Self::new(view.run, &view.tool, view.show_stderr) }
    }
}

impl RunResponse {
    pub fn new(run: Run, tool: &Tool, show_stderr: bool) -> Self {
        let artifacts = run.artifacts.iter().map(|a| artifact_response(run.id, a)).collect();
        let action_id = run.action.as_ref().and_then(|a| a.get("action_id")).and_then(Value::as_str).map(str::to_owned);
        Self {
            id: run.id,
            tool: RunToolRef { id: tool.id, slug: tool.slug.clone(), title: tool.title.clone() },
            version_id: run.version_id,
            context: run.context,
            status: run.status,
            inputs: run.inputs,
            files: run.files.into_iter().map(|f| RunFileResponse { name: f.name, bytes: f.bytes }).collect(),
            ui: run.ui,
            error_summary: run.error_summary,
            error_code: run.error.as_ref().map(|e| e.code),
            error_params: run.error.map(|e| e.params),
            stdout: run.stdout,
            stderr: show_stderr.then_some(run.stderr),
            artifacts,
            parent_run_id: run.parent_run_id,
            batch_id: run.batch_id,
            action_id,
            created_at: run.created_at,
            started_at: run.started_at,
            finished_at: run.finished_at,
            progress: None,
        }
    }
}

fn artifact_response(run: Uuid, a: &Artifact) -> ArtifactResponse {
    ArtifactResponse {
        id: a.id,
        name: a.name.clone(),
        bytes: a.bytes,
        content_type: content_type_of(&a.name),
        download_url: format!("/api/runs/{run}/artifacts/{}", a.id),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunSummaryResponse {
    pub id: Uuid,
    pub tool: RunToolRef,
    pub version_id: Uuid,
    pub context: RunContext,
    pub status: RunStatus,
    /// English, for integrators; see `RunResponse`.
    pub error_summary: Option<String>,
    pub error_code: Option<ErrorCode>,
    pub error_params: Option<ErrorParams>,
    pub parent_run_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<RunSummary> for RunSummaryResponse {
    fn from(r: RunSummary) -> Self {
        Self {
            id: r.id,
            tool: RunToolRef { id: r.tool_id, slug: r.tool_slug, title: r.tool_title },
            version_id: r.version_id,
            context: r.context,
            status: r.status,
            error_summary: r.error_summary,
            error_code: r.error.as_ref().map(|e| e.code),
            error_params: r.error.map(|e| e.params),
            parent_run_id: r.parent_run_id,
            created_at: r.created_at,
            finished_at: r.finished_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunListParams {
    pub tool_id: Option<Uuid>,
    /// queued, running, succeeded, failed, timed_out or cancelled.
    pub status: Option<String>,
    /// production or sandbox (default: production).
    pub context: Option<String>,
    /// Admins only: every user's runs.
    pub all: Option<bool>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub action_id: String,
    /// Values for the action's fields.
    #[serde(default = "empty_object")]
    #[schema(value_type = Object)]
    pub input: Value,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}
