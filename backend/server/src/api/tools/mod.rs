//! `GET /api/tools`, `GET /api/tools/{slug}`, `POST /api/tools/{slug}/run`,
//! `GET`/`PUT /api/tools/{slug}/settings`, `PUT`/`DELETE /api/tools/{slug}/favorite`, and the
//! taxonomy lists.

pub mod json;

use crate::api::etag::{answer, json_with_etag, tagged_json};
use crate::api::pagination::PageResponse;
use crate::api::problems::{Busy, Common, NotFound, Unprocessable};
use crate::api::run_reply::RunAccepted;
use crate::api::runs::json::RunResponse;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, Problem};
use crate::extract::{Query, RequestId, ValidatedJson, WaitPreference};
use crate::services::catalog;
use crate::services::runs::{self, RunTarget};
use crate::services::settings::{self, SettingsTarget};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use json::{CatalogParams, PutSettingsRequest, SettingsResponse, TaxonResponse, ToolPageResponse, ToolSummary};
use skriptoteket_domain::PageRequest;
use skriptoteket_domain::tool::CatalogQuery;

/// The published catalog: search and filters, a page at a time, with my favourites and when I
/// last ran each tool; `only=favorites|recent` and `sort=favorites|recent` for the catalog's
/// "Favoriter" and "Senast använda".
#[utoipa::path(
    get, path = "/api/tools", tag = "tools", params(CatalogParams, ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer")),
    responses(
        (status = 200, body = PageResponse<ToolSummary>, description = "With an `ETag`"),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        Common,
    )
)]
pub async fn list_tools(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(p): Query<CatalogParams>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let query = CatalogQuery {
        q: p.q.filter(|q| !q.trim().is_empty()),
        category: p.category.filter(|s| !s.is_empty()),
        profession: p.profession.filter(|s| !s.is_empty()),
        viewer: None,
        only: p.only.unwrap_or_default().into(),
        sort: p.sort.unwrap_or_default().into(),
    };
    let cached = catalog::list(&state, &user, query, PageRequest::new(p.limit, p.offset)).await?;
    let (bytes, tag) = match cached.answer.get() {
        Some(made) => made.clone(),
        None => {
            let body = PageResponse::from_page(cached.page.clone(), ToolSummary::from);
            let made = tagged_json(&body).map_err(|e| crate::error::ApiError::Internal(e.into()))?;
            cached.answer.get_or_init(|| made).clone()
        }
    };
    Ok(answer(&headers, bytes, &tag))
}

/// The tool page: metadata, input schema and settings schema of the active version.
#[utoipa::path(
    get, path = "/api/tools/{slug}", tag = "tools",
    params(("slug" = String, Path, description = "The tool's URL slug"), ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer")),
    responses(
        (status = 200, body = ToolPageResponse, description = "With an `ETag`"),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        NotFound,
        Common,
    )
)]
pub async fn get_tool(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let page = catalog::tool_page(&state, &user, &slug).await?;
    Ok(json_with_etag(
        &headers,
        &ToolPageResponse::new(&page.tool, page.marks, &page.version, page.can_edit, page.usage_seen),
    ))
}

/// Remember that I have read the tool's usage instructions (the page shows them folded then).
#[utoipa::path(
    put, path = "/api/tools/{slug}/usage-instructions/seen", tag = "tools",
    params(("slug" = String, Path, description = "The tool's URL slug")),
    responses((status = 204, description = "Remembered until the instructions change"), NotFound, Common)
)]
pub async fn mark_usage_seen(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    catalog::mark_usage_seen(&state, &user, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Star a tool: it is listed among my favourites (idempotent).
#[utoipa::path(
    put, path = "/api/tools/{slug}/favorite", tag = "tools",
    params(("slug" = String, Path, description = "The tool's URL slug")),
    responses((status = 204, description = "The tool is one of my favourites"), NotFound, Common)
)]
pub async fn add_favorite(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    catalog::set_favorite(&state, &user, &slug, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unstar a tool (idempotent).
#[utoipa::path(
    delete, path = "/api/tools/{slug}/favorite", tag = "tools",
    params(("slug" = String, Path, description = "The tool's URL slug")),
    responses((status = 204, description = "The tool is not one of my favourites"), NotFound, Common)
)]
pub async fn remove_favorite(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    catalog::set_favorite(&state, &user, &slug, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Run the active version (KÖR): multipart `files` (repeated) + `inputs` (a JSON object).
#[utoipa::path(
    post, path = "/api/tools/{slug}/run", tag = "runs",
    params(("slug" = String, Path, description = "The tool's URL slug"), WaitPreference),
    request_body(content = crate::api::runs::json::RunForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, body = RunResponse, description = "Queued; `Location` names the run"),
        (status = 200, body = RunResponse, description = "Finished within `Prefer: wait=N`"),
        NotFound,
        (status = 413, body = Problem, content_type = "application/problem+json", description = "Too many or too large files (`payload_too_large`), or past my storage quota (`storage_quota_exceeded`)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Inputs or files do not fit the tool's input schema"),
        Busy,
        Common,
    )
)]
pub async fn run_tool(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RequestId(request_id): RequestId,
    wait: WaitPreference,
    multipart: Multipart,
) -> ApiResult<RunAccepted> {
    let target = RunTarget::Published(&slug);
    Ok(RunAccepted(runs::start(&state, &user, target, multipart, request_id, wait.duration()).await?))
}

/// My settings for this tool.
#[utoipa::path(
    get, path = "/api/tools/{slug}/settings", tag = "tools",
    params(("slug" = String, Path, description = "The tool's URL slug")),
    responses((status = 200, body = SettingsResponse), NotFound, Common)
)]
pub async fn get_settings(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> ApiResult<Json<SettingsResponse>> {
    let page = settings::get(&state, &user, SettingsTarget::Tool(&slug)).await?;
    Ok(Json(SettingsResponse::new(page.view, page.schema)))
}

/// Save my settings for this tool (validated against its settings schema).
#[utoipa::path(
    put, path = "/api/tools/{slug}/settings", tag = "tools",
    params(("slug" = String, Path, description = "The tool's URL slug")),
    request_body = PutSettingsRequest,
    responses(
        (status = 200, body = SettingsResponse),
        NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The tool has no settings"),
        Unprocessable,
        Common,
    )
)]
pub async fn put_settings(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ValidatedJson(body): ValidatedJson<PutSettingsRequest>,
) -> ApiResult<Json<SettingsResponse>> {
    let page = settings::put(&state, &user, SettingsTarget::Tool(&slug), &body.values).await?;
    Ok(Json(SettingsResponse::new(page.view, page.schema)))
}

/// All categories.
#[utoipa::path(get, path = "/api/categories", tag = "tools", responses((status = 200, body = Vec<TaxonResponse>), Common))]
pub async fn list_categories(user: CurrentUser, State(state): State<AppState>) -> ApiResult<Json<Vec<TaxonResponse>>> {
    Ok(Json(catalog::categories(&state, &user).await?.iter().map(Into::into).collect()))
}

/// All professions.
#[utoipa::path(get, path = "/api/professions", tag = "tools", responses((status = 200, body = Vec<TaxonResponse>), Common))]
pub async fn list_professions(user: CurrentUser, State(state): State<AppState>) -> ApiResult<Json<Vec<TaxonResponse>>> {
    Ok(Json(catalog::professions(&state, &user).await?.iter().map(Into::into).collect()))
}
