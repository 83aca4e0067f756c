//! The words a reader gets, pinned: every view in every language, keyboards included,
//! plus the command menus and the inline-mode results, as reviewable files under
//! `tests/it/snapshots/`. A change of content or locales shows there as a diff.
//!
//! After an intended change of text: `INSTA_UPDATE=always cargo test snapshots` (or
//! `cargo insta review`), read the diff, and commit the `.snap` files with the change.

use std::fmt::Write;

use qantar_bot::catalog::Catalog;
use qantar_bot::lang::Lang;
use qantar_bot::render::{ButtonAction, Keyboard, Links, Reply, View, inline_results, render};
use qantar_bot::store::Usage;

// BOT: the bot's username in deep links of inline results and channel posts.
use crate::catalog::{BOT, outreach_views, shipped};

/// A snapshot's name for a view: stable, readable, and free of ids' punctuation.
fn name_of(view: &View) -> String {
    match view {
        View::Start { picker } => format!("start{}", if *picker { "_picker" } else { "" }),
        View::Help => "help".into(),
        View::AdminHelp => "admin_help".into(),
        View::Summary => "summary".into(),
        View::Topic(id) => format!("topic_{id}"),
        View::Timeline { page } => format!("timeline_p{:02}", page + 1),
        View::Event(id) => format!("event_{id}"),
        View::Map { day } => format!("map_{day}"),
        View::Sources => "sources".into(),
        View::Petition => "petition".into(),
        View::LangMenu => "lang_menu".into(),
        View::LangChanged => "lang_changed".into(),
        View::LangUnknown(_) => "lang_unknown".into(),
        View::LangSaveFailed(_) => "lang_save_failed".into(),
        View::NotACommand => "not_a_command".into(),
        View::FloodNotice => "flood_notice".into(),
        View::UnknownCommand(_) => "unknown_command".into(),
        View::Forgotten => "forgotten".into(),
        View::ForgetFailed => "forget_failed".into(),
        View::Subscribed => "subscribed".into(),
        View::SubscribedAlready => "subscribed_already".into(),
        View::Unsubscribed => "unsubscribed".into(),
        View::NotSubscribed => "not_subscribed".into(),
        View::SubscribeFailed => "subscribe_failed".into(),
        View::SubscribeAdminsOnly => "subscribe_admins_only".into(),
        View::PurgeConfirm => "purge_confirm".into(),
        View::Purged(_) => "purged".into(),
        View::PurgeCancelled => "purge_cancelled".into(),
        View::PurgeFailed => "purge_failed".into(),
        View::Stats { .. } => "stats".into(),
        View::ChannelTrouble { .. } => "channel_trouble".into(),
        View::Reloaded(_) => "reloaded".into(),
        View::ReloadRejected(_) => "reload_rejected".into(),
        View::OnThisDay { day, links } => format!(
            "on_this_day_{:02}_{:02}{}",
            day.month,
            day.day.unwrap_or(0),
            links_suffix(links)
        ),
        View::Announcement { id, links } => format!("announcement_{id}{}", links_suffix(links)),
        View::AnnounceList(ids) if ids.is_empty() => "announce_list_empty".into(),
        View::AnnounceList(_) => "announce_list".into(),
        View::AnnouncePreview {
            id, changed: true, ..
        } => format!("announce_preview_changed_{id}"),
        View::AnnouncePreview { id, .. } => format!("announce_preview_{id}"),
        View::AnnounceQueued { .. } => "announce_queued".into(),
        View::AnnounceExists(job) if job.cancelled => "announce_exists_cancelled".into(),
        View::AnnounceExists(job) if job.pending > 0 => "announce_exists_running".into(),
        View::AnnounceExists(_) => "announce_exists_done".into(),
        View::AnnounceQueueFailed(_) => "announce_queue_failed".into(),
        View::AnnounceScheduled { .. } => "announce_scheduled".into(),
        View::AnnounceUnknown(_) => "announce_unknown".into(),
        View::Broadcasts(jobs) if jobs.is_empty() => "broadcasts_empty".into(),
        View::Broadcasts(jobs) if jobs.iter().any(|j| j.scheduled_for.is_some()) => {
            "broadcasts_scheduled".into()
        }
        View::Broadcasts(_) => "broadcasts".into(),
        View::BroadcastCancelled(_) => "broadcast_cancelled".into(),
        View::BroadcastNotRunning(_) => "broadcast_not_running".into(),
        View::BroadcastsPaused { .. } => "broadcasts_paused".into(),
        View::CancelAsk(_) => "cancel_ask".into(),
        View::SendDayPreview { changed: false, .. } => "sendday_preview".into(),
        View::SendDayPreview { changed: true, .. } => "sendday_preview_changed".into(),
        View::SendDayQueued { .. } => "sendday_queued".into(),
        View::DayExists(job) if job.cancelled => "day_exists_cancelled".into(),
        View::DayExists(job) if job.pending > 0 => "day_exists_running".into(),
        View::DayExists(_) => "day_exists_done".into(),
        View::SendDayBadDate(_) => "sendday_bad_date".into(),
        View::JobKept(_) => "job_kept".into(),
        View::JobResumed(_) => "job_resumed".into(),
        View::JobNotCancelled(_) => "job_not_cancelled".into(),
        View::Paused { already: false, .. } => "paused".into(),
        View::Paused { already: true, .. } => "paused_already".into(),
        View::Resumed(true) => "resumed".into(),
        View::Resumed(false) => "resumed_not_paused".into(),
        View::PauseFailed => "pause_failed".into(),
        View::BroadcastCancelFailed(_) => "broadcast_cancel_failed".into(),
        View::AnnounceCancelled => "announce_cancelled".into(),
        View::RehearseSent(_) => "rehearse_sent".into(),
        View::RehearseBadDate(_) => "rehearse_bad_date".into(),
        View::RehearseNothing(_) => "rehearse_nothing".into(),
        View::RehearseOutsideWindow { .. } => "rehearse_outside_window".into(),
        View::RehearseUnreachable => "rehearse_unreachable".into(),
        View::RehearseFailed => "rehearse_failed".into(),
    }
}

/// Channel posts carry deep links instead of callback buttons.
fn links_suffix(links: &Links) -> &'static str {
    match links {
        Links::Buttons => "",
        Links::DeepLinks { .. } => "_links",
    }
}

/// Every view a reader or an admin can reach, with the refusals for unknown ids.
fn every_view(catalog: &Catalog) -> Vec<View> {
    let mut views = vec![
        View::Start { picker: false },
        View::Start { picker: true },
        View::Help,
        View::AdminHelp,
        View::Summary,
        View::Sources,
        View::Petition,
        View::LangMenu,
        View::LangChanged,
        View::LangUnknown("fr".into()),
        View::LangSaveFailed(Lang::Kk),
        View::NotACommand,
        View::FloodNotice,
        View::UnknownCommand("frobnicate".into()),
        View::Forgotten,
        View::ForgetFailed,
        View::Subscribed,
        View::SubscribedAlready,
        View::Unsubscribed,
        View::NotSubscribed,
        View::SubscribeFailed,
        View::SubscribeAdminsOnly,
        View::PurgeConfirm,
        View::Purged(42),
        View::PurgeCancelled,
        View::PurgeFailed,
        View::AnnounceCancelled,
        View::Stats {
            subscribers: vec![(Lang::Kk, 41), (Lang::Ru, 30), (Lang::En, 12)],
            usage: vec![
                usage("2022-01-06", "timeline", "kk", 12),
                usage("2022-01-06", "start", "ru", 3),
                usage("2022-01-05", "summary", "en", 1),
            ],
        },
        View::Reloaded(7),
        View::ReloadRejected(vec![
            "content/timeline.yaml: events[3].date: not a date".into(),
            "locales/kk/main.ftl: help: missing".into(),
        ]),
        View::Topic("no_such_topic".into()),
        View::Event("no_such_event".into()),
    ];
    let c = &catalog.content;
    views.extend(c.summary.topics.iter().map(|t| View::Topic(t.id.clone())));
    views.extend((0..qantar_bot::render::page_count(c)).map(|page| View::Timeline { page }));
    views.extend(c.events.iter().map(|e| View::Event(e.id.clone())));
    views.extend(outreach_views(catalog));
    views.extend(
        qantar_bot::render::map::days(c)
            .into_iter()
            .map(|day| View::Map { day }),
    );
    views
}

fn usage(day: &str, command: &str, lang: &str, count: i64) -> Usage {
    Usage {
        day: day.into(),
        command: command.into(),
        lang: lang.into(),
        count,
    }
}

fn keyboard_text(out: &mut String, keyboard: &Keyboard) {
    for row in keyboard {
        let buttons: Vec<String> = row
            .iter()
            .map(|b| {
                let target = match &b.action {
                    ButtonAction::Callback(cb) => format!("callback {cb}"),
                    ButtonAction::NewMessage(cb) => {
                        format!("callback {} (a new message)", cb.new_message_data())
                    }
                    ButtonAction::Url(url) => format!("url {url}"),
                    ButtonAction::ShareInline(q) => format!("share inline {q:?}"),
                    ButtonAction::WebApp(url) => format!("mini app {url}"),
                };
                format!("[{}] → {target}", b.label)
            })
            .collect();
        let _ = writeln!(out, "{}", buttons.join("  |  "));
    }
}

/// The whole reply as a reader gets it: each message's HTML, then its buttons.
fn reply_text(reply: &Reply) -> String {
    let mut out = format!(
        "link preview: {}\n",
        if reply.link_preview { "on" } else { "off" }
    );
    if let Some(photo) = &reply.photo {
        // The picture itself is tested in `map`; its caption is the first message.
        let _ = writeln!(
            out,
            "photo: the map of {}, with the first message as its caption",
            photo.day
        );
    }
    let n = reply.messages.len();
    for (i, m) in reply.messages.iter().enumerate() {
        let _ = writeln!(out, "──── message {} of {n} ────", i + 1);
        let _ = writeln!(out, "{}", m.html);
        if !m.keyboard.is_empty() {
            let _ = writeln!(out, "──── buttons ────");
            keyboard_text(&mut out, &m.keyboard);
        }
    }
    out
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

#[test]
fn every_view_in_every_language() {
    let catalog = shipped();
    settings().bind(|| {
        for lang in Lang::ALL {
            for view in every_view(&catalog) {
                let name = format!("{}__{}", name_of(&view), lang.code());
                insta::assert_snapshot!(name, reply_text(&render(&catalog, lang, &view)));
            }
        }
    });
}

#[test]
fn command_menus_and_profile_texts() {
    let catalog = shipped();
    settings().bind(|| {
        for lang in Lang::ALL {
            let mut out = String::new();
            for line in qantar_bot::deliver::menus::commands(&catalog, lang) {
                let _ = writeln!(out, "/{} — {}", line.command, line.description);
            }
            for msg in [
                qantar_bot::i18n::Msg::BotDescription,
                qantar_bot::i18n::Msg::BotShortDescription,
            ] {
                let _ = writeln!(out, "\n{}", catalog.locales.text(lang, msg, None));
            }
            insta::assert_snapshot!(format!("menus__{}", lang.code()), out);
        }
    });
}

#[test]
fn inline_results_in_every_language() {
    let catalog = shipped();
    settings().bind(|| {
        for lang in Lang::ALL {
            for (label, query) in [("empty", ""), ("almaty", "almaty алматы")] {
                let mut out = String::new();
                for a in inline_results(&catalog, lang, query, BOT) {
                    let _ = writeln!(out, "════ {} — {}\n{}", a.id, a.title, a.description);
                    let _ = writeln!(out, "{}", a.html);
                    keyboard_text(&mut out, &a.keyboard);
                }
                insta::assert_snapshot!(format!("inline_{label}__{}", lang.code()), out);
            }
        }
    });
}
