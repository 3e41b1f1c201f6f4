//! `GET/POST /api/admin/users`, `GET/PATCH /api/admin/users/{id}`.

pub mod json;

use crate::api::auth::json::UserResponse;
use crate::api::pagination::{PageQuery, PageResponse};
use crate::api::problems::{Common, NotFound, Unprocessable};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, Problem};
use crate::extract::{Query, ValidatedJson};
use crate::services::users::{self, ChangeUser, CreateUser};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use json::{CreateUserRequest, UpdateUserRequest};
use uuid::Uuid;

/// List accounts, a page at a time.
#[utoipa::path(
    get,
    path = "/api/admin/users",
    tag = "admin",
    params(PageQuery),
    responses((status = 200, body = PageResponse<UserResponse>), Common)
)]
pub async fn list_users(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(page): Query<PageQuery>,
) -> ApiResult<Json<PageResponse<UserResponse>>> {
    let page = users::list(&state, &user, page.into()).await?;
    Ok(Json(PageResponse::from_page(page, UserResponse::from)))
}

/// Create an account (admins create users and contributors; superusers any role).
#[utoipa::path(
    post,
    path = "/api/admin/users",
    tag = "admin",
    request_body = CreateUserRequest,
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
    let new =
        CreateUser { email: body.email, display_name: body.display_name, role: body.role, password: body.password };
    let created = users::create(&state, &user, new).await?;
    let location = format!("/api/admin/users/{}", created.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(UserResponse::from(created))))
}

/// One account.
#[utoipa::path(
    get,
    path = "/api/admin/users/{id}",
    tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, body = UserResponse),
        NotFound,
        Common,
    )
)]
pub async fn get_user(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<UserResponse>> {
    Ok(Json(users::get(&state, &user, id).await?.into()))
}

/// Change an account's name, role, password or disabled flag.
#[utoipa::path(
    patch,
    path = "/api/admin/users/{id}",
    tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, body = UserResponse),
        NotFound,
        (status = 409, body = Problem, content_type = "application/problem+json", description = "You cannot demote or disable yourself"),
        Unprocessable,
        Common,
    )
)]
pub async fn update_user(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ValidatedJson(body): ValidatedJson<UpdateUserRequest>,
) -> ApiResult<Json<UserResponse>> {
    let change = ChangeUser {
        display_name: body.display_name,
        role: body.role,
        disabled: body.disabled,
        password: body.password,
    };
    Ok(Json(users::change(&state, &user, id, change).await?.into()))
}
