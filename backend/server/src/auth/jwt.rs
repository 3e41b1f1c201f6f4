//! Session tokens: HS256 JWTs with a pinned algorithm, `exp`, and a CSRF value bound to the
//! token so a cookie-authenticated write must prove it can read the token's companion value.

use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::path::Path;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub sub: Uuid,
    pub iat: i64,
    pub exp: i64,
    /// Random per sign-in; cookie-authenticated writes must echo it in `X-CSRF-Token`.
    pub csrf: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TokenError {
    #[error("the session has expired")]
    Expired,
    #[error("the token is not valid")]
    Invalid,
}

/// Signing keys. The secret is never printed.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl JwtKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    /// Uses `configured`, or the secret kept in `data_dir/jwt-secret`, generating it once.
    pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(secret) = configured.filter(|s| !s.is_empty()) {
            anyhow::ensure!(secret.len() >= 32, "SKRIPTOTEKET_JWT_SECRET must be at least 32 characters");
            return Ok(Self::from_secret(secret.as_bytes()));
        }
        let path = data_dir.join("jwt-secret");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            // An empty or short file (a write cut short, a hand edit) would make tokens forgeable.
            anyhow::ensure!(
                existing.trim().len() >= 32,
                "{} holds fewer than 32 characters; delete it to generate a new secret (everyone signs in again)",
                path.display()
            );
            return Ok(Self::from_secret(existing.trim().as_bytes()));
        }
        std::fs::create_dir_all(data_dir)?;
        let secret = crate::auth::random_token(48);
        write_private(&path, &secret)?;
        tracing::info!(path = %path.display(), "generated a new JWT secret");
        Ok(Self::from_secret(secret.as_bytes()))
    }

    pub fn issue(&self, user: Uuid, now: DateTime<Utc>, ttl: std::time::Duration) -> (String, Claims) {
        let claims = Claims {
            sub: user,
            iat: now.timestamp(),
            exp: now.timestamp() + ttl.as_secs() as i64,
            csrf: crate::auth::random_token(24),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 encoding of plain claims cannot fail");
        (token, claims)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map(|data| data.claims).map_err(|e| match e
            .kind()
        {
            ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid,
        })
    }
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn keys() -> JwtKeys {
        JwtKeys::from_secret(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn issued_tokens_verify() {
        let (token, claims) = keys().issue(Uuid::new_v4(), Utc::now(), Duration::from_secs(60));
        assert_eq!(keys().verify(&token).unwrap(), claims);
    }

    #[test]
    fn expired_tokens_are_refused_as_expired() {
        let past = Utc::now() - chrono::Duration::hours(2);
        let (token, _) = keys().issue(Uuid::new_v4(), past, Duration::from_secs(60));
        assert_eq!(keys().verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn a_kept_secret_is_reused_and_a_short_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let first = JwtKeys::load_or_create(None, dir.path()).unwrap();
        let (token, _) = first.issue(Uuid::new_v4(), Utc::now(), Duration::from_secs(60));
        assert!(JwtKeys::load_or_create(None, dir.path()).unwrap().verify(&token).is_ok());
        std::fs::write(dir.path().join("jwt-secret"), "\n").unwrap();
        assert!(JwtKeys::load_or_create(None, dir.path()).is_err(), "an empty secret would sign anything");
        assert!(JwtKeys::load_or_create(Some("too-short"), dir.path()).is_err());
    }

    #[test]
    fn tokens_signed_with_another_key_or_alg_none_are_invalid() {
        let (token, _) = JwtKeys::from_secret(b"another-secret-another-secret-xx").issue(
            Uuid::new_v4(),
            Utc::now(),
            Duration::from_secs(60),
        );
        assert_eq!(keys().verify(&token), Err(TokenError::Invalid));
        let payload = token.split('.').nth(1).unwrap();
        let unsigned = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert_eq!(keys().verify(&unsigned), Err(TokenError::Invalid));
    }
}
