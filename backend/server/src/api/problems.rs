//! OpenAPI response sets for problems, so each path lists its error statuses in a word or two:
//! `Common` on every path; `NotFound`, `Conflict`, `Unprocessable`, `Busy` where they apply.
//! A path whose status needs its own explanation still lists it as a tuple with a description.

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

#[derive(IntoResponses)]
pub enum NotFound {
    /// There is no such object, or it is not yours to see.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
}

#[derive(IntoResponses)]
pub enum Conflict {
    /// The object is in a state that does not allow this (see `code`).
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
}

#[derive(IntoResponses)]
pub enum Unprocessable {
    /// Invalid fields; `errors` names each one.
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
}

#[derive(IntoResponses)]
pub enum Busy {
    /// Too many runs of yours are waiting or going; see `Retry-After`.
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
    /// The queue is full (`queue_full`), or the data volume is below its free-space floor
    /// (`storage_full`); see `Retry-After`.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}
