//! Request extractors that reject with problems instead of axum's plain text.

use crate::error::{ApiError, FieldError};
use crate::state::AppState;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use std::net::IpAddr;
use validator::Validate;

/// JSON bodies larger than this are refused; multipart upload routes set their own limit.
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

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
        other if other.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge(format!("The request body is larger than {} KiB.", JSON_BODY_LIMIT / 1024))
        }
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

/// The client's IP address when the server knows it (absent in in-process tests): the peer,
/// or behind a trusted reverse proxy the address it forwarded (`SKRIPTOTEKET_TRUSTED_PROXIES`).
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip());
        let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        Ok(Self(peer.map(|peer| client_address(peer, forwarded, &state.sessions.trusted_proxies))))
    }
}

/// `peer` itself unless it is a trusted proxy; then the right-most forwarded address that is
/// not one (entries further left were written by the client and prove nothing).
fn client_address<'a>(peer: IpAddr, forwarded: impl Iterator<Item = &'a str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded.flat_map(|v| v.split(',')).map(str::trim).collect();
    for hop in hops.into_iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip,
            Err(_) => break,
        }
    }
    peer
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

#[cfg(test)]
mod tests {
    use super::client_address;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy = [ip("10.0.0.1")];
        let client = |peer: &str, forwarded: &[&str]| client_address(ip(peer), forwarded.iter().copied(), &proxy);
        assert_eq!(client("10.0.0.1", &["203.0.113.7"]), ip("203.0.113.7"));
        assert_eq!(client("10.0.0.1", &["198.51.100.1, 203.0.113.7"]), ip("203.0.113.7"), "the proxy appends");
        assert_eq!(client("10.0.0.1", &["203.0.113.7", "10.0.0.1"]), ip("203.0.113.7"), "trusted hops are skipped");
        assert_eq!(client("10.0.0.1", &[]), ip("10.0.0.1"));
        assert_eq!(client("10.0.0.1", &["not-an-ip"]), ip("10.0.0.1"));
        assert_eq!(client("192.0.2.9", &["203.0.113.7"]), ip("192.0.2.9"), "anyone else cannot choose an address");
    }
}

/// `Prefer: wait=N`: answer with the finished run if it ends within N seconds (at most 60).
#[derive(Debug, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct WaitPreference {
    /// `wait=N` to wait up to N seconds for the run to finish.
    #[param(rename = "Prefer", value_type = Option<String>)]
    pub wait: Option<u64>,
}

impl WaitPreference {
    pub fn duration(&self) -> Option<std::time::Duration> {
        self.wait.map(std::time::Duration::from_secs)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for WaitPreference {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let wait = parts
            .headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split([',', ';']))
            .filter_map(|p| p.trim().strip_prefix("wait="))
            .find_map(|n| n.trim().parse().ok());
        Ok(Self { wait })
    }
}
