//! Chat preferences: chat id → chosen language, and nothing else.
//!
//! A table of our own (not teloxide's dialogue storage, whose single hard-coded table is
//! meant for dialogue state), with migrations embedded in the binary, and a bounded copy
//! in memory (`cache`) so that reading a chat's language costs no database round trip.

mod cache;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use cache::{LangCache, Lookup};

use crate::lang::Lang;

/// Where the store lives when nothing says otherwise; created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/qantar.db";

/// Chats whose language is kept in memory by default: at most a few MiB, and the whole
/// table for any bot with fewer readers who chose a language.
pub const DEFAULT_CACHE_CHATS: usize = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported DATABASE_URL scheme (expected sqlite://…)")]
    UnsupportedUrl,
    #[error("cannot create the folder for the database: {0}")]
    Folder(#[source] std::io::Error),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The store behind a small interface; new backends are new variants of `Backend`.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// `None` when turned off (`--lang-cache 0`): every read goes to the database.
    cache: Option<Arc<LangCache>>,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqlitePool),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

impl Store {
    /// Opens (creating if needed) the database at `url`, applies migrations, and keeps up
    /// to `cache_chats` chats' languages in memory (0: none).
    pub async fn open(url: &str, cache_chats: usize) -> Result<Store, StoreError> {
        if !url.starts_with("sqlite:") {
            return Err(StoreError::UnsupportedUrl);
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL syncs at checkpoints rather than at every commit: a power
            // cut may lose the last moments' `/lang` choices, never the database. FULL
            // made every `/lang` wait for the disk.
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
            .acquire_timeout(Duration::from_secs(3))
            .connect_with(options)
            .await?;
        SQLITE_MIGRATIONS.run(&pool).await?;
        let backend = Backend::Sqlite(pool);
        let cache = match cache_chats {
            0 => None,
            n => Some(Arc::new(backend.load_cache(n).await?)),
        };
        Ok(Store { backend, cache })
    }

    /// The chat's saved language, if it chose one.
    pub async fn language(&self, chat_id: i64) -> Result<Option<Lang>, StoreError> {
        if let Some(Lookup::Known(lang)) = self.cache.as_ref().map(|c| c.get(chat_id)) {
            return Ok(lang);
        }
        let lang = self.backend.language(chat_id).await?;
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

    /// Waits for pending writes and closes connections; called on shutdown.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
        }
    }
}

impl Backend {
    /// The whole table when it fits in `capacity` chats, else an empty cache to learn.
    async fn load_cache(&self, capacity: usize) -> Result<LangCache, StoreError> {
        match self {
            Backend::Sqlite(pool) => {
                let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM chat_language")
                    .fetch_one(pool)
                    .await?;
                if rows as u64 > capacity as u64 {
                    return Ok(LangCache::new(capacity));
                }
                // One row per language, the chat ids joined by commas: sqlx hands rows
                // over one at a time between threads, and 100,000 of them took 200 ms
                // of start-up; one string per language takes a few.
                let mut table = Vec::with_capacity(rows.max(0) as usize);
                for lang in Lang::ALL {
                    let (ids,): (Option<String>,) = sqlx::query_as(
                        "SELECT group_concat(chat_id) FROM chat_language WHERE lang = ?",
                    )
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
        }
    }

    async fn language(&self, chat_id: i64) -> Result<Option<Lang>, StoreError> {
        match self {
            Backend::Sqlite(pool) => {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT lang FROM chat_language WHERE chat_id = ?")
                        .bind(chat_id)
                        .fetch_optional(pool)
                        .await?;
                // A value the CHECK constraint should have stopped is treated as no choice.
                Ok(row.and_then(|(code,)| code.parse().ok()))
            }
        }
    }

    /// Saves `lang` for the chat, or deletes its row for `None`.
    async fn write(&self, chat_id: i64, lang: Option<Lang>) -> Result<(), StoreError> {
        match (self, lang) {
            (Backend::Sqlite(pool), Some(lang)) => {
                sqlx::query(
                    "INSERT INTO chat_language (chat_id, lang) VALUES (?, ?)
                     ON CONFLICT (chat_id) DO UPDATE SET lang = excluded.lang",
                )
                .bind(chat_id)
                .bind(lang.code())
                .execute(pool)
                .await?;
            }
            (Backend::Sqlite(pool), None) => {
                sqlx::query("DELETE FROM chat_language WHERE chat_id = ?")
                    .bind(chat_id)
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(dir: &tempfile::TempDir) -> String {
        format!("sqlite://{}/nested/prefs.db", dir.path().display())
    }

    #[tokio::test]
    async fn choices_persist_across_reopening_with_any_cache() {
        // Off, smaller than the table (evicting), and holding the whole table.
        for cache in [0, 2, DEFAULT_CACHE_CHATS] {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(&url(&dir), cache).await.unwrap();
            assert_eq!(store.language(42).await.unwrap(), None);
            store.set_language(42, Lang::Kk).await.unwrap();
            store.set_language(42, Lang::Ru).await.unwrap();
            store.set_language(-100123, Lang::Kk).await.unwrap();
            store.set_language(7, Lang::En).await.unwrap();
            assert_eq!(store.language(42).await.unwrap(), Some(Lang::Ru), "{cache}");
            store.close().await;

            let store = Store::open(&url(&dir), cache).await.unwrap();
            assert_eq!(store.language(42).await.unwrap(), Some(Lang::Ru), "{cache}");
            assert_eq!(store.language(-100123).await.unwrap(), Some(Lang::Kk));
            assert_eq!(store.language(7).await.unwrap(), Some(Lang::En));
            store.forget(42).await.unwrap();
            assert_eq!(store.language(42).await.unwrap(), None);
            store.close().await;

            // What the cache said is what the database holds.
            let store = Store::open(&url(&dir), 0).await.unwrap();
            assert_eq!(store.language(42).await.unwrap(), None, "{cache}");
            assert_eq!(store.language(7).await.unwrap(), Some(Lang::En));
        }
    }

    #[tokio::test]
    async fn the_table_is_loaded_whole_when_it_fits() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&url(&dir), 0).await.unwrap();
        for chat in 0..5 {
            store.set_language(chat, Lang::Kk).await.unwrap();
        }
        store.close().await;
        let fits = Store::open(&url(&dir), 5).await.unwrap();
        let cache = fits.cache.as_ref().unwrap();
        assert!(cache.is_complete());
        assert_eq!(cache.len(), 5);
        let too_small = Store::open(&url(&dir), 4).await.unwrap();
        assert!(too_small.cache.as_ref().unwrap().is_empty());
        assert_eq!(too_small.language(3).await.unwrap(), Some(Lang::Kk));
    }

    #[tokio::test]
    async fn a_failed_write_is_reported_and_not_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&url(&dir), DEFAULT_CACHE_CHATS).await.unwrap();
        store.set_language(1, Lang::Ru).await.unwrap();
        let Backend::Sqlite(pool) = &store.backend;
        sqlx::query("DROP TABLE chat_language")
            .execute(pool)
            .await
            .unwrap();
        assert!(store.set_language(1, Lang::Kk).await.is_err());
        // Not the value that failed, and not a guess: the database is asked, and fails.
        assert!(store.language(1).await.is_err());
    }

    #[tokio::test]
    async fn other_schemes_are_refused() {
        assert!(matches!(
            Store::open("mysql://x", 0).await,
            Err(StoreError::UnsupportedUrl)
        ));
    }
}
