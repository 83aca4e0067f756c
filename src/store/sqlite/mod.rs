//! The SQLite backend: one file, created with its folder on first run. All its SQL
//! is here, behind functions of the same shape as `postgres`'s.

mod outreach;
pub use outreach::*;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::data_key::{ChatKey, DataKey, cache_key};
use super::outreach::Counter;
use super::usage::UsageRow;
use super::{
    ACQUIRE_TIMEOUT, LangCache, PER_CHAT_TABLES, PURGES, Rekeyed, Sealed, StoreError, Usage,
};
use crate::lang::Lang;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

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

/// Records `key` for every per-chat table that has no key yet (a first start), and
/// tells whether every table is under `key`.
pub async fn record_key(pool: &SqlitePool, key: &DataKey) -> Result<bool, StoreError> {
    let mut all = true;
    for table in PER_CHAT_TABLES {
        sqlx::query(
            "INSERT INTO data_key_check (tbl, check_value) VALUES (?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(table)
        .bind(key.check_value().as_slice())
        .execute(pool)
        .await?;
        let stored: Vec<u8> =
            sqlx::query_scalar("SELECT check_value FROM data_key_check WHERE tbl = ?")
                .bind(table)
                .fetch_one(pool)
                .await?;
        all &= stored == key.check_value();
    }
    Ok(all)
}

/// Moves the rows of the plain table of older releases into the hashed one under `key`,
/// then drops it. Returns how many rows were moved.
pub async fn convert_plain(pool: &SqlitePool, key: &DataKey) -> Result<u64, StoreError> {
    let plain: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'chat_language'",
    )
    .fetch_one(pool)
    .await?;
    if plain == 0 {
        return Ok(0);
    }
    let mut tx = pool.begin().await?;
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT chat_id, lang FROM chat_language")
        .fetch_all(&mut *tx)
        .await?;
    for (chat, lang) in &rows {
        let chat_key = key.chat_key(*chat);
        sqlx::query(
            "INSERT INTO chat_lang (chat_key, chat_sealed, lang, cache_key) VALUES (?, ?, ?, ?)
             ON CONFLICT (chat_key) DO NOTHING",
        )
        .bind(chat_key.as_slice())
        .bind(key.seal(*chat))
        .bind(lang)
        .bind(cache_key(&chat_key))
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DROP TABLE chat_language")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    // Deleted pages are zeroed (secure_delete); VACUUM and an emptied WAL leave no copy.
    scrub(pool).await?;
    Ok(rows.len() as u64)
}

/// Rewrites the file without free pages and empties the write-ahead log, so deleted
/// rows survive nowhere in the file or beside it.
async fn scrub(pool: &SqlitePool) -> Result<(), StoreError> {
    sqlx::query("VACUUM").execute(pool).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool)
        .await?;
    Ok(())
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

/// The chat's saved language code, if it chose one.
pub async fn language(pool: &SqlitePool, chat: &ChatKey) -> Result<Option<String>, StoreError> {
    let code = sqlx::query_scalar("SELECT lang FROM chat_lang WHERE chat_key = ?")
        .bind(chat.as_slice())
        .fetch_optional(pool)
        .await?;
    Ok(code)
}

/// Saves `lang` for the chat.
pub async fn set_language(pool: &SqlitePool, chat: &Sealed, lang: Lang) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO chat_lang (chat_key, chat_sealed, lang, cache_key) VALUES (?, ?, ?, ?)
         ON CONFLICT (chat_key) DO UPDATE SET lang = excluded.lang",
    )
    .bind(chat.key.as_slice())
    .bind(&chat.sealed)
    .bind(lang.code())
    .bind(cache_key(&chat.key))
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes every row about the chat, in every per-chat table, in one transaction; what
/// it had pending counts on each job as `counter`.
pub async fn forget(
    pool: &SqlitePool,
    chat: &ChatKey,
    counter: Counter,
) -> Result<u64, StoreError> {
    let mut tx = pool.begin().await?;
    outreach::count_removed(&mut tx, Some(chat.as_slice()), counter).await?;
    let mut deleted = 0;
    for table in PER_CHAT_TABLES {
        deleted += sqlx::query(&format!("DELETE FROM {table} WHERE chat_key = ?"))
            .bind(chat.as_slice())
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    tx.commit().await?;
    Ok(deleted)
}

/// Subscribes the chat in `lang` from `since`; false if it already was subscribed.
pub async fn subscribe(
    pool: &SqlitePool,
    chat: &Sealed,
    lang: Lang,
    since: &str,
) -> Result<bool, StoreError> {
    let added = sqlx::query(
        "INSERT INTO subscription (chat_key, chat_sealed, lang, since) VALUES (?, ?, ?, ?)
         ON CONFLICT (chat_key) DO NOTHING",
    )
    .bind(chat.key.as_slice())
    .bind(&chat.sealed)
    .bind(lang.code())
    .bind(since)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(added == 1)
}

/// Ends the chat's subscription, and whatever was queued for it (counted as
/// cancelled on its jobs); false if it had none.
pub async fn unsubscribe(pool: &SqlitePool, chat: &ChatKey) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    outreach::count_removed(&mut tx, Some(chat.as_slice()), Counter::Cancelled).await?;
    sqlx::query("DELETE FROM outreach_queue WHERE chat_key = ? AND state = 'pending'")
        .bind(chat.as_slice())
        .execute(&mut *tx)
        .await?;
    let gone = sqlx::query("DELETE FROM subscription WHERE chat_key = ?")
        .bind(chat.as_slice())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(gone == 1)
}

/// Subscribers per language code.
pub async fn subscribers(pool: &SqlitePool) -> Result<Vec<(String, i64)>, StoreError> {
    // The language a subscriber will get: its saved choice now, else the one it
    // subscribed in.
    let rows = sqlx::query_as(
        "SELECT COALESCE(c.lang, s.lang) AS l, COUNT(*) FROM subscription s
         LEFT JOIN chat_lang c ON c.chat_key = s.chat_key
         GROUP BY l ORDER BY l",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// Adds `n` to an anonymous total.
pub async fn add_total(pool: &SqlitePool, name: &str, n: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO anonymous_total (name, count) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET count = anonymous_total.count + excluded.count",
    )
    .bind(name)
    .bind(n)
    .execute(pool)
    .await?;
    Ok(())
}

/// An anonymous total; 0 before its first count.
pub async fn total(pool: &SqlitePool, name: &str) -> Result<i64, StoreError> {
    let count: Option<i64> = sqlx::query_scalar("SELECT count FROM anonymous_total WHERE name = ?")
        .bind(name)
        .fetch_optional(pool)
        .await?;
    Ok(count.unwrap_or(0))
}

/// Deletes every per-chat row, keeps the anonymous counts, and scrubs the file.
pub async fn purge(pool: &SqlitePool) -> Result<Vec<(&'static str, u64)>, StoreError> {
    // The write lock is taken first (IMMEDIATE): a transaction that began by reading
    // could not become a writer once the running bot's sender had committed since
    // ("database is locked" at once, whatever the busy timeout), and a purge is an
    // emergency action that must go through while the bot sends.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut deleted = Vec::new();
    // A store of an older release still holds its plain table: it goes first.
    let plain: bool = sqlx::query_scalar(
        "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'chat_language'",
    )
    .fetch_one(&mut *tx)
    .await?;
    if plain {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM chat_language")
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("DROP TABLE chat_language")
            .execute(&mut *tx)
            .await?;
        deleted.push(("chat_language", n as u64));
    }
    outreach::count_removed(&mut tx, None, Counter::Cancelled).await?;
    for table in PER_CHAT_TABLES {
        let n = sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        deleted.push((table, n));
    }
    // Counted, so a bot running on this store while another process purges it learns
    // that the languages it holds in memory are gone.
    sqlx::query(
        "INSERT INTO anonymous_total (name, count) VALUES (?, 1)
         ON CONFLICT (name) DO UPDATE SET count = anonymous_total.count + 1",
    )
    .bind(PURGES)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    scrub(pool).await?;
    Ok(deleted)
}

/// Forgets a picture's file_id (Telegram refused it), so it is uploaded again.
pub async fn forget_picture_file(pool: &SqlitePool, picture: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM picture_file WHERE picture = ?")
        .bind(picture)
        .execute(pool)
        .await?;
    Ok(())
}

/// Telegram's file_id for a picture, if it was uploaded before.
pub async fn picture_file(pool: &SqlitePool, picture: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT file_id FROM picture_file WHERE picture = ?")
            .bind(picture)
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn set_picture_file(
    pool: &SqlitePool,
    picture: &str,
    file_id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO picture_file (picture, file_id) VALUES (?, ?)
         ON CONFLICT (picture) DO UPDATE SET file_id = excluded.file_id",
    )
    .bind(picture)
    .bind(file_id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Moves one per-chat table from `old` to `new` in one transaction: every row's id is
/// opened under the old key and hashed and sealed again under the new one. A table
/// already under `new` is left as it is, so an interrupted rekey can run again.
pub async fn rekey_table(
    pool: &SqlitePool,
    table: &'static str,
    old: &DataKey,
    new: &DataKey,
) -> Result<Rekeyed, StoreError> {
    let mut tx = pool.begin().await?;
    let check: Vec<u8> = sqlx::query_scalar("SELECT check_value FROM data_key_check WHERE tbl = ?")
        .bind(table)
        .fetch_one(&mut *tx)
        .await?;
    if check == new.check_value() {
        return Ok(Rekeyed::Already);
    }
    if check != old.check_value() {
        return Err(StoreError::WrongKey);
    }
    let rows: Vec<(Vec<u8>, Vec<u8>)> =
        sqlx::query_as(&format!("SELECT chat_key, chat_sealed FROM {table}"))
            .fetch_all(&mut *tx)
            .await?;
    // The language table also keeps the new hash's prefix for the cache.
    let cache_column = if table == "chat_lang" {
        ", cache_key = ?"
    } else {
        ""
    };
    for (chat_key, sealed) in &rows {
        let id = old.open(sealed).map_err(|_| StoreError::Damaged(table))?;
        let new_key = new.chat_key(id);
        let sql = format!(
            "UPDATE {table} SET chat_key = ?, chat_sealed = ?{cache_column} WHERE chat_key = ?"
        );
        let mut update = sqlx::query(&sql)
            .bind(new_key.as_slice())
            .bind(new.seal(id));
        if !cache_column.is_empty() {
            update = update.bind(cache_key(&new_key));
        }
        update.bind(chat_key).execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE data_key_check SET check_value = ? WHERE tbl = ?")
        .bind(new.check_value().as_slice())
        .bind(table)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Rekeyed::Moved(rows.len() as u64))
}

/// After a rekey: the old hashes and sealed ids are gone from the file too.
pub async fn after_rekey(pool: &SqlitePool) -> Result<(), StoreError> {
    scrub(pool).await
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
    sqlx::query("SELECT COUNT(*) FROM chat_lang WHERE chat_key = x''")
        .execute(pool)
        .await
        .is_ok()
}

/// Waits for pending writes and closes connections.
pub async fn close(pool: &SqlitePool) {
    pool.close().await;
}
