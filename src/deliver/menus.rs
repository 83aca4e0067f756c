//! Telegram's command menus and profile texts, in every language.

use teloxide::prelude::*;
use teloxide::types::{BotCommand, MenuButton, WebAppInfo};

use crate::catalog::Catalog;
use crate::i18n::Msg;
use crate::input::command;
use crate::lang::Lang;
use crate::web::WebUrl;

/// The commands and descriptions for one language, as setMyCommands takes them.
pub fn commands(catalog: &Catalog, lang: Lang) -> Vec<BotCommand> {
    command::menu()
        .map(|(name, msg)| BotCommand::new(name, catalog.locales.text(lang, msg, None)))
        .collect()
}

/// An admin's menu: the public commands, then the admin commands, in `lang`.
pub fn admin_commands(catalog: &Catalog, lang: Lang) -> Vec<BotCommand> {
    let mut out = commands(catalog, lang);
    out.extend(
        command::admin_menu()
            .map(|(name, msg)| BotCommand::new(name, catalog.locales.text(lang, msg, None))),
    );
    out
}

/// Every text the menus and profile show, in every language; a reload re-publishes the
/// menus only when this changes.
pub fn texts(catalog: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    for lang in Lang::ALL {
        out.extend(commands(catalog, lang).into_iter().map(|c| c.description));
        for msg in [Msg::BotDescription, Msg::BotShortDescription] {
            out.push(catalog.locales.text(lang, msg, None));
        }
    }
    out
}

/// Publishes menus and descriptions: the default (English) first, then ru and kk, so a
/// client with any other language still gets a full menu. Failures are logged only: the
/// bot answers without menus.
pub async fn publish(bot: &Bot, catalog: &Catalog) {
    for (lang, code) in [
        (Lang::En, None),
        (Lang::Ru, Some("ru")),
        (Lang::Kk, Some("kk")),
    ] {
        let text = |m| catalog.locales.text(lang, m, None);
        let mut cmds = bot.set_my_commands(commands(catalog, lang));
        let mut desc = bot
            .set_my_description()
            .description(text(Msg::BotDescription));
        let mut short = bot
            .set_my_short_description()
            .short_description(text(Msg::BotShortDescription));
        if let Some(code) = code {
            cmds = cmds.language_code(code);
            desc = desc.language_code(code);
            short = short.language_code(code);
        }
        for (what, result) in [
            ("setMyCommands", cmds.await.map(drop)),
            ("setMyDescription", desc.await.map(drop)),
            ("setMyShortDescription", short.await.map(drop)),
        ] {
            if let Err(e) = result {
                log::warn!("{what} for {lang} failed: {e}");
            }
        }
    }
    log::info!("menus and descriptions published in en, ru, kk");
}

/// Makes the menu button beside every private chat's message field open the Mini App
/// (no chat id: the default for all private chats). Telegram keeps one label for all
/// languages, so it is the default language's. Only with `QANTAR_WEB_URL`: without it
/// the button is left as it is. A refusal is logged; the bot works without it.
pub async fn publish_menu_button(bot: &Bot, catalog: &Catalog, lang: Lang, url: &WebUrl) {
    let button = MenuButton::WebApp {
        text: catalog.locales.text(lang, Msg::MenuButtonRecord, None),
        web_app: WebAppInfo {
            url: url.as_url().clone(),
        },
    };
    match bot.set_chat_menu_button().menu_button(button).await {
        Ok(_) => log::info!("the menu button opens the Mini App"),
        Err(e) => log::warn!("setChatMenuButton failed: {e}"),
    }
}
