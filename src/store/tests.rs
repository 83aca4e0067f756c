//! The same behaviour checked on every backend: SQLite always; PostgreSQL in the
//! ignored tests, which CI runs with QANTAR_TEST_POSTGRES_URL pointing at a server.

use super::*;

/// The key every test store is written under. Fixed, because tests on a PostgreSQL
/// server share one database across runs (the two-replica test uses it too).
pub fn test_key() -> DataKey {
    DataKey::from_bytes(&TEST_KEY)
}

/// `QANTAR_DATA_KEY` for bots started by tests on that shared database:
/// base64 of 32 bytes 0x42.
pub const TEST_KEY: [u8; 32] = [0x42; 32];

/// Chat ids unique to one run, so tests sharing a PostgreSQL database never collide.
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

/// The server's URL; asking for a PostgreSQL test without one is an error, not a pass.
pub fn postgres_url() -> String {
    std::env::var("QANTAR_TEST_POSTGRES_URL")
        .expect("set QANTAR_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)")
}

#[tokio::test]
#[ignore = "needs PostgreSQL: set QANTAR_TEST_POSTGRES_URL and run with --ignored"]
async fn postgres_keeps_choices_and_counts() {
    exercise(&postgres_url(), DEFAULT_CACHE_CHATS).await;
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
    let store = Store::open(&postgres_url(), DEFAULT_CACHE_CHATS, test_key())
        .await
        .unwrap();
    assert!(
        store.cache.is_none(),
        "replicas write too: a local copy would go stale"
    );
}
