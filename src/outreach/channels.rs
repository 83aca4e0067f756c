//! Whether the bot may post to each configured channel, asked of Telegram at start and
//! before each day's first post (getChat, then getChatMember for the bot itself), so a
//! missing right is found before readers miss a post, named in `/broadcasts` and
//! `/stats`, logged, and told to the admins.

use teloxide::prelude::*;
use teloxide::types::Recipient;

use super::notice::{Notice, tell_admins};
use crate::app::App;
pub use crate::health::{ChannelHealth, Problem};

/// Asks Telegram about every configured channel (each once, whatever its languages);
/// records, logs and tells the admins what is wrong.
pub async fn check(bot: &Bot, app: &App) {
    let Ok(me) = bot.get_me().await else {
        // Telegram unreachable: nothing can be said now; the next check will.
        return;
    };
    // The channels jobs post to (in a rehearsal, its own channel alone).
    let mut names: Vec<String> = app
        .outreach
        .channels()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut problems = Vec::new();
    for name in &names {
        if let Some(cause) = problem_of(bot, name, me.id).await {
            log::warn!("channel {name} cannot be posted to: {cause}");
            problems.push(Problem {
                channel: name.clone(),
                cause,
            });
        }
    }
    app.channel_health.set(problems.clone());
    for p in problems {
        let notice = Notice::ChannelCannotPost {
            channel: p.channel,
            cause: p.cause,
        };
        tell_admins(bot, app, notice).await;
    }
}

/// Why the bot may not post to `channel`, if it may not.
async fn problem_of(bot: &Bot, channel: &str, me: UserId) -> Option<String> {
    let to = match channel.parse::<i64>() {
        Ok(id) => Recipient::Id(ChatId(id)),
        Err(_) => Recipient::ChannelUsername(channel.to_string()),
    };
    let chat = match bot.get_chat(to).await {
        Ok(chat) => chat,
        Err(e) => return Some(format!("Telegram says: {e}")),
    };
    match bot.get_chat_member(chat.id, me).await {
        Ok(member) if member.kind.can_post_messages() => None,
        Ok(_) => Some("the bot is not an administrator with the right to post messages".into()),
        Err(e) => Some(format!("Telegram says: {e}")),
    }
}
