//! Request extractors that reject with problems instead of axum's plain text.

use crate::error::{ApiError, FieldError};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use validator::Validate;

/// JSON body that is deserialised (unknown fields rejected by the type) and validated.
pub struct ValidatedJson<T>(pub T);

impl<S, T> FromRequest<S> for ValidatedJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Validate,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await.map_err(json_rejection)?;
        value.validate()?;
        Ok(Self(value))
    }
}

/// An optional JSON body: empty means `None`; otherwise it is parsed and validated.
pub struct OptionalJson<T>(pub Option<T>);

impl<S, T> FromRequest<S> for OptionalJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Validate,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let has_body = req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|len| len != "0");
        let has_type = req.headers().contains_key(axum::http::header::CONTENT_TYPE);
        if !has_body || !has_type {
            return Ok(Self(None));
        }
        let ValidatedJson(value) = ValidatedJson::<T>::from_request(req, state).await?;
        Ok(Self(Some(value)))
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => ApiError::Validation(vec![FieldError {
            field: "body".into(),
            message: e
                .body_text()
                .trim_start_matches("Failed to deserialize the JSON body into the target type: ")
                .to_owned(),
        }]),
        JsonRejection::MissingJsonContentType(_) => ApiError::BadRequest {
            code: "unsupported_media_type",
            detail: "Send the body as JSON with `Content-Type: application/json`.".into(),
        },
        other if other.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(format!(
            "The request body is larger than {} KiB.",
            crate::api::JSON_BODY_LIMIT / 1024
        )),
        other => ApiError::BadRequest { code: "invalid_json", detail: other.body_text() },
    }
}

/// Query string parameters with problem rejections.
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) = axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(|e: QueryRejection| ApiError::field("query", e.body_text()))?;
        Ok(Self(value))
    }
}

/// The client's IP address when the server knows it (absent in in-process tests).
pub struct ClientIp(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let connect = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
        Ok(Self(connect.map(|info| info.0.ip())))
    }
}

/// The request's `x-request-id` (set by the request-id layer), for run records and labels.
pub struct RequestId(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let id = parts.headers.get(crate::middleware::REQUEST_ID_HEADER).and_then(|v| v.to_str().ok());
        Ok(Self(id.map(|s| s.chars().take(64).collect())))
    }
}
