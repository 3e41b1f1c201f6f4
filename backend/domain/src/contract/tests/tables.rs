//! Table outputs: columns, rows, cells.

use super::*;

fn table(table: Value) -> (UiOutput, Vec<String>) {
    let mut table = table;
    table["kind"] = json!("table");
    let payload = parse(&result_doc(json!({ "outputs": [table] }))).ui;
    let notices = system_notices(&payload).into_iter().map(str::to_owned).collect();
    (payload.outputs[0].clone(), notices)
}

fn parts(output: &UiOutput) -> (&[TableColumn], &[serde_json::Map<String, Value>]) {
    let UiOutput::Table { columns, rows, .. } = output else { panic!("not a table: {output:?}") };
    (columns, rows)
}

#[test]
fn rows_keep_only_declared_columns() {
    let (out, notices) = table(json!({
        "columns": [{"key": "namn", "label": "Namn"}, {"key": "betyg", "label": "Betyg"}],
        "rows": [{"namn": "Ada", "betyg": "A", "personnummer": "hemligt"}, {"namn": "Bo"}]
    }));
    let (_, rows) = parts(&out);
    assert_eq!(
        Value::Array(rows.iter().cloned().map(Value::Object).collect()),
        json!([{"namn": "Ada", "betyg": "A"}, {"namn": "Bo"}])
    );
    assert!(notices.is_empty(), "dropping undeclared keys is the table's meaning, not a cut");
}

#[test]
fn rows_are_capped_at_750() {
    let rows: Vec<Value> = (0..1200).map(|i| json!({"n": i})).collect();
    let (out, notices) = table(json!({"title": "Betyg", "columns": ["n"], "rows": rows}));
    let (_, rows) = parts(&out);
    assert_eq!(rows.len(), limits::MAX_TABLE_ROWS);
    assert_eq!(rows[749]["n"], json!(749));
    assert_eq!(notices, ["Skriptoteket: table 'Betyg' (outputs[0]) was cut to 750 rows (it had 1200)."]);
}

#[test]
fn rows_that_are_not_objects_are_dropped() {
    let (out, notices) = table(json!({"columns": ["n"], "rows": [[1], {"n": 1}, "x"]}));
    assert_eq!(parts(&out).1.len(), 1);
    assert_eq!(notices, ["Skriptoteket: table outputs[0]: 2 rows that were not objects were dropped."]);
}

#[test]
fn columns_are_capped_at_40_and_must_be_valid_and_distinct() {
    let mut columns: Vec<Value> = (0..45).map(|i| json!({"key": format!("c{i}"), "label": format!("C{i}")})).collect();
    columns.insert(1, json!({"key": "c0", "label": "again"}));
    columns.insert(2, json!({"label": "no key"}));
    columns.insert(3, json!({"key": "k".repeat(limits::MAX_ID_BYTES + 1)}));
    let (out, notices) = table(json!({"title": "Närvaro", "columns": columns, "rows": []}));
    let (columns, _) = parts(&out);
    assert_eq!(columns.len(), limits::MAX_TABLE_COLUMNS);
    assert_eq!(columns[0], TableColumn { key: "c0".into(), label: "C0".into() });
    assert_eq!(columns[39].key, "c39");
    assert_eq!(
        notices,
        ["Skriptoteket: table 'Närvaro' (outputs[0]): column `c0` is declared twice; \
          table 'Närvaro' (outputs[0]): columns[2] was ignored, it `key` is missing; \
          table 'Närvaro' (outputs[0]): columns[3] was ignored, it `key` is longer than 256 bytes; \
          table 'Närvaro' (outputs[0]) was cut to 40 columns (it had 45)."]
    );
}

#[test]
fn a_column_label_defaults_to_its_key() {
    let (out, _) = table(json!({"columns": ["namn", {"key": "b"}], "rows": []}));
    let (columns, _) = parts(&out);
    assert_eq!(columns[0], TableColumn { key: "namn".into(), label: "namn".into() });
    assert_eq!(columns[1], TableColumn { key: "b".into(), label: "b".into() });
}

#[test]
fn string_cells_are_capped_at_512_bytes() {
    let fits = "ö".repeat(256);
    let long = format!("{fits}!");
    let (out, notices) = table(json!({"columns": ["a", "b"], "rows": [{"a": fits, "b": long}, {"b": long}]}));
    let (_, rows) = parts(&out);
    assert_eq!(rows[0]["a"], json!(fits));
    let cut = rows[0]["b"].as_str().unwrap();
    assert!(cut.len() <= 512 && cut.ends_with('…'));
    assert_eq!(notices, ["Skriptoteket: table outputs[0]: 2 cells shortened to 512 bytes."]);
}

#[test]
fn cells_are_scalars_and_others_become_capped_text() {
    let nested: Vec<Value> = (0..1000).map(|i| json!({"i": i})).collect();
    let (out, notices) = table(json!({
        "columns": ["s", "n", "b", "z", "list", "obj", "big"],
        "rows": [{"s": "x", "n": 1.5, "b": false, "z": null, "list": [1, "a"], "obj": {"k": [true]}, "big": nested}]
    }));
    let row = &parts(&out).1[0];
    assert_eq!(row["s"], json!("x"));
    assert_eq!(row["n"], json!(1.5));
    assert_eq!(row["b"], json!(false));
    assert_eq!(row["z"], Value::Null);
    assert_eq!(row["list"], json!("[1,\"a\"]"));
    assert_eq!(row["obj"], json!("{\"k\":[true]}"));
    let big = row["big"].as_str().unwrap();
    assert!(big.len() <= 512 && big.starts_with("[{\"i\":0}") && big.ends_with('…'));
    assert_eq!(notices, ["Skriptoteket: table outputs[0]: 3 cells holding a list or object shown as text."]);
}

#[test]
fn malformed_tables_are_dropped() {
    for (table_json, why) in [
        (json!({"rows": []}), "`columns` is missing"),
        (json!({"columns": "a,b"}), "`columns` must be a list, not text"),
        (json!({"columns": [], "rows": {"a": 1}}), "`rows` must be a list, not an object"),
        (json!({"columns": [], "title": 7}), "`title` must be text, not a number"),
    ] {
        let mut t = table_json;
        t["kind"] = json!("table");
        let payload = parse(&result_doc(json!({ "outputs": [t] }))).ui;
        assert_eq!(system_notices(&payload), [format!("Skriptoteket: dropped 1 malformed output: outputs[0] {why}.")]);
    }
}
