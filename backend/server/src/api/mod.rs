//! The HTTP API: the router, its OpenAPI document and the layers around it.

pub mod admin;
pub mod auth;
pub mod health;
pub mod pagination;
pub mod problems;

use crate::error::ApiError;
use crate::middleware::{REQUEST_ID_HEADER, problem_details};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

/// JSON bodies larger than this are refused; multipart upload routes set their own limit.
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Skriptoteket API", description = "Run teachers' Python tools safely. Errors are RFC 9457 problems."),
    modifiers(&SecuritySchemes),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "admin", description = "Administration"),
        (name = "system", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::cookies::SESSION_COOKIE,
                "Set by /api/auth/login. Writes also need the X-CSRF-Token header.",
            ))),
        );
    }
}

/// The API routes and the OpenAPI document they produce.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(health::ready))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(admin::users::list_users, admin::users::create_user))
        .routes(routes!(admin::users::get_user, admin::users::update_user))
        .split_for_parts()
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().1
}

/// The whole application: API, docs, fallbacks and layers.
pub fn app(state: AppState, request_timeout: Duration, spa: Option<Router>) -> Router {
    let (api, doc) = routes();
    let api = api
        .fallback(|| async { ApiError::NotFound("There is no such API endpoint.".into()) })
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT));
    let router = Router::new()
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .merge(api)
        .with_state(state);
    let router = match spa {
        Some(spa) => router.fallback_service(spa),
        None => router,
    };
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    router
        .layer(axum::middleware::from_fn(problem_details))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, request_timeout))
        .layer(CatchPanicLayer::new())
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
