//! Migration 0005 on a database that already has runs: their uploads are accounted to the run
//! that uploaded them (from `stored_as`), so housekeeping and the quota see them.

use chrono::Utc;
use serde_json::json;
use skriptoteket_domain::Store;
use skriptoteket_domain::run::RunFile;
use skriptoteket_domain::tool::{NewTool, VersionContent};
use skriptoteket_domain::{NewUser, Role};
use skriptoteket_store::testing::{Backend, backends};
use skriptoteket_store::{PgStore, SqliteStore};
use sqlx::types::Json;
use sqlx::{Connection, Executor};
use std::str::FromStr;
use uuid::Uuid;

/// The last migration before the storage columns.
const BEFORE_STORAGE: i64 = 4;

/// Runs as they were before 0005: one that uploaded two files, one reusing them, one without.
struct Legacy {
    uploader: Uuid,
    reuser: Uuid,
    plain: Uuid,
    files: Vec<RunFile>,
}

impl Legacy {
    fn new() -> Self {
        let uploader = Uuid::now_v7();
        let files = (0..2)
            .map(|i| RunFile { name: format!("{i}.csv"), bytes: 3 + i, stored_as: format!("{uploader}/{i:03}") })
            .collect();
        Self { uploader, reuser: Uuid::now_v7(), plain: Uuid::now_v7(), files }
    }

    fn rows(&self) -> [(Uuid, Vec<RunFile>); 3] {
        [(self.uploader, self.files.clone()), (self.reuser, self.files.clone()), (self.plain, vec![])]
    }
}

/// Inserts the legacy runs with the columns that existed before 0005.
macro_rules! insert_legacy {
    ($pool:expr, $legacy:expr, $user:expr, $tool:expr, $version:expr) => {
        for (id, files) in $legacy.rows() {
            sqlx::query(
                "INSERT INTO runs (id, tool_id, version_id, context, user_id, status, inputs, files, \
                 settings, timeout_seconds, created_at, finished_at) \
                 VALUES ($1, $2, $3, 'production', $4, 'succeeded', $5, $6, $5, 60, $7, $7)",
            )
            .bind(id.to_string())
            .bind($tool.to_string())
            .bind($version.to_string())
            .bind($user.to_string())
            .bind(Json(json!({})))
            .bind(Json(files))
            .bind(Utc::now())
            .execute(&$pool)
            .await
            .unwrap();
        }
    };
}

/// A user, a tool and its version, made through the store on the pre-0005 schema.
async fn owner_and_tool(store: &dyn Store) -> (Uuid, Uuid, Uuid) {
    let new = NewUser {
        email: "gammal@skola.se".into(),
        display_name: "G".into(),
        role: Role::User,
        password_hash: "h".into(),
    };
    let user = store.create_user(new).await.unwrap().id;
    let tool = NewTool { slug: "gammal".into(), title: "Gammal".into(), summary: String::new(), created_by: user };
    let (tool, version) = store.create_tool(tool, VersionContent::starter()).await.unwrap();
    (user, tool.id, version.id)
}

async fn check(store: &dyn Store, legacy: &Legacy, user: Uuid, backend: Backend) {
    let run = |id| async move { store.run_by_id(id).await.unwrap().unwrap() };
    let uploader = run(legacy.uploader).await;
    assert_eq!((uploader.files_from, uploader.upload_bytes), (Some(legacy.uploader), Some(7)), "{backend:?}");
    let reuser = run(legacy.reuser).await;
    assert_eq!((reuser.files_from, reuser.upload_bytes), (Some(legacy.uploader), None), "{backend:?}");
    let plain = run(legacy.plain).await;
    assert_eq!((plain.files_from, plain.upload_bytes), (None, None), "{backend:?}");
    assert_eq!(store.storage_used(user).await.unwrap(), 7, "{backend:?}");
}

#[tokio::test]
async fn existing_runs_are_accounted_by_the_storage_migration() {
    for backend in backends() {
        let legacy = Legacy::new();
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("old.db").display());
                let store = SqliteStore::connect(&url, false).await.unwrap();
                let options = sqlx::sqlite::SqliteConnectOptions::from_str(&url).unwrap();
                let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
                let migrator = sqlx::migrate!("./migrations/sqlite");
                migrator.run_to(BEFORE_STORAGE, &pool).await.unwrap();
                let (user, tool, version) = owner_and_tool(&store).await;
                insert_legacy!(pool, legacy, user, tool, version);
                migrator.run(&pool).await.unwrap();
                check(&store, &legacy, user, backend).await;
            }
            Backend::Postgres => {
                let base = std::env::var("SKRIPTOTEKET_TEST_POSTGRES_URL").unwrap();
                let schema = format!("t_{}", Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
                conn.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).await.unwrap();
                conn.close().await.unwrap();
                let options = sqlx::postgres::PgConnectOptions::from_str(&base)
                    .unwrap()
                    .options([("search_path", schema.as_str())]);
                let pool = sqlx::PgPool::connect_with(options.clone()).await.unwrap();
                let migrator = sqlx::migrate!("./migrations/postgres");
                migrator.run_to(BEFORE_STORAGE, &pool).await.unwrap();
                let store = PgStore::connect_with(options, false).await.unwrap();
                let (user, tool, version) = owner_and_tool(&store).await;
                insert_legacy!(pool, legacy, user, tool, version);
                migrator.run(&pool).await.unwrap();
                check(&store, &legacy, user, backend).await;
            }
        }
    }
}
