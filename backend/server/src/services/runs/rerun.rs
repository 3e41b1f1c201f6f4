//! "Kör igen": a new run of the same tool with the same inputs, settings and — while they are
//! kept (`SESSION_FILES_TTL`) — the same files as one of my finished runs, in one call.
//!
//! A production run starts the tool's *current* active version (an archived version is never
//! run again in production); its inputs and settings are checked against that version's
//! schemas, so a tool that changed its form answers 422 rather than running with stale values.
//! A test run starts the same version again, with the unsaved editor content it carried, for
//! whoever may still edit the tool. A follow-up step starts over from the beginning: its
//! inputs and files are those of the first step, and no action or state is replayed.

use super::RunView;
use super::start::{Plan, answer, production_plan, queue_checked, require_files_kept};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::services::{catalog, tools, versions};
use crate::state::AppState;
use serde_json::{Map, Value};
use skriptoteket_domain::run::SESSION_FILES_TTL;
use skriptoteket_domain::run::{Run, RunContext};
use skriptoteket_domain::schema::SettingsSchema;
use skriptoteket_domain::tool::VersionContent;
use std::time::Duration;
use uuid::Uuid;

/// Starts my finished run `id` again; someone else's run does not exist (404), even for admins.
pub async fn rerun(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    request_id: Option<String>,
    wait: Option<Duration>,
) -> ApiResult<RunView> {
    let run = state
        .store
        .run_by_id(id)
        .await?
        .filter(|r| r.user_id == user.user.id)
        .ok_or_else(|| ApiError::not_found("The run"))?;
    if !run.status.is_final() {
        return Err(ApiError::conflict("run_not_finished", "This run has not finished yet; wait for it or cancel it."));
    }
    require_files_kept(state, &run, Some(SESSION_FILES_TTL)).await?;
    let mut plan = match run.context {
        RunContext::Production => {
            let tool = tools::load(state.store.as_ref(), run.tool_id).await?;
            if !tool.is_published() {
                return Err(ApiError::conflict("tool_not_published", "The tool is no longer in the catalog."));
            }
            let (tool, version) = catalog::published(state.store.as_ref(), &tool.slug).await?;
            production_plan(state, user, tool, version).await?
        }
        RunContext::Sandbox => sandbox_plan(state, user, &run).await?,
    };
    plan.settings = same_settings(&run.settings, plan.content.settings_schema.as_ref());
    // The same files, from the folder that holds them (no new upload, nothing added to the quota).
    let files = (run.files, run.files_from);
    let new = queue_checked(state, user, Uuid::now_v7(), plan, files, &run.inputs, request_id).await?;
    answer(state, user, new, wait).await
}

/// The same version with the same (possibly unsaved) content, for whoever may still edit it.
async fn sandbox_plan(state: &AppState, user: &CurrentUser, run: &Run) -> ApiResult<Plan> {
    let (tool, version) = versions::load_editable(state.store.as_ref(), user, run.version_id).await?;
    let stored = VersionContent::of(&version);
    let content = match &run.source_override {
        Some(o) => VersionContent {
            source: o.source.clone(),
            entrypoint: o.entrypoint.clone(),
            input_schema: o.input_schema.clone(),
            settings_schema: o.settings_schema.clone(),
            ..stored
        },
        None => stored,
    };
    Ok(Plan {
        tool,
        version,
        context: RunContext::Sandbox,
        content,
        source_override: run.source_override.clone(),
        settings: Value::Object(Map::new()),
        timeout: state.runs.timeout_sandbox,
    })
}

/// The run's settings as far as they still fit the tool's settings schema.
fn same_settings(settings: &Value, schema: Option<&SettingsSchema>) -> Value {
    match (settings, schema) {
        (Value::Object(values), Some(schema)) => Value::Object(schema.retain_valid(values)),
        _ => Value::Object(Map::new()),
    }
}
