//! The SQLite backend: one file, created with its folder on first run. Its statements
//! are `sql`'s; here are how it opens, its hooks (`Dialect`), and the language cache's
//! loading, which only SQLite has.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::data_key::{ChatKey, cache_key};
use super::sql::Dialect;
use super::{ACQUIRE_TIMEOUT, LangCache, StoreError};
use crate::lang::Lang;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

impl Dialect for sqlx::Sqlite {
    /// `'now'` holds still within a statement.
    const NOW_MS: &'static str = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
    /// Named, so a batch is read in key order straight from the index (which ends with
    /// the key), not sorted out of the whole pending queue each time.
    const QUEUE_INDEX: &'static str = "INDEXED BY outreach_queue_pending";
    const CACHE_KEY: bool = true;
    const HAS_TABLE: &'static str =
        "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = $1";
    /// The write lock is taken first (IMMEDIATE): a transaction that began by reading
    /// could not become a writer once the running bot's sender had committed since
    /// ("database is locked" at once, whatever the busy timeout).
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    /// One process owns the file: nothing to wait for.
    const CONVERT_LOCK: Option<&'static str> = None;
    const DROP_LEAVES_PAGES: bool = true;

    /// Rewrites the file without free pages and empties the write-ahead log, so deleted
    /// rows (already zeroed: `secure_delete`) survive nowhere in the file or beside it.
    async fn scrub(pool: &SqlitePool) -> Result<(), StoreError> {
        sqlx::query("VACUUM").execute(pool).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(pool)
            .await?;
        Ok(())
    }
}

pub async fn open(url: &str) -> Result<SqlitePool, StoreError> {
    let pool = open_without_migrations(url).await?;
    MIGRATIONS.run(&pool).await?;
    Ok(pool)
}

/// Opens the database at `url` only if its file is there: `Missing`, naming it,
/// otherwise. For commands that read a store and must not leave an empty one behind.
pub async fn open_existing(url: &str) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::from_str(url)?;
    let file = options.get_filename();
    if !file.is_file() {
        return Err(StoreError::Missing(file.to_path_buf()));
    }
    let pool = pool(options.create_if_missing(false)).await?;
    MIGRATIONS.run(&pool).await?;
    Ok(pool)
}

/// The pool alone; tests use it to make a database as an older release left it.
pub async fn open_without_migrations(url: &str) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::from_str(url)?.create_if_missing(true);
    if let Some(parent) = options.get_filename().parent()
        && parent != Path::new("")
    {
        std::fs::create_dir_all(parent).map_err(StoreError::Folder)?;
    }
    pool(options).await
}

/// A pool on `options`, with the settings every connection of ours has.
async fn pool(options: SqliteConnectOptions) -> Result<SqlitePool, StoreError> {
    let options = options
        .journal_mode(SqliteJournalMode::Wal)
        // With WAL, NORMAL syncs at checkpoints rather than at every commit: a power cut
        // may lose the last moments' `/lang` choices, never the database. FULL made
        // every `/lang` wait for the disk.
        .synchronous(SqliteSynchronous::Normal)
        // Another process holding a write lock should delay us briefly, not fail us.
        .busy_timeout(Duration::from_secs(2))
        // A deleted row (/forget, a blocked chat, purge) is overwritten with zeros, not
        // left readable in a free page.
        .pragma("secure_delete", "ON")
        .log_statements(log::LevelFilter::Trace);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// The whole table when it fits in `capacity` chats, else an empty cache to learn.
pub async fn load_cache(pool: &SqlitePool, capacity: usize) -> Result<LangCache, StoreError> {
    fill_cache_keys(pool).await?;
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM chat_lang")
        .fetch_one(pool)
        .await?;
    if rows as u64 > capacity as u64 {
        return Ok(LangCache::new(capacity));
    }
    // One row per language, the chats' cache keys joined by commas: sqlx hands rows
    // over one at a time between threads, which made a large table slow to load at
    // start; one string per language is far cheaper (BENCHMARKS.md, "The language cache
    // loads in three strings").
    let mut table = Vec::with_capacity(rows.max(0) as usize);
    for lang in Lang::ALL {
        let (keys,): (Option<String>,) =
            sqlx::query_as("SELECT group_concat(cache_key) FROM chat_lang WHERE lang = ?")
                .bind(lang.code())
                .fetch_one(pool)
                .await?;
        let keys = keys.unwrap_or_default();
        table.extend(
            keys.split(',')
                .filter_map(|k| k.parse::<i64>().ok())
                .map(|k| (k, lang)),
        );
    }
    Ok(LangCache::with_table(capacity, table))
}

/// Gives rows written before the `cache_key` column (migration 0007) their cache key.
/// The lookups go through the `(lang, cache_key)` index, which holds the chat key too,
/// so a table with none to fill costs three index probes.
async fn fill_cache_keys(pool: &SqlitePool) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for lang in Lang::ALL {
        let keys: Vec<Vec<u8>> = sqlx::query_scalar(
            "SELECT chat_key FROM chat_lang WHERE lang = ? AND cache_key IS NULL",
        )
        .bind(lang.code())
        .fetch_all(&mut *tx)
        .await?;
        for key in keys {
            let Ok(chat_key) = ChatKey::try_from(key.as_slice()) else {
                return Err(StoreError::Damaged("chat_lang"));
            };
            sqlx::query("UPDATE chat_lang SET cache_key = ? WHERE chat_key = ?")
                .bind(cache_key(&chat_key))
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
