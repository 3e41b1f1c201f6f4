//! Normalising a `table` output: declared columns (at most 40), rows (at most 750) holding only
//! those columns, and scalar cells of at most 512 bytes.

use super::limits::{MAX_ID_BYTES, MAX_LABEL_BYTES, MAX_TABLE_CELL_BYTES, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS};
use super::notices::{Cut, Cuts};
use super::outputs::{display_name, title};
use super::read::{Obj, capped, object, opt_array, opt_str, req_array, req_id};
use super::text::{code, count, truncate};
use super::types::{TableColumn, UiOutput};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::io;

pub(crate) fn normalize_table(at: &str, obj: &Obj, cuts: &mut Cuts) -> Result<UiOutput, String> {
    let title = title(at, obj, cuts)?;
    let name = display_name(at, title.as_deref());
    let raw_columns = req_array(obj, "columns")?;
    let raw_rows = opt_array(obj, "rows")?.unwrap_or_default();
    let columns = normalize_columns(&name, raw_columns, cuts);
    let rows = normalize_rows(&name, raw_rows, &columns, cuts);
    Ok(UiOutput::Table { title, columns, rows })
}

/// Valid, distinct columns in order, at most 40. A bare string is taken as a column whose key
/// and label are that string, which is how many tools naturally write them.
fn normalize_columns(name: &str, raw: &[Value], cuts: &mut Cuts) -> Vec<TableColumn> {
    let mut columns = Vec::new();
    let mut seen = BTreeSet::new();
    let mut distinct = 0;
    for (i, raw) in raw.iter().enumerate() {
        let column = match column(name, raw, cuts) {
            Ok(column) => column,
            Err(why) => {
                cuts.add(Cut::TableColumns, format!("table {name}: columns[{i}] was ignored, it {why}"));
                continue;
            }
        };
        if !seen.insert(column.key.clone()) {
            let why = format!("table {name}: column {} is declared twice", code(&column.key));
            cuts.add(Cut::TableColumns, why);
            continue;
        }
        distinct += 1;
        if columns.len() < MAX_TABLE_COLUMNS {
            columns.push(column);
        }
    }
    if distinct > MAX_TABLE_COLUMNS {
        let why = format!("table {name} was cut to {MAX_TABLE_COLUMNS} columns (it had {distinct})");
        cuts.add(Cut::TableColumns, why);
    }
    columns
}

fn column(name: &str, raw: &Value, cuts: &mut Cuts) -> Result<TableColumn, String> {
    if let Value::String(key) = raw {
        let mut obj = Map::new();
        obj.insert("key".to_owned(), Value::String(key.clone()));
        return column(name, &Value::Object(obj), cuts);
    }
    let obj = object(raw)?;
    let key = req_id(obj, "key", MAX_ID_BYTES)?;
    let label = opt_str(obj, "label")?.unwrap_or(key);
    let what = format!("table {name} column {} label", code(key));
    Ok(TableColumn { key: key.to_owned(), label: capped(label, MAX_LABEL_BYTES, &what, cuts) })
}

/// Why cells changed, counted per table so one line can summarise thousands of cells.
#[derive(Default)]
struct CellStats {
    shortened: usize,
    stringified: usize,
}

fn normalize_rows(name: &str, raw: &[Value], columns: &[TableColumn], cuts: &mut Cuts) -> Vec<Map<String, Value>> {
    let mut rows = Vec::new();
    let mut stats = CellStats::default();
    let (mut total, mut not_objects) = (0usize, 0usize);
    for raw_row in raw {
        let Value::Object(row) = raw_row else {
            not_objects += 1;
            continue;
        };
        total += 1;
        if rows.len() < MAX_TABLE_ROWS {
            rows.push(normalize_row(row, columns, &mut stats));
        }
    }
    if not_objects > 0 {
        let rows_word = count(not_objects, "row that was not an object was", "rows that were not objects were");
        cuts.add(Cut::TableRows, format!("table {name}: {rows_word} dropped"));
    }
    if total > MAX_TABLE_ROWS {
        cuts.add(Cut::TableRows, format!("table {name} was cut to {MAX_TABLE_ROWS} rows (it had {total})"));
    }
    note_cells(name, &stats, cuts);
    rows
}

/// Only declared columns are kept: they are what the table shows, and whatever else a row
/// carries would only cost budget.
fn normalize_row(row: &Obj, columns: &[TableColumn], stats: &mut CellStats) -> Map<String, Value> {
    columns.iter().filter_map(|c| row.get(&c.key).map(|v| (c.key.clone(), normalize_cell(v, stats)))).collect()
}

fn normalize_cell(value: &Value, stats: &mut CellStats) -> Value {
    match value {
        Value::String(s) => match truncate(s, MAX_TABLE_CELL_BYTES) {
            Some(short) => {
                stats.shortened += 1;
                Value::String(short)
            }
            None => value.clone(),
        },
        Value::Array(_) | Value::Object(_) => {
            stats.stringified += 1;
            let text = compact_prefix(value);
            Value::String(truncate(&text, MAX_TABLE_CELL_BYTES).unwrap_or(text))
        }
        scalar => scalar.clone(),
    }
}

fn note_cells(name: &str, stats: &CellStats, cuts: &mut Cuts) {
    if stats.shortened > 0 {
        let cells = count(stats.shortened, "cell", "cells");
        cuts.add(Cut::TableCells, format!("table {name}: {cells} shortened to {MAX_TABLE_CELL_BYTES} bytes"));
    }
    if stats.stringified > 0 {
        let cells = count(stats.stringified, "cell", "cells");
        cuts.add(Cut::TableCells, format!("table {name}: {cells} holding a list or object shown as text"));
    }
}

/// The compact JSON text of `value`, stopping a little past the cell budget so a huge nested
/// cell never becomes a huge string first.
fn compact_prefix(value: &Value) -> String {
    let mut sink = Prefix { bytes: Vec::new(), limit: MAX_TABLE_CELL_BYTES + 8 };
    // The writer refuses past its limit; that error only means "enough", so it is ignored.
    let _ = serde_json::to_writer(&mut sink, value);
    // A char may be split at the limit; lossy decoding keeps it valid, and `truncate` then
    // cuts that tail away because the text is over budget.
    String::from_utf8_lossy(&sink.bytes).into_owned()
}

struct Prefix {
    bytes: Vec<u8>,
    limit: usize,
}

impl io::Write for Prefix {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = self.limit - self.bytes.len();
        if room == 0 {
            return Err(io::Error::other("cell text is long enough"));
        }
        let n = buf.len().min(room);
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
