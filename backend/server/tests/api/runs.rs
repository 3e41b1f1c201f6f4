//! Runs through the API with the scripted fake runner: queueing, waiting, permissions,
//! uploads and their limits, settings, cancel, a full queue and restart recovery.

use crate::fake_runner::FakeRunner;
use crate::support::{Engine, TestApp, each_backend};
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use skriptoteket_domain::Role;
use skriptoteket_store::testing::backends;
use std::sync::Arc;

const CSV_TOOL: &str = "def run_tool(i, o):\n    return 'ok'\n";

fn csv_schema() -> Value {
    json!({ "files": { "accept": [".csv"], "min": 1, "max": 2 }, "fields": [{ "name": "klass", "kind": "string", "label": "Klass", "required": true }] })
}

fn settings_schema() -> Value {
    json!({ "fields": [{ "name": "skala", "kind": "enum", "label": "Skala", "options": [{ "value": "A-F", "label": "A–F" }, { "value": "1-5", "label": "1–5" }] }] })
}

#[tokio::test]
async fn a_run_is_queued_followed_and_private_to_its_owner() {
    each_backend(|app| async move {
        app.publish_tool("summa", CSV_TOOL, csv_schema(), settings_schema()).await;
        let user = app.token(Role::User).await;
        let reply = app.post_form("/api/tools/summa/run", &user, &[("files", Some("elever.csv"), b"a,b\n1,2\n"), ("inputs", None, br#"{"klass":"7B"}"#)], &[]).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?} {}", app.backend, reply.body);
        let location = reply.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned();
        let run_id = reply.body["id"].as_str().unwrap().to_owned();
        assert_eq!(location, format!("/api/runs/{run_id}"));
        let done = app.wait_run(&user, &run_id, 10).await;
        assert_eq!(done.body["status"], "succeeded", "{}", done.body);
        assert_eq!(done.body["files"][0]["name"], "elever.csv");
        assert!(done.body["stderr"].is_null(), "a teacher does not see stderr");
        assert!(done.body["ui"]["outputs"][0]["markdown"].as_str().unwrap().contains(r#""klass":"7B""#));

        let other = app.call(Method::POST, "/api/admin/users", Some(&app.token(Role::Admin).await), Some(json!({ "email": "u2@skola.se", "display_name": "U2", "role": "user", "password": "long-enough-pw" }))).await;
        assert_eq!(other.status, StatusCode::CREATED);
        let stranger = app.login("u2@skola.se", "long-enough-pw").await.body["access_token"].as_str().unwrap().to_owned();
        app.call(Method::GET, &location, Some(&stranger), None).await.problem(404, "not_found");
        app.call(Method::POST, &format!("{location}/cancel"), Some(&stranger), None).await.problem(404, "not_found");
        app.call(Method::GET, &format!("{location}/events"), Some(&stranger), None).await.problem(404, "not_found");
        assert_eq!(app.call(Method::GET, "/api/runs", Some(&stranger), None).await.body["total"], 0);
        let admin_view = app.call(Method::GET, &location, Some(&app.token(Role::Admin).await), None).await;
        assert_eq!(admin_view.body["stderr"], "fake stderr\n", "admins see the technical detail");
        let mine = app.call(Method::GET, "/api/runs?context=production", Some(&user), None).await;
        assert_eq!(mine.body["total"], 1);
        assert_eq!(mine.body["items"][0]["tool"]["slug"], "summa");
        app.call(Method::GET, "/api/runs?all=true", Some(&user), None).await.problem(403, "forbidden");

        let waited = app.post_form("/api/tools/summa/run", &user, &[("files", Some("a.csv"), b"x"), ("inputs", None, br#"{"klass":"8A"}"#)], &[("prefer", "wait=10")]).await;
        assert_eq!(waited.status, StatusCode::OK, "Prefer: wait answers the finished run: {}", waited.body);
        assert_eq!(waited.body["status"], "succeeded");
    })
    .await;
}

#[tokio::test]
async fn uploads_and_inputs_are_checked_against_the_schema_and_the_caps() {
    each_backend(|app| async move {
        app.publish_tool("kontroll", CSV_TOOL, csv_schema(), Value::Null).await;
        let user = app.token(Role::User).await;
        let run = |parts: Vec<(&'static str, Option<&'static str>, Vec<u8>)>| {
            let app = &app;
            let user = user.clone();
            async move {
                let borrowed: Vec<(&str, Option<&str>, &[u8])> =
                    parts.iter().map(|(n, f, d)| (*n, *f, d.as_slice())).collect();
                app.post_form("/api/tools/kontroll/run", &user, &borrowed, &[]).await
            }
        };
        let inputs = || ("inputs", None, br#"{"klass":"7B"}"#.to_vec());
        let wrong_type = run(vec![("files", Some("virus.exe"), b"MZ".to_vec()), inputs()]).await;
        assert!(
            wrong_type.problem(422, "validation_failed")["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("virus.exe")
        );
        run(vec![inputs()]).await.problem(422, "validation_failed");
        run(vec![
            ("files", Some("a.csv"), b"1".to_vec()),
            ("files", Some("b.csv"), b"1".to_vec()),
            ("files", Some("c.csv"), b"1".to_vec()),
            inputs(),
        ])
        .await
        .problem(422, "validation_failed");
        let missing = run(vec![("files", Some("a.csv"), b"1".to_vec())]).await;
        assert_eq!(missing.problem(422, "validation_failed")["errors"][0]["field"], "inputs.klass");
        run(vec![
            ("files", Some("a.csv"), b"1".to_vec()),
            ("inputs", None, br#"{"klass":"7B","admin":true}"#.to_vec()),
        ])
        .await
        .problem(422, "validation_failed");
        run(vec![("files", Some("a.csv"), b"1".to_vec()), ("inputs", None, b"{not json".to_vec())])
            .await
            .problem(422, "validation_failed");
        run(vec![("evil", None, b"1".to_vec())]).await.problem(422, "validation_failed");
        let many: Vec<_> = (0..21).map(|_| ("files", Some("a.csv"), b"1".to_vec())).collect();
        run(many).await.problem(413, "payload_too_large");
        let big = run(vec![("files", Some("big.csv"), vec![b'1'; 20_000_001]), inputs()]).await;
        assert!(big.problem(413, "payload_too_large")["detail"].as_str().unwrap().contains("20 MB"));
        let total = run(vec![
            ("files", Some("a.csv"), vec![b'1'; 19_000_000]),
            ("files", Some("b.csv"), vec![b'1'; 19_000_000]),
            ("files", Some("c.csv"), vec![b'1'; 19_000_000]),
        ])
        .await;
        total.problem(413, "payload_too_large");
        assert_eq!(app.call(Method::GET, "/api/runs", Some(&user), None).await.body["total"], 0, "nothing was queued");
        let uploads = app.dir.path().join("uploads");
        let left = std::fs::read_dir(&uploads).map(|d| d.count()).unwrap_or(0);
        assert_eq!(left, 0, "refused uploads leave no files behind");
    })
    .await;
}

#[tokio::test]
async fn settings_are_validated_saved_and_handed_to_runs() {
    for backend in backends() {
        let fake = Arc::new(FakeRunner::default());
        let app = TestApp::build(backend, Engine::Fake(fake.clone()), |_| {}).await;
        let (_, _, version) = app.publish_tool("minne", CSV_TOOL, Value::Null, settings_schema()).await;
        let user = app.token(Role::User).await;
        let empty = app.call(Method::GET, "/api/tools/minne/settings", Some(&user), None).await;
        assert_eq!(empty.body["values"], json!({}));
        app.call(Method::PUT, "/api/tools/minne/settings", Some(&user), Some(json!({ "values": { "skala": "X" } })))
            .await
            .problem(422, "validation_failed");
        app.call(Method::PUT, "/api/tools/minne/settings", Some(&user), Some(json!({ "values": { "okänd": 1 } })))
            .await
            .problem(422, "validation_failed");
        let saved = app
            .call(Method::PUT, "/api/tools/minne/settings", Some(&user), Some(json!({ "values": { "skala": "1-5" } })))
            .await;
        assert_eq!(saved.body["values"]["skala"], "1-5", "{}", saved.body);
        let run = app.post_form("/api/tools/minne/run", &user, &[], &[("prefer", "wait=10")]).await;
        assert_eq!(run.body["status"], "succeeded", "{}", run.body);
        assert_eq!(fake.requests.lock().unwrap().last().unwrap().settings, json!({ "skala": "1-5" }));

        // Sandbox settings are the author's own, per version.
        let author = app.token(Role::Contributor).await;
        let sandbox = format!("/api/admin/tool-versions/{version}/settings");
        assert_eq!(app.call(Method::GET, &sandbox, Some(&author), None).await.body["values"], json!({}));
        app.call(Method::PUT, &sandbox, Some(&author), Some(json!({ "values": { "skala": "A-F" } }))).await;
        app.call(Method::GET, &sandbox, Some(&user), None).await.problem(403, "forbidden");
        let test_run = app
            .post_form(
                &format!("/api/admin/tool-versions/{version}/run-sandbox"),
                &author,
                &[],
                &[("prefer", "wait=10")],
            )
            .await;
        assert_eq!(test_run.body["context"], "sandbox", "{}", test_run.body);
        assert_eq!(fake.requests.lock().unwrap().last().unwrap().settings, json!({ "skala": "A-F" }));
    }
}

#[tokio::test]
async fn sandbox_runs_are_for_maintainers_and_carry_unsaved_source() {
    for backend in backends() {
        let fake = Arc::new(FakeRunner::default());
        let app = TestApp::build(backend, Engine::Fake(fake.clone()), |_| {}).await;
        let (_, _, version) = app.publish_tool("test", CSV_TOOL, Value::Null, Value::Null).await;
        let path = format!("/api/admin/tool-versions/{version}/run-sandbox");
        app.post_form(&path, &app.token(Role::User).await, &[], &[]).await.problem(403, "forbidden");
        let author = app.token(Role::Contributor).await;
        let unsaved = app
            .post_form(&path, &author, &[("source", None, b"print('unsaved')  # sleep=0")], &[("prefer", "wait=10")])
            .await;
        assert_eq!(unsaved.status, StatusCode::OK, "{}", unsaved.body);
        assert_eq!(fake.requests.lock().unwrap().last().unwrap().source, "print('unsaved')  # sleep=0");
        assert_eq!(unsaved.body["stderr"], "fake stderr\n", "authors see stderr");
        let syntax = app.post_form(&path, &author, &[("source", None, b"def run_tool(i, o)\n    pass\n")], &[]).await;
        assert!(
            syntax.problem(422, "validation_failed")["errors"][0]["message"].as_str().unwrap().contains("line 1"),
            "{}",
            syntax.body
        );
        let runs = app.call(Method::GET, "/api/runs?context=production", Some(&author), None).await;
        assert_eq!(runs.body["total"], 0, "sandbox runs are apart from production history");
        assert_eq!(app.call(Method::GET, "/api/runs?context=sandbox", Some(&author), None).await.body["total"], 1);
    }
}

#[tokio::test]
async fn a_full_queue_answers_503_and_cancel_works_queued_and_running() {
    for backend in backends() {
        let app = TestApp::build(backend, Engine::Fake(Arc::new(FakeRunner::default())), |c| c.max_queue = 1).await;
        app.publish_tool("lang", "sleep=30", Value::Null, Value::Null).await;
        let user = app.token(Role::User).await;
        let first = app.post_form("/api/tools/lang/run", &user, &[], &[]).await;
        let first_id = first.body["id"].as_str().unwrap().to_owned();
        // Wait until the worker has claimed it, so the queue is empty again.
        for _ in 0..50 {
            if app.call(Method::GET, &format!("/api/runs/{first_id}"), Some(&user), None).await.body["status"]
                == "running"
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let second = app.post_form("/api/tools/lang/run", &user, &[], &[]).await;
        assert_eq!(second.status, StatusCode::ACCEPTED, "{}", second.body);
        let third = app.post_form("/api/tools/lang/run", &user, &[], &[]).await;
        third.problem(503, "queue_full");
        assert!(third.headers.get(header::RETRY_AFTER).is_some());

        let second_id = second.body["id"].as_str().unwrap();
        let cancelled = app.call(Method::POST, &format!("/api/runs/{second_id}/cancel"), Some(&user), None).await;
        assert_eq!(cancelled.body["status"], "cancelled", "a queued run is cancelled at once");
        let started = std::time::Instant::now();
        app.call(Method::POST, &format!("/api/runs/{first_id}/cancel"), Some(&user), None).await;
        let done = app.wait_run(&user, &first_id, 5).await;
        assert_eq!(done.body["status"], "cancelled", "{}", done.body);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}

#[tokio::test]
async fn a_restart_leaves_no_run_running_and_finishes_the_queue() {
    for backend in backends() {
        let app = TestApp::build(backend, Engine::Fake(Arc::new(FakeRunner::default())), |_| {}).await;
        app.publish_tool("omstart", "sleep=30", Value::Null, Value::Null).await;
        app.publish_tool("snabb", "sleep=0", Value::Null, Value::Null).await;
        let user = app.token(Role::User).await;
        let running =
            app.post_form("/api/tools/omstart/run", &user, &[], &[]).await.body["id"].as_str().unwrap().to_owned();
        for _ in 0..50 {
            if app.call(Method::GET, &format!("/api/runs/{running}"), Some(&user), None).await.body["status"]
                == "running"
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let queued =
            app.post_form("/api/tools/snabb/run", &user, &[], &[]).await.body["id"].as_str().unwrap().to_owned();
        // The process dies: its workers vanish without recording anything.
        let app = app.crash_and_restart(Engine::Fake(Arc::new(FakeRunner::default()))).await;
        let user = app.token(Role::User).await;
        let failed = app.call(Method::GET, &format!("/api/runs/{running}"), Some(&user), None).await;
        assert_eq!(failed.body["status"], "failed", "{}", failed.body);
        assert!(failed.body["error_summary"].as_str().unwrap().contains("server stopped"));
        let finished = app.wait_run(&user, &queued, 10).await;
        assert_eq!(finished.body["status"], "succeeded", "the queued run survived the restart: {}", finished.body);
        let running_now = app.call(Method::GET, "/api/runs?status=running", Some(&user), None).await;
        assert_eq!(running_now.body["total"], 0);
    }
}

#[tokio::test]
async fn the_live_stream_shows_stderr_only_to_maintainers_and_admins() {
    for backend in backends() {
        let app = TestApp::build(backend, Engine::Fake(Arc::new(FakeRunner::default())), |_| {}).await;
        app.publish_tool("logg", "sleep=1", Value::Null, Value::Null).await;
        let stream_of = |token: String, run: String| {
            let router = app.router.clone();
            async move {
                let request = axum::http::Request::builder()
                    .uri(format!("/api/runs/{run}/events"))
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(axum::body::Body::empty())
                    .unwrap();
                let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
                let bytes = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
                String::from_utf8_lossy(&bytes).into_owned()
            }
        };
        for (role, sees_stderr) in [(Role::User, false), (Role::Admin, true)] {
            let token = app.token(role).await;
            let run =
                app.post_form("/api/tools/logg/run", &token, &[], &[]).await.body["id"].as_str().unwrap().to_owned();
            let text = stream_of(token, run).await;
            assert!(text.contains("event: run"), "{text}");
            let live_stderr = text.contains(r#""stream":"stderr""#);
            assert_eq!(live_stderr, sees_stderr, "{role:?} live stderr:\n{text}");
        }
    }
}

#[tokio::test]
async fn one_user_cannot_take_the_whole_queue() {
    for backend in backends() {
        let app =
            TestApp::build(backend, Engine::Fake(Arc::new(FakeRunner::default())), |c| c.max_active_per_user = 2).await;
        app.publish_tool("delad", "sleep=30", Value::Null, Value::Null).await;
        let user = app.token(Role::User).await;
        for _ in 0..2 {
            assert_eq!(app.post_form("/api/tools/delad/run", &user, &[], &[]).await.status, StatusCode::ACCEPTED);
        }
        let third = app.post_form("/api/tools/delad/run", &user, &[], &[]).await;
        assert_eq!(third.problem(429, "too_many_runs")["retry_after"], 5);
        let other = app.token(Role::Contributor).await;
        let theirs = app.post_form("/api/tools/delad/run", &other, &[], &[]).await;
        assert_eq!(theirs.status, StatusCode::ACCEPTED, "others still get their turn: {}", theirs.body);
        let mine = app.call(Method::GET, "/api/runs?status=queued", Some(&user), None).await;
        let id = mine.body["items"][0]["id"].as_str().unwrap().to_owned();
        app.call(Method::POST, &format!("/api/runs/{id}/cancel"), Some(&user), None).await;
        let again = app.post_form("/api/tools/delad/run", &user, &[], &[]).await;
        assert_eq!(again.status, StatusCode::ACCEPTED, "a cancelled run frees the slot: {}", again.body);
    }
}

#[tokio::test]
async fn form_values_too_long_for_the_tools_environment_and_huge_choice_lists_are_refused() {
    each_backend(|app| async move {
        let schema = json!({ "fields": [
            { "name": "text", "kind": "text", "label": "Text" },
            { "name": "val", "kind": "multi_enum", "label": "Val",
              "options": (0..100).map(|i| json!({ "value": format!("o{i}"), "label": format!("O{i}") })).collect::<Vec<_>>() },
        ] });
        app.publish_tool("langt", CSV_TOOL, schema, Value::Null).await;
        let user = app.token(Role::User).await;
        // 200 KiB in one field would exceed the kernel's 128 KiB per environment variable.
        let long = json!({ "text": "a".repeat(200 * 1024) }).to_string();
        let refused = app.post_form("/api/tools/langt/run", &user, &[("inputs", None, long.as_bytes())], &[]).await;
        let problem = refused.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "inputs", "{problem}");
        let fits = json!({ "text": "a".repeat(60 * 1024) }).to_string();
        let accepted = app.post_form("/api/tools/langt/run", &user, &[("inputs", None, fits.as_bytes())], &[]).await;
        assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
        // 100 000 choices are refused at once, without comparing each against every option.
        let many = json!({ "val": vec!["o1"; 100_000] }).to_string();
        let refused = app.post_form("/api/tools/langt/run", &user, &[("inputs", None, many.as_bytes())], &[]).await;
        assert_eq!(refused.problem(422, "validation_failed")["errors"][0]["field"], "inputs.val");

        // An author cannot offer more than 100 options.
        let author = app.token(Role::Contributor).await;
        let created = app.call(Method::POST, "/api/admin/tools", Some(&author), Some(json!({ "title": "Många val" }))).await;
        let draft = &created.body["draft"];
        let options: Vec<Value> = (0..101).map(|i| json!({ "value": format!("o{i}"), "label": "x" })).collect();
        let save = json!({ "source": CSV_TOOL, "expected_revision": draft["revision"],
            "input_schema": { "fields": [{ "name": "v", "kind": "enum", "label": "V", "options": options }] } });
        let path = format!("/api/admin/tool-versions/{}", draft["id"].as_str().unwrap());
        let problem = app.call(Method::PUT, &path, Some(&author), Some(save)).await;
        let problem = problem.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "input_schema.fields[0].options", "{problem}");
    })
    .await;
}

#[tokio::test]
async fn dropped_event_streams_leave_nothing_behind_and_followers_share_one_poll() {
    let Some(backend) = backends().into_iter().next() else { return };
    let app = TestApp::build(backend, Engine::Fake(Arc::new(FakeRunner::default())), |c| {
        c.max_streams_per_user = 5000;
    })
    .await;
    app.publish_tool("folj", "sleep=30", Value::Null, Value::Null).await;
    let user = app.token(Role::User).await;
    let run = app.post_form("/api/tools/folj/run", &user, &[], &[]).await;
    let events = format!("/api/runs/{}/events", run.body["id"].as_str().unwrap());
    let open = |_| {
        let request = axum::http::Request::builder()
            .uri(&events)
            .header(header::AUTHORIZATION, format!("Bearer {user}"))
            .body(axum::body::Body::empty())
            .unwrap();
        tower::ServiceExt::oneshot(app.router.clone(), request)
    };
    // 50 live followers: one poll of the database for all of them.
    let live: Vec<_> = futures::future::join_all((0..50).map(open)).await.into_iter().map(Result::unwrap).collect();
    assert!(live.iter().all(|r| r.status() == StatusCode::OK));
    assert_eq!(app.state.streams.total(), 50);
    assert_eq!(app.state.hub.polls(), 1, "followers share one poll");
    drop(live);
    // 2 000 streams opened and dropped at once.
    for chunk in 0..4 {
        let opened = futures::future::join_all((0..500).map(open)).await;
        assert!(opened.iter().all(|r| r.as_ref().unwrap().status() == StatusCode::OK), "chunk {chunk}");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while (app.state.streams.total() > 0 || app.state.hub.polls() > 0) && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.state.streams.total(), 0, "every follower task ended with its client");
    assert_eq!(app.state.hub.polls(), 0, "and the poll with the last follower");
}

#[tokio::test]
async fn a_user_follows_at_most_max_streams_runs_at_once() {
    let Some(backend) = backends().into_iter().next() else { return };
    let app =
        TestApp::build(backend, Engine::Fake(Arc::new(FakeRunner::default())), |c| c.max_streams_per_user = 3).await;
    app.publish_tool("tre", "sleep=30", Value::Null, Value::Null).await;
    let user = app.token(Role::User).await;
    let run = app.post_form("/api/tools/tre/run", &user, &[], &[]).await;
    let events = format!("/api/runs/{}/events", run.body["id"].as_str().unwrap());
    let mut open = Vec::new();
    for _ in 0..3 {
        let request = axum::http::Request::builder()
            .uri(&events)
            .header(header::AUTHORIZATION, format!("Bearer {user}"))
            .body(axum::body::Body::empty())
            .unwrap();
        open.push(tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap());
    }
    app.call(Method::GET, &events, Some(&user), None).await.problem(429, "too_many_streams");
    let waited = app.post_form("/api/tools/tre/run", &user, &[], &[("prefer", "wait=1")]).await;
    assert_eq!(waited.status, StatusCode::ACCEPTED, "a queued run is still answered, without waiting: {}", waited.body);
    drop(open);
}
