//! What the normaliser cut, collected while it works and rendered as ONE system notice per kind
//! of cut, in a fixed order, so the same input always yields the same notices.

use super::limits::*;
use super::text::{count, human_bytes};
use super::types::{NoticeLevel, UiOutput};
use std::collections::BTreeMap;

/// Every message we append starts with this, so authors can tell it from their own notices.
pub const SYSTEM_NOTICE_PREFIX: &str = "Skriptoteket: ";

/// Kinds of cut; the declaration order is the order of the notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Cut {
    ErrorSummary,
    Artifacts,
    UnknownKind,
    MalformedOutput,
    Shortened,
    TableRows,
    TableColumns,
    TableCells,
    JsonPruned,
    VegaDropped,
    OutputsCap,
    MalformedAction,
    DuplicateAction,
    ActionsCap,
    MalformedField,
    FieldsCap,
    Options,
    Prefill,
    State,
    PayloadSize,
}

/// Details kept per kind: enough to be useful, bounded so a million junk items stay cheap.
const SHOWN_DETAILS: usize = 5;

#[derive(Debug, Default, Clone)]
struct Entry {
    total: usize,
    /// Distinct details in first-seen order, each with how often it occurred.
    details: Vec<(String, usize)>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Cuts(BTreeMap<Cut, Entry>);

impl Cuts {
    pub(crate) fn add(&mut self, cut: Cut, detail: impl Into<String>) {
        let entry = self.0.entry(cut).or_default();
        entry.total += 1;
        let detail = detail.into();
        if let Some(seen) = entry.details.iter_mut().find(|(d, _)| *d == detail) {
            seen.1 += 1;
        } else if entry.details.len() < SHOWN_DETAILS {
            entry.details.push((detail, 1));
        }
    }

    /// How many notices `into_notices` will produce.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn into_notices(self) -> Vec<UiOutput> {
        self.0
            .into_iter()
            .map(|(cut, entry)| UiOutput::Notice {
                level: NoticeLevel::Warning,
                message: format!("{SYSTEM_NOTICE_PREFIX}{}.", render(cut, &entry)),
            })
            .collect()
    }
}

fn render(cut: Cut, entry: &Entry) -> String {
    if cut == Cut::UnknownKind {
        return render_unknown_kinds(entry);
    }
    let listed: usize = entry.details.iter().map(|(_, n)| n).sum();
    let mut details: Vec<String> =
        entry.details.iter().map(|(d, n)| if *n > 1 { format!("{d} ({n}×)") } else { d.clone() }).collect();
    if entry.total > listed {
        details.push(format!("and {} more", entry.total - listed));
    }
    let details = details.join("; ");
    match headline(cut, entry.total) {
        Some(head) => format!("{head}: {details}"),
        None => details,
    }
}

/// The lead-in of each kind; `None` where each detail is a whole sentence on its own.
fn headline(cut: Cut, n: usize) -> Option<String> {
    Some(match cut {
        Cut::ErrorSummary | Cut::State | Cut::OutputsCap | Cut::PayloadSize => return None,
        Cut::TableRows | Cut::TableColumns | Cut::TableCells | Cut::JsonPruned => return None,
        Cut::FieldsCap | Cut::ActionsCap | Cut::Options => return None,
        Cut::Artifacts => format!("ignored {}", count(n, "declared artifact", "declared artifacts")),
        Cut::UnknownKind => unreachable!("rendered by render_unknown_kinds"),
        Cut::MalformedOutput => format!("dropped {}", count(n, "malformed output", "malformed outputs")),
        Cut::Shortened => format!("shortened {}", count(n, "long text", "long texts")),
        Cut::VegaDropped => format!(
            "dropped {} (charts may only use inline data, at most {})",
            count(n, "chart", "charts"),
            human_bytes(MAX_VEGA_SPEC_BYTES)
        ),
        Cut::MalformedAction => format!("dropped {}", count(n, "malformed next action", "malformed next actions")),
        Cut::DuplicateAction => {
            format!("dropped {} whose action_id was already used", count(n, "next action", "next actions"))
        }
        Cut::MalformedField => format!("dropped {}", count(n, "malformed form field", "malformed form fields")),
        Cut::Prefill => {
            format!("dropped {} that did not fit the field", count(n, "prefilled value", "prefilled values"))
        }
    })
}

fn render_unknown_kinds(entry: &Entry) -> String {
    let listed: usize = entry.details.iter().map(|(_, n)| n).sum();
    let mut parts: Vec<String> = entry
        .details
        .iter()
        .map(|(kind, n)| format!("{} of unknown kind {kind}", count(*n, "output", "outputs")))
        .collect();
    if entry.total > listed {
        parts.push(format!("{} of other unknown kinds", count(entry.total - listed, "output", "outputs")));
    }
    let verb = if entry.total == 1 { "was" } else { "were" };
    format!(
        "{} {verb} dropped (known kinds: notice, markdown, table, json, html_sandboxed, vega_lite)",
        parts.join(", ")
    )
}
