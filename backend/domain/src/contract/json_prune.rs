//! Pruning a `json` output's value to its budgets (depth, keys, items, bytes).
//!
//! The walk is pre-order in document order with running totals, so what survives is a prefix
//! of the value: deterministic, and easy to explain ("the rest was cut").

use super::limits::{MAX_JSON_BYTES, MAX_JSON_DEPTH, MAX_JSON_ITEMS, MAX_JSON_KEYS};
use super::text::{ELLIPSIS, human_bytes, json_str_len, serialized_len, truncate_json_str};
use serde_json::{Map, Value};

/// Which budgets a value hit; all false when it was kept as it was.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PruneReport {
    pub too_deep: bool,
    pub too_many_keys: bool,
    pub too_many_items: bool,
    pub too_large: bool,
}

impl PruneReport {
    pub(crate) fn pruned(&self) -> bool {
        self.too_deep || self.too_many_keys || self.too_many_items || self.too_large
    }

    /// "nested deeper than 10 levels, more than 2000 list items".
    pub(crate) fn reasons(&self) -> String {
        let mut reasons = Vec::new();
        if self.too_deep {
            reasons.push(format!("nested deeper than {MAX_JSON_DEPTH} levels"));
        }
        if self.too_many_keys {
            reasons.push(format!("more than {MAX_JSON_KEYS} keys"));
        }
        if self.too_many_items {
            reasons.push(format!("more than {MAX_JSON_ITEMS} list items"));
        }
        if self.too_large {
            reasons.push(format!("larger than {}", human_bytes(MAX_JSON_BYTES)));
        }
        reasons.join(", ")
    }
}

/// `value` cut to the json budgets. Containers nested too deep become the string "…"; keys and
/// items past the totals, and whatever no longer fits the byte budget, are left out.
/// `value` must nest at most `MAX_NESTING` deep (the walk recurses, bounded by that).
pub(crate) fn prune_json(value: &Value) -> (Value, PruneReport) {
    let mut walk = Walk {
        keys_left: MAX_JSON_KEYS,
        items_left: MAX_JSON_ITEMS,
        bytes_left: MAX_JSON_BYTES,
        report: PruneReport::default(),
    };
    let pruned = walk.value(value, 1).unwrap_or(Value::Null);
    (pruned, walk.report)
}

struct Walk {
    keys_left: usize,
    items_left: usize,
    bytes_left: usize,
    report: PruneReport,
}

impl Walk {
    /// `depth` is the nesting level `value` would have if it is a container. `None` means no
    /// room is left; from then on everything else is left out too, keeping the result a prefix.
    fn value(&mut self, value: &Value, depth: usize) -> Option<Value> {
        if self.report.too_large {
            return None;
        }
        match value {
            Value::Array(items) if depth <= MAX_JSON_DEPTH => self.array(items, depth),
            Value::Object(map) if depth <= MAX_JSON_DEPTH => self.object(map, depth),
            Value::Array(_) | Value::Object(_) => {
                self.report.too_deep = true;
                self.scalar(&Value::String(ELLIPSIS.to_owned()))
            }
            Value::String(s) => self.string(s),
            scalar => self.scalar(scalar),
        }
    }

    fn scalar(&mut self, value: &Value) -> Option<Value> {
        self.spend(serialized_len(value)).then(|| value.clone())
    }

    fn string(&mut self, s: &str) -> Option<Value> {
        let len = json_str_len(s);
        if self.spend(len) {
            return Some(Value::String(s.to_owned()));
        }
        // A long string is shortened to the room left rather than lost entirely.
        let cut = truncate_json_str(s, self.bytes_left)?;
        self.bytes_left -= json_str_len(&cut);
        self.report.too_large = true;
        Some(Value::String(cut))
    }

    /// Takes `n` bytes if they are left; otherwise marks the budget exhausted.
    fn spend(&mut self, n: usize) -> bool {
        if n <= self.bytes_left {
            self.bytes_left -= n;
            true
        } else {
            self.report.too_large = true;
            false
        }
    }

    fn array(&mut self, items: &[Value], depth: usize) -> Option<Value> {
        if !self.spend(2) {
            return None; // the brackets
        }
        let mut out = Vec::new();
        for item in items {
            if self.items_left == 0 {
                self.report.too_many_items = true;
                break;
            }
            let comma = usize::from(!out.is_empty());
            if !self.spend(comma) {
                break;
            }
            // Counted before its children: pre-order, like the byte budget.
            self.items_left -= 1;
            match self.value(item, depth + 1) {
                Some(v) => out.push(v),
                None => {
                    self.items_left += 1;
                    self.bytes_left += comma;
                    break;
                }
            }
        }
        Some(Value::Array(out))
    }

    fn object(&mut self, map: &Map<String, Value>, depth: usize) -> Option<Value> {
        if !self.spend(2) {
            return None; // the braces
        }
        let mut out = Map::new();
        for (key, item) in map {
            if self.keys_left == 0 {
                self.report.too_many_keys = true;
                break;
            }
            // Comma, quoted key and colon must fit before the value is worth looking at.
            let overhead = usize::from(!out.is_empty()) + json_str_len(key) + 1;
            if !self.spend(overhead) {
                break;
            }
            self.keys_left -= 1;
            match self.value(item, depth + 1) {
                Some(v) => {
                    out.insert(key.clone(), v);
                }
                None => {
                    self.keys_left += 1;
                    self.bytes_left += overhead;
                    break;
                }
            }
        }
        Some(Value::Object(out))
    }
}
