//! The Mini App's Subscribe, carried out: the reader the checked `initData` names gets
//! the same subscription of their private chat as `/subscribe` gives, in the same
//! language, counted the same way, and the same confirmation in the chat.

use teloxide::prelude::*;

use super::effects::{after_delivery, count, saved_lang, subscribe};
use crate::app::App;
use crate::decide::flood::Verdict;
use crate::i18n::Msg;
use crate::input::init_data::WebAppUser;
use crate::lang::Lang;
use crate::render::{Button, Reply};
use crate::view::View;

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
    /// Telegram will not let the bot write to the reader (they never started it, or
    /// blocked it): like any unreachable chat, nothing is kept, the subscription too.
    Unreachable,
}

/// Subscribes `user`'s private chat (its id is the user's). A new subscription is
/// confirmed in the chat, as `/subscribe` confirms it, before the page is answered, so
/// that a reader the bot cannot write to is told so rather than "subscribed". `bot` is
/// `None` only where no Bot API client was given (then the confirmation is skipped).
pub async fn subscribe_reader(bot: Option<Bot>, app: &App, user: &WebAppUser) -> Outcome {
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
        let catalog = app.catalog.get();
        let reply = catalog.reply(lang, &View::Subscribed);
        let delivered = crate::deliver::deliver(&bot, &app.metrics, ChatId(chat), &reply).await;
        after_delivery(
            app,
            chat,
            delivered,
            "a Mini App subscription's confirmation",
        )
        .await;
        // A confirmation lost to the network leaves a subscription that works.
        if delivered == crate::deliver::Delivery::Unreachable {
            return Outcome::Unreachable;
        }
    }
    Outcome::Subscribed { already }
}

/// The replies a Mini App button goes under: the greeting and every timeline page.
fn offers_the_record(view: &View) -> bool {
    matches!(view, View::Start { .. } | View::Timeline { .. })
}

/// `reply` with a "🌐 Open the record" row under its last message, opening the pages in
/// `lang`, when the bot has a Mini App and this is a private chat (Telegram takes
/// `web_app` buttons nowhere else). Added here rather than in `render`: the address is
/// configuration, and rendered replies are kept ready for every deployment alike.
pub fn offer<'a>(
    app: &App,
    catalog: &crate::catalog::Catalog,
    (lang, view, private): (Lang, &View, bool),
    reply: std::borrow::Cow<'a, Reply>,
) -> std::borrow::Cow<'a, Reply> {
    let Some(url) = app
        .web_url
        .as_ref()
        .filter(|_| private && offers_the_record(view))
    else {
        return reply;
    };
    let label = catalog.locales.text(lang, Msg::ButtonOpenRecord, None);
    let mut reply = reply;
    with_web_app(
        reply.to_mut(),
        &url.join(&format!("{}/", lang.code())),
        &label,
    );
    reply
}

/// Adds a row with one `web_app` button under the last message of `reply`.
pub fn with_web_app(reply: &mut Reply, url: &str, label: &str) {
    if let Some(last) = reply.messages.last_mut() {
        last.keyboard.push(vec![Button::web_app(label, url)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{ButtonAction, Part};

    #[test]
    fn the_row_goes_under_the_last_message_after_its_buttons() {
        let part = |keyboard| Part {
            html: "x".into(),
            keyboard,
        };
        let mut reply = Reply {
            messages: vec![
                part(Vec::new()),
                part(vec![vec![Button::url("a", "https://a/")]]),
            ],
            link_preview: false,
            photo: None,
        };
        with_web_app(&mut reply, "https://record.example/kk/", "🌐");
        assert!(reply.messages[0].keyboard.is_empty());
        let rows = &reply.messages[1].keyboard;
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[1][0].action,
            ButtonAction::WebApp("https://record.example/kk/".into())
        );
    }

    #[test]
    fn only_the_greeting_and_the_timeline_offer_it() {
        assert!(offers_the_record(&View::Start { picker: true }));
        assert!(offers_the_record(&View::Timeline { page: 3 }));
        for view in [
            View::Help,
            View::Event("x".into()),
            View::Subscribed,
            View::Sources,
        ] {
            assert!(!offers_the_record(&view), "{view:?}");
        }
    }

    #[test]
    fn the_mini_apps_count_is_a_counted_name() {
        assert_eq!(crate::input::counted::counted_name(COUNTED), Some(COUNTED));
    }
}
