//! Result contract v2 (SPEC §5): the types of a tool's result, parsing an untrusted
//! `result.json`, normalising it against the allowlist and budgets, and validating the input a
//! user submits for a next action (or any form built from the same field kinds).
//!
//! Everything here is pure and deterministic: the same bytes always give the same result,
//! including the wording and order of the `Skriptoteket: …` notices appended for each cut.

mod actions;
mod field_defs;
mod fields;
mod json_prune;
pub mod limits;
mod normalize;
mod notices;
mod outputs;
mod parse;
mod read;
mod table;
mod text;
mod types;

pub use fields::{FieldIssue, validate_action_input, validate_field_value, validate_fields};
pub use normalize::normalize;
pub use notices::SYSTEM_NOTICE_PREFIX;
pub use parse::{ContractError, parse_result};
pub use types::{
    ActionField, ActionKind, DeclaredArtifact, EnumOption, FieldKind, NextAction, NoticeLevel, SkippedFiles,
    TableColumn, ToolResult, ToolStatus, UiOutput, UiPayload,
};

#[cfg(test)]
mod tests;
