//! Messages: parse the text, gather the facts, decide, carry the plan out, deliver.

use std::sync::Arc;
use std::time::Instant;

use teloxide::prelude::*;
use teloxide::types::Me;

use super::App;
use super::effects::{Sender, Settled, saved_lang, settle};
use super::reload;
use super::tree::HandlerError;
use crate::decide::flood::Verdict;
use crate::decide::{self, Arrival, Facts, decide};
use crate::deliver::{Delivery, photo};
use crate::input::command::{self, AdminCommand, Input};
use crate::render::View;
use crate::usage;

pub async fn on_message(bot: Bot, msg: Message, me: Me, app: Arc<App>) -> Result<(), HandlerError> {
    let started = Instant::now();
    let metrics = &app.metrics;
    metrics.update("message");
    let private = msg.chat.is_private();
    let input = msg.text().map_or(Input::Text, |text| {
        command::parse(text, Some(me.username()))
    });
    let arrival = Arrival::Message(input);
    if !decide::ours(&arrival, private) {
        return Ok(());
    }
    let chat = msg.chat.id;
    let flood = app.flood.check(chat.0);
    if flood != Verdict::Answer {
        metrics.flood_dropped();
    }
    if decide::early(&arrival, flood).is_some() {
        return Ok(());
    }
    let from = msg.from.as_ref();
    let facts = Facts {
        private,
        saved: saved_lang(&app, chat.0).await,
        telegram: from.and_then(|u| u.language_code.as_deref()),
        default: app.default_lang,
        admin: from.is_some_and(|u| app.admins.contains(&u.id.0)),
        flood,
    };
    let catalog = app.catalog.get();
    let plan = decide(&arrival, &facts, &catalog.content);
    let sender = Sender {
        user: from.map(|u| u.id),
        anonymous_admin: msg.sender_chat.as_ref().is_some_and(|c| c.id == chat),
    };
    let counted = plan.count;
    let Some(Settled { lang, view, .. }) = settle(&bot, &app, chat.0, sender, plan).await else {
        return Ok(());
    };
    // Counts and names only: who asked, and what they typed, stay out of the log.
    let name = counted.unwrap_or("flood_notice");
    log::info!("command={name} lang={lang}");
    if let Some(name) = counted {
        metrics.command(name, lang);
        app.usage.count(name, lang);
    }
    let reply = catalog.reply(lang, &view);
    // A reply with a picture goes as a photo; `photo::send` sends text as text.
    match photo::send(&bot, &app.metrics, &app.pictures, chat, &reply).await {
        Delivery::Sent if counted.is_some() => metrics.reply_latency(started.elapsed()),
        Delivery::Failed => log::warn!("reply to command={name} was not delivered"),
        // Blocked, or gone: keep nothing about it (an anonymous total remembers it).
        Delivery::Unreachable => {
            if let Err(e) = app.store.remove_unreachable(chat.0).await {
                app.metrics.store_error("write");
                log::warn!("could not remove an unreachable chat: {e}");
            }
        }
        Delivery::Sent | Delivery::Unchanged => {}
    }
    Ok(())
}

/// What an admin asked for. Counts are flushed first so /stats includes this minute.
pub(super) async fn admin_view(bot: &Bot, app: &App, admin: AdminCommand) -> View {
    match admin {
        AdminCommand::Stats => {
            usage::flush(&app.usage, &app.store, &app.metrics).await;
            match app
                .store
                .usage_since(&usage::days_ago(STATS_DAYS - 1))
                .await
            {
                Ok(rows) => View::Stats(rows),
                Err(e) => {
                    app.metrics.store_error("read");
                    log::warn!("usage read failed: {e}");
                    View::Stats(Vec::new())
                }
            }
        }
        AdminCommand::Reload => {
            match reload::reload(bot, &app.catalog, &app.content_paths, &app.metrics).await {
                reload::Reloaded::Applied { generation, .. } => View::Reloaded(generation),
                reload::Reloaded::Rejected(problems) => {
                    View::ReloadRejected(problems.0.iter().map(|p| p.to_string()).collect())
                }
            }
        }
        // Nothing is deleted before the admin presses Confirm.
        AdminCommand::Purge => View::PurgeConfirm,
    }
}

/// Days of usage /stats shows.
const STATS_DAYS: i64 = 7;
