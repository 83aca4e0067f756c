//! Button presses: parse the typed callback data, act, answer the press, and edit the
//! message in place. Stale or forged data gets a polite answer, never a spinner.

use std::sync::Arc;

use fluent_bundle::FluentValue;
use teloxide::prelude::*;

use super::App;
use super::deliver::{Outcome, edit, retrying};
use super::handler::{HandlerError, resolve_lang};
use crate::callback::{AfterLang, Callback};
use crate::flood::Verdict;
use crate::i18n::{Msg, args};
use crate::render::View;

pub async fn on_callback(bot: Bot, q: CallbackQuery, app: Arc<App>) -> Result<(), HandlerError> {
    let message = q.message.as_ref().filter(|m| m.regular_message().is_some());
    // Preferences belong to the chat the button is in; a user's private chat id is theirs.
    let key = message.map_or(q.from.id.0 as i64, |m| m.chat().id.0);
    let metrics = &app.metrics;
    metrics.update("callback_query");
    let (_, lang) = resolve_lang(&app, key, q.from.language_code.as_deref()).await;
    let catalog = app.catalog.get();
    let locales = &catalog.locales;

    let parsed = q.data.as_deref().map(Callback::parse);
    // A flood of presses is answered (no spinner is left turning) but not acted on.
    let flooded = app.flood.check(key) != Verdict::Answer;
    if flooded {
        metrics.flood_dropped();
    }
    let (Some(Ok(callback)), Some(message), false) = (parsed, message, flooded) else {
        if flooded {
            retrying(metrics, "answerCallbackQuery", || {
                bot.answer_callback_query(q.id.clone())
            })
            .await;
            return Ok(());
        }
        log::info!("callback=stale lang={lang}");
        metrics.command("stale_button", lang);
        let text = locales.text(lang, Msg::CallbackStale, None);
        retrying(metrics, "answerCallbackQuery", || {
            bot.answer_callback_query(q.id.clone()).text(text.clone())
        })
        .await;
        return Ok(());
    };

    let (name, lang, view, toast) = match callback {
        Callback::SetLang { lang: new, then } => {
            let then = match then {
                AfterLang::Start => View::Start { picker: false },
                AfterLang::Confirm => View::LangChanged,
            };
            match app.store.set_language(key, new).await {
                Ok(()) => {
                    let a = args([("language", FluentValue::from(new.native_name()))]);
                    let toast = locales.text(new, Msg::CallbackLangSaved, Some(&a));
                    ("lang", new, then, Some(toast))
                }
                Err(e) => {
                    metrics.store_error("write");
                    log::warn!("store write failed: {e}");
                    ("lang", lang, View::LangSaveFailed(new), None)
                }
            }
        }
        Callback::TimelinePage(page) => ("timeline_page", lang, View::Timeline { page }, None),
        Callback::Event(id) => ("event", lang, View::Event(id), None),
        Callback::Summary => ("summary", lang, View::Summary, None),
        Callback::Topic(id) => ("topic", lang, View::Topic(id), None),
    };
    log::info!("callback={name} lang={lang}");
    metrics.command(name, lang);

    // Answer first: the reader's spinner stops at once, whatever the edit takes.
    retrying(metrics, "answerCallbackQuery", || {
        let answer = bot.answer_callback_query(q.id.clone());
        match &toast {
            Some(text) => answer.text(text.clone()),
            None => answer,
        }
    })
    .await;
    let reply = catalog.reply(lang, &view);
    if edit(&bot, metrics, message.chat().id, message.id(), &reply).await == Outcome::Failed {
        log::warn!("edit for callback={name} failed");
    }
    Ok(())
}
