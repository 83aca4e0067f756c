//! The SQLite backend: one file, created with its folder on first run.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::{ACQUIRE_TIMEOUT, LangCache, StoreError};
use crate::lang::Lang;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

pub async fn open(url: &str) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // With WAL, NORMAL syncs at checkpoints rather than at every commit: a power cut
        // may lose the last moments' `/lang` choices, never the database. FULL made
        // every `/lang` wait for the disk.
        .synchronous(SqliteSynchronous::Normal)
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

/// The whole table when it fits in `capacity` chats, else an empty cache to learn.
pub async fn load_cache(pool: &SqlitePool, capacity: usize) -> Result<LangCache, StoreError> {
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM chat_language")
        .fetch_one(pool)
        .await?;
    if rows as u64 > capacity as u64 {
        return Ok(LangCache::new(capacity));
    }
    // One row per language, the chat ids joined by commas: sqlx hands rows over one at a
    // time between threads, and 100,000 of them took 200 ms of start-up; one string per
    // language takes a few.
    let mut table = Vec::with_capacity(rows.max(0) as usize);
    for lang in Lang::ALL {
        let (ids,): (Option<String>,) =
            sqlx::query_as("SELECT group_concat(chat_id) FROM chat_language WHERE lang = ?")
                .bind(lang.code())
                .fetch_one(pool)
                .await?;
        let ids = ids.unwrap_or_default();
        table.extend(
            ids.split(',')
                .filter_map(|id| id.parse().ok())
                .map(|id: i64| (id, lang)),
        );
    }
    Ok(LangCache::with_table(capacity, table))
}
