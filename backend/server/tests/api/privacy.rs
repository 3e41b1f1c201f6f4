//! A person's data through the router, on both databases: the export holds everything kept
//! about me, erasing my history leaves my account and nothing else, erasing a person hands
//! their tools on, and every export and erase is audited with counts, never content.

use crate::support::{PASSWORD, TestApp, each_backend, email, zip_entries};
use axum::http::Method;
use serde_json::{Value, json};
use skriptoteket_domain::Role;

/// A published tool that takes one `.txt` and writes an artifact; a finished run of it by the
/// user, with settings saved and the tool starred. Returns (slug, run id, user token).
async fn history(app: &TestApp) -> (String, String, String) {
    let schema = json!({ "files": { "accept": [".txt"], "min": 1, "max": 1 } });
    let settings = json!({ "fields": [{ "name": "skala", "kind": "string", "label": "Skala" }] });
    let (_, slug, _) = app.publish_tool("integritet", "write_artifact", schema, settings).await;
    let teacher = app.token(Role::User).await;
    let put = app
        .call(
            Method::PUT,
            &format!("/api/tools/{slug}/settings"),
            Some(&teacher),
            Some(json!({ "values": { "skala": "A-F" } })),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(app.call(Method::PUT, &format!("/api/tools/{slug}/favorite"), Some(&teacher), None).await.status, 204);
    let file = [("files", Some("elevlista.txt"), b"Anna\nBo\n" as &[u8])];
    let run = app.post_form(&format!("/api/tools/{slug}/run"), &teacher, &file, &[("prefer", "wait=10")]).await;
    assert_eq!(run.body["status"], "succeeded", "{}", run.body);
    (slug, run.body["id"].as_str().unwrap().to_owned(), teacher)
}

fn text(entries: &serde_json::Map<String, Value>, name: &str) -> Value {
    serde_json::from_str(entries[name]["text"].as_str().unwrap_or_else(|| panic!("{name} in {entries:?}"))).unwrap()
}

#[tokio::test]
async fn my_export_holds_my_profile_settings_runs_and_kept_files() {
    each_backend(|app| async move {
        let (slug, run, teacher) = history(&app).await;
        let reply = app.call(Method::GET, "/api/me/export", Some(&teacher), None).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.content_type(), "application/zip");
        let entries = zip_entries(&reply.bytes);
        assert_eq!(text(&entries, "profile.json")["email"], email(Role::User));
        assert_eq!(text(&entries, "settings.json")[0]["values"], json!({ "skala": "A-F" }));
        assert_eq!(text(&entries, "favorites.json"), json!([slug]));
        let runs = text(&entries, "runs.json");
        assert_eq!(runs[0]["id"], run.as_str());
        assert_eq!(runs[0]["files"], json!([{ "name": "elevlista.txt", "bytes": 8 }]));
        assert_eq!(runs[0]["stderr"], Value::Null, "technical output stays with maintainers");
        assert_eq!(entries[&format!("uploads/{run}/elevlista.txt")]["text"], "Anna\nBo\n");
        assert_eq!(entries[&format!("artifacts/{run}/rapport.txt")]["text"], "fake report\n");
        assert!(entries.contains_key("LASMIG.txt"));

        // Nobody else's data is in mine, and the export was audited (counts only).
        let admin = app.token(Role::Admin).await;
        let own = zip_entries(&app.call(Method::GET, "/api/me/export", Some(&admin), None).await.bytes);
        assert_eq!(text(&own, "runs.json"), json!([]));
        let events = app.call(Method::GET, "/api/admin/privacy-events", Some(&admin), None).await;
        assert_eq!(events.body["total"], 2, "{}", events.body);
        let mine = &events.body["items"][1];
        assert_eq!(mine["action"], "export");
        assert_eq!(mine["summary"], json!({ "runs": 1, "files": 2, "bytes": 20 }));
    })
    .await;
}

#[tokio::test]
async fn erasing_my_history_keeps_my_account_and_nothing_else() {
    each_backend(|app| async move {
        let (slug, run, teacher) = history(&app).await;
        let run_uploads = app.state.runs.uploads_root.join(&run);
        let run_artifacts = app.state.runs.artifacts_root.join(&run);
        assert!(run_uploads.exists() && run_artifacts.exists());

        let erased = app.call(Method::DELETE, "/api/me/runs", Some(&teacher), None).await;
        assert_eq!(erased.status, 200, "{}", erased.body);
        assert_eq!(
            erased.body,
            json!({ "runs": 1, "artifacts": 1, "bytes": 20, "settings": 1, "favorites": 1, "batches": 0 })
        );
        assert!(!run_uploads.exists() && !run_artifacts.exists(), "the files went with the runs");
        assert_eq!(app.call(Method::GET, "/api/runs", Some(&teacher), None).await.body["total"], 0);
        assert_eq!(app.call(Method::GET, &format!("/api/runs/{run}"), Some(&teacher), None).await.status, 404);
        let settings = app.call(Method::GET, &format!("/api/tools/{slug}/settings"), Some(&teacher), None).await;
        assert_eq!(settings.body["values"], json!({}), "{}", settings.body);
        // The account stays and signs in.
        assert_eq!(app.login(&email(Role::User), PASSWORD).await.status, 200);

        let admin = app.token(Role::Admin).await;
        let events = app.call(Method::GET, "/api/admin/privacy-events", Some(&admin), None).await;
        let event = &events.body["items"][0];
        assert_eq!(event["action"], "erase_runs");
        assert_eq!(event["subject_id"], app.user(Role::User).await.id.to_string());
        assert!(!event.to_string().contains("elevlista"), "no content in the audit: {event}");
    })
    .await;
}

#[tokio::test]
async fn admins_export_and_erase_anyone_and_erased_authors_hand_their_tools_on() {
    each_backend(|app| async move {
        let (_, run, _) = history(&app).await;
        let admin = app.token(Role::Admin).await;
        let user = app.user(Role::User).await.id;
        let export = app.call(Method::GET, &format!("/api/admin/users/{user}/export"), Some(&admin), None).await;
        assert_eq!(text(&zip_entries(&export.bytes), "runs.json")[0]["id"], run.as_str());
        let erased = app.call(Method::DELETE, &format!("/api/admin/users/{user}/runs"), Some(&admin), None).await;
        assert_eq!(erased.body["runs"], 1, "{}", erased.body);

        // The contributor authored the tool alone: erasing them makes the admin its maintainer.
        let author = app.user(Role::Contributor).await;
        let tool = app.state.store.tools_maintained_by(author.id).await.unwrap().remove(0);
        let gone = app.call(Method::DELETE, &format!("/api/admin/users/{}", author.id), Some(&admin), None).await;
        assert_eq!(gone.status, 200, "{}", gone.body);
        assert_eq!((gone.body["tools_handed_over"].as_u64(), gone.body["tools_to_admin"].as_u64()), (Some(1), Some(1)));
        let maintainers =
            app.call(Method::GET, &format!("/api/admin/tools/{}/maintainers", tool.id), Some(&admin), None).await;
        assert_eq!(maintainers.body.as_array().unwrap().len(), 1, "{}", maintainers.body);
        assert_eq!(maintainers.body[0]["email"], email(Role::Admin));
        // The account is a disabled placeholder that no longer signs in.
        assert_eq!(app.login(&email(Role::Contributor), PASSWORD).await.status, 401);
        let placeholder = app.state.store.user_by_id(author.id).await.unwrap().unwrap();
        assert!(placeholder.disabled && placeholder.email.starts_with("erased-"), "{placeholder:?}");

        // An admin cannot erase themselves nor a superuser.
        let me = app.user(Role::Admin).await.id;
        app.call(Method::DELETE, &format!("/api/admin/users/{me}"), Some(&admin), None)
            .await
            .problem(409, "cannot_erase_self");
        let sup = app.user(Role::Superuser).await.id;
        app.call(Method::DELETE, &format!("/api/admin/users/{sup}"), Some(&admin), None)
            .await
            .problem(403, "forbidden");
    })
    .await;
}

#[tokio::test]
async fn erasing_stops_the_runs_still_going() {
    each_backend(|app| async move {
        let (_, sleeper, _) = app.publish_tool("sovare", "sleep=30", Value::Null, Value::Null).await;
        let (_, quick, _) = app.publish_tool("snabb", "ok", Value::Null, Value::Null).await;
        let teacher = app.token(Role::User).await;
        let going = app.post_form(&format!("/api/tools/{sleeper}/run"), &teacher, &[], &[]).await;
        let id = going.body["id"].as_str().unwrap().to_owned();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while app.call(Method::GET, &format!("/api/runs/{id}"), Some(&teacher), None).await.body["status"] != "running"
        {
            assert!(std::time::Instant::now() < deadline, "the sleeping run did not start");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let queued = app.post_form(&format!("/api/tools/{sleeper}/run"), &teacher, &[], &[]).await;
        assert_eq!(queued.body["status"], "queued", "{}", queued.body);

        let erased = app.call(Method::DELETE, "/api/me/runs", Some(&teacher), None).await;
        assert_eq!(erased.body["runs"], 2, "{}", erased.body);
        // The one worker is free again at once: the sleeping run was stopped, not left to sleep.
        let next = app.post_form(&format!("/api/tools/{quick}/run"), &teacher, &[], &[("prefer", "wait=10")]).await;
        assert_eq!(next.body["status"], "succeeded", "{}", next.body);
    })
    .await;
}
