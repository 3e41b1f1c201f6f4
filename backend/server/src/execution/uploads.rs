//! Reads a run's multipart form (SPEC §4: repeated `files` + an `inputs` JSON object, and for
//! sandbox runs the editor's unsaved content), streaming each file to disk within the upload
//! caps of SPEC §6, under names we sanitise.

use crate::error::{ApiError, ApiResult, FieldError};
use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError};
use skriptoteket_domain::batch::{MAX_BATCH_ITEMS, MAX_BATCH_UPLOAD_BYTES};
use skriptoteket_domain::run::RunFile;
use skriptoteket_domain::schema::{MAX_FILE_BYTES, MAX_FILES_PER_RUN, MAX_RUN_UPLOAD_BYTES};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

/// The request body limit of run upload routes: the run cap plus room for the form itself.
pub const UPLOAD_BODY_LIMIT: usize = MAX_RUN_UPLOAD_BYTES as usize + 2 * 1024 * 1024;
/// The request body limit of class mode: the batch cap plus room for the form.
pub const BATCH_BODY_LIMIT: usize = MAX_BATCH_UPLOAD_BYTES as usize + 2 * 1024 * 1024;

/// How many files and bytes one form may carry, and what to call it in a refusal.
#[derive(Clone, Copy)]
struct Caps {
    files: u32,
    total: u64,
    what: &'static str,
}

const RUN_CAPS: Caps = Caps { files: MAX_FILES_PER_RUN, total: MAX_RUN_UPLOAD_BYTES, what: "run" };
const BATCH_CAPS: Caps = Caps { files: MAX_BATCH_ITEMS, total: MAX_BATCH_UPLOAD_BYTES, what: "batch" };
const MAX_TEXT_FIELD: usize = 512 * 1024;

#[derive(Debug, Default)]
pub struct RunForm {
    pub files: Vec<RunFile>,
    pub inputs: Option<serde_json::Value>,
    pub reuse_files_from: Option<Uuid>,
    /// Sandbox only: the editor's unsaved content.
    pub source: Option<String>,
    pub entrypoint: Option<String>,
    pub input_schema: Option<serde_json::Value>,
    pub settings_schema: Option<serde_json::Value>,
}

/// Where one run's uploads are kept: `uploads_root/<run_id>/`.
pub fn run_dir(uploads_root: &Path, run: Uuid) -> PathBuf {
    uploads_root.join(run.to_string())
}

/// Removes a run's upload folder when dropped, unless the run was queued (`keep`): so an
/// upload refused for any reason, or abandoned half-way by the client or a timeout, leaves
/// nothing on disk.
#[must_use = "the uploads are removed when the guard is dropped"]
pub struct UploadsGuard {
    dir: PathBuf,
    keep: bool,
}

impl UploadsGuard {
    pub fn new(uploads_root: &Path, run: Uuid) -> Self {
        Self { dir: run_dir(uploads_root, run), keep: false }
    }

    /// The run was queued: its files stay for the worker and for follow-up runs.
    pub fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for UploadsGuard {
    fn drop(&mut self) {
        if self.keep || !self.dir.exists() {
            return;
        }
        let dir = std::mem::take(&mut self.dir);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn_blocking(move || std::fs::remove_dir_all(dir));
            }
            Err(_) => {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

/// Reads the form into `uploads_root/<run>/`; the caller holds an `UploadsGuard` for it.
pub async fn read_run_form(multipart: Multipart, uploads_root: &Path, run: Uuid, sandbox: bool) -> ApiResult<RunForm> {
    read_fields(multipart, &run_dir(uploads_root, run), run, sandbox).await
}

/// Class mode's form: each file becomes the one file of its own run (`files_from` is that run),
/// stored in that run's folder, plus the `inputs` all items share.
#[derive(Default)]
pub struct BatchForm {
    /// Each item's run id and file, in upload order; the run ids are time-ordered.
    pub items: Vec<(Uuid, RunFile)>,
    pub inputs: Option<serde_json::Value>,
    /// Remove the items' folders unless kept.
    pub guards: Vec<UploadsGuard>,
}

pub async fn read_batch_form(mut multipart: Multipart, uploads_root: &Path) -> ApiResult<BatchForm> {
    let mut form = BatchForm::default();
    let mut total = 0u64;
    let mut names = HashSet::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| multipart_error(e, BATCH_CAPS))? {
        match field.name().unwrap_or_default() {
            "files" | "files[]" => {
                let run = Uuid::now_v7();
                form.guards.push(UploadsGuard::new(uploads_root, run));
                let file =
                    save_file(field, &run_dir(uploads_root, run), run, 0, BATCH_CAPS, &mut total, &mut names).await?;
                form.items.push((run, file));
            }
            "inputs" => form.inputs = Some(json_field(field, "inputs").await?),
            other => return Err(ApiError::field(other, "is not a field of this form")),
        }
    }
    Ok(form)
}

async fn read_fields(mut multipart: Multipart, dir: &Path, run: Uuid, sandbox: bool) -> ApiResult<RunForm> {
    let mut form = RunForm::default();
    let mut total = 0u64;
    let mut names = HashSet::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| multipart_error(e, RUN_CAPS))? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "files" | "files[]" => {
                let n = form.files.len();
                form.files.push(save_file(field, dir, run, n, RUN_CAPS, &mut total, &mut names).await?);
            }
            "inputs" => form.inputs = Some(json_field(field, "inputs").await?),
            "reuse_files_from" => {
                let text = text_field(field, "reuse_files_from").await?;
                let id = Uuid::parse_str(text.trim())
                    .map_err(|_| ApiError::field("reuse_files_from", "must be a run id"))?;
                form.reuse_files_from = Some(id);
            }
            "source" if sandbox => form.source = Some(text_field(field, "source").await?),
            "entrypoint" if sandbox => form.entrypoint = Some(text_field(field, "entrypoint").await?),
            "input_schema" if sandbox => form.input_schema = Some(json_field(field, "input_schema").await?),
            "settings_schema" if sandbox => form.settings_schema = Some(json_field(field, "settings_schema").await?),
            other => return Err(ApiError::field(other, "is not a field of this form")),
        }
    }
    Ok(form)
}

/// Saves the `n`th file of a form into `dir` (the folder of `run`) under a safe, unique name,
/// within the caps.
async fn save_file(
    field: Field<'_>,
    dir: &Path,
    run: Uuid,
    n: usize,
    caps: Caps,
    total: &mut u64,
    names: &mut HashSet<String>,
) -> ApiResult<RunFile> {
    if names.len() as u32 >= caps.files {
        return Err(ApiError::PayloadTooLarge(format!("A {} takes at most {} files.", caps.what, caps.files)));
    }
    let file_name = unique_name(sanitize_file_name(field.file_name().unwrap_or("fil")), names);
    tokio::fs::create_dir_all(dir).await.map_err(|e| ApiError::Internal(e.into()))?;
    let stored = format!("{n:03}");
    let bytes = save_field(field, &dir.join(&stored), &file_name, caps, total).await?;
    Ok(RunFile { name: file_name, bytes, stored_as: format!("{run}/{stored}") })
}

async fn save_field(mut field: Field<'_>, path: &Path, name: &str, caps: Caps, total: &mut u64) -> ApiResult<u64> {
    let mut file = tokio::fs::File::create(path).await.map_err(|e| ApiError::Internal(e.into()))?;
    let mut bytes = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(e, caps))? {
        bytes += chunk.len() as u64;
        *total += chunk.len() as u64;
        if bytes > MAX_FILE_BYTES {
            return Err(ApiError::PayloadTooLarge(format!(
                "The file “{name}” is larger than {} MB, the most a file may be.",
                MAX_FILE_BYTES / 1_000_000
            )));
        }
        if *total > caps.total {
            return Err(ApiError::PayloadTooLarge(format!(
                "The files together are larger than {} MB, the most one {} may take.",
                caps.total / 1_000_000,
                caps.what
            )));
        }
        file.write_all(&chunk).await.map_err(|e| ApiError::Internal(e.into()))?;
    }
    file.flush().await.map_err(|e| ApiError::Internal(e.into()))?;
    Ok(bytes)
}

async fn text_field(field: Field<'_>, name: &str) -> ApiResult<String> {
    let mut field = field;
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(e, RUN_CAPS))? {
        buf.extend_from_slice(&chunk);
        if buf.len() > MAX_TEXT_FIELD {
            return Err(ApiError::PayloadTooLarge(format!(
                "The field `{name}` is larger than {} KiB.",
                MAX_TEXT_FIELD / 1024
            )));
        }
    }
    String::from_utf8(buf).map_err(|_| ApiError::field(name, "must be UTF-8 text"))
}

async fn json_field(field: Field<'_>, name: &str) -> ApiResult<serde_json::Value> {
    let text = text_field(field, name).await?;
    serde_json::from_str(&text).map_err(|e| {
        ApiError::Validation(vec![FieldError { field: name.into(), message: format!("is not valid JSON: {e}") }])
    })
}

fn multipart_error(e: MultipartError, caps: Caps) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(format!(
            "The upload is larger than {} MB, the most one {} may take.",
            caps.total / 1_000_000,
            caps.what
        ))
    } else {
        ApiError::BadRequest {
            code: "invalid_multipart",
            detail: format!("The form could not be read: {}", e.body_text()),
        }
    }
}

/// Longest kept upload name, in characters and in bytes (file systems allow 255 bytes).
const MAX_NAME_CHARS: usize = 120;
const MAX_NAME_BYTES: usize = 240;

/// A file name that is safe inside `input/`: the last path segment, no control, separator or
/// invisible characters (bidi overrides would disguise the extension), at most 120
/// characters and 240 bytes with the extension kept, never empty or dot-only.
pub fn sanitize_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| {
            let unsafe_char = c.is_control() || skriptoteket_domain::names::is_deceptive(c);
            if unsafe_char || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') { '_' } else { c }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let name = shorten(trimmed);
    if name.is_empty() { "fil".into() } else { name }
}

/// Cuts the stem, not the extension (the input schema's `accept` list checks it).
fn shorten(name: &str) -> String {
    let fits = |s: &str| s.chars().count() <= MAX_NAME_CHARS && s.len() <= MAX_NAME_BYTES;
    if fits(name) {
        return name.to_owned();
    }
    let ext = match name.rfind('.') {
        Some(i) if i > 0 && name.len() - i <= 16 => &name[i..],
        _ => "",
    };
    let mut stem: String = String::new();
    for c in name[..name.len() - ext.len()].chars() {
        if !fits(&format!("{stem}{c}{ext}")) {
            break;
        }
        stem.push(c);
    }
    stem.trim_end().to_owned() + ext
}

/// Makes `name` unique among the names already used in this run: "a.csv" → "a (2).csv".
fn unique_name(name: String, used: &mut HashSet<String>) -> String {
    if used.insert(name.clone()) {
        return name;
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name.as_str(), ""),
    };
    let mut n = 2;
    loop {
        let candidate = format!("{stem} ({n}){ext}");
        if used.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stripped_of_paths_and_dangerous_characters() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("C:\\Users\\ada\\betyg 7B.xlsx"), "betyg 7B.xlsx");
        assert_eq!(sanitize_file_name("..."), "fil");
        assert_eq!(sanitize_file_name(".bashrc"), "bashrc");
        assert_eq!(sanitize_file_name("a\u{0}b\nc.csv"), "a_b_c.csv");
        assert_eq!(sanitize_file_name(&"x".repeat(300)).len(), 120);
    }

    #[test]
    fn long_names_keep_their_extension_and_fit_a_file_system() {
        let long = sanitize_file_name(&format!("{}.csv", "ö".repeat(200)));
        assert!(long.ends_with(".csv") && long.len() <= 240 && long.chars().count() <= 120, "{long}");
        let emoji = sanitize_file_name(&format!("{}.xlsx", "📊".repeat(100)));
        assert!(emoji.ends_with(".xlsx") && emoji.len() <= 240, "{} bytes", emoji.len());
        assert!(skriptoteket_runner::input_tar::is_safe_file_name(&emoji));
    }

    #[test]
    fn invisible_characters_cannot_disguise_an_extension() {
        assert_eq!(sanitize_file_name("betyg\u{202E}fdp.exe"), "betyg_fdp.exe");
        assert_eq!(sanitize_file_name("a\u{200B}b.csv"), "a_b.csv");
    }

    #[test]
    fn duplicate_names_get_a_number() {
        let mut used = HashSet::new();
        assert_eq!(unique_name("a.csv".into(), &mut used), "a.csv");
        assert_eq!(unique_name("a.csv".into(), &mut used), "a (2).csv");
        assert_eq!(unique_name("a.csv".into(), &mut used), "a (3).csv");
        assert_eq!(unique_name("noext".into(), &mut used), "noext");
    }
}
