//! "On this day" and announcements as the scheduler and sender will use them: the days
//! to plan, plurals of "N years ago", grouping by year, both kinds of buttons, and the
//! offline preview of a day.

use std::process::Command;

use qantar_bot::catalog::Catalog;
use qantar_bot::input::callback_data::Callback;
use qantar_bot::input::deep_link::Payload;
use qantar_bot::lang::Lang;
use qantar_bot::render::map::{CAPTION_LIMIT, visible_len};
use qantar_bot::render::{ButtonAction, Links, Reply, View, days_with_events, render};
use serde_yaml::Value;

use crate::broken_content::{copy_tree, edit_yaml};
use crate::catalog::{BOT, day, shipped};
use crate::process::repo;

fn on_this_day(catalog: &Catalog, lang: Lang, date: &str, links: Links) -> Reply {
    render(
        catalog,
        lang,
        &View::OnThisDay {
            day: day(date),
            links,
        },
    )
}

fn actions(reply: &Reply) -> Vec<&ButtonAction> {
    reply
        .messages
        .iter()
        .flat_map(|m| m.keyboard.iter().flatten())
        .map(|b| &b.action)
        .collect()
}

#[test]
fn the_days_to_plan_are_the_days_with_dated_events() {
    let catalog = shipped();
    let days = days_with_events(&catalog.content);
    let mut sorted = days.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(days, sorted, "in calendar order, each once");
    for (m, d) in [(1, 2), (1, 5), (1, 19), (4, 24), (5, 5), (12, 20)] {
        assert!(days.contains(&(m, d)), "{m}-{d}");
    }
    assert!(!days.contains(&(2, 1)));
    for e in &catalog.content.events {
        if let Some(d) = e.date.day {
            assert!(days.contains(&(e.date.month, d)), "{}", e.id);
        }
    }
}

/// The title's plural in every language, for the numbers where Russian changes form.
#[test]
fn years_ago_agrees_with_its_number() {
    let catalog = shipped();
    let expect = [
        (
            1,
            "1 year ago today",
            "В этот день 1 год назад",
            "Бұдан 1 жыл бұрын",
        ),
        (
            2,
            "2 years ago today",
            "В этот день 2 года назад",
            "Бұдан 2 жыл бұрын",
        ),
        (
            4,
            "4 years ago today",
            "В этот день 4 года назад",
            "Бұдан 4 жыл бұрын",
        ),
        (
            5,
            "5 years ago today",
            "В этот день 5 лет назад",
            "Бұдан 5 жыл бұрын",
        ),
        (
            11,
            "11 years ago today",
            "В этот день 11 лет назад",
            "Бұдан 11 жыл бұрын",
        ),
        (
            21,
            "21 years ago today",
            "В этот день 21 год назад",
            "Бұдан 21 жыл бұрын",
        ),
    ];
    for (n, en, ru, kk) in expect {
        let date = format!("{}-01-05", 2022 + n);
        for (lang, want) in [(Lang::En, en), (Lang::Ru, ru), (Lang::Kk, kk)] {
            let reply = on_this_day(&catalog, lang, &date, Links::Buttons);
            let text = &reply.messages[0].html;
            assert!(text.contains(want), "{n} in {lang}: {text}");
        }
    }
    assert_eq!(catalog.locales.format_errors(), 0);
}

#[test]
fn a_day_is_one_message_with_a_button_per_event_and_the_petition() {
    let catalog = shipped();
    let on_fifth: Vec<&str> = catalog
        .content
        .events
        .iter()
        .filter(|e| e.date.to_string() == "2022-01-05")
        .map(|e| e.id.as_str())
        .collect();
    assert!(on_fifth.len() > 1);
    for lang in Lang::ALL {
        let chat = on_this_day(&catalog, lang, "2027-01-05", Links::Buttons);
        assert_eq!(chat.messages.len(), 1, "{lang}");
        let opened: Vec<Callback> = actions(&chat)
            .into_iter()
            .filter_map(|a| match a {
                // Answered apart: opening one event keeps the day's list.
                ButtonAction::NewMessage(cb @ Callback::Event(_)) => Some(cb.clone()),
                _ => None,
            })
            .collect();
        let wanted: Vec<Callback> = on_fifth
            .iter()
            .map(|id| Callback::Event(id.to_string()))
            .collect();
        assert_eq!(opened, wanted, "{lang}");

        let channel = on_this_day(
            &catalog,
            lang,
            "2027-01-05",
            Links::DeepLinks {
                bot: format!("@{BOT}"),
            },
        );
        let links: Vec<Payload> = actions(&channel)
            .into_iter()
            .filter_map(|a| match a {
                ButtonAction::Url(u) => u
                    .strip_prefix(&format!("https://t.me/{BOT}?start="))
                    .and_then(Payload::parse),
                _ => None,
            })
            .collect();
        let wanted: Vec<Payload> = on_fifth
            .iter()
            .map(|id| Payload::Event(id.to_string()))
            .collect();
        assert_eq!(links, wanted, "{lang}");
        // A channel post has no callback buttons and no inline share.
        assert!(
            actions(&channel)
                .iter()
                .all(|a| matches!(a, ButtonAction::Url(_))),
            "{lang}"
        );
        for reply in [&chat, &channel] {
            assert!(
                actions(reply).iter().any(
                    |a| matches!(a, ButtonAction::Url(u) if *u == catalog.content.petition.url)
                ),
                "{lang}: no petition button"
            );
        }
    }
}

#[test]
fn events_of_different_years_are_grouped_each_with_its_own_years_ago() {
    let dir = copy_tree();
    // The last event moves to 5 January 2024: still in date order (the record ends in
    // April 2023), now sharing a day.
    edit_yaml(dir.path(), "timeline.yaml", |v| {
        let events = v["events"].as_sequence_mut().unwrap();
        let last = events.last_mut().unwrap();
        last["date"] = Value::from("2024-01-05");
    });
    let catalog = Catalog::load(&dir.path().join("content"), &dir.path().join("locales"))
        .unwrap_or_else(|p| panic!("{p}"));
    let reply = on_this_day(&catalog, Lang::Ru, "2027-01-05", Links::Buttons);
    assert_eq!(reply.messages.len(), 1);
    let text = &reply.messages[0].html;
    let five = text.find("5 лет назад: 5 января 2022 г.").expect(text);
    let three = text.find("3 года назад: 5 января 2024 г.").expect(text);
    assert!(five < three, "oldest year first: {text}");
    let last = catalog.content.events.last().unwrap();
    let opened: Vec<&ButtonAction> = actions(&reply);
    assert!(
        opened.contains(&&ButtonAction::NewMessage(Callback::Event(last.id.clone()))),
        "{opened:?}"
    );
}

#[test]
fn a_day_without_events_and_events_not_yet_past_say_so() {
    let catalog = shipped();
    for (date, lang, says) in [
        ("2027-02-01", Lang::En, "no event dated 1 February"),
        ("2027-02-01", Lang::Ru, "на 1 февраля"),
        ("2027-02-01", Lang::Kk, "1 ақпан күні"),
        // In 2022 itself nothing is "years ago" yet.
        ("2022-01-05", Lang::En, "no event dated 5 January"),
    ] {
        let reply = on_this_day(&catalog, lang, date, Links::Buttons);
        assert_eq!(reply.messages.len(), 1);
        assert!(reply.messages[0].html.contains(says), "{date} {lang}");
        assert!(reply.messages[0].keyboard.is_empty());
    }
}

/// "On this day" carries that day's map, in the reader's language: the very picture
/// `/map` sends for that day, so a file_id uploaded for one serves the other.
#[test]
fn on_this_day_carries_that_days_map_as_its_photo() {
    let catalog = shipped();
    for lang in Lang::ALL {
        let map = render(
            &catalog,
            lang,
            &View::Map {
                day: day("2022-01-05"),
            },
        );
        for links in [Links::Buttons, Links::DeepLinks { bot: BOT.into() }] {
            let reply = on_this_day(&catalog, lang, "2027-01-05", links);
            let photo = reply.photo.as_ref().expect("a map");
            assert_eq!(photo.day, day("2022-01-05"));
            assert_eq!(Some(photo), map.photo.as_ref(), "{lang}");
            // One message: the photo, the day's text as its caption, its buttons under it.
            assert_eq!(reply.messages.len(), 1);
            assert!(visible_len(&reply.messages[0].html) <= CAPTION_LIMIT);
            assert!(!reply.messages[0].keyboard.is_empty());
        }
    }
    // Every day of the record: a map when that day of 2022 or later is on the map, with
    // the text as its caption or, were it too long, after the map's title.
    for (m, d) in days_with_events(&catalog.content) {
        for lang in Lang::ALL {
            let reply = on_this_day(
                &catalog,
                lang,
                &format!("2027-{m:02}-{d:02}"),
                Links::Buttons,
            );
            if let Some(photo) = &reply.photo {
                assert_eq!((photo.day.month, photo.day.day), (m, Some(d)));
                assert!(
                    visible_len(&reply.messages[0].html) <= CAPTION_LIMIT,
                    "{m}-{d} {lang}"
                );
            }
        }
    }
    // January 2022's days all have a map; a day without events has none.
    for date in ["2027-01-02", "2027-01-19"] {
        assert!(
            on_this_day(&catalog, Lang::Kk, date, Links::Buttons)
                .photo
                .is_some(),
            "{date}"
        );
    }
    for date in ["2027-02-01", "2022-01-05"] {
        assert!(
            on_this_day(&catalog, Lang::En, date, Links::Buttons)
                .photo
                .is_none(),
            "{date}"
        );
    }
}

/// A day whose text outgrows a caption (1,024 characters) sends the map with its title,
/// then the text with the buttons.
#[test]
fn a_day_too_long_for_a_caption_follows_its_map() {
    let dir = copy_tree();
    // Every event of 2 to 11 January 2022 moves to the 11th: still in date order.
    edit_yaml(dir.path(), "timeline.yaml", |v| {
        for e in v["events"].as_sequence_mut().unwrap() {
            let date = e["date"].as_str().unwrap_or_default().to_string();
            if ("2022-01-02".."2022-01-11").contains(&date.as_str()) {
                e["date"] = Value::from("2022-01-11");
            }
        }
    });
    let catalog = Catalog::load(&dir.path().join("content"), &dir.path().join("locales"))
        .unwrap_or_else(|p| panic!("{p}"));
    for lang in Lang::ALL {
        let reply = on_this_day(&catalog, lang, "2027-01-11", Links::Buttons);
        assert!(reply.photo.is_some());
        assert_eq!(reply.messages.len(), 2, "{lang}");
        let (title, text) = (&reply.messages[0], &reply.messages[1]);
        assert!(title.html.starts_with("🗺 <b>"), "{}", title.html);
        assert!(title.keyboard.is_empty());
        assert!(
            visible_len(&text.html) > CAPTION_LIMIT,
            "the case under test"
        );
        assert!(!text.keyboard.is_empty());
    }
}

#[test]
fn announcement_buttons_open_the_bot_in_chats_and_by_link_in_channels() {
    let catalog = shipped();
    for a in &catalog.content.announcements {
        for lang in Lang::ALL {
            let chat = render(
                &catalog,
                lang,
                &View::Announcement {
                    id: a.id.clone(),
                    links: Links::Buttons,
                },
            );
            let channel = render(
                &catalog,
                lang,
                &View::Announcement {
                    id: a.id.clone(),
                    links: Links::DeepLinks { bot: BOT.into() },
                },
            );
            for reply in [&chat, &channel] {
                assert_eq!(reply.messages.len(), 1, "{} in {lang}", a.id);
                assert_eq!(actions(reply).len(), a.buttons.len(), "{} in {lang}", a.id);
            }
            for action in actions(&channel) {
                let ButtonAction::Url(url) = action else {
                    panic!("{}: a channel post with a callback button", a.id);
                };
                if let Some(payload) = url.strip_prefix(&format!("https://t.me/{BOT}?start=")) {
                    assert!(Payload::parse(payload).is_some(), "{url}");
                } else {
                    assert_eq!(*url, catalog.content.petition.url);
                }
            }
        }
    }
}

#[test]
fn preview_prints_a_day_and_still_previews_commands() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_qantar-bot"))
            .args(args)
            .current_dir(repo())
            .env_remove("QANTAR_CONTENT_DIR")
            .env_remove("QANTAR_LOCALES_DIR")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = run(&["preview", "--on-this-day", "2027-01-05", "--lang", "kk"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("Бұдан 5 жыл бұрын, дәл осы күні: 2022 жылғы 5 қаңтар"),
        "{out}"
    );
    assert!(
        out.contains("[ 1 ]") && out.contains("Петицияға қол қою"),
        "{out}"
    );
    assert!(
        out.starts_with("[ picture: the map of 2022-01-05 ]"),
        "{out}"
    );
    // Its picture is that day's map, as /map draws it for the same language.
    let dir = tempfile::tempdir().unwrap();
    let (day, map) = (dir.path().join("day.png"), dir.path().join("map.png"));
    let day_arg = day.to_str().unwrap();
    let (code, _) = run(&[
        "preview",
        "--on-this-day",
        "2027-01-05",
        "--lang",
        "kk",
        "--out",
        day_arg,
    ]);
    assert_eq!(code, Some(0));
    let map_arg = map.to_str().unwrap();
    let (code, _) = run(&[
        "preview",
        "/map",
        "--date",
        "2022-01-05",
        "--lang",
        "kk",
        "--out",
        map_arg,
    ]);
    assert_eq!(code, Some(0));
    assert_eq!(std::fs::read(&day).unwrap(), std::fs::read(&map).unwrap());
    // A day without events has no picture to write, and says so.
    let none = dir.path().join("none.png");
    let (code, out) = run(&[
        "preview",
        "--on-this-day",
        "2027-02-01",
        "--out",
        none.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1));
    assert!(!out.contains("[ picture"), "{out}");
    assert!(!none.exists());
    let (code, out) = run(&["preview", "/timeline", "--lang", "kk"]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("Хронология:"), "{out}");
    let (code, _) = run(&["preview", "--on-this-day", "2027-13-01"]);
    assert_eq!(code, Some(2));
}
