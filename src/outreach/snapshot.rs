//! What a job sends, fixed when it is queued: each audience's message in each language,
//! rendered once from the content of that moment and kept in the store. The sender
//! sends these and never renders, so a reload, an edit or a restart cannot change a job
//! half way, and a job whose item has left the content can never turn into an error
//! text in a subscriber's chat. The fingerprint of the set ties a Confirm to the
//! preview it was pressed under.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::job_view;
use crate::catalog::Catalog;
use crate::content::{Content, Date};
use crate::input::callback_data::Callback;
use crate::lang::Lang;
use crate::render::map::Photo;
use crate::render::{Button, ButtonAction, Part, Reply, render};
use crate::store::outreach::{Audience, JobMessage};
use crate::view::{Links, View};

/// Characters of the fingerprint in a Confirm button's data: 40 bits, plenty to tell
/// one version of an announcement from the next.
const FINGERPRINT_CHARS: usize = 10;

/// Whether the record has something to say on `day` (an event on its calendar day, of
/// an earlier year): a day job without one would send "nothing happened" to everyone.
pub fn day_has_events(content: &Content, day: Date) -> bool {
    content.events.iter().any(|e| {
        e.date.month == day.month
            && e.date.day.is_some()
            && e.date.day == day.day
            && e.date.year < day.year
    })
}

/// The message `job` sends to `audience` in `lang`, rendered from `catalog` now; `None`
/// when the content has nothing to send for it (an announcement no longer there, a day
/// without events), so no refusal meant for an admin is ever kept for a reader.
pub fn render_job(
    catalog: &Catalog,
    job: &str,
    audience: Audience,
    lang: Lang,
    bot: &str,
) -> Option<Reply> {
    let links = match audience {
        Audience::Chat => Links::Buttons,
        Audience::Channel => Links::DeepLinks {
            bot: bot.to_string(),
        },
    };
    let view = job_view(job, links)?;
    let sendable = match &view {
        View::OnThisDay { day, .. } => day_has_events(&catalog.content, *day),
        View::Announcement { id, .. } => catalog.content.announcement(id).is_some(),
        _ => false,
    };
    sendable.then(|| render(catalog, lang, &view))
}

/// Every message `job` will send: to chats in each language, and to channels in each
/// language of `channel_langs`. `None` when there is nothing to send.
pub fn job_messages(
    catalog: &Catalog,
    job: &str,
    channel_langs: &[Lang],
    bot: &str,
) -> Option<Vec<JobMessage>> {
    let mut out = Vec::new();
    let chats = Lang::ALL.iter().map(|l| (Audience::Chat, *l));
    let mut channels: Vec<Lang> = channel_langs.to_vec();
    channels.sort_by_key(|l| l.code());
    channels.dedup();
    let channels = channels.into_iter().map(|l| (Audience::Channel, l));
    for (audience, lang) in chats.chain(channels) {
        let reply = render_job(catalog, job, audience, lang, bot)?;
        out.push(JobMessage {
            audience,
            lang,
            body: encode(&reply),
        });
    }
    Some(out)
}

/// A short fingerprint of a job's messages: equal exactly when every message, in every
/// language and for every audience, is the same.
pub fn fingerprint(messages: &[JobMessage]) -> String {
    let mut hash = Sha256::new();
    for m in messages {
        hash.update(m.audience.code());
        hash.update(m.lang.code());
        hash.update((m.body.len() as u64).to_le_bytes());
        hash.update(&m.body);
    }
    hash.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..FINGERPRINT_CHARS]
        .to_string()
}

/// The fingerprint of what `job` would send now (what a preview's Confirm carries);
/// `None` when there is nothing to send.
pub fn version_of(
    catalog: &Catalog,
    job: &str,
    channel_langs: &[Lang],
    bot: &str,
) -> Option<String> {
    job_messages(catalog, job, channel_langs, bot).map(|m| version(catalog, job, &m))
}

/// The version a preview shows and its Confirm carries: the messages' fingerprint, and
/// for a scheduled announcement its time too, so a moved `send_at` needs a new look.
pub fn version(catalog: &Catalog, job: &str, messages: &[JobMessage]) -> String {
    let send_at = job
        .strip_prefix("announce:")
        .and_then(|id| catalog.content.announcement(id))
        .and_then(|a| a.send_at.clone());
    match send_at {
        None => fingerprint(messages),
        Some(at) => {
            let mut with_time = messages.to_vec();
            with_time.push(JobMessage {
                audience: Audience::Chat,
                lang: Lang::En,
                body: format!("send_at {at}"),
            });
            fingerprint(&with_time)
        }
    }
}

/// A reply as the store keeps it.
#[derive(Serialize, Deserialize)]
struct Stored {
    messages: Vec<StoredPart>,
    link_preview: bool,
    photo: Option<StoredPhoto>,
}

#[derive(Serialize, Deserialize)]
struct StoredPart {
    html: String,
    keyboard: Vec<Vec<StoredButton>>,
}

/// A button: `kind` is `cb`, `apart`, `url`, `share` or `webapp`; `data` its callback
/// data, link or query. `apart` is `ButtonAction::NewMessage`: the Rust name changed, the
/// stored word did not, so jobs queued before still decode; never rename a stored kind.
#[derive(Serialize, Deserialize)]
struct StoredButton {
    label: String,
    kind: String,
    data: String,
}

#[derive(Serialize, Deserialize)]
struct StoredPhoto {
    day: String,
    svg: String,
}

/// The reply as JSON for the store.
pub fn encode(reply: &Reply) -> String {
    let stored = Stored {
        messages: reply
            .messages
            .iter()
            .map(|p| StoredPart {
                html: p.html.clone(),
                keyboard: p
                    .keyboard
                    .iter()
                    .map(|row| row.iter().map(stored_button).collect())
                    .collect(),
            })
            .collect(),
        link_preview: reply.link_preview,
        photo: reply.photo.as_ref().map(|p| StoredPhoto {
            day: p.day.to_string(),
            svg: p.svg.clone(),
        }),
    };
    // Plain strings, bools and lists: serializing them cannot fail.
    serde_json::to_string(&stored).unwrap_or_default()
}

fn stored_button(b: &Button) -> StoredButton {
    let (kind, data) = match &b.action {
        ButtonAction::Callback(cb) => ("cb", cb.to_string()),
        // The stored word stays `apart` (rows written before the rename): see StoredButton.
        ButtonAction::NewMessage(cb) => ("apart", cb.to_string()),
        ButtonAction::Url(url) => ("url", url.clone()),
        ButtonAction::ShareInline(q) => ("share", q.clone()),
        ButtonAction::WebApp(url) => ("webapp", url.clone()),
    };
    StoredButton {
        label: b.label.clone(),
        kind: kind.to_string(),
        data,
    }
}

/// The reply kept in the store; `None` for a body this build cannot read (damaged, or
/// of a later release), which the sender records as failed rather than guess.
pub fn decode(body: &str) -> Option<Reply> {
    let stored: Stored = serde_json::from_str(body).ok()?;
    let mut messages = Vec::with_capacity(stored.messages.len());
    for p in stored.messages {
        let mut keyboard = Vec::with_capacity(p.keyboard.len());
        for row in p.keyboard {
            let row: Option<Vec<Button>> = row.into_iter().map(button).collect();
            keyboard.push(row?);
        }
        messages.push(Part {
            html: p.html,
            keyboard,
        });
    }
    let photo = match stored.photo {
        Some(p) => Some(Photo::new(p.day.parse().ok()?, p.svg)),
        None => None,
    };
    Some(Reply {
        messages,
        link_preview: stored.link_preview,
        photo,
    })
}

fn button(b: StoredButton) -> Option<Button> {
    let action = match b.kind.as_str() {
        "cb" => ButtonAction::Callback(Callback::parse(&b.data).ok()?),
        // `apart`, as rows have always stored `ButtonAction::NewMessage`.
        "apart" => ButtonAction::NewMessage(Callback::parse_press(&b.data).ok()?.0),
        "url" => ButtonAction::Url(b.data),
        "share" => ButtonAction::ShareInline(b.data),
        "webapp" => ButtonAction::WebApp(b.data),
        _ => return None,
    };
    Some(Button {
        label: b.label,
        action,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::load("content".as_ref(), "locales".as_ref()).expect("shipped content loads")
    }

    #[test]
    fn every_shipped_job_survives_the_store_unchanged() {
        let catalog = catalog();
        let mut jobs: Vec<String> = catalog
            .content
            .announcements
            .iter()
            .map(|a| format!("announce:{}", a.id))
            .collect();
        jobs.push("day:2027-01-05".into());
        jobs.push("day:2027-01-06".into());
        for job in &jobs {
            for audience in [Audience::Chat, Audience::Channel] {
                for lang in Lang::ALL {
                    let reply = render_job(&catalog, job, audience, lang, "qantar_bot")
                        .unwrap_or_else(|| panic!("{job} renders"));
                    assert_eq!(decode(&encode(&reply)), Some(reply), "{job} {lang:?}");
                }
            }
        }
    }

    #[test]
    fn nothing_is_kept_for_an_item_the_content_lacks() {
        let catalog = catalog();
        assert!(job_messages(&catalog, "announce:no_such_thing", &[], "b").is_none());
        // 1 February: no event of the record is dated to it.
        assert!(job_messages(&catalog, "day:2027-02-01", &[], "b").is_none());
        // 5 January 2021: the record's 5 January events are of 2022, later.
        assert!(job_messages(&catalog, "day:2021-01-05", &[], "b").is_none());
        assert!(job_messages(&catalog, "day:2027-01-05", &[], "b").is_some());
    }

    #[test]
    fn the_fingerprint_changes_with_any_language_or_audience() {
        let catalog = catalog();
        let id = &catalog.content.announcements[0].id;
        let job = format!("announce:{id}");
        let one = job_messages(&catalog, &job, &[], "b").unwrap();
        let with_channel = job_messages(&catalog, &job, &[Lang::Kk], "b").unwrap();
        assert_eq!(fingerprint(&one), fingerprint(&one.clone()));
        assert_ne!(fingerprint(&one), fingerprint(&with_channel));
        let mut edited = one.clone();
        edited[2].body = edited[2].body.replace('a', "b");
        assert_ne!(fingerprint(&one), fingerprint(&edited));
    }
}
