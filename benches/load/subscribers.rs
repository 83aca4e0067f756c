//! Subscribers as the bot keeps them (the chat's keyed hash and its sealed id, under the
//! data key), written set-based: the library seals each chat (`DataKey::chat_key` and
//! `DataKey::seal`, what `Store::subscribe` does), and the rows go in as a few large
//! statements in one transaction rather than a round trip each.

use qantar_bot::store::{DataKey, Store};
use sqlx::Connection;

use crate::workload::SUBSCRIBER_FIRST;

/// Rows per statement on SQLite: 4 parameters each, well under its 32,766.
const SQLITE_ROWS: usize = 5_000;
/// Rows per statement on PostgreSQL (arrays, one parameter per column).
const POSTGRES_ROWS: usize = 50_000;
/// The day they subscribed: any date; nothing in a broadcast reads it.
const SINCE: &str = "2026-01-01";

fn lang(i: usize) -> &'static str {
    ["en", "ru", "kk"][i % 3]
}

/// The SQLite database at `url` with its key file beside it, as the bot finds them: the
/// key is the one `qantar-bot` resolves for that database (created on the first call).
pub fn sqlite_key(url: &str) -> Result<DataKey, String> {
    qantar_bot::store::key_source::resolve(None, None, url)
        .map(|(key, _)| key)
        .map_err(|e| e.to_string())
}

/// Creates (or migrates) the store at `url` under `key` and subscribes `n` chats, the
/// chat ids from [`SUBSCRIBER_FIRST`] on, in en, ru and kk in turn.
pub async fn seed(url: &str, key: &DataKey, n: usize) -> Result<(), String> {
    // The library creates the schema and records the key, as a bot's first start would.
    let store = Store::open(url, 0, key.clone())
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    let rows = |from: usize, to: usize| -> Vec<Row> {
        (from..to)
            .map(|i| {
                let chat = SUBSCRIBER_FIRST + i as i64;
                (key.chat_key(chat).to_vec(), key.seal(chat), lang(i))
            })
            .collect()
    };
    if url.starts_with("sqlite:") {
        seed_sqlite(url, n, rows).await
    } else {
        seed_postgres(url, n, rows).await
    }
    .map_err(|e| format!("seeding {n} subscribers: {e}"))
}

/// Rows `from..to`: a chat's hash, its sealed id, its language.
type Row = (Vec<u8>, Vec<u8>, &'static str);

async fn seed_sqlite(
    url: &str,
    n: usize,
    rows: impl Fn(usize, usize) -> Vec<Row>,
) -> Result<(), sqlx::Error> {
    use sqlx::ConnectOptions;
    use std::str::FromStr;
    let mut db = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
        .connect()
        .await?;
    let mut tx = db.begin().await?;
    for from in (0..n).step_by(SQLITE_ROWS) {
        let batch = rows(from, (from + SQLITE_ROWS).min(n));
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO subscription (chat_key, chat_sealed, lang, since) ",
        );
        q.push_values(batch, |mut b, (key, sealed, lang)| {
            b.push_bind(key)
                .push_bind(sealed)
                .push_bind(lang)
                .push_bind(SINCE);
        });
        q.build().persistent(false).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    db.close().await
}

async fn seed_postgres(
    url: &str,
    n: usize,
    rows: impl Fn(usize, usize) -> Vec<Row>,
) -> Result<(), sqlx::Error> {
    let mut db = sqlx::PgConnection::connect(url).await?;
    let mut tx = db.begin().await?;
    for from in (0..n).step_by(POSTGRES_ROWS) {
        let batch = rows(from, (from + POSTGRES_ROWS).min(n));
        let len = batch.len();
        let mut keys = Vec::with_capacity(len);
        let mut sealed = Vec::with_capacity(len);
        let mut langs = Vec::with_capacity(len);
        for (k, s, l) in batch {
            keys.push(k);
            sealed.push(s);
            langs.push(l.to_string());
        }
        sqlx::query(
            "INSERT INTO subscription (chat_key, chat_sealed, lang, since)
             SELECT k, s, l, $4 FROM UNNEST($1::bytea[], $2::bytea[], $3::text[]) AS t(k, s, l)",
        )
        .bind(keys)
        .bind(sealed)
        .bind(langs)
        .bind(SINCE)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    db.close().await
}
