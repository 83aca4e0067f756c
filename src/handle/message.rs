//! Messages: parse the text, gather the facts, decide, carry the plan out, deliver.

use std::sync::Arc;
use std::time::Instant;

use teloxide::prelude::*;
use teloxide::types::Me;

use super::effects::{Author, Settled, after_delivery, count, saved_lang, settle};
use super::mini_app;
use super::tree::HandlerError;
use crate::app::App;
use crate::decide::flood::Verdict;
use crate::decide::{self, Arrival, Facts, Step, decide};
use crate::deliver::{Delivery, photo};
use crate::input::command::{self, Input};
use crate::lang::Lang;

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
    let author = Author {
        user: from.map(|u| u.id),
        anonymous_admin: msg.sender_chat.as_ref().is_some_and(|c| c.id == chat),
    };
    let counted = plan.count;
    // An admin command typed in a group is answered in the admin's private chat, in
    // the admin's language: what it shows (counts, previews, failures) is not the
    // group's business.
    let admin_in_group = !private && matches!(plan.step, Step::Admin(_));
    let to = match (admin_in_group, from) {
        (true, Some(user)) => ChatId(user.id.0 as i64),
        (true, None) => return Ok(()),
        (false, _) => chat,
    };
    let Some(Settled { lang, view, .. }) = settle(&bot, &app, chat.0, author, plan).await else {
        return Ok(());
    };
    let lang = if admin_in_group {
        let saved = saved_lang(&app, to.0).await;
        Lang::negotiate(saved, facts.telegram, app.default_lang)
    } else {
        lang
    };
    // Counts and names only: who asked, and what they typed, stay out of the log.
    count(&app, counted, lang, "command");
    let reply = catalog.reply(lang, &view);
    let reply = mini_app::offer(&app, &catalog, (lang, &view, private), reply);
    // A reply with a picture goes as a photo; `photo::send` sends text as text.
    let delivered = photo::send(&bot, &app.metrics, &app.pictures, to, &reply).await;
    if delivered == Delivery::Sent && counted.is_some() {
        metrics.reply_latency(started.elapsed());
    }
    after_delivery(&app, to.0, delivered, "a reply").await;
    Ok(())
}
