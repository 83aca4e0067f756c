//! The handler tree: parse, resolve the language, render, deliver. Built once by
//! `schema()` and shared by the binary and the tests.

use std::sync::Arc;

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::Me;

use super::App;
use super::deliver::{Outcome, deliver};
use crate::command::{self, Action, Command, Input};
use crate::lang::Lang;
use crate::render::{View, render};

pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

pub fn schema() -> UpdateHandler<HandlerError> {
    Update::filter_message().endpoint(on_message)
}

async fn on_message(bot: Bot, msg: Message, me: Me, app: Arc<App>) -> Result<(), HandlerError> {
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
    let saved = match app.store.language(chat.0).await {
        Ok(saved) => saved,
        Err(e) => {
            log::warn!("store read failed, using Telegram's language: {e}");
            None
        }
    };
    let lang = Lang::negotiate(saved, telegram_lang, app.default_lang);
    let (name, lang, view) = match command {
        None => ("text", lang, View::NotACommand),
        Some(command) => {
            let name = command.name();
            let (lang, view) = view_for(&app, chat, lang, command).await;
            (name, lang, view)
        }
    };
    // Counts and names only: who asked, and what they typed, stay out of the log.
    log::info!("command={name} lang={lang}");
    let reply = render(&app.catalog, lang, &view);
    if deliver(&bot, chat, &reply).await == Outcome::Failed {
        log::warn!("reply to command={name} was not delivered");
    }
    Ok(())
}

/// Decides what to show, saving a language choice on the way.
async fn view_for(app: &App, chat: ChatId, lang: Lang, command: Command) -> (Lang, View) {
    match command.action() {
        Action::Show(view) => (lang, view),
        Action::SwitchLang(new) => match app.store.set_language(chat.0, new).await {
            Ok(()) => (new, View::LangChanged),
            Err(e) => {
                log::warn!("store write failed: {e}");
                (lang, View::LangSaveFailed(new))
            }
        },
    }
}
