//! The same behaviour checked on every backend: SQLite always; PostgreSQL in the
//! ignored tests, which CI runs with QANTAR_TEST_POSTGRES_URL pointing at a server.

use super::*;

/// Chat ids unique to one run, so tests sharing a PostgreSQL database never collide.
fn chat_base() -> i64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    i64::from(std::process::id()) * 1_000_000_000 + i64::from(nanos)
}

async fn exercise(url: &str) {
    let base = chat_base();
    let store = Store::open(url).await.unwrap();
    assert!(store.ping().await);
    assert_eq!(store.language(base).await.unwrap(), None);
    store.set_language(base, Lang::Kk).await.unwrap();
    store.set_language(base, Lang::Ru).await.unwrap();
    store.set_language(-base, Lang::Kk).await.unwrap();
    store.close().await;

    let store = Store::open(url).await.unwrap();
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
    let dir = tempfile::tempdir().unwrap();
    exercise(&format!(
        "sqlite://{}/nested/prefs.db",
        dir.path().display()
    ))
    .await;
}

/// The server's URL; asking for a PostgreSQL test without one is an error, not a pass.
pub fn postgres_url() -> String {
    std::env::var("QANTAR_TEST_POSTGRES_URL")
        .expect("set QANTAR_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)")
}

#[tokio::test]
#[ignore = "needs PostgreSQL: set QANTAR_TEST_POSTGRES_URL and run with --ignored"]
async fn postgres_keeps_choices_and_counts() {
    exercise(&postgres_url()).await;
}

#[tokio::test]
async fn other_schemes_are_refused() {
    assert!(matches!(
        Store::open("mysql://x").await,
        Err(StoreError::UnsupportedUrl)
    ));
}
