//! Authentication: passwords, session tokens, the `CurrentUser` extractor, CSRF and
//! sign-in throttling.

pub mod cookies;
pub mod current_user;
pub mod jwt;
pub mod password;
pub mod rate_limit;

pub use current_user::CurrentUser;

/// A URL-safe random token of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}
