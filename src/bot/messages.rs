//! Messages: parse the text, resolve the language, act, render, deliver.

use std::sync::Arc;
use std::time::Instant;

use teloxide::prelude::*;
use teloxide::types::Me;

use super::deliver::{Outcome, deliver};
use super::handler::{HandlerError, resolve_lang};
use super::{App, reload};
use crate::command::{self, Action, AdminCommand, Command, Input};
use crate::flood::Verdict;
use crate::i18n::Msg;
use crate::lang::Lang;
use crate::render::{Outgoing, Reply, View, html};
use crate::usage;

pub async fn on_message(bot: Bot, msg: Message, me: Me, app: Arc<App>) -> Result<(), HandlerError> {
    let started = Instant::now();
    let metrics = &app.metrics;
    metrics.update("message");
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
            Some((command, addressed))
        }
        Input::ForAnotherBot => return Ok(()),
        Input::Text if private => None,
        Input::Text => return Ok(()),
    };
    let addressed = command.as_ref().is_some_and(|(_, a)| *a);
    let command = command.map(|(c, _)| c);

    let chat = msg.chat.id;
    let verdict = app.flood.check(chat.0);
    if verdict == Verdict::Drop {
        metrics.flood_dropped();
        return Ok(());
    }
    let catalog = app.catalog.get();
    let telegram_lang = msg.from.as_ref().and_then(|u| u.language_code.as_deref());
    let (saved, lang) = resolve_lang(&app, chat.0, telegram_lang).await;
    if verdict == Verdict::Notice {
        metrics.flood_dropped();
        log::info!("flood notice lang={lang}");
        let notice = html::escape(&catalog.locales.text(lang, Msg::FloodNotice, None));
        let reply = Reply {
            messages: vec![Outgoing {
                html: notice,
                keyboard: Vec::new(),
            }],
            link_preview: false,
        };
        deliver(&bot, &app.metrics, chat, &reply).await;
        return Ok(());
    }

    let is_admin = msg
        .from
        .as_ref()
        .is_some_and(|u| app.admins.contains(&u.id.0));
    let (name, lang, view) = match command {
        None => ("text", lang, View::NotACommand),
        Some(command) => {
            let mut name = command.name();
            let (lang, view) = match command.action(&catalog.content) {
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
                            metrics.store_error("write");
                            log::warn!("store write failed: {e}");
                            (lang, View::LangSaveFailed(new))
                        }
                    }
                }
                Action::Forget => match app.store.forget(chat.0).await {
                    // Nothing saved any more: answer as a newcomer would be answered.
                    Ok(()) => (
                        Lang::negotiate(None, telegram_lang, app.default_lang),
                        View::Forgotten,
                    ),
                    Err(e) => {
                        metrics.store_error("write");
                        log::warn!("store delete failed: {e}");
                        (lang, View::ForgetFailed)
                    }
                },
                Action::Admin(admin) if is_admin => (lang, admin_view(&bot, &app, admin).await),
                Action::Admin(admin) => {
                    // To everyone else an admin command is just a command we don't have,
                    // and in a group an unaddressed one is someone else's business.
                    if !private && !addressed {
                        return Ok(());
                    }
                    name = "unknown";
                    (lang, View::UnknownCommand(admin.name().to_string()))
                }
            };
            (name, lang, view)
        }
    };
    // Counts and names only: who asked, and what they typed, stay out of the log.
    log::info!("command={name} lang={lang}");
    metrics.command(name, lang);
    app.usage.count(name, lang);
    let reply = catalog.reply(lang, &view);
    match deliver(&bot, &app.metrics, chat, &reply).await {
        Outcome::Sent => metrics.reply_latency(started.elapsed()),
        Outcome::Failed => log::warn!("reply to command={name} was not delivered"),
        Outcome::Unreachable | Outcome::Unchanged => {}
    }
    Ok(())
}

/// What an admin asked for. Counts are flushed first so /stats includes this minute.
async fn admin_view(bot: &Bot, app: &App, admin: AdminCommand) -> View {
    match admin {
        AdminCommand::Stats => {
            flush_usage(app).await;
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
            match reload::reload(bot, &app.catalog, &app.sources, &app.metrics).await {
                reload::Reloaded::Applied { generation, .. } => View::Reloaded(generation),
                reload::Reloaded::Rejected(problems) => {
                    View::ReloadRejected(problems.0.iter().map(|p| p.to_string()).collect())
                }
            }
        }
    }
}

/// Days of usage /stats shows.
const STATS_DAYS: i64 = 7;

/// Adds the counts gathered so far to the store; on failure they wait for next time.
pub async fn flush_usage(app: &App) {
    let rows = app.usage.take();
    if rows.is_empty() {
        return;
    }
    if let Err(e) = app.store.add_usage(&rows).await {
        app.metrics.store_error("write");
        log::warn!("usage write failed, keeping the counts for later: {e}");
        app.usage.restore(rows);
    }
}
