//! The Mini App's Subscribe, carried out: the reader the checked `initData` names gets
//! the same subscription of their private chat as `/subscribe` gives, in the same
//! language, counted the same way, and the same confirmation in the chat.

use teloxide::prelude::*;

use super::App;
use super::effects::{after_delivery, count, saved_lang, subscribe};
use crate::decide::flood::Verdict;
use crate::lang::Lang;
use crate::render::View;
use crate::web::init_data::WebAppUser;

/// The name the Mini App's Subscribe is counted under (logs, metrics, /stats).
pub const COUNTED: &str = "miniapp_subscribe";

/// How a Subscribe from the Mini App ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Subscribed now (`false`) or already before (`true`).
    Subscribed { already: bool },
    /// The reader asks faster than anyone reads: nothing done.
    TooFast,
    /// The store did not take it; nothing changed.
    StoreFailed,
}

/// Subscribes `user`'s private chat (its id is the user's). A new subscription is
/// confirmed in the chat, as `/subscribe` confirms it, by a task of its own: the page
/// is answered without waiting on Telegram. `bot` is `None` only where no Bot API
/// client was given (then the confirmation is skipped).
pub async fn subscribe_reader(
    bot: Option<Bot>,
    app: &std::sync::Arc<App>,
    user: &WebAppUser,
) -> Outcome {
    let chat = user.id;
    // The same bucket as the chat's own messages: a replayed initData is one reader.
    if app.flood.check(chat) != Verdict::Answer {
        app.metrics.flood_dropped();
        return Outcome::TooFast;
    }
    let lang = Lang::negotiate(
        saved_lang(app, chat).await,
        user.language_code.as_deref(),
        app.default_lang,
    );
    let view = subscribe(app, chat, true, lang).await;
    let already = match view {
        View::Subscribed => false,
        View::SubscribedAlready => true,
        _ => return Outcome::StoreFailed,
    };
    count(app, Some(COUNTED), lang, "miniapp");
    if let (false, Some(bot)) = (already, bot) {
        let app = std::sync::Arc::clone(app);
        tokio::spawn(async move {
            let reply = app
                .catalog
                .get()
                .reply(lang, &View::Subscribed)
                .into_owned();
            let delivered = crate::deliver::deliver(&bot, &app.metrics, ChatId(chat), &reply).await;
            // A reader who never started the bot cannot be written to: like any chat
            // Telegram calls unreachable, it keeps nothing stored, the subscription too.
            after_delivery(
                &app,
                chat,
                delivered,
                "a Mini App subscription's confirmation",
            )
            .await;
        });
    }
    Outcome::Subscribed { already }
}
