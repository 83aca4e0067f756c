//! Every statement of the store, written once for both backends: generic over the
//! database, with `$1`-style placeholders (PostgreSQL's own; sqlx binds SQLite's `$N`
//! by number too). Where the dialects really differ, a `Dialect` hook of each backend
//! says how (`sqlite`, `postgres`): the database's clock, SQLite's index hint and cache
//! column, how a table is looked up, how a purge begins, and how deleted rows are
//! scrubbed from the files.

mod outreach;

use std::future::Future;

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Type};

use super::data_key::{ChatKey, DataKey, cache_key};
use super::outreach::Counter;
use super::usage::UsageRow;
use super::{PER_CHAT_TABLES, PURGES, Rekeyed, Sealed, StoreError, Usage};
use crate::lang::Lang;

/// How many rows a statement changed: each backend's result says so in a method of
/// its own.
pub(super) trait RowsAffected {
    fn rows_affected(&self) -> u64;
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::sqlite::SqliteQueryResult::rows_affected(self)
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::postgres::PgQueryResult::rows_affected(self)
    }
}

/// What one backend does its own way. Everything else is the same SQL.
pub(super) trait Dialect: Database<QueryResult: RowsAffected> {
    /// Now in unix milliseconds by the database's clock (for the lease), as an
    /// expression.
    const NOW_MS: &'static str;
    /// What `pending` reads the queue through, after its table (SQLite's planner must
    /// be told; PostgreSQL's is not).
    const QUEUE_INDEX: &'static str;
    /// Whether `chat_lang` keeps the hash's first 8 bytes as `cache_key` (SQLite's
    /// language cache loads from them).
    const CACHE_KEY: bool;
    /// One row, one boolean: whether the table named `$1` exists.
    const HAS_TABLE: &'static str;
    /// How a transaction that must write while the bot writes too begins.
    const BEGIN_WRITE: &'static str;
    /// Taken first in `convert_plain`'s transaction, so replicas starting together
    /// convert once (PostgreSQL); `None` where one process owns the store.
    const CONVERT_LOCK: Option<&'static str>;
    /// Whether a dropped table's pages stay in the database's file until a scrub.
    const DROP_LEAVES_PAGES: bool;

    /// Leaves no copy of deleted rows in the database's files.
    fn scrub(pool: &Pool<Self>) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// One backend's pool, and the statements run on it.
pub(crate) struct Sql<'p, DB: Database>(pub &'p Pool<DB>);

/// The statements bind and read these types on `DB`; both backends have them all.
/// (Rust does not carry bounds like these along, so `outreach` repeats them.)
impl<DB: Dialect> Sql<'_, DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> &'q [u8]: Encode<'q, DB>,
    for<'q> Option<&'q [u8]>: Encode<'q, DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> Vec<u8>: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> bool: Decode<'q, DB>,
    str: Type<DB>,
    [u8]: Type<DB>,
    String: Type<DB>,
    Vec<u8>: Type<DB>,
    i64: Type<DB>,
    bool: Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    /// Records `key` for every per-chat table that has no key yet (a first start), and
    /// tells whether every table is under `key`.
    pub async fn record_key(&self, key: &DataKey) -> Result<bool, StoreError> {
        let mut all = true;
        for table in PER_CHAT_TABLES {
            sqlx::query(
                "INSERT INTO data_key_check (tbl, check_value) VALUES ($1, $2)
                 ON CONFLICT DO NOTHING",
            )
            .bind(table)
            .bind(key.check_value().as_slice())
            .execute(self.0)
            .await?;
            let stored: Vec<u8> =
                sqlx::query_scalar("SELECT check_value FROM data_key_check WHERE tbl = $1")
                    .bind(table)
                    .fetch_one(self.0)
                    .await?;
            all &= stored == key.check_value();
        }
        Ok(all)
    }

    /// Whether the table `name` exists, in the caller's transaction.
    async fn has_table(tx: &mut sqlx::Transaction<'_, DB>, name: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query_scalar(DB::HAS_TABLE)
            .bind(name)
            .fetch_one(&mut **tx)
            .await?)
    }

    /// Moves the rows of the plain table of older releases into the hashed one under
    /// `key`, then drops it. Returns how many rows were moved.
    pub async fn convert_plain(&self, key: &DataKey) -> Result<u64, StoreError> {
        let mut tx = self.0.begin().await?;
        if let Some(lock) = DB::CONVERT_LOCK {
            // Replicas starting together: one converts, the others wait here and find
            // nothing.
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        if !Self::has_table(&mut tx, "chat_language").await? {
            return Ok(0);
        }
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT chat_id, lang FROM chat_language")
            .fetch_all(&mut *tx)
            .await?;
        let sql = format!("{} ON CONFLICT (chat_key) DO NOTHING", insert_lang::<DB>());
        for (chat, lang) in &rows {
            let chat_key = key.chat_key(*chat);
            let mut insert = sqlx::query(&sql)
                .bind(chat_key.as_slice())
                .bind(key.seal(*chat))
                .bind(lang.as_str());
            if DB::CACHE_KEY {
                insert = insert.bind(cache_key(&chat_key));
            }
            insert.execute(&mut *tx).await?;
        }
        sqlx::query("DROP TABLE chat_language")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if DB::DROP_LEAVES_PAGES {
            DB::scrub(self.0).await?;
        }
        Ok(rows.len() as u64)
    }

    /// The chat's saved language code, if it chose one.
    pub async fn language(&self, chat: &ChatKey) -> Result<Option<String>, StoreError> {
        let code = sqlx::query_scalar("SELECT lang FROM chat_lang WHERE chat_key = $1")
            .bind(chat.as_slice())
            .fetch_optional(self.0)
            .await?;
        Ok(code)
    }

    /// Saves `lang` for the chat.
    pub async fn set_language(&self, chat: &Sealed, lang: Lang) -> Result<(), StoreError> {
        let sql = format!(
            "{} ON CONFLICT (chat_key) DO UPDATE SET lang = excluded.lang",
            insert_lang::<DB>()
        );
        let mut insert = sqlx::query(&sql)
            .bind(chat.key.as_slice())
            .bind(chat.sealed.as_slice())
            .bind(lang.code());
        if DB::CACHE_KEY {
            insert = insert.bind(cache_key(&chat.key));
        }
        insert.execute(self.0).await?;
        Ok(())
    }

    /// Deletes every row about the chat, in every per-chat table, in one transaction;
    /// what it had pending counts on each job as `counter`.
    pub async fn forget(&self, chat: &ChatKey, counter: Counter) -> Result<u64, StoreError> {
        let mut tx = self.0.begin().await?;
        Self::count_removed(&mut tx, Some(chat.as_slice()), counter).await?;
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
        &self,
        chat: &Sealed,
        lang: Lang,
        since: &str,
    ) -> Result<bool, StoreError> {
        let added = sqlx::query(
            "INSERT INTO subscription (chat_key, chat_sealed, lang, since) VALUES ($1, $2, $3, $4)
             ON CONFLICT (chat_key) DO NOTHING",
        )
        .bind(chat.key.as_slice())
        .bind(chat.sealed.as_slice())
        .bind(lang.code())
        .bind(since)
        .execute(self.0)
        .await?
        .rows_affected();
        Ok(added == 1)
    }

    /// Ends the chat's subscription, and whatever was queued for it (counted as
    /// cancelled on its jobs); false if it had none.
    pub async fn unsubscribe(&self, chat: &ChatKey) -> Result<bool, StoreError> {
        let mut tx = self.0.begin().await?;
        Self::count_removed(&mut tx, Some(chat.as_slice()), Counter::Cancelled).await?;
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
    pub async fn subscribers(&self) -> Result<Vec<(String, i64)>, StoreError> {
        // The language a subscriber will get: its saved choice now, else the one it
        // subscribed in.
        let rows = sqlx::query_as(
            "SELECT COALESCE(c.lang, s.lang) AS l, COUNT(*) FROM subscription s
             LEFT JOIN chat_lang c ON c.chat_key = s.chat_key
             GROUP BY l ORDER BY l",
        )
        .fetch_all(self.0)
        .await?;
        Ok(rows)
    }

    /// Adds `n` to an anonymous total.
    pub async fn add_total(&self, name: &str, n: i64) -> Result<(), StoreError> {
        sqlx::query(ADD_TOTAL)
            .bind(name)
            .bind(n)
            .execute(self.0)
            .await?;
        Ok(())
    }

    /// An anonymous total; 0 before its first count.
    pub async fn total(&self, name: &str) -> Result<i64, StoreError> {
        let count: Option<i64> =
            sqlx::query_scalar("SELECT count FROM anonymous_total WHERE name = $1")
                .bind(name)
                .fetch_optional(self.0)
                .await?;
        Ok(count.unwrap_or(0))
    }

    /// Deletes every per-chat row, keeps the anonymous counts, and scrubs the files.
    pub async fn purge(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        // A purge is an emergency action that must go through while the bot sends
        // (SQLite: the write lock is taken first; see `BEGIN_WRITE`).
        let mut tx = self.0.begin_with(DB::BEGIN_WRITE).await?;
        let mut deleted = Vec::new();
        // A store of an older release still holds its plain table: it goes first.
        if Self::has_table(&mut tx, "chat_language").await? {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM chat_language")
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("DROP TABLE chat_language")
                .execute(&mut *tx)
                .await?;
            deleted.push(("chat_language", n as u64));
        }
        Self::count_removed(&mut tx, None, Counter::Cancelled).await?;
        for table in PER_CHAT_TABLES {
            let n = sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            deleted.push((table, n));
        }
        // Counted, so a bot running on this store while another process purges it
        // learns that the languages it holds in memory are gone.
        sqlx::query(ADD_TOTAL)
            .bind(PURGES)
            .bind(1_i64)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        DB::scrub(self.0).await?;
        Ok(deleted)
    }

    /// Moves one per-chat table from `old` to `new` in one transaction: every row's id
    /// is opened under the old key and hashed and sealed again under the new one. A
    /// table already under `new` is left as it is, so an interrupted rekey can run
    /// again.
    pub async fn rekey_table(
        &self,
        table: &'static str,
        old: &DataKey,
        new: &DataKey,
    ) -> Result<Rekeyed, StoreError> {
        let mut tx = self.0.begin().await?;
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
        // The language table may also keep the new hash's prefix for the cache.
        let cache_column = DB::CACHE_KEY && table == "chat_lang";
        let sql = format!(
            "UPDATE {table} SET chat_key = $1, chat_sealed = $2{} WHERE chat_key = $3",
            if cache_column { ", cache_key = $4" } else { "" }
        );
        for (chat_key, sealed) in &rows {
            let id = old.open(sealed).map_err(|_| StoreError::Damaged(table))?;
            let new_key = new.chat_key(id);
            let mut update = sqlx::query(&sql)
                .bind(new_key.as_slice())
                .bind(new.seal(id))
                .bind(chat_key.as_slice());
            if cache_column {
                update = update.bind(cache_key(&new_key));
            }
            update.execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE data_key_check SET check_value = $1 WHERE tbl = $2")
            .bind(new.check_value().as_slice())
            .bind(table)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Rekeyed::Moved(rows.len() as u64))
    }

    /// After a rekey: the old hashes and sealed ids are gone from the files too.
    pub async fn after_rekey(&self) -> Result<(), StoreError> {
        DB::scrub(self.0).await
    }

    /// Adds counts to the daily usage table, in one transaction.
    pub async fn add_usage(&self, rows: &[Usage]) -> Result<(), StoreError> {
        let mut tx = self.0.begin().await?;
        for r in rows {
            sqlx::query(
                "INSERT INTO usage_daily (day, command, lang, count)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (day, command, lang)
                 DO UPDATE SET count = usage_daily.count + excluded.count",
            )
            .bind(r.day.as_str())
            .bind(r.command.as_str())
            .bind(r.lang.as_str())
            .bind(r.count)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Usage rows from `first_day` on, newest day first.
    pub async fn usage_since(&self, first_day: &str) -> Result<Vec<Usage>, StoreError> {
        let rows: Vec<UsageRow> = sqlx::query_as(
            "SELECT day, command, lang, count FROM usage_daily
             WHERE day >= $1 ORDER BY day DESC, command, lang",
        )
        .bind(first_day)
        .fetch_all(self.0)
        .await?;
        Ok(rows.into_iter().map(Usage::from).collect())
    }

    /// Telegram's file_id for a picture, if it was uploaded before.
    pub async fn picture_file(&self, picture: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT file_id FROM picture_file WHERE picture = $1")
                .bind(picture)
                .fetch_optional(self.0)
                .await?,
        )
    }

    /// Keeps the file_id Telegram gave an upload of the picture.
    pub async fn set_picture_file(&self, picture: &str, file_id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO picture_file (picture, file_id) VALUES ($1, $2)
             ON CONFLICT (picture) DO UPDATE SET file_id = excluded.file_id",
        )
        .bind(picture)
        .bind(file_id)
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// Forgets a picture's file_id (Telegram refused it), so it is uploaded again.
    pub async fn forget_picture_file(&self, picture: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM picture_file WHERE picture = $1")
            .bind(picture)
            .execute(self.0)
            .await?;
        Ok(())
    }

    /// Reads the real table (not `SELECT 1`), so a broken schema shows too.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT COUNT(*) FROM chat_lang WHERE chat_key = $1")
            .bind(&[][..])
            .execute(self.0)
            .await
            .is_ok()
    }

    /// Waits for pending writes and closes connections.
    pub async fn close(&self) {
        self.0.close().await;
    }
}

/// Adds `$2` to the anonymous total `$1`.
const ADD_TOTAL: &str = "INSERT INTO anonymous_total (name, count) VALUES ($1, $2)
    ON CONFLICT (name) DO UPDATE SET count = anonymous_total.count + excluded.count";

/// A `chat_lang` row's insert, binding key, sealed id, language and (SQLite) the cache
/// key, in that order.
fn insert_lang<DB: Dialect>() -> &'static str {
    if DB::CACHE_KEY {
        "INSERT INTO chat_lang (chat_key, chat_sealed, lang, cache_key) VALUES ($1, $2, $3, $4)"
    } else {
        "INSERT INTO chat_lang (chat_key, chat_sealed, lang) VALUES ($1, $2, $3)"
    }
}
