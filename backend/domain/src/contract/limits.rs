//! The budgets of result contract v2 (SPEC §5), plus the few limits the spec leaves to us.
//!
//! Sizes of strings are in UTF-8 bytes; "serialized" sizes are compact `serde_json` output.

const KIB: usize = 1024;

/// The `contract_version` a result must declare.
pub const CONTRACT_VERSION: u64 = 2;

/// A `result.json` larger than this is refused before it is parsed, so a tool cannot make the
/// backend build a huge in-memory document.
pub const MAX_RESULT_FILE_BYTES: usize = 1024 * KIB;
/// Deepest nesting we accept anywhere; equal to `serde_json`'s parser limit, and re-checked for
/// values built in code so the normaliser's recursion is always bounded.
pub const MAX_NESTING: usize = 128;

/// Whole normalised UI payload (outputs + next_actions + state), serialized.
pub const MAX_UI_PAYLOAD_BYTES: usize = 256 * KIB;
/// `state`, serialized.
pub const MAX_STATE_BYTES: usize = 64 * KIB;
/// Outputs per run, *including* the system notices the normaliser appends.
pub const MAX_OUTPUTS: usize = 50;

pub const MAX_NOTICE_BYTES: usize = 8 * KIB;
pub const MAX_MARKDOWN_BYTES: usize = 64 * KIB;
pub const MAX_HTML_BYTES: usize = 96 * KIB;

pub const MAX_TABLE_ROWS: usize = 750;
pub const MAX_TABLE_COLUMNS: usize = 40;
pub const MAX_TABLE_CELL_BYTES: usize = 512;

/// `json` output value, serialized.
pub const MAX_JSON_BYTES: usize = 96 * KIB;
/// Nested containers in a `json` value (`{"a": [1]}` has depth 2).
pub const MAX_JSON_DEPTH: usize = 10;
/// Object keys in a `json` value, counted over the whole value.
pub const MAX_JSON_KEYS: usize = 1000;
/// Array items in a `json` value, counted over the whole value.
pub const MAX_JSON_ITEMS: usize = 2000;

pub const MAX_NEXT_ACTIONS: usize = 10;
pub const MAX_FIELDS_PER_ACTION: usize = 25;
pub const MAX_ENUM_OPTIONS: usize = 100;

/// A run's form values, serialized. They reach the tool through one environment variable and
/// the kernel refuses a variable over 128 KiB, so the cap stays well below that.
pub const MAX_FORM_INPUT_BYTES: usize = 64 * KIB;
/// An action's input, serialized; with the state (at most 64 KiB) it stays below 128 KiB too.
pub const MAX_ACTION_INPUT_BYTES: usize = 32 * KIB;

/// `vega_lite` spec, serialized.
pub const MAX_VEGA_SPEC_BYTES: usize = 256 * KIB;

// Our choices where SPEC §5 is silent. Identifiers are refused rather than shortened when too
// long (two shortened ids could collide); free text is shortened.

/// `error_summary` (SPEC §3: a safe error summary of at most 20 KiB).
pub const MAX_ERROR_SUMMARY_BYTES: usize = 20 * KIB;
/// Titles, labels, column labels, enum option values and labels.
pub const MAX_LABEL_BYTES: usize = 512;
/// A form field's `help` text.
pub const MAX_HELP_BYTES: usize = 2 * KIB;
/// `action_id`, field `name`, table column `key`.
pub const MAX_ID_BYTES: usize = 256;
/// Entries of the tool's own `artifacts` list (matches the runner's artifact count cap).
pub const MAX_DECLARED_ARTIFACTS: usize = 100;
/// An artifact's declared `path`.
pub const MAX_ARTIFACT_PATH_BYTES: usize = 1024;
