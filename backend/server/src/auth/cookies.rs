//! The session cookie: HttpOnly, SameSite=Strict, scoped to `/api`.

use crate::state::SessionConfig;
use axum::http::HeaderMap;
use axum::http::header::COOKIE;

pub const SESSION_COOKIE: &str = "skt_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn session_cookie(token: &str, config: &SessionConfig) -> String {
    let secure = if config.cookie_secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/api; Max-Age={}{secure}", config.ttl.as_secs())
}

pub fn clear_session_cookie(config: &SessionConfig) -> String {
    let secure = if config.cookie_secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/api; Max-Age=0{secure}")
}

/// The session cookie's value, if the request carries one.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, "theme=dark; skt_session=abc.def; x=1".parse().unwrap());
        assert_eq!(session_token(&headers), Some("abc.def"));
        headers.insert(COOKIE, "skt_session=".parse().unwrap());
        assert_eq!(session_token(&headers), None);
    }
}
