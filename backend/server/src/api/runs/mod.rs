//! `GET /api/runs`, `GET /api/runs/{id}`, `POST /api/runs/{id}/cancel`,
//! `POST /api/runs/{id}/actions`, plus the event stream and artifact downloads.

pub mod artifacts;
pub mod events;
pub mod json;

use crate::api::pagination::{PageQuery, PageResponse};
use crate::api::problems::Common;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Query, RequestId, ValidatedJson};
use crate::services::access::can_edit;
use crate::services::runs;
use crate::state::AppState;
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use json::{ActionRequest, RunListParams, RunResponse, RunSummaryResponse};
use skriptoteket_domain::Role;
use skriptoteket_domain::run::{Run, RunContext, RunQuery};
use std::time::Duration;
use utoipa::IntoParams;
use uuid::Uuid;

/// `Prefer: wait=N`: answer with the finished run if it ends within N seconds (at most 60).
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct WaitPreference {
    /// `wait=N` to wait up to N seconds for the run to finish.
    #[param(rename = "Prefer", value_type = Option<String>)]
    pub wait: Option<u64>,
}

impl<S: Send + Sync> FromRequestParts<S> for WaitPreference {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let wait = parts
            .headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split([',', ';']))
            .filter_map(|p| p.trim().strip_prefix("wait="))
            .find_map(|n| n.trim().parse().ok());
        Ok(Self { wait })
    }
}

/// `202` with `Location` (or `200` when the run ended within the wait).
pub struct RunAccepted {
    status: StatusCode,
    body: RunResponse,
}

impl IntoResponse for RunAccepted {
    fn into_response(self) -> Response {
        let location = format!("/api/runs/{}", self.body.id);
        (self.status, [(header::LOCATION, location)], Json(self.body)).into_response()
    }
}

pub async fn accepted(state: &AppState, user: &CurrentUser, run: Run, wait: WaitPreference) -> ApiResult<RunAccepted> {
    let run = match wait.wait {
        Some(seconds) => runs::wait_for(state, user, run, Duration::from_secs(seconds)).await?,
        None => run,
    };
    let status = if run.status.is_final() { StatusCode::OK } else { StatusCode::ACCEPTED };
    Ok(RunAccepted { status, body: respond(state, user, run).await? })
}

/// Shapes a run for `user`: stderr only for the tool's maintainers and admins.
pub async fn respond(state: &AppState, user: &CurrentUser, run: Run) -> ApiResult<RunResponse> {
    let tool = runs::tool_of(state, &run).await?;
    let show_stderr = can_edit(user, &tool);
    Ok(RunResponse::new(run, &tool, show_stderr))
}

/// My runs (admins: `all=true` for everyone's), newest first.
#[utoipa::path(
    get, path = "/api/runs", tag = "runs", params(RunListParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = PageResponse<RunSummaryResponse>), Common)
)]
pub async fn list_runs(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(p): Query<RunListParams>,
) -> ApiResult<Json<PageResponse<RunSummaryResponse>>> {
    let all = p.all.unwrap_or(false);
    if all {
        user.require(Role::Admin)?;
    }
    let status = p.status.as_deref().map(str::parse).transpose().map_err(|e: String| ApiError::field("status", e))?;
    let context =
        p.context.as_deref().map(str::parse::<RunContext>).transpose().map_err(|e| ApiError::field("context", e))?;
    let query = RunQuery { user_id: (!all).then_some(user.user.id), tool_id: p.tool_id, status, context };
    let page = PageQuery { limit: p.limit, offset: p.offset };
    let page = state.store.list_runs(&query, page.into()).await?;
    Ok(Json(PageResponse::from_page(page, RunSummaryResponse::from)))
}

/// One run with its UI payload and artifacts.
#[utoipa::path(
    get, path = "/api/runs/{id}", tag = "runs",
    params(("id" = Uuid, Path, description = "Run id")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = RunResponse), (status = 404, body = Problem, content_type = "application/problem+json"), Common)
)]
pub async fn get_run(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RunResponse>> {
    let run = runs::load_run(&state, &user, id).await?;
    Ok(Json(respond(&state, &user, run).await?))
}

/// Cancel a queued or running run (its container is killed).
#[utoipa::path(
    post, path = "/api/runs/{id}/cancel", tag = "runs",
    params(("id" = Uuid, Path, description = "Run id")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = RunResponse), (status = 404, body = Problem, content_type = "application/problem+json"), Common)
)]
pub async fn cancel_run(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RunResponse>> {
    let run = runs::cancel(&state, &user, id).await?;
    Ok(Json(respond(&state, &user, run).await?))
}

/// Answer one of the run's `next_actions`: starts a follow-up run with the tool's state.
#[utoipa::path(
    post, path = "/api/runs/{id}/actions", tag = "runs",
    params(("id" = Uuid, Path, description = "Run id"), WaitPreference),
    request_body = ActionRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 202, body = RunResponse, description = "The follow-up run is queued"),
        (status = 200, body = RunResponse, description = "Finished within `Prefer: wait=N`"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The action is stale"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Unknown action or invalid input"),
        (status = 503, body = Problem, content_type = "application/problem+json"),
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
    let run = runs::submit_action(&state, &user, id, &body.action_id, &body.input, request_id).await?;
    accepted(&state, &user, run, wait).await
}
