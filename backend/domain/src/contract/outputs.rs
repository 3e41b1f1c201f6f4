//! Normalising the `outputs` list: the kind allowlist and each kind's budgets. An output that
//! is malformed or of an unknown kind is dropped and noted, never an error of the whole run.

use super::json_prune::prune_json;
use super::limits::*;
use super::notices::{Cut, Cuts};
use super::read::{capped, object, opt_str, req_str};
use super::table::normalize_table;
use super::text::{code, describe, human_bytes, nests_deeper_than, quoted, serialized_len};
use super::types::{NoticeLevel, UiOutput};
use serde_json::Value;

/// The outputs the tool asked for, each checked and capped, in their original order. The
/// per-run count cap is applied later, once we know how many notices must fit too.
pub(crate) fn normalize_outputs(raw: Option<&Value>, cuts: &mut Cuts) -> Vec<UiOutput> {
    let items = match raw {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            let why = format!("`outputs` must be a list, not {}", describe(other));
            cuts.add(Cut::MalformedOutput, why);
            return Vec::new();
        }
    };
    let mut outputs = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let at = format!("outputs[{index}]");
        match normalize_output(&at, item, cuts) {
            Ok(Some(output)) => outputs.push(output),
            Ok(None) => {} // dropped, and already noted
            Err(why) => cuts.add(Cut::MalformedOutput, format!("{at} {why}")),
        }
    }
    outputs
}

fn normalize_output(at: &str, raw: &Value, cuts: &mut Cuts) -> Result<Option<UiOutput>, String> {
    let obj = object(raw)?;
    let kind = req_str(obj, "kind")?;
    // Parsed documents never nest this deep; values built in code might, and the checks
    // below recurse.
    if nests_deeper_than(raw, MAX_NESTING) {
        return Err(format!("nests deeper than {MAX_NESTING} levels"));
    }
    let output = match kind {
        "notice" => UiOutput::Notice {
            level: notice_level(obj)?,
            message: capped(req_str(obj, "message")?, MAX_NOTICE_BYTES, &format!("{at} notice"), cuts),
        },
        "markdown" => UiOutput::Markdown {
            markdown: capped(req_str(obj, "markdown")?, MAX_MARKDOWN_BYTES, &format!("{at} markdown"), cuts),
        },
        "html_sandboxed" => UiOutput::HtmlSandboxed {
            html: capped(req_str(obj, "html")?, MAX_HTML_BYTES, &format!("{at} html_sandboxed"), cuts),
        },
        "table" => normalize_table(at, obj, cuts)?,
        "json" => normalize_json(at, obj, cuts)?,
        "vega_lite" => return normalize_vega(at, obj, cuts),
        other => {
            cuts.add(Cut::UnknownKind, code(other));
            return Ok(None);
        }
    };
    Ok(Some(output))
}

/// A missing level means `info`; an unknown one is a mistake worth reporting.
fn notice_level(obj: &serde_json::Map<String, Value>) -> Result<NoticeLevel, String> {
    match opt_str(obj, "level")? {
        None | Some("info") => Ok(NoticeLevel::Info),
        Some("warning") => Ok(NoticeLevel::Warning),
        Some("error") => Ok(NoticeLevel::Error),
        Some(other) => Err(format!("has level {} (expected info, warning or error)", code(other))),
    }
}

/// The optional title of a table or json output, capped like other labels.
pub(crate) fn title(at: &str, obj: &serde_json::Map<String, Value>, cuts: &mut Cuts) -> Result<Option<String>, String> {
    Ok(opt_str(obj, "title")?.map(|t| capped(t, MAX_LABEL_BYTES, &format!("{at} title"), cuts)))
}

/// How a table or json output is named in notices: its title if it has one.
pub(crate) fn display_name(at: &str, title: Option<&str>) -> String {
    match title {
        Some(t) if !t.trim().is_empty() => format!("{} ({at})", quoted(t)),
        _ => at.to_owned(),
    }
}

fn normalize_json(at: &str, obj: &serde_json::Map<String, Value>, cuts: &mut Cuts) -> Result<UiOutput, String> {
    let title = title(at, obj, cuts)?;
    let value = obj.get("value").ok_or("`value` is missing")?;
    let (value, report) = prune_json(value);
    if report.pruned() {
        let name = display_name(at, title.as_deref());
        cuts.add(Cut::JsonPruned, format!("json {name} was cut: {}", report.reasons()));
    }
    Ok(UiOutput::Json { title, value })
}

/// A chart is kept whole or dropped: a cut-down spec would draw something misleading.
fn normalize_vega(at: &str, obj: &serde_json::Map<String, Value>, cuts: &mut Cuts) -> Result<Option<UiOutput>, String> {
    let spec = obj.get("spec").ok_or("`spec` is missing")?;
    if !spec.is_object() {
        return Err(format!("`spec` must be an object, not {}", describe(spec)));
    }
    if let Some(path) = find_url_key(spec, "spec") {
        cuts.add(Cut::VegaDropped, format!("{at} loads data from a URL ({})", code(&path)));
        return Ok(None);
    }
    let size = serialized_len(spec);
    if size > MAX_VEGA_SPEC_BYTES {
        cuts.add(Cut::VegaDropped, format!("{at} has a spec of {}", human_bytes(size)));
        return Ok(None);
    }
    Ok(Some(UiOutput::VegaLite { spec: spec.clone() }))
}

/// Where the first key named `url` (any case) sits, anywhere in the spec. Deliberately broader
/// than `data.url`: Vega-Lite can fetch through lookups, datasets, images and more, and a
/// chart with any `url` key is not worth the risk of missing one. Recursion is bounded by the
/// nesting check done before.
fn find_url_key(value: &Value, path: &str) -> Option<String> {
    match value {
        Value::Object(map) => map.iter().find_map(|(key, child)| {
            let here = format!("{path}.{key}");
            if key.eq_ignore_ascii_case("url") { Some(here) } else { find_url_key(child, &here) }
        }),
        Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, child)| find_url_key(child, &format!("{path}[{i}]")))
        }
        _ => None,
    }
}
