//! Sign-in, tokens, cookies and CSRF.

use crate::support::{PASSWORD, SECRET, each_backend, email};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Utc;
use serde_json::json;
use skriptoteket_domain::Role;
use skriptoteket_server::auth::jwt::JwtKeys;
use std::time::Duration;

#[tokio::test]
async fn login_answers_a_token_and_an_httponly_cookie() {
    each_backend(|app| async move {
        let reply = app.login(&email(Role::User), PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}: {}", app.backend, reply.body);
        assert_eq!(reply.body["token_type"], "Bearer");
        assert_eq!(reply.body["user"]["role"], "user");
        assert!(reply.body["user"].get("password_hash").is_none());
        let cookie = reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        assert!(cookie.starts_with("skt_session="), "{cookie}");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api"] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
        let token = reply.body["access_token"].as_str().unwrap();
        let me = app.call(Method::GET, "/api/auth/me", Some(token), None).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["user"]["email"], email(Role::User));
        assert!(me.body["csrf_token"].is_null(), "Bearer sessions need no CSRF token");
    })
    .await;
}

#[tokio::test]
async fn wrong_password_and_unknown_email_fail_alike() {
    each_backend(|app| async move {
        let wrong = app.login(&email(Role::User), "not-the-password").await;
        let unknown = app.login("nobody@skola.se", "not-the-password").await;
        for reply in [&wrong, &unknown] {
            let body = reply.problem(401, "invalid_credentials");
            assert_eq!(body["detail"], "The email or password is wrong.");
            assert!(reply.headers.get(header::SET_COOKIE).is_none());
        }
        let me = app.call(Method::GET, "/api/auth/me", None, None).await;
        me.problem(401, "unauthenticated");
        assert_eq!(me.headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
    })
    .await;
}

#[tokio::test]
async fn five_failures_lock_the_account_even_for_the_right_password() {
    each_backend(|app| async move {
        for _ in 0..5 {
            app.login(&email(Role::Contributor), "wrong-password").await.problem(401, "invalid_credentials");
        }
        let locked = app.login(&email(Role::Contributor), PASSWORD).await;
        locked.problem(429, "too_many_attempts");
        let retry: u64 = locked.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
        assert!(retry > 0 && retry <= 15 * 60, "{retry}");
        assert_eq!(
            locked.body["retry_after"], retry,
            "the body repeats Retry-After for clients that cannot read headers"
        );
        let user = app.user(Role::Contributor).await;
        assert!(user.is_locked(Utc::now()), "{:?}", app.backend);
        // Unknown emails are throttled the same way, so lockouts reveal nothing.
        for _ in 0..5 {
            app.login("ghost@skola.se", "wrong-password").await.problem(401, "invalid_credentials");
        }
        app.login("ghost@skola.se", "wrong-password").await.problem(429, "too_many_attempts");
    })
    .await;
}

#[tokio::test]
async fn expired_and_tampered_tokens_are_refused() {
    each_backend(|app| async move {
        let user = app.user(Role::Admin).await;
        let keys = JwtKeys::from_secret(SECRET);
        let (expired, _) = keys.issue(user.id, Utc::now() - chrono::Duration::hours(3), Duration::from_secs(60));
        app.call(Method::GET, "/api/auth/me", Some(&expired), None).await.problem(401, "session_expired");

        let good = app.token(Role::User).await;
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        // Swap in the admin's id as subject but keep the user's signature.
        let (admin_token, _) = keys.issue(user.id, Utc::now(), Duration::from_secs(60));
        parts[1] = admin_token.split('.').nth(1).unwrap().to_owned();
        let tampered = parts.join(".");
        app.call(Method::GET, "/api/auth/me", Some(&tampered), None).await.problem(401, "invalid_token");

        let foreign = JwtKeys::from_secret(b"some-other-secret-some-other-secret")
            .issue(user.id, Utc::now(), Duration::from_secs(60))
            .0;
        app.call(Method::GET, "/api/auth/me", Some(&foreign), None).await.problem(401, "invalid_token");
        app.call(Method::GET, "/api/auth/me", Some("garbage"), None).await.problem(401, "invalid_token");
    })
    .await;
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_header_for_writes() {
    each_backend(|app| async move {
        let login = app.login(&email(Role::Admin), PASSWORD).await;
        let token = login.body["access_token"].as_str().unwrap();
        let csrf = login.body["csrf_token"].as_str().unwrap();
        let cookie = format!("skt_session={token}");
        let target = app.user(Role::User).await;
        let patch = |csrf_header: Option<&str>| {
            let mut builder = Request::builder()
                .method(Method::PATCH)
                .uri(format!("/api/admin/users/{}", target.id))
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(value) = csrf_header {
                builder = builder.header("x-csrf-token", value);
            }
            builder.body(Body::from(json!({ "display_name": "Renamed" }).to_string())).unwrap()
        };
        app.send(patch(None)).await.problem(403, "csrf_failed");
        app.send(patch(Some("forged-value"))).await.problem(403, "csrf_failed");
        let ok = app.send(patch(Some(csrf))).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert_eq!(ok.body["display_name"], "Renamed");

        // Reads by cookie need no header, and /me hands the SPA its CSRF token.
        let me = Request::builder().uri("/api/auth/me").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
        let me = app.send(me).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["csrf_token"], csrf);
    })
    .await;
}

#[tokio::test]
async fn logout_clears_the_cookie() {
    each_backend(|app| async move {
        let reply = app.call(Method::POST, "/api/auth/logout", None, None).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
        let cookie = reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        assert!(cookie.starts_with("skt_session=;") && cookie.contains("Max-Age=0"), "{cookie}");
    })
    .await;
}

#[tokio::test]
async fn disabled_accounts_can_do_nothing() {
    each_backend(|app| async move {
        let token = app.token(Role::User).await;
        let admin = app.token(Role::Admin).await;
        let user = app.user(Role::User).await;
        // Signed in and active: the session is now in the server's user cache.
        assert_eq!(app.call(Method::GET, "/api/auth/me", Some(&token), None).await.status, StatusCode::OK);
        let path = format!("/api/admin/users/{}", user.id);
        let reply = app.call(Method::PATCH, &path, Some(&admin), Some(json!({ "disabled": true }))).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        app.call(Method::GET, "/api/auth/me", Some(&token), None).await.problem(403, "account_disabled");
        app.login(&email(Role::User), PASSWORD).await.problem(403, "account_disabled");
    })
    .await;
}

#[tokio::test]
async fn users_change_their_own_name_and_password() {
    each_backend(|app| async move {
        let token = app.token(Role::User).await;
        let renamed =
            app.call(Method::PATCH, "/api/auth/me", Some(&token), Some(json!({ "display_name": "Ada L" }))).await;
        assert_eq!(renamed.body["user"]["display_name"], "Ada L", "{}", renamed.body);
        let no_current = json!({ "new_password": "ett-nytt-losenord" });
        let reply = app.call(Method::PATCH, "/api/auth/me", Some(&token), Some(no_current)).await;
        assert_eq!(reply.problem(422, "validation_failed")["errors"][0]["field"], "current_password");
        let wrong = json!({ "new_password": "ett-nytt-losenord", "current_password": "fel" });
        app.call(Method::PATCH, "/api/auth/me", Some(&token), Some(wrong)).await.problem(422, "validation_failed");
        app.call(Method::PATCH, "/api/auth/me", Some(&token), Some(json!({ "role": "admin" })))
            .await
            .problem(422, "validation_failed");
        let ok = json!({ "new_password": "ett-nytt-losenord", "current_password": PASSWORD });
        assert_eq!(app.call(Method::PATCH, "/api/auth/me", Some(&token), Some(ok)).await.status, StatusCode::OK);
        assert_eq!(app.login(&email(Role::User), "ett-nytt-losenord").await.status, StatusCode::OK);
        assert_eq!(app.user(Role::User).await.role, Role::User);
    })
    .await;
}

#[tokio::test]
async fn sign_ins_through_a_trusted_proxy_are_throttled_per_client_not_per_proxy() {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    each_backend(|app| async move {
        // The test app trusts 127.0.0.1 as a reverse proxy; 20 attempts a minute per client.
        let attempt = |peer: &str, forwarded: String| {
            let body = json!({ "email": email(Role::User), "password": PASSWORD }).to_string();
            let mut request = Request::builder()
                .method(Method::POST)
                .uri("/api/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-forwarded-for", forwarded)
                .body(Body::from(body))
                .unwrap();
            request.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
            app.send(request)
        };
        for n in 0..25 {
            let reply = attempt("127.0.0.1:40000", format!("203.0.113.{n}")).await;
            assert_eq!(reply.status, StatusCode::OK, "a class signing in through the proxy: {}", reply.body);
        }
        for _ in 0..20 {
            assert_eq!(attempt("127.0.0.1:40000", "198.51.100.7".into()).await.status, StatusCode::OK);
        }
        attempt("127.0.0.1:40000", "198.51.100.7".into()).await.problem(429, "too_many_attempts");
        // Anyone else's X-Forwarded-For is ignored: they cannot pick a fresh address per attempt.
        for n in 0..20 {
            assert_eq!(attempt("192.0.2.9:5000", format!("203.0.113.{n}")).await.status, StatusCode::OK);
        }
        attempt("192.0.2.9:5000", "203.0.113.99".into()).await.problem(429, "too_many_attempts");
    })
    .await;
}

#[tokio::test]
async fn a_password_change_ends_earlier_sessions() {
    each_backend(|app| async move {
        let old = app.token(Role::User).await;
        // Tokens carry whole seconds: make sure the change lands in a later second.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let admin = app.token(Role::Admin).await;
        let user = app.user(Role::User).await;
        let path = format!("/api/admin/users/{}", user.id);
        let changed = app.call(Method::PATCH, &path, Some(&admin), Some(json!({ "password": "byt-till-detta" }))).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        app.call(Method::GET, "/api/auth/me", Some(&old), None).await.problem(401, "session_expired");
        let fresh = app.login(&email(Role::User), "byt-till-detta").await;
        let fresh = fresh.body["access_token"].as_str().unwrap();
        assert_eq!(app.call(Method::GET, "/api/auth/me", Some(fresh), None).await.status, StatusCode::OK);
        // Renaming is not a reason to sign anyone out.
        app.call(Method::PATCH, &path, Some(&admin), Some(json!({ "display_name": "Ny" }))).await;
        assert_eq!(app.call(Method::GET, "/api/auth/me", Some(fresh), None).await.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_parallel_burst_of_sign_ins_gets_no_more_than_five_guesses() {
    each_backend(|app| async move {
        let who = email(Role::User);
        let burst = (0..20).map(|i| app.login(&who, if i == 19 { PASSWORD } else { "wrong-password" }));
        let replies = futures::future::join_all(burst).await;
        let guessed = replies.iter().filter(|r| r.status != StatusCode::TOO_MANY_REQUESTS).count();
        assert!(guessed <= 5, "{:?}: {guessed} of 20 parallel attempts had their password checked", app.backend);
        assert!(replies.iter().any(|r| r.status == StatusCode::TOO_MANY_REQUESTS), "the rest are refused");
    })
    .await;
}

#[tokio::test]
async fn the_current_password_cannot_be_guessed_with_a_session() {
    each_backend(|app| async move {
        let token = app.token(Role::Contributor).await;
        let guess = |n: u32| json!({ "current_password": format!("guess-{n}"), "new_password": "ett-nytt-losenord" });
        for n in 0..5 {
            let reply = app.call(Method::PATCH, "/api/auth/me", Some(&token), Some(guess(n))).await;
            reply.problem(422, "validation_failed");
        }
        let reply = app.call(Method::PATCH, "/api/auth/me", Some(&token), Some(guess(5))).await;
        reply.problem(429, "too_many_attempts");
        let right = json!({ "current_password": PASSWORD, "new_password": "ett-nytt-losenord" });
        app.call(Method::PATCH, "/api/auth/me", Some(&token), Some(right)).await.problem(429, "too_many_attempts");
    })
    .await;
}
