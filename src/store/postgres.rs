//! The PostgreSQL backend, for several replicas serving one bot from one store.

use std::str::FromStr;

use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::{ACQUIRE_TIMEOUT, StoreError};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

pub async fn open(url: &str) -> Result<PgPool, StoreError> {
    let options = PgConnectOptions::from_str(url)?.log_statements(log::LevelFilter::Trace);
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await?;
    // sqlx takes an advisory lock, so replicas starting together migrate once.
    MIGRATIONS.run(&pool).await?;
    Ok(pool)
}
