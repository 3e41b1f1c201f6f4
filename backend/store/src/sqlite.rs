//! The embedded default: one SQLite file in WAL mode.

use crate::backend_error;
use skriptoteket_domain::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};
use std::str::FromStr;
use std::time::Duration;

type Db = Sqlite;
type This = SqliteStore;
const DIALECT: &str = "sqlite";

#[derive(Clone)]
pub struct SqliteStore {
    pool: Pool<Db>,
}

impl SqliteStore {
    pub async fn connect(url: &str, migrate: bool) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(backend_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(backend_error)?;
        if migrate {
            sqlx::migrate!("./migrations/sqlite")
                .run(&pool)
                .await
                .map_err(|e| StoreError::Backend(e.to_string()))?;
        }
        Ok(Self { pool })
    }
}

include!("queries.rs");
