//! `GET/POST /api/admin/users`, `GET/PATCH /api/admin/users/{id}`.

pub mod json;

use crate::api::auth::json::UserResponse;
use crate::api::pagination::{PageQuery, PageResponse};
use crate::api::problems::Common;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Query, ValidatedJson};
use crate::services::users::{self, ChangeUser, CreateUser};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use json::{CreateUserRequest, UpdateUserRequest};
use skriptoteket_domain::Role;
use uuid::Uuid;

/// List accounts, a page at a time.
#[utoipa::path(
    get,
    path = "/api/admin/users",
    tag = "admin",
    params(PageQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = PageResponse<UserResponse>), Common)
)]
pub async fn list_users(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(page): Query<PageQuery>,
) -> ApiResult<Json<PageResponse<UserResponse>>> {
    user.require(Role::Admin)?;
    let page = state.store.list_users(page.into()).await?;
    Ok(Json(PageResponse::from_page(page, UserResponse::from)))
}

/// Create an account (admins create users and contributors; superusers any role).
#[utoipa::path(
    post,
    path = "/api/admin/users",
    tag = "admin",
    request_body = CreateUserRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, body = UserResponse, description = "Created; `Location` names it"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The email is taken"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields"),
        Common,
    )
)]
pub async fn create_user(
    user: CurrentUser,
    State(state): State<AppState>,
    ValidatedJson(body): ValidatedJson<CreateUserRequest>,
) -> ApiResult<impl IntoResponse> {
    user.require(Role::Admin)?;
    let new =
        CreateUser { email: body.email, display_name: body.display_name, role: body.role, password: body.password };
    let created = users::create(state.store.as_ref(), user.role(), new).await?;
    let location = format!("/api/admin/users/{}", created.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(UserResponse::from(created))))
}

/// One account.
#[utoipa::path(
    get,
    path = "/api/admin/users/{id}",
    tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, body = UserResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
pub async fn get_user(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<UserResponse>> {
    user.require(Role::Admin)?;
    let found = state.store.user_by_id(id).await?.ok_or_else(|| ApiError::not_found("The user"))?;
    Ok(Json(found.into()))
}

/// Change an account's name, role, password or disabled flag.
#[utoipa::path(
    patch,
    path = "/api/admin/users/{id}",
    tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    request_body = UpdateUserRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, body = UserResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "You cannot demote or disable yourself"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
pub async fn update_user(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ValidatedJson(body): ValidatedJson<UpdateUserRequest>,
) -> ApiResult<Json<UserResponse>> {
    user.require(Role::Admin)?;
    let change = ChangeUser {
        display_name: body.display_name,
        role: body.role,
        disabled: body.disabled,
        password: body.password,
    };
    Ok(Json(users::change(state.store.as_ref(), &user.user, id, change).await?.into()))
}
