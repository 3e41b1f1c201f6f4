//! Starting runs: KÖR (the active version of a published tool), TESTKÖR (any version a
//! maintainer may edit, optionally with unsaved editor content) and follow-up actions. One
//! path for all: resolve the target and its permission, read the form into uploads that are
//! removed unless the run is queued, check files and inputs, enqueue, optionally wait.

use super::follow::wait_for;
use super::{RunView, view_of};
use crate::auth::CurrentUser;
use crate::blobs::Area;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::execution::uploads::{RunForm, UploadsGuard, read_run_form};
use crate::services::{catalog, content, settings, storage, versions};
use crate::state::AppState;
use axum::extract::Multipart;
use chrono::Utc;
use serde_json::{Value, json};
use skriptoteket_domain::StoreError;
use skriptoteket_domain::contract::limits::{MAX_ACTION_INPUT_BYTES, MAX_FORM_INPUT_BYTES};
use skriptoteket_domain::contract::{FieldIssue, validate_action_input, validate_fields};
use skriptoteket_domain::run::{NewRun, RunContext, RunFile, RunStatus, SettingsScope, SourceOverride};
use skriptoteket_domain::schema::{InputSchema, MAX_FILES_PER_RUN};
use skriptoteket_domain::tool::{Tool, ToolVersion, VersionContent};
use std::time::Duration;
use uuid::Uuid;

/// What to run.
pub enum RunTarget<'a> {
    /// KÖR: the active version of the published tool with this slug.
    Published(&'a str),
    /// TESTKÖR: this version of a tool the user may edit.
    Sandbox(Uuid),
}

/// Starts a run from a multipart form; with `wait`, answers the finished run if it ends in time.
pub async fn start(
    state: &AppState,
    user: &CurrentUser,
    target: RunTarget<'_>,
    multipart: Multipart,
    request_id: Option<String>,
    wait: Option<Duration>,
) -> ApiResult<RunView> {
    let (tool, version) = match target {
        RunTarget::Published(slug) => catalog::published(state.store.as_ref(), slug).await?,
        RunTarget::Sandbox(id) => versions::load_editable(state.store.as_ref(), user, id).await?,
    };
    let sandbox = matches!(target, RunTarget::Sandbox(_));
    // Before any byte is written: a full disk or a full quota refuses the run at once.
    storage::require_free_space(state).await?;
    storage::require_quota(state, user.user.id, 0).await?;
    let run_id = Uuid::now_v7();
    let uploads = UploadsGuard::new(&state.runs.uploads_root, run_id);
    let mut form = read_run_form(multipart, &state.runs.uploads_root, run_id, sandbox).await?;
    let plan = if sandbox {
        sandbox_plan(state, user, tool, version, &mut form).await?
    } else {
        production_plan(state, user, tool, version).await?
    };
    let run = enqueue(state, user, run_id, form, plan, request_id).await?;
    uploads.keep();
    answer(state, user, run, wait).await
}

pub(super) async fn answer(
    state: &AppState,
    user: &CurrentUser,
    run: skriptoteket_domain::run::Run,
    wait: Option<Duration>,
) -> ApiResult<RunView> {
    let view = view_of(state, user, run).await?;
    match wait {
        Some(wait) => wait_for(state, user, view, wait).await,
        None => Ok(view),
    }
}

/// What a new run will execute, and with which settings and time limit.
pub(super) struct Plan {
    pub tool: Tool,
    pub version: ToolVersion,
    pub context: RunContext,
    pub content: VersionContent,
    pub source_override: Option<SourceOverride>,
    pub settings: Value,
    pub timeout: Duration,
}

pub(super) async fn production_plan(
    state: &AppState,
    user: &CurrentUser,
    tool: Tool,
    version: ToolVersion,
) -> ApiResult<Plan> {
    let content = VersionContent::of(&version);
    let scope = SettingsScope::Production;
    let settings =
        settings::effective(state.store.as_ref(), user.user.id, tool.id, content.settings_schema.as_ref(), &scope)
            .await?;
    let timeout = state.runs.timeout_production;
    Ok(Plan { tool, version, context: RunContext::Production, content, source_override: None, settings, timeout })
}

/// The stored version, or the editor's unsaved content where the form carries it.
async fn sandbox_plan(
    state: &AppState,
    user: &CurrentUser,
    tool: Tool,
    version: ToolVersion,
    form: &mut RunForm,
) -> ApiResult<Plan> {
    let stored = VersionContent::of(&version);
    let overridden = form.source.is_some()
        || form.entrypoint.is_some()
        || form.input_schema.is_some()
        || form.settings_schema.is_some();
    let content = VersionContent {
        source: form.source.take().unwrap_or(stored.source),
        entrypoint: form.entrypoint.take().unwrap_or(stored.entrypoint),
        input_schema: match form.input_schema.take() {
            Some(v) => content::parse_input_schema(Some(v))?,
            None => stored.input_schema,
        },
        settings_schema: match form.settings_schema.take() {
            Some(v) => content::parse_settings_schema(Some(v))?,
            None => stored.settings_schema,
        },
        change_summary: String::new(),
        usage_instructions: stored.usage_instructions,
    };
    content::check(&content)?;
    let source_override = overridden.then(|| SourceOverride {
        source: content.source.clone(),
        entrypoint: content.entrypoint.clone(),
        input_schema: content.input_schema.clone(),
        settings_schema: content.settings_schema.clone(),
    });
    let scope = SettingsScope::Sandbox(version.id);
    let settings =
        settings::effective(state.store.as_ref(), user.user.id, tool.id, content.settings_schema.as_ref(), &scope)
            .await?;
    let timeout = state.runs.timeout_sandbox;
    Ok(Plan { tool, version, context: RunContext::Sandbox, content, source_override, settings, timeout })
}

/// Reads the form's files (or the files it reuses) and inputs, and queues the run.
async fn enqueue(
    state: &AppState,
    user: &CurrentUser,
    run_id: Uuid,
    form: RunForm,
    plan: Plan,
    request_id: Option<String>,
) -> ApiResult<skriptoteket_domain::run::Run> {
    let mut files = form.files;
    // Uploaded files live in this run's folder; reused ones stay in the folder they came from.
    let mut files_from = (!files.is_empty()).then_some(run_id);
    if let Some(previous) = form.reuse_files_from {
        if !files.is_empty() {
            return Err(ApiError::field("reuse_files_from", "send either new files or reuse_files_from, not both"));
        }
        (files, files_from) = reusable_files(state, user, previous, plan.tool.id).await?;
    }
    let inputs = form.inputs.unwrap_or_else(|| json!({}));
    queue_checked(state, user, run_id, plan, (files, files_from), &inputs, request_id).await
}

/// Checks the files and inputs against the plan (422), the user's share (429) and the source's
/// syntax (422), and queues the run (503 when the queue is full).
pub(super) async fn queue_checked(
    state: &AppState,
    user: &CurrentUser,
    run_id: Uuid,
    plan: Plan,
    files: (Vec<RunFile>, Option<Uuid>),
    inputs: &Value,
    request_id: Option<String>,
) -> ApiResult<skriptoteket_domain::run::Run> {
    let inputs = checked_inputs(&plan, inputs)?;
    let new = new_run(&plan, user, run_id, files, inputs, request_id)?;
    admit(state, user, &plan).await?;
    insert(state, new).await
}

/// The form inputs validated against the plan's input schema (422).
pub(super) fn checked_inputs(plan: &Plan, inputs: &Value) -> ApiResult<Value> {
    let fields = plan.content.input_schema.as_ref().map_or(&[][..], |s| &s.fields[..]);
    let inputs = Value::Object(validate_fields(fields, inputs).map_err(|issues| issues_under("inputs", issues))?);
    check_size(&inputs, "inputs", MAX_FORM_INPUT_BYTES)?;
    Ok(inputs)
}

/// A run of the plan with these files and (checked) inputs; 422 when the files do not fit.
pub(super) fn new_run(
    plan: &Plan,
    user: &CurrentUser,
    run_id: Uuid,
    (files, files_from): (Vec<RunFile>, Option<Uuid>),
    inputs: Value,
    request_id: Option<String>,
) -> ApiResult<NewRun> {
    let schema = plan.content.input_schema.clone().unwrap_or(InputSchema { files: None, fields: vec![] });
    check_files(&schema, &files)?;
    Ok(NewRun {
        id: run_id,
        tool_id: plan.tool.id,
        version_id: plan.version.id,
        context: plan.context,
        user_id: user.user.id,
        inputs,
        files,
        settings: plan.settings.clone(),
        action: None,
        parent_run_id: None,
        source_override: plan.source_override.clone(),
        timeout_seconds: plan.timeout.as_secs() as u32,
        request_id,
        files_from,
        batch_id: None,
    })
}

/// The user's share (429), then the source's syntax (422): the cheap check first, as the
/// syntax check starts a process.
pub(super) async fn admit(state: &AppState, user: &CurrentUser, plan: &Plan) -> ApiResult<()> {
    check_fair_share(state, user.user.id).await?;
    if let Some(issue) = state.syntax.check(&plan.content.source).await {
        return Err(ApiError::Validation(vec![FieldError { field: "source".into(), message: issue.to_string() }]));
    }
    Ok(())
}

/// Refuses (422) values that would not fit the tool's environment once serialized.
fn check_size(value: &Value, field: &str, max: usize) -> ApiResult<()> {
    let bytes = value.to_string().len();
    if bytes > max {
        let message = format!("the values are too long together ({} KiB; at most {} KiB)", bytes / 1024, max / 1024);
        return Err(ApiError::field(field, message));
    }
    Ok(())
}

/// 429 when the user already has their share of runs waiting or going. Checked before the
/// insert, not in the same statement: a fairness limit, not a boundary.
async fn check_fair_share(state: &AppState, user: Uuid) -> ApiResult<()> {
    if state.store.active_runs_of(user).await? >= state.runs.max_active_per_user {
        return Err(ApiError::TooManyRequests {
            code: "too_many_runs",
            detail: format!(
                "You already have {} runs waiting or going. Wait for one to finish, or cancel one.",
                state.runs.max_active_per_user
            ),
            retry_after_seconds: 5,
        });
    }
    Ok(())
}

/// Enqueues, or answers 503 + Retry-After when the data volume is below its floor
/// (`storage_full`) or the whole queue is full, and 413 when the run's uploads take the user
/// past the storage quota.
async fn insert(state: &AppState, new: NewRun) -> ApiResult<skriptoteket_domain::run::Run> {
    let user = new.user_id;
    let _reserved = reserve(state, user, new.upload_bytes().unwrap_or(0)).await?;
    let uploads = new.upload_bytes().is_some().then_some(new.id);
    let shared = SharedUploads::publish(state, uploads).await?;
    let enqueued = match state.store.enqueue_run(new, state.runs.max_queue).await {
        Err(StoreError::Conflict("follow_up")) => return Err(stale_action()),
        other => other?,
    };
    let run = enqueued.ok_or_else(queue_full)?;
    shared.keep();
    queued(state, user);
    Ok(run)
}

/// New uploads copied to the shared store (`STORAGE_URL`) before their runs are queued, so
/// whichever server claims a run finds its files; removed from there again unless the runs
/// were queued (`keep`). Nothing to do when files are local only.
pub(super) struct SharedUploads {
    blobs: crate::blobs::Blobs,
    runs: Vec<Uuid>,
}

impl SharedUploads {
    pub(super) async fn publish(state: &AppState, runs: impl IntoIterator<Item = Uuid>) -> ApiResult<Self> {
        let blobs = state.runs.blobs();
        let runs: Vec<Uuid> = if blobs.shared().is_some() { runs.into_iter().collect() } else { Vec::new() };
        let published = Self { blobs, runs };
        for run in &published.runs {
            published.blobs.publish(Area::Uploads, *run).await.map_err(|e| ApiError::Internal(e.into()))?;
        }
        Ok(published)
    }

    pub(super) fn keep(mut self) {
        self.runs.clear();
    }
}

impl Drop for SharedUploads {
    fn drop(&mut self) {
        let (blobs, runs) = (self.blobs.clone(), std::mem::take(&mut self.runs));
        if runs.is_empty() {
            return;
        }
        tokio::spawn(async move {
            for run in runs {
                if let Some(s3) = blobs.shared() {
                    let _ = s3.delete_prefix(&format!("uploads/{run}/")).await;
                }
            }
        });
    }
}

/// Room for `bytes` more uploads of `user`: the free-space floor (503) and the quota (413).
/// Holds the user's start lock until dropped, so parallel starts cannot all fit into the same
/// free bytes (within this process; docs/security.md).
pub(super) async fn reserve(state: &AppState, user: Uuid, bytes: u64) -> ApiResult<tokio::sync::MutexGuard<'_, ()>> {
    storage::require_free_space(state).await?;
    let lock = state.storage_locks.lock(user).await;
    storage::require_quota(state, user, bytes).await?;
    Ok(lock)
}

/// After runs were queued: the user's storage and "Senast använda" in the catalog changed,
/// and the workers have work.
pub(super) fn queued(state: &AppState, user: Uuid) {
    state.storage_changed(Some(user));
    state.catalog_changed();
    state.queue_wake.notify_waiters();
    state.queue_wake.notify_one();
}

pub(super) fn queue_full() -> ApiError {
    ApiError::Unavailable {
        code: "queue_full",
        detail: "Skriptoteket is busy right now: too many runs are waiting. Try again in a little while.".into(),
        retry_after_seconds: 10,
    }
}

/// The files of an earlier run of mine of this tool, and the run whose folder holds them.
async fn reusable_files(
    state: &AppState,
    user: &CurrentUser,
    previous: Uuid,
    tool: Uuid,
) -> ApiResult<(Vec<RunFile>, Option<Uuid>)> {
    let run = state.store.run_by_id(previous).await?.filter(|r| r.user_id == user.user.id && r.tool_id == tool);
    let run = run.ok_or_else(|| ApiError::field("reuse_files_from", "no such run of yours for this tool"))?;
    if Utc::now() - run.created_at > skriptoteket_domain::run::SESSION_FILES_TTL {
        return Err(ApiError::field("reuse_files_from", "those files are older than 24 hours; upload them again"));
    }
    Ok((run.files, run.files_from))
}

fn check_files(schema: &InputSchema, files: &[RunFile]) -> ApiResult<()> {
    let (min, max) = schema.files.as_ref().map_or((0, 0), |f| (f.min, f.max.min(MAX_FILES_PER_RUN)));
    let n = files.len() as u32;
    if n > max {
        let message = if max == 0 {
            "this tool takes no files".to_owned()
        } else {
            format!("this tool takes at most {max} file(s); you sent {n}")
        };
        return Err(ApiError::field("files", message));
    }
    if n < min {
        return Err(ApiError::field("files", format!("this tool needs at least {min} file(s); you sent {n}")));
    }
    if let Some(rule) = &schema.files
        && let Some(bad) = files.iter().find(|f| !schema.accepts(&f.name))
    {
        return Err(ApiError::field(
            "files",
            format!("“{}” is not an accepted file type (accepted: {})", bad.name, rule.accept.join(", ")),
        ));
    }
    Ok(())
}

/// A follow-up run from one of the run's `next_actions` (SPEC §3); only its owner may answer.
pub async fn submit_action(
    state: &AppState,
    user: &CurrentUser,
    run_id: Uuid,
    action_id: &str,
    input: &Value,
    request_id: Option<String>,
    wait: Option<Duration>,
) -> ApiResult<RunView> {
    let run = state
        .store
        .run_by_id(run_id)
        .await?
        .filter(|r| r.user_id == user.user.id)
        .ok_or_else(|| ApiError::not_found("The run"))?;
    let ui = run.ui.as_ref().filter(|_| run.status == RunStatus::Succeeded);
    let action = ui
        .and_then(|ui| ui.next_actions.iter().find(|a| a.action_id == action_id))
        .ok_or_else(|| ApiError::field("action_id", "this run offers no such action"))?;
    if state.store.has_follow_up(run.id).await? {
        return Err(stale_action());
    }
    require_files_kept(state, &run, None).await?;
    let clean = validate_action_input(action, input).map_err(|issues| issues_under("input", issues))?;
    check_size(&Value::Object(clean.clone()), "input", MAX_ACTION_INPUT_BYTES)?;
    check_fair_share(state, user.user.id).await?;
    let state_value = ui.and_then(|ui| ui.state.clone()).unwrap_or(Value::Null);
    let new = NewRun {
        id: Uuid::now_v7(),
        tool_id: run.tool_id,
        version_id: run.version_id,
        context: run.context,
        user_id: run.user_id,
        inputs: run.inputs.clone(),
        files: run.files.clone(),
        settings: run.settings.clone(),
        action: Some(json!({ "action_id": action_id, "input": clean, "state": state_value })),
        parent_run_id: Some(run.id),
        source_override: run.source_override.clone(),
        timeout_seconds: run.timeout_seconds,
        request_id,
        files_from: run.files_from,
        batch_id: None,
    };
    let run = insert(state, new).await?;
    answer(state, user, run, wait).await
}

/// 409 `files_not_kept` unless every uploaded file of `run` is still kept (housekeeping removes
/// them a day after the last run that used them) and, with `fresh_within`, was stored within it
/// (the upload's own age counts: a run that reused older files does not make them younger).
pub(super) async fn require_files_kept(
    state: &AppState,
    run: &skriptoteket_domain::run::Run,
    fresh_within: Option<chrono::Duration>,
) -> ApiResult<()> {
    let blobs = state.runs.blobs();
    let max_age = fresh_within.and_then(|ttl| ttl.to_std().ok());
    for file in &run.files {
        let stored = blobs.modified(Area::Uploads, &file.stored_as).await.map_err(|e| ApiError::Internal(e.into()))?;
        let fresh = |at: std::time::SystemTime| max_age.is_none_or(|max| at.elapsed().unwrap_or_default() <= max);
        if !stored.is_some_and(fresh) {
            return Err(ApiError::conflict(
                "files_not_kept",
                format!(
                    "The uploaded file “{}” is no longer kept (files are kept for 24 hours); start the tool again and upload it.",
                    file.name
                ),
            ));
        }
    }
    Ok(())
}

fn stale_action() -> ApiError {
    ApiError::conflict("stale_action", "This step was already answered; continue from the newest run.")
}

/// Field issues of a nested object, reported under `prefix` (`inputs.klass`; `inputs` itself
/// when the whole value is wrong).
fn issues_under(prefix: &str, issues: Vec<FieldIssue>) -> ApiError {
    let prefixed = issues
        .into_iter()
        .map(|mut issue| {
            issue.field = if issue.field.is_empty() { prefix.to_owned() } else { format!("{prefix}.{}", issue.field) };
            issue
        })
        .collect();
    ApiError::from_issues(prefixed)
}
