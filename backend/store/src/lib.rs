//! SQLite and PostgreSQL implementations of the domain's `Store`.
//!
//! Both dialects share one set of queries, one module per area under `queries/` (each
//! implementing its area trait, e.g. `UserStore`), mounted by each dialect module with `#[path]`
//! and so compiled once per dialect against the concrete sqlx database type: the SQL
//! is written to the common subset (`$n` parameters, `RETURNING`, text ids, application-written
//! timestamps), and what only one dialect can do well lives in that dialect's module (write
//! transactions, the queue's claim and lock, JSON-array parameters). See docs/adr/0002.
#![expect(clippy::duplicate_mod, reason = "each dialect mounts the shared area queries on purpose (ADR 0002)")]

#[macro_use]
mod rows;

/// Mounts every area's queries (`queries/<area>.rs`) in the dialect module that invokes it and
/// implements the rest of `Store` there: the one list of areas, so a new area is added once.
/// The invoking module names `Db`, `This` (a store with a `pool`), `DIALECT`, `StoreResult` and
/// `backend_error`; the area files import `Conn` and `This` from it (ADR 0002).
macro_rules! mount_areas {
    () => {
        /// A connection of this dialect: helpers take one so they run inside a transaction or not.
        type Conn = <Db as sqlx::Database>::Connection;

        #[path = "queries/batches.rs"]
        mod batches;
        #[path = "queries/favorites.rs"]
        mod favorites;
        #[path = "queries/instances.rs"]
        mod instances;
        #[path = "queries/privacy.rs"]
        mod privacy;
        #[path = "queries/runs.rs"]
        mod runs;
        #[path = "queries/settings.rs"]
        mod settings;
        #[path = "queries/storage.rs"]
        mod storage;
        #[path = "queries/throttle.rs"]
        mod throttle;
        #[path = "queries/tools.rs"]
        mod tools;
        #[path = "queries/users.rs"]
        mod users;
        #[path = "queries/versions.rs"]
        mod versions;

        #[async_trait::async_trait]
        impl skriptoteket_domain::Store for This {
            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await.map_err(backend_error)?;
                Ok(())
            }

            fn dialect(&self) -> &'static str {
                DIALECT
            }

            fn signals(&self) -> Option<std::sync::Arc<dyn skriptoteket_domain::Signals>> {
                self.dialect_signals()
            }
        }
    };
}

mod postgres;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

use skriptoteket_domain::{Store, StoreError};
use std::sync::Arc;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// Opens the store named by `url` (`sqlite:` or `postgres:`/`postgresql:`), and migrates it
/// when `migrate` is set.
pub async fn connect(url: &str, migrate: bool) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url, migrate).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PgStore::connect(url, migrate).await?))
    } else {
        Err(StoreError::Backend(format!(
            "unsupported DATABASE_URL scheme in `{}` (use sqlite:// or postgres://)",
            url.split(':').next().unwrap_or_default()
        )))
    }
}

pub(crate) fn backend_error(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// A row written a moment ago in the same transaction is missing: only a bug can do that.
pub(crate) fn gone(what: &str) -> StoreError {
    StoreError::Backend(format!("the {what} just written is missing"))
}

/// Maps a foreign-key violation to `UnknownReference(what)`, anything else to `Backend`.
pub(crate) fn reference_or_backend(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match e.as_database_error() {
        Some(db) if db.is_foreign_key_violation() => StoreError::UnknownReference(what),
        _ => backend_error(e),
    }
}

/// Maps a unique violation to `Conflict(what)`, anything else to `Backend`.
pub(crate) fn conflict_or_backend(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match e.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => backend_error(e),
    }
}
