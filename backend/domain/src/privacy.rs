//! What the platform holds about a person, handing it out and erasing it (issue 14). Every
//! export and erase is recorded as a `PrivacyEvent`: who, whom, what and how much, never the
//! content itself.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivacyAction {
    Export,
    EraseRuns,
    EraseUser,
}

impl PrivacyAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Export => "export",
            Self::EraseRuns => "erase_runs",
            Self::EraseUser => "erase_user",
        }
    }
}

impl std::str::FromStr for PrivacyAction {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "export" => Ok(Self::Export),
            "erase_runs" => Ok(Self::EraseRuns),
            "erase_user" => Ok(Self::EraseUser),
            other => Err(format!("unknown privacy action `{other}`")),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrivacyEvent {
    pub id: Uuid,
    pub action: PrivacyAction,
    /// Who did it (`None` once that account is gone).
    pub actor_id: Option<Uuid>,
    /// Whose data it was.
    pub subject_id: Uuid,
    /// Counts only (`{"runs": 12, "bytes": 3400}`).
    pub summary: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// One stored settings row of a person, for their export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingsRecord {
    pub tool_id: Uuid,
    pub tool_slug: String,
    pub scope: String,
    pub values: serde_json::Map<String, serde_json::Value>,
    pub updated_at: DateTime<Utc>,
}

/// What erasing a run history removed, so the caller can remove the files of those runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErasedHistory {
    /// The erased runs: their upload and artifact folders are to be removed.
    pub runs: Vec<Uuid>,
    pub artifacts: u64,
    pub bytes: u64,
    pub settings: u64,
    pub favorites: u64,
    pub batches: u64,
}

/// What moving an erased author's tools did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToolHandover {
    /// Tools the person maintained that now have another maintainer.
    pub tools: u64,
    /// Of those, tools where the given admin became a maintainer (nobody else was left).
    pub to_admin: u64,
}
