//! `POST /api/admin/tools`, `GET`/`PATCH /api/admin/tools/{id}`, maintainers, new versions,
//! the tool's state-change history, and `GET /api/my-tools`.

pub mod json;

use crate::api::problems::{Common, NotFound, Unprocessable};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ValidatedJson;
use crate::services::tools::{self, ToolView};
use crate::services::versions::{self, DraftOrigin};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use json::{
    AddMaintainerRequest, AdminToolResponse, CreateToolRequest, CreateToolResponse, MaintainerResponse,
    NewVersionRequest, UpdateToolRequest, VersionEventResponse, VersionResponse,
};
use skriptoteket_domain::tool::ToolPatch;
use uuid::Uuid;

impl From<ToolView> for AdminToolResponse {
    fn from(view: ToolView) -> Self {
        AdminToolResponse::new(&view.tool, &view.versions)
    }
}

/// Create a tool with a first draft; you become its maintainer.
#[utoipa::path(
    post, path = "/api/admin/tools", tag = "authoring", request_body = CreateToolRequest,
    responses(
        (status = 201, body = CreateToolResponse, description = "Created; `Location` names the tool"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The slug is taken"),
        Unprocessable,
        Common,
    )
)]
pub async fn create_tool(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidatedJson(body): ValidatedJson<CreateToolRequest>,
) -> ApiResult<impl IntoResponse> {
    let (tool, draft) = tools::create(&state, &user, &body.title, &body.summary, body.slug.as_deref()).await?;
    let location = format!("/api/admin/tools/{}", tool.tool.id);
    let body = CreateToolResponse { tool: tool.into(), draft: draft.into() };
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(body)))
}

/// A tool with its versions, for its maintainers and admins.
#[utoipa::path(
    get, path = "/api/admin/tools/{id}", tag = "authoring", operation_id = "get_admin_tool", params(("id" = Uuid, Path, description = "Tool id")),
    responses((status = 200, body = AdminToolResponse), NotFound, Common)
)]
pub async fn get_tool(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<AdminToolResponse>> {
    Ok(Json(tools::get(&state, &user, id).await?.into()))
}

/// Edit a tool's metadata and taxonomy (archiving is for admins).
#[utoipa::path(
    patch, path = "/api/admin/tools/{id}", tag = "authoring", operation_id = "update_admin_tool", params(("id" = Uuid, Path, description = "Tool id")),
    request_body = UpdateToolRequest,
    responses(
        (status = 200, body = AdminToolResponse),
        NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Slug taken or locked"),
        Unprocessable,
        Common,
    )
)]
pub async fn update_tool(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ValidatedJson(body): ValidatedJson<UpdateToolRequest>,
) -> ApiResult<Json<AdminToolResponse>> {
    let patch = ToolPatch {
        slug: body.slug,
        title: body.title,
        summary: body.summary,
        archived: body.archived,
        category_ids: body.category_ids,
        profession_ids: body.profession_ids,
    };
    Ok(Json(tools::update(&state, &user, id, patch).await?.into()))
}

/// The tool's maintainers.
#[utoipa::path(
    get, path = "/api/admin/tools/{id}/maintainers", tag = "authoring", params(("id" = Uuid, Path, description = "Tool id")),
    responses((status = 200, body = Vec<MaintainerResponse>), NotFound, Common)
)]
pub async fn list_maintainers(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<MaintainerResponse>>> {
    Ok(Json(tools::maintainers(&state, &user, id).await?.into_iter().map(Into::into).collect()))
}

/// Add a maintainer by email (a contributor or above).
#[utoipa::path(
    post, path = "/api/admin/tools/{id}/maintainers", tag = "authoring", params(("id" = Uuid, Path, description = "Tool id")),
    request_body = AddMaintainerRequest,
    responses(
        (status = 200, body = Vec<MaintainerResponse>),
        NotFound,
        Unprocessable,
        Common,
    )
)]
pub async fn add_maintainer(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ValidatedJson(body): ValidatedJson<AddMaintainerRequest>,
) -> ApiResult<Json<Vec<MaintainerResponse>>> {
    Ok(Json(tools::add_maintainer(&state, &user, id, &body.email).await?.into_iter().map(Into::into).collect()))
}

/// Remove a maintainer (never the last one).
#[utoipa::path(
    delete, path = "/api/admin/tools/{id}/maintainers/{user_id}", tag = "authoring",
    params(("id" = Uuid, Path, description = "Tool id"), ("user_id" = Uuid, Path, description = "Maintainer's user id")),
    responses(
        (status = 204, description = "Removed"),
        NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The last maintainer"),
        Common,
    )
)]
pub async fn remove_maintainer(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, user_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    tools::remove_maintainer(&state, &user, id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new draft: from the active version (default), from scratch, or from a given version.
#[utoipa::path(
    post, path = "/api/admin/tools/{id}/versions", tag = "authoring", params(("id" = Uuid, Path, description = "Tool id")),
    request_body = NewVersionRequest,
    responses(
        (status = 201, body = VersionResponse, description = "Created; `Location` names the version"),
        NotFound,
        Unprocessable,
        Common,
    )
)]
pub async fn create_version(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ValidatedJson(body): ValidatedJson<NewVersionRequest>,
) -> ApiResult<impl IntoResponse> {
    let origin = match (body.from.as_deref(), body.version_id) {
        (None | Some("active"), None) => DraftOrigin::Active,
        (Some("scratch"), None) => DraftOrigin::Scratch,
        (None | Some("version"), Some(v)) => DraftOrigin::Version(v),
        _ => return Err(ApiError::field("from", "use active, scratch, or version with version_id")),
    };
    let version = versions::create_draft(&state, &user, id, origin).await?;
    let location = format!("/api/admin/tool-versions/{}", version.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(VersionResponse::from(version))))
}

/// Every state change of the tool's versions, newest first.
#[utoipa::path(
    get, path = "/api/admin/tools/{id}/events", tag = "authoring", params(("id" = Uuid, Path, description = "Tool id")),
    responses((status = 200, body = Vec<VersionEventResponse>), NotFound, Common)
)]
pub async fn list_events(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<VersionEventResponse>>> {
    Ok(Json(tools::events(&state, &user, id).await?.into_iter().map(Into::into).collect()))
}

/// The tools I maintain, with their versions' states.
#[utoipa::path(
    get, path = "/api/my-tools", tag = "authoring",
    responses((status = 200, body = Vec<AdminToolResponse>), Common)
)]
pub async fn my_tools(user: CurrentUser, State(state): State<AppState>) -> ApiResult<Json<Vec<AdminToolResponse>>> {
    Ok(Json(tools::mine(&state, &user).await?.into_iter().map(Into::into).collect()))
}
