//! `GET /api/admin/reviews`: the review queue — every version waiting for an admin.

use crate::api::admin::tools::json::VersionSummary;
use crate::api::problems::Common;
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use skriptoteket_domain::Role;
use skriptoteket_domain::tool::VersionState;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewItem {
    pub tool_id: Uuid,
    pub tool_slug: String,
    pub tool_title: String,
    pub version: VersionSummary,
}

/// Versions in review, oldest first (admins).
#[utoipa::path(
    get, path = "/api/admin/reviews", tag = "authoring",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<ReviewItem>), Common)
)]
pub async fn list_reviews(user: CurrentUser, State(state): State<AppState>) -> ApiResult<Json<Vec<ReviewItem>>> {
    user.require(Role::Admin)?;
    let mut items = Vec::new();
    for version in state.store.versions_in_state(VersionState::InReview).await? {
        if let Some(tool) = state.store.tool_by_id(version.tool_id).await? {
            items.push(ReviewItem {
                tool_id: tool.id,
                tool_slug: tool.slug,
                tool_title: tool.title,
                version: (&version).into(),
            });
        }
    }
    Ok(Json(items))
}
