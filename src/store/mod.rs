//! Chat preferences (chat id → chosen language, nothing else) and anonymous daily usage
//! counts, in SQLite by default or PostgreSQL for replicas that share one store.
//!
//! A table of our own (not teloxide's dialogue storage, whose single hard-coded table is
//! meant for dialogue state), with migrations embedded in the binary. With SQLite, a
//! bounded copy in memory (`cache`) means reading a chat's language costs no database
//! round trip; with PostgreSQL there is none, since other replicas write too.

mod cache;
mod postgres;
mod sqlite;

use std::sync::Arc;
use std::time::Duration;

pub use cache::{LangCache, Lookup};

use crate::lang::Lang;

/// Where the store lives when nothing says otherwise; created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/qantar.db";

/// Chats whose language is kept in memory by default: at most a few MiB, and the whole
/// table for any bot with fewer readers who chose a language.
pub const DEFAULT_CACHE_CHATS: usize = 100_000;

/// How long a request waits for a connection before answering without the store.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported DATABASE_URL scheme (expected sqlite:// or postgres://)")]
    UnsupportedUrl,
    #[error("cannot create the folder for the database: {0}")]
    Folder(#[source] std::io::Error),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// One row of usage: on `day` (UTC, YYYY-MM-DD), `command` ran `count` times in `lang`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Usage {
    pub day: String,
    pub command: String,
    pub lang: String,
    pub count: i64,
}

/// The store behind a small interface; each database is a variant of `Backend`.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// `None` when off (`--lang-cache 0`, or PostgreSQL): every read goes to the database.
    cache: Option<Arc<LangCache>>,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Store {
    /// Opens (creating if needed) the database at `url`, applies migrations, and keeps up
    /// to `cache_chats` chats' languages in memory (0: none). PostgreSQL never caches:
    /// it is there for replicas, and a local copy would miss the others' writes.
    pub async fn open(url: &str, cache_chats: usize) -> Result<Store, StoreError> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite(sqlite::open(url).await?)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres(postgres::open(url).await?)
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        let cache = match (&backend, cache_chats) {
            (Backend::Postgres(_), _) | (_, 0) => None,
            (Backend::Sqlite(pool), n) => Some(Arc::new(sqlite::load_cache(pool, n).await?)),
        };
        Ok(Store { backend, cache })
    }

    /// The chat's saved language, if it chose one.
    pub async fn language(&self, chat_id: i64) -> Result<Option<Lang>, StoreError> {
        if let Some(Lookup::Known(lang)) = self.cache.as_ref().map(|c| c.get(chat_id)) {
            return Ok(lang);
        }
        let code: Option<String> = match &self.backend {
            Backend::Sqlite(pool) => {
                sqlx::query_scalar("SELECT lang FROM chat_language WHERE chat_id = ?")
                    .bind(chat_id)
                    .fetch_optional(pool)
                    .await?
            }
            Backend::Postgres(pool) => {
                sqlx::query_scalar("SELECT lang FROM chat_language WHERE chat_id = $1")
                    .bind(chat_id)
                    .fetch_optional(pool)
                    .await?
            }
        };
        // A value the CHECK constraint should have stopped is treated as no choice.
        let lang = code.and_then(|c| c.parse().ok());
        if let Some(cache) = &self.cache {
            cache.put(chat_id, lang);
        }
        Ok(lang)
    }

    pub async fn set_language(&self, chat_id: i64, lang: Lang) -> Result<(), StoreError> {
        if let Some(Lookup::Known(Some(saved))) = self.cache.as_ref().map(|c| c.get(chat_id))
            && saved == lang
        {
            return Ok(()); // already so: nothing to write
        }
        self.write(chat_id, Some(lang)).await
    }

    /// Deletes everything kept about the chat.
    pub async fn forget(&self, chat_id: i64) -> Result<(), StoreError> {
        self.write(chat_id, None).await
    }

    /// Saves `lang` for the chat, or deletes its row for `None`; the cache follows only
    /// what the database accepted.
    async fn write(&self, chat_id: i64, lang: Option<Lang>) -> Result<(), StoreError> {
        let result = self.backend.write(chat_id, lang).await;
        if let Some(cache) = &self.cache {
            match &result {
                Ok(()) => cache.put(chat_id, lang),
                // The database may or may not have it: let the next read ask.
                Err(_) => cache.invalidate(chat_id),
            }
        }
        result
    }

    /// Adds counts to the daily usage table, in one transaction.
    pub async fn add_usage(&self, rows: &[Usage]) -> Result<(), StoreError> {
        const SQLITE: &str = "INSERT INTO usage_daily (day, command, lang, count)
             VALUES (?, ?, ?, ?) ON CONFLICT (day, command, lang)
             DO UPDATE SET count = usage_daily.count + excluded.count";
        const PG: &str = "INSERT INTO usage_daily (day, command, lang, count)
             VALUES ($1, $2, $3, $4) ON CONFLICT (day, command, lang)
             DO UPDATE SET count = usage_daily.count + excluded.count";
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                for r in rows {
                    let q = sqlx::query(SQLITE)
                        .bind(&r.day)
                        .bind(&r.command)
                        .bind(&r.lang);
                    q.bind(r.count).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
            Backend::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                for r in rows {
                    let q = sqlx::query(PG).bind(&r.day).bind(&r.command).bind(&r.lang);
                    q.bind(r.count).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// Usage rows from `first_day` on, newest day first.
    pub async fn usage_since(&self, first_day: &str) -> Result<Vec<Usage>, StoreError> {
        type Row = (String, String, String, i64);
        const SELECT: &str = "SELECT day, command, lang, count FROM usage_daily";
        const ORDER: &str = "ORDER BY day DESC, command, lang";
        let rows: Vec<Row> = match &self.backend {
            Backend::Sqlite(pool) => {
                let sql = format!("{SELECT} WHERE day >= ? {ORDER}");
                sqlx::query_as(&sql).bind(first_day).fetch_all(pool).await?
            }
            Backend::Postgres(pool) => {
                let sql = format!("{SELECT} WHERE day >= $1 {ORDER}");
                sqlx::query_as(&sql).bind(first_day).fetch_all(pool).await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|(day, command, lang, count)| Usage {
                day,
                command,
                lang,
                count,
            })
            .collect())
    }

    /// True when the store answers a read of its own table; /healthz asks this.
    pub async fn ping(&self) -> bool {
        // Reading the real table (not `SELECT 1`) also catches a broken schema.
        const PROBE: &str = "SELECT COUNT(*) FROM chat_language WHERE chat_id = 0";
        let result = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(PROBE).execute(pool).await.map(drop),
            Backend::Postgres(pool) => sqlx::query(PROBE).execute(pool).await.map(drop),
        };
        result.is_ok()
    }

    /// Waits for pending writes and closes connections; called on shutdown.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

impl Backend {
    async fn write(&self, chat_id: i64, lang: Option<Lang>) -> Result<(), StoreError> {
        const UPSERT_SQLITE: &str = "INSERT INTO chat_language (chat_id, lang) VALUES (?, ?)
             ON CONFLICT (chat_id) DO UPDATE SET lang = excluded.lang";
        const UPSERT_PG: &str = "INSERT INTO chat_language (chat_id, lang) VALUES ($1, $2)
             ON CONFLICT (chat_id) DO UPDATE SET lang = excluded.lang";
        match (self, lang) {
            (Backend::Sqlite(pool), Some(lang)) => {
                let q = sqlx::query(UPSERT_SQLITE).bind(chat_id).bind(lang.code());
                q.execute(pool).await?;
            }
            (Backend::Postgres(pool), Some(lang)) => {
                let q = sqlx::query(UPSERT_PG).bind(chat_id).bind(lang.code());
                q.execute(pool).await?;
            }
            (Backend::Sqlite(pool), None) => {
                let q = sqlx::query("DELETE FROM chat_language WHERE chat_id = ?").bind(chat_id);
                q.execute(pool).await?;
            }
            (Backend::Postgres(pool), None) => {
                let q = sqlx::query("DELETE FROM chat_language WHERE chat_id = $1").bind(chat_id);
                q.execute(pool).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
