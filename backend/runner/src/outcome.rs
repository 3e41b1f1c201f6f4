//! Turns what the container left behind into one `Execution`, whatever happened. Pure, so
//! every odd ending (timeout, OOM, missing or forged result.json) is unit-tested.
//!
//! Besides the status and the English `error_summary`, it decides the run's error code
//! (`run_error`): the host's own for endings only it can see (timeout, cancel, OOM kill, engine
//! and protocol failures), the wrapper's for what happened inside (`tool_error` for a
//! `ToolUserError`, `tool_crashed`, …), and `output_cut` for a success that lost some output.

use crate::limits::RunLimits;
use crate::output_tar::OutputBundle;
use skriptoteket_domain::contract::{self, NoticeLevel, SYSTEM_NOTICE_PREFIX, ToolStatus, UiOutput, UiPayload};
use skriptoteket_domain::execution::{ArtifactFile, Execution, ExecutionStatus};
use skriptoteket_domain::run_error::{ErrorCode, OutputCaps, OutputCut, RunError};
use std::time::Duration;

/// Error summaries are capped (SPEC §3).
pub const MAX_ERROR_SUMMARY: usize = 20 * 1024;

/// How the run ended, as seen from the host.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    /// The container exited by itself.
    Exited {
        exit_code: Option<i64>,
        oom_killed: bool,
    },
    TimedOut {
        after: Duration,
    },
    Cancelled,
    /// The engine failed us (could not create, start or attach).
    EngineError(String),
    /// The wrapper's stream was corrupt.
    ProtocolError(String),
}

pub struct Collected {
    pub ending: Ending,
    pub bundle: OutputBundle,
    pub stdout: String,
    pub stderr: String,
    /// The limits the run was held to (for the parameters of its error code).
    pub limits: RunLimits,
    pub duration: Duration,
}

/// What `judge` decided.
struct Verdict {
    status: ExecutionStatus,
    summary: Option<String>,
    ui: UiPayload,
    error: Option<RunError>,
    /// The wrapper's count of output files it did not send back, and why.
    skipped: Option<contract::SkippedFiles>,
}

pub fn assemble(c: Collected) -> Execution {
    let artifacts: Vec<ArtifactFile> = c
        .bundle
        .artifacts
        .iter()
        .map(|a| ArtifactFile { name: a.name.clone(), stored_as: a.stored_as.clone(), bytes: a.bytes })
        .collect();
    let exit_code = match &c.ending {
        Ending::Exited { exit_code, .. } => *exit_code,
        _ => None,
    };
    let Verdict { status, summary, mut ui, mut error, skipped } = judge(&c);
    let shortened = ui.outputs.iter().any(is_system_notice);
    let mut stderr = c.stderr;
    if !c.bundle.problems.is_empty() {
        // The details are for the tool's authors (stderr); the teacher gets one Swedish line.
        stderr.push_str(&format!("\n[Skriptoteket] {}\n", c.bundle.problems.join(" ")));
    }
    if let Some(message) = host_notice(&c.bundle) {
        ui.outputs.push(UiOutput::Notice { level: NoticeLevel::Warning, message });
    }
    if error.is_none() && status == ExecutionStatus::Succeeded {
        let (wrapper_files, mut caps) = skipped.map(|s| (s.count, s.reasons)).unwrap_or_default();
        caps.extend(c.bundle.caps.iter().copied());
        let cut = OutputCut { files: wrapper_files + c.bundle.not_kept, caps, shortened };
        error = cut.into_error(output_caps(&c.limits));
    }
    Execution {
        status,
        error_summary: summary.map(|s| cap(s, MAX_ERROR_SUMMARY)),
        error,
        ui,
        stdout: c.stdout,
        stderr,
        artifacts,
        exit_code,
        duration: c.duration,
    }
}

fn is_system_notice(output: &UiOutput) -> bool {
    matches!(output, UiOutput::Notice { message, .. } if message.starts_with(SYSTEM_NOTICE_PREFIX))
}

fn output_caps(limits: &RunLimits) -> OutputCaps {
    OutputCaps {
        max_files: limits.max_artifacts as u64,
        max_file_bytes: limits.max_artifact_bytes,
        max_total_bytes: limits.max_artifacts_total_bytes,
    }
}

/// The host's own refusals (a second line of defence behind the wrapper), in Swedish.
fn host_notice(bundle: &OutputBundle) -> Option<String> {
    if bundle.caps.is_empty() {
        return None;
    }
    Some(match bundle.not_kept {
        0 => "Skriptoteket: en del av verktygets filer kunde inte tas emot och sparades inte.".to_owned(),
        1 => "Skriptoteket: en fil från verktyget sparades inte.".to_owned(),
        n => format!("Skriptoteket: {n} filer från verktyget sparades inte."),
    })
}

fn judge(c: &Collected) -> Verdict {
    let ended = |status, summary: String, error: RunError| Verdict {
        status,
        summary: Some(summary),
        ui: UiPayload::default(),
        error: Some(error),
        skipped: None,
    };
    let failed = |summary: String, error: RunError| ended(ExecutionStatus::Failed, summary, error);
    match &c.ending {
        Ending::TimedOut { after } => ended(
            ExecutionStatus::TimedOut,
            format!("The tool did not finish within {} seconds and was stopped.", after.as_secs()),
            RunError::timed_out(after.as_secs()),
        ),
        Ending::Cancelled => {
            ended(ExecutionStatus::Cancelled, "The run was cancelled.".into(), RunError::bare(ErrorCode::Cancelled))
        }
        Ending::EngineError(e) => {
            failed(format!("The tool could not be started: {e}"), RunError::bare(ErrorCode::EngineUnavailable))
        }
        Ending::ProtocolError(e) => {
            failed(format!("The tool's output could not be read: {e}"), RunError::bare(ErrorCode::InternalError))
        }
        Ending::Exited { oom_killed: true, .. } => out_of_memory(c),
        // SIGKILL of the wrapper (PID 1) that we did not send: the kernel's OOM killer.
        Ending::Exited { exit_code: Some(137), .. } if c.bundle.result_json.is_none() => out_of_memory(c),
        Ending::Exited { .. } => from_result(c),
    }
}

fn out_of_memory(c: &Collected) -> Verdict {
    let mib = c.limits.memory_bytes / (1024 * 1024);
    Verdict {
        status: ExecutionStatus::Failed,
        summary: Some(format!(
            "The tool used more memory than the {mib} MiB it may use and was stopped (out of memory)."
        )),
        ui: UiPayload::default(),
        error: Some(RunError::out_of_memory(c.limits.memory_bytes)),
        skipped: None,
    }
}

fn from_result(c: &Collected) -> Verdict {
    let invalid = |summary: &str| Verdict {
        status: ExecutionStatus::Failed,
        summary: Some(summary.to_owned()),
        ui: UiPayload::default(),
        error: Some(RunError::bare(ErrorCode::InvalidResult)),
        skipped: None,
    };
    if c.bundle.result_too_large {
        return invalid("The tool's result.json is larger than allowed.");
    }
    let Some(bytes) = &c.bundle.result_json else {
        return invalid("The tool ended without a result (result.json is missing).");
    };
    let result = match contract::parse_result(bytes) {
        Ok(result) => result,
        Err(e) => return invalid(&e.to_string()),
    };
    let status = match result.status {
        ToolStatus::Succeeded => ExecutionStatus::Succeeded,
        // Only the host decides that a run timed out; a tool claiming it has failed.
        ToolStatus::Failed | ToolStatus::TimedOut => ExecutionStatus::Failed,
    };
    let (summary, error) = match status {
        ExecutionStatus::Succeeded => (None, None),
        _ => {
            let summary = result.error_summary.unwrap_or_else(|| "The tool reported a failure.".into());
            let error = wrapper_error(result.error_code, &summary, &c.limits);
            (Some(summary), Some(error))
        }
    };
    Verdict { status, summary, ui: result.ui, error, skipped: result.skipped_files }
}

/// The wrapper's code with the host's parameters; a failure without one is a crash.
fn wrapper_error(code: Option<ErrorCode>, summary: &str, limits: &RunLimits) -> RunError {
    match code {
        Some(ErrorCode::ToolError) => RunError::tool_error(summary),
        Some(ErrorCode::OutOfMemory) => RunError::out_of_memory(limits.memory_bytes),
        Some(ErrorCode::InputTooLarge) => RunError::input_too_large(limits.work_bytes),
        Some(code) => RunError::bare(code),
        None => RunError::bare(ErrorCode::ToolCrashed),
    }
}

/// Cuts `s` to at most `max` bytes at a character boundary, marking the cut.
fn cap(mut s: String, max: usize) -> String {
    if s.len() <= max {
        return s;
    }
    let mut end = max.saturating_sub(3);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s.push('…');
    s
}

#[cfg(test)]
mod tests;
