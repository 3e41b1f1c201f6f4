//! Class mode: `POST /api/tools/{slug}/batch`, `GET /api/batches/{id}`,
//! `GET /api/batches/{id}/artifacts.zip`, `POST /api/batches/{id}/cancel`.

use crate::api::problems::{Busy, Common, NotFound};
use crate::api::runs::json::{RunFileResponse, RunToolRef};
use crate::api::zip_download;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, Problem};
use crate::extract::RequestId;
use crate::services::runs::batch::{self, BatchView};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use skriptoteket_domain::batch::BatchItem;
use skriptoteket_domain::run::RunStatus;
use skriptoteket_domain::run_error::{ErrorCode, ErrorParams};
use utoipa::ToSchema;
use uuid::Uuid;

/// The multipart form of class mode (documentation only; it is read field by field).
#[derive(ToSchema)]
#[expect(dead_code, reason = "documents the multipart body")]
pub struct BatchForm {
    /// One file per item (repeat the field; at most 100, 200 MB together). Each file becomes the
    /// one file of its own run.
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<String>,
    /// The form inputs all items share, as a JSON object.
    inputs: Option<String>,
}

/// How many items are in each state.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct BatchCounts {
    pub queued: u32,
    pub running: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub timed_out: u32,
    pub cancelled: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchItemResponse {
    pub run_id: Uuid,
    /// The input file of this item.
    pub file: Option<RunFileResponse>,
    pub status: RunStatus,
    /// English, for integrators; people see `error_code` in their language.
    pub error_summary: Option<String>,
    pub error_code: Option<ErrorCode>,
    pub error_params: Option<ErrorParams>,
    pub artifact_count: u32,
    pub run_url: String,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    pub id: Uuid,
    pub tool: RunToolRef,
    pub item_count: u32,
    pub counts: BatchCounts,
    /// True once every item has ended.
    pub finished: bool,
    /// All items' files as one zip, a folder per input file.
    pub artifacts_url: String,
    pub items: Vec<BatchItemResponse>,
    pub created_at: DateTime<Utc>,
}

impl From<BatchView> for BatchResponse {
    fn from(view: BatchView) -> Self {
        let mut counts = BatchCounts::default();
        for item in &view.items {
            *match item.status {
                RunStatus::Queued => &mut counts.queued,
                RunStatus::Running => &mut counts.running,
                RunStatus::Succeeded => &mut counts.succeeded,
                RunStatus::Failed => &mut counts.failed,
                RunStatus::TimedOut => &mut counts.timed_out,
                RunStatus::Cancelled => &mut counts.cancelled,
            } += 1;
        }
        let id = view.batch.id;
        Self {
            id,
            tool: RunToolRef { id: view.tool.id, slug: view.tool.slug.clone(), title: view.tool.title.clone() },
            item_count: view.batch.item_count,
            finished: view.items.iter().all(|i| i.status.is_final()),
            counts,
            artifacts_url: format!("/api/batches/{id}/artifacts.zip"),
            items: view.items.into_iter().map(item_response).collect(),
            created_at: view.batch.created_at,
        }
    }
}

fn item_response(item: BatchItem) -> BatchItemResponse {
    BatchItemResponse {
        run_id: item.run_id,
        file: item.file.map(|f| RunFileResponse { name: f.name, bytes: f.bytes }),
        status: item.status,
        error_summary: item.error_summary,
        error_code: item.error.as_ref().map(|e| e.code),
        error_params: item.error.map(|e| e.params),
        artifact_count: item.artifact_count,
        run_url: format!("/api/runs/{}", item.run_id),
        started_at: item.started_at,
        finished_at: item.finished_at,
    }
}

/// Class mode ("en körning per fil"): run the active version once per uploaded file, with the
/// same inputs and settings. All items are queued, or none.
///
/// Fairness: the batch counts as one of my active runs however many items it has, and the
/// queue serves it one item per round, so other people's runs are not held up behind it.
#[utoipa::path(
    post, path = "/api/tools/{slug}/batch", tag = "runs",
    params(("slug" = String, Path, description = "The tool's URL slug")),
    request_body(content = BatchForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, body = BatchResponse, description = "Queued; `Location` names the batch"),
        NotFound,
        (status = 413, body = Problem, content_type = "application/problem+json", description = "Too many or too large files (`payload_too_large`), or past my storage quota (`storage_quota_exceeded`)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "No files, a tool that does not take one file at a time, or inputs or files that do not fit its form"),
        Busy,
        Common,
    )
)]
pub async fn start_batch(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RequestId(request_id): RequestId,
    multipart: Multipart,
) -> ApiResult<Response> {
    let body = BatchResponse::from(batch::start(&state, &user, &slug, multipart, request_id).await?);
    let location = format!("/api/batches/{}", body.id);
    Ok((StatusCode::ACCEPTED, [(header::LOCATION, location)], Json(body)).into_response())
}

/// A batch of mine (admins: anyone's) with every item's state.
#[utoipa::path(
    get, path = "/api/batches/{id}", tag = "runs",
    params(("id" = Uuid, Path, description = "Batch id")),
    responses((status = 200, body = BatchResponse), NotFound, Common)
)]
pub async fn get_batch(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<BatchResponse>> {
    Ok(Json(batch::get(&state, &user, id).await?.into()))
}

/// Cancel every item still waiting or going; finished items keep their results.
#[utoipa::path(
    post, path = "/api/batches/{id}/cancel", tag = "runs",
    params(("id" = Uuid, Path, description = "Batch id")),
    responses((status = 200, body = BatchResponse), NotFound, Common)
)]
pub async fn cancel_batch(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<BatchResponse>> {
    Ok(Json(batch::cancel(&state, &user, id).await?.into()))
}

/// All the batch's result files as one zip, a folder per input file, streamed as it is
/// written (files of items still going are not in it yet).
#[utoipa::path(
    get, path = "/api/batches/{id}/artifacts.zip", tag = "runs",
    params(("id" = Uuid, Path, description = "Batch id")),
    responses(
        (status = 200, content_type = "application/zip", body = crate::api::runs::artifacts::FileBytes, description = "The zip, as an attachment"),
        NotFound,
        Common,
    )
)]
pub async fn batch_artifacts(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let (batch, entries) = batch::archive(&state, &user, id).await?;
    Ok(zip_download(state.runs.blobs(), &format!("klass-{}.zip", &batch.id.to_string()[..8]), entries))
}
