//! Tools, versions and the lifecycle through the API: role rules, wrong states, concurrency.

use crate::support::each_backend;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use skriptoteket_domain::Role;

#[tokio::test]
async fn the_lifecycle_from_draft_to_catalog_to_rollback() {
    each_backend(|app| async move {
        let author = app.token(Role::Contributor).await;
        let admin = app.token(Role::Admin).await;
        let user = app.token(Role::User).await;
        let created =
            app.call(Method::POST, "/api/admin/tools", Some(&author), Some(json!({ "title": "Närvaro för 7B" }))).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?} {}", app.backend, created.body);
        assert_eq!(created.body["tool"]["slug"], "narvaro-for-7b");
        assert_eq!(created.body["draft"]["state"], "draft");
        let tool = created.body["tool"]["id"].as_str().unwrap().to_owned();
        let v1 = created.body["draft"]["id"].as_str().unwrap().to_owned();
        let at = |v: &str, what: &str| format!("/api/admin/tool-versions/{v}/{what}");

        // Only drafts are submitted, only admins publish, and only publishable tools.
        app.call(Method::POST, &at(&v1, "publish"), Some(&author), None).await.problem(403, "forbidden");
        app.call(Method::POST, &at(&v1, "publish"), Some(&admin), None).await.problem(409, "wrong_state");
        assert_eq!(app.call(Method::POST, &at(&v1, "submit-review"), Some(&author), None).await.status, StatusCode::OK);
        app.call(Method::POST, &at(&v1, "submit-review"), Some(&author), None).await.problem(409, "wrong_state");
        app.call(Method::POST, &at(&v1, "publish"), Some(&admin), None).await.problem(409, "not_publishable");
        let reviews = app.call(Method::GET, "/api/admin/reviews", Some(&admin), None).await;
        assert_eq!(reviews.body[0]["version"]["id"], v1.as_str(), "{}", reviews.body);
        app.call(Method::GET, "/api/admin/reviews", Some(&author), None).await.problem(403, "forbidden");
        let taxonomy = json!({
            "category_ids": [app.call(Method::GET, "/api/categories", Some(&user), None).await.body[0]["id"]],
            "profession_ids": [app.call(Method::GET, "/api/professions", Some(&user), None).await.body[0]["id"]],
        });
        assert_eq!(
            app.call(Method::PATCH, &format!("/api/admin/tools/{tool}"), Some(&author), Some(taxonomy)).await.status,
            StatusCode::OK
        );
        let published =
            app.call(Method::POST, &at(&v1, "publish"), Some(&admin), Some(json!({ "message": "Bra!" }))).await;
        assert_eq!(published.body["state"], "active", "{}", published.body);

        let catalog = app.call(Method::GET, "/api/tools?q=NÄRVARO", Some(&user), None).await;
        assert_eq!(catalog.body["total"], 1, "{}", catalog.body);
        let page = app.call(Method::GET, "/api/tools/narvaro-for-7b", Some(&user), None).await;
        assert_eq!(page.body["version_number"], 1);
        assert_eq!(page.body["can_edit"], false);

        // v2 from the active version; publishing it archives v1; rollback makes v3 from v1.
        let v2 =
            app.call(Method::POST, &format!("/api/admin/tools/{tool}/versions"), Some(&author), Some(json!({}))).await;
        assert_eq!(v2.status, StatusCode::CREATED, "{}", v2.body);
        let v2 = v2.body["id"].as_str().unwrap().to_owned();
        app.call(Method::POST, &at(&v2, "submit-review"), Some(&author), None).await;
        app.call(Method::POST, &at(&v2, "request-changes"), Some(&admin), None).await.problem(422, "validation_failed");
        let sent_back = app
            .call(Method::POST, &at(&v2, "request-changes"), Some(&admin), Some(json!({ "message": "Byt rubrik" })))
            .await;
        assert_eq!(
            (sent_back.body["state"].as_str(), sent_back.body["review_message"].as_str()),
            (Some("draft"), Some("Byt rubrik"))
        );
        app.call(Method::POST, &at(&v2, "submit-review"), Some(&author), None).await;
        app.call(Method::POST, &at(&v2, "publish"), Some(&admin), None).await;
        let v1_now = app.call(Method::GET, &format!("/api/admin/tool-versions/{v1}"), Some(&author), None).await;
        assert_eq!(v1_now.body["state"], "archived");
        app.call(Method::POST, &at(&v1, "rollback"), Some(&author), None).await.problem(403, "forbidden");
        let v3 = app.call(Method::POST, &at(&v1, "rollback"), Some(&admin), None).await;
        assert_eq!((v3.body["state"].as_str(), v3.body["number"].as_i64()), (Some("active"), Some(3)), "{}", v3.body);
        app.call(Method::POST, &at(&v2, "rollback"), Some(&admin), None).await;
        let events = app.call(Method::GET, &format!("/api/admin/tools/{tool}/events"), Some(&author), None).await;
        let transitions: Vec<&str> =
            events.body.as_array().unwrap().iter().map(|e| e["to_state"].as_str().unwrap()).collect();
        assert!(transitions.len() >= 9, "{transitions:?}");
        assert!(events.body.as_array().unwrap().iter().any(|e| e["message"] == "Byt rubrik"));
    })
    .await;
}

#[tokio::test]
async fn drafts_save_with_optimistic_concurrency_and_validated_schemas() {
    each_backend(|app| async move {
        let author = app.token(Role::Contributor).await;
        let created = app.call(Method::POST, "/api/admin/tools", Some(&author), Some(json!({ "title": "Spara" }))).await;
        let v = created.body["draft"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/admin/tool-versions/{v}");
        let get = app.call(Method::GET, &path, Some(&author), None).await;
        let etag = get.headers.get(header::ETAG).unwrap().to_str().unwrap().to_owned();
        let put = |if_match: Option<&str>, body: Value| {
            let mut b = Request::builder().method(Method::PUT).uri(&path).header(header::AUTHORIZATION, format!("Bearer {author}")).header(header::CONTENT_TYPE, "application/json");
            if let Some(tag) = if_match {
                b = b.header(header::IF_MATCH, tag);
            }
            b.body(Body::from(body.to_string())).unwrap()
        };
        app.send(put(None, json!({ "source": "x = 1" }))).await.problem(428, "revision_required");
        let first = app.send(put(Some(&etag), json!({ "source": "x = 1" }))).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        assert_ne!(first.headers.get(header::ETAG).unwrap().to_str().unwrap(), etag);
        // A second editor with the old ETag must not overwrite the first.
        app.send(put(Some(&etag), json!({ "source": "x = 2" }))).await.problem(412, "edit_conflict");
        let bad_schema = json!({ "source": "x", "expected_revision": first.body["revision"], "input_schema": { "files": { "accept": ["csv"], "max": 0 }, "fields": [{ "name": "a b", "kind": "enum", "label": "" }] } });
        let problem = app.send(put(None, bad_schema)).await;
        let fields: Vec<&str> = problem.problem(422, "validation_failed")["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"input_schema.files.max") && fields.contains(&"input_schema.fields[0].name") && fields.contains(&"input_schema.files.accept[0]"), "{fields:?}");
        let unknown_kind = json!({ "source": "x", "expected_revision": first.body["revision"], "settings_schema": { "fields": [{ "name": "a", "kind": "video", "label": "A" }] } });
        app.send(put(None, unknown_kind)).await.problem(422, "validation_failed");
        app.call(Method::POST, &format!("{path}/submit-review"), Some(&author), None).await;
        app.send(put(None, json!({ "source": "x", "expected_revision": first.body["revision"] }))).await.problem(409, "wrong_state");
    })
    .await;
}

#[tokio::test]
async fn unpublished_tools_and_other_peoples_tools_stay_private() {
    each_backend(|app| async move {
        let author = app.token(Role::Contributor).await;
        let user = app.token(Role::User).await;
        let created = app.call(Method::POST, "/api/admin/tools", Some(&author), Some(json!({ "title": "Hemligt", "slug": "hemligt" }))).await;
        let tool = created.body["tool"]["id"].as_str().unwrap().to_owned();
        app.call(Method::GET, "/api/tools/hemligt", Some(&user), None).await.problem(404, "not_found");
        assert_eq!(app.call(Method::GET, "/api/tools", Some(&user), None).await.body["total"], 0);
        app.call(Method::POST, "/api/admin/tools", Some(&user), Some(json!({ "title": "Nej" }))).await.problem(403, "forbidden");
        app.call(Method::GET, &format!("/api/admin/tools/{tool}"), Some(&user), None).await.problem(403, "forbidden");
        app.call(Method::POST, "/api/admin/tools", Some(&author), Some(json!({ "title": "Igen", "slug": "hemligt" }))).await.problem(409, "slug_taken");
        app.call(Method::POST, "/api/admin/tools", Some(&author), Some(json!({ "title": "Fel", "slug": "Fel Slug" }))).await.problem(422, "validation_failed");

        // Another contributor is not a maintainer until added; the last maintainer stays.
        let other = app.call(Method::POST, "/api/admin/users", Some(&app.token(Role::Admin).await), Some(json!({ "email": "c2@skola.se", "display_name": "C2", "role": "contributor", "password": "long-enough-pw" }))).await;
        let other_id = other.body["id"].as_str().unwrap().to_owned();
        let other_token = app.login("c2@skola.se", "long-enough-pw").await.body["access_token"].as_str().unwrap().to_owned();
        app.call(Method::GET, &format!("/api/admin/tools/{tool}"), Some(&other_token), None).await.problem(403, "not_a_maintainer");
        let added = app.call(Method::POST, &format!("/api/admin/tools/{tool}/maintainers"), Some(&author), Some(json!({ "email": "c2@skola.se" }))).await;
        assert_eq!(added.body.as_array().unwrap().len(), 2, "{}", added.body);
        assert_eq!(app.call(Method::GET, &format!("/api/admin/tools/{tool}"), Some(&other_token), None).await.status, StatusCode::OK);
        app.call(Method::POST, &format!("/api/admin/tools/{tool}/maintainers"), Some(&author), Some(json!({ "email": "user@skola.se" }))).await.problem(422, "validation_failed");
        let me = app.user(Role::Contributor).await.id;
        assert_eq!(app.call(Method::DELETE, &format!("/api/admin/tools/{tool}/maintainers/{me}"), Some(&other_token), None).await.status, StatusCode::NO_CONTENT);
        app.call(Method::DELETE, &format!("/api/admin/tools/{tool}/maintainers/{other_id}"), Some(&other_token), None).await.problem(409, "last_maintainer");
        let mine = app.call(Method::GET, "/api/my-tools", Some(&other_token), None).await;
        assert_eq!(mine.body.as_array().unwrap().len(), 1);
        assert_eq!(app.call(Method::GET, "/api/my-tools", Some(&author), None).await.body.as_array().unwrap().len(), 0);
    })
    .await;
}

#[tokio::test]
async fn the_catalog_filters_and_pages() {
    each_backend(|app| async move {
        for slug in ["alfa", "beta", "gamma"] {
            app.publish_tool(slug, "def run_tool(i, o):\n    return 'x'\n", Value::Null, Value::Null).await;
        }
        let user = app.token(Role::User).await;
        let page = app.call(Method::GET, "/api/tools?limit=2&offset=1", Some(&user), None).await;
        assert_eq!(page.body["total"], 3);
        let slugs: Vec<&str> =
            page.body["items"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect();
        assert_eq!(slugs, ["beta", "gamma"]);
        let category = app.call(Method::GET, "/api/categories", Some(&user), None).await.body[0]["slug"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            app.call(Method::GET, &format!("/api/tools?category={category}"), Some(&user), None).await.body["total"],
            3
        );
        assert_eq!(
            app.call(Method::GET, "/api/tools?category=ovrigt&q=alfa", Some(&user), None).await.body["total"],
            0
        );
        assert_eq!(app.call(Method::GET, "/api/tools?q=100%25", Some(&user), None).await.body["total"], 0);
    })
    .await;
}

#[tokio::test]
async fn usage_instructions_show_until_seen_and_again_when_they_change() {
    each_backend(|app| async move {
        let author = app.token(Role::Contributor).await;
        let admin = app.token(Role::Admin).await;
        let user = app.token(Role::User).await;
        let (tool, slug, v1) =
            app.publish_tool("las-mig", "def run_tool(i, o):\n    return 'ok'\n", Value::Null, Value::Null).await;
        let page = app.call(Method::GET, &format!("/api/tools/{slug}"), Some(&user), None).await;
        assert_eq!(
            (page.body["usage_instructions"].as_str(), page.body["usage_instructions_seen"].as_bool()),
            (Some(""), Some(false))
        );

        // A new version with instructions; a save without the field keeps them.
        let draft =
            app.call(Method::POST, &format!("/api/admin/tools/{tool}/versions"), Some(&author), Some(json!({}))).await;
        let v2 = draft.body["id"].as_str().unwrap().to_owned();
        let save = |revision: &Value, extra: Value| {
            let mut body = json!({ "source": "def run_tool(i, o):\n    return 'ok'\n", "expected_revision": revision });
            body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            body
        };
        let long = json!({ "usage_instructions": "x".repeat(16 * 1024 + 1) });
        let path = format!("/api/admin/tool-versions/{v2}");
        let put = |body: Value| app.call(Method::PUT, &path, Some(&author), Some(body));
        put(save(&draft.body["revision"], long)).await.problem(422, "validation_failed");
        let saved =
            put(save(&draft.body["revision"], json!({ "usage_instructions": "1. Ladda upp **listan**." }))).await;
        assert_eq!(saved.body["usage_instructions"], "1. Ladda upp **listan**.", "{}", saved.body);
        let kept = put(save(&saved.body["revision"], json!({}))).await;
        assert_eq!(kept.body["usage_instructions"], "1. Ladda upp **listan**.", "absent means unchanged");
        for (what, who) in [("submit-review", &author), ("publish", &admin)] {
            let done = app.call(Method::POST, &format!("/api/admin/tool-versions/{v2}/{what}"), Some(who), None).await;
            assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        }
        let page = app.call(Method::GET, &format!("/api/tools/{slug}"), Some(&user), None).await;
        assert_eq!(page.body["usage_instructions"], "1. Ladda upp **listan**.");
        assert_eq!(page.body["usage_instructions_seen"], false);
        let seen =
            app.call(Method::PUT, &format!("/api/tools/{slug}/usage-instructions/seen"), Some(&user), None).await;
        assert_eq!(seen.status, StatusCode::NO_CONTENT);
        let page = app.call(Method::GET, &format!("/api/tools/{slug}"), Some(&user), None).await;
        assert_eq!(page.body["usage_instructions_seen"], true, "folded once seen");
        let other = app.call(Method::GET, &format!("/api/tools/{slug}"), Some(&author), None).await;
        assert_eq!(other.body["usage_instructions_seen"], false, "seen is per user");
        app.call(Method::PUT, "/api/tools/finns-inte/usage-instructions/seen", Some(&user), None)
            .await
            .problem(404, "not_found");

        // Rolling back to v1 (no instructions) changes the text: not seen any more.
        let rolled =
            app.call(Method::POST, &format!("/api/admin/tool-versions/{v1}/rollback"), Some(&admin), None).await;
        assert_eq!(rolled.status, StatusCode::OK, "{}", rolled.body);
        let page = app.call(Method::GET, &format!("/api/tools/{slug}"), Some(&user), None).await;
        assert_eq!(
            (page.body["usage_instructions"].as_str(), page.body["usage_instructions_seen"].as_bool()),
            (Some(""), Some(false))
        );
    })
    .await;
}

#[tokio::test]
async fn catalog_and_tool_pages_answer_304_until_they_change() {
    each_backend(|app| async move {
        let user = app.token(Role::User).await;
        let (tool, slug, _) =
            app.publish_tool("etag", "def run_tool(i, o):\n    return 'ok'\n", Value::Null, Value::Null).await;
        let get = |path: String, etag: Option<String>| {
            let mut request = Request::builder().uri(path).header(header::AUTHORIZATION, format!("Bearer {user}"));
            if let Some(tag) = etag {
                request = request.header(header::IF_NONE_MATCH, tag);
            }
            app.send(request.body(Body::empty()).unwrap())
        };
        for path in ["/api/tools".to_owned(), format!("/api/tools/{slug}")] {
            let first = get(path.clone(), None).await;
            assert_eq!(first.status, StatusCode::OK);
            let etag = first.headers.get(header::ETAG).expect("an ETag").to_str().unwrap().to_owned();
            let again = get(path.clone(), Some(etag.clone())).await;
            assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
            assert!(again.bytes.is_empty());
            // A change to the tool shows at once, with a new ETag.
            let author = app.token(Role::Contributor).await;
            let patch = json!({ "summary": format!("Nytt {}", uuid::Uuid::new_v4()) });
            let changed =
                app.call(Method::PATCH, &format!("/api/admin/tools/{tool}"), Some(&author), Some(patch)).await;
            assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
            let after = get(path.clone(), Some(etag.clone())).await;
            assert_eq!(after.status, StatusCode::OK, "{path}: the catalog cache was cleared by the change");
            assert_ne!(after.headers.get(header::ETAG).unwrap().to_str().unwrap(), etag);
        }
    })
    .await;
}
