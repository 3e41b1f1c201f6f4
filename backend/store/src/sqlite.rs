//! The embedded default: one SQLite file in WAL mode.

use crate::backend_error;
use crate::rows::RunRow;
use chrono::Utc;
use skriptoteket_domain::StoreError;
use skriptoteket_domain::run::Run;
use skriptoteket_domain::store::StoreResult;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

type Db = Sqlite;
type This = SqliteStore;
const DIALECT: &str = "sqlite";

/// A table expression over the elements of a JSON array of strings bound at `$n`, as rows
/// with one column `w.value`: lets shared queries take a list of ids in one parameter.
macro_rules! json_texts {
    ($param:literal) => {
        concat!("json_each(", $param, ") AS w")
    };
}

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
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await.map_err(backend_error)?;
        if migrate {
            sqlx::migrate!("./migrations/sqlite").run(&pool).await.map_err(|e| StoreError::Backend(e.to_string()))?;
        }
        Ok(Self { pool })
    }

    /// Begins a write transaction. `BEGIN IMMEDIATE` takes the write lock up front, so two
    /// transactions that read and then write cannot deadlock upgrading their locks; they wait
    /// for each other within the busy timeout instead of failing with SQLITE_BUSY.
    async fn write_tx(&self) -> StoreResult<Transaction<'static, Db>> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend_error)
    }

    /// The transaction in which `enqueue_run` counts and inserts: SQLite has one writer at a
    /// time, so the write lock alone makes it atomic.
    async fn queue_tx(&self) -> StoreResult<Transaction<'static, Db>> {
        self.write_tx().await
    }

    /// One process uses a SQLite file alone: there is nobody to signal.
    fn dialect_signals(&self) -> Option<std::sync::Arc<dyn skriptoteket_domain::Signals>> {
        None
    }

    /// Takes the oldest queued run. The write lock makes the pick and the update atomic.
    async fn claim_next(&self, instance: &str) -> StoreResult<Option<Run>> {
        let sql = concat!(
            "UPDATE runs SET status = 'running', claimed_by = $1, started_at = $2, \
             heartbeat_at = $2 WHERE id = (SELECT q.id FROM runs q WHERE q.status = 'queued'",
            queue_order!(),
            " LIMIT 1) RETURNING ",
            run_columns!()
        );
        let mut tx = self.write_tx().await?;
        let row: Option<RunRow> = sqlx::query_as(sql)
            .bind(instance)
            .bind(Utc::now())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        row.map(Run::try_from).transpose()
    }
}

mount_areas!();
