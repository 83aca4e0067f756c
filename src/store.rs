//! Chat preferences: chat id → chosen language, and nothing else.
//!
//! A table of our own (not teloxide's dialogue storage, whose single hard-coded table is
//! meant for dialogue state), with migrations embedded in the binary.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use crate::lang::Lang;

/// Where the store lives when nothing says otherwise; created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/qantar.db";

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

/// The store behind a small interface; new backends are new variants.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

impl Store {
    /// Opens (creating if needed) the database at `url` and applies migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        if !url.starts_with("sqlite:") {
            return Err(StoreError::UnsupportedUrl);
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
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
        Ok(Store::Sqlite(pool))
    }

    /// The chat's saved language, if it chose one.
    pub async fn language(&self, chat_id: i64) -> Result<Option<Lang>, StoreError> {
        match self {
            Store::Sqlite(pool) => {
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

    pub async fn set_language(&self, chat_id: i64, lang: Lang) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => {
                sqlx::query(
                    "INSERT INTO chat_language (chat_id, lang) VALUES (?, ?)
                     ON CONFLICT (chat_id) DO UPDATE SET lang = excluded.lang",
                )
                .bind(chat_id)
                .bind(lang.code())
                .execute(pool)
                .await?;
                Ok(())
            }
        }
    }

    /// Deletes everything kept about the chat.
    pub async fn forget(&self, chat_id: i64) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => {
                sqlx::query("DELETE FROM chat_language WHERE chat_id = ?")
                    .bind(chat_id)
                    .execute(pool)
                    .await?;
                Ok(())
            }
        }
    }

    /// Waits for pending writes and closes connections; called on shutdown.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(pool) => pool.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn choices_persist_across_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/nested/prefs.db", dir.path().display());
        let store = Store::open(&url).await.unwrap();
        assert_eq!(store.language(42).await.unwrap(), None);
        store.set_language(42, Lang::Kk).await.unwrap();
        store.set_language(42, Lang::Ru).await.unwrap();
        store.set_language(-100123, Lang::Kk).await.unwrap();
        store.close().await;

        let store = Store::open(&url).await.unwrap();
        assert_eq!(store.language(42).await.unwrap(), Some(Lang::Ru));
        assert_eq!(store.language(-100123).await.unwrap(), Some(Lang::Kk));
        store.forget(42).await.unwrap();
        assert_eq!(store.language(42).await.unwrap(), None);
    }

    #[tokio::test]
    async fn other_schemes_are_refused() {
        assert!(matches!(
            Store::open("mysql://x").await,
            Err(StoreError::UnsupportedUrl)
        ));
    }
}
