//! The runner against a real Docker engine and the real runner image: every limit of SPEC §6
//! is tried and must hold. Selected by `SKRIPTOTEKET_TEST_DOCKER=1` (`make test` sets it);
//! without it the suite fails unless `SKRIPTOTEKET_TEST_SKIP_DOCKER=1` says so on purpose.

use skriptoteket_domain::contract::UiOutput;
use skriptoteket_domain::execution::{
    EventSink, Execution, ExecutionStatus, InputFile, LogStream, RunEvent, RunProgress, RunRequest, Runner,
};
use skriptoteket_domain::run_error::{ErrorCode, FileCap, RunError};
use skriptoteket_runner::limits::MIB;
use skriptoteket_runner::{DockerRunner, RunLimits};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

struct Harness {
    runner: DockerRunner,
    instance: String,
    dir: tempfile::TempDir,
}

async fn harness(limits: RunLimits) -> Option<Harness> {
    if std::env::var("SKRIPTOTEKET_TEST_DOCKER").as_deref() != Ok("1") {
        if std::env::var("SKRIPTOTEKET_TEST_SKIP_DOCKER").as_deref() == Ok("1") {
            return None;
        }
        panic!("set SKRIPTOTEKET_TEST_DOCKER=1 (make test does) or SKRIPTOTEKET_TEST_SKIP_DOCKER=1 to skip on purpose");
    }
    let image = std::env::var("RUNNER_IMAGE").unwrap_or_else(|_| "skriptoteket-runner:latest".into());
    let instance = format!("test-{}", Uuid::new_v4().simple());
    let runner = DockerRunner::connect(image, limits, instance.clone()).await.expect("docker engine");
    Some(Harness { runner, instance, dir: tempfile::tempdir().unwrap() })
}

fn small_limits() -> RunLimits {
    RunLimits {
        memory_bytes: 256 * MIB,
        work_bytes: 32 * MIB,
        tmp_bytes: 16 * MIB,
        max_artifact_bytes: MIB,
        max_artifacts_total_bytes: 3 * MIB,
        ..RunLimits::default()
    }
}

impl Harness {
    fn request(&self, source: &str, timeout: Duration) -> RunRequest {
        let run_id = Uuid::new_v4();
        RunRequest {
            run_id,
            source: source.to_owned(),
            entrypoint: "run_tool".into(),
            files: vec![],
            inputs: serde_json::json!({}),
            settings: serde_json::json!({}),
            action: None,
            timeout,
            artifacts_dir: self.dir.path().join(run_id.to_string()),
            labels: vec![("request-id".into(), "test".into())],
        }
    }

    async fn run_with(&self, request: RunRequest, cancel: CancellationToken) -> (Execution, Vec<RunEvent>) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink_events = events.clone();
        let sink: EventSink = Arc::new(move |e| sink_events.lock().unwrap().push(e));
        let execution = self.runner.execute(request, sink, cancel).await;
        self.assert_nothing_left().await;
        let events = events.lock().unwrap().clone();
        (execution, events)
    }

    async fn run(&self, source: &str) -> Execution {
        self.run_with(self.request(source, Duration::from_secs(30)), CancellationToken::new()).await.0
    }

    async fn assert_nothing_left(&self) {
        let label = format!("org.skriptoteket.instance={}", self.instance);
        let left = self.runner.containers_with_label(&label).await.unwrap();
        assert!(left.is_empty(), "containers left behind: {left:?}");
    }
}

/// The text of every notice and markdown output, for assertions.
fn texts(e: &Execution) -> String {
    e.ui.outputs
        .iter()
        .map(|o| match o {
            UiOutput::Notice { message, .. } => message.clone(),
            UiOutput::Markdown { markdown } => markdown.clone(),
            other => format!("{other:?}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A tool that reports a finding as markdown, so assertions can read what it saw inside.
fn reporting_tool(body: &str) -> String {
    format!(
        "import os, sys, socket, errno\n\ndef run_tool(input_dir, output_dir):\n    report = []\n{}\n    return {{'outputs': [{{'kind': 'markdown', 'markdown': '\\n'.join(report)}}]}}\n",
        body.lines().map(|l| format!("    {l}\n")).collect::<String>()
    )
}

#[tokio::test]
async fn a_tool_reads_its_inputs_and_returns_a_table_and_an_artifact() {
    let Some(h) = harness(RunLimits::default()).await else {
        return;
    };
    let csv = h.dir.path().join("upload");
    std::fs::write(&csv, "namn,poäng\nAda,17\nBo,12\n").unwrap();
    let mut request = h.request(
        r#"
import csv, json, os
from pathlib import Path

def run_tool(input_dir, output_dir):
    manifest = json.loads(os.environ["SKRIPTOTEKET_INPUT_MANIFEST"])
    path = manifest["files"][0]["path"]
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    settings = json.load(open(os.environ["SKRIPTOTEKET_MEMORY_PATH"]))["settings"]
    print("läste", len(rows), "rader")
    Path(output_dir, "summa.txt").write_text(str(sum(int(r["poäng"]) for r in rows)))
    return {"outputs": [
        {"kind": "table", "columns": [{"key": "namn", "label": "Namn"}, {"key": "poäng", "label": "Poäng"}], "rows": rows},
        {"kind": "markdown", "markdown": "skala=" + settings["skala"] + " inputs=" + os.environ["SKRIPTOTEKET_INPUTS"]},
    ]}
"#,
        Duration::from_secs(30),
    );
    request.files = vec![InputFile { name: "elever.csv".into(), path: csv, bytes: 25 }];
    request.settings = serde_json::json!({ "skala": "A-F" });
    request.inputs = serde_json::json!({ "klass": "7B" });
    let (e, events) = h.run_with(request, CancellationToken::new()).await;
    assert_eq!(e.status, ExecutionStatus::Succeeded, "{e:#?}");
    assert!(matches!(&e.ui.outputs[0], UiOutput::Table { rows, .. } if rows.len() == 2), "{:?}", e.ui.outputs);
    assert!(texts(&e).contains(r#"skala=A-F inputs={"klass":"7B"}"#), "{}", texts(&e));
    assert_eq!(e.stdout, "läste 2 rader\n");
    assert_eq!(e.artifacts.len(), 1);
    assert_eq!(e.artifacts[0].name, "summa.txt");
    assert_eq!(std::fs::read_to_string(&e.artifacts[0].stored_as).unwrap(), "29");
    assert_eq!(events.first(), Some(&RunEvent::Started));
    assert!(
        events
            .iter()
            .any(|ev| matches!(ev, RunEvent::Output { stream: LogStream::Stdout, text } if text.contains("läste")))
    );
}

#[tokio::test]
async fn there_is_no_network() {
    let Some(h) = harness(RunLimits::default()).await else {
        return;
    };
    let e = h
        .run(&reporting_tool(
            "report.append('interfaces=' + ','.join(n for _, n in socket.if_nameindex()))\n\
             try:\n    socket.getaddrinfo('example.org', 443)\n    report.append('dns=ok')\nexcept OSError as exc:\n    report.append('dns=blocked')\n\
             try:\n    socket.create_connection(('192.0.2.1', 80), timeout=2)\n    report.append('tcp=ok')\nexcept OSError as exc:\n    report.append('tcp=blocked')",
        ))
        .await;
    assert_eq!(e.status, ExecutionStatus::Succeeded, "{e:#?}");
    assert_eq!(texts(&e), "interfaces=lo\ndns=blocked\ntcp=blocked");
}

#[tokio::test]
async fn the_root_filesystem_is_read_only_and_privileges_are_gone() {
    let Some(h) = harness(RunLimits::default()).await else {
        return;
    };
    let e = h
        .run(&reporting_tool(
            "for path in ['/etc/evil', '/opt/venv/evil', '/usr/evil', '/evil']:\n    try:\n        open(path, 'w').write('x')\n        report.append(path + '=written')\n    except OSError as exc:\n        report.append(path + '=' + errno.errorcode[exc.errno])\n\
             report.append('uid=%d' % os.getuid())\n\
             status = open('/proc/self/status').read()\n\
             report.append([l for l in status.splitlines() if l.startswith('CapEff')][0].replace('\\t', ''))\n\
             report.append([l for l in status.splitlines() if l.startswith('NoNewPrivs')][0].replace('\\t', ''))\n\
             report.append('docker.sock=' + str(os.path.exists('/var/run/docker.sock')))",
        ))
        .await;
    assert_eq!(
        texts(&e),
        "/etc/evil=EROFS\n/opt/venv/evil=EROFS\n/usr/evil=EROFS\n/evil=EROFS\nuid=10001\nCapEff:0000000000000000\nNoNewPrivs:1\ndocker.sock=False"
    );
}

#[tokio::test]
async fn a_fork_bomb_is_contained_by_the_pids_limit() {
    let Some(h) = harness(RunLimits::default()).await else {
        return;
    };
    let e = h
        .run(&reporting_tool(
            "import time\nchildren = 0\nwhile children < 5000:\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n    if pid == 0:\n        time.sleep(30)\n        os._exit(0)\n    children += 1\nreport.append('forked=%d' % children)",
        ))
        .await;
    assert_eq!(e.status, ExecutionStatus::Succeeded, "{e:#?}");
    let forked: usize = texts(&e).trim_start_matches("forked=").parse().unwrap();
    assert!(forked < 256, "the pids limit must stop the bomb, got {forked}");
}

#[tokio::test]
async fn a_memory_bomb_ends_as_out_of_memory() {
    let Some(h) = harness(small_limits()).await else {
        return;
    };
    let e = h
        .run("def run_tool(i, o):\n    hog = []\n    while True:\n        hog.append(bytearray(16 * 1024 * 1024))\n")
        .await;
    assert_eq!(e.status, ExecutionStatus::Failed, "{e:#?}");
    assert!(e.error_summary.as_deref().unwrap().contains("out of memory"), "{:?}", e.error_summary);
    assert_eq!(e.error, Some(RunError::out_of_memory(256 * MIB)), "the teacher is told the limit: {e:#?}");
}

#[tokio::test]
async fn filling_work_or_tmp_stops_at_the_cap() {
    let Some(h) = harness(small_limits()).await else {
        return;
    };
    let e = h
        .run(&reporting_tool(
            "for d in ['/work', '/tmp']:\n    written = 0\n    try:\n        with open(os.path.join(d, 'fill'), 'wb') as f:\n            while written < 1024 * 1024 * 1024:\n                f.write(b'x' * 1048576)\n                f.flush()\n                written += 1048576\n    except OSError as exc:\n        report.append(d + '=' + errno.errorcode[exc.errno])\n    report.append(d + ' MiB=%d' % (written // 1048576))\n    os.remove(os.path.join(d, 'fill'))",
        ))
        .await;
    let report = texts(&e);
    assert!(report.contains("/work=ENOSPC") && report.contains("/tmp=ENOSPC"), "{report}");
    for line in report.lines().filter(|l| l.contains("MiB=")) {
        let mib: u64 = line.split('=').nth(1).unwrap().parse().unwrap();
        assert!(mib <= 32, "{line} exceeds the cap");
    }
}

#[tokio::test]
async fn an_endless_loop_times_out_within_two_seconds_of_the_limit() {
    let Some(h) = harness(RunLimits::default()).await else {
        return;
    };
    let started = Instant::now();
    let request = h.request(
        "def run_tool(i, o):\n    print('before', flush=True)\n    while True:\n        pass\n",
        Duration::from_secs(3),
    );
    let (e, _) = h.run_with(request, CancellationToken::new()).await;
    assert_eq!(e.status, ExecutionStatus::TimedOut, "{e:#?}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(e.stdout, "before\n", "partial output of a timed-out run is kept");
    assert_eq!(e.error, Some(RunError::timed_out(3)));
}

#[tokio::test]
async fn fifty_megabytes_of_stdout_are_truncated() {
    let Some(h) = harness(RunLimits::default()).await else {
        return;
    };
    let e = h.run("import sys\ndef run_tool(i, o):\n    for _ in range(50):\n        sys.stdout.write('x' * 1048576)\n    return 'done'\n").await;
    assert_eq!(e.status, ExecutionStatus::Succeeded, "{e:#?}");
    assert!(e.stdout.len() < 210 * 1024, "{}", e.stdout.len());
    assert!(e.stdout.contains("truncated"), "the cut is marked");
}

#[tokio::test]
async fn links_and_huge_outputs_are_not_kept() {
    let Some(h) = harness(small_limits()).await else {
        return;
    };
    let e = h
        .run("import os\ndef run_tool(i, o):\n    os.symlink('/etc/passwd', os.path.join(o, 'passwd'))\n    os.link(os.path.join('/work', 'script.py'), os.path.join(o, 'hard.py'))\n    open(os.path.join(o, 'huge.bin'), 'wb').write(b'0' * (2 * 1024 * 1024))\n    open(os.path.join(o, 'ok.txt'), 'w').write('ok')\n")
        .await;
    assert_eq!(e.status, ExecutionStatus::Succeeded, "{e:#?}");
    let names: Vec<_> = e.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert!(!names.contains(&"passwd") && !names.contains(&"huge.bin"), "{names:?}");
    assert!(names.contains(&"ok.txt"));
    assert!(texts(&e).contains("huge.bin"), "the cut is explained: {}", texts(&e));
    let cut = e.error.as_ref().expect("output_cut");
    assert_eq!((cut.code, cut.params.files, cut.params.cap), (ErrorCode::OutputCut, Some(1), Some(FileCap::FileSize)));
    assert_eq!(cut.params.mib, Some(1), "the per-file cap of these limits");
    for artifact in &e.artifacts {
        assert!(std::fs::symlink_metadata(&artifact.stored_as).unwrap().file_type().is_file());
    }
}

#[tokio::test]
async fn deleting_forging_or_returning_junk_fails_clearly() {
    let Some(h) = harness(RunLimits::default()).await else {
        return;
    };
    let forged = h
        .run("import os\ndef run_tool(i, o):\n    open('/work/result.json', 'w').write('{\"contract_version\": 2, \"status\": \"succeeded\", \"outputs\": [{\"kind\": \"markdown\", \"markdown\": \"forged\"}]}')\n    os._exit(0)\n")
        .await;
    assert_eq!(forged.status, ExecutionStatus::Failed, "a forged result is never trusted: {forged:#?}");
    assert_eq!(forged.error.map(|e| e.code), Some(ErrorCode::ToolCrashed));
    let junk = h.run("def run_tool(i, o):\n    return {'outputs': [object()]}\n").await;
    assert_eq!(junk.status, ExecutionStatus::Failed, "{junk:#?}");
    assert!(junk.error_summary.is_some());
    assert_eq!(junk.error.map(|e| e.code), Some(ErrorCode::InvalidResult));
    let crash = h.run("def run_tool(i, o):\n    raise ValueError('trasig fil')\n").await;
    assert_eq!(crash.status, ExecutionStatus::Failed);
    assert!(crash.error_summary.as_deref().unwrap().contains("trasig fil"));
    assert!(crash.stderr.contains("Traceback"), "the author sees the traceback: {}", crash.stderr);
    assert_eq!(crash.error.map(|e| e.code), Some(ErrorCode::ToolCrashed));
    let refused = h.run("from tool_errors import ToolUserError\ndef run_tool(i, o):\n    raise ToolUserError('Filen saknar kolumnen Betyg.')\n").await;
    assert_eq!(refused.error, Some(RunError::tool_error("Filen saknar kolumnen Betyg.")), "{refused:#?}");
    let syntax = h.run("def run_tool(i, o)\n    pass\n").await;
    assert_eq!(syntax.status, ExecutionStatus::Failed);
    assert!(syntax.error_summary.as_deref().unwrap().contains("line 1"), "{:?}", syntax.error_summary);
}

#[tokio::test]
async fn cancel_stops_a_long_run_quickly() {
    let Some(h) = harness(RunLimits::default()).await else {
        return;
    };
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        trigger.cancel();
    });
    let started = Instant::now();
    let request = h.request("import time\ndef run_tool(i, o):\n    time.sleep(60)\n", Duration::from_secs(60));
    let (e, _) = h.run_with(request, cancel).await;
    assert_eq!(e.status, ExecutionStatus::Cancelled);
    assert_eq!(e.error.map(|e| e.code), Some(ErrorCode::Cancelled));
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn live_output_arrives_while_the_tool_runs() {
    let Some(h) = harness(RunLimits::default()).await else {
        return;
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink_seen = seen.clone();
    let started = Instant::now();
    let sink: EventSink = Arc::new(move |e| {
        if let RunEvent::Output { text, .. } = e {
            sink_seen.lock().unwrap().push((started.elapsed(), text));
        }
    });
    let request = h.request(
        "import time\ndef run_tool(i, o):\n    for n in range(3):\n        print('tick', n, flush=True)\n        time.sleep(1)\n",
        Duration::from_secs(30),
    );
    let e = h.runner.execute(request, sink, CancellationToken::new()).await;
    let total = started.elapsed();
    assert_eq!(e.status, ExecutionStatus::Succeeded, "{e:#?}");
    let seen = seen.lock().unwrap();
    let first = seen.iter().find(|(_, t)| t.contains("tick 0")).expect("tick 0 streamed").0;
    assert!(first + Duration::from_millis(1500) < total, "first line at {first:?} of {total:?}: not live");
}

#[tokio::test]
async fn a_tool_reporting_progress_yields_few_progress_events_with_the_last_value() {
    let Some(h) = harness(RunLimits::default()).await else {
        return;
    };
    let request = h.request(
        "import time\nfrom skriptoteket import progress\ndef run_tool(i, o):\n    progress(0, 3, 'Start')\n    time.sleep(0.3)\n    for n in range(200_000):\n        progress(n, 200_000)\n    time.sleep(0.3)\n    progress(3, 3, 'Klar')\n",
        Duration::from_secs(30),
    );
    let (e, events) = h.run_with(request, CancellationToken::new()).await;
    assert_eq!(e.status, ExecutionStatus::Succeeded, "{e:#?}");
    let progress: Vec<RunProgress> = events
        .into_iter()
        .filter_map(|ev| match ev {
            RunEvent::Progress(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(progress.first(), Some(&RunProgress { done: 0.0, total: Some(3.0), stage: Some("Start".into()) }));
    assert_eq!(progress.last(), Some(&RunProgress { done: 3.0, total: Some(3.0), stage: Some("Klar".into()) }));
    assert!(progress.len() < 40, "rate-limited: {} events", progress.len());
}

#[tokio::test]
async fn an_abandoned_run_and_a_crashed_process_leave_no_container() {
    let Some(h) = harness(RunLimits::default()).await else {
        return;
    };
    let runner = h.runner.clone();
    let request = h.request("import time\ndef run_tool(i, o):\n    time.sleep(60)\n", Duration::from_secs(60));
    let sink: EventSink = Arc::new(|_| {});
    let task = tokio::spawn(async move { runner.execute(request, sink, CancellationToken::new()).await });
    tokio::time::sleep(Duration::from_secs(2)).await;
    task.abort();
    let label = format!("org.skriptoteket.instance={}", h.instance);
    let mut left = h.runner.containers_with_label(&label).await.unwrap();
    for _ in 0..50 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        left = h.runner.containers_with_label(&label).await.unwrap();
    }
    assert!(left.is_empty(), "the drop guard removes the container: {left:?}");
    assert_eq!(h.runner.reap().await.unwrap(), 0);
}

#[tokio::test]
async fn the_start_up_reaper_removes_what_a_dead_process_left_and_nothing_else() {
    let Some(h) = harness(RunLimits::default()).await else { return };
    let image = std::env::var("RUNNER_IMAGE").unwrap_or_else(|_| "skriptoteket-runner:latest".into());
    let create = |instance: &str| {
        let out = std::process::Command::new("docker")
            .args(["create", "--label", "org.skriptoteket.managed=true", "--label"])
            .arg(format!("org.skriptoteket.instance={instance}"))
            .arg(&image)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    // What a killed process of this instance left, and a live container of another instance.
    create(&h.instance);
    let other_instance = format!("other-{}", Uuid::new_v4().simple());
    let other = create(&other_instance);
    assert_eq!(h.runner.reap().await.unwrap(), 1);
    h.assert_nothing_left().await;
    let still = h.runner.containers_with_label(&format!("org.skriptoteket.instance={other_instance}")).await.unwrap();
    assert_eq!(still.len(), 1, "another server's container is not ours to remove");
    std::process::Command::new("docker").args(["rm", "-f", &other]).output().unwrap();
}

#[tokio::test]
async fn sparse_output_files_of_4_gib_and_1_tb_end_at_once_without_an_artifact() {
    let Some(h) = harness(RunLimits::default()).await else {
        return;
    };
    let source = "import os\ndef run_tool(i, o):\n    for name, size in [('fyra.bin', 4 << 30), ('tera.bin', 10**12)]:\n        with open(os.path.join(o, name), 'wb') as f:\n            f.truncate(size)\n    open(os.path.join(o, 'ok.txt'), 'w').write('ok')\n    return 'klar'\n";
    let (e, _) = h.run_with(h.request(source, Duration::from_secs(60)), CancellationToken::new()).await;
    assert_eq!(e.status, ExecutionStatus::Succeeded, "{e:#?}");
    assert!(e.duration < Duration::from_secs(20), "bounded by the caps, not by the 60 s timeout: {:?}", e.duration);
    let names: Vec<_> = e.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["ok.txt"], "the sparse files are not kept");
    let said = texts(&e);
    assert!(said.contains("fyra.bin") && said.contains("tera.bin"), "the teacher is told: {said}");
    let cut = e.error.expect("output_cut");
    assert_eq!((cut.code, cut.params.files), (ErrorCode::OutputCut, Some(2)));
}

#[tokio::test]
async fn no_core_dumps_and_dev_shm_is_small_and_inode_capped() {
    let Some(h) = harness(RunLimits::default()).await else {
        return;
    };
    let e = h
        .run(&reporting_tool(
            "import resource\nreport.append('core=%d/%d' % resource.getrlimit(resource.RLIMIT_CORE))\n\
             st = os.statvfs('/dev/shm')\nreport.append('shm MiB=%d' % (st.f_blocks * st.f_frsize // 1048576))\n\
             made = 0\ntry:\n    while made < 100000:\n        open('/dev/shm/f%d' % made, 'w').close()\n        made += 1\nexcept OSError as exc:\n    report.append('shm=' + errno.errorcode[exc.errno])\n\
             report.append('files=%d' % made)",
        ))
        .await;
    let report = texts(&e);
    assert!(report.contains("core=0/0"), "{report}");
    assert!(report.contains("shm MiB=64"), "{report}");
    assert!(report.contains("shm=ENOSPC"), "inodes run out long before 100 000 files: {report}");
}

/// A harness whose runner keeps `size` containers pre-started, and the switch that stops it.
async fn pooled_harness(size: usize) -> Option<(Harness, CancellationToken, tokio::task::JoinHandle<()>)> {
    let mut h = harness(RunLimits::default()).await?;
    h.runner = h.runner.clone().with_pool(size);
    let stop = CancellationToken::new();
    let keeper = h.runner.maintain_pool(stop.clone()).expect("a pool");
    wait_for_ready(&h.runner, size).await;
    Some((h, stop, keeper))
}

async fn wait_for_ready(runner: &DockerRunner, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while runner.pool_stats().unwrap().ready < n {
        assert!(Instant::now() < deadline, "the pool never filled: {:?}", runner.pool_stats());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn pool_containers(h: &Harness) -> Vec<String> {
    h.runner.containers_with_label(&format!("org.skriptoteket.instance={}", h.instance)).await.unwrap()
}

async fn stop_pool(h: &Harness, stop: CancellationToken, keeper: tokio::task::JoinHandle<()>) {
    stop.cancel();
    keeper.await.unwrap();
    h.assert_nothing_left().await;
}

#[tokio::test]
async fn a_pre_started_container_serves_one_run_only() {
    let Some((h, stop, keeper)) = pooled_harness(2).await else {
        return;
    };
    let source = "import os\ndef run_tool(i, o):\n    seen = [p for p in ('/tmp/mark', '/work/mark', '/dev/shm/mark') if os.path.exists(p)]\n    for p in ('/tmp/mark', '/work/mark', '/dev/shm/mark'):\n        open(p, 'w').write('x')\n    return 'seen:' + ','.join(seen)\n";
    for round in 0..4 {
        let request = h.request(source, Duration::from_secs(30));
        let e = h.runner.execute(request, Arc::new(|_| {}), CancellationToken::new()).await;
        assert_eq!(e.status, ExecutionStatus::Succeeded, "round {round}: {e:#?}");
        let html = format!("{:?}", e.ui.outputs);
        assert!(html.contains("seen:\""), "round {round}: a marker of an earlier run was visible: {html}");
        wait_for_ready(&h.runner, 2).await;
    }
    let stats = h.runner.pool_stats().unwrap();
    assert!(stats.hits >= 4, "the runs used pre-started containers: {stats:?}");
    stop_pool(&h, stop, keeper).await;
}

#[tokio::test]
async fn a_dead_pre_started_container_is_never_handed_a_run() {
    let Some((h, stop, keeper)) = pooled_harness(1).await else {
        return;
    };
    for id in pool_containers(&h).await {
        let killed = std::process::Command::new("docker").args(["kill", &id]).output().unwrap();
        assert!(killed.status.success(), "{killed:?}");
    }
    let request = h.request("def run_tool(i, o):\n    return 'ok'\n", Duration::from_secs(30));
    let e = h.runner.execute(request, Arc::new(|_| {}), CancellationToken::new()).await;
    assert_eq!(e.status, ExecutionStatus::Succeeded, "a fresh container took its place: {e:#?}");
    assert_eq!(h.runner.pool_stats().unwrap().hits, 0, "the dead one was not used");
    wait_for_ready(&h.runner, 1).await;
    stop_pool(&h, stop, keeper).await;
}

#[tokio::test]
async fn an_empty_pool_and_a_full_one_both_run_everything() {
    let Some((h, stop, keeper)) = pooled_harness(1).await else {
        return;
    };
    let runs = (0..3).map(|_| {
        let request = h.request("def run_tool(i, o):\n    return 'ok'\n", Duration::from_secs(60));
        h.runner.execute(request, Arc::new(|_| {}), CancellationToken::new())
    });
    let done = futures::future::join_all(runs).await;
    assert!(done.iter().all(|e| e.status == ExecutionStatus::Succeeded), "{done:#?}");
    let stats = h.runner.pool_stats().unwrap();
    assert!(stats.hits >= 1 && stats.misses >= 1, "one pooled, the rest started their own: {stats:?}");
    stop_pool(&h, stop, keeper).await;
}

#[tokio::test]
async fn the_reaper_removes_pre_started_containers_a_dead_process_left() {
    let Some((h, stop, keeper)) = pooled_harness(2).await else {
        return;
    };
    // As after kill -9: the keeper is gone without cleaning up.
    keeper.abort();
    drop(stop);
    assert_eq!(pool_containers(&h).await.len(), 2);
    let next = DockerRunner::connect(
        std::env::var("RUNNER_IMAGE").unwrap_or_else(|_| "skriptoteket-runner:latest".into()),
        RunLimits::default(),
        h.instance.clone(),
    )
    .await
    .unwrap();
    assert_eq!(next.reap().await.unwrap(), 2);
    h.assert_nothing_left().await;
}

#[tokio::test]
async fn a_changed_image_drains_the_pool() {
    let base = std::env::var("RUNNER_IMAGE").unwrap_or_else(|_| "skriptoteket-runner:latest".into());
    let tag = format!("skriptoteket-runner-pooltest:{}", Uuid::new_v4().simple());
    let docker = |args: &[&str]| {
        let out = std::process::Command::new("docker").args(args).output().unwrap();
        assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    docker(&["tag", &base, &tag]);
    let Some(mut h) = harness(RunLimits::default()).await else {
        docker(&["rmi", &tag]);
        return;
    };
    h.runner = DockerRunner::connect(tag.clone(), RunLimits::default(), h.instance.clone()).await.unwrap().with_pool(1);
    let stop = CancellationToken::new();
    let keeper = h.runner.maintain_pool(stop.clone()).unwrap();
    wait_for_ready(&h.runner, 1).await;
    let before = pool_containers(&h).await;
    // A new image under the same name: a container committed from the old one gets its own id.
    let helper = docker(&["create", "--entrypoint", "true", &tag]);
    docker(&["commit", "--change", "LABEL org.skriptoteket.pooltest=2", &helper, &tag]);
    docker(&["rm", &helper]);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = pool_containers(&h).await;
        if !now.is_empty() && now.iter().all(|c| !before.contains(c)) {
            break;
        }
        assert!(Instant::now() < deadline, "the old pre-started container was not replaced: {before:?} {now:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop_pool(&h, stop, keeper).await;
    docker(&["rmi", &tag]);
}

#[tokio::test]
async fn containers_removed_in_the_background_are_all_gone_once_settled() {
    let Some(mut h) = harness(RunLimits::default()).await else {
        return;
    };
    h.runner = h.runner.clone().remove_in_background();
    let runs = (0..3).map(|_| {
        let request = h.request("def run_tool(i, o):\n    return 'ok'\n", Duration::from_secs(30));
        h.runner.execute(request, Arc::new(|_| {}), CancellationToken::new())
    });
    for e in futures::future::join_all(runs).await {
        assert_eq!(e.status, ExecutionStatus::Succeeded, "{e:#?}");
    }
    h.runner.settle().await;
    h.assert_nothing_left().await;
}
