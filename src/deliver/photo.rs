//! Photos (the map): uploaded once, then sent by the `file_id` Telegram gave the upload.
//! File ids are kept in the store under the picture's content key, so a restart or
//! another replica sends by file_id too, and a changed picture is a new upload.
//!
//! Drawing the PNG is CPU work of tens of milliseconds: it runs on tokio's blocking pool,
//! never on the one thread that answers everyone. Only an upload draws; a picture
//! already uploaded costs a store read (or a memory hit) and a short request.

use std::collections::HashMap;
use std::sync::Mutex;

use teloxide::prelude::*;
use teloxide::types::{FileId, InputFile, InputMedia, InputMediaPhoto, MessageId, ParseMode};

use super::markup::markup;
use super::{Delivery, attempt, deliver};
use crate::metrics::Metrics;
use crate::render::Reply;
use crate::render::map::{self, Photo};
use crate::store::Store;

/// Telegram's file ids of the pictures uploaded, by picture key: in memory in front of
/// the store.
pub struct Pictures {
    store: Store,
    known: Mutex<HashMap<String, String>>,
}

impl Pictures {
    pub fn new(store: Store) -> Pictures {
        Pictures {
            store,
            known: Mutex::new(HashMap::new()),
        }
    }

    /// Whether this process already knows a file_id for the picture (a send by it
    /// costs no upload).
    pub fn known(&self, key: &str) -> bool {
        self.cached(key).is_some()
    }

    fn cached(&self, key: &str) -> Option<String> {
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    fn keep(&self, key: &str, file_id: Option<&str>) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        match file_id {
            Some(id) => known.insert(key.to_string(), id.to_string()),
            None => known.remove(key),
        };
    }

    /// The file_id of an earlier upload of this picture, by this process or another.
    async fn file_id(&self, metrics: &Metrics, key: &str) -> Option<String> {
        if let Some(id) = self.cached(key) {
            return Some(id);
        }
        match self.store.picture_file(key).await {
            Ok(Some(id)) => {
                self.keep(key, Some(&id));
                Some(id)
            }
            Ok(None) => None,
            Err(e) => {
                metrics.store_error("read");
                log::warn!("picture file_id read failed, uploading: {e}");
                None
            }
        }
    }

    /// Forgets a file_id Telegram refused, here and in the store, so the next send
    /// uploads the picture again.
    pub(super) async fn forget(&self, metrics: &Metrics, key: &str) {
        self.keep(key, None);
        if let Err(e) = self.store.forget_picture_file(key).await {
            metrics.store_error("write");
            log::warn!("picture file_id delete failed: {e}");
        }
    }

    async fn remember(&self, metrics: &Metrics, key: &str, file_id: &str) {
        self.keep(key, Some(file_id));
        if let Err(e) = self.store.set_picture_file(key, file_id).await {
            metrics.store_error("write");
            log::warn!("picture file_id write failed: {e}");
        }
    }
}

/// The photo as Telegram takes it, and whether it is an upload; `None` if it could not
/// be drawn. `reuse` false always uploads: after Telegram refused a file_id, another
/// reader's request may have put the same stale one back in memory meanwhile.
pub(super) async fn input(
    pictures: &Pictures,
    metrics: &Metrics,
    photo: &Photo,
    reuse: bool,
) -> Option<(InputFile, bool)> {
    if reuse && let Some(id) = pictures.file_id(metrics, &photo.key).await {
        return Some((InputFile::file_id(FileId(id)), false));
    }
    let svg = photo.svg.clone();
    match tokio::task::spawn_blocking(move || map::png(&svg)).await {
        Ok(Ok(png)) => Some((InputFile::memory(png).file_name("map.png"), true)),
        Ok(Err(e)) => {
            log::error!("the map could not be drawn: {e}");
            None
        }
        Err(e) => {
            log::error!("drawing the map failed: {e}");
            None
        }
    }
}

/// Keeps the file_id Telegram gave the upload of `photo` in `message`, for every later
/// send of the same picture.
pub(super) async fn keep_upload(
    pictures: &Pictures,
    metrics: &Metrics,
    photo: &Photo,
    what: &str,
    message: &Message,
) {
    match largest(message) {
        Some(id) => pictures.remember(metrics, &photo.key, &id).await,
        None => log::warn!("{what}: Telegram returned no photo to reuse"),
    }
}

/// The file_id of the largest size of a sent photo.
fn largest(message: &Message) -> Option<String> {
    message
        .photo()
        .and_then(|sizes| sizes.iter().max_by_key(|s| s.width * s.height))
        .map(|s| s.file.id.0.clone())
}

/// Sends or edits with the picture: by file_id when there is one, else by upload, whose
/// file_id is then kept. A file_id Telegram refuses is forgotten and the picture
/// uploaded instead.
async fn with_picture<F, R>(
    pictures: &Pictures,
    metrics: &Metrics,
    photo: &Photo,
    what: &str,
    mut call: F,
) -> Delivery
where
    F: FnMut(InputFile) -> R,
    R: std::future::IntoFuture<Output = Result<Message, teloxide::RequestError>>,
{
    for reuse in [true, false] {
        let Some((file, upload)) = input(pictures, metrics, photo, reuse).await else {
            return Delivery::Failed;
        };
        match attempt(metrics, what, || call(file.clone())).await {
            Ok(message) => {
                if upload {
                    keep_upload(pictures, metrics, photo, what, &message).await;
                }
                return Delivery::Sent;
            }
            Err(Delivery::Failed) if !upload => {
                log::warn!("{what}: sending by file_id failed; uploading the picture again");
                pictures.forget(metrics, &photo.key).await;
            }
            Err(outcome) => return outcome,
        }
    }
    Delivery::Failed
}

/// Sends a reply with a picture: the photo with the first message as its caption and
/// its buttons, then any further messages as text. A reply without a picture is sent
/// as text.
pub async fn send(
    bot: &Bot,
    metrics: &Metrics,
    pictures: &Pictures,
    chat: ChatId,
    reply: &Reply,
) -> Delivery {
    let (Some(photo), Some(first)) = (&reply.photo, reply.messages.first()) else {
        return deliver(bot, metrics, chat, reply).await;
    };
    let keys = markup(&first.keyboard);
    let sent = with_picture(pictures, metrics, photo, "sendPhoto", |file| {
        let request = bot
            .send_photo(chat, file)
            .caption(&first.html)
            .parse_mode(ParseMode::Html);
        match &keys {
            Some(k) => request.reply_markup(k.clone()),
            None => request,
        }
    })
    .await;
    if sent != Delivery::Sent {
        return sent;
    }
    // A text too long to be the caption follows the photo (see `render`).
    for message in &reply.messages[1..] {
        let outcome = super::send(bot, metrics, chat, message, reply.link_preview).await;
        if outcome != Delivery::Sent {
            return outcome;
        }
    }
    Delivery::Sent
}

/// Replaces the photo, caption and buttons of a photo message in place (◀ ▶).
pub async fn edit(
    bot: &Bot,
    metrics: &Metrics,
    pictures: &Pictures,
    chat: ChatId,
    id: MessageId,
    reply: &Reply,
) -> Delivery {
    let (Some(photo), Some(first)) = (&reply.photo, reply.messages.first()) else {
        return Delivery::Failed;
    };
    let keys = markup(&first.keyboard).unwrap_or_default();
    with_picture(pictures, metrics, photo, "editMessageMedia", |file| {
        let media = InputMediaPhoto {
            parse_mode: Some(ParseMode::Html),
            ..InputMediaPhoto::new(file).caption(&first.html)
        };
        bot.edit_message_media(chat, id, InputMedia::Photo(media))
            .reply_markup(keys.clone())
    })
    .await
}
