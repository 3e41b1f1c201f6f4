//! Same input, same output; normalising what was normalised changes nothing; the JSON shape
//! of the types is the one SPEC §5 shows.

use super::*;

/// A document that triggers most kinds of cut at once.
fn messy() -> Value {
    let rows: Vec<Value> = (0..800).map(|i| json!({"n": i, "s": "x".repeat(600), "l": [i]})).collect();
    let columns: Vec<Value> =
        (0..45).map(|i| json!(format!("c{i}"))).chain([json!("n"), json!("s"), json!("l")]).collect();
    let mut outputs = vec![
        json!({"kind": "table", "title": "Betyg", "columns": columns, "rows": rows}),
        json!({"kind": "video"}),
        json!({"kind": "markdown", "markdown": "å".repeat(40_000)}),
        json!({"kind": "json", "value": {"deep": [[[[[[[[[[[["x"]]]]]]]]]]]]}}),
        json!({"kind": "vega_lite", "spec": {"data": {"url": "https://x"}}}),
        json!(42),
    ];
    outputs.extend((0..60).map(|i| json!({"kind": "notice", "message": format!("n{i}")})));
    let actions: Vec<Value> = (0..12)
        .map(|i| json!({"action_id": format!("a{}", i % 11), "fields": [{"name": "x", "kind": "integer"}], "prefill": {"x": "no"}}))
        .collect();
    result_doc(json!({"outputs": outputs, "next_actions": actions, "state": [1], "error_summary": 5}))
}

#[test]
fn normalising_twice_gives_identical_results() {
    let bytes = serde_json::to_vec(&messy()).unwrap();
    let first = parse_result(&bytes).unwrap();
    let second = parse_result(&bytes).unwrap();
    assert_eq!(first, second);
    assert_eq!(serde_json::to_vec(&first).unwrap(), serde_json::to_vec(&second).unwrap());

    let notices = system_notices(&first.ui);
    assert_eq!(first.ui.outputs.len(), limits::MAX_OUTPUTS);
    assert_eq!(notices.len(), 12, "{notices:#?}");
    assert!(notices.iter().all(|n| n.len() <= limits::MAX_NOTICE_BYTES));
}

#[test]
fn normalised_payloads_are_a_fixed_point() {
    let once = parse(&messy()).ui;
    let Value::Object(raw) = serde_json::to_value(&once).unwrap() else { panic!() };
    assert_eq!(normalize(&raw), once);
}

#[test]
fn normalize_accepts_any_object_and_ignores_other_keys() {
    let raw = json!({"outputs": [{"kind": "markdown", "markdown": "hej"}], "whatever": 1});
    let payload = normalize(raw.as_object().unwrap());
    assert_eq!(payload.outputs, [UiOutput::Markdown { markdown: "hej".into() }]);
    assert_eq!(normalize(&serde_json::Map::new()), UiPayload::default());
}

#[test]
fn values_built_in_code_may_nest_deeper_than_the_parser_allows() {
    // The parser stops at 128 levels; normalize must be safe on hand-built values too.
    let mut deep = json!(1);
    for _ in 0..500 {
        deep = json!([deep]);
    }
    let raw = json!({"outputs": [{"kind": "json", "value": deep}], "state": {"d": deep}});
    let payload = normalize(raw.as_object().unwrap());
    assert_eq!(payload.state, None);
    assert_eq!(system_notices(&payload).len(), 2);
    // Dropping a 500-deep value recurses; that is fine at this depth.
}

#[test]
fn results_serialize_in_the_result_json_shape() {
    let result = parse(&result_doc(json!({
        "outputs": [{"kind": "table", "columns": [{"key": "a", "label": "A"}], "rows": [{"a": 1}]}],
        "next_actions": [{"action_id": "go", "label": "Kör", "fields": [{"name": "k", "kind": "multi_enum", "label": "K", "options": ["x"]}]}],
        "state": {"s": 1},
        "artifacts": [{"path": "output/a.csv", "bytes": 3}]
    })));
    assert_eq!(
        serde_json::to_value(&result).unwrap(),
        json!({
            "status": "succeeded", "error_summary": null,
            "outputs": [{"kind": "table", "columns": [{"key": "a", "label": "A"}], "rows": [{"a": 1}]}],
            "next_actions": [{"action_id": "go", "label": "Kör", "kind": "form", "fields": [
                {"name": "k", "kind": "multi_enum", "label": "K", "required": false, "options": [{"value": "x", "label": "x"}]}
            ]}],
            "state": {"s": 1},
            "artifacts": [{"path": "output/a.csv", "bytes": 3}]
        })
    );
    let back: ToolResult = serde_json::from_value(serde_json::to_value(&result).unwrap()).unwrap();
    assert_eq!(back, result);
}

#[test]
fn every_output_kind_has_its_snake_case_tag() {
    let kinds: Vec<String> = [
        UiOutput::Notice { level: NoticeLevel::Warning, message: String::new() },
        UiOutput::Markdown { markdown: String::new() },
        UiOutput::Table { title: None, columns: vec![], rows: vec![] },
        UiOutput::Json { title: Some("t".into()), value: Value::Null },
        UiOutput::HtmlSandboxed { html: String::new() },
        UiOutput::VegaLite { spec: json!({}) },
    ]
    .iter()
    .map(|o| serde_json::to_value(o).unwrap()["kind"].as_str().unwrap().to_owned())
    .collect();
    assert_eq!(kinds, ["notice", "markdown", "table", "json", "html_sandboxed", "vega_lite"]);
}

#[cfg(feature = "openapi")]
#[test]
fn the_types_document_themselves() {
    use utoipa::PartialSchema;
    let schema = serde_json::to_value(ToolResult::schema()).unwrap().to_string();
    assert!(schema.contains("#/components/schemas/UiPayload"), "{schema}");
    let output = serde_json::to_value(UiOutput::schema()).unwrap().to_string();
    assert!(output.contains("html_sandboxed") && output.contains("vega_lite"), "{output}");
}
