//! End to end through the real router, queue and Docker runner: the seeded example tools,
//! artifacts, interactive follow-ups, settings in memory.json, live events and cancel.

use crate::support::TestApp;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use skriptoteket_domain::Role;
use skriptoteket_server::cli;
use skriptoteket_server::config::{ArtifactsCommand, DbArgs, StorageArgs};
use skriptoteket_server::seed::seed_examples;
use skriptoteket_store::testing::backends;
use std::time::{Duration, Instant};
use tower::ServiceExt;

async fn docker_app(backend: skriptoteket_store::testing::Backend) -> Option<TestApp> {
    let app = TestApp::with_docker(backend, |_| {}).await?;
    assert_eq!(seed_examples(app.state.store.as_ref()).await.unwrap(), 4);
    Some(app)
}

#[tokio::test]
async fn a_csv_becomes_a_table_and_a_downloadable_excel_file() {
    for backend in backends() {
        let Some(app) = docker_app(backend).await else { return };
        let user = app.token(Role::User).await;
        let csv = b"namn,matte,svenska\nAda,18,15\nBo,12,17\nCleo,20,19\n";
        let run = app
            .post_form(
                "/api/tools/betygsoversikt/run",
                &user,
                &[("files", Some("klass 7B.csv"), csv)],
                &[("prefer", "wait=30")],
            )
            .await;
        assert_eq!(run.status, StatusCode::OK, "{:?} {}", backend, run.body);
        assert_eq!(run.body["status"], "succeeded", "{}", run.body);
        let table =
            run.body["ui"]["outputs"].as_array().unwrap().iter().find(|o| o["kind"] == "table").expect("a table");
        assert_eq!(
            table["rows"][0],
            json!({ "kolumn": "matte", "antal": 3, "medel": 16.67, "min": 12.0, "max": 20.0 })
        );
        let artifact = &run.body["artifacts"][0];
        assert_eq!(artifact["name"], "betygsoversikt.xlsx");
        let download = app.call(Method::GET, artifact["download_url"].as_str().unwrap(), Some(&user), None).await;
        assert_eq!(download.status, StatusCode::OK);
        assert_eq!(download.headers.get("x-content-type-options").unwrap(), "nosniff");
        assert!(
            download
                .headers
                .get(header::CONTENT_DISPOSITION)
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("attachment; filename=\"betygsoversikt.xlsx\"")
        );
        assert_eq!(
            download.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );

        let metrics = app.call(Method::GET, "/metrics", None, None).await;
        let text = metrics.body.as_str().unwrap_or_default().to_owned();
        assert!(
            text.contains("skriptoteket_runs_finished_total{context=\"production\",status=\"succeeded\"} 1"),
            "{text}"
        );
        assert!(text.contains("skriptoteket_queue_depth 0"), "{text}");

        let stranger = app.token(Role::Contributor).await;
        let url = artifact["download_url"].as_str().unwrap();
        app.call(Method::GET, url, Some(&stranger), None).await.problem(404, "not_found");
        let bad = app
            .post_form(
                "/api/tools/betygsoversikt/run",
                &user,
                &[("files", Some("tom.csv"), b"namn\nAda\n")],
                &[("prefer", "wait=30")],
            )
            .await;
        assert_eq!(bad.body["status"], "failed");
        assert_eq!(
            bad.body["error_summary"], "Filen har inga kolumner med siffror att sammanfatta.",
            "a teacher gets the tool's own words"
        );

        // `skriptoteket artifacts prune` with zero days of retention removes the file and its row.
        let db = DbArgs { data_dir: app.dir.path().to_owned(), database_url: Some(app.database_url()) };
        let artifacts_root = app.state.runs.artifacts_root.clone();
        let storage = StorageArgs {
            artifacts_root: Some(artifacts_root.clone()),
            artifacts_retention_days: 0,
            runs_retention_days: 90,
            storage_url: None,
        };
        cli::artifacts(ArtifactsCommand::Prune { db, storage }).await.unwrap();
        app.call(Method::GET, url, Some(&user), None).await.problem(404, "not_found");
        let kept = std::fs::read_dir(&artifacts_root).unwrap().flatten().count();
        assert_eq!(kept, 0, "pruned runs leave no folders behind");
    }
}

#[tokio::test]
async fn settings_saved_through_the_api_reach_the_tools_memory() {
    for backend in backends() {
        let Some(app) = docker_app(backend).await else { return };
        let user = app.token(Role::User).await;
        let semicolons = b"namn;matte\nAda;18\nBo;12\n";
        let before = app
            .post_form(
                "/api/tools/betygsoversikt/run",
                &user,
                &[("files", Some("a.csv"), semicolons)],
                &[("prefer", "wait=30")],
            )
            .await;
        assert_eq!(
            before.body["status"], "failed",
            "with the default separator the file has no numbers: {}",
            before.body
        );
        let saved = app
            .call(
                Method::PUT,
                "/api/tools/betygsoversikt/settings",
                Some(&user),
                Some(json!({ "values": { "separator": ";" } })),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let after = app
            .post_form(
                "/api/tools/betygsoversikt/run",
                &user,
                &[("reuse_files_from", None, before.body["id"].as_str().unwrap().as_bytes())],
                &[("prefer", "wait=30")],
            )
            .await;
        assert_eq!(after.body["status"], "succeeded", "{}", after.body);
        assert_eq!(after.body["files"][0]["name"], "a.csv", "the earlier upload was reused");
    }
}

#[tokio::test]
async fn an_interactive_tool_completes_two_follow_up_actions() {
    for backend in backends() {
        let Some(app) = docker_app(backend).await else { return };
        let user = app.token(Role::User).await;
        let first = app
            .post_form(
                "/api/tools/gruppindelning/run",
                &user,
                &[("inputs", None, br#"{"names":"Ada\nBo\nCleo\nDani\nEli"}"#)],
                &[("prefer", "wait=30")],
            )
            .await;
        assert_eq!(first.body["status"], "succeeded", "{}", first.body);
        assert_eq!(first.body["ui"]["next_actions"][0]["action_id"], "make_groups");
        let act = |run: &Value, input: Value| {
            let path = format!("/api/runs/{}/actions", run["id"].as_str().unwrap());
            let body = json!({ "action_id": "make_groups", "input": input });
            Request::builder()
                .method(Method::POST)
                .uri(path)
                .header(header::AUTHORIZATION, format!("Bearer {user}"))
                .header(header::CONTENT_TYPE, "application/json")
                .header("prefer", "wait=30")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        app.send(act(&first.body, json!({ "size": 1 }))).await.problem(422, "validation_failed");
        let second = app.send(act(&first.body, json!({ "size": 2, "seed": "x" }))).await;
        assert_eq!(second.body["status"], "succeeded", "{}", second.body);
        assert_eq!(second.body["parent_run_id"], first.body["id"]);
        let groups = second.body["ui"]["outputs"][1]["rows"].as_array().unwrap().len();
        assert_eq!(groups, 3, "5 names in groups of 2");
        app.send(act(&first.body, json!({ "size": 3 }))).await.problem(409, "stale_action");
        let third = app.send(act(&second.body, json!({ "size": 5 }))).await;
        assert_eq!(third.body["status"], "succeeded", "{}", third.body);
        assert_eq!(third.body["ui"]["outputs"][1]["rows"].as_array().unwrap().len(), 1);
        let unknown = json!({ "action_id": "nope", "input": {} });
        let path = format!("/api/runs/{}/actions", third.body["id"].as_str().unwrap());
        app.call(Method::POST, &path, Some(&user), Some(unknown)).await.problem(422, "validation_failed");
    }
}

#[tokio::test]
async fn the_event_stream_delivers_live_output_then_the_final_run() {
    let Some(backend) = backends().into_iter().next() else { return };
    let Some(app) = docker_app(backend).await else { return };
    let (_, _, _) = app
        .publish_tool("tick", "import time\ndef run_tool(i, o):\n    for n in range(3):\n        print('tick', n, flush=True)\n        time.sleep(1)\n    return 'klar'\n", Value::Null, Value::Null)
        .await;
    let user = app.token(Role::User).await;
    let run = app.post_form("/api/tools/tick/run", &user, &[], &[]).await;
    let started = Instant::now();
    let request = Request::builder()
        .uri(format!("/api/runs/{}/events", run.body["id"].as_str().unwrap()))
        .header(header::AUTHORIZATION, format!("Bearer {user}"))
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.headers().get(header::CONTENT_TYPE).unwrap(), "text/event-stream");
    let mut body = response.into_body();
    let mut text = String::new();
    let mut first_output = None;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout(Duration::from_secs(30), body.frame()).await {
        if let Some(data) = frame.data_ref() {
            text.push_str(&String::from_utf8_lossy(data));
            if first_output.is_none() && text.contains("tick 0") {
                first_output = Some(started.elapsed());
            }
        }
        if text.contains("event: run") {
            break;
        }
    }
    let total = started.elapsed();
    let first = first_output.expect("live output in the stream");
    assert!(first + Duration::from_millis(1500) < total, "output at {first:?}, end at {total:?}: not live\n{text}");
    assert!(text.contains("event: status") && text.contains("event: output"), "{text}");
    let final_line = text.lines().skip_while(|l| *l != "event: run").nth(1).unwrap();
    let final_run: Value = serde_json::from_str(final_line.trim_start_matches("data: ")).unwrap();
    assert_eq!(final_run["status"], "succeeded");

    // A client that connects after the end still gets the final run.
    let late = Request::builder()
        .uri(format!("/api/runs/{}/events", run.body["id"].as_str().unwrap()))
        .header(header::AUTHORIZATION, format!("Bearer {user}"))
        .body(Body::empty())
        .unwrap();
    let late = app.router.clone().oneshot(late).await.unwrap().into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&late).contains("event: run"));
}

#[tokio::test]
async fn progress_arrives_as_sse_events_and_on_the_running_run() {
    let Some(backend) = backends().into_iter().next() else { return };
    let Some(app) = docker_app(backend).await else { return };
    let source = "import time\nfrom skriptoteket import progress\ndef run_tool(i, o):\n    for n in range(1, 4):\n        progress(n, 3, f'Steg {n}')\n        time.sleep(0.7)\n    return 'klar'\n";
    app.publish_tool("steps", source, Value::Null, Value::Null).await;
    let user = app.token(Role::User).await;
    let run = app.post_form("/api/tools/steps/run", &user, &[], &[]).await;
    let id = run.body["id"].as_str().unwrap().to_owned();
    let request = Request::builder()
        .uri(format!("/api/runs/{id}/events"))
        .header(header::AUTHORIZATION, format!("Bearer {user}"))
        .body(Body::empty())
        .unwrap();
    let mut body = app.router.clone().oneshot(request).await.unwrap().into_body();
    let mut text = String::new();
    let mut while_running = None;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout(Duration::from_secs(30), body.frame()).await {
        if let Some(data) = frame.data_ref() {
            text.push_str(&String::from_utf8_lossy(data));
        }
        if while_running.is_none() && text.contains("event: progress") {
            while_running = Some(app.call(Method::GET, &format!("/api/runs/{id}"), Some(&user), None).await);
        }
        if text.contains("event: run") {
            break;
        }
    }
    let progress: Vec<Value> = text
        .split("\n\n")
        .filter_map(|event| event.strip_prefix("event: progress\ndata: "))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect();
    assert!(progress.len() >= 2, "{text}");
    assert_eq!(progress.last().unwrap(), &json!({"done": 3.0, "total": 3.0, "stage": "Steg 3"}), "{text}");
    let running = while_running.expect("a progress event");
    assert_eq!(running.body["status"], "running", "{}", running.body);
    assert_eq!(running.body["progress"]["total"], 3.0, "{}", running.body);
    let done = app.call(Method::GET, &format!("/api/runs/{id}"), Some(&user), None).await;
    assert_eq!(done.body["status"], "succeeded", "{}", done.body);
    assert!(done.body["progress"].is_null(), "{}", done.body);
}

#[tokio::test]
async fn cancel_stops_a_long_run_within_two_seconds_and_removes_its_container() {
    let Some(backend) = backends().into_iter().next() else { return };
    let Some(app) = docker_app(backend).await else { return };
    app.publish_tool(
        "sov",
        "import time\ndef run_tool(i, o):\n    print('sover', flush=True)\n    time.sleep(120)\n",
        Value::Null,
        Value::Null,
    )
    .await;
    let user = app.token(Role::User).await;
    let run = app.post_form("/api/tools/sov/run", &user, &[], &[]).await;
    let id = run.body["id"].as_str().unwrap().to_owned();
    for _ in 0..100 {
        let now = app.call(Method::GET, &format!("/api/runs/{id}"), Some(&user), None).await;
        if now.body["stdout"].as_str().unwrap_or_default().contains("sover") || now.body["status"] == "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    app.call(Method::POST, &format!("/api/runs/{id}/cancel"), Some(&user), None).await;
    let done = app.wait_run(&user, &id, 10).await;
    assert_eq!(done.body["status"], "cancelled", "{}", done.body);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    let left = std::process::Command::new("docker")
        .args(["ps", "-aq", "--filter", &format!("label=org.skriptoteket.run-id={id}")])
        .output()
        .unwrap();
    assert!(left.stdout.is_empty(), "container left: {}", String::from_utf8_lossy(&left.stdout));
}

/// 2**256 + 7: far beyond 64 bits, so a float anywhere on the way would round it.
const BIG: &str = "115792089237316195423570985008687907853269984665640564039457584007913129639943";

#[tokio::test]
async fn a_big_integer_in_the_state_survives_two_follow_up_actions_exactly() {
    for backend in backends() {
        let Some(app) = docker_app(backend).await else { return };
        let source = r#"
from skriptoteket import action, form_action, json_output
BIG = 2**256 + 7
def run_tool(input_dir, output_dir):
    step = action()
    state = step["state"] if step else {"seed": BIG, "count": 0}
    if not (type(state["seed"]) is int and state["seed"] == BIG):
        raise ValueError(f"the seed came back as {state['seed']!r}")
    state = {"seed": state["seed"], "count": state["count"] + 1, "ratio": 0.1}
    return {"outputs": [json_output(state)], "next_actions": [form_action("igen", "Igen", [])], "state": state}
"#;
        app.publish_tool("storatal", source, Value::Null, Value::Null).await;
        let user = app.token(Role::User).await;
        let mut run = app.post_form("/api/tools/storatal/run", &user, &[], &[("prefer", "wait=30")]).await.body;
        for count in 1..=3 {
            assert_eq!(run["status"], "succeeded", "{backend:?} step {count}: {run}");
            assert_eq!(run["ui"]["state"]["seed"].to_string(), BIG, "{backend:?}: the state keeps every digit");
            assert_eq!(run["ui"]["outputs"][0]["value"]["seed"].to_string(), BIG, "and so does a json output");
            assert_eq!(run["ui"]["state"]["count"], count);
            if count == 3 {
                break;
            }
            let path = format!("/api/runs/{}/actions", run["id"].as_str().unwrap());
            let body = json!({ "action_id": "igen", "input": {} });
            let request = Request::builder()
                .method(Method::POST)
                .uri(path)
                .header(header::AUTHORIZATION, format!("Bearer {user}"))
                .header(header::CONTENT_TYPE, "application/json")
                .header("prefer", "wait=30")
                .body(Body::from(body.to_string()))
                .unwrap();
            run = app.send(request).await.body;
        }
        let raw = app.call(Method::GET, &format!("/api/runs/{}", run["id"].as_str().unwrap()), Some(&user), None).await;
        assert!(raw.body.to_string().contains(&format!("\"seed\":{BIG}")), "the API's JSON text has the digits");
    }
}

#[tokio::test]
async fn the_document_examples_make_a_real_pdf_and_a_real_word_file() {
    let Some(backend) = backends().into_iter().next() else { return };
    let Some(app) = docker_app(backend).await else { return };
    let user = app.token(Role::User).await;
    let download = |run: &Value, suffix: &str| {
        let artifact =
            run["artifacts"].as_array().unwrap().iter().find(|a| a["name"].as_str().unwrap().ends_with(suffix));
        artifact.unwrap_or_else(|| panic!("a {suffix} artifact in {run}"))["download_url"].as_str().unwrap().to_owned()
    };

    let inputs = json!({ "names": "Ada Lovelace\nBo Ek", "course": "Programmering 1", "date": "2026-12-06" });
    let run = app
        .post_form(
            "/api/tools/klassintyg/run",
            &user,
            &[("inputs", None, inputs.to_string().as_bytes())],
            &[("prefer", "wait=60")],
        )
        .await;
    assert_eq!(run.body["status"], "succeeded", "{}", run.body);
    let pdf = app.call(Method::GET, &download(&run.body, ".pdf"), Some(&user), None).await;
    assert_eq!(pdf.headers.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF"), "WeasyPrint wrote a PDF");

    let md = b"# Veckobrev\n\n- Prov p\xc3\xa5 fredag\n- **Utflykt** p\xc3\xa5 m\xc3\xa5ndag\n";
    let run = app
        .post_form(
            "/api/tools/markdown-till-word/run",
            &user,
            &[("files", Some("brev.md"), md)],
            &[("prefer", "wait=60")],
        )
        .await;
    assert_eq!(run.body["status"], "succeeded", "{}", run.body);
    let docx = app.call(Method::GET, &download(&run.body, ".docx"), Some(&user), None).await;
    assert!(docx.bytes.starts_with(b"PK"), "pandoc wrote a .docx (a zip)");
    let text = run.body["ui"].to_string();
    assert!(text.contains("Veckobrev"), "the tool read the document back with python-docx: {text}");
}

#[tokio::test]
async fn the_longest_form_values_allowed_reach_the_tool() {
    let Some(backend) = backends().into_iter().next() else { return };
    let Some(app) = docker_app(backend).await else { return };
    let schema = json!({ "fields": [{ "name": "text", "kind": "text", "label": "Text" }] });
    let source =
        "from skriptoteket import inputs\ndef run_tool(i, o):\n    return 'längd %d' % len(inputs()['text'])\n";
    app.publish_tool("langtext", source, schema, Value::Null).await;
    let user = app.token(Role::User).await;
    // Just under the 64 KiB cap: far from the kernel's 128 KiB per variable, so the container starts.
    let inputs = json!({ "text": "å".repeat(30 * 1024) }).to_string();
    let run = app
        .post_form("/api/tools/langtext/run", &user, &[("inputs", None, inputs.as_bytes())], &[("prefer", "wait=30")])
        .await;
    assert_eq!(run.body["status"], "succeeded", "{}", run.body);
    assert!(run.body["ui"].to_string().contains("längd 30720"), "{}", run.body["ui"]);
}

#[tokio::test]
async fn a_tool_error_a_crash_and_a_timeout_reach_the_api_as_codes() {
    let Some(backend) = backends().into_iter().next() else { return };
    let Some(app) = TestApp::with_docker(backend, |runs| runs.timeout_production = Duration::from_secs(3)).await else {
        return;
    };
    let cases = [
        (
            "vagrar",
            "from tool_errors import ToolUserError\ndef run_tool(i, o):\n    raise ToolUserError('Filen saknar kolumnen Betyg.')\n",
            json!({ "error_code": "tool_error", "error_params": { "message": "Filen saknar kolumnen Betyg." } }),
        ),
        (
            "kraschar",
            "def run_tool(i, o):\n    return {}['x']\n",
            json!({ "error_code": "tool_crashed", "error_params": {} }),
        ),
        (
            "evig",
            "def run_tool(i, o):\n    while True:\n        pass\n",
            json!({ "error_code": "timed_out", "error_params": { "seconds": 3 } }),
        ),
    ];
    let user = app.token(Role::User).await;
    for (slug, source, expected) in cases {
        app.publish_tool(slug, source, Value::Null, Value::Null).await;
        let run = app.post_form(&format!("/api/tools/{slug}/run"), &user, &[], &[("prefer", "wait=20")]).await;
        assert_eq!(run.body["error_code"], expected["error_code"], "{slug}: {}", run.body);
        assert_eq!(run.body["error_params"], expected["error_params"], "{slug}: {}", run.body);
        assert!(run.body["error_summary"].is_string(), "{slug}: the English summary stays for integrators");
        assert!(run.body["stderr"].is_null(), "a teacher gets no traceback");
    }
}

/// Class mode on the real engine: a class of 30 grade sheets, one container each, all through
/// the normal queue; every item's Excel file ends up in the zip under its own input's folder.
/// One database is enough here: the batch rules run on both with the scripted runner.
#[tokio::test]
async fn a_class_of_thirty_files_runs_as_one_batch_with_one_zip() {
    let backend = backends()[0];
    let Some(app) = TestApp::with_docker(backend, |runs| runs.max_concurrency = 4).await else { return };
    assert_eq!(seed_examples(app.state.store.as_ref()).await.unwrap(), 4);
    let user = app.token(Role::User).await;
    let sheets: Vec<(String, Vec<u8>)> = (1..=30)
        .map(|n| (format!("elev {n:02}.csv"), format!("namn,matte\nElev {n},{}\n", 10 + n % 10).into_bytes()))
        .collect();
    let parts: Vec<(&str, Option<&str>, &[u8])> =
        sheets.iter().map(|(name, csv)| ("files", Some(name.as_str()), csv.as_slice())).collect();
    let started = Instant::now();
    let reply = app.post_form("/api/tools/betygsoversikt/batch", &user, &parts, &[]).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    let id = reply.body["id"].as_str().unwrap().to_owned();
    let batch = crate::batches::wait_batch(&app, &user, &id, 180).await;
    assert_eq!(batch["counts"]["succeeded"], 30, "{batch}");
    eprintln!("30 items on the real engine in {:.1} s", started.elapsed().as_secs_f64());

    let zip = app.call(Method::GET, &format!("/api/batches/{id}/artifacts.zip"), Some(&user), None).await;
    assert_eq!(zip.status, StatusCode::OK);
    let entries = crate::support::zip_entries(&zip.bytes);
    assert_eq!(entries.len(), 30, "{entries:?}");
    for (name, _) in &sheets {
        let entry = &entries[&format!("{name}/betygsoversikt.xlsx")];
        assert!(entry["size"].as_u64().unwrap() > 1000, "{name}: {entry}");
    }
}
