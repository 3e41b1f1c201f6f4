//! The behavioural suite every Store implementation must pass, run on SQLite and PostgreSQL.
//! One test binary: tools, runs and storage are submodules, sharing the helpers below.

mod batches;
mod migration;
mod runs;
mod servers;
mod storage;
mod tools;

use chrono::{Duration, Utc};
use skriptoteket_domain::{NewUser, PageRequest, Role, Store, StoreError, User, UserPatch};
use skriptoteket_store::testing::{Backend, TestDb, backends};
use std::sync::Arc;

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser { email: email.into(), display_name: "Anna Berg".into(), role, password_hash: "hash".into() }
}

/// A user with a unique email, for tests that need several.
async fn user(store: &Arc<dyn Store>, role: Role) -> User {
    let email = format!("{}@skola.se", uuid::Uuid::new_v4().simple());
    store.create_user(new_user(&email, role)).await.unwrap()
}

async fn each_backend<F, Fut>(test: F)
where
    F: Fn(Arc<dyn Store>, Backend) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in backends() {
        // The TestDb owns the temp dir or schema, so it must outlive the test body.
        let db = TestDb::new(backend).await;
        test(db.store.clone(), backend).await;
    }
}

#[tokio::test]
async fn emails_are_unique_case_insensitively() {
    each_backend(|store, backend| async move {
        let created = store.create_user(new_user(" Anna@Skola.se", Role::User)).await.unwrap();
        assert_eq!(created.email, "anna@skola.se", "{backend:?}");
        let again = store.create_user(new_user("ANNA@skola.SE", Role::Admin)).await;
        assert!(matches!(again, Err(StoreError::Conflict("email"))), "{backend:?}: {again:?}");
        let (found, hash) = store.user_credentials("anna@SKOLA.se").await.unwrap().unwrap();
        assert_eq!((found.id, hash.as_str()), (created.id, "hash"));
    })
    .await;
}

#[tokio::test]
async fn users_round_trip_and_patch() {
    each_backend(|store, backend| async move {
        let u = store.create_user(new_user("b@x.se", Role::User)).await.unwrap();
        assert_eq!(store.user_by_id(u.id).await.unwrap().as_ref(), Some(&u), "{backend:?}");
        let patched = store
            .update_user(u.id, UserPatch { role: Some(Role::Contributor), disabled: Some(true), ..Default::default() })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (patched.role, patched.disabled, patched.display_name.as_str()),
            (Role::Contributor, true, "Anna Berg")
        );
        assert!(store.update_user(uuid::Uuid::new_v4(), UserPatch::default()).await.unwrap().is_none());
        assert!(store.user_by_id(uuid::Uuid::new_v4()).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn users_are_listed_in_pages() {
    each_backend(|store, backend| async move {
        for i in 0..5 {
            store.create_user(new_user(&format!("u{i}@x.se"), Role::User)).await.unwrap();
        }
        let page = store.list_users(PageRequest::new(Some(2), Some(2))).await.unwrap();
        let emails: Vec<_> = page.items.iter().map(|u| u.email.as_str()).collect();
        assert_eq!(emails, ["u2@x.se", "u3@x.se"], "{backend:?}");
        assert_eq!(page.total, 5);
        assert_eq!(store.count_users().await.unwrap(), 5);
    })
    .await;
}

#[tokio::test]
async fn failed_logins_lock_at_the_threshold_and_success_resets() {
    each_backend(|store, backend| async move {
        let u = store.create_user(new_user("c@x.se", Role::User)).await.unwrap();
        let until = Utc::now() + Duration::minutes(15);
        for _ in 0..2 {
            let after = store.record_login_failure(u.id, 3, until).await.unwrap().unwrap();
            assert!(after.locked_until.is_none(), "{backend:?}");
        }
        let locked = store.record_login_failure(u.id, 3, until).await.unwrap().unwrap();
        assert_eq!(locked.failed_logins, 3);
        assert!(locked.is_locked(Utc::now()), "{backend:?}");
        store.record_login_success(u.id).await.unwrap();
        let reset = store.user_by_id(u.id).await.unwrap().unwrap();
        assert_eq!((reset.failed_logins, reset.locked_until), (0, None));
    })
    .await;
}
