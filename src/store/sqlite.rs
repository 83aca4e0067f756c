//! The SQLite backend: one file, created with its folder on first run. All its SQL
//! is here, behind functions of the same shape as `postgres`'s.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::usage::UsageRow;
use super::{ACQUIRE_TIMEOUT, LangCache, StoreError, Usage};
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
    // time between threads, which made a large table slow to load at start; one string
    // per language is far cheaper (BENCHMARKS.md, "The language cache loads in three
    // strings").
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

/// The chat's saved language code, if it chose one.
pub async fn language(pool: &SqlitePool, chat_id: i64) -> Result<Option<String>, StoreError> {
    let code = sqlx::query_scalar("SELECT lang FROM chat_language WHERE chat_id = ?")
        .bind(chat_id)
        .fetch_optional(pool)
        .await?;
    Ok(code)
}

/// Saves `lang` for the chat, or deletes its row for `None`.
pub async fn write(pool: &SqlitePool, chat_id: i64, lang: Option<Lang>) -> Result<(), StoreError> {
    let query = match lang {
        Some(lang) => sqlx::query(
            "INSERT INTO chat_language (chat_id, lang) VALUES (?, ?)
             ON CONFLICT (chat_id) DO UPDATE SET lang = excluded.lang",
        )
        .bind(chat_id)
        .bind(lang.code()),
        None => sqlx::query("DELETE FROM chat_language WHERE chat_id = ?").bind(chat_id),
    };
    query.execute(pool).await?;
    Ok(())
}

/// Adds counts to the daily usage table, in one transaction.
pub async fn add_usage(pool: &SqlitePool, rows: &[Usage]) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for r in rows {
        sqlx::query(
            "INSERT INTO usage_daily (day, command, lang, count)
             VALUES (?, ?, ?, ?) ON CONFLICT (day, command, lang)
             DO UPDATE SET count = usage_daily.count + excluded.count",
        )
        .bind(&r.day)
        .bind(&r.command)
        .bind(&r.lang)
        .bind(r.count)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Usage rows from `first_day` on, newest day first.
pub async fn usage_since(pool: &SqlitePool, first_day: &str) -> Result<Vec<Usage>, StoreError> {
    let rows: Vec<UsageRow> = sqlx::query_as(
        "SELECT day, command, lang, count FROM usage_daily
         WHERE day >= ? ORDER BY day DESC, command, lang",
    )
    .bind(first_day)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Usage::from).collect())
}

/// Reads the real table (not `SELECT 1`), so a broken schema shows too.
pub async fn ping(pool: &SqlitePool) -> bool {
    sqlx::query("SELECT COUNT(*) FROM chat_language WHERE chat_id = 0")
        .execute(pool)
        .await
        .is_ok()
}

/// Waits for pending writes and closes connections.
pub async fn close(pool: &SqlitePool) {
    pool.close().await;
}
