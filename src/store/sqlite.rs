//! The SQLite backend: one file, created with its folder on first run.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use super::{ACQUIRE_TIMEOUT, StoreError};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

pub async fn open(url: &str) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // Another process holding a write lock should delay us briefly, not fail us.
        .busy_timeout(Duration::from_secs(2))
        .log_statements(log::LevelFilter::Trace);
    if let Some(parent) = options.get_filename().parent()
        && parent != Path::new("")
    {
        std::fs::create_dir_all(parent).map_err(StoreError::Folder)?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await?;
    MIGRATIONS.run(&pool).await?;
    Ok(pool)
}
