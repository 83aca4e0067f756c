//! Every view of the shipped record, in every language: no Fluent errors, within
//! Telegram's limits, valid Telegram HTML; and the three languages carry the same facts.

use qantar_bot::catalog::Catalog;
use qantar_bot::input::callback_data::Callback;
use qantar_bot::lang::Lang;
use qantar_bot::render::html::{check_telegram_html, utf16_len};
use qantar_bot::render::split::MESSAGE_LIMIT;
use qantar_bot::render::{ButtonAction, JobProgress, Links, View, days_with_events, render};

use crate::process::repo;

pub fn shipped() -> Catalog {
    Catalog::load(&repo().join("content"), &repo().join("locales"))
        .unwrap_or_else(|p| panic!("shipped content must load:\n{p}"))
}

pub fn all_views(catalog: &Catalog) -> Vec<View> {
    let mut views = vec![
        View::Start { picker: false },
        View::Start { picker: true },
        View::Help,
        View::Summary,
        View::Sources,
        View::Event("no_such_event".into()),
        View::Timeline { page: 999 },
        View::Petition,
        View::LangMenu,
        View::LangChanged,
        View::LangUnknown("<b>fr&</b>".into()),
        View::LangSaveFailed(Lang::Kk),
        View::NotACommand,
        View::UnknownCommand("frobnicate".into()),
        View::Topic("no_such_topic".into()),
    ];
    views.extend(
        catalog
            .content
            .summary
            .topics
            .iter()
            .map(|t| View::Topic(t.id.clone())),
    );
    let pages = qantar_bot::render::page_count(&catalog.content);
    views.extend((0..pages).map(|page| View::Timeline { page }));
    views.extend(
        catalog
            .content
            .events
            .iter()
            .map(|e| View::Event(e.id.clone())),
    );
    views.extend(outreach_views(catalog));
    views
}

/// The bot username in deep links of channel posts.
pub const BOT: &str = "qantar_bot";

pub fn day(s: &str) -> qantar_bot::content::Date {
    s.parse().unwrap()
}

pub fn job(job: &str, sent: i64, pending: i64, per_second: f64) -> JobProgress {
    JobProgress {
        job: job.into(),
        total: sent + pending,
        sent,
        pending,
        blocked: 0,
        failed: 0,
        cancelled_count: 0,
        per_second,
        eta_seconds: None,
        cancelled: false,
        scheduled_for: None,
    }
}

/// What is sent unprompted and what its admin sees: every day with events as it comes
/// in 2027 (as chats get it, and two as channels do), a day without events, every
/// announcement both ways, and the admin views, with refusals for unknown ids.
pub fn outreach_views(catalog: &Catalog) -> Vec<View> {
    let c = &catalog.content;
    let channel = || Links::DeepLinks { bot: BOT.into() };
    let mut views: Vec<View> = days_with_events(c)
        .into_iter()
        .map(|(m, d)| View::OnThisDay {
            day: day(&format!("2027-{m:02}-{d:02}")),
            links: Links::Buttons,
        })
        .collect();
    for d in ["2027-01-05", "2027-04-24"] {
        views.push(View::OnThisDay {
            day: day(d),
            links: channel(),
        });
    }
    views.push(View::OnThisDay {
        day: day("2027-02-01"),
        links: Links::Buttons,
    });
    for a in &c.announcements {
        for links in [Links::Buttons, channel()] {
            views.push(View::Announcement {
                id: a.id.clone(),
                links,
            });
        }
        views.push(View::AnnouncePreview {
            id: a.id.clone(),
            recipients: vec![(Lang::Ru, 1234), (Lang::Kk, 21), (Lang::En, 1)],
            channels: 2,
            version: "0123456789".into(),
            changed: false,
        });
    }
    let mut ids: Vec<String> = c.announcements.iter().map(|a| a.id.clone()).collect();
    ids.push("retired_one".into());
    let mut running = job("day:2027-01-05", 61_234, 38_766, 24.87);
    running.blocked = 412;
    running.failed = 3;
    running.eta_seconds = Some(1_559);
    let mut cancelled = job("announce:petition", 900, 0, 0.0);
    cancelled.cancelled = true;
    cancelled.cancelled_count = 9_100;
    cancelled.total = 10_000;
    let mut changed = View::AnnouncePreview {
        id: "petition".into(),
        recipients: vec![(Lang::Ru, 12), (Lang::Kk, 3)],
        channels: 1,
        version: "abcdef0123".into(),
        changed: true,
    };
    if c.announcement("petition").is_none() {
        changed = View::AnnounceCancelled;
    }
    let mut slow = job("announce:record_to_2023", 10, 99_990, 0.0);
    slow.eta_seconds = None;
    let mut long = job("day:2027-01-06", 0, 100_000, 1.0);
    long.eta_seconds = Some(100_000);
    views.extend([
        View::Announcement {
            id: "no_such_announcement".into(),
            links: Links::Buttons,
        },
        View::AnnounceList(ids),
        View::AnnounceList(Vec::new()),
        View::AnnouncePreview {
            id: "no_such_announcement".into(),
            recipients: Vec::new(),
            channels: 0,
            version: "0123456789".into(),
            changed: false,
        },
        View::AnnounceQueued {
            id: "anniversary_begins".into(),
            recipients: 100_021,
        },
        changed,
        View::AnnounceExists(job("announce:petition", 650, 0, 20.0)),
        View::AnnounceExists(job("announce:petition", 124, 269, 20.0)),
        View::AnnounceExists(cancelled.clone()),
        View::AnnounceQueueFailed("petition".into()),
        View::AnnounceScheduled {
            id: "anniversary_begins".into(),
            recipients: 1_234,
            at: "2027-01-02 09:00 +05".into(),
        },
        View::Broadcasts(vec![{
            let mut scheduled = job("announce:anniversary_begins", 0, 1_234, 0.0);
            scheduled.scheduled_for = Some("2027-01-02 09:00 +05".into());
            scheduled
        }]),
        View::AnnounceUnknown("<b>nope&</b>".into()),
        View::Broadcasts(vec![
            running,
            cancelled,
            slow,
            long,
            job("day:2027-01-04", 5_000, 0, 0.0),
        ]),
        View::Broadcasts(Vec::new()),
        View::BroadcastCancelled("day:2027-01-05".into()),
        View::BroadcastNotRunning("announce:petition".into()),
        View::BroadcastsPaused {
            since: "2027-01-02 08:55 +05".into(),
            by: 7_400_000_001,
            jobs: vec![job("day:2027-01-02", 120, 880, 0.0)],
        },
        View::Paused {
            since: "2027-01-02 08:55 +05".into(),
            by: 7_400_000_001,
            already: false,
        },
        View::Paused {
            since: "2027-01-02 08:55 +05".into(),
            by: 7_400_000_002,
            already: true,
        },
        View::CancelAsk(job("day:2027-01-05", 124, 269, 20.0)),
        View::ChannelTrouble {
            problems: vec![(
                "@qantar_kk".into(),
                "the bot is not an administrator with the right to post messages".into(),
            )],
            then: Box::new(View::Broadcasts(vec![job("day:2027-01-05", 10, 90, 5.0)])),
        },
        View::SendDayPreview {
            day: day("2027-01-02"),
            recipients: vec![(Lang::Ru, 12), (Lang::Kk, 3)],
            channels: 2,
            version: "0123456789".into(),
            changed: false,
        },
        View::SendDayPreview {
            day: day("2027-01-02"),
            recipients: vec![(Lang::En, 1)],
            channels: 0,
            version: "0123456789".into(),
            changed: true,
        },
        View::SendDayQueued {
            day: day("2027-01-02"),
            recipients: 1_234,
        },
        View::DayExists(job("day:2027-01-02", 1_000, 0, 20.0)),
        View::DayExists(job("day:2027-01-02", 100, 900, 20.0)),
        View::SendDayBadDate("soon".into()),
        View::JobKept("day:2027-01-05".into()),
        View::JobResumed("announce:petition".into()),
        View::JobNotCancelled("announce:petition".into()),
        View::Resumed(true),
        View::Resumed(false),
        View::PauseFailed,
        View::BroadcastCancelFailed("day:2027-01-05".into()),
        View::AnnounceCancelled,
        View::RehearseSent(day("2027-01-05")),
        View::RehearseBadDate("5th of <January>".into()),
        View::RehearseNothing(day("2027-01-08")),
        View::RehearseOutsideWindow {
            day: day("2026-12-20"),
            window: "01-02..01-19".into(),
        },
        View::RehearseUnreachable,
        View::RehearseFailed,
    ]);
    views
}

#[test]
fn every_view_renders_cleanly_in_every_language() {
    let catalog = shipped();
    for lang in Lang::ALL {
        for view in all_views(&catalog) {
            let reply = render(&catalog, lang, &view);
            assert!(!reply.messages.is_empty(), "{view:?} in {lang} is empty");
            for button in reply
                .messages
                .iter()
                .flat_map(|m| m.keyboard.iter().flatten())
            {
                assert!(
                    !button.label.trim().is_empty(),
                    "{view:?} in {lang}: empty label"
                );
                let (data, apart) = match &button.action {
                    ButtonAction::Callback(cb) => (cb.to_string(), false),
                    ButtonAction::NewMessage(cb) => (cb.new_message_data(), true),
                    _ => continue,
                };
                assert!(data.len() <= 64, "{data}");
                let parsed = Callback::parse_press(&data).map(|(cb, apart)| {
                    let action = if apart {
                        ButtonAction::NewMessage(cb)
                    } else {
                        ButtonAction::Callback(cb)
                    };
                    (action, apart)
                });
                assert_eq!(parsed, Ok((button.action.clone(), apart)));
            }
            for m in reply.texts() {
                assert!(
                    utf16_len(m) <= MESSAGE_LIMIT,
                    "{view:?} in {lang}: {} units",
                    utf16_len(m)
                );
                if let Err(e) = check_telegram_html(m) {
                    panic!("{view:?} in {lang}: {e}\n{m}");
                }
                assert!(
                    !m.contains('\u{2068}'),
                    "isolation marks leaked into {view:?}"
                );
            }
        }
    }
    assert_eq!(
        catalog.locales.format_errors(),
        0,
        "a Fluent message failed to format"
    );
}

#[test]
fn ready_replies_are_exactly_what_render_gives() {
    let catalog = shipped();
    for lang in Lang::ALL {
        for view in all_views(&catalog) {
            assert_eq!(
                *catalog.reply(lang, &view),
                render(&catalog, lang, &view),
                "{view:?} in {lang}"
            );
        }
        // Everything a reader reaches without typing is ready; echoes of input are not.
        for view in all_views(&catalog) {
            // Outreach views depend on the date, the audience or the queue: never ready.
            let outreach = outreach_views(&catalog).contains(&view);
            let echoes = outreach
                || matches!(&view, View::LangUnknown(_) | View::UnknownCommand(_))
                || matches!(&view, View::Timeline { page } if *page >= 999)
                || matches!(&view, View::Event(id) | View::Topic(id) if id.starts_with("no_such"));
            assert_eq!(
                catalog.ready.get(lang, &view).is_some(),
                !echoes,
                "{view:?} in {lang}"
            );
        }
    }
}

#[test]
fn each_timeline_page_is_one_message_and_every_event_is_on_one_page() {
    let catalog = shipped();
    let pages = qantar_bot::render::page_count(&catalog.content);
    assert!(pages > 1, "the shipped timeline needs paging");
    for lang in Lang::ALL {
        let rendered: Vec<_> = (0..pages)
            .map(|page| render(&catalog, lang, &View::Timeline { page }))
            .collect();
        for (page, reply) in rendered.iter().enumerate() {
            assert_eq!(reply.messages.len(), 1, "page {page} in {lang}");
            // Only the last page carries the petition's buttons.
            let has_sign = reply.messages[0].keyboard.iter().flatten().any(
                |b| matches!(&b.action, ButtonAction::Url(u) if *u == catalog.content.petition.url),
            );
            assert_eq!(has_sign, page + 1 == pages, "page {page}");
        }
        for e in &catalog.content.events {
            let title = qantar_bot::render::html::escape(e.title.get(lang));
            let holders = rendered
                .iter()
                .filter(|r| r.messages[0].html.contains(&title))
                .count();
            assert_eq!(holders, 1, "event {} in {lang}", e.id);
        }
    }
}

#[test]
fn replies_differ_by_language() {
    let catalog = shipped();
    for view in [
        View::Start { picker: false },
        View::Help,
        View::Summary,
        View::Timeline { page: 0 },
        View::Petition,
    ] {
        let en = render(&catalog, Lang::En, &view).texts().join("");
        let ru = render(&catalog, Lang::Ru, &view).texts().join("");
        let kk = render(&catalog, Lang::Kk, &view).texts().join("");
        assert!(en != ru && ru != kk && en != kk, "{view:?}");
        // Kazakh-only letters show the Kazakh text really is Kazakh.
        assert!(kk.chars().any(|c| "әғқңөұүһі".contains(c)), "{view:?}");
    }
}

#[test]
fn every_source_link_is_https_and_every_event_cites_a_source() {
    let catalog = shipped();
    let c = &catalog.content;
    assert!(c.events.len() >= 15, "at least 15 dated events");
    for s in &c.sources {
        if let Some(url) = &s.url {
            assert!(url.starts_with("https://"), "{}", s.id);
        }
    }
    for e in &c.events {
        assert!(!e.sources.is_empty());
        for id in &e.sources {
            assert!(c.source(id).is_some(), "{} cites {id}", e.id);
        }
    }
    assert_eq!(
        c.petition.url,
        "https://www.change.org/p/toyota-motor-company-help-kazakhstan-stop-russian-intervention"
    );
    assert_eq!(
        (c.petition.count.signatures, c.petition.count.goal),
        (331, 500)
    );
}

#[test]
fn dates_are_written_the_way_each_language_writes_them() {
    let catalog = shipped();
    let date = "2022-01-02".parse().unwrap();
    let f = |lang| qantar_bot::render::format_date(&catalog.locales, lang, date);
    assert_eq!(f(Lang::En), "2 January 2022");
    assert_eq!(f(Lang::Ru), "2 января 2022 г.");
    assert_eq!(f(Lang::Kk), "2022 жылғы 2 қаңтар");
    let month = "2022-05".parse().unwrap();
    let m = |lang| qantar_bot::render::format_date(&catalog.locales, lang, month);
    assert_eq!(m(Lang::Ru), "май 2022 г.");
}

#[test]
fn russian_plurals_use_all_their_forms() {
    use fluent::FluentValue;
    use qantar_bot::i18n::{Msg, args};
    let catalog = shipped();
    let count = |n: u32| {
        let a = args([
            ("signatures", FluentValue::from(n)),
            ("goal", FluentValue::from(500)),
            ("date", "январь 2022 г.".into()),
            ("publisher", "Change.org".into()),
        ]);
        catalog
            .locales
            .try_text(Lang::Ru, Msg::PetitionCount, Some(&a))
            .unwrap()
    };
    assert!(count(1).starts_with("1 подпись "));
    assert!(count(3).starts_with("3 подписи "));
    assert!(count(331).starts_with("331 подпись "));
    assert!(count(5).starts_with("5 подписей "));
    assert!(count(11).starts_with("11 подписей "));
}
