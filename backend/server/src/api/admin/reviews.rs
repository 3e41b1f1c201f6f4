//! `GET /api/admin/reviews`: the review queue — every version waiting for an admin.

use crate::api::admin::tools::json::VersionSummary;
use crate::api::problems::Common;
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::services::versions;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
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
    responses((status = 200, body = Vec<ReviewItem>), Common)
)]
pub async fn list_reviews(user: CurrentUser, State(state): State<AppState>) -> ApiResult<Json<Vec<ReviewItem>>> {
    let queue = versions::review_queue(&state, &user).await?;
    let items = queue
        .into_iter()
        .map(|(tool, version)| ReviewItem {
            tool_id: tool.id,
            tool_slug: tool.slug,
            tool_title: tool.title,
            version: (&version).into(),
        })
        .collect();
    Ok(Json(items))
}
