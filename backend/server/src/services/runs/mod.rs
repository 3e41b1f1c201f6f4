//! Runs for the people who start and watch them: one run as its viewer may see it, my runs,
//! cancelling, artifact files; starting runs (`start`) and following them (`follow`).

pub mod batch;
mod follow;
mod rerun;
mod start;

pub use follow::{RunUpdate, follow};
pub use rerun::rerun;
pub use start::{RunTarget, start, submit_action};

use crate::auth::CurrentUser;
use crate::blobs::{Area, Reader};
use crate::error::{ApiError, ApiResult};
use crate::execution::hub::HubEvent;
use crate::services::access::{can_edit, require_view_run};
use crate::services::tools;
use crate::state::AppState;
use skriptoteket_domain::execution::RunProgress;
use skriptoteket_domain::run::{Artifact, CancelOutcome, Run, RunContext, RunQuery, RunStatus, RunSummary};
use skriptoteket_domain::tool::Tool;
use skriptoteket_domain::{Page, PageRequest, Role};
use uuid::Uuid;

/// A run as one viewer may see it: stderr (tracebacks) only for the tool's maintainers and
/// admins (SPEC §3); while it runs, the tool's latest progress.
#[derive(Clone)]
pub struct RunView {
    pub run: Run,
    pub tool: Tool,
    pub show_stderr: bool,
    pub progress: Option<RunProgress>,
}

/// Loads a run its owner or an admin may see; to anyone else it does not exist.
async fn load(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<Run> {
    let run = state.store.run_by_id(id).await?.ok_or_else(|| ApiError::not_found("The run"))?;
    require_view_run(user, &run)?;
    Ok(run)
}

async fn view_of(state: &AppState, user: &CurrentUser, run: Run) -> ApiResult<RunView> {
    let tool = tools::load(state.store.as_ref(), run.tool_id).await?;
    let show_stderr = can_edit(user, &tool);
    let progress = match run.status {
        // Saved at the heartbeat by whichever server executes it; fresher here if it is this one.
        RunStatus::Running => match state.hub.latest_progress(run.id) {
            Some(progress) => Some(progress),
            None => state.store.run_progress(run.id).await?,
        },
        _ => None,
    };
    Ok(RunView { run, tool, show_stderr, progress })
}

/// One run with its UI payload and artifacts.
pub async fn get(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<RunView> {
    let run = load(state, user, id).await?;
    view_of(state, user, run).await
}

/// Which runs to list: mine, or (admins, `all`) everyone's; each filter optional.
pub struct RunFilter {
    pub all: bool,
    pub tool_id: Option<Uuid>,
    pub status: Option<RunStatus>,
    pub context: Option<RunContext>,
}

/// My runs (admins: everyone's with `all`), newest first.
pub async fn list(
    state: &AppState,
    user: &CurrentUser,
    filter: RunFilter,
    page: PageRequest,
) -> ApiResult<Page<RunSummary>> {
    if filter.all {
        user.require(Role::Admin)?;
    }
    let query = RunQuery {
        user_id: (!filter.all).then_some(user.user.id),
        tool_id: filter.tool_id,
        status: filter.status,
        context: filter.context,
    };
    Ok(state.store.list_runs(&query, page).await?)
}

/// Cancels a queued or running run (its container is killed); answers the run after.
pub async fn cancel(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<RunView> {
    let run = load(state, user, id).await?;
    if stop(state, run.id).await? == CancelOutcome::NotFound {
        return Err(ApiError::not_found("The run"));
    }
    get(state, user, id).await
}

/// Cancels the run `id` (no permission check: the caller made it): a queued one at once, a
/// running one killed now instead of at its next heartbeat, here or by the server executing it.
pub(crate) async fn stop(state: &AppState, id: Uuid) -> ApiResult<CancelOutcome> {
    let outcome = state.store.request_cancel(id).await?;
    if outcome == CancelOutcome::Requested && !state.hub.cancel(id) {
        state.relay.cancel(id);
    }
    if outcome != CancelOutcome::NotFound {
        state.announce(id, HubEvent::Status(RunStatus::Cancelled));
    }
    Ok(outcome)
}

/// An artifact ready to stream: its record and its bytes (from disk or the shared store).
pub struct ArtifactFile {
    pub artifact: Artifact,
    pub reader: Reader,
}

/// One artifact of a run I may see, opened for download.
pub async fn artifact(state: &AppState, user: &CurrentUser, run: Uuid, artifact: Uuid) -> ApiResult<ArtifactFile> {
    let run = load(state, user, run).await?;
    let artifact = state.store.artifact(run.id, artifact).await?.ok_or_else(|| ApiError::not_found("The file"))?;
    let opened = state.runs.blobs().open(Area::Artifacts, &artifact.stored_as).await;
    match opened {
        Ok(Some((_, reader))) => Ok(ArtifactFile { artifact, reader }),
        Ok(None) => Err(ApiError::not_found("The file (it may have expired)")),
        Err(e) => Err(ApiError::Internal(e.into())),
    }
}
