//! The HTTP API: the router, its OpenAPI document and the layers around it.

pub mod admin;
pub mod auth;
pub mod batches;
pub mod etag;
pub mod health;
pub mod metrics;
pub mod pagination;
pub mod privacy;
pub mod problems;
pub mod run_reply;
pub mod runs;
pub mod tools;

use crate::error::ApiError;
use crate::extract::JSON_BODY_LIMIT;
use crate::middleware::{REQUEST_ID_HEADER, problem_details};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Skriptoteket API", description = "Run teachers' Python tools safely. Errors are RFC 9457 problems."),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("cookie" = [])),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "tools", description = "The catalog, tool pages and personal settings"),
        (name = "runs", description = "Running tools, following runs, downloading results"),
        (name = "authoring", description = "Creating, editing, reviewing and publishing tools"),
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
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
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
        .routes(routes!(auth::me, auth::update_me))
        .routes(routes!(admin::users::list_users, admin::users::create_user))
        .routes(routes!(admin::users::get_user, admin::users::update_user, privacy::erase_user))
        .routes(routes!(tools::list_tools))
        .routes(routes!(tools::get_tool))
        .routes(routes!(tools::mark_usage_seen))
        .routes(routes!(tools::get_settings, tools::put_settings))
        .routes(routes!(tools::add_favorite, tools::remove_favorite))
        .routes(routes!(tools::list_categories))
        .routes(routes!(tools::list_professions))
        .routes(routes!(runs::list_runs))
        .routes(routes!(runs::get_run))
        .routes(routes!(runs::cancel_run))
        .routes(routes!(runs::submit_action))
        .routes(routes!(runs::run_again))
        .routes(routes!(runs::events::run_events))
        .routes(routes!(runs::artifacts::download_artifact))
        .routes(routes!(batches::get_batch))
        .routes(routes!(batches::cancel_batch))
        .routes(routes!(batches::batch_artifacts))
        .routes(routes!(privacy::export_mine))
        .routes(routes!(privacy::erase_my_runs))
        .routes(routes!(privacy::export_user))
        .routes(routes!(privacy::erase_user_runs))
        .routes(routes!(privacy::list_privacy_events))
        .routes(routes!(admin::tools::my_tools))
        .routes(routes!(admin::reviews::list_reviews))
        .routes(routes!(admin::tools::create_tool))
        .routes(routes!(admin::bundles::import_tool))
        .routes(routes!(admin::bundles::export_tool))
        .routes(routes!(admin::tools::get_tool, admin::tools::update_tool))
        .routes(routes!(admin::tools::list_maintainers, admin::tools::add_maintainer))
        .routes(routes!(admin::tools::remove_maintainer))
        .routes(routes!(admin::tools::create_version))
        .routes(routes!(admin::tools::list_events))
        .routes(routes!(admin::versions::get_version, admin::versions::save_version))
        .routes(routes!(admin::versions::submit_review))
        .routes(routes!(admin::versions::publish))
        .routes(routes!(admin::versions::request_changes))
        .routes(routes!(admin::versions::rollback))
        .routes(routes!(admin::versions::get_sandbox_settings, admin::versions::put_sandbox_settings))
        .routes(routes!(metrics::metrics))
        .merge(upload_routes())
        .split_for_parts()
}

/// Multipart run routes take up to the run upload cap; everything else the JSON limit.
fn upload_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tools::run_tool))
        .routes(routes!(admin::versions::run_sandbox))
        .layer(DefaultBodyLimit::max(crate::execution::uploads::UPLOAD_BODY_LIMIT))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(batches::start_batch))
                .layer(DefaultBodyLimit::max(crate::execution::uploads::BATCH_BODY_LIMIT)),
        )
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().1
}

/// Unknown `/api` paths are problems; anything else is the SPA (history fallback) if built.
async fn fallback(spa: Option<Router>, request: axum::extract::Request) -> axum::response::Response {
    use axum::response::IntoResponse;
    use tower::ServiceExt;
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") || path == "/metrics" {
        return ApiError::NotFound("There is no such API endpoint.".into()).into_response();
    }
    match spa {
        Some(spa) => spa.oneshot(request).await.into_response(),
        None => ApiError::NotFound("There is nothing here; the web app is not built (make fe-build).".into())
            .into_response(),
    }
}

/// Headers every answer carries (a handler's own, e.g. a download's, win): no content
/// sniffing, no framing by other sites, no run URLs in the `Referer` of links out.
mod security_headers {
    use axum::http::{HeaderValue, header};
    use tower_http::set_header::SetResponseHeaderLayer;

    pub fn nosniff() -> SetResponseHeaderLayer<HeaderValue> {
        SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"))
    }

    pub fn frame_options() -> SetResponseHeaderLayer<HeaderValue> {
        SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"))
    }

    pub fn referrer_policy() -> SetResponseHeaderLayer<HeaderValue> {
        SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"))
    }
}

/// The whole application: API, docs, fallbacks and layers.
pub fn app(state: AppState, request_timeout: Duration, spa: Option<Router>) -> Router {
    let (api, doc) = routes();
    let api = api.layer(DefaultBodyLimit::max(JSON_BODY_LIMIT));
    let router = Router::new()
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .merge(api)
        .with_state(state)
        .fallback(move |request: axum::extract::Request| fallback(spa.clone(), request));
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    router
        .layer(axum::middleware::from_fn(problem_details))
        .layer(security_headers::nosniff())
        .layer(security_headers::frame_options())
        .layer(security_headers::referrer_policy())
        // Zips are compressed already, and a streamed one would be buffered by the encoder.
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/zip"))),
        )
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, request_timeout))
        .layer(CatchPanicLayer::new())
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// A streamed zip as an attachment, never compressed again on the way (see `app`).
pub fn zip_download(
    blobs: crate::blobs::Blobs,
    name: &str,
    entries: Vec<crate::archive::Entry>,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mut response = axum::body::Body::from_stream(crate::archive::stream(blobs, entries)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    headers.insert(header::CONTENT_DISPOSITION, runs::artifacts::content_disposition(name));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}
