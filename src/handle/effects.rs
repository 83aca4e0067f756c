//! Carrying out a plan's one effect (a language saved, a chat forgotten, an admin
//! command), and reading the facts a decision needs from the store.

use teloxide::prelude::*;

use super::admin::{self, admin_view};
use crate::app::App;
use crate::decide::{Plan, Step};
use crate::deliver::Delivery;
use crate::lang::Lang;
use crate::view::View;

/// The language saved for `key` (a chat id; for a user, their private chat's id). A
/// failing store reads as "nothing saved": the answer falls back to Telegram's language.
pub async fn saved_lang(app: &App, key: i64) -> Option<Lang> {
    match app.store.language(key).await {
        Ok(saved) => saved,
        Err(e) => {
            app.metrics.store_error("read");
            log::warn!("store read failed, using Telegram's language: {e}");
            None
        }
    }
}

/// What to show once the plan's effect is done.
pub struct Settled {
    pub lang: Lang,
    pub view: View,
    /// The language just saved, if the plan saved one (a button's toast confirms it).
    pub saved: Option<Lang>,
}

/// Who sent the update, as far as a group's rules need it.
#[derive(Debug, Clone, Copy)]
pub struct Author {
    pub user: Option<UserId>,
    /// An anonymous administrator posting as the group itself.
    pub anonymous_admin: bool,
}

/// Makes the plan's write or admin call for `key`, and settles what to show. `None` for
/// steps that show no view (ignored updates, bare answers, inline articles).
pub async fn settle(bot: &Bot, app: &App, key: i64, author: Author, plan: Plan) -> Option<Settled> {
    let shown = |lang, view| Settled {
        lang,
        view,
        saved: None,
    };
    let settled = match plan.step {
        Step::Show(view) => shown(plan.lang, view),
        Step::SaveLang { lang, then } => match app.store.set_language(key, lang).await {
            Ok(()) => Settled {
                lang,
                view: then,
                saved: Some(lang),
            },
            Err(e) => {
                app.metrics.store_error("write");
                log::warn!("store write failed: {e}");
                shown(plan.lang, View::LangSaveFailed(lang))
            }
        },
        // Nothing saved any more: answer as a newcomer would be answered.
        Step::Forget { newcomer } => match app.store.forget(key).await {
            Ok(()) => shown(newcomer, View::Forgotten),
            Err(e) => {
                app.metrics.store_error("write");
                log::warn!("store delete failed: {e}");
                shown(plan.lang, View::ForgetFailed)
            }
        },
        Step::Subscribe { on, in_group } => {
            let view = if in_group && !chat_admin(bot, key, author).await {
                View::SubscribeAdminsOnly
            } else {
                subscribe(app, key, on, plan.lang).await
            };
            shown(plan.lang, view)
        }
        Step::Admin(command) => shown(
            plan.lang,
            admin_view(bot, app, command, plan.lang, author).await,
        ),
        Step::Announce { id, version } => shown(plan.lang, admin::announce(app, id, version).await),
        Step::SendDay { day, version } => {
            shown(plan.lang, admin::send_day(app, day, version).await)
        }
        Step::Job { job, act } => shown(plan.lang, admin::job_act(app, job, act).await),
        Step::Purge => shown(plan.lang, purge(app).await),
        Step::Ignore | Step::AnswerOnly | Step::Stale | Step::Articles => return None,
    };
    Some(settled)
}

/// Subscribes the chat in `lang` (`on`) or ends its subscription.
pub async fn subscribe(app: &App, key: i64, on: bool, lang: Lang) -> View {
    let done = if on {
        app.store.subscribe(key, lang).await
    } else {
        app.store.unsubscribe(key).await
    };
    match (on, done) {
        (true, Ok(true)) => View::Subscribed,
        (true, Ok(false)) => View::SubscribedAlready,
        (false, Ok(true)) => View::Unsubscribed,
        (false, Ok(false)) => View::NotSubscribed,
        (_, Err(e)) => {
            app.metrics.store_error("write");
            log::warn!("subscription write failed: {e}");
            View::SubscribeFailed
        }
    }
}

/// Whether the sender administers the group `chat`, as Telegram says; an anonymous
/// administrator posts as the group itself. No answer counts as no.
async fn chat_admin(bot: &Bot, chat: i64, author: Author) -> bool {
    if author.anonymous_admin {
        return true;
    }
    let Some(user) = author.user else {
        return false;
    };
    match bot.get_chat_member(ChatId(chat), user).await {
        Ok(member) => member.is_privileged(),
        Err(e) => {
            log::warn!("getChatMember failed: {e}");
            false
        }
    }
}

/// Deletes every per-chat row; the count of rows goes to the admin who confirmed.
async fn purge(app: &App) -> View {
    match app.store.purge().await {
        Ok(purged) => {
            log::warn!(
                "purge: {} per-chat rows deleted by an admin",
                purged.total()
            );
            View::Purged(purged.total())
        }
        Err(e) => {
            app.metrics.store_error("write");
            log::warn!("purge failed: {e}");
            View::PurgeFailed
        }
    }
}

/// What a failed delivery means for the store: a chat Telegram says blocked the bot or
/// is gone keeps nothing about it (an anonymous total remembers it).
pub async fn after_delivery(app: &App, key: i64, delivered: Delivery, what: &str) {
    match delivered {
        Delivery::Failed => log::warn!("{what} was not delivered"),
        Delivery::Unreachable => {
            if let Err(e) = app.store.remove_unreachable(key).await {
                app.metrics.store_error("write");
                log::warn!("could not remove an unreachable chat: {e}");
            }
        }
        Delivery::Sent | Delivery::Unchanged => {}
    }
}

/// Counts a served update under its plan's name (logs, metrics, /stats).
pub fn count(app: &App, counted: Option<&'static str>, lang: Lang, kind: &str) {
    if let Some(name) = counted {
        log::info!("{kind}={name} lang={lang}");
        app.metrics.command(name, lang);
        app.usage.count(name, lang);
    }
}
