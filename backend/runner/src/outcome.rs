//! Turns what the container left behind into one `Execution`, whatever happened. Pure, so
//! every odd ending (timeout, OOM, missing or forged result.json) is unit-tested.

use crate::output_tar::OutputBundle;
use skriptoteket_domain::contract::{self, NoticeLevel, ToolStatus, UiOutput, UiPayload};
use skriptoteket_domain::execution::{ArtifactFile, Execution, ExecutionStatus};
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
    pub memory_limit_bytes: u64,
    pub duration: Duration,
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
    let (status, summary, mut ui) = judge(&c);
    if !c.bundle.problems.is_empty() {
        let message = format!("Skriptoteket: some output files were not kept. {}", c.bundle.problems.join(" "));
        ui.outputs.push(UiOutput::Notice { level: NoticeLevel::Warning, message: cap(message, 8 * 1024) });
    }
    Execution {
        status,
        error_summary: summary.map(|s| cap(s, MAX_ERROR_SUMMARY)),
        ui,
        stdout: c.stdout,
        stderr: c.stderr,
        artifacts,
        exit_code,
        duration: c.duration,
    }
}

fn judge(c: &Collected) -> (ExecutionStatus, Option<String>, UiPayload) {
    let failed = |msg: String| (ExecutionStatus::Failed, Some(msg), UiPayload::default());
    match &c.ending {
        Ending::TimedOut { after } => (
            ExecutionStatus::TimedOut,
            Some(format!("The tool did not finish within {} seconds and was stopped.", after.as_secs())),
            UiPayload::default(),
        ),
        Ending::Cancelled => (ExecutionStatus::Cancelled, Some("The run was cancelled.".into()), UiPayload::default()),
        Ending::EngineError(e) => failed(format!("The tool could not be started: {e}")),
        Ending::ProtocolError(e) => failed(format!("The tool's output could not be read: {e}")),
        Ending::Exited { oom_killed: true, .. } => failed(out_of_memory(c.memory_limit_bytes)),
        // SIGKILL of the wrapper (PID 1) that we did not send: the kernel's OOM killer.
        Ending::Exited { exit_code: Some(137), .. } if c.bundle.result_json.is_none() => {
            failed(out_of_memory(c.memory_limit_bytes))
        }
        Ending::Exited { .. } => from_result(c),
    }
}

fn out_of_memory(limit: u64) -> String {
    format!(
        "The tool used more memory than the {} MiB it may use and was stopped (out of memory).",
        limit / (1024 * 1024)
    )
}

fn from_result(c: &Collected) -> (ExecutionStatus, Option<String>, UiPayload) {
    if c.bundle.result_too_large {
        return (
            ExecutionStatus::Failed,
            Some("The tool's result.json is larger than allowed.".into()),
            UiPayload::default(),
        );
    }
    let Some(bytes) = &c.bundle.result_json else {
        return (
            ExecutionStatus::Failed,
            Some("The tool ended without a result (result.json is missing).".into()),
            UiPayload::default(),
        );
    };
    match contract::parse_result(bytes) {
        Ok(result) => {
            let status = match result.status {
                ToolStatus::Succeeded => ExecutionStatus::Succeeded,
                // Only the host decides that a run timed out; a tool claiming it has failed.
                ToolStatus::Failed | ToolStatus::TimedOut => ExecutionStatus::Failed,
            };
            let summary = match status {
                ExecutionStatus::Succeeded => None,
                _ => Some(result.error_summary.unwrap_or_else(|| "The tool reported a failure.".into())),
            };
            (status, summary, result.ui)
        }
        Err(e) => (ExecutionStatus::Failed, Some(e.to_string()), UiPayload::default()),
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
