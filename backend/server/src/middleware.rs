//! Turns every error response into a problem document carrying the request id, including
//! the plain-text rejections axum and tower-http produce (unknown route, wrong method,
//! body too large, timeout, malformed JSON). Headers such as `WWW-Authenticate`,
//! `Retry-After` and `Allow` are kept.

use crate::error::{PROBLEM_JSON, Problem};
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// Rejection texts longer than this are not echoed back.
const MAX_ECHOED_DETAIL: usize = 512;

/// Marks an error status whose body is the answer itself, not a problem (readiness: its
/// 503 lists the failing checks), so `problem_details` leaves it as it is.
#[derive(Debug, Clone, Copy)]
pub struct KeepBody;

pub async fn problem_details(request: Request, next: Next) -> Response {
    let request_id = request.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || response.extensions().get::<KeepBody>().is_some() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let mut problem = match parts.extensions.remove::<Problem>() {
        Some(problem) => problem,
        None => from_plain(status, body).await,
    };
    problem.request_id = request_id;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    let bytes = serde_json::to_vec(&problem).unwrap_or_default();
    Response::from_parts(parts, Body::from(bytes))
}

/// Builds a problem from a response that is not one yet.
async fn from_plain(status: StatusCode, body: Body) -> Problem {
    let text = match to_bytes(body, MAX_ECHOED_DETAIL * 4).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    let (code, fallback) = describe_status(status);
    let detail = if status.is_server_error() || text.is_empty() || text.len() > MAX_ECHOED_DETAIL {
        fallback.to_owned()
    } else {
        text
    };
    Problem::new(status, code, detail)
}

fn describe_status(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => ("bad_request", "The request could not be understood."),
        StatusCode::NOT_FOUND => ("not_found", "There is nothing at this address."),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "This address does not accept that method."),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "The request body is too large."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "The request body has the wrong content type.")
        }
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid_body", "The request body does not have the expected shape."),
        StatusCode::REQUEST_TIMEOUT => ("request_timeout", "The request took too long."),
        s if s.is_server_error() => ("internal_error", "Something went wrong on our side."),
        _ => ("error", "The request failed."),
    }
}
