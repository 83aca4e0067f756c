//! The PostgreSQL backend, for several replicas serving one bot from one store. All its
//! SQL is here, behind functions of the same shape as `sqlite`'s.

use std::str::FromStr;

use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::usage::UsageRow;
use super::{ACQUIRE_TIMEOUT, StoreError, Usage};
use crate::lang::Lang;

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

/// The chat's saved language code, if it chose one.
pub async fn language(pool: &PgPool, chat_id: i64) -> Result<Option<String>, StoreError> {
    let code = sqlx::query_scalar("SELECT lang FROM chat_language WHERE chat_id = $1")
        .bind(chat_id)
        .fetch_optional(pool)
        .await?;
    Ok(code)
}

/// Saves `lang` for the chat, or deletes its row for `None`.
pub async fn write(pool: &PgPool, chat_id: i64, lang: Option<Lang>) -> Result<(), StoreError> {
    let query = match lang {
        Some(lang) => sqlx::query(
            "INSERT INTO chat_language (chat_id, lang) VALUES ($1, $2)
             ON CONFLICT (chat_id) DO UPDATE SET lang = excluded.lang",
        )
        .bind(chat_id)
        .bind(lang.code()),
        None => sqlx::query("DELETE FROM chat_language WHERE chat_id = $1").bind(chat_id),
    };
    query.execute(pool).await?;
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

/// Reads the real table (not `SELECT 1`), so a broken schema shows too.
pub async fn ping(pool: &PgPool) -> bool {
    sqlx::query("SELECT COUNT(*) FROM chat_language WHERE chat_id = 0")
        .execute(pool)
        .await
        .is_ok()
}

/// Waits for pending writes and closes connections.
pub async fn close(pool: &PgPool) {
    pool.close().await;
}
