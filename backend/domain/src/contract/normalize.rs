//! The normaliser: turns the untrusted UI part of a result into a `UiPayload` within every
//! budget, deterministically, with one system notice per kind of cut.

use super::actions::normalize_actions;
use super::limits::{MAX_NESTING, MAX_OUTPUTS, MAX_STATE_BYTES, MAX_UI_PAYLOAD_BYTES};
use super::notices::{Cut, Cuts};
use super::outputs::normalize_outputs;
use super::text::{count, describe, human_bytes, nests_deeper_than, serialized_len};
use super::types::{NextAction, UiOutput, UiPayload};
use serde_json::{Map, Value};

/// Normalises `raw`, an object holding `outputs`, `next_actions` and `state` (other keys are
/// ignored; `result.json` itself qualifies). Never fails: what does not fit the contract is
/// dropped or cut, and noted in `Skriptoteket: …` warnings appended to the outputs.
pub fn normalize(raw: &Map<String, Value>) -> UiPayload {
    normalize_with(raw, Cuts::default())
}

/// `normalize`, continuing from cuts already noted (by `parse_result` for the envelope).
pub(crate) fn normalize_with(raw: &Map<String, Value>, mut cuts: Cuts) -> UiPayload {
    let mut outputs = normalize_outputs(raw.get("outputs"), &mut cuts);
    let next_actions = normalize_actions(raw.get("next_actions"), &mut cuts);
    let state = normalize_state(raw.get("state"), &mut cuts);
    cap_outputs(&mut outputs, &mut cuts);
    fit_payload(outputs, next_actions, state, cuts)
}

/// State goes back into the next run, so it must be an object a tool can rely on, or nothing.
fn normalize_state(raw: Option<&Value>, cuts: &mut Cuts) -> Option<Value> {
    let state = match raw {
        None | Some(Value::Null) => return None,
        Some(state @ Value::Object(_)) => state,
        Some(other) => {
            let why = format!("state was dropped: it must be an object or null, not {}", describe(other));
            cuts.add(Cut::State, why);
            return None;
        }
    };
    if nests_deeper_than(state, MAX_NESTING) {
        cuts.add(Cut::State, format!("state was dropped: it nests deeper than {MAX_NESTING} levels"));
        return None;
    }
    let size = serialized_len(state);
    if size > MAX_STATE_BYTES {
        let why = format!(
            "state was dropped: it is {} and may be at most {}",
            human_bytes(size),
            human_bytes(MAX_STATE_BYTES)
        );
        cuts.add(Cut::State, why);
        return None;
    }
    Some(state.clone())
}

/// Keeps the first outputs so that they *and* our notices fit `MAX_OUTPUTS`: the notice about
/// this cut is itself one of the notices it makes room for.
fn cap_outputs(outputs: &mut Vec<UiOutput>, cuts: &mut Cuts) {
    if outputs.len() + cuts.len() <= MAX_OUTPUTS {
        return;
    }
    let room = MAX_OUTPUTS.saturating_sub(cuts.len() + 1);
    let why = format!(
        "only the first {room} of {} are shown (at most {MAX_OUTPUTS} per run, these notices included)",
        count(outputs.len(), "output", "outputs")
    );
    outputs.truncate(room);
    cuts.add(Cut::OutputsCap, why);
}

/// Drops from the end until the whole payload fits `MAX_UI_PAYLOAD_BYTES`: outputs first (the
/// last ones are usually details), then next actions, then the state.
fn fit_payload(
    outputs: Vec<UiOutput>,
    mut actions: Vec<NextAction>,
    mut state: Option<Value>,
    cuts: Cuts,
) -> UiPayload {
    let sizes: Vec<usize> = outputs.iter().map(serialized_len).collect();
    let mut kept = outputs.len();
    let (mut dropped_actions, mut dropped_state) = (0, false);
    let mut shell = shell_len(&actions, &state);
    loop {
        let notices = with_size_cut(&cuts, outputs.len() - kept, dropped_actions, dropped_state).into_notices();
        // Compact JSON: each list item costs its own size, plus one comma between items.
        let items = sizes[..kept].iter().sum::<usize>() + notices.iter().map(serialized_len).sum::<usize>();
        let total = shell + items + (kept + notices.len()).saturating_sub(1);
        if total <= MAX_UI_PAYLOAD_BYTES {
            let mut outputs = outputs;
            outputs.truncate(kept);
            outputs.extend(notices);
            return UiPayload { outputs, next_actions: actions, state };
        }
        if kept > 0 {
            kept -= 1;
            continue;
        }
        if actions.pop().is_some() {
            dropped_actions += 1;
        } else if state.take().is_some() {
            dropped_state = true;
        } else {
            // Only our notices are left, and they are far smaller than the budget.
            return UiPayload { outputs: notices, next_actions: Vec::new(), state: None };
        }
        shell = shell_len(&actions, &state);
    }
}

/// Size of the payload with no outputs: `{"outputs":[],"next_actions":[...],"state":...}`.
fn shell_len(actions: &[NextAction], state: &Option<Value>) -> usize {
    let shell = UiPayload { outputs: Vec::new(), next_actions: actions.to_vec(), state: state.clone() };
    serialized_len(&shell)
}

fn with_size_cut(cuts: &Cuts, outputs: usize, actions: usize, state: bool) -> Cuts {
    let the_last = |n: usize, one: &str, many: &str| match n {
        1 => format!("the last {one}"),
        n => format!("the last {n} {many}"),
    };
    let mut parts = Vec::new();
    if outputs > 0 {
        parts.push(the_last(outputs, "output", "outputs"));
    }
    if actions > 0 {
        parts.push(the_last(actions, "next action", "next actions"));
    }
    if state {
        parts.push("the state".to_owned());
    }
    let mut cuts = cuts.clone();
    if let Some(last) = parts.pop() {
        let listed = if parts.is_empty() { last } else { format!("{} and {last}", parts.join(", ")) };
        let why = format!("dropped {listed} to keep the result under {}", human_bytes(MAX_UI_PAYLOAD_BYTES));
        cuts.add(Cut::PayloadSize, why);
    }
    cuts
}
