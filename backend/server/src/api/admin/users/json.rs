//! Request bodies of user administration.

use serde::Deserialize;
use skriptoteket_domain::Role;
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[validate(email, length(max = 320))]
    #[schema(format = Email, max_length = 320)]
    pub email: String,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    pub role: Role,
    #[validate(length(min = 8, max = 1024))]
    #[schema(min_length = 8, max_length = 1024)]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    /// A new password (at least 8 characters).
    #[validate(length(min = 8, max = 1024))]
    #[schema(min_length = 8, max_length = 1024)]
    pub password: Option<String>,
}
