//! One attempt at a message the bot sends unprompted (a broadcast, a channel post). No
//! retry here: the outreach sender owns the pacing, the pauses and the retries, since
//! Telegram's limits for bulk messages are the bot's, not one chat's.

use std::time::Duration;

use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{ParseMode, Recipient};

use super::markup::markup;
use super::photo::{self, Pictures};
use super::{link_preview, transient, transient_kind, unreachable};
use crate::metrics::Metrics;
use crate::render::Reply;

/// Why a message did not go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsent {
    /// 429: nothing more may be sent for this long.
    RetryAfter(Duration),
    /// The chat blocked the bot or is gone: never retried.
    Unreachable,
    /// The network or Telegram's servers: worth another attempt later.
    Transient,
    /// Telegram refused the request itself: another attempt would be refused too.
    Rejected,
}

/// A message that did not go whole: `parts` of its messages went (counting those sent
/// on earlier attempts), and why the next did not, with Telegram's own words (for an
/// operator: channel posts name no reader).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partial {
    pub parts: u32,
    pub unsent: Unsent,
    pub detail: String,
}

/// Sends the parts of `reply` to `to` from part `skip` on (the earlier ones went on an
/// earlier attempt), with `allow_paid_broadcast` when `paid`. A reply with a picture
/// (the day's map) goes as a photo with its first part as the caption, uploaded once
/// and then sent by file_id; a picture that cannot be drawn leaves the text to go
/// alone. A failure says how many parts went, so a retry repeats none of them.
pub async fn send_once(
    bot: &Bot,
    metrics: &Metrics,
    pictures: &Pictures,
    to: Recipient,
    reply: &Reply,
    paid: bool,
    skip: u32,
) -> Result<(), Partial> {
    let mut sent = skip.min(reply.messages.len() as u32);
    let fail = |sent: u32, unsent: Unsent, e: &RequestError| Partial {
        parts: sent,
        unsent,
        detail: e.to_string(),
    };
    let mut parts = &reply.messages[sent as usize..];
    if sent == 0
        && let (Some(photo), Some((first, rest))) = (&reply.photo, parts.split_first())
        && let Some((file, upload)) = photo::input(pictures, metrics, photo, true).await
    {
        let mut request = bot
            .send_photo(to.clone(), file)
            .caption(&first.html)
            .parse_mode(ParseMode::Html);
        if let Some(keys) = markup(&first.keyboard) {
            request = request.reply_markup(keys);
        }
        if paid {
            request = request.allow_paid_broadcast(true);
        }
        match request.await {
            Ok(message) => {
                metrics.call_succeeded("sendPhoto");
                if upload {
                    photo::keep_upload(pictures, metrics, photo, "sendPhoto", &message).await;
                }
            }
            Err(e) => {
                let unsent = classify(metrics, &e);
                if unsent == Unsent::Rejected && !upload {
                    // A file_id Telegram no longer takes: forgotten, so the retry uploads.
                    pictures.forget(metrics, &photo.key).await;
                    return Err(fail(0, Unsent::Transient, &e));
                }
                return Err(fail(0, unsent, &e));
            }
        }
        sent = 1;
        parts = rest;
    }
    for part in parts {
        let mut request = bot
            .send_message(to.clone(), &part.html)
            .parse_mode(ParseMode::Html)
            .link_preview_options(link_preview(reply.link_preview));
        if let Some(keys) = markup(&part.keyboard) {
            request = request.reply_markup(keys);
        }
        if paid {
            request = request.allow_paid_broadcast(true);
        }
        match request.await {
            Ok(_) => {
                metrics.call_succeeded("sendMessage");
                sent += 1;
            }
            Err(e) => return Err(fail(sent, classify(metrics, &e), &e)),
        }
    }
    Ok(())
}

fn classify(metrics: &Metrics, e: &RequestError) -> Unsent {
    match e {
        RequestError::RetryAfter(wait) => {
            metrics.api_error("retry_after");
            Unsent::RetryAfter(wait.duration())
        }
        RequestError::Api(api) if unreachable(api) => {
            metrics.api_error("unreachable");
            Unsent::Unreachable
        }
        e if transient(e) => {
            metrics.api_error(transient_kind(e));
            Unsent::Transient
        }
        e => {
            metrics.api_error("other");
            log::warn!("broadcast message refused: {e}");
            Unsent::Rejected
        }
    }
}
