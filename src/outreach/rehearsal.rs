//! Rehearsal mode (`QANTAR_REHEARSAL_AT`): the real scheduler, queue, pacing, map upload
//! and channel posting, on the release build and against real Telegram, with the
//! outreach clock set to a chosen moment and moving on from it, and every unprompted
//! message sent only to the admins and `QANTAR_REHEARSAL_CHANNEL`, never to a subscriber
//! or a configured channel. Its jobs have ids of their own (`rehearsal:…`), so a
//! rehearsed day or announcement is never taken for the real one, and each message it
//! sends says that it is a rehearsal.

use super::snapshot;
use crate::render::map::{CAPTION_LIMIT, visible_len};
use crate::render::{Keyboard, Part};
use crate::store::outreach::JobMessage;

pub use crate::schedule::rehearsal::{JOB_PREFIX, Rehearsal};

/// The rehearsal's version of a job's messages: each says, at its end, that it is a
/// rehearsal (in the message's own language), as a line of its last part, or as a part
/// of its own where a map's caption has no room for it.
pub fn mark(
    messages: Vec<JobMessage>,
    banner: impl Fn(crate::lang::Lang) -> String,
) -> Vec<JobMessage> {
    messages
        .into_iter()
        .map(|mut m| {
            if let Some(mut reply) = snapshot::decode(&m.body) {
                let line = banner(m.lang);
                let single_caption = reply.photo.is_some() && reply.messages.len() == 1;
                match reply.messages.last_mut() {
                    Some(last)
                        if !single_caption
                            || visible_len(&last.html) + line.chars().count() + 2
                                <= CAPTION_LIMIT =>
                    {
                        last.html = format!("{}\n\n{line}", last.html);
                    }
                    _ => reply.messages.push(Part {
                        html: line,
                        keyboard: Keyboard::new(),
                    }),
                }
                m.body = snapshot::encode(&reply);
            }
            m
        })
        .collect()
}

/// Queues the job for `item` (`day:…`, `announce:…`) with its rendered `messages`, from
/// `not_before_ms`: to every subscriber and the configured channels, or in rehearsal
/// mode to the admins alone (each in the language saved for their private chat) and the
/// rehearsal channel, under the rehearsal's own job id and with every message marked.
/// `store` is the caller's handle (the sender has one of its own).
pub async fn queue(
    app: &crate::app::App,
    store: &crate::store::Store,
    item: &str,
    not_before_ms: i64,
    messages: Vec<JobMessage>,
) -> Result<Option<i64>, crate::store::StoreError> {
    let outreach = &app.outreach;
    let job = outreach.job_id(item);
    if outreach.rehearsal.is_none() {
        return store
            .create_job_at(&job, not_before_ms, &messages, &outreach.channels())
            .await;
    }
    let catalog = app.catalog.get();
    let banner = |lang| {
        catalog
            .locales
            .text(lang, crate::i18n::Msg::RehearsalBanner, None)
    };
    let messages = mark(messages, banner);
    let mut admins = Vec::new();
    for admin in &app.admins {
        let lang = app.admin_lang(store, *admin).await;
        admins.push((*admin as i64, lang));
    }
    store
        .create_job_for(
            &job,
            not_before_ms,
            &messages,
            &outreach.channels(),
            &admins,
        )
        .await
}
