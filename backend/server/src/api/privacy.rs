//! A person's data: `GET /api/me/export`, `DELETE /api/me/runs`, and for admins
//! `GET /api/admin/users/{id}/export`, `DELETE /api/admin/users/{id}/runs`,
//! `DELETE /api/admin/users/{id}` and `GET /api/admin/privacy-events`.

use crate::api::pagination::{PageQuery, PageResponse};
use crate::api::problems::{Common, Conflict, NotFound};
use crate::api::zip_download;
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::extract::Query;
use crate::services::privacy::{self, ErasedUser, Subject};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use skriptoteket_domain::privacy::{ErasedHistory, PrivacyAction, PrivacyEvent};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// What erasing a run history removed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasedResponse {
    pub runs: u64,
    pub artifacts: u64,
    /// Bytes of uploads and result files removed.
    pub bytes: u64,
    pub settings: u64,
    pub favorites: u64,
    pub batches: u64,
}

impl From<ErasedHistory> for ErasedResponse {
    fn from(e: ErasedHistory) -> Self {
        Self {
            runs: e.runs.len() as u64,
            artifacts: e.artifacts,
            bytes: e.bytes,
            settings: e.settings,
            favorites: e.favorites,
            batches: e.batches,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErasedUserResponse {
    pub erased: ErasedResponse,
    /// Tools the person maintained; each has another maintainer now.
    pub tools_handed_over: u64,
    /// Of those, tools where the acting admin became the maintainer.
    pub tools_to_admin: u64,
}

impl From<ErasedUser> for ErasedUserResponse {
    fn from(e: ErasedUser) -> Self {
        Self { erased: e.history.into(), tools_handed_over: e.tools.tools, tools_to_admin: e.tools.to_admin }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PrivacyEventResponse {
    pub id: Uuid,
    #[schema(value_type = String, example = "erase_runs")]
    pub action: PrivacyAction,
    pub actor_id: Option<Uuid>,
    pub subject_id: Uuid,
    /// Counts only, never content (`{"runs": 12, "bytes": 3400}`).
    #[schema(value_type = Object)]
    pub summary: Value,
    pub created_at: DateTime<Utc>,
}

impl From<PrivacyEvent> for PrivacyEventResponse {
    fn from(e: PrivacyEvent) -> Self {
        Self {
            id: e.id,
            action: e.action,
            actor_id: e.actor_id,
            subject_id: e.subject_id,
            summary: e.summary,
            created_at: e.created_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Only the events about this person.
    pub subject_id: Option<Uuid>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

fn export_answer(
    state: &AppState,
    person: &skriptoteket_domain::User,
    entries: Vec<crate::archive::Entry>,
) -> Response {
    let date = Utc::now().format("%Y-%m-%d");
    let who = person.email.split('@').next().unwrap_or("mina-data");
    zip_download(state.runs.blobs(), &format!("skriptoteket-{who}-{date}.zip"), entries)
}

/// Everything Skriptoteket holds about me, as a zip streamed as it is written: my profile,
/// settings, favourites, runs (inputs, results, error codes) and the uploads and result files
/// still kept.
#[utoipa::path(
    get, path = "/api/me/export", tag = "auth",
    responses(
        (status = 200, content_type = "application/zip", body = crate::api::runs::artifacts::FileBytes, description = "The zip, as an attachment"),
        Common,
    )
)]
pub async fn export_mine(user: CurrentUser, State(state): State<AppState>) -> ApiResult<Response> {
    let (person, entries) = privacy::export(&state, &user, Subject::Me).await?;
    Ok(export_answer(&state, &person, entries))
}

/// Erase my run history: runs (those still going are cancelled), uploads, result files,
/// batches, settings and favourites. My account stays.
#[utoipa::path(
    delete, path = "/api/me/runs", tag = "auth",
    responses((status = 200, body = ErasedResponse), Common)
)]
pub async fn erase_my_runs(user: CurrentUser, State(state): State<AppState>) -> ApiResult<Json<ErasedResponse>> {
    Ok(Json(privacy::erase_runs(&state, &user, Subject::Me).await?.into()))
}

/// Everything Skriptoteket holds about a person (admins), as `GET /api/me/export`.
#[utoipa::path(
    get, path = "/api/admin/users/{id}/export", tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, content_type = "application/zip", body = crate::api::runs::artifacts::FileBytes, description = "The zip, as an attachment"),
        NotFound,
        Common,
    )
)]
pub async fn export_user(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let (person, entries) = privacy::export(&state, &user, Subject::User(id)).await?;
    Ok(export_answer(&state, &person, entries))
}

/// Erase a person's run history (admins), as `DELETE /api/me/runs`.
#[utoipa::path(
    delete, path = "/api/admin/users/{id}/runs", tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    responses((status = 200, body = ErasedResponse), NotFound, Common)
)]
pub async fn erase_user_runs(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ErasedResponse>> {
    Ok(Json(privacy::erase_runs(&state, &user, Subject::User(id)).await?.into()))
}

/// Erase a person (admins): their run history and account details (a disabled placeholder
/// stays so tool histories keep their author), and their place as a maintainer — each tool
/// goes on with its other maintainers, or with me when nobody else is left.
#[utoipa::path(
    delete, path = "/api/admin/users/{id}", tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, body = ErasedUserResponse),
        NotFound,
        Conflict,
        Common,
    )
)]
pub async fn erase_user(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ErasedUserResponse>> {
    Ok(Json(privacy::erase_user(&state, &user, id).await?.into()))
}

/// The audit of exports and erasures (admins), newest first: who, whom, what and how much.
#[utoipa::path(
    get, path = "/api/admin/privacy-events", tag = "admin",
    params(EventParams),
    responses((status = 200, body = PageResponse<PrivacyEventResponse>), Common)
)]
pub async fn list_privacy_events(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(p): Query<EventParams>,
) -> ApiResult<Json<PageResponse<PrivacyEventResponse>>> {
    let page = PageQuery { limit: p.limit, offset: p.offset };
    let events = privacy::events(&state, &user, p.subject_id, page.into()).await?;
    Ok(Json(PageResponse::from_page(events, PrivacyEventResponse::from)))
}
