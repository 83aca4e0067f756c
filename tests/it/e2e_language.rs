//! A chat's language choice while its rows are deleted behind the bot's language cache
//! (issue 22): by the sender, when a broadcast finds the chat blocked the bot, and by
//! `qantar-bot purge` run while the bot is up. The bot must not go on answering in a
//! choice the store no longer holds, and the chat's next `/lang` must be kept, across a
//! restart, even when it names the same language.

use std::time::{Duration, Instant};

use qantar_bot::lang::Lang;
use qantar_bot::render::{View, render};
use sqlx::SqlitePool;

use crate::expect::{expected, shown};
use crate::fake_api::{Chat, Fault, From};
use crate::harness::Harness;

/// 1 February 2027: nothing is due.
const QUIET: &str = "2027-02-01T06:00:00Z";
/// 5 January 2027, 09:30 in Almaty: that day's message is due.
const JAN5_0930: &str = "2027-01-05T04:30:00Z";

/// A private chat whose Telegram speaks English and which chooses Kazakh, so whether
/// its choice is held shows in every answer.
struct Reader {
    chat: Chat,
    from: From,
}

impl Reader {
    fn new(id: i64) -> Reader {
        Reader {
            chat: Chat::Private(id),
            from: From {
                user_id: id,
                language_code: Some("en"),
            },
        }
    }
}

/// Sends `text` and checks the answer is `view` in `lang`.
async fn answered(h: &Harness, r: &Reader, text: &str, lang: Lang, view: View) {
    let before = h.api.sent_to(r.chat.id()).len();
    h.api.send_text(r.chat, &r.from, text);
    let want = expected(&render(&h.catalog, lang, &view));
    let got = h.api.wait_sent(r.chat.id(), before + want.len()).await;
    assert_eq!(
        shown(&got[before..]),
        want,
        "after {text:?}, in {lang:?}\n{}",
        h.bot.log_text()
    );
}

/// Stops the bot as systemd would and starts it again with the clock at `now`.
fn restart_at(h: &mut Harness, now: &str) {
    let status = h.bot.terminate();
    assert!(status.success(), "SIGTERM exits 0:\n{}", h.bot.log_text());
    h.respawn_with(&[("QANTAR_TEST_NOW", now.to_string())]);
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

/// The chat chooses Kazakh again (the same language as before its rows went), is
/// answered in it, and still is after a restart.
async fn chooses_again_and_keeps_it(h: &mut Harness, r: &Reader) {
    answered(h, r, "/lang kk", Lang::Kk, View::LangChanged).await;
    restart_at(h, QUIET);
    answered(h, r, "/help", Lang::Kk, View::Help).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_removed_by_a_broadcast_is_a_newcomer_and_its_next_choice_is_kept() {
    let mut h = Harness::builder()
        .env("QANTAR_TEST_NOW", QUIET)
        .start()
        .await;
    let r = Reader::new(7_710_000_001);
    answered(&h, &r, "/lang kk", Lang::Kk, View::LangChanged).await;
    answered(&h, &r, "/subscribe", Lang::Kk, View::Subscribed).await;
    // Its day's message finds it has blocked the bot: the sender deletes its rows,
    // while the bot's language cache, loaded whole at start, holds its choice.
    h.api
        .inject("sendPhoto", Some(r.chat.id()), 1, Fault::blocked());
    restart_at(&mut h, JAN5_0930);
    let url = h.db_url();
    let deadline = Instant::now() + Duration::from_secs(20);
    while rows(&url, "chat_lang").await + rows(&url, "subscription").await > 0 {
        assert!(
            Instant::now() < deadline,
            "the blocked chat's rows are still there\n{}",
            h.bot.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Back, it is answered as a newcomer: in its Telegram's language.
    answered(&h, &r, "/help", Lang::En, View::Help).await;
    chooses_again_and_keeps_it(&mut h, &r).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_by_another_process_leaves_no_choice_behind_and_the_next_is_kept() {
    let mut h = Harness::builder()
        .env("QANTAR_TEST_NOW", QUIET)
        .start()
        .await;
    let r = Reader::new(7_720_000_001);
    answered(&h, &r, "/lang kk", Lang::Kk, View::LangChanged).await;
    answered(&h, &r, "/help", Lang::Kk, View::Help).await;

    let purged = h.run_subcommand(&["purge", "--yes"], &[], "");
    assert!(
        purged.status.success(),
        "{}",
        String::from_utf8_lossy(&purged.stderr)
    );
    assert_eq!(rows(&h.db_url(), "chat_lang").await, 0);
    // The bot notices another process's purge within a second.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    answered(&h, &r, "/help", Lang::En, View::Help).await;
    chooses_again_and_keeps_it(&mut h, &r).await;
}
