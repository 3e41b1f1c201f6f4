//! User administration and the role boundaries around it.

use crate::support::{PASSWORD, each_backend, email};
use axum::http::{Method, StatusCode, header};
use serde_json::json;
use skriptoteket_domain::Role;

fn new_user(email: &str, role: &str) -> serde_json::Value {
    json!({ "email": email, "display_name": "Ny Lärare", "role": role, "password": PASSWORD })
}

#[tokio::test]
async fn only_admins_and_up_see_the_user_list() {
    each_backend(|app| async move {
        for role in [Role::User, Role::Contributor] {
            let token = app.token(role).await;
            app.call(Method::GET, "/api/admin/users", Some(&token), None).await.problem(403, "forbidden");
        }
        for role in [Role::Admin, Role::Superuser] {
            let token = app.token(role).await;
            let list = app.call(Method::GET, "/api/admin/users?limit=2&offset=1", Some(&token), None).await;
            assert_eq!(list.status, StatusCode::OK, "{:?} {}", app.backend, list.body);
            assert_eq!(list.body["total"], 4);
            assert_eq!(list.body["limit"], 2);
            assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
        }
        app.call(Method::GET, "/api/admin/users", None, None).await.problem(401, "unauthenticated");
    })
    .await;
}

#[tokio::test]
async fn admins_create_users_but_only_superusers_create_admins() {
    each_backend(|app| async move {
        let admin = app.token(Role::Admin).await;
        let created = app
            .call(Method::POST, "/api/admin/users", Some(&admin), Some(new_user("Ny@Skola.se", "contributor")))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.body["email"], "ny@skola.se");
        let location = created.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned();
        let fetched = app.call(Method::GET, &location, Some(&admin), None).await;
        assert_eq!(fetched.body["id"], created.body["id"]);
        assert_eq!(app.login("ny@skola.se", PASSWORD).await.status, StatusCode::OK);

        app.call(Method::POST, "/api/admin/users", Some(&admin), Some(new_user("a2@skola.se", "admin")))
            .await
            .problem(403, "forbidden");
        app.call(Method::POST, "/api/admin/users", Some(&admin), Some(new_user("NY@skola.se", "user")))
            .await
            .problem(409, "already_exists");

        let superuser = app.token(Role::Superuser).await;
        let admin2 =
            app.call(Method::POST, "/api/admin/users", Some(&superuser), Some(new_user("a2@skola.se", "admin"))).await;
        assert_eq!(admin2.status, StatusCode::CREATED, "{}", admin2.body);

        let contributor = app.token(Role::Contributor).await;
        app.call(Method::POST, "/api/admin/users", Some(&contributor), Some(new_user("c2@skola.se", "user")))
            .await
            .problem(403, "forbidden");
    })
    .await;
}

#[tokio::test]
async fn admins_cannot_touch_superusers_or_demote_themselves() {
    each_backend(|app| async move {
        let admin = app.token(Role::Admin).await;
        let superuser = app.user(Role::Superuser).await;
        let me = app.user(Role::Admin).await;
        let user = app.user(Role::User).await;
        let patch = |id: uuid::Uuid| format!("/api/admin/users/{id}");
        app.call(Method::PATCH, &patch(superuser.id), Some(&admin), Some(json!({ "disabled": true })))
            .await
            .problem(403, "forbidden");
        app.call(Method::PATCH, &patch(user.id), Some(&admin), Some(json!({ "role": "superuser" })))
            .await
            .problem(403, "forbidden");
        let root = app.token(Role::Superuser).await;
        app.call(Method::PATCH, &patch(superuser.id), Some(&root), Some(json!({ "role": "user" })))
            .await
            .problem(409, "cannot_change_self");
        let promoted =
            app.call(Method::PATCH, &patch(user.id), Some(&admin), Some(json!({ "role": "contributor" }))).await;
        assert_eq!(promoted.body["role"], "contributor", "{}", promoted.body);
        app.call(Method::PATCH, &patch(me.id), Some(&root), Some(json!({ "role": "user" }))).await;
        // The demotion takes effect at once, with the old token.
        app.call(Method::GET, "/api/admin/users", Some(&admin), None).await.problem(403, "forbidden");
        app.call(Method::GET, &patch(uuid::Uuid::new_v4()), Some(&root), None).await.problem(404, "not_found");
    })
    .await;
}

#[tokio::test]
async fn password_changes_apply_and_are_validated() {
    each_backend(|app| async move {
        let admin = app.token(Role::Admin).await;
        let user = app.user(Role::User).await;
        let path = format!("/api/admin/users/{}", user.id);
        let short = app.call(Method::PATCH, &path, Some(&admin), Some(json!({ "password": "short" }))).await;
        assert_eq!(short.problem(422, "validation_failed")["errors"][0]["field"], "password");
        let ok = app.call(Method::PATCH, &path, Some(&admin), Some(json!({ "password": "a-brand-new-one" }))).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        app.login(&email(Role::User), PASSWORD).await.problem(401, "invalid_credentials");
        assert_eq!(app.login(&email(Role::User), "a-brand-new-one").await.status, StatusCode::OK);
    })
    .await;
}
