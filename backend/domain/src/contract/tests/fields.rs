//! Validating submitted values against form fields.

use super::*;

fn field(name: &str, kind: FieldKind) -> ActionField {
    ActionField::new(name, kind, name)
}

fn with_options(mut f: ActionField, values: &[&str]) -> ActionField {
    f.options = values.iter().map(|v| EnumOption { value: (*v).into(), label: (*v).into() }).collect();
    f
}

fn form() -> Vec<ActionField> {
    let mut name = field("name", FieldKind::String);
    name.required = true;
    name.max_length = Some(5);
    let mut age = field("age", FieldKind::Integer);
    age.min = Some(0.0);
    age.max = Some(120.0);
    let mut score = field("score", FieldKind::Number);
    score.min = Some(-1.5);
    vec![
        name,
        age,
        score,
        field("notes", FieldKind::Text),
        field("ok", FieldKind::Boolean),
        with_options(field("grade", FieldKind::Enum), &["A", "B"]),
        with_options(field("tags", FieldKind::MultiEnum), &["x", "y", "z"]),
    ]
}

fn issues(input: Value) -> Vec<(String, String)> {
    validate_fields(&form(), &input).expect_err("should be refused").into_iter().map(|i| (i.field, i.message)).collect()
}

fn issue(field: &str, message: &str) -> (String, String) {
    (field.to_owned(), message.to_owned())
}

#[test]
fn valid_input_is_returned_cleaned() {
    let input = json!({
        "name": "Åsa", "age": 42.0, "score": -1.5, "notes": "", "ok": false,
        "grade": "B", "tags": ["z", "x"], "ghost_but_null": null
    });
    let clean = validate_fields(&form()[..], &input).map_err(|e| format!("{e:?}"));
    // Unknown keys are refused even when null.
    assert!(clean.is_err());
    let mut input = input;
    input.as_object_mut().unwrap().remove("ghost_but_null");
    let clean = validate_fields(&form(), &input).unwrap();
    assert_eq!(
        Value::Object(clean),
        json!({"name": "Åsa", "age": 42, "score": -1.5, "notes": "", "ok": false, "grade": "B", "tags": ["z", "x"]})
    );
}

#[test]
fn optional_fields_may_be_missing_or_null() {
    let clean = validate_fields(&form(), &json!({"name": "Bo", "age": null})).unwrap();
    assert_eq!(Value::Object(clean), json!({"name": "Bo"}));
}

#[test]
fn the_input_must_be_an_object() {
    for input in [json!([]), json!("x"), Value::Null] {
        assert_eq!(issues(input), [issue("", "the input must be a JSON object")]);
    }
}

#[test]
fn required_fields_must_be_given() {
    assert_eq!(issues(json!({})), [issue("name", "is required")]);
    assert_eq!(issues(json!({"name": null})), [issue("name", "is required")]);
    assert_eq!(issues(json!({"name": "   "})), [issue("name", "is required")]);
    let mut tags = with_options(field("tags", FieldKind::MultiEnum), &["x"]);
    tags.required = true;
    assert!(validate_fields(&[tags.clone()], &json!({"tags": []})).is_err());
    assert!(validate_fields(&[tags], &json!({"tags": ["x"]})).is_ok());
}

#[test]
fn each_kind_refuses_the_wrong_type() {
    let got = issues(json!({
        "name": 5, "age": "3", "score": "1.0", "notes": ["a"], "ok": "true", "grade": 1, "tags": "x"
    }));
    assert_eq!(
        got,
        [
            issue("name", "must be text"),
            issue("age", "must be a whole number"),
            issue("score", "must be a number"),
            issue("notes", "must be text"),
            issue("ok", "must be true or false"),
            issue("grade", "must be one of the offered options"),
            issue("tags", "must be a list of the offered options"),
        ]
    );
}

#[test]
fn integers_must_be_whole_and_within_bounds() {
    assert_eq!(issues(json!({"name": "a", "age": 1.5})), [issue("age", "must be a whole number")]);
    assert_eq!(issues(json!({"name": "a", "age": -1})), [issue("age", "must be at least 0")]);
    assert_eq!(issues(json!({"name": "a", "age": 121})), [issue("age", "must be at most 120")]);
    assert_eq!(issues(json!({"name": "a", "age": 1e300})), [issue("age", "must be a whole number")]);
    assert!(validate_fields(&form(), &json!({"name": "a", "age": 120})).is_ok());
    assert!(validate_fields(&[field("big", FieldKind::Integer)], &json!({"big": u64::MAX})).is_err());
}

#[test]
fn numbers_respect_fractional_bounds() {
    assert_eq!(issues(json!({"name": "a", "score": -2})), [issue("score", "must be at least -1.5")]);
}

#[test]
fn text_length_counts_characters_not_bytes() {
    assert!(validate_fields(&form(), &json!({"name": "ÅÄÖåä"})).is_ok());
    assert_eq!(issues(json!({"name": "ÅÄÖåäö"})), [issue("name", "must be at most 5 characters")]);
}

#[test]
fn enum_values_must_be_offered_options() {
    assert_eq!(issues(json!({"name": "a", "grade": "C"})), [issue("grade", "must be one of the offered options")]);
    assert_eq!(
        issues(json!({"name": "a", "tags": ["x", "w"]})),
        [issue("tags", "must only contain the offered options")]
    );
    assert_eq!(
        issues(json!({"name": "a", "tags": ["x", "x"]})),
        [issue("tags", "must not choose the same option twice")]
    );
}

#[test]
fn unknown_fields_are_refused_in_sorted_order() {
    assert_eq!(
        issues(json!({"name": "a", "zeta": 1, "alpha": 2})),
        [issue("alpha", "is not a field of this form"), issue("zeta", "is not a field of this form")]
    );
}

#[test]
fn all_issues_are_reported_at_once_in_field_order() {
    assert_eq!(
        issues(json!({"age": -5, "grade": "Q", "extra": true})),
        [
            issue("name", "is required"),
            issue("age", "must be at least 0"),
            issue("grade", "must be one of the offered options"),
            issue("extra", "is not a field of this form"),
        ]
    );
}

#[test]
fn action_input_is_checked_against_that_action() {
    let action = NextAction {
        action_id: "grade".into(),
        label: "Betygsätt".into(),
        kind: ActionKind::Form,
        fields: form(),
        prefill: None,
    };
    assert!(validate_action_input(&action, &json!({"name": "Ada"})).is_ok());
    assert!(validate_action_input(&action, &json!({"name": "Ada", "x": 1})).is_err());
    let button = NextAction { fields: Vec::new(), ..action };
    assert!(validate_action_input(&button, &json!({})).unwrap().is_empty());
}
