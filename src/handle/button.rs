//! Button presses: parse the typed callback data, decide, answer the press, and edit the
//! message in place. Stale or forged data gets a polite answer, never a spinner.

use std::sync::Arc;

use fluent::FluentValue;
use teloxide::prelude::*;

use super::effects::{Author, Settled, after_delivery, count, saved_lang, settle};
use super::tree::HandlerError;
use crate::app::App;
use crate::decide::flood::Verdict;
use crate::decide::{self, Arrival, Facts, Step, decide};
use crate::deliver::{deliver, edit, photo, retrying};
use crate::i18n::{Msg, args};
use crate::input::callback_data::{BadCallback, Callback};
use crate::metrics::Metrics;

pub async fn on_callback(bot: Bot, q: CallbackQuery, app: Arc<App>) -> Result<(), HandlerError> {
    let message = q.message.as_ref().filter(|m| m.regular_message().is_some());
    // Preferences belong to the chat the button is in; a user's private chat id is theirs.
    let key = message.map_or(q.from.id.0 as i64, |m| m.chat().id.0);
    let metrics = &app.metrics;
    metrics.update("callback_query");
    let press = q
        .data
        .as_deref()
        .map_or(Err(BadCallback), Callback::parse_press);
    let new_message = press.as_ref().is_ok_and(|(_, new_message)| *new_message);
    let arrival = Arrival::Button {
        data: press.map(|(callback, _)| callback),
        on_message: message.is_some(),
    };
    let flood = app.flood.check(key);
    if flood != Verdict::Answer {
        metrics.flood_dropped();
    }
    // A flood of presses is answered (no spinner is left turning) but not acted on.
    if decide::early(&arrival, flood).is_some() {
        answer(&bot, metrics, &q, None).await;
        return Ok(());
    }
    let facts = Facts {
        private: message.is_none_or(|m| m.chat().is_private()),
        saved: saved_lang(&app, key).await,
        telegram: q.from.language_code.as_deref(),
        default: app.default_lang,
        admin: app.admins.contains(&q.from.id.0),
        flood,
    };
    let catalog = app.catalog.get();
    let plan = decide(&arrival, &facts, &catalog.content);
    count(&app, plan.count, plan.lang, "callback");
    let author = Author {
        user: Some(q.from.id),
        anonymous_admin: false,
    };
    let Some(message) = message.filter(|_| plan.step.shows_a_view()) else {
        let stale = catalog.locales.text(plan.lang, Msg::CallbackStale, None);
        answer(
            &bot,
            metrics,
            &q,
            (plan.step == Step::Stale).then_some(stale),
        )
        .await;
        return Ok(());
    };
    // Subscribing from a button under another message answers in a new one: the
    // greeting or the timeline page stays where it was. So does a button marked for a
    // new message (under the day's message or an announcement).
    let as_new = new_message || matches!(plan.step, Step::Subscribe { .. });
    let Some(Settled { lang, view, saved }) = settle(&bot, &app, key, author, plan).await else {
        return Ok(());
    };
    let toast = saved.map(|new| {
        let a = args([("language", FluentValue::from(new.native_name()))]);
        catalog.locales.text(new, Msg::CallbackLangSaved, Some(&a))
    });
    // Answer first: the reader's spinner stops at once, whatever the edit takes.
    answer(&bot, metrics, &q, toast).await;
    let reply = catalog.reply(lang, &view);
    // A page turned or a language chosen under the greeting keeps its Mini App row.
    let reply = super::mini_app::offer(&app, &catalog, (lang, &view, facts.private), reply);
    let delivered = answer_with(&bot, &app, message, &reply, as_new).await;
    after_delivery(&app, key, delivered, "the answer to a button").await;
    Ok(())
}

/// Stops the press's spinner, with a short text if there is something to say.
async fn answer(bot: &Bot, metrics: &Metrics, q: &CallbackQuery, text: Option<String>) {
    retrying(metrics, "answerCallbackQuery", || {
        let answer = bot.answer_callback_query(q.id.clone());
        match &text {
            Some(text) => answer.text(text.clone()),
            None => answer,
        }
    })
    .await;
}

/// Delivers the answer to a press: a photo is edited into another photo and text into
/// text; across kinds (🗺 under the timeline, "Timeline for this day" under the map),
/// and for a subscription, the answer is a new message.
async fn answer_with(
    bot: &Bot,
    app: &App,
    message: &teloxide::types::MaybeInaccessibleMessage,
    reply: &crate::render::Reply,
    as_new: bool,
) -> crate::deliver::Delivery {
    let metrics = &app.metrics;
    let (chat, id) = (message.chat().id, message.id());
    let on_photo = message
        .regular_message()
        .is_some_and(|m| m.photo().is_some());
    let pictures = &app.pictures;
    match (reply.photo.is_some(), on_photo, as_new) {
        (true, true, false) => photo::edit(bot, metrics, pictures, chat, id, reply).await,
        (true, _, _) => photo::send(bot, metrics, pictures, chat, reply).await,
        (false, false, false) => edit(bot, metrics, chat, id, reply).await,
        (false, _, _) => deliver(bot, metrics, chat, reply).await,
    }
}
