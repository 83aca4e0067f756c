//! Chat preferences (chat id → chosen language, nothing else) and anonymous daily usage
//! counts, in SQLite by default or PostgreSQL for replicas that share one store.
//!
//! A table of our own (not teloxide's dialogue storage, whose single hard-coded table is
//! meant for dialogue state), with migrations embedded in the binary. With SQLite, a
//! bounded copy in memory (`cache`) means reading a chat's language costs no database
//! round trip; with PostgreSQL there is none, since other replicas write too.
//!
//! Each backend owns its SQL in its own file (`sqlite`, `postgres`), behind functions of
//! one shape; this file holds the interface and the cache, and no SQL.

/// Calls the function named `f` of whichever backend is open, with its pool first.
macro_rules! on_backend {
    ($backend:expr, $f:ident($($arg:expr),*)) => {
        match $backend {
            Backend::Sqlite(pool) => sqlite::$f(pool $(, $arg)*).await,
            Backend::Postgres(pool) => postgres::$f(pool $(, $arg)*).await,
        }
    };
}

mod cache;
mod postgres;
mod sqlite;
mod usage;

use std::sync::Arc;
use std::time::Duration;

pub use cache::{LangCache, Lookup};
pub use usage::Usage;

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

/// The store behind a small interface; each database is a variant of `Backend`.
/// Usage counts are in `usage`.
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
        let code = on_backend!(&self.backend, language(chat_id))?;
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
        let result = on_backend!(&self.backend, write(chat_id, lang));
        if let Some(cache) = &self.cache {
            match &result {
                Ok(()) => cache.put(chat_id, lang),
                // The database may or may not have it: let the next read ask.
                Err(_) => cache.invalidate(chat_id),
            }
        }
        result
    }

    /// True when the store answers a read of its own table; /healthz asks this.
    pub async fn ping(&self) -> bool {
        on_backend!(&self.backend, ping())
    }

    /// Waits for pending writes and closes connections; called on shutdown.
    pub async fn close(&self) {
        on_backend!(&self.backend, close())
    }
}

#[cfg(test)]
mod tests;
