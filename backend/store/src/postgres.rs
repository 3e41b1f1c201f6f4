//! PostgreSQL, selected by a `postgres://` DATABASE_URL; what `compose.prod.yaml` runs.

use crate::backend_error;
use crate::rows::RunRow;
use async_trait::async_trait;
use chrono::Utc;
use skriptoteket_domain::run::Run;
use skriptoteket_domain::store::StoreResult;
use skriptoteket_domain::{SignalListener, Signals, StoreError};
use sqlx::postgres::PgListener;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Pool, Postgres, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

type Db = Postgres;
type This = PgStore;
const DIALECT: &str = "postgres";

/// The advisory lock that serialises `enqueue_run` across processes ("skriptoteket queue").
const QUEUE_LOCK: i64 = 0x736B_745F_7175_6575;

/// A table expression over the elements of a JSON array of strings bound at `$n`, as rows
/// with one column `w.value`: lets shared queries take a list of ids in one parameter.
macro_rules! json_texts {
    ($param:literal) => {
        concat!("jsonb_array_elements_text(", $param, ") AS w(value)")
    };
}

#[derive(Clone)]
pub struct PgStore {
    pool: Pool<Db>,
}

impl PgStore {
    pub async fn connect(url: &str, migrate: bool) -> Result<Self, StoreError> {
        Self::connect_with(PgConnectOptions::from_str(url).map_err(backend_error)?, migrate).await
    }

    /// Connects with explicit options, e.g. a `search_path` that gives each test its own schema.
    pub async fn connect_with(options: PgConnectOptions, migrate: bool) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(backend_error)?;
        if migrate {
            sqlx::migrate!("./migrations/postgres").run(&pool).await.map_err(|e| StoreError::Backend(e.to_string()))?;
        }
        Ok(Self { pool })
    }

    /// Begins a write transaction (READ COMMITTED). Shared code that reads before it writes
    /// first takes a row lock (e.g. on the tool) so concurrent writers queue up.
    async fn write_tx(&self) -> StoreResult<Transaction<'static, Db>> {
        self.pool.begin().await.map_err(backend_error)
    }

    /// The transaction in which `enqueue_run` counts and inserts. A transaction-scoped advisory
    /// lock serialises enqueues across processes, so the queue cannot overshoot `max_queue`.
    async fn queue_tx(&self) -> StoreResult<Transaction<'static, Db>> {
        let mut tx = self.write_tx().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(QUEUE_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        Ok(tx)
    }

    fn dialect_signals(&self) -> Option<Arc<dyn Signals>> {
        Some(Arc::new(PgSignals { pool: self.pool.clone() }))
    }

    /// Takes the oldest queued run. `FOR UPDATE SKIP LOCKED` lets concurrent claimers (in this
    /// or other processes) pass over a row another one is taking instead of waiting for it.
    async fn claim_next(&self, instance: &str) -> StoreResult<Option<Run>> {
        let sql = concat!(
            "UPDATE runs SET status = 'running', claimed_by = $1, started_at = $2, \
             heartbeat_at = $2 WHERE status = 'queued' AND id = (SELECT q.id FROM runs q \
             WHERE q.status = 'queued'",
            queue_order!(),
            " LIMIT 1 FOR UPDATE OF q SKIP LOCKED) RETURNING ",
            run_columns!()
        );
        let row: Option<RunRow> = sqlx::query_as(sql)
            .bind(instance)
            .bind(Utc::now())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.map(Run::try_from).transpose()
    }
}

/// LISTEN/NOTIFY: a notification is sent over any pooled connection; a listener holds one
/// connection of its own for as long as it lives.
struct PgSignals {
    pool: Pool<Db>,
}

#[async_trait]
impl Signals for PgSignals {
    async fn notify(&self, channel: &str, payload: &str) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    async fn listen(&self, channels: &[&str]) -> StoreResult<Box<dyn SignalListener>> {
        let mut listener = PgListener::connect_with(&self.pool).await.map_err(backend_error)?;
        listener.listen_all(channels.iter().copied()).await.map_err(backend_error)?;
        Ok(Box::new(PgSignalListener(listener)))
    }
}

struct PgSignalListener(PgListener);

#[async_trait]
impl SignalListener for PgSignalListener {
    async fn recv(&mut self) -> StoreResult<(String, String)> {
        // `try_recv` reports a lost connection (as `None`) instead of reconnecting silently,
        // so the caller learns that messages may have been missed.
        match self.0.try_recv().await.map_err(backend_error)? {
            Some(n) => Ok((n.channel().to_owned(), n.payload().to_owned())),
            None => Err(StoreError::Backend("the listening connection was lost".into())),
        }
    }
}

mount_areas!();
