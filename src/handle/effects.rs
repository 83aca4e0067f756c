//! Carrying out a plan's one effect (a language saved, a chat forgotten, an admin
//! command), and reading the facts a decision needs from the store.

use teloxide::prelude::*;

use super::App;
use super::message::admin_view;
use crate::decide::{Plan, Step};
use crate::lang::Lang;
use crate::render::View;

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

/// Makes the plan's write or admin call for `key`, and settles what to show. `None` for
/// steps that show no view (ignored updates, bare answers, inline articles).
pub async fn settle(bot: &Bot, app: &App, key: i64, plan: Plan) -> Option<Settled> {
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
        Step::Admin(admin) => shown(plan.lang, admin_view(bot, app, admin).await),
        Step::Ignore | Step::AnswerOnly | Step::Stale | Step::Articles => return None,
    };
    Some(settled)
}
