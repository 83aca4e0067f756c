//! What is known to be wrong with outreach, kept where the loops that find it
//! (`outreach::watch`, `outreach::channels`, `outreach::notice`) and the places that
//! tell it (`/healthz`, `/metrics`, `/stats`, `/broadcasts`, the admins) both reach it:
//! the watchdog's stalls, the channels the bot cannot post to, and when each admin
//! notice last went. Plain state, held by the app.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The shortest time between two notices of one kind about one thing.
const REPEAT_AFTER: Duration = Duration::from_secs(10 * 60);

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Notice {
    /// The store would not queue this job; the cause as the store said it.
    QueueFailed { job: String, cause: String },
    /// A post to this channel failed for good; the cause as Telegram said it.
    ChannelFailed { channel: String, cause: String },
    /// The check before posting found that the bot cannot post to this channel: told
    /// apart from a failed post, so a post that fails later is told too.
    ChannelCannotPost { channel: String, cause: String },
    /// Telegram paused all sending (429) for this long, over a minute.
    LongPause { seconds: u64 },
    /// The day's post is a quarter of an hour late (not queued, or nothing gone).
    DayLate { job: String },
    /// Work waits and no replica has sent for this many minutes.
    NoSender { minutes: u64 },
}

impl Notice {
    /// What makes two notices the same one: the kind and its subject, not the cause.
    fn key(&self) -> String {
        match self {
            Notice::QueueFailed { job, .. } => format!("queue:{job}"),
            Notice::ChannelFailed { channel, .. } => format!("channel:{channel}"),
            Notice::ChannelCannotPost { channel, .. } => format!("check:{channel}"),
            Notice::LongPause { .. } => "pause".into(),
            Notice::DayLate { job } => format!("late:{job}"),
            Notice::NoSender { .. } => "no_sender".into(),
        }
    }
}

/// When each notice last went.
#[derive(Debug, Default)]
pub struct Notices(Mutex<HashMap<String, Instant>>);

impl Notices {
    /// True when `notice` may go now (and records that it goes).
    pub fn due(&self, notice: &Notice) -> bool {
        let mut last = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let key = notice.key();
        match last.get(&key) {
            Some(at) if at.elapsed() < REPEAT_AFTER => false,
            _ => {
                last.insert(key, Instant::now());
                true
            }
        }
    }
}

/// What is wrong with outreach now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stall {
    /// Work waits and no replica has held the lease for this long.
    NoSender(Duration),
    /// The day's post (`day:…`) was due a quarter of an hour ago and is not queued.
    DayMissing(String),
    /// It is queued but nothing of it has gone.
    DayNotStarted(String),
}

impl Stall {
    /// The reason as `/healthz` and the log say it.
    pub fn reason(&self) -> String {
        match self {
            Stall::NoSender(d) => format!(
                "outreach: work is waiting and no replica has held the sender's lease for {} s",
                d.as_secs()
            ),
            Stall::DayMissing(job) => format!("outreach: {job} is due and not queued"),
            Stall::DayNotStarted(job) => format!("outreach: {job} is queued and nothing has gone"),
        }
    }

    /// A short label for `/metrics`.
    pub fn label(&self) -> &'static str {
        match self {
            Stall::NoSender(_) => "no_sender",
            Stall::DayMissing(_) => "day_missing",
            Stall::DayNotStarted(_) => "day_not_started",
        }
    }
}

/// The watchdog's last word, shared with `/healthz`.
#[derive(Debug, Default)]
pub struct Watch {
    stalls: Mutex<Vec<Stall>>,
}

impl Watch {
    pub fn stalls(&self) -> Vec<Stall> {
        self.stalls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set(&self, stalls: Vec<Stall>) {
        *self.stalls.lock().unwrap_or_else(|e| e.into_inner()) = stalls;
    }
}

/// A channel the bot cannot post to, and why (Telegram's words, or ours).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    pub channel: String,
    pub cause: String,
}

/// The last check's problems, for `/broadcasts` and `/stats`.
#[derive(Debug, Default)]
pub struct ChannelHealth(Mutex<Vec<Problem>>);

impl ChannelHealth {
    pub fn problems(&self) -> Vec<Problem> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set(&self, problems: Vec<Problem>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = problems;
    }
}
