//! The same behaviour checked on every backend: SQLite always; PostgreSQL in the
//! ignored tests, which CI runs with QANTAR_TEST_POSTGRES_URL pointing at a server.

use std::time::Duration;

use super::outreach::{Audience, JobMessage, Outcome};
use super::*;

/// The key every test store is written under: fixed, so the bots tests start (with
/// `TEST_KEY`) open the stores the tests wrote.
pub fn test_key() -> DataKey {
    DataKey::from_bytes(&TEST_KEY)
}

/// `QANTAR_DATA_KEY` for bots started by tests: base64 of 32 bytes 0x42.
pub const TEST_KEY: [u8; 32] = [0x42; 32];

/// A number unique to one run and moment: chat ids, and the names of test databases.
fn chat_base() -> i64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    i64::from(std::process::id()) * 1_000_000_000 + i64::from(nanos)
}

async fn exercise(url: &str, cache: usize) {
    let base = chat_base();
    let store = Store::open(url, cache, test_key()).await.unwrap();
    assert!(store.ping().await);
    assert_eq!(store.language(base).await.unwrap(), None);
    store.set_language(base, Lang::Kk).await.unwrap();
    store.set_language(base, Lang::Ru).await.unwrap();
    store.set_language(-base, Lang::Kk).await.unwrap();
    store.close().await;

    let store = Store::open(url, cache, test_key()).await.unwrap();
    assert_eq!(store.language(base).await.unwrap(), Some(Lang::Ru));
    assert_eq!(store.language(-base).await.unwrap(), Some(Lang::Kk));
    store.forget(base).await.unwrap();
    assert_eq!(store.language(base).await.unwrap(), None);
    assert_eq!(store.language(-base).await.unwrap(), Some(Lang::Kk));

    // Names unique to this run: a shared PostgreSQL database keeps earlier runs' rows.
    let day = "2999-01-01".to_string();
    let row = |command: &str, lang: &str, count| Usage {
        day: day.clone(),
        command: format!("{command}-{base}"),
        lang: lang.into(),
        count,
    };
    store
        .add_usage(&[row("help", "kk", 2), row("timeline", "en", 1)])
        .await
        .unwrap();
    store.add_usage(&[row("help", "kk", 3)]).await.unwrap();
    let rows: Vec<Usage> = store
        .usage_since(&day)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.command.ends_with(&format!("-{base}")))
        .collect();
    assert_eq!(rows, vec![row("help", "kk", 5), row("timeline", "en", 1)]);
    store.close().await;
}

#[tokio::test]
async fn sqlite_keeps_choices_and_counts() {
    // Off, smaller than the table (evicting), and holding the whole table.
    for cache in [0, 1, DEFAULT_CACHE_CHATS] {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/nested/prefs.db", dir.path().display());
        exercise(&url, cache).await;
    }
}

/// A database of its own on the test server for each PostgreSQL test, dropped at the
/// end even when the test fails: the server's shared database may hold rows of other
/// runs, sealed under another key. The end-to-end tier's, so both make them alike.
#[path = "../../tests/it/pg.rs"]
mod pg;
use pg::PgDatabase;

#[tokio::test]
#[ignore = "needs PostgreSQL: set QANTAR_TEST_POSTGRES_URL and run with --ignored"]
async fn postgres_keeps_choices_and_counts() {
    let fresh = PgDatabase::create("qantar_store_keeps").await;
    exercise(&fresh.url, DEFAULT_CACHE_CHATS).await;
}

#[tokio::test]
async fn other_schemes_are_refused() {
    assert!(matches!(
        Store::open("mysql://x", 0, test_key()).await,
        Err(StoreError::UnsupportedUrl)
    ));
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}/prefs.db", dir.path().display())
}

#[tokio::test]
async fn the_table_is_loaded_whole_when_it_fits() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&sqlite_url(&dir), 0, test_key()).await.unwrap();
    for chat in 0..5 {
        store.set_language(chat, Lang::Kk).await.unwrap();
    }
    store.close().await;
    let fits = Store::open(&sqlite_url(&dir), 5, test_key()).await.unwrap();
    let cache = fits.cache.as_ref().unwrap();
    assert!(cache.is_complete());
    assert_eq!(cache.len(), 5);
    let too_small = Store::open(&sqlite_url(&dir), 4, test_key()).await.unwrap();
    assert!(too_small.cache.as_ref().unwrap().is_empty());
    assert_eq!(too_small.language(3).await.unwrap(), Some(Lang::Kk));
}

#[tokio::test]
async fn rows_from_before_the_cache_key_column_are_cached_right() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&sqlite_url(&dir), 0, test_key()).await.unwrap();
    store.set_language(7, Lang::Kk).await.unwrap();
    store.set_language(-8, Lang::Ru).await.unwrap();
    let Backend::Sqlite(pool) = &store.backend else {
        unreachable!("opened as SQLite")
    };
    // As migration 0007 leaves the rows of an earlier release.
    sqlx::query("UPDATE chat_lang SET cache_key = NULL")
        .execute(pool)
        .await
        .unwrap();
    store.close().await;
    let store = Store::open(&sqlite_url(&dir), 10, test_key())
        .await
        .unwrap();
    assert!(store.cache.as_ref().unwrap().is_complete());
    // A complete cache answers without the database: wrong keys would read as "none".
    assert_eq!(store.language(7).await.unwrap(), Some(Lang::Kk));
    assert_eq!(store.language(-8).await.unwrap(), Some(Lang::Ru));
    assert_eq!(store.language(9).await.unwrap(), None);
}

#[tokio::test]
async fn a_failed_write_is_reported_and_not_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&sqlite_url(&dir), DEFAULT_CACHE_CHATS, test_key())
        .await
        .unwrap();
    store.set_language(1, Lang::Ru).await.unwrap();
    let Backend::Sqlite(pool) = &store.backend else {
        unreachable!("opened as SQLite")
    };
    sqlx::query("DROP TABLE chat_lang")
        .execute(pool)
        .await
        .unwrap();
    assert!(store.set_language(1, Lang::Kk).await.is_err());
    // Not the value that failed, and not a guess: the database is asked, and fails.
    assert!(store.language(1).await.is_err());
}

#[tokio::test]
#[ignore = "needs PostgreSQL: set QANTAR_TEST_POSTGRES_URL and run with --ignored"]
async fn postgres_never_caches() {
    let fresh = PgDatabase::create("qantar_store_nocache").await;
    let store = Store::open(&fresh.url, DEFAULT_CACHE_CHATS, test_key())
        .await
        .unwrap();
    assert!(
        store.cache.is_none(),
        "replicas write too: a local copy would go stale"
    );
    store.close().await;
}

/// A database as the previous release left it: its two migrations, and chat ids in the
/// plain table it had.
async fn older_release_sqlite(url: &str, chats: &[(i64, &str)]) {
    let pool = sqlite::open_without_migrations(url).await.unwrap();
    let mut migrator = sqlx::migrate!("migrations/sqlite");
    migrator.migrations = std::borrow::Cow::Owned(migrator.migrations[..2].to_vec());
    migrator.run(&pool).await.unwrap();
    for (chat, lang) in chats {
        sqlx::query("INSERT INTO chat_language (chat_id, lang) VALUES (?, ?)")
            .bind(chat)
            .bind(lang)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
}

/// Every file of a SQLite database (the file, its WAL and shared memory), as bytes.
fn sqlite_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("prefs.db") && !path.to_string_lossy().ends_with(".key")
        {
            // The WAL and shared-memory files may vanish as the last connection closes.
            if let Ok(bytes) = std::fs::read(&path) {
                all.extend(bytes);
            }
        }
    }
    all
}

/// SQLite's varint, as it stores a rowid (an `INTEGER PRIMARY KEY`) in a b-tree cell.
fn sqlite_varint(v: i64) -> Vec<u8> {
    let mut v = v as u64;
    if v & (0xff00_0000u64 << 32) != 0 {
        let mut out = vec![0u8; 9];
        out[8] = v as u8;
        v >>= 8;
        for byte in out[..8].iter_mut().rev() {
            *byte = (v & 0x7f) as u8 | 0x80;
            v >>= 7;
        }
        return out;
    }
    let mut out = Vec::new();
    loop {
        out.push((v & 0x7f) as u8 | 0x80);
        v >>= 7;
        if v == 0 {
            break;
        }
    }
    out[0] &= 0x7f;
    out.reverse();
    out
}

/// True when `haystack` holds `id` as decimal text or as SQLite stores an integer: in a
/// record (8 bytes, or the 6-byte form for ids of this size), as a rowid (varint), or
/// little-endian for good measure.
fn holds_id(haystack: &[u8], id: i64) -> bool {
    let be = id.to_be_bytes();
    let needles = [
        id.to_string().into_bytes(),
        be.to_vec(),
        id.to_le_bytes().to_vec(),
        be[2..].to_vec(),
        sqlite_varint(id),
    ];
    needles
        .iter()
        .any(|n| haystack.windows(n.len()).any(|w| w == n.as_slice()))
}

const READERS: [(i64, &str); 3] = [
    (7_123_456_789, "kk"),
    (-1_001_987_654_321, "ru"),
    (5_550_001_234, "en"),
];

#[tokio::test]
async fn an_older_release_database_is_moved_under_the_key_and_keeps_no_plain_id() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    older_release_sqlite(&url, &READERS).await;
    assert!(
        holds_id(&sqlite_bytes(dir.path()), READERS[0].0),
        "the old file holds them"
    );

    let store = Store::open(&url, DEFAULT_CACHE_CHATS, test_key())
        .await
        .unwrap();
    for (chat, lang) in READERS {
        assert_eq!(store.language(chat).await.unwrap(), lang.parse().ok());
    }
    store.close().await;
    let bytes = sqlite_bytes(dir.path());
    for (chat, _) in READERS {
        assert!(!holds_id(&bytes, chat), "{chat} left in the file");
    }
    // The next start finds nothing more to move, and the same choices.
    let store = Store::open(&url, 0, test_key()).await.unwrap();
    assert_eq!(store.language(READERS[1].0).await.unwrap(), Some(Lang::Ru));
}

#[tokio::test]
async fn another_key_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let store = Store::open(&url, 0, test_key()).await.unwrap();
    store.set_language(11, Lang::Kk).await.unwrap();
    store.close().await;
    let other = DataKey::from_bytes(&[0x24; 32]);
    let refused = Store::open(&url, 0, other).await.unwrap_err();
    assert!(matches!(refused, StoreError::WrongKey));
    assert!(refused.to_string().contains("does not match"), "{refused}");
    let store = Store::open(&url, 0, test_key()).await.unwrap();
    assert_eq!(store.language(11).await.unwrap(), Some(Lang::Kk));
}

#[tokio::test]
async fn rekey_interrupted_after_one_table_finishes_when_run_again() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let (old, new) = (test_key(), DataKey::from_bytes(&[0x17; 32]));
    let store = Store::open(&url, 0, old.clone()).await.unwrap();
    for (chat, lang) in READERS {
        store
            .set_language(chat, lang.parse().unwrap())
            .await
            .unwrap();
        store.subscribe(chat, Lang::En).await.unwrap();
    }
    assert_eq!(
        store
            .create_job("announce:x", &kept("x"), &[])
            .await
            .unwrap(),
        Some(3)
    );
    // The first run stops after its first table, as a kill between transactions would.
    let Backend::Sqlite(pool) = &store.backend else {
        unreachable!("opened as SQLite")
    };
    let first = sql::Sql(pool)
        .rekey_table("chat_lang", &old, &new)
        .await
        .unwrap();
    assert_eq!(first, Rekeyed::Moved(3));
    store.close().await;
    assert!(
        matches!(
            Store::open(&url, 0, new.clone()).await,
            Err(StoreError::WrongKey)
        ),
        "half moved: neither key may serve"
    );

    let done = Store::rekey(&url, &old, &new).await.unwrap();
    assert_eq!(
        done,
        vec![
            ("chat_lang", Rekeyed::Already),
            ("subscription", Rekeyed::Moved(3)),
            ("outreach_queue", Rekeyed::Moved(3))
        ]
    );
    let again = Store::rekey(&url, &old, &new).await.unwrap();
    assert!(again.iter().all(|(_, r)| *r == Rekeyed::Already));
    assert!(matches!(
        Store::open(&url, 0, old).await,
        Err(StoreError::WrongKey)
    ));
    let store = Store::open(&url, DEFAULT_CACHE_CHATS, new).await.unwrap();
    for (chat, lang) in READERS {
        assert_eq!(store.language(chat).await.unwrap(), lang.parse().ok());
        assert!(
            !store.subscribe(chat, Lang::En).await.unwrap(),
            "still subscribed"
        );
    }
}

#[tokio::test]
async fn purge_deletes_every_per_chat_row_and_keeps_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let store = Store::open(&url, DEFAULT_CACHE_CHATS, test_key())
        .await
        .unwrap();
    let mut hashes = Vec::new();
    for (chat, lang) in READERS {
        store
            .set_language(chat, lang.parse().unwrap())
            .await
            .unwrap();
        store.subscribe(chat, Lang::Kk).await.unwrap();
        hashes.push(test_key().chat_key(chat));
    }
    let usage = Usage {
        day: "2027-01-05".into(),
        command: "timeline".into(),
        lang: "kk".into(),
        count: 4,
    };
    store.add_usage(std::slice::from_ref(&usage)).await.unwrap();
    // Counted in the language each will receive: its saved choice, over the one it
    // subscribed in.
    assert_eq!(
        store.subscribers().await.unwrap(),
        vec![(Lang::En, 1), (Lang::Kk, 1), (Lang::Ru, 1)]
    );
    assert_eq!(
        store
            .create_job("day:2027-01-05", &kept("day"), &[])
            .await
            .unwrap(),
        Some(3)
    );
    let purged = store.purge().await.unwrap();
    assert_eq!(
        purged.tables,
        vec![("chat_lang", 3), ("subscription", 3), ("outreach_queue", 3)]
    );
    assert_eq!(store.language(READERS[0].0).await.unwrap(), None);
    assert!(store.subscribers().await.unwrap().is_empty());
    assert_eq!(store.usage_since("2027-01-01").await.unwrap(), vec![usage]);
    store.close().await;
    let bytes = sqlite_bytes(dir.path());
    for hash in hashes {
        assert!(
            !bytes.windows(hash.len()).any(|w| w == hash),
            "a purged row's hash is still in the file"
        );
    }
}

#[tokio::test]
async fn subscriptions_end_with_unsubscribe_forget_or_an_unreachable_chat() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&sqlite_url(&dir), DEFAULT_CACHE_CHATS, test_key())
        .await
        .unwrap();
    assert!(store.subscribe(1, Lang::Ru).await.unwrap());
    assert!(
        !store.subscribe(1, Lang::Kk).await.unwrap(),
        "once per chat"
    );
    assert!(store.unsubscribe(1).await.unwrap());
    assert!(!store.unsubscribe(1).await.unwrap());
    for chat in [2, 3] {
        store.subscribe(chat, Lang::Kk).await.unwrap();
        store.set_language(chat, Lang::Kk).await.unwrap();
    }
    store.forget(2).await.unwrap();
    store.remove_unreachable(3).await.unwrap();
    store.remove_unreachable(3).await.unwrap();
    assert!(store.subscribers().await.unwrap().is_empty());
    assert_eq!(store.language(3).await.unwrap(), None);
    let Backend::Sqlite(pool) = &store.backend else {
        unreachable!("opened as SQLite")
    };
    let removed: i64 = sqlx::query_scalar("SELECT count FROM anonymous_total WHERE name = ?")
        .bind(private::REMOVED_CHATS)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(removed, 1, "counted once, when its rows went");
}

#[tokio::test]
#[ignore = "needs PostgreSQL: set QANTAR_TEST_POSTGRES_URL and run with --ignored"]
async fn postgres_an_older_release_database_is_moved_under_the_key() {
    let fresh = PgDatabase::create("qantar_store_migrate").await;
    let pool = sqlx::PgPool::connect(&fresh.url).await.unwrap();
    let mut migrator = sqlx::migrate!("migrations/postgres");
    migrator.migrations = std::borrow::Cow::Owned(migrator.migrations[..2].to_vec());
    migrator.run(&pool).await.unwrap();
    for (chat, lang) in READERS {
        sqlx::query("INSERT INTO chat_language (chat_id, lang) VALUES ($1, $2)")
            .bind(chat)
            .bind(lang)
            .execute(&pool)
            .await
            .unwrap();
    }
    let store = Store::open(&fresh.url, 0, test_key()).await.unwrap();
    for (chat, lang) in READERS {
        assert_eq!(store.language(chat).await.unwrap(), lang.parse().ok());
        store.subscribe(chat, Lang::Kk).await.unwrap();
    }
    let plain: bool = sqlx::query_scalar("SELECT to_regclass('chat_language') IS NOT NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!plain, "the plain table is gone");
    // Every column of every table, as text: no id anywhere.
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for table in tables {
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM {table} AS t"))
            .fetch_all(&pool)
            .await
            .unwrap();
        for row in rows {
            for (chat, _) in READERS {
                assert!(!row.contains(&chat.to_string()), "{table}: {row}");
                assert!(!row.contains(&hex(&chat.to_be_bytes())), "{table}: {row}");
            }
        }
    }
    let other = DataKey::from_bytes(&[0x24; 32]);
    assert!(matches!(
        Store::open(&fresh.url, 0, other).await,
        Err(StoreError::WrongKey)
    ));
    store.close().await;
    pool.close().await;
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A job's message for chats in each language, as `outreach::snapshot` keeps them.
fn kept(text: &str) -> Vec<JobMessage> {
    Lang::ALL
        .iter()
        .map(|lang| JobMessage {
            audience: Audience::Chat,
            lang: *lang,
            body: format!("{text} {}", lang.code()),
        })
        .collect()
}

/// sent + blocked + failed + cancelled + pending = total, for every job.
async fn assert_counts_add_up(store: &Store) {
    for j in store.jobs(20).await.unwrap() {
        assert_eq!(
            j.sent + j.blocked + j.failed + j.cancelled + j.pending,
            j.total,
            "{j:?}"
        );
    }
}

/// The queue's life on one backend: queued once with its messages, in the language of
/// the moment, totals kept after completion, blocked chats removed, every recipient
/// counted once, one lease holder at a time. One scenario, told in order, reads better
/// than its steps apart.
async fn exercise_outreach(url: &str) {
    let store = Store::open(url, 0, test_key()).await.unwrap();
    for (chat, lang) in READERS {
        store.subscribe(chat, lang.parse().unwrap()).await.unwrap();
    }
    // A later /lang changes what the chat receives.
    store.set_language(READERS[0].0, Lang::En).await.unwrap();
    // One channel in two languages: a post in each.
    let channels = [
        ("@qantar_news".to_string(), Lang::Kk),
        ("@qantar_news".to_string(), Lang::Ru),
    ];
    let day = "day:2027-01-05";
    assert_eq!(
        store
            .create_job(day, &kept("day"), &channels)
            .await
            .unwrap(),
        Some(5)
    );
    assert_eq!(
        store
            .create_job(day, &kept("edited"), &channels)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .job_message(day, Audience::Chat, Lang::Ru)
            .await
            .unwrap()
            .as_deref(),
        Some("day ru"),
        "the message kept is the first one's, never replaced"
    );

    let mut pending = store.pending(10).await.unwrap();
    pending.sort_by_key(|r| r.chat);
    let got: Vec<(i64, Lang)> = pending.iter().map(|r| (r.chat, r.lang)).collect();
    let mut want = vec![
        (READERS[0].0, Lang::En),
        (READERS[1].0, Lang::Ru),
        (READERS[2].0, Lang::En),
    ];
    want.sort();
    assert_eq!(got, want);
    let posts = store.pending_posts().await.unwrap();
    let got: Vec<(&str, Lang)> = posts.iter().map(|p| (p.channel.as_str(), p.lang)).collect();
    assert_eq!(
        got,
        vec![("@qantar_news", Lang::Kk), ("@qantar_news", Lang::Ru)]
    );

    let by_chat = |chat: i64| pending.iter().find(|r| r.chat == chat).unwrap().clone();
    store
        .record(&by_chat(READERS[0].0), Outcome::Sent)
        .await
        .unwrap();
    store
        .record(&by_chat(READERS[1].0), Outcome::Blocked)
        .await
        .unwrap();
    // The map went, the text after it did not: a retry starts at the text.
    store
        .record(&by_chat(READERS[2].0), Outcome::Retry { parts: 1 })
        .await
        .unwrap();
    let left = store.pending(10).await.unwrap();
    assert_eq!(left.len(), 1, "the retried one is left");
    assert_eq!((left[0].attempts, left[0].parts), (1, 1));
    assert!(store.still_pending(&left[0]).await.unwrap());
    assert!(!store.still_pending(&by_chat(READERS[0].0)).await.unwrap());
    assert_eq!(
        store.language(READERS[1].0).await.unwrap(),
        None,
        "blocked: gone"
    );
    assert!(
        store.finish_jobs().await.unwrap().is_empty(),
        "still pending"
    );
    assert_counts_add_up(&store).await;

    store
        .record(&by_chat(READERS[2].0), Outcome::Sent)
        .await
        .unwrap();
    // A post that fails in passing waits before its next attempt.
    store
        .record_post(
            &posts[0],
            Outcome::Retry { parts: 0 },
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    let due = store.pending_posts().await.unwrap();
    assert_eq!(due.len(), 1, "the failed post waits: {due:?}");
    store
        .record_post(&posts[0], Outcome::Sent, Duration::ZERO)
        .await
        .unwrap();
    store
        .record_post(&posts[1], Outcome::Failed, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(store.finish_jobs().await.unwrap(), vec![day]);
    let job = store.job(day).await.unwrap().unwrap();
    assert_eq!(
        (
            job.state.as_str(),
            job.total,
            job.sent,
            job.blocked,
            job.failed,
            job.pending
        ),
        ("done", 5, 3, 1, 1, 0)
    );
    assert!(store.pending(10).await.unwrap().is_empty());
    assert_eq!(
        store.create_job(day, &kept("day"), &[]).await.unwrap(),
        None,
        "never again"
    );

    // Two jobs at once: what leaves a chat's queue counts on every job, once.
    assert_eq!(
        store
            .create_job("announce:a", &kept("a"), &[])
            .await
            .unwrap(),
        Some(2)
    );
    assert_eq!(
        store
            .create_job("announce:b", &kept("b"), &[])
            .await
            .unwrap(),
        Some(2)
    );
    let in_hand = store.pending(10).await.unwrap();
    let of = |job: &str, chat: i64| {
        in_hand
            .iter()
            .find(|r| r.job == job && r.chat == chat)
            .unwrap()
            .clone()
    };
    // A 403 in one job: the chat leaves the other too, counted as blocked there.
    store
        .record(&of("announce:a", READERS[0].0), Outcome::Blocked)
        .await
        .unwrap();
    let b = store.job("announce:b").await.unwrap().unwrap();
    assert_eq!((b.blocked, b.pending), (1, 1));
    // /unsubscribe with its message in flight: counted as cancelled, then as sent
    // once the message in flight is recorded, so nothing is counted twice or lost.
    assert!(store.unsubscribe(READERS[2].0).await.unwrap());
    assert!(
        !store
            .still_pending(&of("announce:b", READERS[2].0))
            .await
            .unwrap()
    );
    assert_eq!(store.job("announce:b").await.unwrap().unwrap().cancelled, 1);
    store
        .record(&of("announce:b", READERS[2].0), Outcome::Sent)
        .await
        .unwrap();
    let b = store.job("announce:b").await.unwrap().unwrap();
    assert_eq!((b.sent, b.cancelled, b.pending), (1, 0, 0));
    assert_counts_add_up(&store).await;
    store.finish_jobs().await.unwrap();

    // A purge while a job runs: what it had pending is cancelled, counted.
    store.subscribe(READERS[0].0, Lang::Ru).await.unwrap();
    store.subscribe(READERS[1].0, Lang::Kk).await.unwrap();
    assert_eq!(
        store
            .create_job("announce:c", &kept("c"), &[])
            .await
            .unwrap(),
        Some(2)
    );
    store.purge().await.unwrap();
    let c = store.job("announce:c").await.unwrap().unwrap();
    assert_eq!((c.cancelled, c.pending), (2, 0));
    assert_counts_add_up(&store).await;

    // A cancelled job: what it had pending is cancelled, counted.
    store.subscribe(READERS[0].0, Lang::Ru).await.unwrap();
    assert_eq!(
        store
            .create_job("announce:d", &kept("d"), &[])
            .await
            .unwrap(),
        Some(1)
    );
    assert!(store.cancel_job("announce:d").await.unwrap());
    assert!(
        !store.cancel_job("announce:d").await.unwrap(),
        "not running"
    );
    assert!(
        store.pending(10).await.unwrap().is_empty(),
        "cancelled: nothing sent"
    );
    store.finish_jobs().await.unwrap();
    // It keeps its waiting row, for Resume.
    let d = store.job("announce:d").await.unwrap().unwrap();
    assert_eq!(
        (d.state.as_str(), d.cancelled, d.pending),
        ("cancelled", 0, 1)
    );
    assert_counts_add_up(&store).await;
    assert!(store.resume_job("announce:d").await.unwrap());
    assert!(!store.resume_job("announce:d").await.unwrap(), "running");
    let waiting = store.pending(10).await.unwrap();
    assert_eq!(waiting.len(), 1, "resumed: sent on to the one left");
    store.record(&waiting[0], Outcome::Sent).await.unwrap();
    assert_eq!(store.finish_jobs().await.unwrap(), vec!["announce:d"]);
    assert_counts_add_up(&store).await;

    assert!(store.lease("replica-a", 60_000).await.unwrap());
    assert!(
        !store.lease("replica-b", 60_000).await.unwrap(),
        "held by a"
    );
    assert!(store.lease("replica-a", 60_000).await.unwrap(), "renewed");
    store.release_lease("replica-a").await.unwrap();
    assert!(store.lease("replica-b", 60_000).await.unwrap());
    store.release_lease("replica-b").await.unwrap();
    // A holder that dies stops renewing: once its lease lapses, another takes over.
    assert!(store.lease("replica-a", 1).await.unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert!(store.lease("replica-b", 60_000).await.unwrap());
    store.close().await;
}

#[tokio::test]
async fn sqlite_outreach_queue() {
    let dir = tempfile::tempdir().unwrap();
    exercise_outreach(&sqlite_url(&dir)).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: set QANTAR_TEST_POSTGRES_URL and run with --ignored"]
async fn postgres_outreach_queue() {
    let fresh = PgDatabase::create("qantar_store_outreach").await;
    exercise_outreach(&fresh.url).await;
}
