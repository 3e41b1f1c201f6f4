//! PostgreSQL, selected by a `postgres://` DATABASE_URL; what `compose.prod.yaml` runs.

use crate::backend_error;
use skriptoteket_domain::StoreError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Pool, Postgres};
use std::str::FromStr;
use std::time::Duration;

type Db = Postgres;
type This = PgStore;
const DIALECT: &str = "postgres";

#[derive(Clone)]
pub struct PgStore {
    pool: Pool<Db>,
}

impl PgStore {
    pub async fn connect(url: &str, migrate: bool) -> Result<Self, StoreError> {
        Self::connect_with(
            PgConnectOptions::from_str(url).map_err(backend_error)?,
            migrate,
        )
        .await
    }

    /// Connects with explicit options, e.g. a `search_path` that gives each test its own schema.
    pub async fn connect_with(
        options: PgConnectOptions,
        migrate: bool,
    ) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(backend_error)?;
        if migrate {
            sqlx::migrate!("./migrations/postgres")
                .run(&pool)
                .await
                .map_err(|e| StoreError::Backend(e.to_string()))?;
        }
        Ok(Self { pool })
    }
}

include!("queries.rs");
