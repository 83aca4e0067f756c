//! What protects and ends readers' rows: subscriptions (a chat, its language, the day it
//! subscribed), removing a chat Telegram says is gone, the purge of every per-chat row,
//! and moving the whole store to a new data key.

use super::{Backend, DataKey, PER_CHAT_TABLES, PURGES, Store, StoreError, data_key};
use crate::lang::Lang;

/// What `rekey` did to one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rekeyed {
    /// Already under the new key (an earlier run moved it).
    Already,
    /// This many rows moved to the new key.
    Moved(u64),
}

/// Rows deleted by a purge, per table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purged {
    pub tables: Vec<(&'static str, u64)>,
}

impl Purged {
    pub fn total(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// The anonymous total of chats removed because Telegram said they are gone.
pub const REMOVED_CHATS: &str = "chats_removed_unreachable";

impl Store {
    /// Subscribes the chat in `lang`; false if it already was subscribed.
    pub async fn subscribe(&self, chat: i64, lang: Lang) -> Result<bool, StoreError> {
        let since = crate::usage::today();
        on_backend!(&self.backend, subscribe(&self.sealed(chat), lang, &since))
    }

    /// Ends the chat's subscription; false if it had none.
    pub async fn unsubscribe(&self, chat: i64) -> Result<bool, StoreError> {
        on_backend!(&self.backend, unsubscribe(&self.key.chat_key(chat)))
    }

    /// Subscribers per language.
    pub async fn subscribers(&self) -> Result<Vec<(Lang, i64)>, StoreError> {
        let rows = on_backend!(&self.backend, subscribers())?;
        Ok(rows
            .into_iter()
            .filter_map(|(code, n)| Some((code.parse().ok()?, n)))
            .collect())
    }

    /// Telegram said the chat blocked the bot or no longer exists: every row about it is
    /// deleted (not kept as inactive), and only an anonymous total remembers it.
    pub async fn remove_unreachable(&self, chat: i64) -> Result<(), StoreError> {
        let chat_key = self.key.chat_key(chat);
        let deleted = on_backend!(
            &self.backend,
            forget(&chat_key, super::outreach::Counter::Blocked)
        )?;
        self.sync_cache(data_key::cache_key(&chat_key), &Ok(()), None);
        if deleted > 0 {
            on_backend!(&self.backend, add_total(REMOVED_CHATS, 1))?;
        }
        Ok(())
    }

    /// Deletes every per-chat row in every table, keeps the anonymous counts, and leaves
    /// no copy of the deleted rows in the database's files.
    pub async fn purge(&self) -> Result<Purged, StoreError> {
        let tables = on_backend!(&self.backend, purge())?;
        if let Some(cache) = &self.cache {
            cache.clear();
            // This purge is ours: the count it added is no news to the cache.
            if let Ok(count) = on_backend!(&self.backend, total(PURGES)) {
                cache.purged_here(count);
            }
        }
        Ok(Purged { tables })
    }

    /// Subscribers per language of the store at `url`, read without the data key (the
    /// languages are not secret), for `qantar-bot schedule`. A store that is not there
    /// is `Missing`, never created.
    pub async fn subscribers_at(url: &str) -> Result<Vec<(Lang, i64)>, StoreError> {
        let backend = Backend::open_existing(url).await?;
        let rows = on_backend!(&backend, subscribers())?;
        on_backend!(&backend, close());
        Ok(rows
            .into_iter()
            .filter_map(|(code, n)| Some((code.parse().ok()?, n)))
            .collect())
    }

    /// Purges the store at `url` without its data key: a lost key must not keep rows
    /// alive. See [`Store::purge`].
    pub async fn purge_at(url: &str) -> Result<Purged, StoreError> {
        let backend = Backend::open(url).await?;
        let tables = on_backend!(&backend, purge())?;
        on_backend!(&backend, close());
        Ok(Purged { tables })
    }

    /// Moves every per-chat table of the store at `url` from `old` to `new`, one
    /// transaction per table. Safe to interrupt and run again: a table already under
    /// `new` is skipped. Run it with the bot stopped.
    pub async fn rekey(
        url: &str,
        old: &DataKey,
        new: &DataKey,
    ) -> Result<Vec<(&'static str, Rekeyed)>, StoreError> {
        let backend = Backend::open(url).await?;
        // A store of an older release: record the old key and move its plain rows
        // first, as a start with the old key would.
        if on_backend!(&backend, record_key(old))? {
            on_backend!(&backend, convert_plain(old))?;
        }
        let mut done = Vec::new();
        for table in PER_CHAT_TABLES {
            done.push((table, on_backend!(&backend, rekey_table(table, old, new))?));
        }
        on_backend!(&backend, after_rekey())?;
        on_backend!(&backend, close());
        Ok(done)
    }
}
