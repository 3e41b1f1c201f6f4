//! `GET`/`PUT /api/admin/tool-versions/{id}` (optimistic concurrency), the lifecycle actions,
//! sandbox runs (TESTKÖR) and sandbox settings.

use crate::api::admin::tools::json::{LifecycleRequest, SaveVersionRequest, VersionResponse};
use crate::api::problems::Common;
use crate::api::runs::json::RunResponse;
use crate::api::runs::{RunAccepted, WaitPreference, accepted};
use crate::api::tools::json::{PutSettingsRequest, SettingsResponse};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::execution::uploads::{UploadsGuard, read_run_form};
use crate::extract::{OptionalJson, RequestId, ValidatedJson};
use crate::services::versions::{self, parse_input_schema, parse_settings_schema};
use crate::services::{runs, settings};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use skriptoteket_domain::Role;
use skriptoteket_domain::run::SettingsScope;
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
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = VersionResponse), (status = 404, body = Problem, content_type = "application/problem+json"), Common)
)]
pub async fn get_version(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    user.require(Role::Contributor)?;
    let (_, version) = versions::load_editable(state.store.as_ref(), &user, id).await?;
    Ok(with_etag(version))
}

/// Save a draft. Needs `If-Match: "<revision>"` or `expected_revision`; a stale one is `412`.
#[utoipa::path(
    put, path = "/api/admin/tool-versions/{id}", tag = "authoring",
    params(("id" = Uuid, Path, description = "Version id"), ("If-Match" = Option<String>, Header, description = "The revision you edited, quoted")),
    request_body = SaveVersionRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, body = VersionResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
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
    user.require(Role::Contributor)?;
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
    };
    let saved = versions::save_draft(state.store.as_ref(), &user, id, expected, content).await?;
    Ok(with_etag(saved))
}

macro_rules! lifecycle_doc {
    ($name:ident, $path:literal, $summary:literal) => {
        #[doc = $summary]
        #[utoipa::path(
            post, path = $path, tag = "authoring", params(("id" = Uuid, Path, description = "Version id")),
            request_body = LifecycleRequest,
            security(("bearer" = []), ("cookie" = [])),
            responses(
                (status = 200, body = VersionResponse),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 409, body = Problem, content_type = "application/problem+json", description = "The version is in the wrong state"),
                Common,
            )
        )]
        pub async fn $name(user: CurrentUser, State(state): State<AppState>, Path(id): Path<Uuid>, OptionalJson(body): OptionalJson<LifecycleRequest>) -> ApiResult<Json<VersionResponse>> {
            user.require(Role::Contributor)?;
            let message = body.and_then(|b| b.message).filter(|m| !m.trim().is_empty());
            Ok(Json(lifecycle::$name(&state, &user, id, message).await?.into()))
        }
    };
}

mod lifecycle {
    use super::*;

    pub async fn submit_review(
        state: &AppState,
        user: &CurrentUser,
        id: Uuid,
        message: Option<String>,
    ) -> ApiResult<ToolVersion> {
        versions::submit_review(state.store.as_ref(), user, id, message).await
    }

    pub async fn publish(
        state: &AppState,
        user: &CurrentUser,
        id: Uuid,
        message: Option<String>,
    ) -> ApiResult<ToolVersion> {
        versions::publish(state.store.as_ref(), user, id, message).await
    }

    pub async fn request_changes(
        state: &AppState,
        user: &CurrentUser,
        id: Uuid,
        message: Option<String>,
    ) -> ApiResult<ToolVersion> {
        versions::request_changes(state.store.as_ref(), user, id, message.unwrap_or_default()).await
    }

    pub async fn rollback(
        state: &AppState,
        user: &CurrentUser,
        id: Uuid,
        message: Option<String>,
    ) -> ApiResult<ToolVersion> {
        versions::rollback(state.store.as_ref(), user, id, message).await
    }
}

lifecycle_doc!(
    submit_review,
    "/api/admin/tool-versions/{id}/submit-review",
    "Submit a draft for review (maintainers)."
);
lifecycle_doc!(
    publish,
    "/api/admin/tool-versions/{id}/publish",
    "Publish a version in review; the previous active version is archived (admins)."
);
lifecycle_doc!(
    request_changes,
    "/api/admin/tool-versions/{id}/request-changes",
    "Send a version in review back to draft with a message (admins)."
);
lifecycle_doc!(
    rollback,
    "/api/admin/tool-versions/{id}/rollback",
    "Make an archived version active again, as a new version (admins)."
);

/// Run any version in the sandbox (TESTKÖR); the form may carry unsaved editor content.
#[utoipa::path(
    post, path = "/api/admin/tool-versions/{id}/run-sandbox", tag = "runs",
    params(("id" = Uuid, Path, description = "Version id"), WaitPreference),
    request_body(content = crate::api::runs::json::RunForm, content_type = "multipart/form-data"),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 202, body = RunResponse, description = "Queued; `Location` names the run"),
        (status = 200, body = RunResponse, description = "Finished within `Prefer: wait=N`"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid inputs, files, schemas or a syntax error"),
        (status = 503, body = Problem, content_type = "application/problem+json"),
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
    user.require(Role::Contributor)?;
    versions::load_editable(state.store.as_ref(), &user, id).await?;
    let run_id = Uuid::now_v7();
    let uploads = UploadsGuard::new(&state.runs.uploads_root, run_id);
    let form = read_run_form(multipart, &state.runs.uploads_root, run_id, true).await?;
    let run = runs::start_sandbox(&state, &user, id, run_id, form, request_id).await?;
    uploads.keep();
    accepted(&state, &user, run, wait).await
}

/// My sandbox settings for this version.
#[utoipa::path(
    get, path = "/api/admin/tool-versions/{id}/settings", tag = "authoring", params(("id" = Uuid, Path, description = "Version id")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = SettingsResponse), (status = 404, body = Problem, content_type = "application/problem+json"), Common)
)]
pub async fn get_sandbox_settings(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<SettingsResponse>> {
    user.require(Role::Contributor)?;
    let (tool, version) = versions::load_editable(state.store.as_ref(), &user, id).await?;
    let schema = version.settings_schema;
    let view = settings::get(state.store.as_ref(), user.user.id, tool.id, schema.as_ref(), &SettingsScope::Sandbox(id))
        .await?;
    Ok(Json(SettingsResponse::new(view, schema)))
}

/// Save my sandbox settings for this version.
#[utoipa::path(
    put, path = "/api/admin/tool-versions/{id}/settings", tag = "authoring", params(("id" = Uuid, Path, description = "Version id")),
    request_body = PutSettingsRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, body = SettingsResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The version has no settings"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
pub async fn put_sandbox_settings(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ValidatedJson(body): ValidatedJson<PutSettingsRequest>,
) -> ApiResult<Json<SettingsResponse>> {
    user.require(Role::Contributor)?;
    let (tool, version) = versions::load_editable(state.store.as_ref(), &user, id).await?;
    let schema = version.settings_schema;
    let view = settings::put(
        state.store.as_ref(),
        user.user.id,
        tool.id,
        schema.as_ref(),
        &SettingsScope::Sandbox(id),
        &body.values,
    )
    .await?;
    Ok(Json(SettingsResponse::new(view, schema)))
}
