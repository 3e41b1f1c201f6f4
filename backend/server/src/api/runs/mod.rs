//! `GET /api/runs`, `GET /api/runs/{id}`, `POST /api/runs/{id}/cancel`,
//! `POST /api/runs/{id}/actions`, `POST /api/runs/{id}/rerun`, plus the event stream and
//! artifact downloads.

pub mod artifacts;
pub mod events;
pub mod json;

use crate::api::pagination::{PageQuery, PageResponse};
use crate::api::problems::{Busy, Common, NotFound};
use crate::api::run_reply::RunAccepted;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Query, RequestId, ValidatedJson, WaitPreference};
use crate::services::runs::{self, RunFilter};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use json::{ActionRequest, RunListParams, RunResponse, RunSummaryResponse};
use skriptoteket_domain::run::RunContext;
use uuid::Uuid;

/// My runs (admins: `all=true` for everyone's), newest first.
#[utoipa::path(
    get, path = "/api/runs", tag = "runs", params(RunListParams),
    responses((status = 200, body = PageResponse<RunSummaryResponse>), Common)
)]
pub async fn list_runs(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(p): Query<RunListParams>,
) -> ApiResult<Json<PageResponse<RunSummaryResponse>>> {
    let status = p.status.as_deref().map(str::parse).transpose().map_err(|e: String| ApiError::field("status", e))?;
    let context =
        p.context.as_deref().map(str::parse::<RunContext>).transpose().map_err(|e| ApiError::field("context", e))?;
    let filter = RunFilter { all: p.all.unwrap_or(false), tool_id: p.tool_id, status, context };
    let page = PageQuery { limit: p.limit, offset: p.offset };
    let page = runs::list(&state, &user, filter, page.into()).await?;
    Ok(Json(PageResponse::from_page(page, RunSummaryResponse::from)))
}

/// One run with its UI payload and artifacts.
#[utoipa::path(
    get, path = "/api/runs/{id}", tag = "runs",
    params(("id" = Uuid, Path, description = "Run id")),
    responses((status = 200, body = RunResponse), NotFound, Common)
)]
pub async fn get_run(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RunResponse>> {
    Ok(Json(runs::get(&state, &user, id).await?.into()))
}

/// Cancel a queued or running run (its container is killed).
#[utoipa::path(
    post, path = "/api/runs/{id}/cancel", tag = "runs",
    params(("id" = Uuid, Path, description = "Run id")),
    responses((status = 200, body = RunResponse), NotFound, Common)
)]
pub async fn cancel_run(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RunResponse>> {
    Ok(Json(runs::cancel(&state, &user, id).await?.into()))
}

/// Answer one of the run's `next_actions`: starts a follow-up run with the tool's state.
#[utoipa::path(
    post, path = "/api/runs/{id}/actions", tag = "runs",
    params(("id" = Uuid, Path, description = "Run id"), WaitPreference),
    request_body = ActionRequest,
    responses(
        (status = 202, body = RunResponse, description = "The follow-up run is queued"),
        (status = 200, body = RunResponse, description = "Finished within `Prefer: wait=N`"),
        NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The action is stale (`stale_action`), or the run's files are no longer kept (`files_not_kept`)"),
        (status = 413, body = Problem, content_type = "application/problem+json", description = "I am past my storage quota (`storage_quota_exceeded`)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Unknown action or invalid input"),
        Busy,
        Common,
    )
)]
pub async fn submit_action(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    RequestId(request_id): RequestId,
    wait: WaitPreference,
    ValidatedJson(body): ValidatedJson<ActionRequest>,
) -> ApiResult<RunAccepted> {
    let view =
        runs::submit_action(&state, &user, id, &body.action_id, &body.input, request_id, wait.duration()).await?;
    Ok(RunAccepted(view))
}

/// Run again: the same tool with the same inputs, settings and (while kept, 24 h) files.
///
/// A production run starts the tool's current active version; a test run the same version
/// (with the unsaved content it carried); a follow-up step starts over from the first step.
/// Only the run's owner may run it again (to anyone else, admins included, it is missing).
#[utoipa::path(
    post, path = "/api/runs/{id}/rerun", tag = "runs",
    params(("id" = Uuid, Path, description = "Run id"), WaitPreference),
    responses(
        (status = 202, body = RunResponse, description = "The new run is queued; `Location` names it"),
        (status = 200, body = RunResponse, description = "Finished within `Prefer: wait=N`"),
        NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json",
         description = "`files_not_kept`: the run's files are no longer kept (24 h); \
                        `run_not_finished`: the run still goes; `tool_not_published`: the tool left the catalog"),
        (status = 422, body = Problem, content_type = "application/problem+json",
         description = "The tool changed: the run's inputs or files no longer fit its form"),
        Busy,
        Common,
    )
)]
pub async fn run_again(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    RequestId(request_id): RequestId,
    wait: WaitPreference,
) -> ApiResult<RunAccepted> {
    Ok(RunAccepted(runs::rerun(&state, &user, id, request_id, wait.duration()).await?))
}
