//! Why a run did not simply succeed, as a stable machine-readable code with its parameters
//! (`{"error_code": "timed_out", "error_params": {"seconds": 120}}`). The SPA words each code in
//! Swedish for teachers; the English `error_summary` stays for integrators and authors.
//!
//! A finished run carries at most one code: the reason it failed, or — for a run that
//! succeeded — `output_cut` when some of its output was not kept. A run that succeeded in full
//! has none.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The run passed its time limit and was stopped (`seconds`).
    TimedOut,
    /// The tool used more memory than it may (`mib`).
    OutOfMemory,
    /// The tool refused the input with a message for the user (`message`, a `ToolUserError`).
    ToolError,
    /// The tool raised an unexpected error, has a syntax error or no entrypoint, or exited.
    ToolCrashed,
    /// The tool ended without a result the platform can read.
    InvalidResult,
    /// Some output was not kept (`files`, `cap`, `limit`/`mib`, `shortened`).
    OutputCut,
    /// The run's uploaded files are no longer kept (`file`); upload them again.
    FilesNotKept,
    /// The uploaded files did not fit the run's working space (`mib`).
    InputTooLarge,
    /// Someone cancelled the run.
    Cancelled,
    /// The container engine could not start the run.
    EngineUnavailable,
    /// The server stopped while the run was going.
    Interrupted,
    /// Something inside Skriptoteket went wrong.
    InternalError,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 12] = [
        Self::TimedOut,
        Self::OutOfMemory,
        Self::ToolError,
        Self::ToolCrashed,
        Self::InvalidResult,
        Self::OutputCut,
        Self::FilesNotKept,
        Self::InputTooLarge,
        Self::Cancelled,
        Self::EngineUnavailable,
        Self::Interrupted,
        Self::InternalError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TimedOut => "timed_out",
            Self::OutOfMemory => "out_of_memory",
            Self::ToolError => "tool_error",
            Self::ToolCrashed => "tool_crashed",
            Self::InvalidResult => "invalid_result",
            Self::OutputCut => "output_cut",
            Self::FilesNotKept => "files_not_kept",
            Self::InputTooLarge => "input_too_large",
            Self::Cancelled => "cancelled",
            Self::EngineUnavailable => "engine_unavailable",
            Self::Interrupted => "interrupted",
            Self::InternalError => "internal_error",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ErrorCode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| format!("unknown error code `{s}`"))
    }
}

/// Which limit kept output files back (`output_cut`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileCap {
    /// More files than a run may keep (`limit` files).
    FileCount,
    /// A file larger than a run may keep (`mib` per file).
    FileSize,
    /// More bytes in all than a run may keep (`mib` in all).
    TotalSize,
    /// A sparse file (almost all holes).
    Sparse,
    /// A name that cannot be kept (not UTF-8, unsafe).
    Name,
    /// A file that could not be read or stored.
    Unreadable,
}

/// The parameters of a code; which ones are set depends on the code (see `ErrorCode`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorParams {
    /// `timed_out`: the time limit in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
    /// `out_of_memory`: the memory limit; `input_too_large`: the working space;
    /// `output_cut` with a size cap: that cap, in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mib: Option<u64>,
    /// `tool_error`: the tool's own message for the user (≤ 8 KiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `output_cut`: how many output files were not kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<u64>,
    /// `output_cut`: the first limit that kept files back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<FileCap>,
    /// `output_cut` with `cap: file_count`: how many files a run may keep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// `output_cut`: the shown result was shortened to fit the platform's limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortened: Option<bool>,
    /// `files_not_kept`: the name of a file that is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// A code with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunError {
    pub code: ErrorCode,
    pub params: ErrorParams,
}

const MIB: u64 = 1024 * 1024;

impl RunError {
    pub fn bare(code: ErrorCode) -> Self {
        Self { code, params: ErrorParams::default() }
    }

    pub fn timed_out(seconds: u64) -> Self {
        Self { code: ErrorCode::TimedOut, params: ErrorParams { seconds: Some(seconds), ..Default::default() } }
    }

    pub fn out_of_memory(limit_bytes: u64) -> Self {
        Self {
            code: ErrorCode::OutOfMemory,
            params: ErrorParams { mib: Some(limit_bytes / MIB), ..Default::default() },
        }
    }

    pub fn input_too_large(work_bytes: u64) -> Self {
        Self {
            code: ErrorCode::InputTooLarge,
            params: ErrorParams { mib: Some(work_bytes / MIB), ..Default::default() },
        }
    }

    pub fn tool_error(message: impl Into<String>) -> Self {
        Self { code: ErrorCode::ToolError, params: ErrorParams { message: Some(message.into()), ..Default::default() } }
    }

    pub fn files_not_kept(file: impl Into<String>) -> Self {
        Self { code: ErrorCode::FilesNotKept, params: ErrorParams { file: Some(file.into()), ..Default::default() } }
    }
}

/// What the runner knows about output that was not kept, to build `output_cut` from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputCut {
    /// Files not kept, with the cap (or reason) of each group.
    pub files: u64,
    pub caps: Vec<FileCap>,
    /// The shown result was shortened (the normaliser appended its notices).
    pub shortened: bool,
}

/// The caps in force, for the parameters of `output_cut`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputCaps {
    pub max_files: u64,
    pub max_file_bytes: u64,
    pub max_total_bytes: u64,
}

impl OutputCut {
    pub fn is_empty(&self) -> bool {
        self.files == 0 && !self.shortened
    }

    /// `output_cut` with the first cap that applied (in `FileCap` order), or `None`.
    pub fn into_error(mut self, caps: OutputCaps) -> Option<RunError> {
        if self.is_empty() {
            return None;
        }
        self.caps.sort();
        let cap = self.caps.first().copied();
        let (limit, mib) = match cap {
            Some(FileCap::FileCount) => (Some(caps.max_files), None),
            Some(FileCap::FileSize) => (None, Some(caps.max_file_bytes / MIB)),
            Some(FileCap::TotalSize) => (None, Some(caps.max_total_bytes / MIB)),
            _ => (None, None),
        };
        let params = ErrorParams {
            files: (self.files > 0).then_some(self.files),
            cap,
            limit,
            mib,
            shortened: self.shortened.then_some(true),
            ..Default::default()
        };
        Some(RunError { code: ErrorCode::OutputCut, params })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_text_and_json() {
        for code in ErrorCode::ALL {
            assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(code));
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
        assert!("boom".parse::<ErrorCode>().is_err());
    }

    #[test]
    fn params_serialize_only_what_is_set() {
        let e = RunError::timed_out(120);
        assert_eq!(serde_json::to_value(&e.params).unwrap(), serde_json::json!({ "seconds": 120 }));
        assert_eq!(serde_json::to_value(ErrorParams::default()).unwrap(), serde_json::json!({}));
        assert_eq!(RunError::out_of_memory(1024 * MIB).params.mib, Some(1024));
    }

    #[test]
    fn output_cut_names_the_first_cap_with_its_value() {
        let caps = OutputCaps { max_files: 100, max_file_bytes: 50 * MIB, max_total_bytes: 200 * MIB };
        assert_eq!(OutputCut::default().into_error(caps), None);
        let cut = OutputCut { files: 3, caps: vec![FileCap::Sparse, FileCap::FileSize], shortened: false };
        let e = cut.into_error(caps).unwrap();
        assert_eq!(e.code, ErrorCode::OutputCut);
        assert_eq!(
            serde_json::to_value(&e.params).unwrap(),
            serde_json::json!({ "files": 3, "cap": "file_size", "mib": 50 })
        );
        let count = OutputCut { files: 150, caps: vec![FileCap::FileCount], shortened: true }.into_error(caps).unwrap();
        assert_eq!(
            serde_json::to_value(&count.params).unwrap(),
            serde_json::json!({ "files": 150, "cap": "file_count", "limit": 100, "shortened": true })
        );
        let shortened = OutputCut { shortened: true, ..Default::default() }.into_error(caps).unwrap();
        assert_eq!(serde_json::to_value(&shortened.params).unwrap(), serde_json::json!({ "shortened": true }));
    }
}
