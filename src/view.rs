//! What a person asked to see, already parsed and resolved: the `View` that `decide`
//! plans, `render` writes and the ready replies keep. Plain data that depends only on the
//! content and the language (and the usage rows `/stats` shows), so the parsers below
//! `render` and the renderers both name it without importing each other.

use crate::content::Date;
use crate::lang::Lang;

/// How a message's buttons reach the bot: callback buttons in chats that talk to
/// the bot, or t.me deep links (for channel posts, whose readers may never have
/// opened the bot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Links {
    Buttons,
    DeepLinks { bot: String },
}

/// What the person asked to see, already parsed and resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// The greeting; with `picker`, language buttons for a reader whose Telegram
    /// language we do not speak.
    Start {
        picker: bool,
    },
    Help,
    /// `/help` from an admin in a private chat: the public commands, then the admin's.
    AdminHelp,
    Summary,
    /// One topic of the summary by id; an unknown id renders a refusal listing topics.
    Topic(String),
    /// One page of the timeline (0-based; past the end shows the last page).
    Timeline {
        page: usize,
    },
    /// One event in full, with its sources; an unknown id shows the first page.
    Event(String),
    /// The map of one day (a photo with its caption); another day shows the last map
    /// day before it.
    Map {
        day: Date,
    },
    Sources,
    Petition,
    /// `/lang` alone: the current language and the choices.
    LangMenu,
    /// Confirmation, rendered in the newly chosen language.
    LangChanged,
    /// `/lang` with something we could not read; carries the raw argument to echo.
    LangUnknown(String),
    /// The choice could not be saved; says so in the requested language.
    LangSaveFailed(Lang),
    /// Private chat text that is not a command.
    NotACommand,
    /// The one notice to a chat that sends faster than anyone reads; the rest is dropped.
    FloodNotice,
    /// A command we do not have; carries its name to echo.
    UnknownCommand(String),
    /// /forget done: nothing is stored about the chat any more.
    Forgotten,
    /// /forget could not reach the store; nothing was deleted.
    ForgetFailed,
    /// /subscribe done.
    Subscribed,
    /// /subscribe in a chat that already was.
    SubscribedAlready,
    /// /unsubscribe done.
    Unsubscribed,
    /// /unsubscribe in a chat that was not subscribed.
    NotSubscribed,
    /// The store could not be reached; the subscription is as it was.
    SubscribeFailed,
    /// In a group, someone who is not its administrator tried to (un)subscribe it.
    SubscribeAdminsOnly,
    /// Admin: what /purge deletes, with Confirm and Cancel.
    PurgeConfirm,
    /// Admin: the purge deleted this many per-chat rows.
    Purged(u64),
    PurgeCancelled,
    PurgeFailed,
    /// Admin: channels the bot cannot post to (channel, cause), above another admin view
    /// (`/broadcasts`, `/stats`).
    ChannelTrouble {
        problems: Vec<(String, String)>,
        then: Box<View>,
    },
    /// Admin: usage counts, newest day first, and subscribers per language.
    Stats {
        usage: Vec<crate::usage::Usage>,
        subscribers: Vec<(Lang, i64)>,
    },
    /// Admin: a reload was applied under this generation.
    Reloaded(u64),
    /// Admin: a reload was refused; the problems as `check` prints them.
    ReloadRejected(Vec<String>),
    /// "N years ago today…": that calendar day's events (month and day of `day`), for
    /// subscribers and channels; `day` is the local date it is sent on (e.g. 2027-01-05).
    /// Only events of earlier years are shown; a day without any says so.
    OnThisDay {
        day: Date,
        links: Links,
    },
    /// A curated announcement by id (an unknown id renders a refusal naming it).
    Announcement {
        id: String,
        links: Links,
    },
    /// Admin, `/announce` alone: these ids, each with the first line of its English text.
    AnnounceList(Vec<String>),
    /// Admin, `/announce <id>`: the announcement as each language gets it, recipients
    /// per language and the channel count, with Confirm and Cancel.
    AnnouncePreview {
        id: String,
        recipients: Vec<(Lang, i64)>,
        channels: usize,
        /// The fingerprint of every message the job would keep (`outreach::snapshot`),
        /// carried by Confirm so a changed announcement is never sent unseen.
        version: String,
        /// Shown again because the content changed since the preview confirmed.
        changed: bool,
    },
    /// Admin: the confirmed announcement is queued for this many recipients.
    AnnounceQueued {
        id: String,
        recipients: i64,
    },
    /// Admin: the confirmed announcement is scheduled for `at` (local time).
    AnnounceScheduled {
        id: String,
        recipients: i64,
        at: String,
    },
    /// Admin: a Confirm for an announcement queued before: how far it got, and that
    /// nothing more was queued.
    AnnounceExists(JobProgress),
    /// Admin: the store refused to queue the announcement; nothing was queued.
    AnnounceQueueFailed(String),
    /// Admin: `/announce <id>` (or a Confirm) for an id not in the content.
    AnnounceUnknown(String),
    /// Admin, `/broadcasts`: each job's progress, with Cancel for those still running.
    Broadcasts(Vec<JobProgress>),
    /// Admin, `/broadcasts` while outreach is paused: since when (local time) and by
    /// which admin, then each job's progress.
    BroadcastsPaused {
        since: String,
        by: i64,
        jobs: Vec<JobProgress>,
    },
    /// Admin: `/pause` done (or it was paused `already`), since when and by whom.
    Paused {
        since: String,
        by: i64,
        already: bool,
    },
    /// Admin: `/resume` done (`true`), or outreach was not paused.
    Resumed(bool),
    /// Admin: the store did not take the pause or the resume; nothing changed.
    PauseFailed,
    /// Admin, `/sendday <date>`: that day's post, its recipients per language and the
    /// channel count, with Confirm (carrying `version`) and Cancel.
    SendDayPreview {
        day: Date,
        recipients: Vec<(Lang, i64)>,
        channels: usize,
        version: String,
        changed: bool,
    },
    /// Admin: the day's post is queued for this many recipients.
    SendDayQueued {
        day: Date,
        recipients: i64,
    },
    /// Admin: `/sendday` for a day already queued: how far it got.
    DayExists(JobProgress),
    /// Admin: `/sendday` with something that is not a date; carries it to echo.
    SendDayBadDate(String),
    /// Admin: Cancel pressed under /broadcasts: how far the job got, and "Yes, cancel".
    CancelAsk(JobProgress),
    /// Admin: "Keep sending" under the question: nothing changed.
    JobKept(String),
    /// Admin: a cancelled job resumed for those who have not received it.
    JobResumed(String),
    /// Admin: Resume for a job that was not cancelled.
    JobNotCancelled(String),
    /// Admin: this job was cancelled.
    BroadcastCancelled(String),
    /// Admin: Cancel for a job that was not running (finished or cancelled already).
    BroadcastNotRunning(String),
    /// Admin: the store did not answer the Cancel; the job may still run.
    BroadcastCancelFailed(String),
    /// Admin: Cancel under an announcement's preview; nothing was queued.
    AnnounceCancelled,
    /// Admin: `/rehearse <date>` sent that day's message to the admin alone.
    RehearseSent(Date),
    /// Admin: `/rehearse` with something that is not a date; carries it to echo.
    RehearseBadDate(String),
    /// Admin: `/rehearse` of a day subscribers get nothing on (no event that day).
    RehearseNothing(Date),
    /// Admin: `/rehearse` of a day outside `QANTAR_DAILY_WINDOW` (shown as set).
    RehearseOutsideWindow {
        day: Date,
        window: String,
    },
    /// Admin: Telegram will not let the bot write to the admin's private chat.
    RehearseUnreachable,
    /// Admin: Telegram did not take the rehearsal message (network, 5xx, refusal).
    RehearseFailed,
}

/// One broadcast job as `/broadcasts` shows it. Job ids are the queue's
/// (`day:2027-01-05`, `announce:<id>`).
#[derive(Debug, Clone)]
pub struct JobProgress {
    pub job: String,
    /// Recipients when it was queued: sent + pending + blocked + failed +
    /// cancelled_count.
    pub total: i64,
    pub sent: i64,
    pub pending: i64,
    pub blocked: i64,
    pub failed: i64,
    /// Recipients who will not get it: the job was cancelled, or they unsubscribed,
    /// forgot or were purged before their turn.
    pub cancelled_count: i64,
    /// Deliveries per second lately.
    pub per_second: f64,
    pub eta_seconds: Option<u64>,
    pub cancelled: bool,
    /// A scheduled job not yet due: when it goes, as the operator reads local time.
    pub scheduled_for: Option<String>,
}

impl JobProgress {
    /// Still sending, so it can be cancelled.
    pub fn running(&self) -> bool {
        !self.cancelled && self.pending > 0
    }
}

// By the bits of the rate, so that views compare as values (`Eq`) in tests and plans;
// NaN equals itself here. No view is hashed: the ready replies are kept by a key of
// their own (`render::ready`).
impl PartialEq for JobProgress {
    fn eq(&self, o: &Self) -> bool {
        (
            &self.job,
            self.total,
            self.sent,
            self.pending,
            self.blocked,
            self.failed,
            self.cancelled_count,
        ) == (
            &o.job,
            o.total,
            o.sent,
            o.pending,
            o.blocked,
            o.failed,
            o.cancelled_count,
        ) && self.per_second.to_bits() == o.per_second.to_bits()
            && (self.eta_seconds, self.cancelled) == (o.eta_seconds, o.cancelled)
            && self.scheduled_for == o.scheduled_for
    }
}

impl Eq for JobProgress {}
