//! Fresh, isolated stores for tests: a temporary SQLite file, or a new schema in the
//! PostgreSQL database named by `SKRIPTOTEKET_TEST_POSTGRES_URL`.
//!
//! PostgreSQL is not optional in the test suite: when the URL is missing the tests fail with
//! a message, unless `SKRIPTOTEKET_TEST_SKIP_POSTGRES=1` says deliberately to skip it.

use crate::{PgStore, SqliteStore};
use skriptoteket_domain::Store;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use std::str::FromStr;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends the current test run must cover.
pub fn backends() -> Vec<Backend> {
    if std::env::var("SKRIPTOTEKET_TEST_POSTGRES_URL").is_ok() {
        return vec![Backend::Sqlite, Backend::Postgres];
    }
    if std::env::var("SKRIPTOTEKET_TEST_SKIP_POSTGRES").as_deref() == Ok("1") {
        return vec![Backend::Sqlite];
    }
    panic!(
        "SKRIPTOTEKET_TEST_POSTGRES_URL is not set: the store tests run on SQLite and PostgreSQL. \
         Run `make test` (which sets it) or set SKRIPTOTEKET_TEST_SKIP_POSTGRES=1 to skip PostgreSQL on purpose."
    )
}

/// An isolated store; keep it alive for the test (it owns the temp dir or the schema).
pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                let store = SqliteStore::connect(&url, true).await.expect("sqlite store");
                Self { store: Arc::new(store), url, _dir: Some(dir) }
            }
            Backend::Postgres => {
                let base = std::env::var("SKRIPTOTEKET_TEST_POSTGRES_URL").expect("postgres url");
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::connect(&base).await.expect("connect to test postgres");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test schema");
                conn.close().await.ok();
                let options = PgConnectOptions::from_str(&base)
                    .expect("postgres url")
                    .options([("search_path", schema.as_str())]);
                let store = PgStore::connect_with(options, true).await.expect("postgres store");
                let url = format!("{base}?options=-c%20search_path%3D{schema}");
                Self { store: Arc::new(store), url, _dir: None }
            }
        }
    }
}
