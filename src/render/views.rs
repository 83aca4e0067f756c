//! One function per view. Each builds blocks of valid HTML and, where it helps, buttons;
//! `split::pack` sizes the text into messages and the buttons go under the last one.

use crate::render::Material;
use fluent::FluentValue;

use super::dates::format_date;
use super::html::{clip, escape, link};
use super::keyboard::{Button, Keyboard};
use super::map;
use super::split::{MESSAGE_LIMIT, pack};
use super::{Part, Reply};
use crate::content::{SourceKind, Topic};
use crate::i18n::{Args, Msg, args};
use crate::input::callback_data::{AfterLang, Callback};
use crate::input::command;
use crate::lang::Lang;
use crate::view::View;

/// How much of a person's input is echoed back in a refusal.
const ECHO_MAX: usize = 32;

/// Renders a view. Total: every view yields at least one valid message. Long by nature:
/// one arm per view, each a line, read as the table of what every view shows; the plain
/// views (one locale message, nothing else) share one arm, their messages named in
/// `plain_message`.
pub fn render(catalog: &Material, lang: Lang, view: &View) -> Reply {
    let r = Renderer { catalog, lang };
    let no_keys = Keyboard::new;
    let mut photo = None;
    let (blocks, keyboard, link_preview) = match view {
        View::Start { picker } => (r.start(), r.start_keys(*picker), false),
        View::Help => (r.help(), no_keys(), false),
        View::AdminHelp => (r.admin_help(), no_keys(), false),
        View::Summary => (r.summary(), r.summary_keys(None), false),
        View::Topic(id) => r.topic(id),
        View::Timeline { page } => {
            let (blocks, keys) = r.timeline_page(*page);
            (blocks, keys, false)
        }
        View::Event(id) => {
            let (blocks, keys) = r.event(id);
            (blocks, keys, false)
        }
        View::Map { day } => {
            let (blocks, keys, picture) = r.map(*day);
            photo = Some(picture);
            (blocks, keys, false)
        }
        View::Sources => (r.sources(), no_keys(), false),
        View::Petition => (r.petition(), r.petition_keys(), true),
        View::LangMenu => (r.lang_menu(), r.lang_keys(AfterLang::Confirm), false),
        View::LangChanged => (r.lang_changed(), no_keys(), false),
        View::LangUnknown(arg) => (r.lang_unknown(arg), r.lang_keys(AfterLang::Confirm), false),
        View::LangSaveFailed(wanted) => (r.lang_save_failed(*wanted), no_keys(), false),
        View::UnknownCommand(name) => (r.unknown_command(name), no_keys(), false),
        View::PurgeConfirm => (vec![r.t(Msg::PurgeConfirm)], r.purge_keys(), false),
        View::Purged(count) => {
            let a = args([("count", FluentValue::from(*count))]);
            (vec![r.t_args(Msg::Purged, &a)], no_keys(), false)
        }
        View::ChannelTrouble { problems, then } => {
            let inner = render(r.catalog, r.lang, then);
            let mut blocks: Vec<String> = problems
                .iter()
                .map(|(channel, cause)| {
                    let a = args([
                        ("channel", FluentValue::from(clip(channel, 64))),
                        ("cause", FluentValue::from(clip(cause, 200))),
                    ]);
                    format!("<b>{}</b>", r.t_args(Msg::ChannelTrouble, &a))
                })
                .collect();
            let keys = inner
                .messages
                .last()
                .map(|m| m.keyboard.clone())
                .unwrap_or_default();
            blocks.extend(inner.messages.into_iter().map(|m| m.html));
            (blocks, keys, inner.link_preview)
        }
        View::Stats { usage, subscribers } => (r.stats(usage, subscribers), no_keys(), false),
        View::Reloaded(generation) => {
            let a = args([("generation", FluentValue::from(*generation))]);
            (vec![r.t_args(Msg::Reloaded, &a)], no_keys(), false)
        }
        View::ReloadRejected(problems) => (r.reload_rejected(problems), no_keys(), false),
        View::OnThisDay { day, links } => {
            let (blocks, keys) = r.on_this_day(*day, links);
            photo = r.on_this_day_map(*day);
            (blocks, keys, false)
        }
        View::Announcement { id, links } => {
            let (blocks, keys) = r.announcement(id, links);
            (blocks, keys, false)
        }
        View::AnnounceList(ids) => (r.announce_list(ids), no_keys(), false),
        View::AnnouncePreview {
            id,
            recipients,
            channels,
            version,
            changed,
        } => {
            let (mut blocks, keys) = r.announce_preview(id, recipients, *channels, version);
            if *changed {
                blocks.insert(0, format!("<b>{}</b>", r.t(Msg::AnnouncePreviewChanged)));
            }
            (blocks, keys, false)
        }
        View::AnnounceQueued { id, recipients } => {
            (r.announce_queued(id, *recipients), no_keys(), false)
        }
        View::AnnounceScheduled { id, recipients, at } => {
            (r.announce_scheduled(id, *recipients, at), no_keys(), false)
        }
        View::AnnounceExists(job) => (r.announce_exists(job), no_keys(), false),
        View::AnnounceQueueFailed(id) => (r.announce_queue_failed(id), no_keys(), false),
        View::AnnounceUnknown(id) => (r.announcement_unknown(id), no_keys(), false),
        View::Broadcasts(jobs) => {
            let (blocks, keys) = r.broadcasts(jobs);
            (blocks, keys, false)
        }
        View::BroadcastsPaused { since, by, jobs } => {
            let (mut blocks, keys) = r.broadcasts(jobs);
            blocks.insert(0, r.paused_line(Msg::BroadcastsPaused, since, *by));
            (blocks, keys, false)
        }
        View::Paused { since, by, already } => {
            let msg = if *already {
                Msg::PauseAlready
            } else {
                Msg::PauseDone
            };
            (vec![r.paused_line(msg, since, *by)], no_keys(), false)
        }
        View::BroadcastCancelled(job) => (r.broadcast_cancelled(job), no_keys(), false),
        View::SendDayPreview {
            day,
            recipients,
            channels,
            version,
            changed,
        } => {
            let (mut blocks, keys) = r.send_day_preview(*day, recipients, *channels, version);
            if *changed {
                blocks.insert(0, format!("<b>{}</b>", r.t(Msg::AnnouncePreviewChanged)));
            }
            (blocks, keys, false)
        }
        View::SendDayQueued { day, recipients } => {
            (r.send_day_queued(*day, *recipients), no_keys(), false)
        }
        View::DayExists(job) => (r.day_exists(job), no_keys(), false),
        View::SendDayBadDate(input) => (r.send_day_bad_date(input), no_keys(), false),
        View::CancelAsk(job) => (r.cancel_ask(job), r.cancel_ask_keys(&job.job), false),
        View::JobKept(job) => (r.about_job(Msg::JobKept, job), no_keys(), false),
        View::JobResumed(job) => (r.about_job(Msg::JobResumed, job), no_keys(), false),
        View::JobNotCancelled(job) => (r.about_job(Msg::JobNotCancelled, job), no_keys(), false),
        View::BroadcastNotRunning(job) => {
            (r.about_job(Msg::BroadcastNotRunning, job), no_keys(), false)
        }
        View::BroadcastCancelFailed(job) => (
            r.about_job(Msg::BroadcastCancelFailed, job),
            no_keys(),
            false,
        ),
        View::RehearseSent(day) => (r.rehearse_sent(*day), no_keys(), false),
        View::RehearseBadDate(input) => (r.rehearse_bad_date(input), no_keys(), false),
        View::RehearseNothing(day) => (r.rehearse_nothing(*day), no_keys(), false),
        View::RehearseOutsideWindow { day, window } => {
            (r.rehearse_outside_window(*day, window), no_keys(), false)
        }
        View::NotACommand
        | View::FloodNotice
        | View::Forgotten
        | View::ForgetFailed
        | View::Subscribed
        | View::SubscribedAlready
        | View::Unsubscribed
        | View::NotSubscribed
        | View::SubscribeFailed
        | View::SubscribeAdminsOnly
        | View::PurgeCancelled
        | View::PurgeFailed
        | View::Resumed(_)
        | View::PauseFailed
        | View::AnnounceCancelled
        | View::RehearseUnreachable
        | View::RehearseFailed => {
            // A view listed here but not there would render empty: the catalog test
            // (every view in every language) says so, where a panic would not.
            let blocks = plain_message(view).map(|msg| vec![r.t(msg)]);
            (blocks.unwrap_or_default(), no_keys(), false)
        }
    };
    let mut messages: Vec<Part> = pack(blocks, MESSAGE_LIMIT)
        .into_iter()
        .map(|html| Part {
            html,
            keyboard: Keyboard::new(),
        })
        .collect();
    if let Some(last) = messages.last_mut() {
        last.keyboard = keyboard;
    }
    // A text too long for a caption follows its picture, which gets the map's title.
    if let Some((picture, first)) = photo.as_ref().zip(messages.first())
        && map::visible_len(&first.html) > map::CAPTION_LIMIT
    {
        let title = Part {
            html: r.map_title(picture.day),
            keyboard: Keyboard::new(),
        };
        messages.insert(0, title);
    }
    Reply {
        messages,
        link_preview,
        photo,
    }
}

/// The one locale message a plain view shows (no arguments, no buttons, no preview);
/// `None` for every other view. Every view is named, so a new one must be placed here.
fn plain_message(view: &View) -> Option<Msg> {
    Some(match view {
        View::NotACommand => Msg::NotACommand,
        View::FloodNotice => Msg::FloodNotice,
        View::Forgotten => Msg::Forgotten,
        View::ForgetFailed => Msg::ForgetFailed,
        View::Subscribed => Msg::Subscribed,
        View::SubscribedAlready => Msg::SubscribedAlready,
        View::Unsubscribed => Msg::Unsubscribed,
        View::NotSubscribed => Msg::NotSubscribed,
        View::SubscribeFailed => Msg::SubscribeFailed,
        View::SubscribeAdminsOnly => Msg::SubscribeAdminsOnly,
        View::PurgeCancelled => Msg::PurgeCancelled,
        View::PurgeFailed => Msg::PurgeFailed,
        View::PauseFailed => Msg::PauseFailed,
        View::AnnounceCancelled => Msg::AnnounceCancelled,
        View::RehearseUnreachable => Msg::RehearseUnreachable,
        View::RehearseFailed => Msg::RehearseFailed,
        View::Resumed(true) => Msg::ResumeDone,
        View::Resumed(false) => Msg::ResumeNotPaused,
        View::Start { .. }
        | View::Help
        | View::AdminHelp
        | View::Summary
        | View::Topic(..)
        | View::Timeline { .. }
        | View::Event(..)
        | View::Map { .. }
        | View::Sources
        | View::Petition
        | View::LangMenu
        | View::LangChanged
        | View::LangUnknown(..)
        | View::LangSaveFailed(..)
        | View::UnknownCommand(..)
        | View::PurgeConfirm
        | View::Purged(..)
        | View::ChannelTrouble { .. }
        | View::Stats { .. }
        | View::Reloaded(..)
        | View::ReloadRejected(..)
        | View::OnThisDay { .. }
        | View::Announcement { .. }
        | View::AnnounceList(..)
        | View::AnnouncePreview { .. }
        | View::AnnounceQueued { .. }
        | View::AnnounceScheduled { .. }
        | View::AnnounceExists(..)
        | View::AnnounceQueueFailed(..)
        | View::AnnounceUnknown(..)
        | View::Broadcasts(..)
        | View::BroadcastsPaused { .. }
        | View::Paused { .. }
        | View::SendDayPreview { .. }
        | View::SendDayQueued { .. }
        | View::DayExists(..)
        | View::SendDayBadDate(..)
        | View::CancelAsk(..)
        | View::JobKept(..)
        | View::JobResumed(..)
        | View::JobNotCancelled(..)
        | View::BroadcastCancelled(..)
        | View::BroadcastNotRunning(..)
        | View::BroadcastCancelFailed(..)
        | View::RehearseSent(..)
        | View::RehearseBadDate(..)
        | View::RehearseNothing(..)
        | View::RehearseOutsideWindow { .. } => return None,
    })
}

/// The recorded signature count and who recorded it, as plain text: the chat's
/// petition and the web page's say it in the same words.
pub fn petition_count(material: &Material, lang: Lang) -> String {
    let p = &material.content.petition;
    let publisher = material
        .content
        .source(&p.source)
        .map(|s| s.publisher.clone())
        .unwrap_or_default();
    let a = args([
        ("signatures", FluentValue::from(p.count.signatures)),
        ("goal", FluentValue::from(p.count.goal)),
        ("publisher", publisher.into()),
    ]);
    material.locales.text(lang, Msg::PetitionCount, Some(&a))
}

pub(super) struct Renderer<'a> {
    pub catalog: &'a Material,
    pub lang: Lang,
}

impl Renderer<'_> {
    /// A locale message, escaped for HTML.
    pub fn t(&self, msg: Msg) -> String {
        escape(&self.plain(msg))
    }

    /// A locale message as plain text, for button labels and callback answers.
    pub fn plain(&self, msg: Msg) -> String {
        self.catalog.locales.text(self.lang, msg, None)
    }

    pub fn t_args(&self, msg: Msg, a: &Args) -> String {
        escape(&self.catalog.locales.text(self.lang, msg, Some(a)))
    }

    pub fn date(&self, date: crate::content::Date) -> String {
        format_date(&self.catalog.locales, self.lang, date)
    }

    fn purge_keys(&self) -> Keyboard {
        vec![vec![
            Button::callback(self.plain(Msg::ButtonPurgeConfirm), Callback::Purge(true)),
            Button::callback(self.plain(Msg::ButtonPurgeCancel), Callback::Purge(false)),
        ]]
    }

    fn command_lines(&self) -> String {
        command::menu()
            .map(|(name, msg)| format!("/{name} — {}", self.t(msg)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn start(&self) -> Vec<String> {
        vec![
            format!("<b>{}</b>", self.t(Msg::StartTitle)),
            self.t(Msg::StartBody),
            format!("{}\n{}", self.t(Msg::StartCommands), self.command_lines()),
        ]
    }

    fn start_keys(&self, picker: bool) -> Keyboard {
        if picker {
            self.lang_keys(AfterLang::Start)
        } else {
            vec![vec![self.subscribe_button()]]
        }
    }

    /// Offered after /start and at the end of the timeline: the answer comes as a new
    /// message, so the one with the button stays.
    pub(super) fn subscribe_button(&self) -> Button {
        Button::callback(self.plain(Msg::ButtonSubscribe), Callback::Subscribe)
    }

    fn help(&self) -> Vec<String> {
        vec![
            format!("<b>{}</b>", self.t(Msg::HelpTitle)),
            self.command_lines(),
            format!("<i>{}</i>", self.t(Msg::HelpPrivacy)),
        ]
    }

    fn admin_help(&self) -> Vec<String> {
        let mut blocks = self.help();
        let admin: Vec<String> = command::admin_menu()
            .map(|(name, msg)| format!("/{name} — {}", self.t(msg)))
            .collect();
        blocks.insert(
            2,
            format!(
                "<b>{}</b>\n{}",
                self.t(Msg::HelpAdminTitle),
                admin.join("\n")
            ),
        );
        blocks
    }

    /// "Sources: <a>Publisher</a>, …" for a list of source ids.
    pub fn source_line(&self, ids: &[String]) -> String {
        let names: Vec<String> = ids
            .iter()
            .filter_map(|id| self.catalog.content.source(id))
            .map(|s| match &s.url {
                Some(url) => link(url, &s.publisher),
                None => escape(&s.publisher),
            })
            .collect();
        format!("<i>{}</i> {}", self.t(Msg::SourcesLabel), names.join(", "))
    }

    pub fn paragraphs(text: &str) -> Vec<String> {
        super::html::paragraphs(text)
    }

    /// The two buttons every call to action carries: sign, and share through inline mode.
    pub fn petition_keys(&self) -> Keyboard {
        vec![self.petition_row(true)]
    }

    pub fn petition_row(&self, with_share: bool) -> Vec<Button> {
        let mut row = vec![Button::url(
            self.plain(Msg::ButtonSign),
            self.catalog.content.petition.url.clone(),
        )];
        if with_share {
            row.push(Button::share(self.plain(Msg::ButtonShare), ""));
        }
        row
    }

    /// Topic buttons two to a row, leaving out the one being shown.
    fn summary_keys(&self, current: Option<&str>) -> Keyboard {
        let buttons: Vec<Button> = self
            .catalog
            .content
            .summary
            .topics
            .iter()
            .filter(|t| Some(t.id.as_str()) != current)
            .map(|t| Button::callback(t.title.get(self.lang), Callback::Topic(t.id.clone())))
            .collect();
        let mut rows: Keyboard = buttons.chunks(2).map(|c| c.to_vec()).collect();
        if current.is_none()
            && let Some(first) = super::map::days(&self.catalog.content).first()
        {
            rows.push(vec![self.map_button(*first)]);
        }
        if current.is_some() {
            rows.push(vec![Button::callback(
                self.plain(Msg::ButtonBackSummary),
                Callback::Summary,
            )]);
        } else {
            rows.push(self.petition_row(false));
        }
        rows
    }

    fn topic_lines(&self) -> String {
        let lines: Vec<String> = self
            .catalog
            .content
            .summary
            .topics
            .iter()
            .map(|t| format!("/summary_{} — {}", t.id, escape(t.title.get(self.lang))))
            .collect();
        lines.join("\n")
    }

    fn summary(&self) -> Vec<String> {
        let o = &self.catalog.content.summary.overview;
        let mut blocks = vec![format!("<b>{}</b>", escape(o.title.get(self.lang)))];
        blocks.extend(Self::paragraphs(o.body.get(self.lang)));
        blocks.push(self.source_line(&o.sources));
        if !self.catalog.content.summary.topics.is_empty() {
            blocks.push(format!("<i>{}</i>", self.t(Msg::SummaryMore)));
        }
        blocks
    }

    fn topic(&self, id: &str) -> (Vec<String>, Keyboard, bool) {
        let wanted = id.trim().to_lowercase();
        let Some(topic): Option<&Topic> = self.catalog.content.topic(&wanted) else {
            let a = args([("topic", FluentValue::from(clip(id, ECHO_MAX)))]);
            let blocks = vec![format!(
                "{}\n{}",
                self.t_args(Msg::SummaryUnknownTopic, &a),
                self.topic_lines()
            )];
            return (blocks, self.summary_keys(None), false);
        };
        let mut blocks = vec![format!("<b>{}</b>", escape(topic.title.get(self.lang)))];
        blocks.extend(Self::paragraphs(topic.body.get(self.lang)));
        blocks.push(self.source_line(&topic.sources));
        (blocks, self.summary_keys(Some(&topic.id)), false)
    }

    fn sources(&self) -> Vec<String> {
        let content = &self.catalog.content;
        let mut blocks = vec![format!("<b>{}</b>", self.t(Msg::SourcesTitle))];
        for (kind, heading) in [
            (SourceKind::Original, Msg::SourcesOriginals),
            (SourceKind::Reference, Msg::SourcesReferences),
        ] {
            let mut first = true;
            for (n, s) in content
                .sources
                .iter()
                .filter(|s| s.kind == kind)
                .enumerate()
            {
                let title = match &s.url {
                    Some(url) => link(url, &s.title),
                    None => escape(&s.title),
                };
                let mut meta = vec![escape(&s.publisher)];
                if let Some(author) = &s.author {
                    meta.push(escape(author));
                }
                meta.push(escape(&self.date(s.date)));
                let doc_lang = args([("lang", FluentValue::from(s.language.code()))]);
                meta.push(self.t_args(Msg::SourceLanguage, &doc_lang));
                let mut block = String::new();
                if first {
                    block.push_str(&format!("<b>{}</b>\n\n", self.t(heading)));
                    first = false;
                }
                block.push_str(&format!(
                    "{}. <b>{title}</b>\n{}\n{}",
                    n + 1,
                    meta.join(" · "),
                    escape(s.about.get(self.lang)),
                ));
                if s.url.is_none() {
                    block.push_str(&format!("\n<i>{}</i>", self.t(Msg::SourceNoLink)));
                }
                blocks.push(block);
            }
        }
        blocks
    }

    pub fn petition_count(&self) -> String {
        escape(&petition_count(self.catalog, self.lang))
    }

    fn petition(&self) -> Vec<String> {
        let p = &self.catalog.content.petition;
        vec![
            format!("<b>{}</b>", escape(p.title.get(self.lang))),
            escape(p.ask.get(self.lang)),
            format!("<i>{}</i>", self.petition_count()),
            format!("{}\n{}", self.t(Msg::PetitionSign), link(&p.url, &p.url)),
        ]
    }

    fn lang_choices(&self) -> String {
        Lang::ALL
            .iter()
            .map(|l| format!("/lang_{} — {}", l.code(), l.native_name()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn lang_keys(&self, then: AfterLang) -> Keyboard {
        vec![
            Lang::ALL
                .iter()
                .map(|&lang| Button::callback(lang.native_name(), Callback::SetLang { lang, then }))
                .collect(),
        ]
    }

    fn lang_menu(&self) -> Vec<String> {
        let a = args([("language", FluentValue::from(self.lang.native_name()))]);
        vec![
            self.t_args(Msg::LangCurrent, &a),
            format!("{}\n{}", self.t(Msg::LangChoose), self.lang_choices()),
        ]
    }

    fn lang_changed(&self) -> Vec<String> {
        let a = args([("language", FluentValue::from(self.lang.native_name()))]);
        vec![self.t_args(Msg::LangChanged, &a), self.command_lines()]
    }

    fn lang_unknown(&self, arg: &str) -> Vec<String> {
        let a = args([("input", FluentValue::from(clip(arg, ECHO_MAX)))]);
        vec![format!(
            "{}\n{}",
            self.t_args(Msg::LangUnknown, &a),
            self.lang_choices()
        )]
    }

    fn lang_save_failed(&self, wanted: Lang) -> Vec<String> {
        let a = args([("language", FluentValue::from(wanted.native_name()))]);
        vec![self.t_args(Msg::LangSaveFailed, &a)]
    }

    fn stats(&self, rows: &[crate::usage::Usage], subscribers: &[(Lang, i64)]) -> Vec<String> {
        use std::collections::BTreeMap;
        let counts: Vec<String> = Lang::ALL
            .iter()
            .map(|lang| {
                let n = subscribers
                    .iter()
                    .find(|(l, _)| l == lang)
                    .map_or(0, |(_, n)| *n);
                format!("{} {n}", lang.code())
            })
            .collect();
        let subscribed = format!(
            "<i>{}</i> {}",
            self.t(Msg::StatsSubscribers),
            counts.join(" · ")
        );
        if rows.is_empty() {
            return vec![self.t(Msg::StatsEmpty), subscribed];
        }
        let mut blocks = vec![format!("<b>{}</b>", self.t(Msg::StatsTitle))];
        // day → command → lang → count; days newest first.
        let mut days: BTreeMap<&str, BTreeMap<&str, BTreeMap<&str, i64>>> = BTreeMap::new();
        let mut by_lang: BTreeMap<&str, i64> = BTreeMap::new();
        for u in rows {
            *days
                .entry(&u.day)
                .or_default()
                .entry(&u.command)
                .or_default()
                .entry(&u.lang)
                .or_default() += u.count;
            *by_lang.entry(&u.lang).or_default() += u.count;
        }
        for (day, commands) in days.iter().rev() {
            let total: i64 = commands.values().flat_map(|l| l.values()).sum();
            let mut lines = vec![format!("<b>{}</b> — {total}", escape(day))];
            for (command, langs) in commands {
                let per_lang: Vec<String> = langs
                    .iter()
                    .map(|(lang, n)| format!("{} {n}", escape(lang)))
                    .collect();
                lines.push(format!("{}: {}", escape(command), per_lang.join(" · ")));
            }
            blocks.push(lines.join("\n"));
        }
        let totals: Vec<String> = by_lang
            .iter()
            .map(|(lang, n)| format!("{} {n}", escape(lang)))
            .collect();
        blocks.push(format!(
            "<i>{}</i> {}",
            self.t(Msg::StatsLanguages),
            totals.join(" · ")
        ));
        blocks.push(subscribed);
        blocks
    }

    fn reload_rejected(&self, problems: &[String]) -> Vec<String> {
        let a = args([("count", FluentValue::from(problems.len()))]);
        let mut blocks = vec![self.t_args(Msg::ReloadRejected, &a)];
        blocks.extend(
            problems
                .iter()
                .map(|p| format!("<code>{}</code>", escape(&clip(p, 500)))),
        );
        blocks
    }

    fn unknown_command(&self, name: &str) -> Vec<String> {
        let a = args([("command", FluentValue::from(clip(name, ECHO_MAX)))]);
        vec![self.t_args(Msg::UnknownCommand, &a)]
    }
}
