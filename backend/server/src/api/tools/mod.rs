//! `GET /api/tools`, `GET /api/tools/{slug}`, `POST /api/tools/{slug}/run`,
//! `GET`/`PUT /api/tools/{slug}/settings`, and the taxonomy lists.

pub mod json;

use crate::api::pagination::PageResponse;
use crate::api::problems::Common;
use crate::api::runs::json::RunResponse;
use crate::api::runs::{RunAccepted, WaitPreference, accepted};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, Problem};
use crate::execution::uploads::{UploadsGuard, read_run_form};
use crate::extract::{Query, RequestId};
use crate::services::access::can_edit;
use crate::services::{runs, settings};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use json::{CatalogParams, PutSettingsRequest, SettingsResponse, TaxonResponse, ToolPageResponse, ToolSummary};
use skriptoteket_domain::PageRequest;
use skriptoteket_domain::run::SettingsScope;
use skriptoteket_domain::tool::CatalogQuery;
use uuid::Uuid;

/// The published catalog: search and filters, a page at a time.
#[utoipa::path(
    get, path = "/api/tools", tag = "tools", params(CatalogParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = PageResponse<ToolSummary>), Common)
)]
pub async fn list_tools(
    _user: CurrentUser,
    State(state): State<AppState>,
    Query(p): Query<CatalogParams>,
) -> ApiResult<Json<PageResponse<ToolSummary>>> {
    let query = CatalogQuery {
        q: p.q.filter(|q| !q.trim().is_empty()),
        category: p.category.filter(|s| !s.is_empty()),
        profession: p.profession.filter(|s| !s.is_empty()),
    };
    let page = state.store.catalog(&query, PageRequest::new(p.limit, p.offset)).await?;
    Ok(Json(PageResponse::from_page(page, |t| ToolSummary::from(&t))))
}

/// The tool page: metadata, input schema and settings schema of the active version.
#[utoipa::path(
    get, path = "/api/tools/{slug}", tag = "tools",
    params(("slug" = String, Path, description = "The tool's URL slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = ToolPageResponse), (status = 404, body = Problem, content_type = "application/problem+json"), Common)
)]
pub async fn get_tool(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> ApiResult<Json<ToolPageResponse>> {
    let (tool, version) = runs::published(&state, &slug).await?;
    Ok(Json(ToolPageResponse::new(&tool, &version, can_edit(&user, &tool))))
}

/// Run the active version (KÖR): multipart `files` (repeated) + `inputs` (a JSON object).
#[utoipa::path(
    post, path = "/api/tools/{slug}/run", tag = "runs",
    params(("slug" = String, Path, description = "The tool's URL slug"), WaitPreference),
    request_body(content = crate::api::runs::json::RunForm, content_type = "multipart/form-data"),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 202, body = RunResponse, description = "Queued; `Location` names the run"),
        (status = 200, body = RunResponse, description = "Finished within `Prefer: wait=N`"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json", description = "Too many or too large files"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Inputs or files do not fit the tool's input schema"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "The queue is full; see Retry-After"),
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
    let run_id = Uuid::now_v7();
    let uploads = UploadsGuard::new(&state.runs.uploads_root, run_id);
    let form = read_run_form(multipart, &state.runs.uploads_root, run_id, false).await?;
    let run = runs::start_production(&state, &user, &slug, run_id, form, request_id).await?;
    uploads.keep();
    accepted(&state, &user, run, wait).await
}

/// My settings for this tool.
#[utoipa::path(
    get, path = "/api/tools/{slug}/settings", tag = "tools",
    params(("slug" = String, Path, description = "The tool's URL slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = SettingsResponse), (status = 404, body = Problem, content_type = "application/problem+json"), Common)
)]
pub async fn get_settings(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> ApiResult<Json<SettingsResponse>> {
    let (tool, version) = runs::published(&state, &slug).await?;
    let schema = version.settings_schema;
    let view =
        settings::get(state.store.as_ref(), user.user.id, tool.id, schema.as_ref(), &SettingsScope::Production).await?;
    Ok(Json(SettingsResponse::new(view, schema)))
}

/// Save my settings for this tool (validated against its settings schema).
#[utoipa::path(
    put, path = "/api/tools/{slug}/settings", tag = "tools",
    params(("slug" = String, Path, description = "The tool's URL slug")),
    request_body = PutSettingsRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, body = SettingsResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The tool has no settings"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
pub async fn put_settings(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    crate::extract::ValidatedJson(body): crate::extract::ValidatedJson<PutSettingsRequest>,
) -> ApiResult<Json<SettingsResponse>> {
    let (tool, version) = runs::published(&state, &slug).await?;
    let schema = version.settings_schema;
    let view = settings::put(
        state.store.as_ref(),
        user.user.id,
        tool.id,
        schema.as_ref(),
        &SettingsScope::Production,
        &body.values,
    )
    .await?;
    Ok(Json(SettingsResponse::new(view, schema)))
}

/// All categories.
#[utoipa::path(get, path = "/api/categories", tag = "tools", security(("bearer" = []), ("cookie" = [])), responses((status = 200, body = Vec<TaxonResponse>), Common))]
pub async fn list_categories(_user: CurrentUser, State(state): State<AppState>) -> ApiResult<Json<Vec<TaxonResponse>>> {
    Ok(Json(state.store.categories().await?.iter().map(Into::into).collect()))
}

/// All professions.
#[utoipa::path(get, path = "/api/professions", tag = "tools", security(("bearer" = []), ("cookie" = [])), responses((status = 200, body = Vec<TaxonResponse>), Common))]
pub async fn list_professions(
    _user: CurrentUser,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<TaxonResponse>>> {
    Ok(Json(state.store.professions().await?.iter().map(Into::into).collect()))
}
