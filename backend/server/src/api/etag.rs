//! Conditional GETs for pages that change rarely (the catalog, a tool page): an `ETag` over the
//! JSON body, and `304 Not Modified` without a body when `If-None-Match` names it.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::hash::{DefaultHasher, Hash, Hasher};

pub fn json_with_etag<T: Serialize>(request: &HeaderMap, body: &T) -> Response {
    let bytes = match serde_json::to_vec(body) {
        Ok(bytes) => bytes,
        Err(e) => return crate::error::ApiError::Internal(e.into()).into_response(),
    };
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    let tag = format!("\"{:016x}\"", hasher.finish());
    let matches = request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().trim_start_matches("W/") == tag || t.trim() == "*");
    let etag = HeaderValue::from_str(&tag).expect("hex in quotes");
    // Private: the page depends on who asks (can_edit); revalidated every time, answered with
    // 304 while it is unchanged.
    let cache = HeaderValue::from_static("private, no-cache");
    if matches {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag), (header::CACHE_CONTROL, cache)]).into_response();
    }
    let json = HeaderValue::from_static("application/json");
    ([(header::ETAG, etag), (header::CACHE_CONTROL, cache), (header::CONTENT_TYPE, json)], Body::from(bytes))
        .into_response()
}
