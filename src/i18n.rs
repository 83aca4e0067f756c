//! Fluent bundles for every string a user reads that is not curated content.
//!
//! Code asks for messages through the typed `Msg` list, and loading checks that every
//! locale defines every one of them, so a missing string stops start-up, never a request.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use fluent::concurrent::FluentBundle;
use fluent::{FluentArgs, FluentResource, FluentValue};

use crate::lang::{Lang, PerLang};
use crate::problem::{Problem, Problems};

macro_rules! messages {
    ($($variant:ident => $id:literal,)*) => {
        /// Every message id the code uses. Locales must define all of them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg { $($variant,)* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$variant,)*];

            pub fn id(self) -> &'static str {
                match self { $(Msg::$variant => $id,)* }
            }
        }
    };
}

messages! {
    BotDescription => "bot-description",
    BotShortDescription => "bot-short-description",
    CmdStart => "cmd-start",
    CmdHelp => "cmd-help",
    CmdSummary => "cmd-summary",
    CmdTimeline => "cmd-timeline",
    CmdMap => "cmd-map",
    CmdSources => "cmd-sources",
    CmdPetition => "cmd-petition",
    CmdLang => "cmd-lang",
    CmdSubscribe => "cmd-subscribe",
    CmdUnsubscribe => "cmd-unsubscribe",
    CmdForget => "cmd-forget",
    CmdAnnounce => "cmd-announce",
    CmdBroadcasts => "cmd-broadcasts",
    CmdSendDay => "cmd-sendday",
    CmdRehearse => "cmd-rehearse",
    CmdPause => "cmd-pause",
    CmdResume => "cmd-resume",
    CmdStats => "cmd-stats",
    CmdReload => "cmd-reload",
    CmdPurge => "cmd-purge",
    HelpAdminTitle => "help-admin-title",
    ChannelTrouble => "channel-trouble",
    BroadcastScheduled => "broadcast-scheduled",
    AnnounceScheduledLine => "announce-scheduled-line",
    AnnounceScheduled => "announce-scheduled",
    RehearsalBanner => "rehearsal-banner",
    AnnounceCancelled => "announce-cancelled",
    ButtonSubscribe => "button-subscribe",
    Subscribed => "subscribed",
    SubscribedAlready => "subscribed-already",
    Unsubscribed => "unsubscribed",
    NotSubscribed => "not-subscribed",
    SubscribeFailed => "subscribe-failed",
    SubscribeAdminsOnly => "subscribe-admins-only",
    PurgeConfirm => "purge-confirm",
    ButtonPurgeConfirm => "button-purge-confirm",
    ButtonPurgeCancel => "button-purge-cancel",
    Purged => "purged",
    PurgeCancelled => "purge-cancelled",
    PurgeFailed => "purge-failed",
    Forgotten => "forgotten",
    ForgetFailed => "forget-failed",
    StatsTitle => "stats-title",
    StatsEmpty => "stats-empty",
    StatsLanguages => "stats-languages",
    StatsSubscribers => "stats-subscribers",
    Reloaded => "reloaded",
    ReloadRejected => "reload-rejected",
    StartTitle => "start-title",
    StartBody => "start-body",
    StartCommands => "start-commands",
    HelpTitle => "help-title",
    HelpPrivacy => "help-privacy",
    SummaryMore => "summary-more",
    SummaryUnknownTopic => "summary-unknown-topic",
    SourcesLabel => "sources-label",
    TimelineTitle => "timeline-title",
    TimelinePage => "timeline-page",
    TimelineOpenHint => "timeline-open-hint",
    ButtonSign => "button-sign",
    ButtonShare => "button-share",
    ButtonPrev => "button-prev",
    ButtonNext => "button-next",
    ButtonBackTimeline => "button-back-timeline",
    ButtonBackSummary => "button-back-summary",
    ButtonMap => "button-map",
    ButtonMapTimeline => "button-map-timeline",
    ButtonOpenRecord => "button-open-record",
    MenuButtonRecord => "menu-button-record",
    MapSubtitle => "map-subtitle",
    MapCredit => "map-credit",
    MapLegendToday => "map-legend-today",
    MapLegendNoEvent => "map-legend-no-event",
    MapBeyond => "map-beyond",
    MapNewPlaces => "map-new-places",
    MapNoEvents => "map-no-events",
    ButtonOpenBot => "button-open-bot",
    WebSkip => "web-skip",
    WebLanguages => "web-languages",
    WebSections => "web-sections",
    WebNavSummary => "web-nav-summary",
    WebNavTimeline => "web-nav-timeline",
    WebNavMap => "web-nav-map",
    WebNavSources => "web-nav-sources",
    WebNavPetition => "web-nav-petition",
    WebMapAlt => "web-map-alt",
    WebMapAltEmpty => "web-map-alt-empty",
    WebMapDay => "web-map-day",
    WebMapEventDay => "web-map-event-day",
    WebEventSources => "web-event-sources",
    WebSubscribeDone => "web-subscribe-done",
    WebSubscribeFailed => "web-subscribe-failed",
    WebFooter => "web-footer",
    WebNotFound => "web-not-found",
    WebToStart => "web-to-start",
    WebChooseLanguage => "web-choose-language",
    CallbackStale => "callback-stale",
    CallbackLangSaved => "callback-lang-saved",
    SourcesTitle => "sources-title",
    SourcesOriginals => "sources-originals",
    SourcesReferences => "sources-references",
    SourceNoLink => "source-no-link",
    SourceLanguage => "source-language",
    PetitionCount => "petition-count",
    PetitionSign => "petition-sign",
    LangCurrent => "lang-current",
    LangChoose => "lang-choose",
    LangChanged => "lang-changed",
    LangUnknown => "lang-unknown",
    LangSaveFailed => "lang-save-failed",
    NotACommand => "not-a-command",
    FloodNotice => "flood-notice",
    UnknownCommand => "unknown-command",
    DateDay => "date-day",
    DateMonth => "date-month",
    DateDayMonth => "date-day-month",
    OtdYearsAgo => "otd-years-ago",
    OtdNothing => "otd-nothing",
    OtdOpenHint => "otd-open-hint",
    OtdOpenHintLinks => "otd-open-hint-links",
    AnnounceListTitle => "announce-list-title",
    AnnounceListEmpty => "announce-list-empty",
    AnnounceListMissing => "announce-list-missing",
    AnnounceListHint => "announce-list-hint",
    AnnouncePreviewTitle => "announce-preview-title",
    AnnouncePreviewNote => "announce-preview-note",
    AnnouncePreviewLang => "announce-preview-lang",
    AnnouncePreviewButtons => "announce-preview-buttons",
    AnnouncePreviewTotal => "announce-preview-total",
    ButtonAnnounceConfirm => "button-announce-confirm",
    ButtonAnnounceCancel => "button-announce-cancel",
    AnnounceQueued => "announce-queued",
    AnnouncePreviewChanged => "announce-preview-changed",
    AnnounceExistsRunning => "announce-exists-running",
    AnnounceExistsDone => "announce-exists-done",
    AnnounceExistsCancelled => "announce-exists-cancelled",
    AnnounceQueueFailed => "announce-queue-failed",
    AnnounceUnknown => "announce-unknown",
    BroadcastsTitle => "broadcasts-title",
    BroadcastsEmpty => "broadcasts-empty",
    BroadcastJobDay => "broadcast-job-day",
    BroadcastJobAnnounce => "broadcast-job-announce",
    BroadcastCounts => "broadcast-counts",
    BroadcastRate => "broadcast-rate",
    BroadcastEta => "broadcast-eta",
    BroadcastEtaUnknown => "broadcast-eta-unknown",
    BroadcastDone => "broadcast-done",
    BroadcastCancelledMark => "broadcast-cancelled-mark",
    ButtonCancelJob => "button-cancel-job",
    DurationSeconds => "duration-seconds",
    DurationMinutes => "duration-minutes",
    DurationHours => "duration-hours",
    BroadcastCancelled => "broadcast-cancelled",
    RehearseSent => "rehearse-sent",
    RehearseBadDate => "rehearse-bad-date",
    BroadcastNotRunning => "broadcast-not-running",
    BroadcastCancelFailed => "broadcast-cancel-failed",
    RehearseUnreachable => "rehearse-unreachable",
    RehearseFailed => "rehearse-failed",
    RehearseNothing => "rehearse-nothing",
    RehearseOutsideWindow => "rehearse-outside-window",
    BroadcastsPaused => "broadcasts-paused",
    PauseDone => "pause-done",
    PauseAlready => "pause-already",
    ResumeDone => "resume-done",
    ResumeNotPaused => "resume-not-paused",
    PauseFailed => "pause-failed",
    CancelAsk => "cancel-ask",
    ButtonCancelYes => "button-cancel-yes",
    ButtonCancelNo => "button-cancel-no",
    ButtonResumeJob => "button-resume-job",
    JobResumed => "job-resumed",
    JobKept => "job-kept",
    SendDayPreviewTitle => "sendday-preview-title",
    SendDayQueued => "sendday-queued",
    SendDayBadDate => "sendday-bad-date",
    DayExistsRunning => "day-exists-running",
    DayExistsDone => "day-exists-done",
    DayExistsCancelled => "day-exists-cancelled",
    JobNotCancelled => "job-not-cancelled",
    NoticeQueueFailed => "notice-queue-failed",
    NoticeChannelFailed => "notice-channel-failed",
    NoticeLongPause => "notice-long-pause",
    NoticeDayLate => "notice-day-late",
    NoticeNoSender => "notice-no-sender",
}

pub type Args<'a> = FluentArgs<'a>;

/// One bundle per language, shareable across threads.
pub struct Locales {
    bundles: PerLang<FluentBundle<FluentResource>>,
    /// Formatting slips seen at request time; tests require zero, operators can watch it.
    format_errors: AtomicUsize,
}

impl std::fmt::Debug for Locales {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Locales")
    }
}

impl Locales {
    /// Loads `dir/{en,ru,kk}/*.ftl` and checks syntax, duplicates, the required ids and
    /// that all three languages define the same set of messages.
    pub fn load(dir: &Path) -> Result<Locales, Problems> {
        let mut problems = Vec::new();
        let mut ids: Vec<(Lang, PathBuf, BTreeSet<String>)> = Vec::new();
        let bundles = PerLang::from_fn(|lang| {
            let (bundle, found, folder) = load_one(dir, lang, &mut problems);
            ids.push((lang, folder, found));
            bundle
        });
        for (lang, folder, found) in &ids {
            for msg in Msg::ALL {
                if !found.contains(msg.id()) {
                    problems.push(Problem::new(
                        folder,
                        msg.id(),
                        format!("message missing in `{lang}`: the bot needs it"),
                    ));
                }
            }
            for (other, _, other_found) in &ids {
                for id in other_found.difference(found) {
                    if Msg::ALL.iter().any(|m| m.id() == id) {
                        continue; // already reported above
                    }
                    problems.push(Problem::new(
                        folder,
                        id.as_str(),
                        format!("defined in `{other}` but missing in `{lang}`"),
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(Locales {
                bundles,
                format_errors: AtomicUsize::new(0),
            })
        } else {
            Err(Problems(problems))
        }
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        &self.bundles[lang]
    }

    /// Formats a message. Loading guaranteed it exists; a formatting slip (a missing
    /// argument) still yields readable text and is logged, never a failed reply.
    pub fn text(&self, lang: Lang, msg: Msg, args: Option<&Args>) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(msg.id()).and_then(|m| m.value()) else {
            log::error!("message {} has no value in {lang}", msg.id());
            return msg.id().to_string();
        };
        let mut errors = Vec::new();
        let out = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            self.format_errors.fetch_add(1, Ordering::Relaxed);
            log::warn!("message {} in {lang}: {:?}", msg.id(), errors);
        }
        out.into_owned()
    }

    /// How many times a message failed to format since loading.
    pub fn format_errors(&self) -> usize {
        self.format_errors.load(Ordering::Relaxed)
    }

    /// Like `text`, but returns formatting errors; tests use it to prove every view is clean.
    pub fn try_text(&self, lang: Lang, msg: Msg, args: Option<&Args>) -> Result<String, String> {
        let bundle = self.bundle(lang);
        let pattern = bundle
            .get_message(msg.id())
            .and_then(|m| m.value())
            .ok_or_else(|| format!("{} missing in {lang}", msg.id()))?;
        let mut errors = Vec::new();
        let out = bundle.format_pattern(pattern, args, &mut errors);
        if errors.is_empty() {
            Ok(out.into_owned())
        } else {
            Err(format!("{} in {lang}: {errors:?}", msg.id()))
        }
    }
}

/// Builds an argument list; numbers stay numbers so plural rules apply.
pub fn args<'a, const N: usize>(pairs: [(&'a str, FluentValue<'a>); N]) -> Args<'a> {
    let mut args = FluentArgs::new();
    for (k, v) in pairs {
        args.set(k, v);
    }
    args
}

fn load_one(
    dir: &Path,
    lang: Lang,
    problems: &mut Vec<Problem>,
) -> (FluentBundle<FluentResource>, BTreeSet<String>, PathBuf) {
    let folder = dir.join(lang.code());
    let langid = lang
        .code()
        .parse()
        .expect("en, ru and kk are valid language identifiers");
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Isolation marks (U+2068/U+2069) would end up inside URLs and counts; every
    // argument we pass is plain text that the renderer escapes afterwards.
    bundle.set_use_isolating(false);
    let mut found = BTreeSet::new();

    for file in ftl_files(&folder, problems) {
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Problem::new(&file, "", format!("cannot read: {e}")));
                continue;
            }
        };
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let resource = match FluentResource::try_new(text.clone()) {
            Ok(r) => r,
            Err((r, errors)) => {
                for e in errors {
                    problems.push(Problem::new(
                        &file,
                        format!("line {}", line_of(e.pos.start)),
                        format!("syntax error: {}", e.kind),
                    ));
                }
                r
            }
        };
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry
                && !found.insert(m.id.name.to_string())
            {
                problems.push(Problem::new(&file, m.id.name, "defined twice"));
            }
        }
        if let Err(errors) = bundle.add_resource(resource) {
            for e in errors {
                if let fluent::FluentError::Overriding { id, .. } = &e {
                    // Reported above with the file that repeats it, for messages;
                    // terms are reported here.
                    if found.contains(id) {
                        continue;
                    }
                }
                problems.push(Problem::new(&file, "", e.to_string()));
            }
        }
    }
    (bundle, found, folder)
}

/// The `.ftl` files of one language's folder, in name order (so problems read in a
/// stable order); a missing or empty folder is a problem.
fn ftl_files(folder: &Path, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(folder) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
            .collect(),
        Err(e) => {
            problems.push(Problem::new(folder, "", format!("cannot read: {e}")));
            Vec::new()
        }
    };
    files.sort();
    if files.is_empty() && folder.is_dir() {
        problems.push(Problem::new(folder, "", "no .ftl files"));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_unique() {
        let ids: BTreeSet<&str> = Msg::ALL.iter().map(|m| m.id()).collect();
        assert_eq!(ids.len(), Msg::ALL.len());
    }
}
