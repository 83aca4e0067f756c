//! The PostgreSQL backend, for several replicas serving one bot from one store. All its
//! SQL is here, behind functions of the same shape as `sqlite`'s.

mod outreach;
pub use outreach::*;

use std::str::FromStr;

use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::data_key::{ChatKey, DataKey};
use super::outreach::Counter;
use super::usage::UsageRow;
use super::{ACQUIRE_TIMEOUT, PER_CHAT_TABLES, PURGES, Rekeyed, Sealed, StoreError, Usage};
use crate::lang::Lang;

/// PostgreSQL's numbered placeholders (`$1`, `$2`, …) for SQL written with SQLite's
/// `?`, so a statement the two backends share is written once. No statement here holds
/// a `?` of its own.
pub(super) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

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

/// Records `key` for every per-chat table that has no key yet (a first start), and
/// tells whether every table is under `key`.
pub async fn record_key(pool: &PgPool, key: &DataKey) -> Result<bool, StoreError> {
    let mut all = true;
    for table in PER_CHAT_TABLES {
        sqlx::query(
            "INSERT INTO data_key_check (tbl, check_value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(table)
        .bind(key.check_value().as_slice())
        .execute(pool)
        .await?;
        let stored: Vec<u8> =
            sqlx::query_scalar("SELECT check_value FROM data_key_check WHERE tbl = $1")
                .bind(table)
                .fetch_one(pool)
                .await?;
        all &= stored == key.check_value();
    }
    Ok(all)
}

/// Moves the rows of the plain table of older releases into the hashed one under `key`,
/// then drops it. Returns how many rows were moved.
pub async fn convert_plain(pool: &PgPool, key: &DataKey) -> Result<u64, StoreError> {
    let mut tx = pool.begin().await?;
    // Replicas starting together: one converts, the others wait here and find nothing.
    sqlx::query("SELECT pg_advisory_xact_lock(7240117)")
        .execute(&mut *tx)
        .await?;
    let plain: bool = sqlx::query_scalar("SELECT to_regclass('chat_language') IS NOT NULL")
        .fetch_one(&mut *tx)
        .await?;
    if !plain {
        return Ok(0);
    }
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT chat_id, lang FROM chat_language")
        .fetch_all(&mut *tx)
        .await?;
    for (chat, lang) in &rows {
        sqlx::query(
            "INSERT INTO chat_lang (chat_key, chat_sealed, lang) VALUES ($1, $2, $3)
             ON CONFLICT (chat_key) DO NOTHING",
        )
        .bind(key.chat_key(*chat).as_slice())
        .bind(key.seal(*chat))
        .bind(lang)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DROP TABLE chat_language")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(rows.len() as u64)
}

/// The chat's saved language code, if it chose one.
pub async fn language(pool: &PgPool, chat: &ChatKey) -> Result<Option<String>, StoreError> {
    let code = sqlx::query_scalar("SELECT lang FROM chat_lang WHERE chat_key = $1")
        .bind(chat.as_slice())
        .fetch_optional(pool)
        .await?;
    Ok(code)
}

/// Saves `lang` for the chat.
pub async fn set_language(pool: &PgPool, chat: &Sealed, lang: Lang) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO chat_lang (chat_key, chat_sealed, lang) VALUES ($1, $2, $3)
         ON CONFLICT (chat_key) DO UPDATE SET lang = excluded.lang",
    )
    .bind(chat.key.as_slice())
    .bind(&chat.sealed)
    .bind(lang.code())
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes every row about the chat, in every per-chat table, in one transaction; what
/// it had pending counts on each job as `counter`.
pub async fn forget(pool: &PgPool, chat: &ChatKey, counter: Counter) -> Result<u64, StoreError> {
    let mut tx = pool.begin().await?;
    outreach::count_removed(&mut tx, Some(chat.as_slice()), counter).await?;
    let mut deleted = 0;
    for table in PER_CHAT_TABLES {
        deleted += sqlx::query(&format!("DELETE FROM {table} WHERE chat_key = $1"))
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
    pool: &PgPool,
    chat: &Sealed,
    lang: Lang,
    since: &str,
) -> Result<bool, StoreError> {
    let added = sqlx::query(
        "INSERT INTO subscription (chat_key, chat_sealed, lang, since) VALUES ($1, $2, $3, $4)
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
pub async fn unsubscribe(pool: &PgPool, chat: &ChatKey) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    outreach::count_removed(&mut tx, Some(chat.as_slice()), Counter::Cancelled).await?;
    sqlx::query("DELETE FROM outreach_queue WHERE chat_key = $1 AND state = 'pending'")
        .bind(chat.as_slice())
        .execute(&mut *tx)
        .await?;
    let gone = sqlx::query("DELETE FROM subscription WHERE chat_key = $1")
        .bind(chat.as_slice())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(gone == 1)
}

/// Subscribers per language code.
pub async fn subscribers(pool: &PgPool) -> Result<Vec<(String, i64)>, StoreError> {
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
pub async fn add_total(pool: &PgPool, name: &str, n: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO anonymous_total (name, count) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET count = anonymous_total.count + excluded.count",
    )
    .bind(name)
    .bind(n)
    .execute(pool)
    .await?;
    Ok(())
}

/// An anonymous total; 0 before its first count.
pub async fn total(pool: &PgPool, name: &str) -> Result<i64, StoreError> {
    let count: Option<i64> =
        sqlx::query_scalar("SELECT count FROM anonymous_total WHERE name = $1")
            .bind(name)
            .fetch_optional(pool)
            .await?;
    Ok(count.unwrap_or(0))
}

/// Deletes every per-chat row and keeps the anonymous counts.
pub async fn purge(pool: &PgPool) -> Result<Vec<(&'static str, u64)>, StoreError> {
    let mut tx = pool.begin().await?;
    let mut deleted = Vec::new();
    // A store of an older release still holds its plain table: it goes first.
    let plain: bool = sqlx::query_scalar("SELECT to_regclass('chat_language') IS NOT NULL")
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
        "INSERT INTO anonymous_total (name, count) VALUES ($1, 1)
         ON CONFLICT (name) DO UPDATE SET count = anonymous_total.count + 1",
    )
    .bind(PURGES)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    // Deleted rows linger in PostgreSQL's pages until they are rewritten.
    for table in PER_CHAT_TABLES {
        sqlx::query(&format!("VACUUM FULL {table}"))
            .execute(pool)
            .await?;
    }
    Ok(deleted)
}

/// Moves one per-chat table from `old` to `new` in one transaction: every row's id is
/// opened under the old key and hashed and sealed again under the new one. A table
/// already under `new` is left as it is, so an interrupted rekey can run again.
pub async fn rekey_table(
    pool: &PgPool,
    table: &'static str,
    old: &DataKey,
    new: &DataKey,
) -> Result<Rekeyed, StoreError> {
    let mut tx = pool.begin().await?;
    let check: Vec<u8> =
        sqlx::query_scalar("SELECT check_value FROM data_key_check WHERE tbl = $1")
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
    for (chat_key, sealed) in &rows {
        let id = old.open(sealed).map_err(|_| StoreError::Damaged(table))?;
        sqlx::query(&format!(
            "UPDATE {table} SET chat_key = $1, chat_sealed = $2 WHERE chat_key = $3"
        ))
        .bind(new.chat_key(id).as_slice())
        .bind(new.seal(id))
        .bind(chat_key)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE data_key_check SET check_value = $1 WHERE tbl = $2")
        .bind(new.check_value().as_slice())
        .bind(table)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Rekeyed::Moved(rows.len() as u64))
}

/// After a rekey: the rows under the old key are rewritten out of the tables' pages.
pub async fn after_rekey(pool: &PgPool) -> Result<(), StoreError> {
    for table in PER_CHAT_TABLES {
        sqlx::query(&format!("VACUUM FULL {table}"))
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Adds counts to the daily usage table, in one transaction.
pub async fn add_usage(pool: &PgPool, rows: &[Usage]) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for r in rows {
        sqlx::query(
            "INSERT INTO usage_daily (day, command, lang, count)
             VALUES ($1, $2, $3, $4) ON CONFLICT (day, command, lang)
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
pub async fn usage_since(pool: &PgPool, first_day: &str) -> Result<Vec<Usage>, StoreError> {
    let rows: Vec<UsageRow> = sqlx::query_as(
        "SELECT day, command, lang, count FROM usage_daily
         WHERE day >= $1 ORDER BY day DESC, command, lang",
    )
    .bind(first_day)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Usage::from).collect())
}

/// Forgets a picture's file_id (Telegram refused it), so it is uploaded again.
pub async fn forget_picture_file(pool: &PgPool, picture: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM picture_file WHERE picture = $1")
        .bind(picture)
        .execute(pool)
        .await?;
    Ok(())
}

/// Telegram's file_id for a picture, if it was uploaded before.
pub async fn picture_file(pool: &PgPool, picture: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT file_id FROM picture_file WHERE picture = $1")
            .bind(picture)
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn set_picture_file(
    pool: &PgPool,
    picture: &str,
    file_id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO picture_file (picture, file_id) VALUES ($1, $2)
         ON CONFLICT (picture) DO UPDATE SET file_id = excluded.file_id",
    )
    .bind(picture)
    .bind(file_id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Reads the real table (not `SELECT 1`), so a broken schema shows too.
pub async fn ping(pool: &PgPool) -> bool {
    sqlx::query("SELECT COUNT(*) FROM chat_lang WHERE chat_key = ''::bytea")
        .execute(pool)
        .await
        .is_ok()
}

/// Waits for pending writes and closes connections.
pub async fn close(pool: &PgPool) {
    pool.close().await;
}
