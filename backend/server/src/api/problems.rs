//! OpenAPI response sets for problems, so each path lists its error statuses in one word.

use crate::error::Problem;
use utoipa::IntoResponses;

#[derive(IntoResponses)]
pub enum Common {
    /// Not signed in, or the session expired.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(#[to_schema] Problem),
    /// Signed in, but the role is too low, the account disabled or the CSRF header missing.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// A client error (bad JSON, wrong content type, …).
    #[response(status = "4XX", content_type = "application/problem+json")]
    ClientError(Problem),
    /// A server error; the body is generic and the request id identifies the log entry.
    #[response(status = "5XX", content_type = "application/problem+json")]
    ServerError(Problem),
}
