//! A scripted stand-in for the Docker runner, for tests of the queue, permissions and
//! validation that need no container. The real runner has its own suite.
//!
//! The "source" is read as directives: `sleep=N` sleeps N seconds (cancellable), `fail`
//! fails (as a crash), `user_error` fails with a `ToolUserError` message, `oom` fails out of
//! memory, `cut_files` succeeds but reports two files not kept; anything else succeeds with a
//! markdown output echoing the inputs and settings.
//! `offer_action` adds a next action `next` (no fields); `write_artifact` keeps one file,
//! `rapport.txt`, as the run's artifact; `progress` reports half done before the work.

use async_trait::async_trait;
use skriptoteket_domain::contract::{ActionKind, NextAction, UiOutput, UiPayload};
use skriptoteket_domain::execution::{
    ArtifactFile, EventSink, Execution, ExecutionStatus, LogStream, RunEvent, RunProgress, RunRequest, Runner,
    RunnerHealth,
};
use skriptoteket_domain::run_error::{ErrorCode, FileCap, OutputCaps, OutputCut, RunError};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub struct FakeRunner {
    pub requests: Mutex<Vec<RunRequest>>,
}

#[async_trait]
impl Runner for FakeRunner {
    async fn execute(&self, request: RunRequest, events: EventSink, cancel: CancellationToken) -> Execution {
        let started = Instant::now();
        self.requests.lock().unwrap().push(request.clone());
        events(RunEvent::Started);
        events(RunEvent::Output { stream: LogStream::Stdout, text: "fake start\n".into() });
        if request.source.contains("progress") {
            events(RunEvent::Progress(RunProgress { done: 1.0, total: Some(2.0), stage: Some("Halvvägs".into()) }));
        }
        let sleep =
            request.source.split_whitespace().find_map(|w| w.strip_prefix("sleep=")?.parse::<u64>().ok()).unwrap_or(0);
        let status = tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(sleep)) => {
                let fails = ["fail", "user_error", "oom"].iter().any(|d| request.source.contains(d));
                if fails { ExecutionStatus::Failed } else { ExecutionStatus::Succeeded }
            }
            () = cancel.cancelled() => ExecutionStatus::Cancelled,
            () = tokio::time::sleep(request.timeout) => ExecutionStatus::TimedOut,
        };
        // After the work, so an event stream opened while the run goes sees it live.
        events(RunEvent::Output { stream: LogStream::Stderr, text: "fake stderr\n".into() });
        let echo = format!(
            "inputs={} settings={} action={}",
            request.inputs,
            request.settings,
            request.action.clone().unwrap_or_default()
        );
        let next_actions = if request.source.contains("offer_action") {
            vec![NextAction {
                action_id: "next".into(),
                label: "Nästa".into(),
                kind: ActionKind::Form,
                fields: vec![],
                prefill: None,
            }]
        } else {
            vec![]
        };
        let mut artifacts = vec![];
        if request.source.contains("write_artifact") {
            let stored_as = request.artifacts_dir.join("000");
            std::fs::create_dir_all(&request.artifacts_dir).expect("artifacts dir");
            std::fs::write(&stored_as, b"fake report\n").expect("artifact");
            artifacts.push(ArtifactFile { name: "rapport.txt".into(), stored_as, bytes: 12 });
        }
        Execution {
            status,
            error_summary: (status != ExecutionStatus::Succeeded).then(|| "fake failure".to_owned()),
            error: fake_error(&request, status),
            ui: UiPayload { outputs: vec![UiOutput::Markdown { markdown: echo }], next_actions, state: None },
            stdout: "fake start\n".into(),
            stderr: "fake stderr\n".into(),
            artifacts,
            exit_code: Some(0),
            duration: started.elapsed(),
        }
    }

    async fn health(&self) -> RunnerHealth {
        RunnerHealth { engine_ok: true, engine: "fake".into(), image_ok: true, image: "fake".into() }
    }
}

/// The code a real runner would give this ending.
fn fake_error(request: &RunRequest, status: ExecutionStatus) -> Option<RunError> {
    let caps = OutputCaps { max_files: 100, max_file_bytes: 50 << 20, max_total_bytes: 200 << 20 };
    match status {
        ExecutionStatus::Succeeded if request.source.contains("cut_files") => {
            OutputCut { files: 2, caps: vec![FileCap::FileSize], shortened: false }.into_error(caps)
        }
        ExecutionStatus::Succeeded => None,
        ExecutionStatus::TimedOut => Some(RunError::timed_out(request.timeout.as_secs())),
        ExecutionStatus::Cancelled => Some(RunError::bare(ErrorCode::Cancelled)),
        ExecutionStatus::Failed if request.source.contains("user_error") => {
            Some(RunError::tool_error("Filen saknar kolumnen Betyg."))
        }
        ExecutionStatus::Failed if request.source.contains("oom") => Some(RunError::out_of_memory(1 << 30)),
        ExecutionStatus::Failed => Some(RunError::bare(ErrorCode::ToolCrashed)),
    }
}
