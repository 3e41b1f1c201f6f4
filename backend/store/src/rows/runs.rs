//! Rows of runs, artifacts and per-user settings.

use super::parse_id;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use skriptoteket_domain::StoreError;
use skriptoteket_domain::contract::UiPayload;
use skriptoteket_domain::run::{
    Artifact, Run, RunContext, RunFile, RunStatus, RunSummary, SourceOverride, StoredSettings,
};
use skriptoteket_domain::run_error::{ErrorCode, ErrorParams, RunError};
use sqlx::types::Json;

/// The run columns of `RunRow`.
macro_rules! run_columns {
    () => {
        "id, tool_id, version_id, context, user_id, status, inputs, files, settings, action, \
         parent_run_id, source_override, timeout_seconds, stdout, stderr, ui, error_summary, \
         error_code, error_params, exit_code, request_id, cancel_requested, files_from, upload_bytes, batch_id, \
         created_at, started_at, finished_at"
    };
}

/// The queue's order for runs `q`: production before sandbox, then the run whose batch has
/// started the fewest items (a single run counts as none; see the domain's `batch`), then
/// the oldest.
macro_rules! queue_order {
    () => {
        " ORDER BY CASE q.context WHEN 'production' THEN 0 ELSE 1 END, \
         (SELECT COUNT(*) FROM runs s WHERE q.batch_id IS NOT NULL AND s.batch_id = q.batch_id \
         AND s.status <> 'queued'), q.created_at, q.id"
    };
}

/// The artifact columns of `ArtifactRow`.
macro_rules! artifact_columns {
    () => {
        "id, run_id, name, stored_as, bytes, created_at"
    };
}

pub(crate) fn parse_status(s: &str) -> Result<RunStatus, StoreError> {
    s.parse().map_err(StoreError::Backend)
}

/// The code and its parameters, stored in two columns; parameters missing mean none.
pub(crate) fn run_error(
    code: Option<String>,
    params: Option<Json<ErrorParams>>,
) -> Result<Option<RunError>, StoreError> {
    let Some(code) = code else { return Ok(None) };
    let code = code.parse::<ErrorCode>().map_err(StoreError::Backend)?;
    Ok(Some(RunError { code, params: params.map(|p| p.0).unwrap_or_default() }))
}

pub(crate) fn parse_context(s: &str) -> Result<RunContext, StoreError> {
    s.parse().map_err(StoreError::Backend)
}

pub(crate) fn unsigned(n: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Backend(format!("negative {what}: {n}")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct RunRow {
    id: String,
    tool_id: String,
    version_id: String,
    context: String,
    user_id: String,
    status: String,
    inputs: Json<Value>,
    files: Json<Vec<RunFile>>,
    settings: Json<Value>,
    action: Option<Json<Value>>,
    parent_run_id: Option<String>,
    source_override: Option<Json<SourceOverride>>,
    timeout_seconds: i64,
    stdout: String,
    stderr: String,
    ui: Option<Json<UiPayload>>,
    error_summary: Option<String>,
    error_code: Option<String>,
    error_params: Option<Json<ErrorParams>>,
    exit_code: Option<i64>,
    request_id: Option<String>,
    cancel_requested: bool,
    files_from: Option<String>,
    upload_bytes: Option<i64>,
    batch_id: Option<String>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

/// A run without its artifacts, which are loaded separately.
impl TryFrom<RunRow> for Run {
    type Error = StoreError;

    fn try_from(r: RunRow) -> Result<Self, Self::Error> {
        Ok(Run {
            id: parse_id(&r.id)?,
            tool_id: parse_id(&r.tool_id)?,
            version_id: parse_id(&r.version_id)?,
            context: parse_context(&r.context)?,
            user_id: parse_id(&r.user_id)?,
            status: parse_status(&r.status)?,
            inputs: r.inputs.0,
            files: r.files.0,
            settings: r.settings.0,
            action: r.action.map(|j| j.0),
            parent_run_id: r.parent_run_id.as_deref().map(parse_id).transpose()?,
            source_override: r.source_override.map(|j| j.0),
            timeout_seconds: u32::try_from(r.timeout_seconds)
                .map_err(|_| StoreError::Backend(format!("bad timeout {}", r.timeout_seconds)))?,
            stdout: r.stdout,
            stderr: r.stderr,
            ui: r.ui.map(|j| j.0),
            error_summary: r.error_summary,
            error: run_error(r.error_code, r.error_params)?,
            exit_code: r.exit_code,
            request_id: r.request_id,
            cancel_requested: r.cancel_requested,
            files_from: r.files_from.as_deref().map(parse_id).transpose()?,
            upload_bytes: r.upload_bytes.map(|n| unsigned(n, "upload size")).transpose()?,
            batch_id: r.batch_id.as_deref().map(parse_id).transpose()?,
            artifacts: Vec::new(),
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
    id: String,
    tool_id: String,
    tool_slug: String,
    tool_title: String,
    version_id: String,
    context: String,
    user_id: String,
    status: String,
    error_summary: Option<String>,
    error_code: Option<String>,
    error_params: Option<Json<ErrorParams>>,
    parent_run_id: Option<String>,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl TryFrom<SummaryRow> for RunSummary {
    type Error = StoreError;

    fn try_from(r: SummaryRow) -> Result<Self, Self::Error> {
        Ok(RunSummary {
            id: parse_id(&r.id)?,
            tool_id: parse_id(&r.tool_id)?,
            tool_slug: r.tool_slug,
            tool_title: r.tool_title,
            version_id: parse_id(&r.version_id)?,
            context: parse_context(&r.context)?,
            user_id: parse_id(&r.user_id)?,
            status: parse_status(&r.status)?,
            error_summary: r.error_summary,
            error: run_error(r.error_code, r.error_params)?,
            parent_run_id: r.parent_run_id.as_deref().map(parse_id).transpose()?,
            created_at: r.created_at,
            finished_at: r.finished_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ArtifactRow {
    id: String,
    run_id: String,
    name: String,
    stored_as: String,
    bytes: i64,
    created_at: DateTime<Utc>,
}

impl TryFrom<ArtifactRow> for Artifact {
    type Error = StoreError;

    fn try_from(r: ArtifactRow) -> Result<Self, Self::Error> {
        Ok(Artifact {
            id: parse_id(&r.id)?,
            run_id: parse_id(&r.run_id)?,
            name: r.name,
            stored_as: r.stored_as,
            bytes: unsigned(r.bytes, "artifact size")?,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SettingsRow {
    fingerprint: String,
    setting_values: Json<Map<String, Value>>,
    updated_at: DateTime<Utc>,
}

impl From<SettingsRow> for StoredSettings {
    fn from(r: SettingsRow) -> Self {
        StoredSettings { fingerprint: r.fingerprint, values: r.setting_values.0, updated_at: r.updated_at }
    }
}

/// One group of `run_counts`.
#[derive(sqlx::FromRow)]
pub(crate) struct CountRow {
    pub context: String,
    pub status: String,
    pub n: i64,
}

impl CountRow {
    pub fn into_tuple(self) -> Result<(String, String, u64), StoreError> {
        Ok((self.context, self.status, unsigned(self.n, "count")?))
    }
}
