//! Rehearsal mode (`QANTAR_REHEARSAL_AT`): the real scheduler, queue, pacing, map upload
//! and channel posting, on the release build and against real Telegram, with the
//! outreach clock set to a chosen moment and moving on from it, and every unprompted
//! message sent only to the admins and `QANTAR_REHEARSAL_CHANNEL`, never to a subscriber
//! or a configured channel. Its jobs have ids of their own (`rehearsal:…`), so a
//! rehearsed day or announcement is never taken for the real one, and each message it
//! sends says that it is a rehearsal.

use jiff::civil::DateTime;

use super::settings::{Channel, Zone, parse_channels};
use super::snapshot;
use crate::render::map::{CAPTION_LIMIT, visible_len};
use crate::render::{Keyboard, Part};
use crate::store::outreach::JobMessage;

/// The prefix of a rehearsal job's id.
pub const JOB_PREFIX: &str = "rehearsal:";

/// What a rehearsal needs: where its clock starts, and the channel it may post to.
#[derive(Debug, Clone)]
pub struct Rehearsal {
    pub at: DateTime,
    pub channel: Option<Channel>,
}

/// `2027-01-05T08:59` (seconds optional), local time in `QANTAR_TIMEZONE`.
pub fn parse_at(raw: &str) -> Result<DateTime, String> {
    raw.trim().parse().map_err(|_| {
        format!(
            "QANTAR_REHEARSAL_AT `{raw}` is not a local date and time: write it as 2027-01-05T08:59"
        )
    })
}

/// One channel, as in `QANTAR_CHANNELS`: `@name:kk` or `-1001234567890:ru`.
pub fn parse_channel(raw: &str) -> Result<Channel, String> {
    let mut channels = parse_channels(raw)?.0;
    match (channels.pop(), channels.is_empty()) {
        (Some(c), true) => Ok(c),
        _ => Err(format!(
            "QANTAR_REHEARSAL_CHANNEL `{raw}` must name one channel with its language, e.g. @my_test_channel:kk"
        )),
    }
}

impl Rehearsal {
    /// Sets the outreach clock to the rehearsal's moment; from now on it moves on.
    pub fn start_clock(&self, zone: &Zone) -> Result<(), String> {
        let at = self
            .at
            .to_zoned(zone.0.clone())
            .map_err(|e| format!("QANTAR_REHEARSAL_AT: {e}"))?;
        super::clock::rehearse_from(at.timestamp());
        Ok(())
    }
}

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
    app: &crate::handle::App,
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
