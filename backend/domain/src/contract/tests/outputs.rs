//! The output allowlist and the budgets of notice, markdown, html, json and vega_lite outputs,
//! plus the per-run output count and payload size.

use super::*;

fn ui(outputs: Value) -> UiPayload {
    parse(&result_doc(json!({ "outputs": outputs }))).ui
}

#[test]
fn every_allowed_kind_passes_unchanged() {
    let outputs = json!([
        {"kind": "notice", "level": "error", "message": "Filen saknar kolumnen Namn"},
        {"kind": "markdown", "markdown": "# Rubrik"},
        {"kind": "table", "title": "Betyg", "columns": [{"key": "n", "label": "Namn"}], "rows": [{"n": "Ada"}]},
        {"kind": "json", "value": {"a": [1, 2.5, true, null]}},
        {"kind": "html_sandboxed", "html": "<p>Hej</p>"},
        {"kind": "vega_lite", "spec": {"mark": "bar", "data": {"values": [{"a": 1}]}}}
    ]);
    let payload = ui(outputs.clone());
    assert_eq!(serde_json::to_value(&payload.outputs).unwrap(), outputs);
    assert!(system_notices(&payload).is_empty());
}

#[test]
fn unknown_kinds_are_dropped_with_one_summary() {
    let payload = ui(json!([
        {"kind": "video", "src": "a"}, {"kind": "markdown", "markdown": "kvar"},
        {"kind": "video"}, {"kind": "audio"}, {"kind": "video"}
    ]));
    assert_eq!(payload.outputs.len(), 2);
    assert_eq!(
        system_notices(&payload),
        ["Skriptoteket: 3 outputs of unknown kind `video`, 1 output of unknown kind `audio` were dropped \
          (known kinds: notice, markdown, table, json, html_sandboxed, vega_lite)."]
    );
}

#[test]
fn many_unknown_kinds_are_summarised_briefly() {
    let outputs: Vec<Value> = (0..40).map(|i| json!({"kind": format!("k{i}")})).collect();
    let notices = system_notices(&ui(Value::Array(outputs))).join("");
    assert!(notices.contains("`k4`") && !notices.contains("`k5`"));
    assert!(notices.contains("35 outputs of other unknown kinds"));
}

#[test]
fn malformed_outputs_are_dropped_with_the_reason() {
    let payload = ui(json!([
        "text", {"markdown": "no kind"}, {"kind": "markdown"}, {"kind": "markdown", "markdown": 5},
        {"kind": "notice", "level": "loud", "message": "x"}, {"kind": "json", "title": "t"},
        {"kind": "vega_lite", "spec": "bar"}, {"kind": "table", "rows": []}
    ]));
    assert!(payload.outputs.len() == 1);
    let notice = system_notices(&payload)[0];
    assert!(notice.starts_with(
        "Skriptoteket: dropped 8 malformed outputs: outputs[0] must be an object, not text; \
         outputs[1] `kind` is missing; outputs[2] `markdown` is missing; \
         outputs[3] `markdown` must be text, not a number; outputs[4] has level `loud` (expected info, warning or error); \
         and 3 more."
    ), "{notice}");
    let payload = ui(json!({"kind": "markdown"}));
    assert_eq!(
        system_notices(&payload),
        ["Skriptoteket: dropped 1 malformed output: `outputs` must be a list, not an object."]
    );
}

#[test]
fn a_notice_without_level_is_info() {
    let payload = ui(json!([{"kind": "notice", "message": "Klart"}]));
    assert_eq!(payload.outputs, [UiOutput::Notice { level: NoticeLevel::Info, message: "Klart".into() }]);
}

#[test]
fn long_texts_are_cut_at_a_char_boundary_and_marked() {
    let cases = [
        ("notice", "message", limits::MAX_NOTICE_BYTES),
        ("markdown", "markdown", limits::MAX_MARKDOWN_BYTES),
        ("html_sandboxed", "html", limits::MAX_HTML_BYTES),
    ];
    for (kind, key, max) in cases {
        // "ä" is two bytes, so the budget falls inside a character at least once.
        let fits = "ä".repeat(max / 2);
        let payload = ui(json!([{ "kind": kind, key: fits }]));
        assert!(system_notices(&payload).is_empty(), "{kind} at its limit is kept");
        let long = format!("x{fits}");
        let payload = ui(json!([{ "kind": kind, key: long }]));
        let text = serde_json::to_value(&payload.outputs[0]).unwrap()[key].as_str().unwrap().to_owned();
        assert!(text.len() <= max && text.ends_with("ä…"), "{kind}: {}", text.len());
        assert_eq!(
            system_notices(&payload),
            [format!("Skriptoteket: shortened 1 long text: outputs[0] {kind} to {} KiB.", max / 1024)]
        );
    }
}

#[test]
fn json_values_are_pruned_to_depth_keys_items_and_bytes() {
    let mut deep = json!("bottom");
    for _ in 0..15 {
        deep = json!([deep]);
    }
    let payload = ui(json!([{"kind": "json", "title": "Djup", "value": deep}]));
    let UiOutput::Json { value, .. } = &payload.outputs[0] else { panic!() };
    let mut level = value;
    for _ in 0..10 {
        level = &level[0];
    }
    assert_eq!(level, &json!("…"), "the 11th container is replaced");
    assert_eq!(
        system_notices(&payload),
        ["Skriptoteket: json 'Djup' (outputs[0]) was cut: nested deeper than 10 levels."]
    );

    let keys: serde_json::Map<String, Value> = (0..1500).map(|i| (format!("k{i:04}"), json!(i))).collect();
    let items: Vec<Value> = (0..3000).map(|i| json!(i)).collect();
    let payload = ui(json!([{"kind": "json", "value": {"a": keys, "b": items}}]));
    let UiOutput::Json { value, .. } = &payload.outputs[0] else { panic!() };
    // "a" counts as a key too, before its children: 1000 keys in all leave 999 inside it.
    assert_eq!(value["a"].as_object().unwrap().len(), 999);
    assert_eq!(value["a"]["k0000"], json!(0));
    assert!(value.get("b").is_none());
    assert!(system_notices(&payload)[0].ends_with("was cut: more than 1000 keys."));

    let payload = ui(json!([{"kind": "json", "value": items}]));
    let UiOutput::Json { value, .. } = &payload.outputs[0] else { panic!() };
    assert_eq!(value.as_array().unwrap().len(), 2000);

    let big: Vec<Value> = (0..50).map(|i| json!(format!("{i}:{}", "\n\"é".repeat(1000)))).collect();
    let payload = ui(json!([{"kind": "json", "value": big}]));
    let UiOutput::Json { value, .. } = &payload.outputs[0] else { panic!() };
    let size = serde_json::to_vec(value).unwrap().len();
    assert!(size <= limits::MAX_JSON_BYTES && size > limits::MAX_JSON_BYTES - 16, "{size}");
    assert!(value.as_array().unwrap().last().unwrap().as_str().unwrap().ends_with('…'));
    assert!(system_notices(&payload)[0].ends_with("was cut: larger than 96 KiB."));
}

#[test]
fn charts_with_any_url_are_dropped() {
    let remote = [
        json!({"data": {"url": "https://evil.example/data.csv"}, "mark": "bar"}),
        json!({"layer": [{"data": {"values": []}}, {"transform": [{"lookup": "id", "from": {"data": {"URL": "x"}}}]}]}),
        json!({"datasets": {"d": {"url": "x"}}}),
        json!({"mark": "image", "encoding": {"url": {"field": "img"}}}),
    ];
    let outputs: Vec<Value> = remote.iter().map(|spec| json!({"kind": "vega_lite", "spec": spec})).collect();
    let payload = ui(Value::Array(outputs));
    assert_eq!(payload.outputs.len(), 1, "only the notice is left");
    assert_eq!(
        system_notices(&payload),
        ["Skriptoteket: dropped 4 charts (charts may only use inline data, at most 256 KiB): \
          outputs[0] loads data from a URL (`spec.data.url`); \
          outputs[1] loads data from a URL (`spec.layer[1].transform[0].from.data.URL`); \
          outputs[2] loads data from a URL (`spec.datasets.d.url`); \
          outputs[3] loads data from a URL (`spec.encoding.url`)."]
    );
}

#[test]
fn charts_over_budget_are_dropped_whole() {
    let values: Vec<Value> = (0..30_000).map(|i| json!({"x": i})).collect();
    let payload = ui(json!([{"kind": "vega_lite", "spec": {"data": {"values": values}}}]));
    assert_eq!(payload.outputs.len(), 1);
    assert!(system_notices(&payload)[0].contains("outputs[0] has a spec of 3"), "{:?}", system_notices(&payload));
}

#[test]
fn outputs_are_capped_with_room_for_the_notices() {
    let mut outputs: Vec<Value> = (0..80).map(|i| json!({"kind": "markdown", "markdown": format!("{i}")})).collect();
    outputs.push(json!({"kind": "video"}));
    let payload = ui(Value::Array(outputs));
    assert_eq!(payload.outputs.len(), limits::MAX_OUTPUTS);
    assert_eq!(payload.outputs[47], UiOutput::Markdown { markdown: "47".into() });
    assert_eq!(
        system_notices(&payload)[1],
        "Skriptoteket: only the first 48 of 80 outputs are shown (at most 50 per run, these notices included)."
    );
    // Exactly 50 with no other cut needs no notice.
    let outputs: Vec<Value> = (0..50).map(|i| json!({"kind": "markdown", "markdown": format!("{i}")})).collect();
    assert!(system_notices(&ui(Value::Array(outputs))).is_empty());
}

#[test]
fn the_whole_payload_fits_256_kib_by_dropping_from_the_end() {
    let html = "<p>".repeat(limits::MAX_HTML_BYTES / 3 - 1);
    let outputs: Vec<Value> = (0..5).map(|_| json!({"kind": "html_sandboxed", "html": html})).collect();
    let payload = ui(Value::Array(outputs));
    let size = serde_json::to_vec(&payload).unwrap().len();
    assert!(size <= limits::MAX_UI_PAYLOAD_BYTES, "{size}");
    assert_eq!(payload.outputs.len(), 3, "two html outputs and the notice");
    assert_eq!(
        system_notices(&payload),
        ["Skriptoteket: dropped the last 3 outputs to keep the result under 256 KiB."]
    );
}

#[test]
fn payload_cut_reaches_next_actions_when_outputs_are_gone() {
    // Twenty fields with 100 long option labels each: over the payload budget on its own.
    let options: Vec<Value> = (0..100).map(|i| json!({"value": format!("{i}"), "label": "x".repeat(140)})).collect();
    let fields: Vec<Value> =
        (0..20).map(|i| json!({"name": format!("f{i}"), "kind": "enum", "options": options})).collect();
    let actions = json!([{"action_id": "small", "label": "Ok"}, {"action_id": "big", "label": "Go", "fields": fields}]);
    let doc = result_doc(
        json!({"outputs": [{"kind": "markdown", "markdown": "hej"}], "next_actions": actions, "state": {"k": 1}}),
    );
    let payload = parse(&doc).ui;
    assert!(serde_json::to_vec(&payload).unwrap().len() <= limits::MAX_UI_PAYLOAD_BYTES);
    assert_eq!(payload.next_actions.len(), 1);
    assert_eq!(payload.next_actions[0].action_id, "small");
    assert_eq!(payload.state, Some(json!({"k": 1})));
    assert_eq!(
        system_notices(&payload),
        ["Skriptoteket: dropped the last output and the last next action to keep the result under 256 KiB."]
    );
}
