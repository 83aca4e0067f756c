//! Safe to press Confirm (issue 22), seen from outside the process: what was previewed
//! is what goes out, whatever happens to the content after; a purge or /unsubscribe
//! stops the batch in hand; a channel in two languages gets both posts; a refused
//! channel post is recorded and told to the admins; every admin failure has its own
//! true sentence. Each test here failed before its fix.

use std::time::Duration;

use qantar_bot::catalog::Catalog;
use qantar_bot::lang::Lang;
use qantar_bot::outreach::snapshot::version_of;
use qantar_bot::render::{JobProgress, Links, View, render};
use serde_json::json;
use serde_yaml::Value;

use crate::broken_content::{copy_tree, edit_yaml};
use crate::e2e_outreach::{
    ADMIN, ANNOUNCEMENT, JAN5_0930, Reader, admin, announcement, builder, on_this_day,
    per_language, press, readers, received, reply, restart_at, subscribe_all, tally, tell, version,
};
use crate::expect::{Shown, expected, shown};
use crate::fake_api::{BOT_USERNAME, Fault};
use crate::harness::Harness;

/// The announcement as the catalog `c` renders it for a chat in `lang`.
fn announcement_in(c: &Catalog, lang: Lang) -> Shown {
    let want = expected(&render(
        c,
        lang,
        &View::Announcement {
            id: ANNOUNCEMENT.into(),
            links: Links::Buttons,
        },
    ));
    want.into_iter().next().unwrap()
}

/// Previews the announcement as the admin and returns the preview's last message id
/// (the one with Confirm) and the Confirm's data.
async fn preview(h: &Harness, readers: &[Reader], version: String) -> (i64, String) {
    let admin = admin();
    let view = View::AnnouncePreview {
        id: ANNOUNCEMENT.into(),
        recipients: per_language(readers.iter().map(|r| r.lang)),
        channels: 0,
        version: version.clone(),
        changed: false,
    };
    tell(
        h,
        &admin,
        &format!("/announce {ANNOUNCEMENT}"),
        Lang::En,
        view,
    )
    .await;
    let n = h.api.sent_to(ADMIN).len();
    (
        h.api.sent_message_id(ADMIN, n - 1),
        format!("1:a:{ANNOUNCEMENT}:{version}"),
    )
}

/// The bot's /broadcasts as the admin sees it now.
async fn broadcasts_now(h: &Harness) -> Vec<Shown> {
    let admin = admin();
    let before = h.api.sent_to(ADMIN).len();
    h.api.send_text(admin.chat, &admin.from, "/broadcasts");
    shown(&h.api.wait_sent(ADMIN, before + 1).await[before..])
}

/// Any message to a reader that is not the one expected: an error, an admin text.
fn strays(h: &Harness, readers: &[Reader], allowed: &[Shown]) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    for r in readers {
        for got in shown(&h.api.delivered_to(r.id())).into_iter().skip(1) {
            if !allowed.contains(&got) {
                out.push((r.id(), got.text));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_listed_in_two_languages_gets_a_post_in_each() {
    let catalog = crate::catalog::shipped();
    let mut h = builder()
        .env("QANTAR_CHANNELS", "@qantar_news:ru,@Qantar_News:kk")
        .start()
        .await;
    let readers = readers(7_520_000_000, 3);
    subscribe_all(&h, &readers).await;
    restart_at(&mut h, JAN5_0930);
    let today = |r: &Reader| on_this_day(&catalog, r.lang, "2027-01-05");
    crate::e2e_outreach::wait_everyone(&h, &readers, today, Duration::from_secs(20)).await;
    let posts = h
        .api
        .wait_until(|api| {
            let posts = api.sent_to_name("@qantar_news");
            (posts.len() >= 2).then_some(posts)
        })
        .await
        .unwrap_or_else(|| panic!("two posts to the channel\n{}", h.bot.log_text()));
    let texts: Vec<String> = posts
        .iter()
        .map(|c| {
            c.body["caption"]
                .as_str()
                .or(c.body["text"].as_str())
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[0] != texts[1], "one post per language: {texts:?}");
    assert!(!h.bot.log_text().contains("UNIQUE"), "{}", h.bot.log_text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_was_confirmed_goes_out_though_the_content_changes_while_sending() {
    let tree = copy_tree();
    let h = builder()
        .tree(tree.path())
        .env("QANTAR_BROADCAST_RATE", "4")
        .start()
        .await;
    let before = Catalog::load(&tree.path().join("content"), &tree.path().join("locales")).unwrap();
    let readers = readers(7_521_000_000, 12);
    subscribe_all(&h, &readers).await;
    let (message, confirm) = preview(&h, &readers, version(&h, &[])).await;
    press(&h, &admin(), message, &confirm).await;
    let previewed = |r: &Reader| announcement_in(&before, r.lang);
    h.api
        .wait_until(|_| (tally(&h, &readers, previewed).iter().sum::<usize>() >= 2).then_some(()))
        .await
        .expect("the broadcast started");
    // A curator edits the text, then removes the announcement, while it is sending.
    edit_yaml(tree.path(), "announcements.yaml", |v| {
        let list = v["announcements"].as_sequence_mut().unwrap();
        list[0]["text"]["en"] = Value::from("Edited after Confirm: nobody previewed this.");
    });
    h.bot.signal("HUP");
    h.bot.wait_log("content reloaded: generation 2", 1).await;
    edit_yaml(tree.path(), "announcements.yaml", |v| {
        let list = v["announcements"].as_sequence_mut().unwrap();
        list.retain(|a| a["id"].as_str() != Some(ANNOUNCEMENT));
    });
    h.bot.signal("HUP");
    h.bot.wait_log("content reloaded: generation 3", 1).await;
    crate::e2e_outreach::wait_everyone(&h, &readers, previewed, Duration::from_secs(30)).await;
    assert_eq!(tally(&h, &readers, previewed), vec![1; readers.len()]);
    let allowed: Vec<Shown> = Lang::ALL
        .iter()
        .map(|l| announcement_in(&before, *l))
        .collect();
    assert_eq!(
        strays(&h, &readers, &allowed),
        Vec::new(),
        "nothing else reached a reader"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirm_under_a_changed_preview_is_refused_with_a_fresh_one() {
    let tree = copy_tree();
    let h = builder().tree(tree.path()).start().await;
    let readers = readers(7_522_000_000, 3);
    subscribe_all(&h, &readers).await;
    let (message, old_confirm) = preview(&h, &readers, version(&h, &[])).await;
    edit_yaml(tree.path(), "announcements.yaml", |v| {
        let list = v["announcements"].as_sequence_mut().unwrap();
        let a = list
            .iter_mut()
            .find(|a| a["id"].as_str() == Some(ANNOUNCEMENT))
            .unwrap();
        a["text"]["en"] = Value::from("Edited after the preview.");
    });
    h.bot.signal("HUP");
    h.bot.wait_log("content reloaded: generation 2", 1).await;
    let after = Catalog::load(&tree.path().join("content"), &tree.path().join("locales")).unwrap();
    let fresh_version = version_of(
        &after,
        &format!("announce:{ANNOUNCEMENT}"),
        &[],
        BOT_USERNAME,
    )
    .unwrap();
    assert_ne!(fresh_version, version(&h, &[]));
    let admin = admin();
    h.api.press(admin.chat, &admin.from, message, &old_confirm);
    let fresh = View::AnnouncePreview {
        id: ANNOUNCEMENT.into(),
        recipients: per_language(readers.iter().map(|r| r.lang)),
        channels: 0,
        version: fresh_version.clone(),
        changed: true,
    };
    let want = expected(&render(&after, Lang::En, &fresh));
    let fresh_confirm = format!("1:a:{ANNOUNCEMENT}:{fresh_version}");
    // The answer to the press, as an edit of the preview or as new messages: the fresh
    // preview, whose last message carries the fresh Confirm.
    let with_confirm = h
        .api
        .wait_until(|api| {
            let edited = crate::e2e_outreach::edits(api, ADMIN, message);
            if edited
                .iter()
                .any(|e| e.keyboard.to_string().contains(&fresh_confirm))
            {
                return Some((message, edited));
            }
            let sent = api.sent_to(ADMIN);
            let i = sent
                .iter()
                .rposition(|c| c.body["reply_markup"].to_string().contains(&fresh_confirm))?;
            Some((
                api.sent_message_id(ADMIN, i),
                shown(&sent[i + 1 - want.len()..=i]),
            ))
        })
        .await;
    let (fresh_message, got) =
        with_confirm.unwrap_or_else(|| panic!("no fresh preview\n{}", h.bot.log_text()));
    assert_eq!(
        got.last(),
        want.last(),
        "the fresh preview ends with its Confirm"
    );
    let all: String = got.iter().map(|g| g.text.as_str()).collect();
    assert!(all.contains("changed after the preview"), "{all}");
    crate::e2e_outreach::settle(&h).await;
    for r in &readers {
        assert_eq!(h.api.sent_to(r.id()).len(), 1, "nothing sent unseen");
    }
    // The fresh preview's Confirm sends the text it showed.
    press(&h, &admin, fresh_message, &fresh_confirm).await;
    let edited_text = |r: &Reader| announcement_in(&after, r.lang);
    crate::e2e_outreach::wait_everyone(&h, &readers, edited_text, Duration::from_secs(20)).await;
}

/// Runs `qantar-bot purge --yes` on the bot's store while the bot runs.
fn purge_from_the_cli(h: &Harness) {
    let out = h.run_subcommand(&["purge", "--yes"], &[], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_stops_the_batch_in_hand_and_the_counts_stay_exact() {
    let catalog = crate::catalog::shipped();
    let in_flight = 2;
    let mut h = builder()
        .env("QANTAR_BROADCAST_RATE", "10")
        .env("QANTAR_BROADCAST_IN_FLIGHT", in_flight.to_string())
        .start()
        .await;
    let readers = readers(7_523_000_000, 60);
    subscribe_all(&h, &readers).await;
    restart_at(&mut h, JAN5_0930);
    let today = |r: &Reader| on_this_day(&catalog, r.lang, "2027-01-05");
    let reached = |h: &Harness| tally(h, &readers, today).iter().sum::<usize>();
    h.api
        .wait_until(|_| (reached(&h) >= 5).then_some(()))
        .await
        .expect("the broadcast started");
    purge_from_the_cli(&h);
    let at_purge = reached(&h);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = reached(&h);
    assert!(
        after <= at_purge + in_flight,
        "{} sent after the purge (in flight: {in_flight})",
        after - at_purge
    );
    assert!(after < readers.len() / 2, "{after} of {}", readers.len());
    // Every recipient is counted once: what went as sent, the rest as cancelled.
    let want = reply(
        &h,
        Lang::En,
        &View::Broadcasts(vec![JobProgress {
            job: "day:2027-01-05".into(),
            total: readers.len() as i64,
            sent: after as i64,
            pending: 0,
            blocked: 0,
            failed: 0,
            cancelled_count: (readers.len() - after) as i64,
            per_second: 0.0,
            eta_seconds: None,
            cancelled: false,
            scheduled_for: None,
        }]),
    );
    // The job completes once nothing is pending (the sender looks every 2 s).
    crate::e2e_outreach::settle(&h).await;
    assert_eq!(broadcasts_now(&h).await, want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsubscribe_mid_broadcast_stops_what_was_queued_for_the_chat() {
    let catalog = crate::catalog::shipped();
    let mut h = builder()
        .env("QANTAR_BROADCAST_RATE", "4")
        .env("QANTAR_BROADCAST_IN_FLIGHT", "1")
        .start()
        .await;
    let readers = readers(7_524_000_000, 24);
    subscribe_all(&h, &readers).await;
    restart_at(&mut h, JAN5_0930);
    let today = |r: &Reader| on_this_day(&catalog, r.lang, "2027-01-05");
    h.api
        .wait_until(|_| (tally(&h, &readers, today).iter().sum::<usize>() >= 2).then_some(()))
        .await
        .expect("the broadcast started");
    // Six readers still waiting leave: /unsubscribe from three, /forget from three.
    let waiting: Vec<Reader> = readers
        .iter()
        .filter(|r| received(&h.api, r.id(), &today(r)) == 0)
        .take(6)
        .cloned()
        .collect();
    for (i, r) in waiting.iter().enumerate() {
        let command = if i < 3 { "/unsubscribe" } else { "/forget" };
        h.api.send_text(r.chat, &r.from, command);
    }
    for r in &waiting {
        h.api.wait_sent(r.id(), 2).await;
    }
    let stayed: Vec<Reader> = readers
        .iter()
        .filter(|r| !waiting.iter().any(|w| w.id() == r.id()))
        .cloned()
        .collect();
    crate::e2e_outreach::wait_everyone(&h, &stayed, today, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let got: usize = tally(&h, &waiting, today).iter().sum();
    assert!(
        got <= 1,
        "{got} of those who left got the day (one may have been in flight)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_then_confirm_says_how_far_it_got() {
    let h = builder().env("QANTAR_BROADCAST_RATE", "2").start().await;
    let readers = readers(7_525_000_000, 12);
    subscribe_all(&h, &readers).await;
    let (message, confirm) = preview(&h, &readers, version(&h, &[])).await;
    let admin = admin();
    press(&h, &admin, message, &confirm).await;
    let news = |r: &Reader| announcement(&h, r.lang, ANNOUNCEMENT, Links::Buttons);
    h.api
        .wait_until(|_| (tally(&h, &readers, news).iter().sum::<usize>() >= 2).then_some(()))
        .await
        .expect("the broadcast started");
    let job = format!("announce:{ANNOUNCEMENT}");
    let before = h.api.sent_to(ADMIN).len();
    h.api.send_text(admin.chat, &admin.from, "/broadcasts");
    h.api.wait_sent(ADMIN, before + 1).await;
    let list = h.api.sent_message_id(ADMIN, before);
    // Cancel asks first; "Keep sending" changes nothing; "Yes" cancels.
    let asked = press(&h, &admin, list, &format!("1:cj:{job}")).await;
    assert!(asked.text.contains("have it already"), "{}", asked.text);
    assert_eq!(
        vec![press(&h, &admin, list, &format!("1:kj:{job}")).await],
        reply(&h, Lang::En, &View::JobKept(job.clone()))
    );
    let cancel = format!("1:cjy:{job}");
    assert_eq!(
        vec![press(&h, &admin, list, &cancel).await],
        reply(&h, Lang::En, &View::BroadcastCancelled(job.clone()))
    );
    crate::e2e_outreach::settle(&h).await;
    let sent = tally(&h, &readers, news).iter().sum::<usize>() as i64;
    // Confirm again: not "gone to every recipient", but how far it got.
    let again = press(&h, &admin, message, &confirm).await;
    let mut progress = crate::e2e_outreach::finished(&job, sent, 0);
    progress.total = readers.len() as i64;
    progress.cancelled = true;
    progress.cancelled_count = readers.len() as i64 - sent;
    assert_eq!(
        vec![again],
        reply(&h, Lang::En, &View::AnnounceExists(progress))
    );
    // Cancel again: it was not running.
    assert_eq!(
        vec![press(&h, &admin, list, &cancel).await],
        reply(&h, Lang::En, &View::BroadcastNotRunning(job.clone()))
    );
    // /broadcasts offers Resume; it goes on to those who have not received it, once.
    let before = h.api.sent_to(ADMIN).len();
    h.api.send_text(admin.chat, &admin.from, "/broadcasts");
    let listed = h.api.wait_sent(ADMIN, before + 1).await;
    let resume = format!("1:rj:{job}");
    assert!(
        listed[before].body["reply_markup"]
            .to_string()
            .contains(&resume),
        "{:?}",
        listed[before].body
    );
    let list = h.api.sent_message_id(ADMIN, before);
    assert_eq!(
        vec![press(&h, &admin, list, &resume).await],
        reply(&h, Lang::En, &View::JobResumed(job.clone()))
    );
    crate::e2e_outreach::wait_everyone(&h, &readers, news, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(tally(&h, &readers, news), vec![1; readers.len()]);
    assert_eq!(
        vec![press(&h, &admin, list, &resume).await],
        reply(&h, Lang::En, &View::JobNotCancelled(job))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rehearse_says_what_is_true() {
    let h = builder().start().await;
    let admin = admin();
    let d = |s: &str| s.parse().unwrap();
    // A day without events, and a date before the record's events of that day.
    for (typed, day) in [("2027-01-14", "2027-01-14"), ("2021-01-05", "2021-01-05")] {
        tell(
            &h,
            &admin,
            &format!("/rehearse {typed}"),
            Lang::En,
            View::RehearseNothing(d(day)),
        )
        .await;
    }
    // The admin's chat refuses the rehearsal (its map goes first, as a photo); the
    // answer says so, not that storage failed.
    h.api.inject("sendPhoto", Some(ADMIN), 1, Fault::blocked());
    h.api
        .send_text(admin.chat, &admin.from, "/rehearse 2027-01-05");
    let want = reply(&h, Lang::En, &View::RehearseUnreachable);
    h.api
        .wait_until(|api| {
            shown(&api.delivered_to(ADMIN))
                .ends_with(&want)
                .then_some(())
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "{:?}\n{}",
                shown(&h.api.delivered_to(ADMIN)),
                h.bot.log_text()
            )
        });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_channel_post_is_recorded_and_the_admins_are_told() {
    const CHANNEL: i64 = -1_009_876_543_210;
    let mut h = builder()
        .env("QANTAR_CHANNELS", format!("{CHANNEL}:kk"))
        .start()
        .await;
    let readers = readers(7_526_000_000, 2);
    subscribe_all(&h, &readers).await;
    let refusal = json!({
        "ok": false,
        "error_code": 400,
        "description": "Bad Request: need administrator rights in the channel chat",
    });
    h.api.inject(
        "sendPhoto",
        Some(CHANNEL),
        100,
        Fault::Status(400, refusal.clone()),
    );
    h.api.inject(
        "sendMessage",
        Some(CHANNEL),
        100,
        Fault::Status(400, refusal),
    );
    restart_at(&mut h, JAN5_0930);
    let notice = h
        .api
        .wait_until(|api| {
            api.sent_to(ADMIN).into_iter().find(|c| {
                c.body["text"]
                    .as_str()
                    .is_some_and(|t| t.contains(&CHANNEL.to_string()))
            })
        })
        .await
        .unwrap_or_else(|| panic!("the admins were told\n{}", h.bot.log_text()));
    let text = notice.body["text"].as_str().unwrap();
    assert!(text.contains("administrator"), "{text}");
    // The post is recorded as failed once, not retried forever.
    let tried = h
        .api
        .calls("sendPhoto")
        .iter()
        .filter(|c| c.body["chat_id"] == json!(CHANNEL))
        .count();
    crate::e2e_outreach::settle(&h).await;
    let later = h
        .api
        .calls("sendPhoto")
        .iter()
        .filter(|c| c.body["chat_id"] == json!(CHANNEL))
        .count();
    assert_eq!(tried, later, "a refused post is not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_post_that_fails_in_passing_goes_once_later() {
    const CHANNEL: i64 = -1_009_876_543_211;
    let catalog = crate::catalog::shipped();
    let mut h = builder()
        .env("QANTAR_CHANNELS", format!("{CHANNEL}:ru"))
        .start()
        .await;
    let readers = readers(7_527_000_000, 1);
    subscribe_all(&h, &readers).await;
    h.api
        .inject("sendPhoto", Some(CHANNEL), 1, Fault::server_error());
    restart_at(&mut h, JAN5_0930);
    let today = |r: &Reader| on_this_day(&catalog, r.lang, "2027-01-05");
    crate::e2e_outreach::wait_everyone(&h, &readers, today, Duration::from_secs(20)).await;
    let posted = h
        .api
        .wait_up_to(Duration::from_secs(30), |api| {
            let n = api.delivered_to(CHANNEL).len();
            (n >= 1).then_some(n)
        })
        .await
        .unwrap_or_else(|| panic!("posted after the retry\n{}", h.bot.log_text()));
    assert_eq!(posted, 1);
    crate::e2e_outreach::settle(&h).await;
    assert_eq!(h.api.delivered_to(CHANNEL).len(), 1, "posted once");
}

/// 11 January 2027, 09:30 in Almaty.
const JAN11_0930: &str = "2027-01-11T04:30:00Z";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_of_two_messages_retries_only_the_one_that_failed() {
    let tree = copy_tree();
    // Every event of 2 to 11 January 2022 moves to the 11th: a day too long for the
    // map's caption, so it goes as the map, then the text.
    edit_yaml(tree.path(), "timeline.yaml", |v| {
        for e in v["events"].as_sequence_mut().unwrap() {
            let date = e["date"].as_str().unwrap_or_default().to_string();
            if ("2022-01-02".."2022-01-11").contains(&date.as_str()) {
                e["date"] = Value::from("2022-01-11");
            }
        }
    });
    let mut h = builder().tree(tree.path()).start().await;
    let reader = readers(7_528_000_000, 1).remove(0);
    subscribe_all(&h, std::slice::from_ref(&reader)).await;
    // The text after the map fails once with a 502.
    h.api
        .inject("sendMessage", Some(reader.id()), 1, Fault::server_error());
    restart_at(&mut h, JAN11_0930);
    let both = h
        .api
        .wait_up_to(Duration::from_secs(30), |api| {
            let got = api.delivered_to(reader.id());
            (got.len() >= 3).then_some(got)
        })
        .await
        .unwrap_or_else(|| panic!("the day arrived whole\n{}", h.bot.log_text()));
    crate::e2e_outreach::settle(&h).await;
    let photos = h
        .api
        .delivered_to(reader.id())
        .iter()
        .filter(|c| c.method.eq_ignore_ascii_case("sendPhoto"))
        .count();
    assert_eq!(photos, 1, "the map went once: {both:?}");
    assert_eq!(
        h.api.delivered_to(reader.id()).len(),
        3,
        "the /subscribe answer, the map, the text"
    );
}

/// The admin's evening before 2 January, in one go: a channel that refuses, preview,
/// Confirm, /broadcasts, a reload while it sends, Cancel asked and declined, a purge
/// while it sends. Every message a reader got is the one previewed; every failure
/// reached the admin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admins_evening_every_reader_message_was_previewed_every_failure_told() {
    const GOOD: i64 = -1_009_100_001;
    const REFUSES: i64 = -1_009_100_002;
    let tree = copy_tree();
    let mut h = builder()
        .tree(tree.path())
        .env("QANTAR_BROADCAST_RATE", "4")
        .env("QANTAR_CHANNELS", format!("{GOOD}:ru,{REFUSES}:kk"))
        .start()
        .await;
    h.api.deny_posting(REFUSES);
    let refusal = json!({"ok": false, "error_code": 400,
        "description": "Bad Request: need administrator rights in the channel chat"});
    h.api.inject(
        "sendMessage",
        Some(REFUSES),
        100,
        Fault::Status(400, refusal.clone()),
    );
    h.api
        .inject("sendPhoto", Some(REFUSES), 100, Fault::Status(400, refusal));
    h.bot.wait_log("polling for updates", 1).await;
    // Restarted so the start-up channel check sees the refusing channel.
    let quiet = "2027-02-01T06:00:00Z";
    restart_at(&mut h, quiet);
    let before = Catalog::load(&tree.path().join("content"), &tree.path().join("locales")).unwrap();
    let readers = readers(7_529_000_000, 16);
    subscribe_all(&h, &readers).await;
    let admin = admin();
    let told = |api: &crate::fake_api::FakeApi, needle: &str| {
        api.delivered_to(ADMIN)
            .iter()
            .filter_map(|c| c.body["text"].as_str().map(str::to_string))
            .find(|t| t.contains(needle))
    };
    let start_notice = h
        .api
        .wait_until(|api| told(api, &REFUSES.to_string()))
        .await
        .expect("the refusing channel was told at start");
    eprintln!("ADMIN SAW (start): {start_notice}");
    let version = version_of(
        &before,
        &format!("announce:{ANNOUNCEMENT}"),
        &[Lang::Ru, Lang::Kk],
        BOT_USERNAME,
    )
    .unwrap();
    // The preview (a notice may arrive between its messages): its Confirm is what counts.
    let confirm = format!("1:a:{ANNOUNCEMENT}:{version}");
    h.api.send_text(
        admin.chat,
        &admin.from,
        &format!("/announce {ANNOUNCEMENT}"),
    );
    let message = h
        .api
        .wait_until(|api| {
            let sent = api.sent_to(ADMIN);
            let i = sent
                .iter()
                .rposition(|c| c.body["reply_markup"].to_string().contains(&confirm))?;
            Some(api.sent_message_id(ADMIN, i))
        })
        .await
        .expect("a preview whose Confirm carries the version of what it shows");
    let queued = press(&h, &admin, message, &confirm).await;
    eprintln!("ADMIN SAW (confirm): {}", queued.text);
    let previewed = |r: &Reader| announcement_in(&before, r.lang);
    let reached = |h: &Harness| tally(h, &readers, previewed).iter().sum::<usize>();
    h.api
        .wait_until(|_| (reached(&h) >= 3).then_some(()))
        .await
        .expect("sending");
    let list = broadcasts_now(&h).await;
    eprintln!(
        "ADMIN SAW (/broadcasts): {}",
        list[0].text.replace('\n', " | ")
    );
    assert!(
        list[0].text.contains("cannot post to the channel"),
        "{}",
        list[0].text
    );
    // A curator edits the announcement while it sends; the admin reloads.
    edit_yaml(tree.path(), "announcements.yaml", |v| {
        let list = v["announcements"].as_sequence_mut().unwrap();
        list[0]["text"]["en"] = Value::from("Edited while sending: nobody previewed this.");
    });
    h.bot.signal("HUP");
    h.bot.wait_log("content reloaded: generation 2", 1).await;
    // Cancel asked, then declined.
    let before_list = h.api.sent_to(ADMIN).len();
    h.api.send_text(admin.chat, &admin.from, "/broadcasts");
    h.api.wait_sent(ADMIN, before_list + 1).await;
    let list_id = h.api.sent_message_id(ADMIN, before_list);
    let job = format!("announce:{ANNOUNCEMENT}");
    let asked = press(&h, &admin, list_id, &format!("1:cj:{job}")).await;
    eprintln!("ADMIN SAW (Cancel): {}", asked.text);
    let kept = press(&h, &admin, list_id, &format!("1:kj:{job}")).await;
    eprintln!("ADMIN SAW (Keep sending): {}", kept.text);
    // Then an emergency purge from the command line, while it sends.
    h.api
        .wait_until(|_| (reached(&h) >= 6).then_some(()))
        .await
        .expect("still sending");
    let out = h.run_subcommand(&["purge", "--yes"], &[], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let at_purge = reached(&h);
    crate::e2e_outreach::settle(&h).await;
    let after = reached(&h);
    eprintln!(
        "READERS: {at_purge} had it at the purge, {after} after (of {})",
        readers.len()
    );
    assert!(after <= at_purge + 4);
    let list = broadcasts_now(&h).await;
    eprintln!(
        "ADMIN SAW (/broadcasts after purge): {}",
        list[0].text.replace('\n', " | ")
    );
    // Sent: the readers who got it and the channel that takes posts; failed: the one that
    // refuses; cancelled: everyone the purge removed. They add up to the 18 queued.
    let counts = format!(
        "sent {} · pending 0 · blocked 0 · failed 1 · cancelled {}",
        after + 1,
        readers.len() - after
    );
    assert!(list[0].text.contains(&counts), "{}", list[0].text);
    // What readers got: each the previewed text, at most once, and nothing else.
    let allowed: Vec<Shown> = Lang::ALL
        .iter()
        .map(|l| announcement_in(&before, *l))
        .collect();
    assert_eq!(strays(&h, &readers, &allowed), Vec::new());
    assert!(tally(&h, &readers, previewed).iter().all(|n| *n <= 1));
    let good = shown(&h.api.delivered_to(GOOD));
    eprintln!(
        "CHANNELS: {GOOD} got {} post(s); {REFUSES} got {}",
        good.len(),
        h.api.delivered_to(REFUSES).len()
    );
    assert_eq!(good.len(), 1);
    let post_notice = h
        .api
        .wait_until(|api| told(api, "need administrator rights"))
        .await;
    eprintln!("ADMIN SAW (post failed): {post_notice:?}");
    assert!(
        post_notice.is_some(),
        "the failed post itself was told, not only the check"
    );
}
