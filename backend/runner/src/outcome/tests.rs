//! Every way a run can end maps to a clear status and message.

use super::*;
use crate::output_tar::StoredArtifact;

fn collected(ending: Ending, result: Option<&str>) -> Collected {
    Collected {
        ending,
        bundle: OutputBundle { result_json: result.map(|r| r.as_bytes().to_vec()), ..Default::default() },
        stdout: "out".into(),
        stderr: String::new(),
        limits: RunLimits::default(),
        duration: Duration::from_millis(5),
    }
}

fn exited(code: i64) -> Ending {
    Ending::Exited { exit_code: Some(code), oom_killed: false }
}

const OK: &str = r##"{"contract_version":2,"status":"succeeded","error_summary":null,
  "outputs":[{"kind":"markdown","markdown":"# Hej"}],"next_actions":[],"state":null,"artifacts":[]}"##;

#[test]
fn a_good_result_succeeds_with_its_outputs() {
    let e = assemble(collected(exited(0), Some(OK)));
    assert_eq!(e.status, ExecutionStatus::Succeeded);
    assert_eq!(e.error_summary, None);
    assert_eq!(e.ui.outputs, vec![UiOutput::Markdown { markdown: "# Hej".into() }]);
    assert_eq!(e.exit_code, Some(0));
}

#[test]
fn a_tool_failure_keeps_its_summary() {
    let r = r#"{"contract_version":2,"status":"failed","error_summary":"Filen saknar kolumnen Betyg","outputs":[],"next_actions":[],"state":null,"artifacts":[]}"#;
    let e = assemble(collected(exited(0), Some(r)));
    assert_eq!(e.status, ExecutionStatus::Failed);
    assert_eq!(e.error_summary.as_deref(), Some("Filen saknar kolumnen Betyg"));
}

#[test]
fn missing_junk_and_wrong_version_results_fail_clearly() {
    let missing = assemble(collected(exited(0), None));
    assert_eq!(missing.status, ExecutionStatus::Failed);
    assert!(missing.error_summary.unwrap().contains("without a result"));
    for junk in ["not json", "[]", r#"{"contract_version":1,"status":"succeeded"}"#] {
        let e = assemble(collected(exited(0), Some(junk)));
        assert_eq!(e.status, ExecutionStatus::Failed, "{junk}");
        assert!(e.error_summary.is_some_and(|s| !s.is_empty()));
    }
}

#[test]
fn a_tool_cannot_claim_a_timeout() {
    let r = OK.replace("\"succeeded\"", "\"timed_out\"");
    assert_eq!(assemble(collected(exited(0), Some(&r))).status, ExecutionStatus::Failed);
}

#[test]
fn oom_kills_are_named_as_such() {
    for ending in [Ending::Exited { exit_code: Some(137), oom_killed: true }, exited(137)] {
        let e = assemble(collected(ending, None));
        assert_eq!(e.status, ExecutionStatus::Failed);
        assert!(e.error_summary.unwrap().contains("out of memory"));
    }
}

#[test]
fn timeouts_keep_partial_output() {
    let e = assemble(collected(Ending::TimedOut { after: Duration::from_secs(60) }, None));
    assert_eq!(e.status, ExecutionStatus::TimedOut);
    assert_eq!(e.stdout, "out");
    assert!(e.error_summary.unwrap().contains("60 seconds"));
}

#[test]
fn refused_files_become_a_notice_and_summaries_are_capped() {
    let mut c = collected(exited(0), Some(OK));
    c.bundle.problems.push("`link` is not a regular file.".into());
    c.bundle.artifacts.push(StoredArtifact { name: "a.txt".into(), stored_as: "/x/000".into(), bytes: 1 });
    let e = assemble(c);
    assert_eq!(e.artifacts.len(), 1);
    // The teacher gets a Swedish line, the author the detail on stderr.
    assert!(e.stderr.contains("`link` is not a regular file."), "{}", e.stderr);
    assert!(e.ui.outputs.iter().all(|o| !matches!(o, UiOutput::Notice { message, .. } if message.contains("link"))));

    let long = format!(
        r#"{{"contract_version":2,"status":"failed","error_summary":"{}","outputs":[],"next_actions":[],"state":null,"artifacts":[]}}"#,
        "é".repeat(30_000)
    );
    let e = assemble(collected(exited(0), Some(&long)));
    assert!(e.error_summary.unwrap().len() <= MAX_ERROR_SUMMARY);
}

/// A failed result.json as the wrapper writes it, with its `error_code`.
fn failed_with(code: &str, summary: &str) -> String {
    format!(
        r#"{{"contract_version":2,"status":"failed","error_summary":"{summary}","error_code":"{code}","outputs":[],"next_actions":[],"state":null,"artifacts":[]}}"#
    )
}

fn code_of(e: &Execution) -> (ErrorCode, serde_json::Value) {
    let error = e.error.as_ref().expect("an error code");
    (error.code, serde_json::to_value(&error.params).unwrap())
}

#[test]
fn every_ending_maps_to_its_code_and_parameters() {
    use serde_json::json;
    let cases: Vec<(Collected, ErrorCode, serde_json::Value)> = vec![
        (
            collected(Ending::TimedOut { after: Duration::from_secs(120) }, None),
            ErrorCode::TimedOut,
            json!({ "seconds": 120 }),
        ),
        (collected(Ending::Cancelled, None), ErrorCode::Cancelled, json!({})),
        (collected(Ending::EngineError("no engine".into()), None), ErrorCode::EngineUnavailable, json!({})),
        (collected(Ending::ProtocolError("bad frame".into()), None), ErrorCode::InternalError, json!({})),
        (
            collected(Ending::Exited { exit_code: Some(137), oom_killed: true }, None),
            ErrorCode::OutOfMemory,
            json!({ "mib": 1024 }),
        ),
        (collected(exited(137), None), ErrorCode::OutOfMemory, json!({ "mib": 1024 })),
        (collected(exited(0), None), ErrorCode::InvalidResult, json!({})),
        (collected(exited(0), Some("not json")), ErrorCode::InvalidResult, json!({})),
        (
            collected(exited(0), Some(&failed_with("tool_error", "Filen saknar kolumnen Betyg"))),
            ErrorCode::ToolError,
            json!({ "message": "Filen saknar kolumnen Betyg" }),
        ),
        (
            collected(exited(0), Some(&failed_with("tool_crashed", "The tool crashed: KeyError"))),
            ErrorCode::ToolCrashed,
            json!({}),
        ),
        (
            collected(exited(0), Some(&failed_with("invalid_result", "The tool returned int"))),
            ErrorCode::InvalidResult,
            json!({}),
        ),
        (
            collected(exited(0), Some(&failed_with("out_of_memory", "killed"))),
            ErrorCode::OutOfMemory,
            json!({ "mib": 1024 }),
        ),
        (
            collected(exited(0), Some(&failed_with("input_too_large", "No space"))),
            ErrorCode::InputTooLarge,
            json!({ "mib": 512 }),
        ),
        // A tool cannot claim a host-only code, and a failure without a code is a crash.
        (collected(exited(0), Some(&failed_with("timed_out", "x"))), ErrorCode::ToolCrashed, json!({})),
        (collected(exited(0), Some(&failed_with("", "x"))), ErrorCode::ToolCrashed, json!({})),
    ];
    for (c, code, params) in cases {
        let ending = format!("{:?}", c.ending);
        let e = assemble(c);
        assert_eq!(code_of(&e), (code, params), "{ending}");
        assert!(e.error_summary.is_some_and(|s| !s.is_empty()), "the English summary stays: {ending}");
    }
}

#[test]
fn a_clean_success_has_no_code() {
    let e = assemble(collected(exited(0), Some(OK)));
    assert_eq!(e.error, None);
}

#[test]
fn a_success_that_lost_files_is_output_cut_with_the_cap() {
    let r = OK
        .replace(r#""artifacts":[]"#, r#""artifacts":[],"skipped_files":{"count":2,"reasons":["sparse","file_size"]}"#);
    let e = assemble(collected(exited(0), Some(&r)));
    assert_eq!(e.status, ExecutionStatus::Succeeded);
    assert_eq!(code_of(&e), (ErrorCode::OutputCut, serde_json::json!({ "files": 2, "cap": "file_size", "mib": 50 })));

    // The host's own refusals add up with the wrapper's.
    let mut c = collected(exited(0), Some(&r));
    c.bundle.refuse(skriptoteket_domain::run_error::FileCap::FileCount, 1, "The tool wrote more than 100 files".into());
    let e = assemble(c);
    assert_eq!(code_of(&e).1["files"], 3);
    assert!(
        matches!(e.ui.outputs.last(), Some(UiOutput::Notice { message, .. }) if message == "Skriptoteket: en fil från verktyget sparades inte.")
    );
}

#[test]
fn a_shortened_result_is_output_cut() {
    let rows: Vec<String> = (0..800).map(|i| format!(r#"{{"n":{i}}}"#)).collect();
    let r = OK.replace(
        r##"{"kind":"markdown","markdown":"# Hej"}"##,
        &format!(r#"{{"kind":"table","columns":[{{"key":"n","label":"N"}}],"rows":[{}]}}"#, rows.join(",")),
    );
    let e = assemble(collected(exited(0), Some(&r)));
    assert_eq!(code_of(&e), (ErrorCode::OutputCut, serde_json::json!({ "shortened": true })));
}

#[test]
fn a_failure_keeps_its_own_code_when_files_were_also_cut() {
    let r = failed_with("tool_error", "Fel")
        .replace(r#""artifacts":[]"#, r#""artifacts":[],"skipped_files":{"count":1,"reasons":["sparse"]}"#);
    assert_eq!(code_of(&assemble(collected(exited(0), Some(&r)))).0, ErrorCode::ToolError);
}
