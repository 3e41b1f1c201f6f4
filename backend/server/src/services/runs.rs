//! Starting runs (KÖR, TESTKÖR, follow-up actions), waiting for them, cancelling them.

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::execution::hub::HubEvent;
use crate::execution::uploads::RunForm;
use crate::services::access::require_view_run;
use crate::services::versions::{check_content, issues_to_error, parse_input_schema, parse_settings_schema};
use crate::services::{settings, tools};
use crate::state::AppState;
use chrono::Utc;
use serde_json::{Value, json};
use skriptoteket_domain::contract::validate_action_input;
use skriptoteket_domain::run::{
    CancelOutcome, NewRun, Run, RunContext, RunFile, RunStatus, SettingsScope, SourceOverride,
};
use skriptoteket_domain::schema::{InputSchema, MAX_FILES_PER_RUN};
use skriptoteket_domain::tool::{Tool, ToolVersion, VersionContent};
use std::time::Duration;
use uuid::Uuid;

/// How long uploaded files stay reusable by a new run of the same tool.
pub const SESSION_FILES_TTL: chrono::Duration = chrono::Duration::hours(24);
/// Longest `Prefer: wait=N` honoured.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

pub async fn load_run(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<Run> {
    let run = state.store.run_by_id(id).await?.ok_or_else(|| ApiError::not_found("The run"))?;
    require_view_run(user, &run)?;
    Ok(run)
}

/// A published tool and its active version, visible to every signed-in user.
pub async fn published(state: &AppState, slug: &str) -> ApiResult<(Tool, ToolVersion)> {
    let tool = state
        .store
        .tool_by_slug(slug)
        .await?
        .filter(Tool::is_published)
        .ok_or_else(|| ApiError::not_found("The tool"))?;
    let active = tool.active_version_id.ok_or_else(|| ApiError::not_found("The tool"))?;
    let version = state.store.version_by_id(active).await?.ok_or_else(|| ApiError::not_found("The tool"))?;
    Ok((tool, version))
}

/// KÖR: the active version of a published tool.
pub async fn start_production(
    state: &AppState,
    user: &CurrentUser,
    slug: &str,
    run_id: Uuid,
    form: RunForm,
    request_id: Option<String>,
) -> ApiResult<Run> {
    let (tool, version) = published(state, slug).await?;
    let content = VersionContent::of(&version);
    let settings = settings::effective(
        state.store.as_ref(),
        user.user.id,
        tool.id,
        content.settings_schema.as_ref(),
        &SettingsScope::Production,
    )
    .await?;
    let plan = Plan {
        tool,
        version,
        context: RunContext::Production,
        content,
        source_override: None,
        settings,
        timeout: state.runs.timeout_production,
    };
    enqueue(state, user, run_id, form, plan, request_id).await
}

/// TESTKÖR: any version of a tool the user may edit, optionally with unsaved editor content.
pub async fn start_sandbox(
    state: &AppState,
    user: &CurrentUser,
    version_id: Uuid,
    run_id: Uuid,
    mut form: RunForm,
    request_id: Option<String>,
) -> ApiResult<Run> {
    user.require(skriptoteket_domain::Role::Contributor)?;
    let (tool, version) = crate::services::versions::load_editable(state.store.as_ref(), user, version_id).await?;
    let stored = VersionContent::of(&version);
    let overridden = form.source.is_some()
        || form.entrypoint.is_some()
        || form.input_schema.is_some()
        || form.settings_schema.is_some();
    let content = VersionContent {
        source: form.source.take().unwrap_or(stored.source),
        entrypoint: form.entrypoint.take().unwrap_or(stored.entrypoint),
        input_schema: match form.input_schema.take() {
            Some(v) => parse_input_schema(Some(v))?,
            None => stored.input_schema,
        },
        settings_schema: match form.settings_schema.take() {
            Some(v) => parse_settings_schema(Some(v))?,
            None => stored.settings_schema,
        },
        change_summary: String::new(),
    };
    check_content(&content)?;
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
    let plan = Plan {
        tool,
        version,
        context: RunContext::Sandbox,
        content,
        source_override,
        settings,
        timeout: state.runs.timeout_sandbox,
    };
    enqueue(state, user, run_id, form, plan, request_id).await
}

struct Plan {
    tool: Tool,
    version: ToolVersion,
    context: RunContext,
    content: VersionContent,
    source_override: Option<SourceOverride>,
    settings: Value,
    timeout: Duration,
}

/// Checks the files and inputs against the plan and queues the run. (The caller's
/// `UploadsGuard` removes the uploads if this fails.)
async fn enqueue(
    state: &AppState,
    user: &CurrentUser,
    run_id: Uuid,
    form: RunForm,
    plan: Plan,
    request_id: Option<String>,
) -> ApiResult<Run> {
    let mut files = form.files;
    if let Some(previous) = form.reuse_files_from {
        if !files.is_empty() {
            return Err(ApiError::field("reuse_files_from", "send either new files or reuse_files_from, not both"));
        }
        files = reusable_files(state, user, previous, plan.tool.id).await?;
    }
    let schema = plan.content.input_schema.clone().unwrap_or(InputSchema { files: None, fields: vec![] });
    check_files(&schema, &files)?;
    let inputs = form.inputs.unwrap_or_else(|| json!({}));
    let inputs = Value::Object(
        skriptoteket_domain::contract::validate_fields(&schema.fields, &inputs)
            .map_err(|issues| issues_under("inputs", issues))?,
    );
    if let Some(issue) = state.syntax.check(&plan.content.source).await {
        return Err(ApiError::Validation(vec![crate::error::FieldError {
            field: "source".into(),
            message: issue.to_string(),
        }]));
    }
    let new = NewRun {
        id: run_id,
        tool_id: plan.tool.id,
        version_id: plan.version.id,
        context: plan.context,
        user_id: user.user.id,
        inputs,
        files,
        settings: plan.settings,
        action: None,
        parent_run_id: None,
        source_override: plan.source_override,
        timeout_seconds: plan.timeout.as_secs() as u32,
        request_id,
    };
    insert(state, new).await
}

/// Enqueues, or answers 429 when the user already has their share of runs waiting or going,
/// and 503 with Retry-After when the whole queue is full.
async fn insert(state: &AppState, new: NewRun) -> ApiResult<Run> {
    // Checked before the insert, not in the same statement: a fairness limit, not a boundary.
    if state.store.active_runs_of(new.user_id).await? >= state.runs.max_active_per_user {
        return Err(ApiError::TooManyRequests {
            code: "too_many_runs",
            detail: format!(
                "You already have {} runs waiting or going. Wait for one to finish, or cancel one.",
                state.runs.max_active_per_user
            ),
            retry_after_seconds: 5,
        });
    }
    let enqueued = match state.store.enqueue_run(new, state.runs.max_queue).await {
        Err(skriptoteket_domain::StoreError::Conflict("follow_up")) => {
            return Err(stale_action());
        }
        other => other?,
    };
    match enqueued {
        Some(run) => {
            state.queue_wake.notify_one();
            Ok(run)
        }
        None => Err(ApiError::Unavailable {
            code: "queue_full",
            detail: "Skriptoteket is busy right now: too many runs are waiting. Try again in a little while.".into(),
            retry_after_seconds: 10,
        }),
    }
}

async fn reusable_files(state: &AppState, user: &CurrentUser, previous: Uuid, tool: Uuid) -> ApiResult<Vec<RunFile>> {
    let run = state.store.run_by_id(previous).await?.filter(|r| r.user_id == user.user.id && r.tool_id == tool);
    let run = run.ok_or_else(|| ApiError::field("reuse_files_from", "no such run of yours for this tool"))?;
    if Utc::now() - run.created_at > SESSION_FILES_TTL {
        return Err(ApiError::field("reuse_files_from", "those files are older than 24 hours; upload them again"));
    }
    Ok(run.files)
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

/// A follow-up run from one of the run's `next_actions` (SPEC §3).
pub async fn submit_action(
    state: &AppState,
    user: &CurrentUser,
    run_id: Uuid,
    action_id: &str,
    input: &Value,
    request_id: Option<String>,
) -> ApiResult<Run> {
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
    let clean = validate_action_input(action, input).map_err(|issues| issues_under("input", issues))?;
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
    };
    insert(state, new).await
}

pub async fn cancel(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<Run> {
    let run = load_run(state, user, id).await?;
    match state.store.request_cancel(run.id).await? {
        CancelOutcome::Cancelled | CancelOutcome::AlreadyFinal(_) => {}
        CancelOutcome::Requested => {
            // Executing here: kill it now instead of at the next heartbeat.
            state.hub.cancel(run.id);
        }
        CancelOutcome::NotFound => return Err(ApiError::not_found("The run")),
    }
    state.hub.publish(run.id, HubEvent::Status(RunStatus::Cancelled));
    load_run(state, user, id).await
}

/// Waits up to `wait` for `run` to end; returns the run as it is then.
pub async fn wait_for(state: &AppState, user: &CurrentUser, run: Run, wait: Duration) -> ApiResult<Run> {
    if run.status.is_final() || wait.is_zero() {
        return Ok(run);
    }
    let mut sub = state.hub.subscribe(run.id);
    let deadline = tokio::time::Instant::now() + wait.min(MAX_WAIT);
    loop {
        let current = load_run(state, user, run.id).await?;
        if current.status.is_final() {
            return Ok(current);
        }
        // Re-read on a status change, the end, or once a second; output chunks are no reason.
        let tick = tokio::time::sleep_until(deadline.min(tokio::time::Instant::now() + Duration::from_secs(1)));
        tokio::pin!(tick);
        loop {
            tokio::select! {
                event = sub.rx.recv() => if !matches!(event, Ok(HubEvent::Output { .. })) { break },
                () = &mut tick => break,
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return load_run(state, user, run.id).await;
        }
    }
}

/// The tool of a run (for response shaping and permission checks on stderr).
pub async fn tool_of(state: &AppState, run: &Run) -> ApiResult<Tool> {
    tools::load(state.store.as_ref(), run.tool_id).await
}

fn stale_action() -> ApiError {
    ApiError::conflict("stale_action", "This step was already answered; continue from the newest run.")
}

/// Field issues of a nested object, reported under `prefix` (`inputs.klass`; `inputs` itself
/// when the whole value is wrong).
fn issues_under(prefix: &str, issues: Vec<skriptoteket_domain::contract::FieldIssue>) -> ApiError {
    let prefixed = issues
        .into_iter()
        .map(|mut issue| {
            issue.field = if issue.field.is_empty() { prefix.to_owned() } else { format!("{prefix}.{}", issue.field) };
            issue
        })
        .collect();
    issues_to_error(prefixed)
}
