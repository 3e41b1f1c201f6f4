//! Small helpers of the normaliser: char-safe truncation, exact serialized sizes, nesting checks
//! and how untrusted names are quoted inside our own messages.

use serde::Serialize;
use serde_json::Value;
use std::io;

/// Marks text that we shortened.
pub(crate) const ELLIPSIS: &str = "…";

/// `s` shortened to at most `max_bytes` bytes (ellipsis included), cut at a char boundary;
/// `None` when it already fits. The result fits again, so normalising twice changes nothing.
pub(crate) fn truncate(s: &str, max_bytes: usize) -> Option<String> {
    if s.len() <= max_bytes {
        return None;
    }
    let mut end = max_bytes.saturating_sub(ELLIPSIS.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Some(format!("{}{ELLIPSIS}", &s[..end]))
}

/// A writer that only counts, so sizes are measured without building the JSON text.
struct Counter(usize);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Bytes of the compact JSON serialization of `value`.
pub(crate) fn serialized_len<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut counter = Counter(0);
    // Serializing our own values into a counter cannot fail (no I/O, string keys only).
    serde_json::to_writer(&mut counter, value).map_or(usize::MAX, |()| counter.0)
}

/// Bytes `c` takes inside a serde_json string literal (its escaping rules).
fn escaped_char_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\u{8}' | '\u{c}' | '\n' | '\r' | '\t' => 2,
        c if (c as u32) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

/// Bytes of `s` as a JSON string literal, quotes included.
pub(crate) fn json_str_len(s: &str) -> usize {
    2 + s.chars().map(escaped_char_len).sum::<usize>()
}

/// The longest prefix of `s` plus an ellipsis whose JSON literal fits `budget` bytes; `None`
/// when not even a few characters would fit.
pub(crate) fn truncate_json_str(s: &str, budget: usize) -> Option<String> {
    const MIN_USEFUL: usize = 2 + 3 + 1; // quotes, "…", one byte of text
    if budget < MIN_USEFUL {
        return None;
    }
    let mut used = 2 + ELLIPSIS.len();
    let mut end = 0;
    for (i, c) in s.char_indices() {
        let len = escaped_char_len(c);
        if used + len > budget {
            break;
        }
        used += len;
        end = i + c.len_utf8();
    }
    Some(format!("{}{ELLIPSIS}", &s[..end]))
}

/// Whether `value` nests containers deeper than `max` (`[[1]]` has depth 2). Iterative, so it
/// is safe on values built in code that no parser limit protected.
pub(crate) fn nests_deeper_than(value: &Value, max: usize) -> bool {
    let mut stack = vec![(value, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match v {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        if depth + 1 > max {
            return true;
        }
        stack.extend(children.map(|c| (c, depth + 1)));
    }
    false
}

/// What a JSON value is, in words for messages ("a list", "text").
pub(crate) fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// An untrusted name quoted for one of our messages: short, on one line, in backticks.
pub(crate) fn code(name: &str) -> String {
    format!("`{}`", clip(name))
}

/// An untrusted title quoted for one of our messages.
pub(crate) fn quoted(title: &str) -> String {
    format!("'{}'", clip(title))
}

/// A JSON value shown in a message (`2`, `"v2"`), clipped.
pub(crate) fn shown(value: &Value) -> String {
    let text = match value {
        Value::Array(_) | Value::Object(_) => describe(value).to_owned(),
        other => other.to_string(),
    };
    clip(&text)
}

fn clip(s: &str) -> String {
    const MAX: usize = 60;
    let one_line: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    truncate(&one_line, MAX).unwrap_or(one_line)
}

/// Sizes in messages: "64 KiB", "1.5 MiB", "300 bytes". Rounded *up*, so a size that is over
/// a limit never reads as equal to it.
pub(crate) fn human_bytes(bytes: usize) -> String {
    const KIB: usize = 1024;
    let (unit, name) = match bytes {
        b if b >= KIB * KIB => (KIB * KIB, "MiB"),
        b if b >= KIB => (KIB, "KiB"),
        b => return format!("{b} bytes"),
    };
    if bytes.is_multiple_of(unit) {
        return format!("{} {name}", bytes / unit);
    }
    let tenths = (bytes as u128 * 10).div_ceil(unit as u128);
    format!("{}.{} {name}", tenths / 10, tenths % 10)
}

/// "1 output" / "3 outputs".
pub(crate) fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}
