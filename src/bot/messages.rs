//! Messages: parse the text, resolve the language, act, render, deliver.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::Me;

use super::App;
use super::deliver::{Outcome, deliver};
use super::handler::{HandlerError, resolve_lang};
use crate::command::{self, Action, Command, Input};
use crate::lang::Lang;
use crate::render::View;

pub async fn on_message(bot: Bot, msg: Message, me: Me, app: Arc<App>) -> Result<(), HandlerError> {
    let private = msg.chat.is_private();
    let input = match msg.text() {
        Some(text) => command::parse(text, Some(me.username())),
        None => Input::Text,
    };
    let command = match input {
        Input::Command { command, addressed } => {
            // In a group an unaddressed command we don't know may be another bot's.
            if !private && !addressed && matches!(command, Command::Unknown(_)) {
                return Ok(());
            }
            Some(command)
        }
        Input::ForAnotherBot => return Ok(()),
        Input::Text if private => None,
        Input::Text => return Ok(()),
    };

    let chat = msg.chat.id;
    let telegram_lang = msg.from.as_ref().and_then(|u| u.language_code.as_deref());
    let (saved, lang) = resolve_lang(&app, chat.0, telegram_lang).await;
    let (name, lang, view) = match command {
        None => ("text", lang, View::NotACommand),
        Some(command) => {
            let name = command.name();
            let (lang, view) = match command.action(&app.catalog.content) {
                Action::Show(View::Start { .. }) => {
                    // Offer the picker to a reader whose Telegram language we don't
                    // speak and who has not chosen yet.
                    let unknown = telegram_lang.and_then(Lang::from_ietf).is_none();
                    (
                        lang,
                        View::Start {
                            picker: saved.is_none() && unknown,
                        },
                    )
                }
                Action::Show(view) => (lang, view),
                Action::SwitchLang { lang: new, then } => {
                    match app.store.set_language(chat.0, new).await {
                        Ok(()) => (new, then),
                        Err(e) => {
                            log::warn!("store write failed: {e}");
                            (lang, View::LangSaveFailed(new))
                        }
                    }
                }
            };
            (name, lang, view)
        }
    };
    // Counts and names only: who asked, and what they typed, stay out of the log.
    log::info!("command={name} lang={lang}");
    let reply = app.catalog.reply(lang, &view);
    if deliver(&bot, chat, &reply).await == Outcome::Failed {
        log::warn!("reply to command={name} was not delivered");
    }
    Ok(())
}
