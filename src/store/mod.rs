//! Chat preferences (a chat → its chosen language, nothing else), subscriptions, and
//! anonymous daily usage counts, in SQLite by default or PostgreSQL for replicas that
//! share one store.
//!
//! No chat id is at rest in plain form: every per-chat row is keyed by a keyed hash of
//! the id and carries the id only sealed under the data key (`data_key`), so a copied
//! database names no one without the key, which lives elsewhere (`key_source`).
//!
//! A table of our own (not teloxide's dialogue storage, whose single hard-coded table is
//! meant for dialogue state), with migrations embedded in the binary. With SQLite, a
//! bounded copy in memory (`cache`) means reading a chat's language costs no database
//! round trip; with PostgreSQL there is none, since other replicas write too.
//!
//! Every statement is written once (`sql`), generic over the database; each backend
//! (`sqlite`, `postgres`) opens its pool, runs its own migrations and supplies the few
//! hooks where the dialects differ. This file holds the interface and the cache, and no
//! SQL.

/// Runs the statement `f` of `sql` on whichever backend is open.
macro_rules! on_backend {
    ($backend:expr, $f:ident($($arg:expr),*)) => {
        match $backend {
            $crate::store::Backend::Sqlite(pool) => {
                $crate::store::sql::Sql(pool).$f($($arg),*).await
            }
            $crate::store::Backend::Postgres(pool) => {
                $crate::store::sql::Sql(pool).$f($($arg),*).await
            }
        }
    };
}

mod cache;
pub mod data_key;
pub mod key_source;
pub mod outreach;
mod pictures;
mod postgres;
mod private;
mod sql;
mod sqlite;
mod usage;

use std::sync::Arc;
use std::time::Duration;

pub use cache::{LangCache, Lookup};
pub use data_key::DataKey;
pub use private::{Purged, Rekeyed};
pub use usage::Usage;

use crate::lang::Lang;

/// Where the store lives when nothing says otherwise; created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/qantar.db";

/// Chats whose language is kept in memory by default: at most a few MiB, and the whole
/// table for any bot with fewer readers who chose a language.
pub const DEFAULT_CACHE_CHATS: usize = 100_000;

/// How long a request waits for a connection before answering without the store.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// Connections of an `attach`ed store: the sender awaits one query at a time, and a
/// picture's file id now and then.
const SENDER_CONNECTIONS: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported DATABASE_URL scheme (expected sqlite:// or postgres://)")]
    UnsupportedUrl,
    #[error(
        "there is no database at {}: check DATABASE_URL (this command reads a store, it never creates one)",
        .0.display()
    )]
    Missing(std::path::PathBuf),
    #[error("cannot create the folder for the database: {0}")]
    Folder(#[source] std::io::Error),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "the data key does not match the one this database was written with: start with that key (QANTAR_DATA_KEY or QANTAR_DATA_KEY_FILE), or finish `qantar-bot rekey`"
    )]
    WrongKey,
    #[error(
        "a row of `{0}` holds a chat id that does not open under the old key although the table is recorded under it: the row is damaged; delete it (or restore a backup) and run again"
    )]
    Damaged(&'static str),
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

/// Every table with a row per chat: what `forget`, `purge` and `rekey` go through.
pub(crate) const PER_CHAT_TABLES: [&str; 3] = ["chat_lang", "subscription", "outreach_queue"];

/// The anonymous total every purge adds one to, whichever process makes it.
pub(crate) const PURGES: &str = "store_purges";

/// How often a store with a language cache asks whether another process purged it:
/// the longest its cache may hold languages a purge deleted.
const PURGE_CHECK: Duration = Duration::from_secs(1);

/// A chat as the store keeps it: its lookup hash and its id sealed.
pub(crate) struct Sealed {
    pub key: data_key::ChatKey,
    pub sealed: Vec<u8>,
}

/// The store behind a small interface; each database is a variant of `Backend`.
/// Usage counts are in `usage`.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// `None` when off (`--lang-cache 0`, or PostgreSQL): every read goes to the database.
    cache: Option<Arc<LangCache>>,
    key: Arc<DataKey>,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Store {
    /// Opens (creating if needed) the database at `url`, applies migrations, checks that
    /// it was written under `key` (refusing another key), moves plain rows of older
    /// releases under it, and keeps up to `cache_chats` chats' languages in memory (0:
    /// none). PostgreSQL never caches: it is there for replicas, and a local copy would
    /// miss the others' writes.
    pub async fn open(url: &str, cache_chats: usize, key: DataKey) -> Result<Store, StoreError> {
        let backend = Backend::open(url).await?;
        if !on_backend!(&backend, record_key(&key))? {
            return Err(StoreError::WrongKey);
        }
        let moved = on_backend!(&backend, convert_plain(&key))?;
        if moved > 0 {
            log::info!("moved {moved} language choices of an older release under the data key");
        }
        let cache = match (&backend, cache_chats) {
            (Backend::Postgres(_), _) | (_, 0) => None,
            (Backend::Sqlite(pool), n) => {
                // Counted before the table is read: a purge in between is seen as one.
                let purges = sql::Sql(pool).total(PURGES).await?;
                let cache = sqlite::load_cache(pool, n).await?;
                cache.saw_purges(purges);
                Some(Arc::new(cache))
            }
        };
        Ok(Store {
            backend,
            cache,
            key: Arc::new(key),
        })
    }

    /// A second handle on this store, for a thread with a runtime of its own (the
    /// outreach sender): a small pool of its own, since a pool's connections belong to
    /// the runtime that opened them. Open it on that thread. No migrations (`open` ran
    /// them). The language cache is this handle's too (it is plain memory): the sender
    /// reads languages with its recipients, but a chat it removes must leave the cache
    /// the bot answers from, or the bot would go on claiming its deleted choice.
    pub async fn attach(&self) -> Result<Store, StoreError> {
        let backend = match &self.backend {
            Backend::Sqlite(pool) => Backend::Sqlite(sender_pool(pool).await?),
            Backend::Postgres(pool) => Backend::Postgres(sender_pool(pool).await?),
        };
        Ok(Store {
            backend,
            cache: self.cache.clone(),
            key: Arc::clone(&self.key),
        })
    }

    fn sealed(&self, chat: i64) -> Sealed {
        Sealed {
            key: self.key.chat_key(chat),
            sealed: self.key.seal(chat),
        }
    }

    /// The chat's saved language, if it chose one.
    pub async fn language(&self, chat: i64) -> Result<Option<Lang>, StoreError> {
        let chat_key = self.key.chat_key(chat);
        let cached = data_key::cache_key(&chat_key);
        if let Some(cache) = &self.cache {
            self.notice_purges(cache).await;
        }
        if let Some(Lookup::Known(lang)) = self.cache.as_ref().map(|c| c.get(cached)) {
            return Ok(lang);
        }
        let code = on_backend!(&self.backend, language(&chat_key))?;
        // A value the CHECK constraint should have stopped is treated as no choice.
        let lang = code.and_then(|c| c.parse().ok());
        if let Some(cache) = &self.cache {
            cache.put(cached, lang);
        }
        Ok(lang)
    }

    /// Saves the chat's choice. Written even when the cache says it is already so: the
    /// cache may hold a row another process deleted, and a choice made must outlast a
    /// restart.
    pub async fn set_language(&self, chat: i64, lang: Lang) -> Result<(), StoreError> {
        let sealed = self.sealed(chat);
        let cached = data_key::cache_key(&sealed.key);
        let result = on_backend!(&self.backend, set_language(&sealed, lang));
        self.sync_cache(cached, &result, Some(lang));
        result
    }

    /// Deletes everything kept about the chat: its language, its subscription, and
    /// anything queued for it.
    pub async fn forget(&self, chat: i64) -> Result<(), StoreError> {
        let chat_key = self.key.chat_key(chat);
        let result = on_backend!(
            &self.backend,
            forget(&chat_key, outreach::Counter::Cancelled)
        )
        .map(drop);
        self.sync_cache(data_key::cache_key(&chat_key), &result, None);
        result
    }

    /// Asks, at most every `PURGE_CHECK`, whether another process purged the store,
    /// and if so has the cache forget every chat. A failed ask is asked again next time.
    async fn notice_purges(&self, cache: &LangCache) {
        if cache.purge_check_due(PURGE_CHECK)
            && let Ok(count) = on_backend!(&self.backend, total(PURGES))
        {
            cache.saw_purges(count);
        }
    }

    /// The cache follows only what the database accepted.
    fn sync_cache(&self, cached: i64, result: &Result<(), StoreError>, lang: Option<Lang>) {
        if let Some(cache) = &self.cache {
            match result {
                Ok(()) => cache.put(cached, lang),
                // The database may or may not have it: let the next read ask.
                Err(_) => cache.invalidate(cached),
            }
        }
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

/// A pool of `SENDER_CONNECTIONS` to the database `pool` connects to, with its options.
async fn sender_pool<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> sqlx::Result<sqlx::Pool<DB>> {
    sqlx::pool::PoolOptions::<DB>::new()
        .max_connections(SENDER_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with((*pool.connect_options()).clone())
        .await
}

impl Backend {
    async fn open(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite(sqlite::open(url).await?))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres(postgres::open(url).await?))
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// As `open`, but an SQLite file that is not there is `Missing`, not created.
    /// (PostgreSQL never creates a database: a missing one is the server's error.)
    async fn open_existing(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite(sqlite::open_existing(url).await?))
        } else {
            Backend::open(url).await
        }
    }
}

#[cfg(test)]
mod tests;
