//! next_actions, their fields and prefill, and state.

use super::*;

fn actions(next_actions: Value) -> (Vec<NextAction>, Vec<String>) {
    let payload = parse(&result_doc(json!({ "next_actions": next_actions }))).ui;
    let notices = system_notices(&payload).into_iter().map(str::to_owned).collect();
    (payload.next_actions, notices)
}

#[test]
fn a_full_action_is_kept_as_declared() {
    let declared = json!([{
        "action_id": "grade", "label": "Sätt betyg", "kind": "form",
        "fields": [
            {"name": "elev", "kind": "string", "label": "Elev", "required": true, "max_length": 80, "help": "Förnamn"},
            {"name": "poäng", "kind": "integer", "label": "Poäng", "required": false, "min": 0.0, "max": 100.0},
            {"name": "betyg", "kind": "enum", "label": "Betyg", "required": false, "options": [{"value": "A", "label": "A"}, {"value": "F", "label": "F"}]},
            {"name": "klar", "kind": "boolean", "label": "Klar", "required": false}
        ],
        "prefill": {"elev": "Ada", "betyg": "A"}
    }]);
    let (kept, notices) = actions(declared.clone());
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(serde_json::to_value(&kept).unwrap(), declared);
}

#[test]
fn defaults_fill_in_what_is_optional() {
    let (kept, _) = actions(json!([{"action_id": "next", "fields": [{"name": "n", "kind": "text"}]}]));
    assert_eq!(kept[0].label, "next");
    assert_eq!(kept[0].kind, ActionKind::Form);
    assert_eq!(kept[0].fields[0], ActionField::new("n", FieldKind::Text, "n"));
    assert_eq!(kept[0].prefill, None);
}

#[test]
fn duplicate_action_ids_keep_the_first() {
    let (kept, notices) = actions(json!([
        {"action_id": "a", "label": "first"}, {"action_id": "b", "label": "B"}, {"action_id": "a", "label": "second"}
    ]));
    let labels: Vec<&str> = kept.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["first", "B"]);
    assert_eq!(
        notices,
        ["Skriptoteket: dropped 1 next action whose action_id was already used: `a` (next_actions[2])."]
    );
}

#[test]
fn at_most_ten_actions_are_offered() {
    let mut declared: Vec<Value> = (0..14).map(|i| json!({"action_id": format!("a{i}"), "label": "x"})).collect();
    // Problems past the cap are not worth a notice of their own.
    declared.push(json!({"action_id": "bad", "fields": [{"name": "f", "kind": "date"}]}));
    let (kept, notices) = actions(Value::Array(declared));
    assert_eq!(kept.len(), limits::MAX_NEXT_ACTIONS);
    assert_eq!(kept[9].action_id, "a9");
    assert_eq!(notices, ["Skriptoteket: only the first 10 of 15 next actions are offered."]);
}

#[test]
fn malformed_actions_are_dropped() {
    let (kept, notices) = actions(json!([
        {"label": "no id"}, {"action_id": " "}, {"action_id": "x".repeat(300)}, {"action_id": "w", "kind": "wizard"},
        {"action_id": "f", "fields": {"name": "a"}}, 7, {"action_id": "ok"}
    ]));
    assert_eq!(kept.len(), 1);
    assert_eq!(
        notices,
        ["Skriptoteket: dropped 6 malformed next actions: next_actions[0] `action_id` is missing; \
          next_actions[1] `action_id` is empty; next_actions[2] `action_id` is longer than 256 bytes; \
          next_actions[3] has kind `wizard` (only `form` is supported); \
          next_actions[4] `fields` must be a list, not an object; and 1 more."]
    );
    let (_, notices) = actions(json!("go"));
    assert_eq!(notices, ["Skriptoteket: dropped 1 malformed next action: `next_actions` must be a list, not text."]);
}

#[test]
fn malformed_fields_are_dropped_and_the_action_kept() {
    let (kept, notices) = actions(json!([{"action_id": "a", "fields": [
        {"name": "ok", "kind": "number"},
        {"name": "ok", "kind": "text"},
        {"name": "d", "kind": "date"},
        {"name": "e", "kind": "enum", "options": []},
        {"name": "r", "kind": "string", "required": "yes"},
        {"name": "m", "kind": "integer", "min": 5, "max": 1},
        {"name": "l", "kind": "text", "max_length": -1},
        {"kind": "string"}
    ]}]));
    assert_eq!(kept[0].fields.len(), 1);
    let notice = &notices[0];
    assert!(notice.starts_with(
        "Skriptoteket: dropped 7 malformed form fields: action `a` fields[1]: the name `ok` is already used; \
         action `a` fields[2] has unknown kind `date` (expected string, text, integer, number, boolean, enum, multi_enum); \
         action `a` fields[3] has no valid options; action `a` fields[4] `required` must be true or false, not text; \
         action `a` fields[5] has `min` greater than `max`; and 2 more."
    ), "{notice}");
}

#[test]
fn attributes_that_do_not_apply_are_ignored() {
    let (kept, notices) = actions(json!([{"action_id": "a", "fields": [
        {"name": "t", "kind": "text", "min": 1, "options": ["x"]},
        {"name": "n", "kind": "number", "max_length": 3}
    ]}]));
    assert!(notices.is_empty());
    assert_eq!(kept[0].fields[0], ActionField::new("t", FieldKind::Text, "t"));
    assert_eq!(kept[0].fields[1], ActionField::new("n", FieldKind::Number, "n"));
}

#[test]
fn fields_are_capped_at_25_and_options_at_100() {
    let options: Vec<Value> = (0..120).map(|i| json!(format!("o{i}"))).collect();
    let mut fields: Vec<Value> = (0..30).map(|i| json!({"name": format!("f{i}"), "kind": "text"})).collect();
    fields[0] = json!({"name": "f0", "kind": "multi_enum", "options": options});
    let (kept, notices) = actions(json!([{"action_id": "a", "fields": fields}]));
    assert_eq!(kept[0].fields.len(), limits::MAX_FIELDS_PER_ACTION);
    assert_eq!(kept[0].fields[0].options.len(), limits::MAX_ENUM_OPTIONS);
    assert_eq!(kept[0].fields[0].options[0], EnumOption { value: "o0".into(), label: "o0".into() });
    assert_eq!(
        notices,
        [
            "Skriptoteket: action `a` was cut to 25 fields (it had 30).",
            "Skriptoteket: action `a` field `f0` was cut to 100 options (it had 120)."
        ]
    );
}

#[test]
fn bad_and_duplicate_options_are_dropped() {
    let (kept, notices) = actions(json!([{"action_id": "a", "fields": [{"name": "e", "kind": "enum", "options": [
        {"value": "A", "label": "Bra"}, "A", {"label": "no value"}, 3, {"value": "v".repeat(600)}, {"value": "B"}
    ]}]}]));
    let values: Vec<&str> = kept[0].fields[0].options.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(values, ["A", "B"]);
    assert_eq!(kept[0].fields[0].options[0].label, "Bra");
    assert!(
        notices[0].starts_with("Skriptoteket: action `a` field `e`: option `A` is listed twice; "),
        "{}",
        notices[0]
    );
    assert!(notices[0].contains("options[4] was ignored, it has a value longer than 512 bytes"));
}

#[test]
fn prefill_values_that_do_not_fit_are_dropped_one_by_one() {
    let (kept, notices) = actions(json!([{"action_id": "a", "fields": [
        {"name": "age", "kind": "integer", "min": 0},
        {"name": "grade", "kind": "enum", "options": ["A", "B"]},
        {"name": "tags", "kind": "multi_enum", "options": ["x", "y"]},
        {"name": "name", "kind": "string", "max_length": 3},
        {"name": "ok", "kind": "boolean"}
    ], "prefill": {"age": 12.5, "grade": "C", "tags": ["x", "x"], "name": "Alexandra", "ok": true, "ghost": 1, "nothing": null}}]));
    assert_eq!(kept[0].prefill, Some(json!({"ok": true}).as_object().unwrap().clone()));
    assert_eq!(
        notices,
        [
            "Skriptoteket: dropped 5 prefilled values that did not fit the field: action `a`: `age` must be a whole number; \
          action `a`: `ghost` is not one of its fields; action `a`: `grade` must be one of the offered options; \
          action `a`: `name` must be at most 3 characters; action `a`: `tags` must not choose the same option twice."
        ]
    );
    let (kept, notices) = actions(json!([{"action_id": "a", "prefill": [1]}]));
    assert_eq!(kept[0].prefill, None);
    assert_eq!(
        notices,
        [
            "Skriptoteket: dropped 1 prefilled value that did not fit the field: action `a`: prefill must be an object, not a list."
        ]
    );
}

#[test]
fn prefill_is_cleaned_like_submitted_input() {
    let (kept, _) =
        actions(json!([{"action_id": "a", "fields": [{"name": "n", "kind": "integer"}], "prefill": {"n": 4.0}}]));
    assert_eq!(kept[0].prefill.as_ref().unwrap()["n"], json!(4));
}

#[test]
fn state_must_be_a_small_object_or_null() {
    let state = |s: Value| parse(&result_doc(json!({ "state": s }))).ui;
    assert_eq!(state(json!({"step": 2})).state, Some(json!({"step": 2})));
    assert_eq!(state(Value::Null).state, None);

    let payload = state(json!([1, 2]));
    assert_eq!(payload.state, None);
    assert_eq!(
        system_notices(&payload),
        ["Skriptoteket: state was dropped: it must be an object or null, not a list."]
    );

    let fits = json!({ "s": "x".repeat(limits::MAX_STATE_BYTES - 8) });
    assert_eq!(serde_json::to_vec(&fits).unwrap().len(), limits::MAX_STATE_BYTES);
    assert!(state(fits).state.is_some());
    let payload = state(json!({ "s": "x".repeat(limits::MAX_STATE_BYTES) }));
    assert_eq!(payload.state, None);
    assert_eq!(
        system_notices(&payload),
        ["Skriptoteket: state was dropped: it is 64.1 KiB and may be at most 64 KiB."]
    );
}
