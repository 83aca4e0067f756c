//! Failures a person must act on, told to every admin in their private chat and in
//! their language, not only to the log: a job that could not be queued, a channel post
//! that failed. The same notice goes at most once in `REPEAT_AFTER`, so a fault that
//! repeats every round does not flood the admins.

use fluent::FluentValue;
use teloxide::prelude::*;

use crate::app::App;
pub use crate::health::{Notice, Notices};
use crate::i18n::{Msg, args};
use crate::render::html::clip;

/// How much of a cause (a store error, Telegram's description) a notice quotes.
const CAUSE_MAX: usize = 300;

/// Tells every admin about `notice`, unless it went lately. Never fails: a notice that
/// cannot be sent is logged, and the bot goes on.
pub async fn tell_admins(bot: &Bot, app: &App, notice: Notice) {
    if app.admins.is_empty() || !app.notices.due(&notice) {
        return;
    }
    let catalog = app.catalog.get();
    for admin in &app.admins {
        let chat = *admin as i64;
        let lang = app.admin_lang(&app.store, *admin).await;
        let (msg, a) = match &notice {
            Notice::QueueFailed { job, cause } => (
                Msg::NoticeQueueFailed,
                args([
                    ("job", FluentValue::from(clip(job, 64))),
                    ("cause", FluentValue::from(clip(cause, CAUSE_MAX))),
                ]),
            ),
            Notice::ChannelFailed { channel, cause }
            | Notice::ChannelCannotPost { channel, cause } => (
                match notice {
                    Notice::ChannelFailed { .. } => Msg::NoticeChannelFailed,
                    _ => Msg::ChannelTrouble,
                },
                args([
                    ("channel", FluentValue::from(clip(channel, 64))),
                    ("cause", FluentValue::from(clip(cause, CAUSE_MAX))),
                ]),
            ),
            Notice::LongPause { seconds } => (
                Msg::NoticeLongPause,
                args([("seconds", FluentValue::from(*seconds))]),
            ),
            Notice::DayLate { job } => (
                Msg::NoticeDayLate,
                args([("job", FluentValue::from(clip(job, 64)))]),
            ),
            Notice::NoSender { minutes } => (
                Msg::NoticeNoSender,
                args([("minutes", FluentValue::from(*minutes))]),
            ),
        };
        let text = catalog.locales.text(lang, msg, Some(&a));
        // Plain text: the cause is quoted as the store or Telegram wrote it.
        match bot.send_message(ChatId(chat), text).await {
            Ok(_) => app.metrics.admin_notice(),
            Err(e) => log::warn!("an admin notice could not be sent: {e}"),
        }
    }
}
