//! Every way a run can end maps to a clear status and message.

use super::*;
use crate::output_tar::StoredArtifact;

fn collected(ending: Ending, result: Option<&str>) -> Collected {
    Collected {
        ending,
        bundle: OutputBundle { result_json: result.map(|r| r.as_bytes().to_vec()), ..Default::default() },
        stdout: "out".into(),
        stderr: String::new(),
        memory_limit_bytes: 1024 * 1024 * 1024,
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
    assert!(matches!(e.ui.outputs.last(), Some(UiOutput::Notice { message, .. }) if message.contains("link")));

    let long = format!(
        r#"{{"contract_version":2,"status":"failed","error_summary":"{}","outputs":[],"next_actions":[],"state":null,"artifacts":[]}}"#,
        "é".repeat(30_000)
    );
    let e = assemble(collected(exited(0), Some(&long)));
    assert!(e.error_summary.unwrap().len() <= MAX_ERROR_SUMMARY);
}
