//! Protecting readers (issue 17), end to end: what a copied database, a restart with the
//! same or another data key, `rekey`, `purge`, `/purge`, group subscriptions and a chat
//! that blocked the bot leave behind, seen from outside the process.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use qantar_bot::i18n::Msg;
use qantar_bot::lang::Lang;
use qantar_bot::render::{View, render};
use qantar_bot::store::DataKey;
use qantar_bot::store::key_source::encode;
use serde_json::json;
use sqlx::{Row, SqlitePool};

use crate::expect::{expected, shown};
use crate::fake_api::{Chat, Fault, From};
use crate::harness::Harness;
use crate::pg::PgDatabase;
use crate::process::{BotProcess, TEST_DATA_KEY};

/// What the bot answers to a start under a key the store was not written with.
const WRONG_KEY: &str = "the data key does not match the one this database was written with";

/// A chat of the test: where it writes, who writes, the language it chooses (never the
/// one Telegram reports for the sender, so a saved choice shows in every answer), and
/// whether it subscribes.
#[derive(Clone)]
struct Reader {
    chat: Chat,
    from: From,
    lang: Lang,
    subscribes: bool,
}

impl Reader {
    fn private(id: i64, telegram: &'static str, lang: Lang, subscribes: bool) -> Reader {
        Reader {
            chat: Chat::Private(id),
            from: From {
                user_id: id,
                language_code: Some(telegram),
            },
            lang,
            subscribes,
        }
    }

    fn group(id: i64, user: i64, telegram: &'static str, lang: Lang, subscribes: bool) -> Reader {
        Reader {
            chat: Chat::Group(id),
            from: From {
                user_id: user,
                language_code: Some(telegram),
            },
            lang,
            subscribes,
        }
    }

    fn id(&self) -> i64 {
        self.chat.id()
    }
}

/// Group admins, for the fake's getChatMember.
const GROUP_ADMIN: i64 = 5_987_654_321;

/// Distinctive ids, beyond 32 bits (as real private chats and supergroups are), so
/// their encodings cannot turn up in a file by chance.
fn readers() -> Vec<Reader> {
    vec![
        Reader::private(7_123_456_789, "en", Lang::Kk, true),
        Reader::private(7_234_567_891, "kk", Lang::Ru, true),
        Reader::private(6_987_654_321, "ru", Lang::En, false),
        Reader::group(-1_001_987_654_321, GROUP_ADMIN, "en", Lang::Ru, true),
        Reader::group(-1_002_345_678_912, 5_876_543_219, "ru", Lang::Kk, false),
    ]
}

/// Every id the store must not hold: the chats' and their senders'.
fn ids(readers: &[Reader]) -> Vec<i64> {
    let mut ids: Vec<i64> = readers
        .iter()
        .flat_map(|r| [r.id(), r.from.user_id])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Sends `texts` in the reader's chat and checks the answers are `views`, in its language.
async fn exchange(h: &Harness, r: &Reader, lang: Lang, texts: &[&str], views: &[View]) {
    let before = h.api.sent_to(r.id()).len();
    for text in texts {
        h.api.send_text(r.chat, &r.from, text);
    }
    let want: Vec<_> = views
        .iter()
        .flat_map(|v| expected(&render(&h.catalog, lang, v)))
        .collect();
    let got = h.api.wait_sent(r.id(), before + want.len()).await;
    assert_eq!(
        shown(&got[before..]),
        want,
        "chat {} after {texts:?}",
        r.id()
    );
}

/// Each reader chooses its language, and subscribes if it does.
async fn choose_and_subscribe(h: &Harness, readers: &[Reader]) {
    h.api.set_chat_admins(&[GROUP_ADMIN]);
    for r in readers {
        let choose = format!("/lang {}", r.lang.code());
        if r.subscribes {
            exchange(
                h,
                r,
                r.lang,
                &[&choose, "/subscribe"],
                &[View::LangChanged, View::Subscribed],
            )
            .await;
        } else {
            exchange(h, r, r.lang, &[&choose], &[View::LangChanged]).await;
        }
    }
}

/// Each reader is answered in its chosen language, and a subscribed one is told it
/// already is.
async fn served_as_chosen(h: &Harness, readers: &[Reader]) {
    for r in readers {
        if r.subscribes {
            exchange(
                h,
                r,
                r.lang,
                &["/help", "/subscribe"],
                &[View::Help, View::SubscribedAlready],
            )
            .await;
        } else {
            exchange(h, r, r.lang, &["/help"], &[View::Help]).await;
        }
    }
}

fn stop(h: &mut Harness) {
    let status = h.bot.terminate();
    assert!(status.success(), "SIGTERM exits 0:\n{}", h.bot.log_text());
}

/// Waits for a bot that must refuse to start; returns its log (stderr).
fn refused(bot: &mut BotProcess) -> String {
    let status = bot.wait(Duration::from_secs(15));
    let log = bot.log_text();
    assert!(!status.success(), "a wrong key is refused:\n{log}");
    log
}

// ---- Looking into the store from outside ----

/// The byte strings that would give `id` away: its decimal digits, its 8-byte big- and
/// little-endian forms, and the 6-byte big-endian form SQLite's records use for integers
/// of this size.
fn needles(id: i64) -> Vec<(String, Vec<u8>)> {
    let be = id.to_be_bytes();
    vec![
        (
            format!("{id} as text"),
            id.unsigned_abs().to_string().into_bytes(),
        ),
        (format!("{id} as i64 BE"), be.to_vec()),
        (format!("{id} as i64 LE"), id.to_le_bytes().to_vec()),
        (format!("{id} as 48-bit BE"), be[2..].to_vec()),
    ]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The database file and whatever SQLite keeps beside it.
fn store_files(db: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let path = PathBuf::from(format!("{}{suffix}", db.display()));
        if let Ok(bytes) = std::fs::read(&path) {
            files.push((path, bytes));
        }
    }
    assert!(
        files.first().is_some_and(|(p, b)| p == db && !b.is_empty()),
        "the database file is there"
    );
    files
}

/// Asserts that no file of the store holds any of `ids` in any of its encodings.
fn no_id_in_files(db: &Path, ids: &[i64]) {
    for (path, bytes) in store_files(db) {
        for id in ids {
            for (what, needle) in needles(*id) {
                assert!(
                    !contains(&bytes, &needle),
                    "{} holds {what}",
                    path.display()
                );
            }
        }
    }
}

fn in_files(db: &Path, needle: &[u8]) -> bool {
    store_files(db)
        .iter()
        .any(|(_, bytes)| contains(bytes, needle))
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

/// One stored value, as SQL gives it.
#[derive(Debug)]
enum Value {
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// Asserts that `value` (in `place`) is none of `ids`, as an integer, as text, or inside
/// a blob in any encoding.
fn no_id_in_value(place: &str, value: &Value, ids: &[i64]) {
    for id in ids {
        let digits = id.unsigned_abs().to_string();
        match value {
            Value::Integer(n) => assert!(n != id && *n != -id, "{place}: {n} is an id"),
            Value::Real(x) => assert!(x.abs() != id.abs() as f64, "{place}: {x} is an id"),
            Value::Text(t) => assert!(!t.contains(&digits), "{place}: {t:?} holds {id}"),
            Value::Blob(b) => {
                for (what, needle) in needles(*id) {
                    assert!(!contains(b, &needle), "{place}: a blob holds {what}");
                }
            }
        }
    }
}

/// Every non-null value of every column of every row of every table in a SQLite store,
/// with where it is (`table.column`); and the row count of each table.
async fn sqlite_values(url: &str) -> (Vec<(String, Value)>, Vec<(String, i64)>) {
    let db = SqlitePool::connect(url).await.unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&db)
            .await
            .unwrap();
    let mut values = Vec::new();
    let mut counts = Vec::new();
    for table in &tables {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .fetch_one(&db)
            .await
            .unwrap();
        counts.push((table.clone(), rows));
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
            .bind(table)
            .fetch_all(&db)
            .await
            .unwrap();
        assert!(!columns.is_empty(), "{table} has columns");
        for column in &columns {
            let rows = sqlx::query(&format!(
                "SELECT typeof(\"{column}\"), quote(\"{column}\"), hex(\"{column}\") FROM \"{table}\""
            ))
            .fetch_all(&db)
            .await
            .unwrap();
            for row in rows {
                let kind: String = row.get(0);
                let quoted: String = row.get(1);
                let hex: String = row.get(2);
                let value = match kind.as_str() {
                    "null" => continue,
                    "integer" => Value::Integer(quoted.parse().unwrap()),
                    "real" => Value::Real(quoted.parse().unwrap()),
                    // hex() of a text is its UTF-8 bytes.
                    "text" => Value::Text(String::from_utf8(unhex(&hex)).unwrap()),
                    "blob" => Value::Blob(unhex(&hex)),
                    other => panic!("unknown storage class {other}"),
                };
                values.push((format!("{table}.{column}"), value));
            }
        }
    }
    db.close().await;
    (values, counts)
}

fn count_of(counts: &[(String, i64)], table: &str) -> i64 {
    counts
        .iter()
        .find(|(t, _)| t == table)
        .map(|(_, n)| *n)
        .unwrap_or_else(|| panic!("no table {table}"))
}

async fn rows(url: &str, table: &str) -> i64 {
    let db = SqlitePool::connect(url).await.unwrap();
    let n = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&db)
        .await
        .unwrap();
    db.close().await;
    n
}

/// Every `chat_key` of the per-chat tables.
async fn chat_keys(url: &str) -> Vec<Vec<u8>> {
    let db = SqlitePool::connect(url).await.unwrap();
    let keys = sqlx::query_scalar(
        "SELECT chat_key FROM chat_lang UNION ALL SELECT chat_key FROM subscription",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    db.close().await;
    keys
}

fn subscribers(readers: &[Reader]) -> i64 {
    readers.iter().filter(|r| r.subscribes).count() as i64
}

// ---- The tests ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_database_names_no_one() {
    let mut h = Harness::start().await;
    let readers = readers();
    choose_and_subscribe(&h, &readers).await;
    stop(&mut h);
    let ids = ids(&readers);

    // The raw bytes first, as the bot left them.
    no_id_in_files(&h.db_path(), &ids);
    let keys = chat_keys(&h.db_url()).await;
    assert_eq!(
        keys.len() as i64,
        readers.len() as i64 + subscribers(&readers)
    );
    for key in &keys {
        assert!(
            in_files(&h.db_path(), key),
            "the scan reads what is stored: a chat's lookup hash is in the file"
        );
    }

    // Then every value of every table, as SQL gives it.
    let (values, counts) = sqlite_values(&h.db_url()).await;
    assert_eq!(count_of(&counts, "chat_lang"), readers.len() as i64);
    assert_eq!(count_of(&counts, "subscription"), subscribers(&readers));
    assert!(values.iter().any(|(place, _)| place == "chat_lang.lang"));
    for (place, value) in &values {
        no_id_in_value(place, value, &ids);
    }

    // Neither does the bot's log name them.
    let log = h.bot.log_text();
    for id in &ids {
        assert!(
            !log.contains(&id.unsigned_abs().to_string()),
            "the log names {id}:\n{log}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choices_and_subscriptions_survive_a_restart_with_the_same_key() {
    let mut h = Harness::start().await;
    let readers = readers();
    choose_and_subscribe(&h, &readers).await;
    stop(&mut h);
    h.respawn();
    served_as_chosen(&h, &readers).await;
    // A chat that had not subscribed can still: the answer is not stuck on "already".
    exchange(
        &h,
        &readers[2],
        Lang::En,
        &["/subscribe"],
        &[View::Subscribed],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_key_is_refused_with_one_sentence() {
    let mut h = Harness::start().await;
    let readers = readers();
    choose_and_subscribe(&h, &readers).await;
    stop(&mut h);
    let key_file = PathBuf::from(format!("{}.key", h.db_path().display()));
    assert!(
        key_file.exists(),
        "a first run makes a key file beside the database"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is private");
    }

    let started = Instant::now();
    h.respawn_with(&[("QANTAR_DATA_KEY", encode(&[7; 32]))]);
    let log = refused(&mut h.bot);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "refused at once"
    );
    assert!(log.contains(WRONG_KEY), "the sentence:\n{log}");
    assert_eq!(
        log.matches(WRONG_KEY).count(),
        1,
        "said once, not as a stream of errors:\n{log}"
    );

    // Nothing was changed by the refused start.
    h.respawn();
    served_as_chosen(&h, &readers).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rekey_interrupted_and_run_again() {
    let mut h = Harness::start().await;
    let readers = readers();
    choose_and_subscribe(&h, &readers).await;
    stop(&mut h);
    let old_keys = chat_keys(&h.db_url()).await;

    let new_key = DataKey::generate().unwrap();
    let new_key_file = h.dir.path().join("new.key");
    std::fs::write(&new_key_file, format!("{}\n", encode(&new_key))).unwrap();
    let new_key_file = new_key_file.display().to_string();
    let rekey = ["rekey", "--new-key-file", new_key_file.as_str()];

    // A subscription whose sealed id opens under no key: rekey moves chat_lang, then
    // fails on subscription, as an interrupted run would leave it.
    let bogus = DataKey::generate().unwrap();
    let db = SqlitePool::connect(&h.db_url()).await.unwrap();
    sqlx::query(
        "INSERT INTO subscription (chat_key, chat_sealed, lang, since) VALUES (?, ?, 'en', '2024-01-06')",
    )
    .bind(bogus.as_slice())
    .bind(vec![0xAB_u8; 48])
    .execute(&db)
    .await
    .unwrap();
    db.close().await;
    let first = h.run_subcommand(&rekey, &[], "");
    let (out, err) = (
        String::from_utf8_lossy(&first.stdout),
        String::from_utf8_lossy(&first.stderr),
    );
    assert!(
        !first.status.success(),
        "the first run fails part-way:\n{out}\n{err}"
    );
    assert!(!out.contains("done"), "{out}");

    // Half moved: the bot refuses the old key rather than serve as if no one had chosen.
    h.respawn();
    let log = refused(&mut h.bot);
    assert!(log.contains(WRONG_KEY), "{log}");

    let db = SqlitePool::connect(&h.db_url()).await.unwrap();
    let gone = sqlx::query("DELETE FROM subscription WHERE chat_key = ?")
        .bind(bogus.as_slice())
        .execute(&db)
        .await
        .unwrap()
        .rows_affected();
    db.close().await;
    assert_eq!(gone, 1);

    let second = h.run_subcommand(&rekey, &[], "");
    let (out, err) = (
        String::from_utf8_lossy(&second.stdout),
        String::from_utf8_lossy(&second.stderr),
    );
    assert!(second.status.success(), "run again, it ends:\n{out}\n{err}");
    assert!(
        out.contains("chat_lang: already under the new key"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "subscription: {} rows moved to the new key",
            subscribers(&readers)
        )),
        "{out}"
    );
    // The old lookup hashes are gone from the files too.
    assert_eq!(
        old_keys.len() as i64,
        readers.len() as i64 + subscribers(&readers)
    );
    for key in &old_keys {
        assert!(!in_files(&h.db_path(), key), "an old lookup hash is left");
    }

    // The old key (still the file beside the database) is refused…
    h.respawn();
    let log = refused(&mut h.bot);
    assert!(log.contains(WRONG_KEY), "{log}");
    // …and the new one serves every chat as it chose.
    h.respawn_with(&[("QANTAR_DATA_KEY_FILE", new_key_file.clone())]);
    served_as_chosen(&h, &readers).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_leaves_no_per_chat_rows_and_no_bytes() {
    let mut h = Harness::start().await;
    let readers = readers();
    choose_and_subscribe(&h, &readers).await;
    stop(&mut h);
    let url = h.db_url();
    let keys = chat_keys(&url).await;
    let per_chat = readers.len() as i64 + subscribers(&readers);
    assert_eq!(keys.len() as i64, per_chat);
    for key in &keys {
        assert!(
            in_files(&h.db_path(), key),
            "before the purge the hashes are there"
        );
    }
    let usage = rows(&url, "usage_daily").await;
    assert!(usage > 0, "usage was flushed on stop");

    let declined = h.run_subcommand(&["purge"], &[], "no\n");
    let out = String::from_utf8_lossy(&declined.stdout);
    assert!(!declined.status.success(), "{out}");
    assert!(out.contains("Type yes to go on"), "it asks: {out}");
    assert!(out.contains("nothing deleted"), "{out}");
    assert_eq!(chat_keys(&url).await.len() as i64, per_chat, "no means no");

    let purged = h.run_subcommand(&["purge", "--yes"], &[], "");
    let (out, err) = (
        String::from_utf8_lossy(&purged.stdout),
        String::from_utf8_lossy(&purged.stderr),
    );
    assert!(purged.status.success(), "{out}\n{err}");
    for line in [
        format!("chat_lang: {} rows deleted", readers.len()),
        format!("subscription: {} rows deleted", subscribers(&readers)),
        format!("purged {per_chat} per-chat rows"),
    ] {
        assert!(out.contains(&line), "missing {line:?}:\n{out}");
    }

    assert_eq!(rows(&url, "chat_lang").await, 0);
    assert_eq!(rows(&url, "subscription").await, 0);
    assert_eq!(rows(&url, "usage_daily").await, usage, "usage counts stay");
    for key in &keys {
        assert!(!in_files(&h.db_path(), key), "a purged lookup hash is left");
    }
    no_id_in_files(&h.db_path(), &ids(&readers));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_purge_needs_the_confirm_button() {
    const ADMIN: i64 = 7_345_678_912;
    let h = Harness::builder()
        .env("QANTAR_ADMINS", ADMIN.to_string())
        .start()
        .await;
    let readers = readers();
    choose_and_subscribe(&h, &readers).await;
    let url = h.db_url();
    let per_chat = readers.len() as i64 + subscribers(&readers);
    let stored = || async { rows(&url, "chat_lang").await + rows(&url, "subscription").await };
    assert_eq!(stored().await, per_chat);

    let admin = Reader::private(ADMIN, "en", Lang::En, false);
    let confirm_view = |h: &Harness| expected(&render(&h.catalog, Lang::En, &View::PurgeConfirm));
    exchange(&h, &admin, Lang::En, &["/purge"], &[View::PurgeConfirm]).await;
    let buttons: Vec<_> = confirm_view(&h)[0].keyboard["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().clone())
        .map(|b| b["callback_data"].clone())
        .collect();
    assert_eq!(buttons, [json!("1:x:y"), json!("1:x:n")]);
    let confirm = h.api.sent_message_id(ADMIN, 0);

    let edited = |message: i64| {
        h.api
            .calls("editMessageText")
            .into_iter()
            .filter(|c| c.body["message_id"].as_i64() == Some(message))
            .map(|c| c.body["text"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };

    // Someone else's Confirm is out of date to them, and deletes nothing.
    let outsider = &readers[0];
    let press = h.api.press(outsider.chat, &outsider.from, confirm, "1:x:y");
    let answer = h
        .api
        .wait_until(|api| {
            api.calls("answerCallbackQuery")
                .into_iter()
                .find(|c| c.body["callback_query_id"] == json!(press))
        })
        .await
        .expect("the press is answered");
    assert_eq!(
        answer.body["text"],
        json!(
            h.catalog
                .locales
                .text(outsider.lang, Msg::CallbackStale, None)
        )
    );
    assert_eq!(
        stored().await,
        per_chat,
        "an outsider's press deletes nothing"
    );

    // The admin's Cancel deletes nothing.
    h.api
        .press(Chat::Private(ADMIN), &admin.from, confirm, "1:x:n");
    let cancelled = h
        .api
        .wait_until(|_| edited(confirm).first().cloned())
        .await
        .expect("the message is edited");
    assert_eq!(
        cancelled,
        expected(&render(&h.catalog, Lang::En, &View::PurgeCancelled))[0].text
    );
    assert_eq!(stored().await, per_chat, "Cancel deletes nothing");

    // Asked again and confirmed, it purges.
    exchange(&h, &admin, Lang::En, &["/purge"], &[View::PurgeConfirm]).await;
    let confirm = h.api.sent_message_id(ADMIN, 1);
    h.api
        .press(Chat::Private(ADMIN), &admin.from, confirm, "1:x:y");
    let done = h
        .api
        .wait_until(|_| edited(confirm).first().cloned())
        .await
        .expect("the message is edited");
    assert_eq!(
        done,
        expected(&render(
            &h.catalog,
            Lang::En,
            &View::Purged(per_chat as u64)
        ))[0]
            .text
    );
    assert_eq!(rows(&url, "chat_lang").await, 0);
    assert_eq!(rows(&url, "subscription").await, 0);

    // The readers are newcomers again: answered in Telegram's language.
    let first = &readers[0];
    exchange(&h, first, Lang::En, &["/help"], &[View::Help]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_subscription_is_for_admins_only() {
    let h = Harness::start().await;
    const GROUP: i64 = -1_003_456_789_123;
    const ADMIN: i64 = 5_111_222_333;
    const MEMBER: i64 = 5_444_555_666;
    h.api.set_chat_admins(&[ADMIN]);
    let member = Reader::group(GROUP, MEMBER, "ru", Lang::Ru, false);
    let admin = Reader::group(GROUP, ADMIN, "ru", Lang::Ru, true);
    let url = h.db_url();

    exchange(
        &h,
        &member,
        Lang::Ru,
        &["/subscribe"],
        &[View::SubscribeAdminsOnly],
    )
    .await;
    assert_eq!(rows(&url, "subscription").await, 0, "nothing stored");
    let asked = h.api.calls("getChatMember");
    assert!(
        asked
            .iter()
            .any(|c| c.body["chat_id"] == json!(GROUP) && c.body["user_id"] == json!(MEMBER)),
        "Telegram is asked who the sender is: {asked:?}"
    );

    exchange(&h, &admin, Lang::Ru, &["/subscribe"], &[View::Subscribed]).await;
    assert_eq!(rows(&url, "subscription").await, 1);

    // Nor can a member end it.
    exchange(
        &h,
        &member,
        Lang::Ru,
        &["/unsubscribe"],
        &[View::SubscribeAdminsOnly],
    )
    .await;
    assert_eq!(rows(&url, "subscription").await, 1);
    exchange(
        &h,
        &admin,
        Lang::Ru,
        &["/subscribe"],
        &[View::SubscribedAlready],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_chat_is_deleted_not_kept() {
    let h = Harness::start().await;
    let readers = readers();
    let (gone, stays) = (&readers[0], &readers[1]);
    choose_and_subscribe(&h, &[gone.clone(), stays.clone()]).await;
    let url = h.db_url();
    assert_eq!(rows(&url, "chat_lang").await, 2);
    assert_eq!(rows(&url, "subscription").await, 2);

    h.api
        .inject("sendMessage", Some(gone.id()), 1, Fault::blocked());
    h.api.send_text(gone.chat, &gone.from, "/help");
    h.api
        .wait_until(|api| {
            api.sent_to(gone.id())
                .iter()
                .any(|c| c.faulted)
                .then_some(())
        })
        .await
        .expect("the bot tried to answer");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = (
            rows(&url, "chat_lang").await,
            rows(&url, "subscription").await,
        );
        if left == (1, 1) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the blocked chat's rows are still there: {left:?}\n{}",
            h.bot.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let db = SqlitePool::connect(&url).await.unwrap();
    let removed: i64 = sqlx::query_scalar(
        "SELECT count FROM anonymous_total WHERE name = 'chats_removed_unreachable'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    db.close().await;
    assert_eq!(removed, 1);

    // The other chat is kept; the blocked one, back, is a newcomer.
    exchange(
        &h,
        stays,
        stays.lang,
        &["/help", "/subscribe"],
        &[View::Help, View::SubscribedAlready],
    )
    .await;
    exchange(
        &h,
        gone,
        Lang::En,
        &["/help", "/subscribe"],
        &[View::Help, View::Subscribed],
    )
    .await;
}

// ---- PostgreSQL ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set QANTAR_TEST_POSTGRES_URL and run with --ignored"]
async fn a_copied_postgres_database_names_no_one() {
    let pg = PgDatabase::create("qantar_priv").await;
    let mut h = Harness::builder()
        .env("DATABASE_URL", pg.url.clone())
        .env("QANTAR_DATA_KEY", TEST_DATA_KEY)
        .start()
        .await;
    let readers = readers();
    choose_and_subscribe(&h, &readers).await;
    stop(&mut h);

    let db = sqlx::PgPool::connect(&pg.url).await.unwrap();
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert!(
        columns
            .iter()
            .any(|(t, c)| t == "chat_lang" && c == "chat_key")
    );
    let ids = ids(&readers);
    let mut seen = 0;
    for (table, column) in &columns {
        // Every value as PostgreSQL prints it: integers in decimal, bytea as \x and hex.
        let values: Vec<Option<String>> =
            sqlx::query_scalar(&format!("SELECT \"{column}\"::text FROM \"{table}\""))
                .fetch_all(&db)
                .await
                .unwrap();
        for text in values.into_iter().flatten() {
            seen += 1;
            let place = format!("{table}.{column}");
            match text.strip_prefix("\\x") {
                Some(hex) => no_id_in_value(&place, &Value::Blob(unhex(hex)), &ids),
                None => no_id_in_value(&place, &Value::Text(text.clone()), &ids),
            }
        }
    }
    for (table, want) in [
        ("chat_lang", readers.len() as i64),
        ("subscription", subscribers(&readers)),
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(n, want, "{table}");
    }
    assert!(seen > 0);
    db.close().await;

    // And the same key serves them after a restart.
    h.respawn();
    served_as_chosen(&h, &readers).await;
    stop(&mut h);
}
