//! Request and response bodies of the auth endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use skriptoteket_domain::{Role, User};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 320))]
    #[schema(min_length = 1, max_length = 320)]
    pub email: String,
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
}

/// Change your own name or password; a new password needs the current one.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    #[validate(length(min = 1, max = 100))]
    pub display_name: Option<String>,
    pub current_password: Option<String>,
    #[validate(length(min = 8, max = 1024))]
    pub new_password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// JWT for `Authorization: Bearer`; the same token is also set as an HttpOnly cookie.
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_at: DateTime<Utc>,
    /// Send as `X-CSRF-Token` on writes authenticated by the cookie.
    pub csrf_token: String,
    pub user: UserResponse,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserResponse,
    /// Present when signed in by cookie: the value writes must send as `X-CSRF-Token`.
    pub csrf_token: Option<String>,
    pub expires_at: DateTime<Utc>,
    /// Bytes of my uploaded files and run results still kept (what counts against the quota).
    pub storage_used_bytes: u64,
    /// My storage quota in bytes; `null` when unlimited. A run whose uploads would go past it is
    /// refused with 413 `storage_quota_exceeded`.
    pub storage_quota_bytes: Option<u64>,
}

/// A user as the API shows it (never the password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    /// Set while the account is locked after too many failed sign-ins.
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserResponse {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            disabled: u.disabled,
            locked_until: u.locked_until,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}
