//! For teachers (issue 14): every ending's error code through the API, "run again" with the
//! same inputs, settings and files, and favourites and recent tools in the catalog.

use crate::fake_runner::FakeRunner;
use crate::support::{Engine, TestApp, each_backend};
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use skriptoteket_domain::Role;
use skriptoteket_store::testing::backends;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

fn csv_schema() -> Value {
    json!({ "files": { "accept": [".csv"], "min": 1, "max": 2 }, "fields": [{ "name": "klass", "kind": "string", "label": "Klass", "required": true }] })
}

fn settings_schema() -> Value {
    json!({ "fields": [{ "name": "skala", "kind": "enum", "label": "Skala", "options": [{ "value": "A-F", "label": "A–F" }, { "value": "1-5", "label": "1–5" }] }] })
}

async fn stranger(app: &TestApp) -> String {
    let admin = app.token(Role::Admin).await;
    let body =
        json!({ "email": "annan@skola.se", "display_name": "Annan", "role": "user", "password": "long-enough-pw" });
    assert_eq!(app.call(Method::POST, "/api/admin/users", Some(&admin), Some(body)).await.status, StatusCode::CREATED);
    app.login("annan@skola.se", "long-enough-pw").await.body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_ending_carries_its_code_and_parameters_next_to_the_english_summary() {
    for backend in backends() {
        let app = TestApp::build(backend, Engine::Fake(Arc::new(FakeRunner::default())), |runs| {
            runs.timeout_production = Duration::from_secs(1);
        })
        .await;
        let user = app.token(Role::User).await;
        let cases = [
            (
                "fel",
                "user_error = 1\n",
                "failed",
                json!({ "error_code": "tool_error", "error_params": { "message": "Filen saknar kolumnen Betyg." } }),
            ),
            ("krasch", "fail = 1\n", "failed", json!({ "error_code": "tool_crashed", "error_params": {} })),
            ("minne", "oom = 1\n", "failed", json!({ "error_code": "out_of_memory", "error_params": { "mib": 1024 } })),
            ("lang", "sleep=5\n", "timed_out", json!({ "error_code": "timed_out", "error_params": { "seconds": 1 } })),
            (
                "klipp",
                "cut_files = 1\n",
                "succeeded",
                json!({ "error_code": "output_cut", "error_params": { "files": 2, "cap": "file_size", "mib": 50 } }),
            ),
            ("bra", "x = 1\n", "succeeded", json!({ "error_code": null, "error_params": null })),
        ];
        for (slug, source, status, expected) in cases {
            app.publish_tool(slug, source, Value::Null, Value::Null).await;
            let run = app.post_form(&format!("/api/tools/{slug}/run"), &user, &[], &[("prefer", "wait=10")]).await;
            assert_eq!(run.body["status"], status, "{:?} {slug}: {}", app.backend, run.body);
            assert_eq!(run.body["error_code"], expected["error_code"], "{slug}: {}", run.body);
            assert_eq!(run.body["error_params"], expected["error_params"], "{slug}: {}", run.body);
            if status != "succeeded" {
                assert!(run.body["error_summary"].is_string(), "integrators keep the English summary");
            }
            let listed = app
                .call(
                    Method::GET,
                    &format!("/api/runs?tool_id={}", run.body["tool"]["id"].as_str().unwrap()),
                    Some(&user),
                    None,
                )
                .await;
            assert_eq!(listed.body["items"][0]["error_code"], expected["error_code"], "{slug}: {}", listed.body);
            assert_eq!(listed.body["items"][0]["error_params"], expected["error_params"]);
        }
    }
}

#[tokio::test]
async fn a_missing_upload_fails_the_run_as_files_not_kept() {
    each_backend(|app| async move {
        app.publish_tool("borta", "x = 1\n", csv_schema(), Value::Null).await;
        let user = app.token(Role::User).await;
        let first = app
            .post_form(
                "/api/tools/borta/run",
                &user,
                &[("files", Some("elever.csv"), b"a\n"), ("inputs", None, br#"{"klass":"7B"}"#)],
                &[("prefer", "wait=10")],
            )
            .await;
        assert_eq!(first.body["status"], "succeeded", "{}", first.body);
        // The files go while the next run waits in the queue (an operator's prune, a full disk).
        std::fs::remove_dir_all(app.dir.path().join("uploads")).unwrap();
        std::fs::create_dir_all(app.dir.path().join("uploads")).unwrap();
        let id = first.body["id"].as_str().unwrap();
        let reuse = [("reuse_files_from", None, id.as_bytes()), ("inputs", None, br#"{"klass":"7B"}"#.as_slice())];
        let second = app.post_form("/api/tools/borta/run", &user, &reuse, &[("prefer", "wait=10")]).await;
        assert_eq!(second.body["status"], "failed", "{}", second.body);
        assert_eq!(second.body["error_code"], "files_not_kept");
        assert_eq!(second.body["error_params"], json!({ "file": "elever.csv" }));
    })
    .await;
}

/// A file of the run `id` as the uploads directory keeps it.
fn upload_of(app: &TestApp, run: &Value) -> std::path::PathBuf {
    let id = run["id"].as_str().unwrap();
    app.dir.path().join("uploads").join(id).join("000")
}

#[tokio::test]
async fn run_again_repeats_inputs_settings_and_files_for_the_owner_only() {
    for backend in backends() {
        let fake = Arc::new(FakeRunner::default());
        let app = TestApp::build(backend, Engine::Fake(fake.clone()), |_| {}).await;
        let (tool_id, _, _) = app.publish_tool("igen", "offer_action = 1\n", csv_schema(), settings_schema()).await;
        let user = app.token(Role::User).await;
        let put = |skala: &'static str| {
            let (app, user) = (&app, user.clone());
            async move {
                let body = json!({ "values": { "skala": skala } });
                app.call(Method::PUT, "/api/tools/igen/settings", Some(&user), Some(body)).await
            }
        };
        put("1-5").await;
        let parts = [("files", Some("elever.csv"), b"namn\nAnna\n".as_slice()), ("inputs", None, br#"{"klass":"7B"}"#)];
        let first = app.post_form("/api/tools/igen/run", &user, &parts, &[("prefer", "wait=10")]).await;
        assert_eq!(first.body["status"], "succeeded", "{:?}: {}", app.backend, first.body);
        let id = first.body["id"].as_str().unwrap().to_owned();
        put("A-F").await;

        let again = app.call(Method::POST, &format!("/api/runs/{id}/rerun"), Some(&user), None).await;
        assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.body);
        let location = again.headers.get(header::LOCATION).unwrap().to_str().unwrap();
        assert_eq!(location, format!("/api/runs/{}", again.body["id"].as_str().unwrap()));
        assert_ne!(again.body["id"], first.body["id"]);
        let done = app.wait_run(&user, again.body["id"].as_str().unwrap(), 10).await;
        assert_eq!(done.body["status"], "succeeded", "{}", done.body);
        assert_eq!(done.body["inputs"], json!({ "klass": "7B" }));
        assert_eq!(done.body["files"], json!([{ "name": "elever.csv", "bytes": 10 }]));
        let request = fake.requests.lock().unwrap().last().unwrap().clone();
        assert_eq!(request.settings, json!({ "skala": "1-5" }), "the same settings, not today's");
        assert_eq!(std::fs::read(&request.files[0].path).unwrap(), b"namn\nAnna\n", "the same file");

        // Someone else's run does not exist, for admins too; the owner may wait for the end.
        app.call(Method::POST, &format!("/api/runs/{id}/rerun"), Some(&stranger(&app).await), None)
            .await
            .problem(404, "not_found");
        app.call(Method::POST, &format!("/api/runs/{id}/rerun"), Some(&app.token(Role::Admin).await), None)
            .await
            .problem(404, "not_found");
        let waited =
            app.call_with(Method::POST, &format!("/api/runs/{id}/rerun"), &user, &[("prefer", "wait=10")]).await;
        assert_eq!(
            (waited.status, waited.body["status"].as_str()),
            (StatusCode::OK, Some("succeeded")),
            "{}",
            waited.body
        );

        // A follow-up step starts over from the first step: no action, no parent.
        let step = app
            .call(Method::POST, &format!("/api/runs/{id}/actions"), Some(&user), Some(json!({ "action_id": "next" })))
            .await;
        let step = app.wait_run(&user, step.body["id"].as_str().unwrap(), 10).await;
        let over = app
            .call_with(
                Method::POST,
                &format!("/api/runs/{}/rerun", step.body["id"].as_str().unwrap()),
                &user,
                &[("prefer", "wait=10")],
            )
            .await;
        assert_eq!(
            (over.body["parent_run_id"].clone(), over.body["action_id"].clone()),
            (Value::Null, Value::Null),
            "{}",
            over.body
        );
        assert!(fake.requests.lock().unwrap().last().unwrap().action.is_none());

        // Files older than 24 hours are not run again: a clear 409 the SPA words in Swedish.
        let day_ago = SystemTime::now() - Duration::from_secs(25 * 3600);
        std::fs::File::options().write(true).open(upload_of(&app, &first.body)).unwrap().set_modified(day_ago).unwrap();
        let expired = app.call(Method::POST, &format!("/api/runs/{id}/rerun"), Some(&user), None).await;
        assert!(expired.problem(409, "files_not_kept")["detail"].as_str().unwrap().contains("elever.csv"));
        std::fs::remove_file(upload_of(&app, &first.body)).unwrap();
        app.call(Method::POST, &format!("/api/runs/{id}/rerun"), Some(&user), None)
            .await
            .problem(409, "files_not_kept");

        // A tool that left the catalog is not run again.
        let plain = app
            .post_form(
                "/api/tools/igen/run",
                &user,
                &[("files", Some("b.csv"), b"x"), ("inputs", None, br#"{"klass":"8A"}"#)],
                &[("prefer", "wait=10")],
            )
            .await;
        let admin = app.token(Role::Admin).await;
        app.call(
            Method::PATCH,
            &format!("/api/admin/tools/{tool_id}"),
            Some(&admin),
            Some(json!({ "archived": true })),
        )
        .await;
        app.call(Method::POST, &format!("/api/runs/{}/rerun", plain.body["id"].as_str().unwrap()), Some(&user), None)
            .await
            .problem(409, "tool_not_published");
    }
}

#[tokio::test]
async fn run_again_waits_for_the_end_and_repeats_a_test_run_with_its_unsaved_source() {
    for backend in backends() {
        let fake = Arc::new(FakeRunner::default());
        let app = TestApp::build(backend, Engine::Fake(fake.clone()), |_| {}).await;
        let (_, _, version) = app.publish_tool("prov", "x = 1\n", Value::Null, Value::Null).await;
        let author = app.token(Role::Contributor).await;
        let unsaved = "sleep = 2  # sleep=2\n";
        let test = app
            .post_form(
                &format!("/api/admin/tool-versions/{version}/run-sandbox"),
                &author,
                &[("source", Some("script.py"), unsaved.as_bytes())],
                &[],
            )
            .await;
        let id = test.body["id"].as_str().unwrap().to_owned();
        app.call(Method::POST, &format!("/api/runs/{id}/rerun"), Some(&author), None)
            .await
            .problem(409, "run_not_finished");
        app.wait_run(&author, &id, 10).await;
        let again =
            app.call_with(Method::POST, &format!("/api/runs/{id}/rerun"), &author, &[("prefer", "wait=10")]).await;
        assert_eq!(
            (again.body["context"].as_str(), again.body["status"].as_str()),
            (Some("sandbox"), Some("succeeded")),
            "{:?}: {}",
            app.backend,
            again.body
        );
        assert_eq!(fake.requests.lock().unwrap().last().unwrap().source, unsaved, "the unsaved source runs again");
    }
}

#[tokio::test]
async fn favorites_and_recent_tools_mark_filter_and_order_the_catalog() {
    each_backend(|app| async move {
        for slug in ["alfa", "beta", "gamma"] {
            app.publish_tool(slug, "x = 1\n", Value::Null, Value::Null).await;
        }
        let user = app.token(Role::User).await;
        let titles = |query: &'static str| {
            let (app, user) = (&app, user.clone());
            async move {
                let page = app.call(Method::GET, &format!("/api/tools{query}"), Some(&user), None).await;
                assert_eq!(page.status, StatusCode::OK, "{}", page.body);
                let items = page.body["items"].as_array().unwrap().clone();
                items
                    .iter()
                    .map(|t| (t["slug"].as_str().unwrap().to_owned(), t["favorite"].as_bool().unwrap()))
                    .collect::<Vec<_>>()
            }
        };
        let star = |method: Method, slug: &'static str| {
            let (app, user) = (&app, user.clone());
            async move { app.call(method, &format!("/api/tools/{slug}/favorite"), Some(&user), None).await }
        };
        for _ in 0..2 {
            let reply = star(Method::PUT, "gamma").await;
            assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}: idempotent: {}", app.backend, reply.body);
        }
        let all = titles("").await;
        assert_eq!(all, [("alfa".into(), false), ("beta".into(), false), ("gamma".into(), true)]);
        assert_eq!(titles("?only=favorites").await, [("gamma".to_owned(), true)]);
        assert_eq!(titles("?sort=favorites").await[0], ("gamma".to_owned(), true));
        let page = app.call(Method::GET, "/api/tools/gamma", Some(&user), None).await;
        assert_eq!(page.body["favorite"], true, "{}", page.body);

        // "Senast använda": tools I ran, newest first; test runs and other people's runs do not count.
        assert!(titles("?only=recent").await.is_empty());
        for slug in ["beta", "alfa"] {
            app.post_form(&format!("/api/tools/{slug}/run"), &user, &[], &[("prefer", "wait=10")]).await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let recent = app.call(Method::GET, "/api/tools?only=recent&sort=recent", Some(&user), None).await;
        let slugs: Vec<&str> =
            recent.body["items"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect();
        assert_eq!(slugs, ["alfa", "beta"], "{}", recent.body);
        assert!(recent.body["items"][0]["last_run_at"].is_string());
        assert_eq!(
            app.call(Method::GET, "/api/tools/alfa", Some(&user), None).await.body["last_run_at"],
            recent.body["items"][0]["last_run_at"]
        );

        // Each user has their own.
        let other = stranger(&app).await;
        let theirs = app.call(Method::GET, "/api/tools?only=favorites", Some(&other), None).await;
        assert_eq!(theirs.body["total"], 0, "{}", theirs.body);

        assert_eq!(star(Method::DELETE, "gamma").await.status, StatusCode::NO_CONTENT);
        assert_eq!(star(Method::DELETE, "gamma").await.status, StatusCode::NO_CONTENT);
        assert!(titles("?only=favorites").await.is_empty());
        star(Method::PUT, "finns-inte").await.problem(404, "not_found");
        app.call(Method::GET, "/api/tools?only=allt", Some(&user), None).await.problem(422, "validation_failed");
        app.call(Method::PUT, "/api/tools/gamma/favorite", None, None).await.problem(401, "unauthenticated");
    })
    .await;
}
