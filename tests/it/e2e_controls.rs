//! The operator's controls for the anniversary (issue 23), seen from outside the
//! process: the window of days "on this day" posts on.

use std::time::Duration;

use qantar_bot::lang::Lang;
use qantar_bot::render::View;

use crate::catalog::day;
use crate::e2e_outreach::{
    ADMIN, JAN5_0930, Reader, admin, builder, on_this_day, readers, restart_at, subscribe_all,
    tally, tell,
};

/// 20 December 2026, 09:30 in Almaty: a day with an event of the record (2021), weeks
/// before the anniversary.
const DEC20_0930: &str = "2026-12-20T04:30:00Z";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_posts_outside_the_window() {
    let catalog = crate::catalog::shipped();
    let mut h = builder().start().await;
    let readers = readers(7_540_000_000, 3);
    subscribe_all(&h, &readers).await;
    restart_at(&mut h, DEC20_0930);
    h.bot
        .wait_log(
            "outreach: window 01-02..01-19; next send 2027-01-02 09:00",
            1,
        )
        .await;
    crate::e2e_outreach::settle(&h).await;
    let that_day = |r: &Reader| on_this_day(&catalog, r.lang, "2026-12-20");
    assert_eq!(tally(&h, &readers, that_day), vec![0; readers.len()]);
    for r in &readers {
        assert_eq!(h.api.sent_to(r.id()).len(), 1, "only its /subscribe answer");
    }
    tell(
        &h,
        &admin(),
        "/rehearse 2026-12-20",
        Lang::En,
        View::RehearseOutsideWindow {
            day: day("2026-12-20"),
            window: "01-02..01-19".into(),
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_may_open_the_window_to_every_day() {
    let catalog = crate::catalog::shipped();
    let mut h = builder().env("QANTAR_DAILY_WINDOW", "all").start().await;
    let readers = readers(7_541_000_000, 2);
    subscribe_all(&h, &readers).await;
    restart_at(&mut h, DEC20_0930);
    let that_day = |r: &Reader| on_this_day(&catalog, r.lang, "2026-12-20");
    crate::e2e_outreach::wait_everyone(&h, &readers, that_day, Duration::from_secs(20)).await;
}

/// Sends `text` as the admin and returns the texts of the answer.
async fn admin_says(h: &crate::harness::Harness, text: &str) -> String {
    let admin = admin();
    let before = h.api.sent_to(ADMIN).len();
    h.api.send_text(admin.chat, &admin.from, text);
    let got = h.api.wait_sent(ADMIN, before + 1).await;
    crate::expect::shown(&got[before..])
        .iter()
        .map(|s| s.text.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_stops_everything_across_a_restart_and_resume_goes_on() {
    let catalog = crate::catalog::shipped();
    let mut h = builder()
        .env("QANTAR_BROADCAST_RATE", "4")
        .env("QANTAR_BROADCAST_IN_FLIGHT", "1")
        .start()
        .await;
    let readers = readers(7_542_000_000, 16);
    subscribe_all(&h, &readers).await;
    restart_at(&mut h, JAN5_0930);
    let today = |r: &Reader| on_this_day(&catalog, r.lang, "2027-01-05");
    let reached = |h: &crate::harness::Harness| tally(h, &readers, today).iter().sum::<usize>();
    h.api
        .wait_until(|_| (reached(&h) >= 2).then_some(()))
        .await
        .expect("the broadcast started");
    let answer = admin_says(&h, "/pause").await;
    assert!(answer.contains("Paused since"), "{answer}");
    assert!(answer.contains(&ADMIN.to_string()), "{answer}");
    let at_pause = reached(&h);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let stopped = reached(&h);
    assert!(
        stopped <= at_pause + 1,
        "{} after the pause",
        stopped - at_pause
    );
    crate::e2e_outreach::settle(&h).await;
    assert_eq!(reached(&h), stopped, "still sending while paused");
    // A restart does not undo the pause.
    restart_at(&mut h, JAN5_0930);
    crate::e2e_outreach::settle(&h).await;
    assert_eq!(reached(&h), stopped, "sending again after a restart");
    let list = admin_says(&h, "/broadcasts").await;
    assert!(list.contains("Paused since"), "{list}");
    let again = admin_says(&h, "/pause").await;
    assert!(again.contains("already paused"), "{again}");
    // Resume: everyone gets the day, once.
    let resumed = admin_says(&h, "/resume").await;
    assert!(resumed.contains("continues"), "{resumed}");
    crate::e2e_outreach::wait_everyone(&h, &readers, today, Duration::from_secs(30)).await;
    assert_eq!(tally(&h, &readers, today), vec![1; readers.len()]);
    let not = admin_says(&h, "/resume").await;
    assert!(not.contains("was not paused"), "{not}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_not_sent_a_quarter_hour_late_reaches_the_admins_and_healthz() {
    let mut h = builder().start().await;
    let listen = h.metrics_addr().unwrap();
    let readers = readers(7_543_000_000, 2);
    subscribe_all(&h, &readers).await;
    // Another replica holds the sender's lease and sends nothing (it hangs).
    let pool = sqlx::SqlitePool::connect(&h.db_url()).await.unwrap();
    sqlx::query(
        "INSERT OR REPLACE INTO outreach_lease (id, holder, expires) VALUES (1, 'stuck', 9000000000000)",
    )
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    // 09:30 in Almaty on 5 January: the day was due at 09:00.
    restart_at(&mut h, JAN5_0930);
    let notice = h
        .api
        .wait_up_to(Duration::from_secs(30), |api| {
            api.delivered_to(ADMIN).into_iter().find(|c| {
                c.body["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("day:2027-01-05") && t.contains("15 minutes"))
            })
        })
        .await;
    assert!(
        notice.is_some(),
        "the admins were told\n{}",
        h.bot.log_text()
    );
    let (status, body) = tokio::task::spawn_blocking(move || {
        crate::e2e_ops::http(listen, "GET", "/healthz", &[], "")
    })
    .await
    .unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains("day:2027-01-05 is due and not queued"),
        "{body}"
    );
    let (_, metrics) = tokio::task::spawn_blocking(move || {
        crate::e2e_ops::http(listen, "GET", "/metrics", &[], "")
    })
    .await
    .unwrap();
    assert!(
        metrics.contains("qantar_outreach_stalled_day_missing 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sendday_queues_a_missed_day_once_after_its_preview() {
    let catalog = crate::catalog::shipped();
    let h = builder().start().await;
    let readers = readers(7_544_000_000, 3);
    subscribe_all(&h, &readers).await;
    let admin = admin();
    tell(
        &h,
        &admin,
        "/sendday soon",
        Lang::En,
        View::SendDayBadDate("soon".into()),
    )
    .await;
    tell(
        &h,
        &admin,
        "/sendday 2027-01-14",
        Lang::En,
        View::RehearseNothing(day("2027-01-14")),
    )
    .await;
    // 2 January was missed (the bot here stands at 1 February).
    let before = h.api.sent_to(ADMIN).len();
    h.api
        .send_text(admin.chat, &admin.from, "/sendday 2027-01-02");
    let version = qantar_bot::outreach::snapshot::version_of(
        &catalog,
        "day:2027-01-02",
        &[],
        crate::fake_api::BOT_USERNAME,
    )
    .unwrap();
    let preview = View::SendDayPreview {
        day: day("2027-01-02"),
        recipients: crate::e2e_outreach::per_language(readers.iter().map(|r| r.lang)),
        channels: 0,
        version: version.clone(),
        changed: false,
    };
    let want = crate::e2e_outreach::reply(&h, Lang::En, &preview);
    let got = h.api.wait_sent(ADMIN, before + want.len()).await;
    assert_eq!(crate::expect::shown(&got[before..]), want);
    crate::e2e_outreach::settle(&h).await;
    let today = |r: &Reader| on_this_day(&catalog, r.lang, "2027-01-02");
    assert_eq!(
        tally(&h, &readers, today),
        vec![0; readers.len()],
        "nothing before Confirm"
    );
    let message = h.api.sent_message_id(ADMIN, before + want.len() - 1);
    let queued =
        crate::e2e_outreach::press(&h, &admin, message, &format!("1:sd:2027-01-02:{version}"))
            .await;
    assert_eq!(
        vec![queued],
        crate::e2e_outreach::reply(
            &h,
            Lang::En,
            &View::SendDayQueued {
                day: day("2027-01-02"),
                recipients: readers.len() as i64
            }
        )
    );
    crate::e2e_outreach::wait_everyone(&h, &readers, today, Duration::from_secs(20)).await;
    // Again: nobody gets it twice.
    let again = admin_says(&h, "/sendday 2027-01-02").await;
    assert!(again.contains("Nobody gets it twice"), "{again}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(tally(&h, &readers, today), vec![1; readers.len()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rehearse_as_a_language_or_as_a_channel() {
    use qantar_bot::render::{Links, render};
    let catalog = crate::catalog::shipped();
    let h = builder().start().await;
    let admin = admin();
    for (arg, lang, links) in [
        ("kk", Lang::Kk, Links::Buttons),
        (
            "channel",
            Lang::En,
            Links::DeepLinks {
                bot: crate::fake_api::BOT_USERNAME.into(),
            },
        ),
    ] {
        let want = crate::expect::expected(&render(
            &catalog,
            lang,
            &View::OnThisDay {
                day: day("2027-01-05"),
                links,
            },
        ));
        let before = h.api.delivered_to(ADMIN).len();
        h.api.send_text(
            admin.chat,
            &admin.from,
            &format!("/rehearse 2027-01-05 {arg}"),
        );
        let got = h
            .api
            .wait_until(|api| {
                let got = api.delivered_to(ADMIN);
                (got.len() > before + want.len()).then_some(got)
            })
            .await
            .unwrap_or_else(|| panic!("the rehearsal came\n{}", h.bot.log_text()));
        let shown = crate::expect::shown(&got[before..]);
        assert_eq!(
            &shown[..want.len()],
            &want[..],
            "/rehearse 2027-01-05 {arg}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_command_in_a_group_is_answered_in_private() {
    const GROUP: i64 = -1_005_550_001;
    let h = builder().start().await;
    let admin = admin();
    let in_group = crate::fake_api::Chat::Group(GROUP);
    h.api.send_text(in_group, &admin.from, "/broadcasts");
    let got = h.api.wait_sent(ADMIN, 1).await;
    assert_eq!(
        crate::expect::shown(&got),
        crate::e2e_outreach::reply(&h, Lang::En, &View::Broadcasts(Vec::new()))
    );
    // The group saw nothing of it, then or later.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        h.api.sent_to(GROUP).is_empty(),
        "{:?}",
        h.api.sent_to(GROUP)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_get_a_menu_and_a_help_of_their_own() {
    let h = builder().start().await;
    // The admin's own menu: a chat scope, the public commands then the admin's.
    let menu = h
        .api
        .wait_until(|api| {
            api.calls("setMyCommands")
                .into_iter()
                .find(|c| c.body["scope"]["type"] == "chat" && c.body["scope"]["chat_id"] == ADMIN)
        })
        .await
        .expect("an admin menu");
    let names: Vec<&str> = menu.body["commands"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["command"].as_str())
        .collect();
    for admin_command in [
        "announce",
        "broadcasts",
        "sendday",
        "rehearse",
        "pause",
        "resume",
    ] {
        assert!(names.contains(&admin_command), "{names:?}");
    }
    assert!(names.contains(&"timeline"), "{names:?}");
    // No menu for everyone carries an admin command.
    for c in h.api.calls("setMyCommands") {
        if c.body["scope"]["type"] != "chat" {
            assert!(!c.body.to_string().contains("\"pause\""), "{}", c.body);
        }
    }
    tell(&h, &admin(), "/help", Lang::En, View::AdminHelp).await;
    let reader = readers(7_545_000_000, 1).remove(0);
    tell(&h, &reader, "/help", reader.lang, View::Help).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_the_bot_cannot_post_to_is_named_at_start() {
    const CHANNEL: i64 = -1_005_550_002;
    const FINE: i64 = -1_005_550_003;
    let api_setup = |h: &crate::harness::Harness| h.api.deny_posting(CHANNEL);
    let mut h = builder()
        .env("QANTAR_CHANNELS", format!("{CHANNEL}:kk,{FINE}:ru"))
        .start()
        .await;
    api_setup(&h);
    h.bot.wait_log("polling for updates", 1).await;
    // The check runs at start: restart now that the fake knows.
    restart_at(&mut h, "2027-02-01T06:00:00Z");
    let notice = h
        .api
        .wait_until(|api| {
            api.delivered_to(ADMIN).into_iter().find(|c| {
                c.body["text"]
                    .as_str()
                    .is_some_and(|t| t.contains(&CHANNEL.to_string()))
            })
        })
        .await
        .unwrap_or_else(|| panic!("the admins were told\n{}", h.bot.log_text()));
    let text = notice.body["text"].as_str().unwrap().to_string();
    assert!(text.contains("right to post"), "{text}");
    assert!(!text.contains(&FINE.to_string()), "{text}");
    // This process's own check may finish a moment after the notice of the last one.
    let mut list = String::new();
    for _ in 0..20 {
        list = admin_says(&h, "/broadcasts").await;
        if list.contains(&format!("cannot post to the channel {CHANNEL}")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(
        list.contains(&format!("cannot post to the channel {CHANNEL}")),
        "{list}"
    );
    assert!(!list.contains(&FINE.to_string()), "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_announcement_goes_at_its_time_and_not_before() {
    use crate::e2e_outreach::ANNOUNCEMENT;
    let tree = crate::broken_content::copy_tree();
    // 12:00 in Almaty on 1 February 2027; the bot stands at 11:00.
    crate::broken_content::edit_yaml(tree.path(), "announcements.yaml", |v| {
        let list = v["announcements"].as_sequence_mut().unwrap();
        let a = list
            .iter_mut()
            .find(|a| a["id"].as_str() == Some(ANNOUNCEMENT))
            .unwrap();
        a["send_at"] = serde_yaml::Value::from("2027-02-01T12:00");
    });
    let mut h = builder().tree(tree.path()).start().await;
    let catalog = qantar_bot::catalog::Catalog::load(
        &tree.path().join("content"),
        &tree.path().join("locales"),
    )
    .unwrap();
    let readers = readers(7_546_000_000, 3);
    subscribe_all(&h, &readers).await;
    let admin = admin();
    let version = qantar_bot::outreach::snapshot::version_of(
        &catalog,
        &format!("announce:{ANNOUNCEMENT}"),
        &[],
        crate::fake_api::BOT_USERNAME,
    )
    .unwrap();
    let preview = admin_says(&h, &format!("/announce {ANNOUNCEMENT}")).await;
    assert!(
        preview.contains("Scheduled: Confirm does not send it now"),
        "{preview}"
    );
    let n = h.api.sent_to(ADMIN).len();
    let message = h.api.sent_message_id(ADMIN, n - 1);
    let confirmed = crate::e2e_outreach::press(
        &h,
        &admin,
        message,
        &format!("1:a:{ANNOUNCEMENT}:{version}"),
    )
    .await;
    assert!(
        confirmed.text.contains("is scheduled for 2027-02-01 12:00"),
        "{}",
        confirmed.text
    );
    let news = |r: &Reader| {
        let want = crate::expect::expected(&qantar_bot::render::render(
            &catalog,
            r.lang,
            &View::Announcement {
                id: ANNOUNCEMENT.into(),
                links: qantar_bot::render::Links::Buttons,
            },
        ));
        want.into_iter().next().unwrap()
    };
    crate::e2e_outreach::settle(&h).await;
    assert_eq!(
        tally(&h, &readers, news),
        vec![0; readers.len()],
        "not before its time"
    );
    let list = admin_says(&h, "/broadcasts").await;
    assert!(
        list.contains("scheduled: goes at 2027-02-01 12:00"),
        "{list}"
    );
    // 12:01 in Almaty: it goes.
    restart_at(&mut h, "2027-02-01T07:01:00Z");
    crate::e2e_outreach::wait_everyone(&h, &readers, news, Duration::from_secs(20)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rehearsal_reaches_the_admins_alone_at_the_rehearsed_nine() {
    const REAL_CHANNEL: i64 = -1_005_550_010;
    const TEST_CHANNEL: i64 = -1_005_550_011;
    // The real clock here (no test clock): nothing is due until the rehearsal moves it.
    let mut h = crate::harness::Harness::builder()
        .with_metrics()
        .env("QANTAR_ADMINS", ADMIN.to_string())
        .env("QANTAR_CHANNELS", format!("{REAL_CHANNEL}:ru"))
        .start()
        .await;
    let readers = readers(7_547_000_000, 3);
    subscribe_all(&h, &readers).await;
    let status = h.bot.terminate();
    assert!(status.success(), "{}", h.bot.log_text());
    // Three seconds before 09:00 in Almaty on 5 January 2027, and the clock runs on.
    h.respawn_with(&[
        ("QANTAR_REHEARSAL_AT", "2027-01-05T08:59:57".to_string()),
        ("QANTAR_REHEARSAL_CHANNEL", format!("{TEST_CHANNEL}:kk")),
    ]);
    h.bot.wait_log("REHEARSAL MODE", 1).await;
    let rehearsal = |api: &crate::fake_api::FakeApi, chat: i64| {
        api.delivered_to(chat).into_iter().find(|c| {
            let text = c.body["caption"].as_str().or(c.body["text"].as_str());
            text.is_some_and(|t| t.contains("REHEARSAL") || t.contains("РЕПЕТИЦИЯ"))
        })
    };
    let to_admin = h
        .api
        .wait_up_to(Duration::from_secs(30), |api| rehearsal(api, ADMIN))
        .await
        .unwrap_or_else(|| panic!("the admin got the day\n{}", h.bot.log_text()));
    let text = to_admin.body["caption"]
        .as_str()
        .or(to_admin.body["text"].as_str())
        .unwrap()
        .to_string();
    assert!(text.contains("5 January 2022"), "{text}");
    h.api
        .wait_up_to(Duration::from_secs(20), |api| rehearsal(api, TEST_CHANNEL))
        .await
        .unwrap_or_else(|| panic!("the rehearsal channel got it\n{}", h.bot.log_text()));
    crate::e2e_outreach::settle(&h).await;
    for r in &readers {
        assert_eq!(
            h.api.sent_to(r.id()).len(),
            1,
            "a subscriber got more than its /subscribe answer"
        );
    }
    assert!(
        h.api.sent_to(REAL_CHANNEL).is_empty(),
        "the real channel got a post"
    );
    // Interactive replies work as usual.
    tell(&h, &readers[0], "/help", readers[0].lang, View::Help).await;
}
