//! Outreach end to end (issue 14), seen from outside the process: subscriptions in every
//! language, "on this day" at the operator's local time under a test clock, the queue
//! under Telegram's 429 and 403, a SIGKILL mid-broadcast, channel posts, the admin's
//! announcements, /broadcasts and /rehearse, and (with PostgreSQL) two replicas handing
//! the sender over.
//!
//! Every bot here starts at a moment with nothing due (`QUIET`), so readers subscribe
//! first; a restart with another `QANTAR_TEST_NOW` then makes a day due. Deliveries are
//! counted by their exact text and buttons, so a reply to a command never counts as one.

use std::time::{Duration, Instant};

use qantar_bot::catalog::Catalog;
use qantar_bot::lang::Lang;
use qantar_bot::outreach::snapshot::version_of;
use qantar_bot::render::{JobProgress, Links, View, render};
use sqlx::SqlitePool;

use crate::catalog::{day, shipped};
use crate::expect::{Shown, expected, shown};
use crate::fake_api::{BOT_USERNAME, Call, Chat, FakeApi, Fault, From, PhotoSent, photo_sent};
use crate::harness::{Builder, Harness};
use crate::pg::PgDatabase;
use crate::process::TEST_DATA_KEY;

/// 1 February 2027: no event of the record is dated to 1 February, so nothing is due.
pub(crate) const QUIET: &str = "2027-02-01T06:00:00Z";
/// 5 January 2027, 09:30 in Almaty (UTC+5): that day's message is due.
pub(crate) const JAN5_0930: &str = "2027-01-05T04:30:00Z";
/// 5 January 2027, 08:30 in Almaty: not yet.
const JAN5_0830: &str = "2027-01-05T03:30:00Z";
/// 2 January 2027, 09:30 in Almaty: another day with events.
const JAN2_0930: &str = "2027-01-02T04:30:00Z";

pub(crate) const ADMIN: i64 = 7_400_000_001;
const OTHER_ADMIN: i64 = 7_400_000_002;
/// The longest `settle` waits for a quiet round: a 2 s poll, a batch in hand and a
/// slow machine.
const SETTLE_LIMIT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub(crate) struct Reader {
    pub(crate) chat: Chat,
    pub(crate) from: From,
    /// The language Telegram reports, and so the one it subscribes in.
    pub(crate) lang: Lang,
}

impl Reader {
    pub(crate) fn private(id: i64, lang: Lang) -> Reader {
        Reader {
            chat: Chat::Private(id),
            from: From {
                user_id: id,
                language_code: Some(lang.code()),
            },
            lang,
        }
    }

    pub(crate) fn id(&self) -> i64 {
        self.chat.id()
    }
}

/// `n` private chats from `base` on, in en, ru, kk by turns.
pub(crate) fn readers(base: i64, n: usize) -> Vec<Reader> {
    (0..n)
        .map(|i| Reader::private(base + i as i64, Lang::ALL[i % 3]))
        .collect()
}

pub(crate) fn admin() -> Reader {
    Reader::private(ADMIN, Lang::En)
}

/// Admins set, nothing due, /metrics served (for `settle`).
pub(crate) fn builder() -> Builder {
    Harness::builder()
        .with_metrics()
        .env("QANTAR_TEST_NOW", QUIET)
        .env("QANTAR_ADMINS", format!("{ADMIN},{OTHER_ADMIN}"))
}

pub(crate) fn reply(h: &Harness, lang: Lang, view: &View) -> Vec<Shown> {
    expected(&render(&h.catalog, lang, view))
}

/// The day's message as a subscriber gets it (one message, with callback buttons).
pub(crate) fn on_this_day(catalog: &Catalog, lang: Lang, date: &str) -> Shown {
    let want = expected(&render(
        catalog,
        lang,
        &View::OnThisDay {
            day: day(date),
            links: Links::Buttons,
        },
    ));
    assert_eq!(want.len(), 1, "a day is one message");
    want.into_iter().next().unwrap()
}

pub(crate) fn announcement(h: &Harness, lang: Lang, id: &str, links: Links) -> Shown {
    let want = reply(
        h,
        lang,
        &View::Announcement {
            id: id.into(),
            links,
        },
    );
    assert_eq!(want.len(), 1, "an announcement is one message");
    want.into_iter().next().unwrap()
}

/// How many times `want` really reached `chat`.
pub(crate) fn received(api: &FakeApi, chat: i64, want: &Shown) -> usize {
    shown(&api.delivered_to(chat))
        .iter()
        .filter(|s| *s == want)
        .count()
}

/// Sends `text` in the reader's chat and checks the answer is `view` in `lang`.
pub(crate) async fn tell(h: &Harness, r: &Reader, text: &str, lang: Lang, view: View) {
    let before = h.api.sent_to(r.id()).len();
    h.api.send_text(r.chat, &r.from, text);
    let want = reply(h, lang, &view);
    let got = h.api.wait_sent(r.id(), before + want.len()).await;
    assert_eq!(
        shown(&got[before..]),
        want,
        "chat {} after {text:?}",
        r.id()
    );
}

/// Every reader (fresh chats) subscribes at once and is told so in its language.
pub(crate) async fn subscribe_all(h: &Harness, readers: &[Reader]) {
    for r in readers {
        h.api.send_text(r.chat, &r.from, "/subscribe");
    }
    for r in readers {
        let got = h.api.wait_sent(r.id(), 1).await;
        assert_eq!(
            shown(&got),
            reply(h, r.lang, &View::Subscribed),
            "chat {}",
            r.id()
        );
    }
}

async fn count(url: &str, sql: &str) -> i64 {
    let db = SqlitePool::connect(url).await.unwrap();
    let n = sqlx::query_scalar(sql).fetch_one(&db).await.unwrap();
    db.close().await;
    n
}

async fn subscriptions(h: &Harness) -> i64 {
    count(&h.db_url(), "SELECT COUNT(*) FROM subscription").await
}

/// Stops the bot as systemd would and starts it again with the clock at `now`.
pub(crate) fn restart_at(h: &mut Harness, now: &str) {
    let status = h.bot.terminate();
    assert!(status.success(), "SIGTERM exits 0:\n{}", h.bot.log_text());
    h.respawn_with(&[("QANTAR_TEST_NOW", now.to_string())]);
}

/// Waits until the sender has begun a round after this call and ended it quiet: it
/// looked at the day, the pause and the queue, sent nothing, and had nothing left in
/// flight. What it had not sent by then it was not going to send, so a test may now
/// assert that something did not happen. Needs `Builder::with_metrics`.
pub(crate) async fn settle(h: &Harness) {
    let addr = h
        .metrics_addr()
        .expect("settle needs Builder::with_metrics");
    settle_at(addr, || h.bot.log_text()).await;
}

/// `settle` for a bot listening on `addr`; `log` for the message of a timeout.
pub(crate) async fn settle_at(addr: std::net::SocketAddr, log: impl Fn() -> String) {
    // A bot not listening yet has just started: none of its rounds began before now.
    let began = sender_rounds(addr).await.map_or(0, |(began, _)| began);
    let deadline = Instant::now() + SETTLE_LIMIT;
    loop {
        if sender_rounds(addr)
            .await
            .is_some_and(|(_, quiet)| quiet > began)
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the sender had no quiet round after round {began}\n{}",
            log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The sender's rounds begun and its latest quiet one, from /metrics; `None` while the
/// bot does not answer there.
async fn sender_rounds(addr: std::net::SocketAddr) -> Option<(u64, u64)> {
    let text = tokio::task::spawn_blocking(move || {
        // A refused connection is a bot still starting; anything else is a failure.
        std::net::TcpStream::connect(addr).ok()?;
        Some(crate::e2e_ops::http(addr, "GET", "/metrics", &[], "").1)
    })
    .await
    .unwrap()?;
    let value = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /metrics:\n{text}"))
    };
    Some((
        value("qantar_outreach_sender_rounds_total"),
        value("qantar_outreach_sender_quiet_round"),
    ))
}

/// Waits until every reader has received `want(reader)` at least once.
pub(crate) async fn wait_everyone(
    h: &Harness,
    readers: &[Reader],
    want: impl Fn(&Reader) -> Shown,
    limit: Duration,
) {
    let wants: Vec<(i64, Shown)> = readers.iter().map(|r| (r.id(), want(r))).collect();
    let all = h
        .api
        .wait_up_to(limit, |api| {
            wants
                .iter()
                .all(|(chat, w)| received(api, *chat, w) >= 1)
                .then_some(())
        })
        .await;
    if all.is_none() {
        let missing: Vec<i64> = wants
            .iter()
            .filter(|(chat, w)| received(&h.api, *chat, w) == 0)
            .map(|(chat, _)| *chat)
            .collect();
        panic!(
            "{} of {} chats never got it: {missing:?}\n{}",
            missing.len(),
            wants.len(),
            h.bot.log_text()
        );
    }
}

/// How many times each reader received `want(reader)`.
pub(crate) fn tally(
    h: &Harness,
    readers: &[Reader],
    want: impl Fn(&Reader) -> Shown,
) -> Vec<usize> {
    readers
        .iter()
        .map(|r| received(&h.api, r.id(), &want(r)))
        .collect()
}

/// The fingerprint a preview of the announcement shows now, with channels in `langs`.
pub(crate) fn version(h: &Harness, langs: &[Lang]) -> String {
    version_of(
        &h.catalog,
        &format!("announce:{ANNOUNCEMENT}"),
        langs,
        BOT_USERNAME,
    )
    .expect("the announcement renders")
}

/// A finished job as /broadcasts shows it (no rate, no ETA, no Cancel).
pub(crate) fn finished(job: &str, sent: i64, blocked: i64) -> JobProgress {
    JobProgress {
        job: job.into(),
        total: sent + blocked,
        sent,
        pending: 0,
        blocked,
        failed: 0,
        cancelled_count: 0,
        per_second: 0.0,
        eta_seconds: None,
        cancelled: false,
        scheduled_for: None,
    }
}

/// Button presses' edits of the bot's message `message`, in order.
pub(crate) fn edits(api: &FakeApi, chat: i64, message: i64) -> Vec<Shown> {
    let calls: Vec<Call> = api
        .calls("editMessageText")
        .into_iter()
        .filter(|c| {
            c.body["chat_id"].as_i64() == Some(chat)
                && c.body["message_id"].as_i64() == Some(message)
        })
        .collect();
    shown(&calls)
}

/// Presses `data` under the bot's message `message` in the admin's chat; waits for the
/// message to be edited once more and returns the new content.
pub(crate) async fn press(h: &Harness, who: &Reader, message: i64, data: &str) -> Shown {
    let before = edits(&h.api, who.id(), message).len();
    h.api.press(who.chat, &who.from, message, data);
    h.api
        .wait_until(|api| edits(api, who.id(), message).get(before).cloned())
        .await
        .unwrap_or_else(|| panic!("pressing {data:?} edited nothing\n{}", h.bot.log_text()))
}

/// Presses the first event button under the last message `reader` got with one (the
/// day's message or an announcement, as text) and checks the event came in a new
/// message, in `lang`, while the message pressed stayed as it was, for its other
/// buttons.
async fn open_event_apart(h: &Harness, reader: &Reader, lang: Lang) {
    let got = h.api.delivered_to(reader.id());
    let (index, data) = got
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, call)| {
            call.body["reply_markup"]["inline_keyboard"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|row| row.as_array().cloned().unwrap_or_default())
                .filter_map(|b| b["callback_data"].as_str().map(str::to_string))
                .find(|d| d.starts_with("1:n:e:"))
                .map(|d| (i, d))
        })
        .expect("a message that opens an event apart");
    assert_eq!(got[index].method, "sendmessage", "pressed under a text");
    let pressed = h.api.sent_message_id(reader.id(), index);
    let event = data.strip_prefix("1:n:e:").unwrap().to_string();
    h.api.press(reader.chat, &reader.from, pressed, &data);
    let after = h.api.wait_sent(reader.id(), got.len() + 1).await;
    assert_eq!(
        shown(&after[got.len()..]),
        reply(h, lang, &View::Event(event)),
        "the event, in a message of its own"
    );
    for method in ["editMessageText", "editMessageCaption", "editMessageMedia"] {
        assert!(
            h.api
                .calls(method)
                .iter()
                .all(|c| c.body["message_id"].as_i64() != Some(pressed)),
            "the message pressed was replaced by {method}"
        );
    }
}

// ---- Subscribing ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_and_unsubscribe_in_each_language() {
    let h = builder().start().await;
    for (i, lang) in Lang::ALL.into_iter().enumerate() {
        let r = Reader::private(7_410_000_000 + i as i64, lang);
        tell(&h, &r, "/subscribe", lang, View::Subscribed).await;
        assert_eq!(subscriptions(&h).await, 1, "{lang}");
        tell(&h, &r, "/subscribe", lang, View::SubscribedAlready).await;
        tell(&h, &r, "/unsubscribe", lang, View::Unsubscribed).await;
        assert_eq!(subscriptions(&h).await, 0, "{lang}");
        tell(&h, &r, "/unsubscribe", lang, View::NotSubscribed).await;
    }
    // The replies differ by language: none of them is the English one in disguise.
    let en = reply(&h, Lang::En, &View::Subscribed);
    assert_ne!(en, reply(&h, Lang::Ru, &View::Subscribed));
    assert_ne!(en, reply(&h, Lang::Kk, &View::Subscribed));
}

/// That a member can neither subscribe nor unsubscribe a group is e2e_privacy's
/// `group_subscription_is_for_admins_only`; here, what the group then notices: a
/// member's /unsubscribe leaves its deliveries alone, and its admin's ends them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_unsubscribe_leaves_the_group_subscribed() {
    let catalog = shipped();
    const GROUP: i64 = -1_007_410_000_001;
    const GROUP_ADMIN: i64 = 5_741_000_001;
    const MEMBER: i64 = 5_741_000_002;
    let mut h = builder().start().await;
    h.api.set_chat_admins(&[GROUP_ADMIN]);
    let as_who = |user| Reader {
        chat: Chat::Group(GROUP),
        from: From {
            user_id: user,
            language_code: Some("ru"),
        },
        lang: Lang::Ru,
    };
    let (admin, member) = (as_who(GROUP_ADMIN), as_who(MEMBER));
    tell(&h, &admin, "/subscribe", Lang::Ru, View::Subscribed).await;
    tell(
        &h,
        &member,
        "/unsubscribe",
        Lang::Ru,
        View::SubscribeAdminsOnly,
    )
    .await;
    assert_eq!(subscriptions(&h).await, 1);

    restart_at(&mut h, JAN5_0930);
    let group = [admin.clone()];
    wait_everyone(
        &h,
        &group,
        |_| on_this_day(&catalog, Lang::Ru, "2027-01-05"),
        Duration::from_secs(20),
    )
    .await;

    tell(&h, &admin, "/unsubscribe", Lang::Ru, View::Unsubscribed).await;
    assert_eq!(subscriptions(&h).await, 0);
    tell(
        &h,
        &member,
        "/subscribe",
        Lang::Ru,
        View::SubscribeAdminsOnly,
    )
    .await;
    assert_eq!(subscriptions(&h).await, 0);
}

// ---- On this day ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_this_day_goes_out_once_at_nine_local_time() {
    let catalog = shipped();
    let mut h = builder().start().await;
    let readers = readers(7_420_000_000, 6);
    subscribe_all(&h, &readers).await;
    // One chooses another language after subscribing: it gets the day in that one.
    let changer = &readers[0];
    assert_eq!(changer.lang, Lang::En);
    tell(&h, changer, "/lang kk", Lang::Kk, View::LangChanged).await;
    let lang_now = |r: &Reader| {
        if r.id() == changer.id() {
            Lang::Kk
        } else {
            r.lang
        }
    };
    let today = |r: &Reader| on_this_day(&catalog, lang_now(r), "2027-01-05");

    // 08:30 in Almaty: not yet, however long the sender looks.
    restart_at(&mut h, JAN5_0830);
    settle(&h).await;
    assert_eq!(tally(&h, &readers, today), vec![0; readers.len()]);
    assert!(
        !h.bot.log_text().contains("queued day:"),
        "{}",
        h.bot.log_text()
    );

    // 09:30: each subscriber gets that day's message once, in its language of now.
    restart_at(&mut h, JAN5_0930);
    wait_everyone(&h, &readers, today, Duration::from_secs(20)).await;
    settle(&h).await;
    assert_eq!(tally(&h, &readers, today), vec![1; readers.len()]);
    assert!(h.bot.log_text().contains("queued day:2027-01-05"));
    // As photos of that day's map: one upload per language, then its file_id.
    let mut uploads = Vec::new();
    for r in &readers {
        let photos: Vec<Call> = h
            .api
            .delivered_to(r.id())
            .into_iter()
            .filter(|c| c.method == "sendphoto")
            .collect();
        assert_eq!(photos.len(), 1, "chat {}", r.id());
        if photo_sent(&photos[0].body, &photos[0].body["photo"]) == PhotoSent::Upload {
            uploads.push(lang_now(r));
        }
    }
    uploads.sort_by_key(|l| l.code());
    assert_eq!(
        uploads,
        vec![Lang::En, Lang::Kk, Lang::Ru],
        "one upload per language"
    );
    let changer_got = shown(&h.api.delivered_to(changer.id()));
    assert!(
        !changer_got.contains(&on_this_day(&catalog, Lang::En, "2027-01-05")),
        "the chat that chose Kazakh got English too"
    );

    tell(
        &h,
        &admin(),
        "/broadcasts",
        Lang::En,
        View::Broadcasts(vec![finished("day:2027-01-05", readers.len() as i64, 0)]),
    )
    .await;

    // The same clock after a restart: the day is not sent again.
    restart_at(&mut h, JAN5_0930);
    settle(&h).await;
    assert_eq!(tally(&h, &readers, today), vec![1; readers.len()]);
    assert_eq!(h.bot.log_text().matches("queued day:").count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_get_the_day_in_their_language_with_deep_links() {
    let catalog = shipped();
    const NAMED: &str = "@qantar_kk";
    const NUMBERED: i64 = -1_001_234_567_890;
    let mut h = builder()
        .env("QANTAR_CHANNELS", format!("{NAMED}:kk,{NUMBERED}:ru"))
        .start()
        .await;
    let readers = readers(7_430_000_000, 2);
    subscribe_all(&h, &readers).await;
    restart_at(&mut h, JAN5_0930);
    wait_everyone(
        &h,
        &readers,
        |r| on_this_day(&catalog, r.lang, "2027-01-05"),
        Duration::from_secs(20),
    )
    .await;
    let post = |lang| {
        let want = reply(
            &h,
            lang,
            &View::OnThisDay {
                day: day("2027-01-05"),
                links: Links::DeepLinks {
                    bot: BOT_USERNAME.into(),
                },
            },
        );
        assert_eq!(want.len(), 1);
        want.into_iter().next().unwrap()
    };
    let named = h
        .api
        .wait_until(|api| {
            let calls = api.sent_to_name(NAMED);
            (!calls.is_empty()).then_some(calls)
        })
        .await
        .unwrap_or_else(|| panic!("nothing posted to {NAMED}\n{}", h.bot.log_text()));
    let numbered = h.api.wait_sent(NUMBERED, 1).await;
    settle(&h).await;
    assert_eq!(shown(&h.api.sent_to_name(NAMED)), vec![post(Lang::Kk)]);
    assert_eq!(shown(&h.api.sent_to(NUMBERED)), vec![post(Lang::Ru)]);
    assert_eq!((named.len(), numbered.len()), (1, 1));
    // With the day's map, like subscribers.
    assert_eq!(
        (named[0].method.as_str(), numbered[0].method.as_str()),
        ("sendphoto", "sendphoto")
    );
    // Deep links into the bot, never callback buttons.
    for call in [&named[0], &numbered[0]] {
        let buttons: Vec<&serde_json::Value> = call.body["reply_markup"]["inline_keyboard"]
            .as_array()
            .expect("buttons")
            .iter()
            .flat_map(|row| row.as_array().unwrap())
            .collect();
        assert!(
            buttons.iter().all(|b| b.get("callback_data").is_none()),
            "{buttons:?}"
        );
        let deep = format!("https://t.me/{BOT_USERNAME}?start=event_");
        assert!(
            buttons
                .iter()
                .filter(|b| b["url"].as_str().is_some_and(|u| u.starts_with(&deep)))
                .count()
                > 1,
            "{buttons:?}"
        );
    }
    // Subscribers still get callback buttons.
    let private = &h.api.delivered_to(readers[0].id());
    assert!(
        private
            .iter()
            .any(|c| c.body["reply_markup"].to_string().contains("callback_data"))
    );
}

// ---- Rehearsal ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rehearse_sends_the_day_to_the_admin_alone() {
    let catalog = shipped();
    // 5 May is outside the default window: this operator posts all year.
    let h = builder().env("QANTAR_DAILY_WINDOW", "all").start().await;
    let readers = readers(7_440_000_000, 3);
    subscribe_all(&h, &readers).await;
    let admin = admin();
    let before = h.api.sent_to(ADMIN).len();
    h.api
        .send_text(admin.chat, &admin.from, "/rehearse 2027-01-05");
    let got = h.api.wait_sent(ADMIN, before + 2).await;
    assert_eq!(
        shown(&got[before..]),
        vec![
            on_this_day(&catalog, Lang::En, "2027-01-05"),
            reply(&h, Lang::En, &View::RehearseSent(day("2027-01-05")))[0].clone(),
        ]
    );
    // A day the map does not show goes as text; opening one of its events leaves the
    // day's list where it was.
    let before = h.api.sent_to(ADMIN).len();
    h.api
        .send_text(admin.chat, &admin.from, "/rehearse 2027-05-05");
    let got = h.api.wait_sent(ADMIN, before + 2).await;
    assert_eq!(
        shown(&got[before..before + 1]),
        vec![on_this_day(&catalog, Lang::En, "2027-05-05")]
    );
    open_event_apart(&h, &admin, Lang::En).await;
    tell(
        &h,
        &admin,
        "/rehearse 2027-13-01",
        Lang::En,
        View::RehearseBadDate("2027-13-01".into()),
    )
    .await;
    // In Kazakh for an admin who chose it.
    tell(&h, &admin, "/lang kk", Lang::Kk, View::LangChanged).await;
    tell(
        &h,
        &admin,
        "/rehearse 5 January",
        Lang::Kk,
        View::RehearseBadDate("5 January".into()),
    )
    .await;
    // Anyone else: a command we do not have.
    let reader = &readers[1];
    tell(
        &h,
        reader,
        "/rehearse 2027-01-05",
        reader.lang,
        View::UnknownCommand("rehearse".into()),
    )
    .await;
    settle(&h).await;
    for r in &readers {
        assert_eq!(
            h.api.sent_to(r.id()).len(),
            1 + usize::from(r.id() == reader.id()),
            "chat {}",
            r.id()
        );
    }
    assert_eq!(
        tally(&h, &readers, |r| on_this_day(
            &catalog,
            r.lang,
            "2027-01-05"
        )),
        vec![0; 3]
    );
}

// ---- Telegram's faults mid-broadcast ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_chat_is_dropped_and_skipped_next_time() {
    let catalog = shipped();
    let mut h = builder().start().await;
    let readers = readers(7_450_000_000, 4);
    subscribe_all(&h, &readers).await;
    let (gone, stay) = (&readers[1], &readers[..]);
    let stay: Vec<Reader> = stay
        .iter()
        .filter(|r| r.id() != gone.id())
        .cloned()
        .collect();
    h.api
        .inject("sendPhoto", Some(gone.id()), 1, Fault::blocked());

    restart_at(&mut h, JAN2_0930);
    let jan2 = |r: &Reader| on_this_day(&catalog, r.lang, "2027-01-02");
    wait_everyone(&h, &stay, jan2, Duration::from_secs(20)).await;
    let attempts = |h: &Harness| {
        h.api
            .sent_to(gone.id())
            .into_iter()
            .filter(|c| c.faulted)
            .count()
    };
    h.api
        .wait_until(|_| (attempts(&h) == 1).then_some(()))
        .await
        .expect("the blocked chat was tried");
    let deadline = Instant::now() + Duration::from_secs(10);
    while subscriptions(&h).await != 3 {
        assert!(
            Instant::now() < deadline,
            "the blocked chat is still subscribed\n{}",
            h.bot.log_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    settle(&h).await;
    assert_eq!(attempts(&h), 1, "a 403 is never retried");
    tell(
        &h,
        &admin(),
        "/broadcasts",
        Lang::En,
        View::Broadcasts(vec![finished("day:2027-01-02", 3, 1)]),
    )
    .await;

    // The next broadcast does not try it at all.
    restart_at(&mut h, JAN5_0930);
    let jan5 = |r: &Reader| on_this_day(&catalog, r.lang, "2027-01-05");
    wait_everyone(&h, &stay, jan5, Duration::from_secs(20)).await;
    settle(&h).await;
    assert_eq!(tally(&h, &stay, jan5), vec![1; 3]);
    assert_eq!(tally(&h, &stay, jan2), vec![1; 3]);
    // Its /subscribe answer, then the one refused attempt: nothing since.
    let to_gone = h.api.sent_to(gone.id());
    assert_eq!(to_gone.len(), 2, "{:?}", shown(&to_gone));
}

/// Subscribers of a broadcast where one chat's first message (the day's map) is
/// answered 429 with retry_after 2; returns them, the chat and the time the 429 was given.
async fn broadcast_with_a_429(h: &mut Harness) -> (Vec<Reader>, i64, Instant) {
    let catalog = shipped();
    let readers = readers(7_460_000_000, 12);
    subscribe_all(h, &readers).await;
    let limited = readers[3].id();
    h.api
        .inject("sendPhoto", Some(limited), 1, Fault::retry_after(2));
    restart_at(h, JAN5_0930);
    let today = |r: &Reader| on_this_day(&catalog, r.lang, "2027-01-05");
    wait_everyone(h, &readers, today, Duration::from_secs(30)).await;
    settle(h).await;
    assert_eq!(
        tally(h, &readers, today),
        vec![1; readers.len()],
        "each chat exactly once"
    );
    let refused: Vec<Call> = h
        .api
        .sent_to(limited)
        .into_iter()
        .filter(|c| c.faulted)
        .collect();
    assert_eq!(refused.len(), 1, "the 429 was given once");
    (readers, limited, refused[0].at)
}

/// The messages (texts and photos) sent to `readers` after `at`, each with its time since `at`.
fn sends_after(h: &Harness, readers: &[Reader], at: Instant) -> Vec<(i64, Duration)> {
    let mut after: Vec<(i64, Duration)> = readers
        .iter()
        .flat_map(|r| h.api.sent_to(r.id()).into_iter().map(move |c| (r.id(), c)))
        .filter(|(_, c)| c.at > at)
        .map(|(chat, c)| (chat, c.at - at))
        .collect();
    after.sort_by_key(|(_, d)| *d);
    after
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_mid_broadcast_still_reaches_everyone_once() {
    let mut h = builder().env("QANTAR_BROADCAST_RATE", "10").start().await;
    let (readers, limited, at) = broadcast_with_a_429(&mut h).await;
    // The refused chat got it again, no sooner than Telegram allowed.
    let retried = sends_after(&h, &readers, at)
        .into_iter()
        .find(|(chat, _)| *chat == limited)
        .expect("the refused chat was tried again");
    assert!(
        retried.1 >= Duration::from_secs(2),
        "retried after {:?}",
        retried.1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_pauses_the_whole_broadcast() {
    let mut h = builder()
        .env("QANTAR_BROADCAST_RATE", "10")
        .env("QANTAR_BROADCAST_IN_FLIGHT", "1")
        .start()
        .await;
    let (readers, _, at) = broadcast_with_a_429(&mut h).await;
    let early: Vec<(i64, Duration)> = sends_after(&h, &readers, at)
        .into_iter()
        .filter(|(_, d)| *d < Duration::from_millis(1_950))
        .collect();
    assert!(
        early.is_empty(),
        "sent inside the 2 s Telegram asked for: {early:?}"
    );
}

// ---- A crash mid-broadcast ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_broadcast_then_restart_loses_nothing() {
    let catalog = shipped();
    let mut h = builder()
        .env("QANTAR_BROADCAST_RATE", "20")
        .env("QANTAR_BROADCAST_IN_FLIGHT", "1")
        .start()
        .await;
    let readers = readers(7_470_000_000, 60);
    subscribe_all(&h, &readers).await;
    restart_at(&mut h, JAN5_0930);
    let today = |r: &Reader| on_this_day(&catalog, r.lang, "2027-01-05");
    let reached = |h: &Harness| tally(h, &readers, today).iter().filter(|n| **n > 0).count();
    h.api
        .wait_until(|_| (reached(&h) >= 30).then_some(()))
        .await
        .unwrap_or_else(|| panic!("the broadcast never got half way\n{}", h.bot.log_text()));
    h.bot.kill();
    let at_kill = reached(&h);
    assert!(at_kill < readers.len(), "killed after the end: {at_kill}");
    // The dead process's lease would lapse in 15 s; the PostgreSQL tier waits that out
    // (replica_handover). Here it is expired by hand, as if that time had passed.
    let db = SqlitePool::connect(&h.db_url()).await.unwrap();
    let leases = sqlx::query("UPDATE outreach_lease SET expires = 0")
        .execute(&db)
        .await
        .unwrap()
        .rows_affected();
    db.close().await;
    assert_eq!(leases, 1, "the killed sender held the lease");
    h.respawn_with(&[("QANTAR_TEST_NOW", JAN5_0930.to_string())]);
    wait_everyone(&h, &readers, today, Duration::from_secs(30)).await;
    settle(&h).await;
    let counts = tally(&h, &readers, today);
    assert!(counts.iter().all(|n| *n >= 1));
    let duplicates: usize = counts.iter().map(|n| n - 1).sum();
    assert!(
        duplicates <= 1,
        "{duplicates} duplicates with one message in flight: {counts:?}"
    );
    tell(
        &h,
        &admin(),
        "/broadcasts",
        Lang::En,
        View::Broadcasts(vec![finished("day:2027-01-05", 60, 0)]),
    )
    .await;
}

// ---- Announcements ----

pub(crate) const ANNOUNCEMENT: &str = "anniversary_begins";

/// Recipients per language as the preview lists them (en, kk, ru).
pub(crate) fn per_language(langs: impl IntoIterator<Item = Lang>) -> Vec<(Lang, i64)> {
    let mut n = [(Lang::En, 0), (Lang::Kk, 0), (Lang::Ru, 0)];
    for lang in langs {
        n.iter_mut().find(|(l, _)| *l == lang).unwrap().1 += 1;
    }
    n.into_iter().filter(|(_, k)| *k > 0).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn announce_lists_ids_and_previews_without_sending() {
    let h = builder().start().await;
    let readers = readers(7_480_000_000, 5);
    subscribe_all(&h, &readers).await;
    let admin = admin();
    let ids: Vec<String> = h
        .catalog
        .content
        .announcements
        .iter()
        .map(|a| a.id.clone())
        .collect();
    assert!(ids.contains(&ANNOUNCEMENT.to_string()));
    let list = View::AnnounceList(ids);
    tell(&h, &admin, "/announce", Lang::En, list.clone()).await;
    let preview = View::AnnouncePreview {
        id: ANNOUNCEMENT.into(),
        recipients: per_language(readers.iter().map(|r| r.lang)),
        channels: 0,
        version: version(&h, &[]),
        changed: false,
    };
    tell(
        &h,
        &admin,
        &format!("/announce {ANNOUNCEMENT}"),
        Lang::En,
        preview.clone(),
    )
    .await;
    // The preview shows the message in all three languages and offers Confirm.
    let shown_preview = reply(&h, Lang::En, &preview);
    let text: String = shown_preview.iter().map(|s| s.text.as_str()).collect();
    for lang in Lang::ALL {
        let body = announcement(&h, lang, ANNOUNCEMENT, Links::Buttons).text;
        let first_line = body.lines().next().unwrap();
        assert!(
            text.contains(first_line),
            "{lang} missing from the preview: {text}"
        );
    }
    let keys = shown_preview.last().unwrap().keyboard.to_string();
    let confirm = format!("\"1:a:{ANNOUNCEMENT}:{}\"", version(&h, &[]));
    assert!(keys.contains(&confirm), "{keys}");
    assert!(keys.contains("\"1:ac\""), "{keys}");
    tell(
        &h,
        &admin,
        "/announce no_such_id",
        Lang::En,
        View::AnnounceUnknown("no_such_id".into()),
    )
    .await;
    // Nothing goes out before Confirm.
    settle(&h).await;
    for r in &readers {
        assert_eq!(
            h.api.sent_to(r.id()).len(),
            1,
            "chat {} got more than its /subscribe answer",
            r.id()
        );
    }
    tell(
        &h,
        &admin,
        "/broadcasts",
        Lang::En,
        View::Broadcasts(Vec::new()),
    )
    .await;
    // And Cancel under the preview (its last message, with the buttons) queues nothing.
    let list_len = reply(&h, Lang::En, &list).len();
    let preview_id = h
        .api
        .sent_message_id(ADMIN, list_len + shown_preview.len() - 1);
    let cancelled = press(&h, &admin, preview_id, "1:ac").await;
    assert_eq!(
        vec![cancelled],
        reply(&h, Lang::En, &View::AnnounceCancelled)
    );
    tell(
        &h,
        &admin,
        "/broadcasts",
        Lang::En,
        View::Broadcasts(Vec::new()),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preview_counts_each_chat_in_its_language_of_now() {
    let h = builder().start().await;
    let readers = readers(7_481_000_000, 5);
    subscribe_all(&h, &readers).await;
    tell(&h, &readers[0], "/lang kk", Lang::Kk, View::LangChanged).await;
    let now: Vec<Lang> = readers
        .iter()
        .enumerate()
        .map(|(i, r)| if i == 0 { Lang::Kk } else { r.lang })
        .collect();
    tell(
        &h,
        &admin(),
        &format!("/announce {ANNOUNCEMENT}"),
        Lang::En,
        View::AnnouncePreview {
            id: ANNOUNCEMENT.into(),
            recipients: per_language(now),
            channels: 0,
            version: version(&h, &[]),
            changed: false,
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirm_reaches_every_chat_once_and_channels_in_their_language() {
    const NAMED: &str = "@qantar_kk";
    const NUMBERED: i64 = -1_001_234_567_890;
    let h = builder()
        .env("QANTAR_CHANNELS", format!("{NAMED}:kk,{NUMBERED}:ru"))
        .start()
        .await;
    let readers = readers(7_482_000_000, 5);
    subscribe_all(&h, &readers).await;
    let changer = &readers[0];
    tell(&h, changer, "/lang ru", Lang::Ru, View::LangChanged).await;
    let lang_now = |r: &Reader| {
        if r.id() == changer.id() {
            Lang::Ru
        } else {
            r.lang
        }
    };
    let admin = admin();
    tell(
        &h,
        &admin,
        &format!("/announce {ANNOUNCEMENT}"),
        Lang::En,
        View::AnnouncePreview {
            id: ANNOUNCEMENT.into(),
            // Counted in the language each will receive now.
            recipients: per_language(readers.iter().map(lang_now)),
            channels: 2,
            version: version(&h, &[Lang::Kk, Lang::Ru]),
            changed: false,
        },
    )
    .await;
    let parts = h.api.sent_to(ADMIN).len();
    let preview = h.api.sent_message_id(ADMIN, parts - 1);
    settle(&h).await;
    let news = |r: &Reader| announcement(&h, lang_now(r), ANNOUNCEMENT, Links::Buttons);
    assert_eq!(
        tally(&h, &readers, news),
        vec![0; readers.len()],
        "nothing before Confirm"
    );

    let total = readers.len() as i64 + 2;
    let confirm = format!("1:a:{ANNOUNCEMENT}:{}", version(&h, &[Lang::Kk, Lang::Ru]));
    let queued = press(&h, &admin, preview, &confirm).await;
    assert_eq!(
        vec![queued],
        reply(
            &h,
            Lang::En,
            &View::AnnounceQueued {
                id: ANNOUNCEMENT.into(),
                recipients: total
            }
        )
    );
    wait_everyone(&h, &readers, news, Duration::from_secs(20)).await;
    // Its event button opens the event apart: the announcement stays.
    open_event_apart(&h, &readers[1], lang_now(&readers[1])).await;
    let channel_post = |lang| {
        announcement(
            &h,
            lang,
            ANNOUNCEMENT,
            Links::DeepLinks {
                bot: BOT_USERNAME.into(),
            },
        )
    };
    h.api
        .wait_until(|api| {
            (!api.sent_to_name(NAMED).is_empty() && !api.sent_to(NUMBERED).is_empty()).then_some(())
        })
        .await
        .expect("both channels posted to");

    // Confirm again, by the same admin and by another: nothing more is sent.
    let again = press(&h, &admin, preview, &confirm).await;
    let already = reply(
        &h,
        Lang::En,
        &View::AnnounceExists(finished(&format!("announce:{ANNOUNCEMENT}"), total, 0)),
    );
    assert_eq!(vec![again], already);
    let other = Reader::private(OTHER_ADMIN, Lang::En);
    tell(
        &h,
        &other,
        &format!("/announce {ANNOUNCEMENT}"),
        Lang::En,
        View::AnnouncePreview {
            id: ANNOUNCEMENT.into(),
            recipients: per_language(readers.iter().map(lang_now)),
            channels: 2,
            version: version(&h, &[Lang::Kk, Lang::Ru]),
            changed: false,
        },
    )
    .await;
    let theirs = h.api.sent_message_id(OTHER_ADMIN, parts - 1);
    assert_eq!(vec![press(&h, &other, theirs, &confirm).await], already);
    settle(&h).await;
    assert_eq!(tally(&h, &readers, news), vec![1; readers.len()]);
    assert!(
        !shown(&h.api.delivered_to(changer.id())).contains(&announcement(
            &h,
            changer.lang,
            ANNOUNCEMENT,
            Links::Buttons
        )),
        "the chat that chose Russian got its old language"
    );
    assert_eq!(
        shown(&h.api.sent_to_name(NAMED)),
        vec![channel_post(Lang::Kk)]
    );
    assert_eq!(
        shown(&h.api.sent_to(NUMBERED)),
        vec![channel_post(Lang::Ru)]
    );
    tell(
        &h,
        &admin,
        "/broadcasts",
        Lang::En,
        View::Broadcasts(vec![finished(
            &format!("announce:{ANNOUNCEMENT}"),
            total,
            0,
        )]),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_a_running_broadcast() {
    let catalog = shipped();
    let mut h = builder().env("QANTAR_BROADCAST_RATE", "2").start().await;
    let readers = readers(7_490_000_000, 20);
    subscribe_all(&h, &readers).await;
    restart_at(&mut h, JAN5_0930);
    let today = |r: &Reader| on_this_day(&catalog, r.lang, "2027-01-05");
    let reached = |h: &Harness| tally(h, &readers, today).iter().sum::<usize>();
    h.api
        .wait_until(|_| (reached(&h) >= 2).then_some(()))
        .await
        .expect("the broadcast started");
    let admin = admin();
    h.api.send_text(admin.chat, &admin.from, "/broadcasts");
    let progress = h.api.wait_sent(ADMIN, 1).await;
    let cancel = "1:cj:day:2027-01-05";
    assert!(
        progress[0].body["reply_markup"]
            .to_string()
            .contains(cancel),
        "{:?}",
        progress[0].body
    );
    let message = h.api.sent_message_id(ADMIN, 0);
    // Cancel asks first, with how far it got.
    let asked = press(&h, &admin, message, cancel).await;
    assert!(asked.text.contains("have it already"), "{}", asked.text);
    assert!(asked.keyboard.to_string().contains("1:cjy:day:2027-01-05"));
    let done = press(&h, &admin, message, "1:cjy:day:2027-01-05").await;
    assert_eq!(
        vec![done],
        reply(
            &h,
            Lang::En,
            &View::BroadcastCancelled("day:2027-01-05".into())
        )
    );
    // What was in flight (at most QANTAR_BROADCAST_IN_FLIGHT) may still land: its
    // count settles first, however slow a loaded machine is; then nothing more.
    let at_cancel = reached(&h);
    let mut stopped = at_cancel;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = reached(&h);
        if now == stopped {
            break;
        }
        stopped = now;
    }
    assert!(
        stopped <= at_cancel + 4,
        "{} after Cancel",
        stopped - at_cancel
    );
    settle(&h).await;
    assert_eq!(reached(&h), stopped, "still sending after Cancel");
    assert!(stopped < 10, "{stopped} of 20 delivered");
    let shown_now = {
        h.api.send_text(admin.chat, &admin.from, "/broadcasts");
        shown(&h.api.wait_sent(ADMIN, 2).await[1..])
    };
    let cancelled = reply(
        &h,
        Lang::En,
        &View::Broadcasts(vec![JobProgress {
            job: "day:2027-01-05".into(),
            total: readers.len() as i64,
            sent: stopped as i64,
            pending: 0,
            blocked: 0,
            failed: 0,
            cancelled_count: readers.len() as i64 - stopped as i64,
            per_second: 0.0,
            eta_seconds: None,
            cancelled: true,
            scheduled_for: None,
        }]),
    );
    assert_eq!(shown_now, cancelled);
}

// ---- Two replicas on PostgreSQL ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set QANTAR_TEST_POSTGRES_URL and run with --ignored"]
async fn replica_handover_finishes_the_broadcast_without_duplicates() {
    let catalog = shipped();
    let pg = PgDatabase::create("qantar_outreach").await;
    // Replica A subscribes the readers, with nothing due yet.
    let mut h = builder()
        .env("DATABASE_URL", pg.url.clone())
        .env("QANTAR_DATA_KEY", TEST_DATA_KEY)
        .env("QANTAR_BROADCAST_RATE", "2")
        .env("QANTAR_BROADCAST_IN_FLIGHT", "1")
        .start()
        .await;
    let readers = readers(7_500_000_000, 30);
    subscribe_all(&h, &readers).await;

    // Both replicas at 09:30 on 5 January: whichever takes the lease sends.
    restart_at(&mut h, JAN5_0930);
    let dir_b = tempfile::tempdir().unwrap();
    let b_metrics = crate::e2e_ops::free_addr();
    let mut b = {
        let mut launch = h.launch();
        launch.dir = dir_b.path();
        launch.extra_env.extend([
            ("QANTAR_TEST_NOW", JAN5_0930.to_string()),
            ("QANTAR_METRICS_LISTEN", b_metrics.to_string()),
        ]);
        launch.spawn()
    };
    let today = |r: &Reader| on_this_day(&catalog, r.lang, "2027-01-05");
    let reached = |h: &Harness| tally(h, &readers, today).iter().filter(|n| **n > 0).count();
    h.api
        .wait_up_to(Duration::from_secs(30), |_| {
            (reached(&h) >= 8).then_some(())
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "the broadcast never started\nA:\n{}\nB:\n{}",
                h.bot.log_text(),
                b.log_text()
            )
        });

    let db = sqlx::PgPool::connect(&pg.url).await.unwrap();
    let holder: String = sqlx::query_scalar("SELECT holder FROM outreach_lease WHERE id = 1")
        .fetch_one(&db)
        .await
        .unwrap();
    let holder_pid: u32 = holder.split('-').next().unwrap().parse().unwrap();
    let (a_pid, b_pid) = (h.bot.pid().unwrap(), b.pid().unwrap());
    assert!(
        [a_pid, b_pid].contains(&holder_pid),
        "lease {holder} names neither {a_pid} nor {b_pid}"
    );
    if holder_pid == a_pid {
        h.bot.kill();
    } else {
        b.kill();
    }
    let killed = Instant::now();
    let at_kill = reached(&h);
    assert!(
        at_kill < readers.len(),
        "the sender finished before the kill"
    );
    let survivor_log = || {
        if holder_pid == a_pid {
            b.log_text()
        } else {
            h.bot.log_text()
        }
    };

    // The survivor takes over once the lease lapses (15 s) and its poll (2 s) comes.
    let new_sends = |api: &FakeApi| -> Vec<Instant> {
        readers
            .iter()
            .flat_map(|r| api.delivered_to(r.id()))
            .filter(|c| c.at > killed + Duration::from_millis(500))
            .map(|c| c.at)
            .collect()
    };
    let resumed = h
        .api
        .wait_up_to(Duration::from_secs(25), |api| {
            new_sends(api).into_iter().min()
        })
        .await
        .unwrap_or_else(|| panic!("no replica took over\n{}", survivor_log()));
    let took = resumed - killed;
    assert!(took <= Duration::from_secs(20), "took over after {took:?}");
    assert!(
        took >= Duration::from_secs(10),
        "sent while the dead one's lease held: {took:?}"
    );

    wait_everyone(&h, &readers, today, Duration::from_secs(40)).await;
    let survivor_metrics = if holder_pid == a_pid {
        b_metrics
    } else {
        h.metrics_addr().unwrap()
    };
    settle_at(survivor_metrics, survivor_log).await;
    let counts = tally(&h, &readers, today);
    let duplicates: usize = counts.iter().map(|n| n - 1).sum();
    assert!(
        duplicates <= 1,
        "{duplicates} duplicates with one message in flight: {counts:?}"
    );
    let (state, sent): (String, i64) =
        sqlx::query_as("SELECT state, sent FROM outreach_job WHERE id = 'day:2027-01-05'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!((state.as_str(), sent), ("done", readers.len() as i64));
    db.close().await;
}
