//! Conditional GETs for pages that change rarely (the catalog, a tool page): an `ETag` over the
//! JSON body, and `304 Not Modified` without a body when `If-None-Match` names it.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use std::hash::{DefaultHasher, Hash, Hasher};

pub fn json_with_etag<T: Serialize>(request: &HeaderMap, body: &T) -> Response {
    match tagged_json(body) {
        Ok((bytes, tag)) => answer(request, bytes, &tag),
        Err(e) => crate::error::ApiError::Internal(e.into()).into_response(),
    }
}

/// The JSON of `body` and its ETag, to answer with now or to keep for later answers.
pub fn tagged_json<T: Serialize>(body: &T) -> serde_json::Result<(Bytes, String)> {
    let bytes = serde_json::to_vec(body)?;
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    Ok((Bytes::from(bytes), format!("\"{:016x}\"", hasher.finish())))
}

/// `304` when `If-None-Match` names `tag`, else `bytes` with it.
pub fn answer(request: &HeaderMap, bytes: Bytes, tag: &str) -> Response {
    let matches = request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().trim_start_matches("W/") == tag || t.trim() == "*");
    let etag = HeaderValue::from_str(tag).expect("hex in quotes");
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
