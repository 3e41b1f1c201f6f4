//! The one error policy of the API: every failure becomes an RFC 9457 problem
//! (`application/problem+json`) with a stable snake_case `code` and the request id.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use skriptoteket_domain::StoreError;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`urn:skriptoteket:problem:<code>`).
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, e.g. `invalid_credentials`.
    pub code: String,
    /// The request's `x-request-id`, for support and logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Per-field messages for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// With 429 and 503: seconds to wait before trying again (also the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldError {
    /// The offending field, dotted for nested fields (`inputs.grade`).
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            type_: format!("urn:skriptoteket:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            request_id: None,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, Json(self.clone())).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        // The problem middleware reads this to add the request id without re-parsing the body.
        response.extensions_mut().insert(self);
        response
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    Unauthenticated { code: &'static str, detail: String },
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The user's kept files would go past their storage quota.
    #[error("{0}")]
    QuotaExceeded(String),
    /// `If-Match` named an old revision.
    #[error("{0}")]
    PreconditionFailed(String),
    /// A write that needs `If-Match` came without it.
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("{detail}")]
    Unavailable { code: &'static str, detail: String, retry_after_seconds: u64 },
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{detail}")]
    TooManyRequests { code: &'static str, detail: String, retry_after_seconds: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn unauthenticated(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Unauthenticated { code, detail: detail.into() }
    }

    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Forbidden { code, detail: detail.into() }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict { code, detail: detail.into() }
    }

    /// Domain field issues (schema checks, form validation) as one 422 with every field.
    pub fn from_issues(issues: Vec<skriptoteket_domain::contract::FieldIssue>) -> Self {
        Self::Validation(issues.into_iter().map(|i| FieldError { field: i.field, message: i.message }).collect())
    }

    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} was not found"))
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError { field: field.to_owned(), message: message.into() }])
    }

    fn into_problem(self) -> (Problem, Option<u64>) {
        let (status, code, detail, retry) = match self {
            Self::Unauthenticated { code, detail } => (StatusCode::UNAUTHORIZED, code, detail, None),
            Self::Forbidden { code, detail } => (StatusCode::FORBIDDEN, code, detail, None),
            Self::NotFound(detail) => (StatusCode::NOT_FOUND, "not_found", detail, None),
            Self::Conflict { code, detail } => (StatusCode::CONFLICT, code, detail, None),
            Self::BadRequest { code, detail } => (StatusCode::BAD_REQUEST, code, detail, None),
            Self::PayloadTooLarge(detail) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", detail, None),
            Self::QuotaExceeded(detail) => (StatusCode::PAYLOAD_TOO_LARGE, "storage_quota_exceeded", detail, None),
            Self::PreconditionFailed(detail) => (StatusCode::PRECONDITION_FAILED, "edit_conflict", detail, None),
            Self::PreconditionRequired(detail) => {
                (StatusCode::PRECONDITION_REQUIRED, "revision_required", detail, None)
            }
            Self::Unavailable { code, detail, retry_after_seconds } => {
                (StatusCode::SERVICE_UNAVAILABLE, code, detail, Some(retry_after_seconds))
            }
            Self::TooManyRequests { code, detail, retry_after_seconds } => {
                (StatusCode::TOO_MANY_REQUESTS, code, detail, Some(retry_after_seconds))
            }
            Self::Validation(errors) => {
                let mut p = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    "Some fields are not valid; see `errors`.",
                );
                p.errors = errors;
                return (p, None);
            }
            Self::Internal(e) => {
                // The cause is logged here, inside the request's span; the body stays generic.
                tracing::error!(error = ?e, "internal error");
                let detail =
                    "Something went wrong on our side. Try again, and quote the request id if it keeps happening.";
                (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", detail.to_owned(), None)
            }
        };
        let mut problem = Problem::new(status, code, detail);
        problem.retry_after = retry;
        (problem, retry)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let www_authenticate = matches!(self, Self::Unauthenticated { .. });
        let (problem, retry_after) = self.into_problem();
        let mut response = problem.into_response();
        let headers = response.headers_mut();
        if www_authenticate {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => Self::conflict("already_exists", format!("That {what} is already taken.")),
            StoreError::UnknownReference(what) => Self::field(what, format!("refers to an unknown {what}")),
            StoreError::Backend(msg) => Self::Internal(anyhow::anyhow!(msg)),
        }
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut fields = Vec::new();
        collect_field_errors("", &errors, &mut fields);
        fields.sort_by(|a, b| a.field.cmp(&b.field));
        Self::Validation(fields)
    }
}

fn collect_field_errors(prefix: &str, errors: &validator::ValidationErrors, out: &mut Vec<FieldError>) {
    use validator::ValidationErrorsKind as Kind;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            Kind::Field(list) => out.extend(list.iter().map(|e| FieldError {
                field: path.clone(),
                message: e.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| describe(e)),
            })),
            Kind::Struct(inner) => collect_field_errors(&path, inner, out),
            Kind::List(items) => {
                for (i, inner) in items {
                    collect_field_errors(&format!("{path}[{i}]"), inner, out);
                }
            }
        }
    }
}

/// A readable default for validator codes without a custom message.
fn describe(e: &validator::ValidationError) -> String {
    let param = |k: &str| e.params.get(k).map(|v| v.to_string());
    match e.code.as_ref() {
        "email" => "must be a valid email address".into(),
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max} characters"),
            (Some(min), None) => format!("must be at least {min} characters"),
            (None, Some(max)) => format!("must be at most {max} characters"),
            _ => "has the wrong length".into(),
        },
        "range" => "is out of range".into(),
        code => format!("is not valid ({code})"),
    }
}
