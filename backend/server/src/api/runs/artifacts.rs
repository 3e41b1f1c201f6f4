//! `GET /api/runs/{id}/artifacts/{artifact_id}`: a streamed download with safe headers.
//! Whatever a tool wrote is served as an attachment that the browser never renders or sniffs.

use crate::api::problems::{Common, NotFound};
use crate::api::runs::json::content_type_of;
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::services::runs::{self, ArtifactFile};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tokio_util::io::ReaderStream;
use uuid::Uuid;

/// The types a download is labelled with when its name suggests one: documents, data and
/// pictures a browser never runs. Anything else (HTML, SVG, scripts, XML, unknown) is plain
/// bytes: an allow-list, so a type nobody thought of cannot slip through.
const SAFE_TYPES: [&str; 22] = [
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/rtf",
    "application/zip",
    "application/json",
    "text/csv",
    "text/plain",
    "text/markdown",
    "text/tab-separated-values",
    "text/calendar",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
];

/// The bytes of a downloaded file.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(pub Vec<u8>);

/// Download one artifact of a run.
#[utoipa::path(
    get, path = "/api/runs/{id}/artifacts/{artifact_id}", tag = "runs",
    params(("id" = Uuid, Path, description = "Run id"), ("artifact_id" = Uuid, Path, description = "Artifact id")),
    responses(
        (status = 200, content_type = "*/*", body = FileBytes,
         description = "The file, as an attachment, with the type its name suggests (`application/octet-stream` for types a browser would render or run)"),
        NotFound,
        Common,
    )
)]
pub async fn download_artifact(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, artifact_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    let ArtifactFile { artifact, reader } = runs::artifact(&state, &user, id, artifact_id).await?;
    let mut content_type = content_type_of(&artifact.name);
    if !SAFE_TYPES.contains(&content_type.as_str()) {
        content_type = "application/octet-stream".into();
    }
    let mut response = Body::from_stream(ReaderStream::new(reader)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(artifact.bytes));
    headers.insert(header::CONTENT_DISPOSITION, content_disposition(&artifact.name));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987).
pub fn content_disposition(name: &str) -> HeaderValue {
    let flat = name.replace('/', "_");
    let ascii: String =
        flat.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ()".contains(c) { c } else { '_' }).collect();
    let encoded: String = flat
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or(HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_safely() {
        let value = content_disposition("rapport/Betyg \"7B\"\r\n.xlsx");
        let text = value.to_str().unwrap();
        assert!(text.starts_with("attachment; filename=\"rapport_Betyg _7B___.xlsx\""), "{text}");
        assert!(text.contains("filename*=UTF-8''rapport_Betyg%20%227B%22%0D%0A.xlsx"), "{text}");
        assert!(content_disposition("överblick.pdf").to_str().unwrap().contains("%C3%B6verblick.pdf"));
    }

    #[test]
    fn every_allowed_type_is_what_its_extension_names() {
        for name in ["a.pdf", "a.docx", "a.xlsx", "a.csv", "a.txt", "a.png", "a.json", "a.zip", "a.odt"] {
            assert!(SAFE_TYPES.contains(&content_type_of(name).as_str()), "{name}: {}", content_type_of(name));
        }
        for name in ["a.html", "a.svg", "a.js", "a.xml", "a.xhtml", "a.wasm", "a.swf", "a.mht", "a.unknownext"] {
            assert!(!SAFE_TYPES.contains(&content_type_of(name).as_str()), "{name}: {}", content_type_of(name));
        }
    }
}
