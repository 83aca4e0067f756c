//! Sending, editing and answering, riding out what Telegram and the network throw at us;
//! the Bot API client's settings (`client`), keyboards as markup, the menus.
//!
//! A 429 waits exactly as long as Telegram asks, only in this chat's worker, so other
//! chats are not held back; network faults are retried with backoff.

pub mod client;
pub mod markup;
pub mod menus;
pub mod photo;
pub mod unprompted;

use std::future::IntoFuture;
use std::time::Duration;

use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{LinkPreviewOptions, MessageId, ParseMode};

use crate::metrics::Metrics;
use crate::render::{Part, Reply};
use markup::markup;

const MAX_ATTEMPTS: u32 = 6;
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// A longer wait than this is Telegram telling us to stop for now; we give up the reply
/// rather than hold the chat's queue for minutes.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// How a call ended, for the caller's log line and counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// The user blocked the bot or the chat is gone: nothing more to do for it.
    Unreachable,
    /// Telegram says the edit would change nothing: the reader already sees it.
    Unchanged,
    Failed,
}

/// Runs `call` (which builds a fresh request each time) until it succeeds, retrying
/// what is worth retrying. `what` names the method in the log and the counters; never
/// any content.
pub async fn retrying<F, R, T>(metrics: &Metrics, what: &str, call: F) -> Delivery
where
    F: FnMut() -> R,
    R: IntoFuture<Output = Result<T, RequestError>>,
{
    match attempt(metrics, what, call).await {
        Ok(_) => Delivery::Sent,
        Err(outcome) => outcome,
    }
}

/// [`retrying`], keeping what Telegram answered (a sent photo's file_id); the error is
/// how it ended otherwise.
pub async fn attempt<F, R, T>(metrics: &Metrics, what: &str, mut call: F) -> Result<T, Delivery>
where
    F: FnMut() -> R,
    R: IntoFuture<Output = Result<T, RequestError>>,
{
    let mut backoff = FIRST_BACKOFF;
    let mut attempt = 1;
    loop {
        let error = match call().into_future().await {
            Ok(answer) => {
                metrics.call_succeeded(what);
                return Ok(answer);
            }
            Err(e) => e,
        };
        let last = attempt == MAX_ATTEMPTS;
        let pause = match error {
            RequestError::RetryAfter(wait) => {
                metrics.api_error("retry_after");
                let wait = wait.duration();
                if wait > MAX_RETRY_AFTER || last {
                    log::warn!("{what}: told to wait {}s, giving up", wait.as_secs());
                    return Err(Delivery::Failed);
                }
                metrics.retry_after(wait);
                log::info!("{what}: 429, waiting {}s as asked", wait.as_secs());
                wait
            }
            RequestError::Api(ApiError::MessageNotModified) => return Err(Delivery::Unchanged),
            RequestError::Api(e) if unreachable(&e) => {
                metrics.api_error("unreachable");
                log::info!("{what}: chat unreachable ({e})");
                return Err(Delivery::Unreachable);
            }
            e if transient(&e) => {
                // Counted as what it is, on the last attempt too.
                metrics.api_error(transient_kind(&e));
                if last {
                    log::error!("{what}: {e}; gave up after {MAX_ATTEMPTS} attempts");
                    return Err(Delivery::Failed);
                }
                log::warn!("{what}: {e} (attempt {attempt}), retrying");
                let pause = backoff;
                backoff *= 2;
                pause
            }
            e => {
                metrics.api_error("other");
                log::error!("{what} failed: {e}");
                return Err(Delivery::Failed);
            }
        };
        tokio::time::sleep(pause).await;
        attempt += 1;
    }
}

/// Sends every message of a reply, in order; stops at the first that cannot go out.
pub async fn deliver(bot: &Bot, metrics: &Metrics, chat: ChatId, reply: &Reply) -> Delivery {
    for message in &reply.messages {
        let outcome = send(bot, metrics, chat, message, reply.link_preview).await;
        if outcome != Delivery::Sent {
            return outcome;
        }
    }
    Delivery::Sent
}

async fn send(
    bot: &Bot,
    metrics: &Metrics,
    chat: ChatId,
    message: &Part,
    preview: bool,
) -> Delivery {
    let keys = markup(&message.keyboard);
    retrying(metrics, "sendMessage", || {
        let request = bot
            .send_message(chat, &message.html)
            .parse_mode(ParseMode::Html)
            .link_preview_options(link_preview(preview));
        match &keys {
            Some(k) => request.reply_markup(k.clone()),
            None => request,
        }
    })
    .await
}

/// Replaces a message in place with the reply's first message (buttons included, or
/// removed); any further messages of the reply follow as new ones.
pub async fn edit(
    bot: &Bot,
    metrics: &Metrics,
    chat: ChatId,
    id: MessageId,
    reply: &Reply,
) -> Delivery {
    let Some((first, rest)) = reply.messages.split_first() else {
        return Delivery::Unchanged;
    };
    let keys = markup(&first.keyboard).unwrap_or_default();
    let outcome = retrying(metrics, "editMessageText", || {
        bot.edit_message_text(chat, id, &first.html)
            .parse_mode(ParseMode::Html)
            .link_preview_options(link_preview(reply.link_preview))
            .reply_markup(keys.clone())
    })
    .await;
    if !matches!(outcome, Delivery::Sent | Delivery::Unchanged) {
        return outcome;
    }
    for message in rest {
        let sent = send(bot, metrics, chat, message, reply.link_preview).await;
        if sent != Delivery::Sent {
            return sent;
        }
    }
    outcome
}

/// Faults that say nothing about the request itself: the network, or Telegram's servers
/// having a bad moment (a 5xx arrives as an unknown error, or as a body that is not JSON).
/// Retrying may deliver twice if the first attempt got through; losing a reply is worse.
///
/// A 5xx reaches us only after teloxide-core (0.13, the newest) has slept 10 s: its
/// `process_response` sleeps a fixed `DELAY_ON_SERVER_ERROR` on any 5xx status before
/// reading the body, with no setting to change it. `Bot` takes a concrete
/// `reqwest::Client`, which has no hook on responses (its `connector_layer` sees
/// connections only), so this retry cannot see the status first; owning it would take
/// a `Requester` of our own for every method, a local proxy rewriting statuses, or a
/// patched teloxide-core. Cutting the call short with a deadline would not tell a 5xx
/// from a slow answer, and could send a reply twice. So the first wait after a 5xx is
/// teloxide's 10 s, and the backoff here starts after it.
fn transient(e: &RequestError) -> bool {
    match e {
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => true,
        RequestError::Api(ApiError::Unknown(description)) => [
            "Internal Server Error",
            "Bad Gateway",
            "Service Unavailable",
            "Gateway Timeout",
        ]
        .iter()
        .any(|s| description.starts_with(s)),
        _ => false,
    }
}

fn transient_kind(e: &RequestError) -> &'static str {
    match e {
        RequestError::Network(_) | RequestError::Io(_) => "network",
        _ => "server",
    }
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
