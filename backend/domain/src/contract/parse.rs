//! Reading an untrusted `result.json`: the envelope (size, JSON, version, status) decides
//! whether there is a result at all; everything inside it is normalised, never refused.

use super::limits::*;
use super::normalize::normalize_with;
use super::notices::{Cut, Cuts};
use super::read::{Obj, object, req_str};
use super::text::{code, describe, human_bytes, shown, truncate};
use super::types::{DeclaredArtifact, SkippedFiles, ToolResult, ToolStatus};
use crate::run_error::{ErrorCode, FileCap};
use serde_json::Value;
use std::collections::BTreeSet;

/// Why a `result.json` gives no result. Messages are safe to show to the teacher who ran the
/// tool, and precise enough for its author.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContractError {
    /// For the runner: the tool finished without writing `result.json`.
    #[error("The tool finished without writing a result (result.json is missing).")]
    Missing,
    #[error("The tool's result.json is empty.")]
    Empty,
    #[error("The tool's result.json is too large ({}); it may be at most {}.", human_bytes(*.bytes), human_bytes(MAX_RESULT_FILE_BYTES))]
    TooLarge { bytes: usize },
    #[error("The tool's result.json is not valid JSON: {reason} (line {line}, column {column}).")]
    NotJson { reason: String, line: usize, column: usize },
    #[error("The tool's result.json nests too deeply to be read (line {line}, column {column}).")]
    TooDeep { line: usize, column: usize },
    #[error("The tool's result.json must be a JSON object, not {found}.")]
    NotObject { found: &'static str },
    #[error("The tool's result.json has no contract_version; Skriptoteket expects version {CONTRACT_VERSION}.")]
    MissingVersion,
    #[error("The tool's result.json has contract_version {found}; Skriptoteket expects version {CONTRACT_VERSION}.")]
    WrongVersion { found: String },
    #[error("The tool's result.json has no status (expected succeeded, failed or timed_out).")]
    MissingStatus,
    #[error("The tool's result.json has the unknown status {found} (expected succeeded, failed or timed_out).")]
    BadStatus { found: String },
}

impl ContractError {
    /// A stable snake_case code for logs, metrics and problem details.
    pub fn code(&self) -> &'static str {
        match self {
            ContractError::Missing => "result_missing",
            ContractError::Empty => "result_empty",
            ContractError::TooLarge { .. } => "result_too_large",
            ContractError::NotJson { .. } => "result_not_json",
            ContractError::TooDeep { .. } => "result_too_deep",
            ContractError::NotObject { .. } => "result_not_object",
            ContractError::MissingVersion | ContractError::WrongVersion { .. } => "result_wrong_version",
            ContractError::MissingStatus | ContractError::BadStatus { .. } => "result_bad_status",
        }
    }

    fn from_json(err: &serde_json::Error) -> Self {
        let (line, column) = (err.line(), err.column());
        let text = err.to_string();
        // serde_json has no error category for its recursion limit; its message is the only
        // way to tell "too deep" from a syntax error.
        if text.starts_with("recursion limit exceeded") {
            return ContractError::TooDeep { line, column };
        }
        let suffix = format!(" at line {line} column {column}");
        let reason = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
        ContractError::NotJson { reason, line, column }
    }
}

/// Parses and normalises an untrusted `result.json`. Only a broken envelope is an error
/// (it means the run failed); unknown or malformed outputs and actions are dropped with a
/// system notice, and every budget of SPEC §5 is applied.
pub fn parse_result(bytes: &[u8]) -> Result<ToolResult, ContractError> {
    if bytes.len() > MAX_RESULT_FILE_BYTES {
        return Err(ContractError::TooLarge { bytes: bytes.len() });
    }
    // A BOM is what some editors and Windows tools put first; it is harmless, so accept it.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ContractError::Empty);
    }
    // serde_json's recursion limit (128) stays on: it is what keeps a deeply nested document
    // from overflowing the stack.
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| ContractError::from_json(&e))?;
    let obj = doc.as_object().ok_or(ContractError::NotObject { found: describe(&doc) })?;
    check_version(obj)?;
    let status = parse_status(obj)?;
    let mut cuts = Cuts::default();
    let error_summary = parse_error_summary(obj.get("error_summary"), &mut cuts);
    let artifacts = parse_artifacts(obj.get("artifacts"), &mut cuts);
    let ui = normalize_with(obj, cuts);
    let error_code = parse_error_code(obj.get("error_code"));
    let skipped_files = parse_skipped_files(obj.get("skipped_files"));
    Ok(ToolResult { status, error_summary, ui, artifacts, error_code, skipped_files })
}

/// The codes the wrapper may report; anything else (a host-only code such as `timed_out`, a
/// typo, a number) is ignored, and the host falls back to `tool_crashed` for a failure.
const WRAPPER_CODES: [ErrorCode; 6] = [
    ErrorCode::ToolError,
    ErrorCode::ToolCrashed,
    ErrorCode::InvalidResult,
    ErrorCode::OutOfMemory,
    ErrorCode::InputTooLarge,
    ErrorCode::InternalError,
];

fn parse_error_code(raw: Option<&Value>) -> Option<ErrorCode> {
    let code = raw?.as_str()?.parse::<ErrorCode>().ok()?;
    WRAPPER_CODES.contains(&code).then_some(code)
}

/// `{"count": N, "reasons": ["file_size", …]}`; anything malformed is ignored.
fn parse_skipped_files(raw: Option<&Value>) -> Option<SkippedFiles> {
    let obj = raw?.as_object()?;
    let count = obj.get("count")?.as_u64()?;
    let mut reasons: Vec<FileCap> = obj
        .get("reasons")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|r| serde_json::from_value(r.clone()).ok()).collect())
        .unwrap_or_default();
    reasons.sort();
    reasons.dedup();
    (count > 0).then_some(SkippedFiles { count, reasons })
}

fn check_version(obj: &Obj) -> Result<(), ContractError> {
    match obj.get("contract_version") {
        None | Some(Value::Null) => Err(ContractError::MissingVersion),
        Some(v) if v.as_u64() == Some(CONTRACT_VERSION) => Ok(()),
        Some(other) => Err(ContractError::WrongVersion { found: shown(other) }),
    }
}

fn parse_status(obj: &Obj) -> Result<ToolStatus, ContractError> {
    match obj.get("status") {
        None | Some(Value::Null) => Err(ContractError::MissingStatus),
        Some(Value::String(s)) if s == "succeeded" => Ok(ToolStatus::Succeeded),
        Some(Value::String(s)) if s == "failed" => Ok(ToolStatus::Failed),
        Some(Value::String(s)) if s == "timed_out" => Ok(ToolStatus::TimedOut),
        Some(other) => Err(ContractError::BadStatus { found: shown(other) }),
    }
}

/// Blank means none; anything but text is ignored (and noted) rather than guessed at.
fn parse_error_summary(raw: Option<&Value>, cuts: &mut Cuts) -> Option<String> {
    match raw {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(match truncate(s, MAX_ERROR_SUMMARY_BYTES) {
            Some(short) => {
                let why = format!("the error summary was shortened to {}", human_bytes(MAX_ERROR_SUMMARY_BYTES));
                cuts.add(Cut::ErrorSummary, why);
                short
            }
            None => s.clone(),
        }),
        Some(other) => {
            let why = format!("the error summary was ignored: it must be text, not {}", describe(other));
            cuts.add(Cut::ErrorSummary, why);
            None
        }
    }
}

/// The tool's own list of what it wrote. The runner decides what is really kept; here we only
/// make sure nothing odd (absolute paths, `..`, huge lists) is stored or shown.
fn parse_artifacts(raw: Option<&Value>, cuts: &mut Cuts) -> Vec<DeclaredArtifact> {
    let items = match raw {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            cuts.add(Cut::Artifacts, format!("`artifacts` must be a list, not {}", describe(other)));
            return Vec::new();
        }
    };
    let mut artifacts = Vec::new();
    let mut paths = BTreeSet::new();
    for (index, item) in items.iter().enumerate() {
        if artifacts.len() == MAX_DECLARED_ARTIFACTS {
            // Same detail every time, so it is counted, not repeated.
            cuts.add(Cut::Artifacts, format!("only the first {MAX_DECLARED_ARTIFACTS} are kept"));
            continue;
        }
        match declared_artifact(item) {
            Ok(a) if paths.insert(a.path.clone()) => artifacts.push(a),
            Ok(a) => cuts.add(Cut::Artifacts, format!("{} is listed twice", code(&a.path))),
            Err(why) => cuts.add(Cut::Artifacts, format!("artifacts[{index}] {why}")),
        }
    }
    artifacts
}

fn declared_artifact(raw: &Value) -> Result<DeclaredArtifact, String> {
    let obj = object(raw)?;
    let path = req_str(obj, "path")?;
    if !is_safe_relative_path(path) {
        return Err(format!("has the unsafe path {}", code(path)));
    }
    let bytes = obj.get("bytes").and_then(Value::as_u64).ok_or("needs `bytes`, a whole number ≥ 0")?;
    Ok(DeclaredArtifact { path: path.to_owned(), bytes })
}

/// Relative, `/`-separated, no `.`/`..`/empty segments, no control characters or backslashes.
fn is_safe_relative_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= MAX_ARTIFACT_PATH_BYTES
        && !path.chars().any(|c| c.is_control() || c == '\\')
        && path.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}
