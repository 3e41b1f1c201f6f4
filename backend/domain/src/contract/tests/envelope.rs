//! The envelope of result.json: what makes a run fail with a clear error, and what is only
//! noted (error summary, declared artifacts).

use super::*;

fn err(bytes: &[u8]) -> ContractError {
    parse_result(bytes).expect_err("should be refused")
}

#[test]
fn a_minimal_result_parses() {
    let result = parse(&json!({ "contract_version": 2, "status": "failed", "error_summary": "Fel i filen" }));
    assert_eq!(result.status, ToolStatus::Failed);
    assert_eq!(result.error_summary.as_deref(), Some("Fel i filen"));
    assert_eq!(result.ui, UiPayload::default());
    assert!(result.artifacts.is_empty());
}

#[test]
fn every_status_is_understood() {
    for (name, status) in
        [("succeeded", ToolStatus::Succeeded), ("failed", ToolStatus::Failed), ("timed_out", ToolStatus::TimedOut)]
    {
        assert_eq!(parse(&json!({ "contract_version": 2, "status": name })).status, status);
    }
}

#[test]
fn empty_or_blank_files_are_refused() {
    assert_eq!(err(b""), ContractError::Empty);
    assert_eq!(err(b" \n\t "), ContractError::Empty);
    assert_eq!(err(b"\xEF\xBB\xBF"), ContractError::Empty);
    assert_eq!(ContractError::Empty.code(), "result_empty");
    assert!(ContractError::Missing.to_string().contains("result.json is missing"));
}

#[test]
fn files_over_one_mib_are_refused_before_parsing() {
    // Not even JSON: the size check must come first.
    let big = vec![b'x'; limits::MAX_RESULT_FILE_BYTES + 1];
    let e = err(&big);
    assert_eq!(e, ContractError::TooLarge { bytes: limits::MAX_RESULT_FILE_BYTES + 1 });
    assert_eq!(e.to_string(), "The tool's result.json is too large (1.1 MiB); it may be at most 1 MiB.");
    assert_eq!(e.code(), "result_too_large");

    // Exactly at the limit is fine (padding with whitespace keeps it valid JSON).
    let mut doc = br#"{"contract_version":2,"status":"succeeded"}"#.to_vec();
    doc.resize(limits::MAX_RESULT_FILE_BYTES, b' ');
    assert!(parse_result(&doc).is_ok());
}

#[test]
fn invalid_json_names_line_and_column() {
    let e = err(b"{\n  \"contract_version\": 2,\n  \"status\": \"succeeded\",\n}");
    assert_eq!(e.code(), "result_not_json");
    assert_eq!(e.to_string(), "The tool's result.json is not valid JSON: trailing comma (line 4, column 1).");
    let ContractError::NotJson { line, .. } = err(b"{\"a\": tru}") else { panic!() };
    assert_eq!(line, 1);
    assert!(matches!(err(b"{\"a\": 1"), ContractError::NotJson { .. }));
    assert!(matches!(err(b"\xff\xfe{}"), ContractError::NotJson { .. }));
    assert!(matches!(err(b"{\"s\": \"\xc3\x28\"}"), ContractError::NotJson { .. }));
    assert!(matches!(err(b"NaN"), ContractError::NotJson { .. }));
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
        let doc = format!("{}{}", open.repeat(10_000), close.repeat(10_000));
        let e = err(doc.as_bytes());
        assert_eq!(e.code(), "result_too_deep", "{e}");
        assert!(e.to_string().contains("nests too deeply"));
    }
    // Even inside an otherwise valid envelope.
    let doc = format!(
        r#"{{"contract_version":2,"status":"succeeded","state":{}1{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_eq!(err(doc.as_bytes()).code(), "result_too_deep");
}

#[test]
fn a_document_that_is_not_an_object_is_refused() {
    assert_eq!(err(b"[]"), ContractError::NotObject { found: "a list" });
    assert_eq!(err(b"\"hello\"").to_string(), "The tool's result.json must be a JSON object, not text.");
    assert_eq!(err(b"null").code(), "result_not_object");
}

#[test]
fn contract_version_must_be_2() {
    assert_eq!(err(br#"{"status":"succeeded"}"#), ContractError::MissingVersion);
    assert_eq!(err(br#"{"contract_version":null,"status":"succeeded"}"#), ContractError::MissingVersion);
    let e = err(br#"{"contract_version":1,"status":"succeeded"}"#);
    assert_eq!(e.to_string(), "The tool's result.json has contract_version 1; Skriptoteket expects version 2.");
    assert_eq!(e.code(), "result_wrong_version");
    for bad in [r#""2""#, "2.5", "-2", "[2]", "3"] {
        let doc = format!(r#"{{"contract_version":{bad},"status":"succeeded"}}"#);
        assert!(matches!(err(doc.as_bytes()), ContractError::WrongVersion { .. }), "{bad}");
    }
    let ContractError::WrongVersion { found } = err(br#"{"contract_version":"v2","status":"x"}"#) else { panic!() };
    assert_eq!(found, r#""v2""#);
}

#[test]
fn status_must_be_known() {
    assert_eq!(err(br#"{"contract_version":2}"#), ContractError::MissingStatus);
    let e = err(br#"{"contract_version":2,"status":"done"}"#);
    assert_eq!(
        e.to_string(),
        "The tool's result.json has the unknown status \"done\" (expected succeeded, failed or timed_out)."
    );
    assert_eq!(e.code(), "result_bad_status");
    assert!(matches!(err(br#"{"contract_version":2,"status":"SUCCEEDED"}"#), ContractError::BadStatus { .. }));
    assert!(matches!(err(br#"{"contract_version":2,"status":1}"#), ContractError::BadStatus { .. }));
}

#[test]
fn a_leading_bom_is_accepted() {
    let mut doc = b"\xEF\xBB\xBF".to_vec();
    doc.extend_from_slice(br#"{"contract_version":2,"status":"succeeded"}"#);
    assert!(parse_result(&doc).is_ok());
}

#[test]
fn error_summary_is_capped_and_must_be_text() {
    let long = "å".repeat(limits::MAX_ERROR_SUMMARY_BYTES);
    let result = parse(&result_doc(json!({ "error_summary": long })));
    let summary = result.error_summary.unwrap();
    assert!(summary.len() <= limits::MAX_ERROR_SUMMARY_BYTES && summary.ends_with('…'));
    assert_eq!(system_notices(&result.ui), ["Skriptoteket: the error summary was shortened to 20 KiB."]);

    let result = parse(&result_doc(json!({ "error_summary": {"trace": 1} })));
    assert_eq!(result.error_summary, None);
    assert_eq!(
        system_notices(&result.ui),
        ["Skriptoteket: the error summary was ignored: it must be text, not an object."]
    );
    assert_eq!(parse(&result_doc(json!({ "error_summary": "  " }))).error_summary, None);
}

#[test]
fn declared_artifacts_keep_only_safe_distinct_paths() {
    let doc = result_doc(json!({ "artifacts": [
        {"path": "output/report.pdf", "bytes": 120_000},
        {"path": "output/report.pdf", "bytes": 1},
        {"path": "/etc/passwd", "bytes": 1},
        {"path": "output/../../x", "bytes": 1},
        {"path": "output//x", "bytes": 1},
        {"path": "output\\x", "bytes": 1},
        {"path": "output/a\nb", "bytes": 1},
        {"path": "output/neg", "bytes": -1},
        {"path": "output/nobytes"},
        "output/plain.txt",
        {"path": "betyg/klass 7A.xlsx", "bytes": 0}
    ]}));
    let result = parse(&doc);
    let paths: Vec<&str> = result.artifacts.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(paths, ["output/report.pdf", "betyg/klass 7A.xlsx"]);
    assert_eq!(result.artifacts[0].bytes, 120_000);
    let notices = system_notices(&result.ui);
    assert_eq!(notices.len(), 1);
    assert!(notices[0].starts_with("Skriptoteket: ignored 9 declared artifacts: `output/report.pdf` is listed twice;"));
    assert!(notices[0].ends_with("and 4 more."), "{}", notices[0]);
}

#[test]
fn declared_artifacts_are_capped() {
    let many: Vec<Value> = (0..105).map(|i| json!({"path": format!("output/{i}.txt"), "bytes": i})).collect();
    let result = parse(&result_doc(json!({ "artifacts": many })));
    assert_eq!(result.artifacts.len(), limits::MAX_DECLARED_ARTIFACTS);
    assert_eq!(
        system_notices(&result.ui),
        ["Skriptoteket: ignored 5 declared artifacts: only the first 100 are kept (5×)."]
    );
    let result = parse(&result_doc(json!({ "artifacts": "output/x" })));
    assert!(result.artifacts.is_empty());
    assert_eq!(system_notices(&result.ui).len(), 1);
}

/// Hand-made nasty documents: none may panic, and each either fails cleanly or yields a
/// payload within budget.
#[test]
fn junk_never_panics_and_always_fits() {
    let deep_state = format!(
        r#"{{"contract_version":2,"status":"succeeded","state":{}{}}}"#,
        "{\"a\":".repeat(127),
        "}".repeat(127)
    );
    let junk: Vec<Vec<u8>> = vec![
        b"{".to_vec(),
        b"\0\0\0".to_vec(),
        b"{\"contract_version\":2,\"status\":\"succeeded\",\"outputs\":[null,1,\"x\",[],{},{\"kind\":null},{\"kind\":[1]}]}".to_vec(),
        br#"{"contract_version":2,"status":"failed","outputs":{"kind":"markdown"},"next_actions":"go","state":[1]}"#.to_vec(),
        br#"{"contract_version":2,"status":"succeeded","outputs":[{"kind":"table","columns":[{"key":""},{"key":1},null],"rows":[1,[],{"":2}]}]}"#.to_vec(),
        br#"{"contract_version":2,"status":"succeeded","next_actions":[{"action_id":"a","fields":[{"name":"e","kind":"enum","options":[]}],"prefill":[1]}]}"#.to_vec(),
        br#"{"contract_version":2,"status":"succeeded","outputs":[{"kind":"json","value":1e308},{"kind":"json","value":-0.0},{"kind":"json","value":18446744073709551615}]}"#.to_vec(),
        br#"{"contract_version":2,"status":"succeeded","contract_version":3}"#.to_vec(),
        deep_state.into_bytes(),
        format!(r#"{{"contract_version":2,"status":"succeeded","outputs":[{}]}}"#, vec![r#"{"kind":"json","value":"\u0000\u0001\"\\"}"#; 5000].join(",")).into_bytes(),
    ];
    for doc in junk {
        match parse_result(&doc) {
            Err(e) => assert!(!e.to_string().is_empty()),
            Ok(result) => {
                let size = serde_json::to_vec(&result.ui).unwrap().len();
                assert!(size <= limits::MAX_UI_PAYLOAD_BYTES);
                assert!(result.ui.outputs.len() <= limits::MAX_OUTPUTS);
                // Normalised output must survive a round trip through its own types.
                let back: UiPayload = serde_json::from_slice(&serde_json::to_vec(&result.ui).unwrap()).unwrap();
                assert_eq!(back, result.ui);
            }
        }
    }
}

#[test]
fn the_wrapper_code_is_read_from_an_allowlist() {
    let with = |code: Value| parse(&json!({ "contract_version": 2, "status": "failed", "error_code": code }));
    assert_eq!(with(json!("tool_error")).error_code, Some(crate::run_error::ErrorCode::ToolError));
    assert_eq!(with(json!("out_of_memory")).error_code, Some(crate::run_error::ErrorCode::OutOfMemory));
    // Only the host decides timeouts, cancels and engine failures; junk is ignored.
    for junk in [json!("timed_out"), json!("cancelled"), json!("output_cut"), json!("boom"), json!(3), Value::Null] {
        assert_eq!(with(junk.clone()).error_code, None, "{junk}");
    }
}

#[test]
fn skipped_files_are_read_leniently() {
    use crate::run_error::FileCap;
    let with =
        |v: Value| parse(&json!({ "contract_version": 2, "status": "succeeded", "skipped_files": v })).skipped_files;
    let read = with(json!({ "count": 3, "reasons": ["sparse", "file_size", "sparse", "made_up", 7] })).unwrap();
    assert_eq!(read.count, 3);
    assert_eq!(read.reasons, [FileCap::FileSize, FileCap::Sparse]);
    assert_eq!(with(json!({ "count": 0, "reasons": [] })), None);
    assert_eq!(with(json!({ "count": "3" })), None);
    assert_eq!(with(json!([1])), None);
    assert_eq!(with(json!({ "count": 2 })).unwrap().reasons, []);
}
