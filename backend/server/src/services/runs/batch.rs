//! Class mode: one published tool over many uploaded files, each file the one file of its own
//! run with the same inputs and settings, grouped as a batch. The items are ordinary runs (same
//! queue, limits, error codes and downloads); the fairness rule is the domain's `batch`.

use super::start::{SharedUploads, admit, checked_inputs, new_run, production_plan, queue_full, queued, reserve};
use crate::archive::{self, Entry};
use crate::auth::CurrentUser;
use crate::blobs::Area;
use crate::error::{ApiError, ApiResult};
use crate::execution::uploads::read_batch_form;
use crate::services::access::require_owner_or_admin;
use crate::services::{catalog, storage, tools};
use crate::state::AppState;
use axum::extract::Multipart;
use serde_json::json;
use skriptoteket_domain::batch::{Batch, BatchItem, NewBatch};
use skriptoteket_domain::tool::Tool;
use std::collections::HashMap;
use uuid::Uuid;

/// A batch as its owner sees it: the tool and every item's state.
pub struct BatchView {
    pub batch: Batch,
    pub tool: Tool,
    pub items: Vec<BatchItem>,
}

/// Queues one run per uploaded file of the published tool `slug`: all of them, or none.
pub async fn start(
    state: &AppState,
    user: &CurrentUser,
    slug: &str,
    multipart: Multipart,
    request_id: Option<String>,
) -> ApiResult<BatchView> {
    let (tool, version) = catalog::published(state.store.as_ref(), slug).await?;
    storage::require_free_space(state).await?;
    storage::require_quota(state, user.user.id, 0).await?;
    let form = read_batch_form(multipart, &state.runs.uploads_root).await?;
    if form.items.is_empty() {
        return Err(ApiError::field("files", "choose at least one file; each file gets its own run"));
    }
    let plan = production_plan(state, user, tool, version).await?;
    // Each item gets exactly one file: the tool must take one (its file types are checked per item).
    let files = plan.content.input_schema.as_ref().and_then(|s| s.files.as_ref());
    if !files.is_some_and(|rule| rule.min <= 1 && rule.max >= 1) {
        return Err(ApiError::field("files", "this tool does not take one file at a time, so it cannot run per file"));
    }
    let inputs = checked_inputs(&plan, form.inputs.as_ref().unwrap_or(&json!({})))?;
    let batch_id = Uuid::now_v7();
    let mut runs = Vec::with_capacity(form.items.len());
    for (run_id, file) in &form.items {
        let files = (vec![file.clone()], Some(*run_id));
        let mut run = new_run(&plan, user, *run_id, files, inputs.clone(), request_id.clone())?;
        run.batch_id = Some(batch_id);
        runs.push(run);
    }
    admit(state, user, &plan).await?;
    let bytes = form.items.iter().map(|(_, f)| f.bytes).sum();
    let reserved = reserve(state, user.user.id, bytes).await?;
    let shared = SharedUploads::publish(state, form.items.iter().map(|(run, _)| *run)).await?;
    let new = NewBatch { id: batch_id, tool_id: plan.tool.id, user_id: user.user.id, context: plan.context };
    let batch = state.store.enqueue_batch(new, runs, state.runs.max_queue).await?.ok_or_else(queue_full)?;
    shared.keep();
    drop(reserved);
    queued(state, user.user.id);
    form.guards.into_iter().for_each(|guard| guard.keep());
    view(state, batch).await
}

async fn load(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<Batch> {
    let batch = state.store.batch_by_id(id).await?.ok_or_else(|| ApiError::not_found("The batch"))?;
    require_owner_or_admin(user, batch.user_id, "The batch")?;
    Ok(batch)
}

async fn view(state: &AppState, batch: Batch) -> ApiResult<BatchView> {
    let tool = tools::load(state.store.as_ref(), batch.tool_id).await?;
    let items = state.store.batch_items(batch.id).await?;
    Ok(BatchView { batch, tool, items })
}

/// A batch of mine (admins: anyone's) with its items.
pub async fn get(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<BatchView> {
    let batch = load(state, user, id).await?;
    view(state, batch).await
}

/// Cancels every item still waiting or going; finished items keep their results.
pub async fn cancel(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<BatchView> {
    let batch = load(state, user, id).await?;
    for item in state.store.batch_items(batch.id).await?.iter().filter(|i| !i.status.is_final()) {
        super::stop(state, item.run_id).await?;
    }
    view(state, batch).await
}

/// The batch's artifacts as archive entries, one folder per input file
/// (`<input file>/<artifact name>`), for a streamed zip.
pub async fn archive(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<(Batch, Vec<Entry>)> {
    let batch = load(state, user, id).await?;
    let folders: HashMap<Uuid, String> = state
        .store
        .batch_items(batch.id)
        .await?
        .into_iter()
        .map(|item| (item.run_id, archive::segment(item.file.as_ref().map_or("fil", |f| f.name.as_str()))))
        .collect();
    let entries = state
        .store
        .batch_artifacts(batch.id)
        .await?
        .into_iter()
        .filter_map(|a| {
            let folder = folders.get(&a.run_id)?;
            Some(Entry::blob(format!("{folder}/{}", a.name), Area::Artifacts, a.stored_as))
        })
        .collect();
    Ok((batch, entries))
}
