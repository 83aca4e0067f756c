//! Failures a person must act on, told to every admin in their private chat and in
//! their language, not only to the log: a job that could not be queued, a channel post
//! that failed. The same notice goes at most once in `REPEAT_AFTER`, so a fault that
//! repeats every round does not flood the admins.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fluent::FluentValue;
use teloxide::prelude::*;

use crate::handle::App;
use crate::i18n::{Msg, args};
use crate::render::html::clip;

/// The shortest time between two notices of one kind about one thing.
const REPEAT_AFTER: Duration = Duration::from_secs(10 * 60);
/// How much of a cause (a store error, Telegram's description) a notice quotes.
const CAUSE_MAX: usize = 300;

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Notice {
    /// The store would not queue this job; the cause as the store said it.
    QueueFailed { job: String, cause: String },
    /// A post to this channel failed for good; the cause as Telegram said it.
    ChannelFailed { channel: String, cause: String },
    /// The check before posting found that the bot cannot post to this channel: told
    /// apart from a failed post, so a post that fails later is told too.
    ChannelCannotPost { channel: String, cause: String },
    /// Telegram paused all sending (429) for this long, over a minute.
    LongPause { seconds: u64 },
    /// The day's post is a quarter of an hour late (not queued, or nothing gone).
    DayLate { job: String },
    /// Work waits and no replica has sent for this many minutes.
    NoSender { minutes: u64 },
}

impl Notice {
    /// What makes two notices the same one: the kind and its subject, not the cause.
    fn key(&self) -> String {
        match self {
            Notice::QueueFailed { job, .. } => format!("queue:{job}"),
            Notice::ChannelFailed { channel, .. } => format!("channel:{channel}"),
            Notice::ChannelCannotPost { channel, .. } => format!("check:{channel}"),
            Notice::LongPause { .. } => "pause".into(),
            Notice::DayLate { job } => format!("late:{job}"),
            Notice::NoSender { .. } => "no_sender".into(),
        }
    }
}

/// When each notice last went.
#[derive(Debug, Default)]
pub struct Notices(Mutex<HashMap<String, Instant>>);

impl Notices {
    /// True when `notice` may go now (and records that it goes).
    fn due(&self, notice: &Notice) -> bool {
        let mut last = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let key = notice.key();
        match last.get(&key) {
            Some(at) if at.elapsed() < REPEAT_AFTER => false,
            _ => {
                last.insert(key, Instant::now());
                true
            }
        }
    }
}

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
