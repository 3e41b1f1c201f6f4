//! `GET`/`PUT /api/admin/tool-versions/{id}` (optimistic concurrency), the lifecycle actions,
//! sandbox runs (TESTKÖR) and sandbox settings.

use crate::api::admin::tools::json::{LifecycleRequest, SaveVersionRequest, VersionResponse};
use crate::api::problems::{Busy, Common, Conflict, NotFound, Unprocessable};
use crate::api::run_reply::RunAccepted;
use crate::api::runs::json::RunResponse;
use crate::api::tools::json::{PutSettingsRequest, SettingsResponse};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{OptionalJson, RequestId, ValidatedJson, WaitPreference};
use crate::services::content::{parse_input_schema, parse_settings_schema};
use crate::services::runs::{self, RunTarget};
use crate::services::settings::{self, SettingsTarget};
use crate::services::versions;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use skriptoteket_domain::tool::{DEFAULT_ENTRYPOINT, ToolVersion, VersionContent};
use uuid::Uuid;

fn with_etag(version: ToolVersion) -> Response {
    let etag = format!("\"{}\"", version.revision);
    let mut response = Json(VersionResponse::from(version)).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// One version with its source; `ETag` carries the revision to send back when saving.
#[utoipa::path(
    get, path = "/api/admin/tool-versions/{id}", tag = "authoring", params(("id" = Uuid, Path, description = "Version id")),
    responses((status = 200, body = VersionResponse), NotFound, Common)
)]
pub async fn get_version(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    Ok(with_etag(versions::get(&state, &user, id).await?))
}

/// Save a draft. Needs `If-Match: "<revision>"` or `expected_revision`; a stale one is `412`.
#[utoipa::path(
    put, path = "/api/admin/tool-versions/{id}", tag = "authoring",
    params(("id" = Uuid, Path, description = "Version id"), ("If-Match" = Option<String>, Header, description = "The revision you edited, quoted")),
    request_body = SaveVersionRequest,
    responses(
        (status = 200, body = VersionResponse),
        NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Not a draft"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "Someone saved meanwhile"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid source, entrypoint or schemas"),
        (status = 428, body = Problem, content_type = "application/problem+json", description = "No revision given"),
        Common,
    )
)]
pub async fn save_version(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    ValidatedJson(body): ValidatedJson<SaveVersionRequest>,
) -> ApiResult<Response> {
    let if_match = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"').to_owned());
    let expected = match (if_match, body.expected_revision) {
        (Some(tag), _) => {
            tag.parse::<i32>().map_err(|_| ApiError::field("If-Match", "must be the quoted revision from ETag"))?
        }
        (None, Some(revision)) => revision,
        (None, None) => {
            return Err(ApiError::PreconditionRequired(
                "Send If-Match with the ETag you loaded (or expected_revision), so nobody's work is overwritten."
                    .into(),
            ));
        }
    };
    let content = VersionContent {
        source: body.source,
        entrypoint: body.entrypoint.unwrap_or_else(|| DEFAULT_ENTRYPOINT.to_owned()),
        input_schema: parse_input_schema(body.input_schema)?,
        settings_schema: parse_settings_schema(body.settings_schema)?,
        change_summary: body.change_summary,
        usage_instructions: String::new(),
    };
    let saved = versions::save_draft(&state, &user, id, expected, content, body.usage_instructions).await?;
    Ok(with_etag(saved))
}

/// The optional message of a lifecycle action; blank is none.
fn message_of(body: Option<LifecycleRequest>) -> Option<String> {
    body.and_then(|b| b.message).filter(|m| !m.trim().is_empty())
}

/// Submit a draft for review (maintainers).
#[utoipa::path(
    post, path = "/api/admin/tool-versions/{id}/submit-review", tag = "authoring",
    params(("id" = Uuid, Path, description = "Version id")), request_body = LifecycleRequest,
    responses((status = 200, body = VersionResponse), NotFound, Conflict, Common)
)]
pub async fn submit_review(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    OptionalJson(body): OptionalJson<LifecycleRequest>,
) -> ApiResult<Json<VersionResponse>> {
    Ok(Json(versions::submit_review(&state, &user, id, message_of(body)).await?.into()))
}

/// Publish a version in review; the previous active version is archived (admins).
#[utoipa::path(
    post, path = "/api/admin/tool-versions/{id}/publish", tag = "authoring",
    params(("id" = Uuid, Path, description = "Version id")), request_body = LifecycleRequest,
    responses((status = 200, body = VersionResponse), NotFound, Conflict, Common)
)]
pub async fn publish(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    OptionalJson(body): OptionalJson<LifecycleRequest>,
) -> ApiResult<Json<VersionResponse>> {
    Ok(Json(versions::publish(&state, &user, id, message_of(body)).await?.into()))
}

/// Send a version in review back to draft with a message (admins).
#[utoipa::path(
    post, path = "/api/admin/tool-versions/{id}/request-changes", tag = "authoring",
    params(("id" = Uuid, Path, description = "Version id")), request_body = LifecycleRequest,
    responses((status = 200, body = VersionResponse), NotFound, Conflict, Common)
)]
pub async fn request_changes(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    OptionalJson(body): OptionalJson<LifecycleRequest>,
) -> ApiResult<Json<VersionResponse>> {
    Ok(Json(versions::request_changes(&state, &user, id, message_of(body)).await?.into()))
}

/// Make an archived version active again, as a new version (admins).
#[utoipa::path(
    post, path = "/api/admin/tool-versions/{id}/rollback", tag = "authoring",
    params(("id" = Uuid, Path, description = "Version id")), request_body = LifecycleRequest,
    responses((status = 200, body = VersionResponse), NotFound, Conflict, Common)
)]
pub async fn rollback(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    OptionalJson(body): OptionalJson<LifecycleRequest>,
) -> ApiResult<Json<VersionResponse>> {
    Ok(Json(versions::rollback(&state, &user, id, message_of(body)).await?.into()))
}

/// Run any version in the sandbox (TESTKÖR); the form may carry unsaved editor content.
#[utoipa::path(
    post, path = "/api/admin/tool-versions/{id}/run-sandbox", tag = "runs",
    params(("id" = Uuid, Path, description = "Version id"), WaitPreference),
    request_body(content = crate::api::runs::json::RunForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, body = RunResponse, description = "Queued; `Location` names the run"),
        (status = 200, body = RunResponse, description = "Finished within `Prefer: wait=N`"),
        NotFound,
        (status = 413, body = Problem, content_type = "application/problem+json", description = "Too many or too large files (`payload_too_large`), or past my storage quota (`storage_quota_exceeded`)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid inputs, files, schemas or a syntax error"),
        Busy,
        Common,
    )
)]
pub async fn run_sandbox(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    RequestId(request_id): RequestId,
    wait: WaitPreference,
    multipart: Multipart,
) -> ApiResult<RunAccepted> {
    let target = RunTarget::Sandbox(id);
    Ok(RunAccepted(runs::start(&state, &user, target, multipart, request_id, wait.duration()).await?))
}

/// My sandbox settings for this version.
#[utoipa::path(
    get, path = "/api/admin/tool-versions/{id}/settings", tag = "authoring", params(("id" = Uuid, Path, description = "Version id")),
    responses((status = 200, body = SettingsResponse), NotFound, Common)
)]
pub async fn get_sandbox_settings(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<SettingsResponse>> {
    let page = settings::get(&state, &user, SettingsTarget::Version(id)).await?;
    Ok(Json(SettingsResponse::new(page.view, page.schema)))
}

/// Save my sandbox settings for this version.
#[utoipa::path(
    put, path = "/api/admin/tool-versions/{id}/settings", tag = "authoring", params(("id" = Uuid, Path, description = "Version id")),
    request_body = PutSettingsRequest,
    responses(
        (status = 200, body = SettingsResponse),
        NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The version has no settings"),
        Unprocessable,
        Common,
    )
)]
pub async fn put_sandbox_settings(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ValidatedJson(body): ValidatedJson<PutSettingsRequest>,
) -> ApiResult<Json<SettingsResponse>> {
    let page = settings::put(&state, &user, SettingsTarget::Version(id), &body.values).await?;
    Ok(Json(SettingsResponse::new(page.view, page.schema)))
}
