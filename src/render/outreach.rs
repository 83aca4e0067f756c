//! What is sent unprompted, and what its admin sees: "on this day", announcements, the
//! announcement preview and the progress of broadcasts.

use std::collections::BTreeMap;

use fluent::FluentValue;

use super::html::{clip, escape};
use super::keyboard::{Button, Keyboard};
use super::views::Renderer;
use crate::content::{Announcement, ButtonTarget, Content, Date, Event};
use crate::i18n::{Msg, args};
use crate::input::callback_data::{AfterLang, Callback, JobAct};
use crate::input::deep_link::{Payload, link};
use crate::lang::Lang;
use crate::view::{JobProgress, Links};

/// Numbered "open" buttons per row under an "on this day" message.
const OPEN_PER_ROW: usize = 5;
/// How much of an announcement's first line `/announce` lists.
const LIST_LINE_MAX: usize = 90;

/// Calendar days (month, day) with at least one timeline event dated to the day, in
/// calendar order, each once. The scheduler plans its sends from these.
pub fn days_with_events(content: &Content) -> Vec<(u8, u8)> {
    let mut days: Vec<(u8, u8)> = content
        .events
        .iter()
        .filter_map(|e| e.date.day.map(|d| (e.date.month, d)))
        .collect();
    days.sort_unstable();
    days.dedup();
    days
}

/// The button a deep link becomes in a chat that talks to the bot: the same view,
/// reached by a callback instead of a `/start`; `map` alone opens the map's first day.
fn callback_for(payload: &Payload, map_from: Date) -> Callback {
    match payload {
        Payload::Map(day) => Callback::Map(day.unwrap_or(map_from)),
        Payload::Petition => Callback::Petition,
        Payload::Timeline => Callback::TimelinePage(0),
        Payload::Sources => Callback::Sources,
        Payload::Summary => Callback::Summary,
        Payload::Topic(id) => Callback::Topic(id.clone()),
        Payload::Event(id) => Callback::Event(id.clone()),
        Payload::Lang(lang) => Callback::SetLang {
            lang: *lang,
            then: AfterLang::Confirm,
        },
    }
}

/// A button opening `payload` the way `links` says. In a chat it answers in a new
/// message: the day's message or the announcement stays, for its other buttons.
fn open_button(label: String, payload: &Payload, links: &Links, map_from: Date) -> Button {
    match links {
        Links::Buttons => Button::new_message(label, callback_for(payload, map_from)),
        Links::DeepLinks { bot } => Button::url(label, link(bot, payload)),
    }
}

impl Renderer<'_> {
    /// "5 January", for a day in any year.
    fn day_month(&self, month: u8, day: u8) -> String {
        let a = args([
            ("day", FluentValue::from(day)),
            ("month", FluentValue::from(month)),
        ]);
        self.catalog
            .locales
            .text(self.lang, Msg::DateDayMonth, Some(&a))
    }

    /// This calendar day's events of years before `day`'s, oldest year first, grouped
    /// by year.
    fn on_this_day_events(&self, day: Date) -> BTreeMap<u16, Vec<&Event>> {
        let mut years: BTreeMap<u16, Vec<&Event>> = BTreeMap::new();
        let Some(dom) = day.day else {
            return years;
        };
        for e in &self.catalog.content.events {
            if e.date.month == day.month && e.date.day == Some(dom) && e.date.year < day.year {
                years.entry(e.date.year).or_default().push(e);
            }
        }
        years
    }

    pub(super) fn on_this_day(&self, day: Date, links: &Links) -> (Vec<String>, Keyboard) {
        let years = self.on_this_day_events(day);
        if years.is_empty() {
            let a = args([
                (
                    "date",
                    FluentValue::from(self.day_month(day.month, day.day.unwrap_or(1))),
                ),
                ("year", FluentValue::from(day.year)),
            ]);
            return (vec![self.t_args(Msg::OtdNothing, &a)], Keyboard::new());
        }
        let mut blocks = Vec::new();
        let mut open = Vec::new();
        for (year, events) in &years {
            let Some(first) = events.first() else {
                continue;
            };
            let a = args([
                ("years", FluentValue::from(day.year - year)),
                ("date", self.date(first.date).into()),
            ]);
            blocks.push(format!("🗓 <b>{}</b>", self.t_args(Msg::OtdYearsAgo, &a)));
            for e in events {
                let n = open.len() + 1;
                blocks.push(format!(
                    "<b>{n}. {}</b>\n<i>{}</i>",
                    escape(e.title.get(self.lang)),
                    escape(e.place.get(self.lang)),
                ));
                open.push(open_button(
                    n.to_string(),
                    &Payload::Event(e.id.clone()),
                    links,
                    self.catalog.content.map_days.from,
                ));
            }
        }
        let hint = match links {
            Links::Buttons => Msg::OtdOpenHint,
            Links::DeepLinks { .. } => Msg::OtdOpenHintLinks,
        };
        blocks.push(format!("<i>{}</i>", self.t(hint)));
        let mut keys: Keyboard = open.chunks(OPEN_PER_ROW).map(<[_]>::to_vec).collect();
        // Sharing through inline mode needs a chat with the bot; a channel post has none.
        keys.push(self.petition_row(*links == Links::Buttons));
        (blocks, keys)
    }

    pub(super) fn announcement_unknown(&self, id: &str) -> Vec<String> {
        let a = args([("id", FluentValue::from(clip(id, 32)))]);
        vec![self.t_args(Msg::AnnounceUnknown, &a)]
    }

    pub(super) fn announcement(&self, id: &str, links: &Links) -> (Vec<String>, Keyboard) {
        match self.catalog.content.announcement(id) {
            Some(a) => (
                Self::paragraphs(a.text.get(self.lang)),
                self.announcement_keys(a, links),
            ),
            None => (self.announcement_unknown(id), Keyboard::new()),
        }
    }

    /// One button a row: labels are curated and may be long.
    fn announcement_keys(&self, a: &Announcement, links: &Links) -> Keyboard {
        a.buttons
            .iter()
            .filter_map(|b| match b.target()? {
                ButtonTarget::Petition => Some(Button::url(
                    self.plain(Msg::ButtonSign),
                    self.catalog.content.petition.url.clone(),
                )),
                ButtonTarget::DeepLink { payload, label } => {
                    let payload = Payload::parse(payload)?;
                    Some(open_button(
                        label.get(self.lang).to_string(),
                        &payload,
                        links,
                        self.catalog.content.map_days.from,
                    ))
                }
            })
            .map(|b| vec![b])
            .collect()
    }

    pub(super) fn announce_list(&self, ids: &[String]) -> Vec<String> {
        if ids.is_empty() {
            return vec![self.t(Msg::AnnounceListEmpty)];
        }
        let lines: Vec<String> = ids
            .iter()
            .map(|id| {
                let first = match self.catalog.content.announcement(id) {
                    Some(a) => escape(&clip(a.text.en.lines().next().unwrap_or(""), LIST_LINE_MAX)),
                    None => format!("<i>{}</i>", self.t(Msg::AnnounceListMissing)),
                };
                format!("<code>/announce {}</code> — {first}", escape(id))
            })
            .collect();
        vec![
            format!("<b>{}</b>", self.t(Msg::AnnounceListTitle)),
            lines.join("\n"),
            format!("<i>{}</i>", self.t(Msg::AnnounceListHint)),
        ]
    }

    pub(super) fn announce_preview(
        &self,
        id: &str,
        recipients: &[(Lang, i64)],
        channels: usize,
        version: &str,
    ) -> (Vec<String>, Keyboard) {
        let Some(a) = self.catalog.content.announcement(id) else {
            return (self.announcement_unknown(id), Keyboard::new());
        };
        let title = args([("id", FluentValue::from(a.id.as_str()))]);
        let mut blocks = vec![format!(
            "<b>{}</b>\n<i>{}</i>",
            self.t_args(Msg::AnnouncePreviewTitle, &title),
            self.t(Msg::AnnouncePreviewNote)
        )];
        if let Some(at) = &a.send_at {
            let at = args([("at", FluentValue::from(at.replace('T', " ")))]);
            blocks.push(format!(
                "<b>{}</b>",
                self.t_args(Msg::AnnounceScheduledLine, &at)
            ));
        }
        let mut chats = 0;
        for lang in Lang::ALL {
            let count: i64 = recipients
                .iter()
                .filter(|(l, _)| *l == lang)
                .map(|(_, n)| n)
                .sum();
            chats += count;
            blocks.push(self.announce_preview_block(a, lang, count));
        }
        blocks.push(self.preview_total(chats, channels));
        let keys = self.confirm_keys(Callback::Announce {
            id: a.id.clone(),
            version: version.to_string(),
        });
        (blocks, keys)
    }

    /// The announcement as `lang` gets it, headed by the language and its recipients.
    fn announce_preview_block(&self, a: &Announcement, lang: Lang, count: i64) -> String {
        let heading = args([
            ("language", FluentValue::from(lang.native_name())),
            ("count", FluentValue::from(count)),
        ]);
        // The text and its buttons as that language gets them.
        let theirs = Renderer {
            catalog: self.catalog,
            lang,
        };
        let mut block = vec![format!(
            "<b>— {} —</b>",
            self.t_args(Msg::AnnouncePreviewLang, &heading)
        )];
        block.extend(Self::paragraphs(a.text.get(lang)));
        let labels: Vec<String> = theirs
            .announcement_keys(a, &Links::Buttons)
            .iter()
            .flatten()
            .map(|b| format!("[{}]", escape(&b.label)))
            .collect();
        if !labels.is_empty() {
            block.push(format!(
                "<i>{}</i> {}",
                self.t(Msg::AnnouncePreviewButtons),
                labels.join(" · ")
            ));
        }
        block.join("\n\n")
    }

    pub(super) fn announce_queued(&self, id: &str, recipients: i64) -> Vec<String> {
        let a = args([
            ("id", FluentValue::from(clip(id, 32))),
            ("count", FluentValue::from(recipients)),
        ]);
        vec![self.t_args(Msg::AnnounceQueued, &a)]
    }

    /// How far an announcement queued before got: still sending, sent, or cancelled.
    pub(super) fn announce_exists(&self, job: &JobProgress) -> Vec<String> {
        let id = job.job.strip_prefix("announce:").unwrap_or(&job.job);
        let a = args([
            ("id", FluentValue::from(clip(id, 32))),
            ("sent", FluentValue::from(job.sent)),
            ("total", FluentValue::from(job.total)),
        ]);
        let msg = if job.cancelled {
            Msg::AnnounceExistsCancelled
        } else if job.pending > 0 {
            Msg::AnnounceExistsRunning
        } else {
            Msg::AnnounceExistsDone
        };
        vec![self.t_args(msg, &a)]
    }

    pub(super) fn announce_scheduled(&self, id: &str, recipients: i64, at: &str) -> Vec<String> {
        let a = args([
            ("id", FluentValue::from(clip(id, 32))),
            ("count", FluentValue::from(recipients)),
            ("at", FluentValue::from(clip(at, 40))),
        ]);
        vec![self.t_args(Msg::AnnounceScheduled, &a)]
    }

    pub(super) fn announce_queue_failed(&self, id: &str) -> Vec<String> {
        let a = args([("id", FluentValue::from(clip(id, 32)))]);
        vec![self.t_args(Msg::AnnounceQueueFailed, &a)]
    }

    /// A sentence about one job, named as an admin reads it.
    pub(super) fn about_job(&self, msg: Msg, job: &str) -> Vec<String> {
        let a = args([("job", FluentValue::from(self.job_label(job)))]);
        vec![self.t_args(msg, &a)]
    }

    /// "Paused since … by …" in one of its sentences.
    pub(super) fn paused_line(&self, msg: Msg, since: &str, by: i64) -> String {
        let a = args([
            ("since", FluentValue::from(clip(since, 40))),
            ("by", FluentValue::from(by.to_string())),
        ]);
        format!("<b>{}</b>", self.t_args(msg, &a))
    }

    pub(super) fn rehearse_outside_window(&self, day: Date, window: &str) -> Vec<String> {
        let a = args([
            (
                "date",
                FluentValue::from(self.day_month(day.month, day.day.unwrap_or(1))),
            ),
            ("window", FluentValue::from(clip(window, 64))),
        ]);
        vec![self.t_args(Msg::RehearseOutsideWindow, &a)]
    }

    pub(super) fn rehearse_nothing(&self, day: Date) -> Vec<String> {
        let a = args([(
            "date",
            FluentValue::from(self.day_month(day.month, day.day.unwrap_or(1))),
        )]);
        vec![self.t_args(Msg::RehearseNothing, &a)]
    }

    /// A job id as an admin reads it, in plain text: "On this day, 5 January 2027",
    /// "Announcement x"; anything else as it is.
    fn job_label(&self, job: &str) -> String {
        let locales = &self.catalog.locales;
        if let Some(date) = job
            .strip_prefix("day:")
            .and_then(|d| d.parse::<Date>().ok())
        {
            let a = args([("date", FluentValue::from(self.date(date)))]);
            return locales.text(self.lang, Msg::BroadcastJobDay, Some(&a));
        }
        if let Some(id) = job.strip_prefix("announce:") {
            let a = args([("id", FluentValue::from(clip(id, 32)))]);
            return locales.text(self.lang, Msg::BroadcastJobAnnounce, Some(&a));
        }
        clip(job, 64)
    }

    fn duration(&self, seconds: u64) -> String {
        let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
        let (msg, a) = match (h, m) {
            (0, 0) => (Msg::DurationSeconds, args([("s", FluentValue::from(s))])),
            (0, _) => (
                Msg::DurationMinutes,
                args([("m", FluentValue::from(m)), ("s", FluentValue::from(s))]),
            ),
            _ => (
                Msg::DurationHours,
                args([("h", FluentValue::from(h)), ("m", FluentValue::from(m))]),
            ),
        };
        self.catalog.locales.text(self.lang, msg, Some(&a))
    }

    /// A rate with one decimal, with the decimal comma where the language writes one.
    fn rate(&self, per_second: f64) -> String {
        let rate = if per_second.is_finite() {
            per_second.max(0.0)
        } else {
            0.0
        };
        let text = format!("{rate:.1}");
        match self.lang {
            Lang::En => text,
            Lang::Ru | Lang::Kk => text.replace('.', ","),
        }
    }

    pub(super) fn broadcasts(&self, jobs: &[JobProgress]) -> (Vec<String>, Keyboard) {
        if jobs.is_empty() {
            return (vec![self.t(Msg::BroadcastsEmpty)], Keyboard::new());
        }
        let mut blocks = vec![format!("<b>{}</b>", self.t(Msg::BroadcastsTitle))];
        let mut keys = Keyboard::new();
        for j in jobs {
            let counts = args([
                ("sent", FluentValue::from(j.sent)),
                ("pending", FluentValue::from(j.pending)),
                ("blocked", FluentValue::from(j.blocked)),
                ("failed", FluentValue::from(j.failed)),
                ("cancelled", FluentValue::from(j.cancelled_count)),
            ]);
            let state = if let Some(at) = &j.scheduled_for {
                let a = args([("at", FluentValue::from(clip(at, 40)))]);
                self.t_args(Msg::BroadcastScheduled, &a)
            } else if j.cancelled {
                self.t(Msg::BroadcastCancelledMark)
            } else if j.pending == 0 {
                self.t(Msg::BroadcastDone)
            } else {
                let rate = args([("rate", FluentValue::from(self.rate(j.per_second)))]);
                let eta = match j.eta_seconds {
                    Some(s) => {
                        let a = args([("duration", FluentValue::from(self.duration(s)))]);
                        self.t_args(Msg::BroadcastEta, &a)
                    }
                    None => self.t(Msg::BroadcastEtaUnknown),
                };
                format!("{} · {eta}", self.t_args(Msg::BroadcastRate, &rate))
            };
            blocks.push(format!(
                "<b>{}</b> <code>{}</code>\n{}\n<i>{state}</i>",
                escape(&self.job_label(&j.job)),
                escape(&clip(&j.job, 64)),
                self.t_args(Msg::BroadcastCounts, &counts),
            ));
            if !crate::input::callback_data::valid_job(&j.job) {
                continue;
            }
            let a = args([("job", FluentValue::from(j.job.as_str()))]);
            let button = if j.running() {
                Some((Msg::ButtonCancelJob, JobAct::AskCancel))
            } else if j.cancelled && j.cancelled_count > 0 {
                Some((Msg::ButtonResumeJob, JobAct::Resume))
            } else {
                None
            };
            if let Some((msg, act)) = button {
                keys.push(vec![Button::callback(
                    self.catalog.locales.text(self.lang, msg, Some(&a)),
                    Callback::Job {
                        job: j.job.clone(),
                        act,
                    },
                )]);
            }
        }
        (blocks, keys)
    }

    /// `/sendday`'s preview: what it is, the day as the admin's language gets it,
    /// recipients, then Confirm and Cancel.
    pub(super) fn send_day_preview(
        &self,
        day: Date,
        recipients: &[(Lang, i64)],
        channels: usize,
        version: &str,
    ) -> (Vec<String>, Keyboard) {
        let a = args([("date", FluentValue::from(self.date(day)))]);
        let mut blocks = vec![format!(
            "<b>{}</b>\n<i>{}</i>",
            self.t_args(Msg::SendDayPreviewTitle, &a),
            self.t(Msg::AnnouncePreviewNote)
        )];
        let (day_blocks, _) = self.on_this_day(day, &Links::Buttons);
        blocks.extend(day_blocks);
        let chats: i64 = recipients.iter().map(|(_, n)| n).sum();
        blocks.push(self.preview_total(chats, channels));
        let keys = self.confirm_keys(Callback::SendDay {
            day,
            version: version.to_string(),
        });
        (blocks, keys)
    }

    /// "In all: N chats and M channels…", under a preview.
    fn preview_total(&self, chats: i64, channels: usize) -> String {
        let total = args([
            ("chats", FluentValue::from(chats)),
            ("channels", FluentValue::from(channels)),
        ]);
        format!("<b>{}</b>", self.t_args(Msg::AnnouncePreviewTotal, &total))
    }

    /// "Confirm and send" (pressing `confirm`) and Cancel, under a preview.
    fn confirm_keys(&self, confirm: Callback) -> Keyboard {
        vec![vec![
            Button::callback(self.plain(Msg::ButtonAnnounceConfirm), confirm),
            Button::callback(
                self.plain(Msg::ButtonAnnounceCancel),
                Callback::AnnounceCancel,
            ),
        ]]
    }

    pub(super) fn send_day_queued(&self, day: Date, recipients: i64) -> Vec<String> {
        let a = args([
            ("date", FluentValue::from(self.date(day))),
            ("count", FluentValue::from(recipients)),
        ]);
        vec![self.t_args(Msg::SendDayQueued, &a)]
    }

    /// How far a day's post already queued got.
    pub(super) fn day_exists(&self, job: &JobProgress) -> Vec<String> {
        let a = args([
            ("job", FluentValue::from(self.job_label(&job.job))),
            ("sent", FluentValue::from(job.sent)),
            ("total", FluentValue::from(job.total)),
        ]);
        let msg = if job.cancelled {
            Msg::DayExistsCancelled
        } else if job.pending > 0 {
            Msg::DayExistsRunning
        } else {
            Msg::DayExistsDone
        };
        vec![self.t_args(msg, &a)]
    }

    pub(super) fn send_day_bad_date(&self, input: &str) -> Vec<String> {
        let a = args([("input", FluentValue::from(clip(input, 32)))]);
        vec![self.t_args(Msg::SendDayBadDate, &a)]
    }

    /// "Cancel X? N of M have it already": asked before a cancel.
    pub(super) fn cancel_ask(&self, job: &JobProgress) -> Vec<String> {
        let a = args([
            ("job", FluentValue::from(self.job_label(&job.job))),
            ("sent", FluentValue::from(job.sent)),
            ("total", FluentValue::from(job.total)),
        ]);
        vec![self.t_args(Msg::CancelAsk, &a)]
    }

    pub(super) fn cancel_ask_keys(&self, job: &str) -> Keyboard {
        vec![vec![
            Button::callback(
                self.plain(Msg::ButtonCancelYes),
                Callback::Job {
                    job: job.to_string(),
                    act: JobAct::Cancel,
                },
            ),
            Button::callback(
                self.plain(Msg::ButtonCancelNo),
                Callback::Job {
                    job: job.to_string(),
                    act: JobAct::Keep,
                },
            ),
        ]]
    }

    pub(super) fn broadcast_cancelled(&self, job: &str) -> Vec<String> {
        let a = args([("job", FluentValue::from(self.job_label(job)))]);
        vec![self.t_args(Msg::BroadcastCancelled, &a)]
    }

    pub(super) fn rehearse_sent(&self, day: Date) -> Vec<String> {
        let a = args([("date", FluentValue::from(self.date(day)))]);
        vec![self.t_args(Msg::RehearseSent, &a)]
    }

    pub(super) fn rehearse_bad_date(&self, input: &str) -> Vec<String> {
        let a = args([("input", FluentValue::from(clip(input, 32)))]);
        vec![self.t_args(Msg::RehearseBadDate, &a)]
    }
}
