//! Sends a rendered reply, riding out what Telegram and the network throw at it.
//!
//! A 429 waits exactly as long as Telegram asks, only in this chat's worker, so other
//! chats are not held back; network faults are retried with backoff.

use std::time::Duration;

use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{LinkPreviewOptions, ParseMode};

use crate::render::Reply;

const MAX_ATTEMPTS: u32 = 6;
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// A longer wait than this is Telegram telling us to stop for now; we give up the reply
/// rather than hold the chat's queue for minutes.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// How a delivery ended, for the caller's log line and counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// The user blocked the bot or the chat is gone: nothing more to do for it.
    Unreachable,
    Failed,
}

pub async fn deliver(bot: &Bot, chat: ChatId, reply: &Reply) -> Outcome {
    for text in &reply.messages {
        let outcome = send_one(bot, chat, text, reply.link_preview).await;
        if outcome != Outcome::Sent {
            return outcome;
        }
    }
    Outcome::Sent
}

async fn send_one(bot: &Bot, chat: ChatId, text: &str, preview: bool) -> Outcome {
    let mut backoff = FIRST_BACKOFF;
    for attempt in 1..=MAX_ATTEMPTS {
        let request = bot
            .send_message(chat, text)
            .parse_mode(ParseMode::Html)
            .link_preview_options(link_preview(preview));
        match request.await {
            Ok(_) => return Outcome::Sent,
            Err(RequestError::RetryAfter(wait)) => {
                let wait = wait.duration();
                if wait > MAX_RETRY_AFTER {
                    log::warn!("sendMessage: told to wait {}s, giving up", wait.as_secs());
                    return Outcome::Failed;
                }
                log::info!("sendMessage: 429, waiting {}s as asked", wait.as_secs());
                tokio::time::sleep(wait).await;
            }
            Err(RequestError::Network(e)) if attempt < MAX_ATTEMPTS => {
                log::warn!("sendMessage: network error (attempt {attempt}): {e}");
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            Err(RequestError::Io(e)) if attempt < MAX_ATTEMPTS => {
                log::warn!("sendMessage: I/O error (attempt {attempt}): {e}");
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            Err(RequestError::Api(e)) if unreachable(&e) => {
                log::info!("sendMessage: chat unreachable ({e})");
                return Outcome::Unreachable;
            }
            Err(e) => {
                log::error!("sendMessage failed: {e}");
                return Outcome::Failed;
            }
        }
    }
    log::error!("sendMessage: gave up after {MAX_ATTEMPTS} attempts");
    Outcome::Failed
}

fn unreachable(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::ChatNotFound
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::CantInitiateConversation
            | ApiError::CantTalkWithBots
    )
}

pub fn link_preview(enabled: bool) -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: !enabled,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}
