//! The PostgreSQL backend, for several replicas serving one bot from one store. Its
//! statements are `sql`'s; here are how it opens and its hooks (`Dialect`).

use std::str::FromStr;

use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::sql::Dialect;
use super::{ACQUIRE_TIMEOUT, PER_CHAT_TABLES, StoreError};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Dialect for sqlx::Postgres {
    /// `clock_timestamp()`: the moment of asking, not the start of the transaction.
    const NOW_MS: &'static str = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";
    /// `outreach_queue_next` (state, job, chat_key) serves it unasked.
    const QUEUE_INDEX: &'static str = "";
    const CACHE_KEY: bool = false;
    const HAS_TABLE: &'static str = "SELECT to_regclass($1) IS NOT NULL";
    const BEGIN_WRITE: &'static str = "BEGIN";
    const CONVERT_LOCK: Option<&'static str> = Some("SELECT pg_advisory_xact_lock(7240117)");
    /// A dropped table's files are removed with it.
    const DROP_LEAVES_PAGES: bool = false;

    /// Deleted rows linger in PostgreSQL's pages until they are rewritten.
    async fn scrub(pool: &PgPool) -> Result<(), StoreError> {
        for table in PER_CHAT_TABLES {
            sqlx::query(&format!("VACUUM FULL {table}"))
                .execute(pool)
                .await?;
        }
        Ok(())
    }
}

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
