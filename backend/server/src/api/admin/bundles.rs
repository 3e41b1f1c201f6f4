//! `GET /api/admin/tools/{id}/export` and `POST /api/admin/tools/import`: tool bundles.

use crate::api::admin::tools::json::{AdminToolResponse, VersionResponse};
use crate::api::problems::{Common, NotFound, Unprocessable};
use crate::api::runs::artifacts::content_disposition;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, Problem};
use crate::extract::{Query, ValidatedJson};
use crate::services::bundles;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use skriptoteket_domain::bundle::ToolBundle;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// Which version; default the active one, else the newest.
    pub version_id: Option<Uuid>,
}

/// A tool bundle to import: the document `GET /api/admin/tools/{id}/export` gives. Its
/// `input_schema` may also be the original platform's list of fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct ImportRequest(pub ToolBundle);

impl validator::Validate for ImportRequest {
    /// The bundle is checked field by field by the import itself, with paths in the problem.
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Publish the imported version at once (needs a category and a profession).
    pub publish: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    pub tool: AdminToolResponse,
    /// The imported version: a draft, or active when published.
    pub version: VersionResponse,
}

/// Export a version of the tool as a bundle (one JSON document, as a download).
#[utoipa::path(
    get, path = "/api/admin/tools/{id}/export", tag = "authoring",
    params(("id" = Uuid, Path, description = "Tool id"), ExportParams),
    responses((status = 200, body = ToolBundle, description = "The bundle, as an attachment"), NotFound, Common)
)]
pub async fn export_tool(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(p): Query<ExportParams>,
) -> ApiResult<impl IntoResponse> {
    let bundle = bundles::export(&state, &user, id, p.version_id).await?;
    let disposition = content_disposition(&format!("{}.skriptoteket.json", bundle.slug));
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(bundle)))
}

/// Import a bundle as a new tool you maintain, with a draft or, with `publish=true`, published (admins).
#[utoipa::path(
    post, path = "/api/admin/tools/import", tag = "authoring", params(ImportParams), request_body = ImportRequest,
    responses(
        (status = 201, body = ImportResponse, description = "Imported; `Location` names the tool"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The slug is taken"),
        Unprocessable,
        Common,
    )
)]
pub async fn import_tool(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(p): Query<ImportParams>,
    ValidatedJson(ImportRequest(bundle)): ValidatedJson<ImportRequest>,
) -> ApiResult<impl IntoResponse> {
    let imported = bundles::import(&state, &user, bundle, p.publish.unwrap_or(false)).await?;
    let location = format!("/api/admin/tools/{}", imported.tool.tool.id);
    let body = ImportResponse { tool: imported.tool.into(), version: imported.version.into() };
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(body)))
}
