//! Class mode: one tool over many uploaded files, one run per file, grouped as a batch.
//!
//! Fairness: a batch counts as one active entry toward the per-user limit (however many items
//! it has), and the queue serves it one item per round: among queued runs, the one whose batch
//! has started the fewest items goes first (a single run counts as none started), so a class of
//! 30 files shares the workers with everyone else instead of holding them for 30 runs.

use crate::run::{RunContext, RunFile, RunStatus};
use crate::run_error::RunError;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The most files (items) one batch takes.
pub const MAX_BATCH_ITEMS: u32 = 100;
/// The most bytes one batch uploads in total (each file is also capped at `MAX_FILE_BYTES`).
pub const MAX_BATCH_UPLOAD_BYTES: u64 = 200 * 1000 * 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub id: Uuid,
    pub tool_id: Uuid,
    pub user_id: Uuid,
    pub context: RunContext,
    pub item_count: u32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewBatch {
    pub id: Uuid,
    pub tool_id: Uuid,
    pub user_id: Uuid,
    pub context: RunContext,
}

/// One item of a batch: its run, without logs or payload.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchItem {
    pub run_id: Uuid,
    /// The input file this item ran on.
    pub file: Option<RunFile>,
    pub status: RunStatus,
    pub error_summary: Option<String>,
    pub error: Option<RunError>,
    pub artifact_count: u32,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}
