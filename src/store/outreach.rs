//! The durable outreach queue behind one interface: jobs (one item for everyone) with
//! their messages as rendered when they were confirmed, their recipients (subscribed
//! chats, held like every per-chat row: hashed and sealed) and channel posts, and the
//! lease that lets exactly one replica send.

use std::str::FromStr;

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

use super::data_key::ChatKey;
use super::{Store, StoreError};
use crate::lang::Lang;

/// What became of one message (to a chat, or a channel post).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Telegram said the chat blocked the bot or is gone: its row goes, never retried.
    Blocked,
    /// Gave up after the retries, or Telegram refused it.
    Failed,
    /// A passing fault: it stays pending, one attempt more; `parts` of its messages
    /// went, and a retry sends only the rest.
    Retry {
        parts: u32,
    },
    /// Telegram paused all sending (429): no attempt spent, `parts` went.
    Paused {
        parts: u32,
    },
}

/// A job's counters a recipient ends in. With what is pending they add up to its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    Sent,
    Blocked,
    Failed,
    /// It will not get the job: cancelled, or the chat unsubscribed, forgot or was
    /// purged before its turn.
    Cancelled,
}

/// Where a job is: sending (or waiting for its time), sent to everyone, or cancelled
/// (Resume sends it on). Kept in the store as the word `as_str` gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    Running,
    Done,
    Cancelled,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Cancelled => "cancelled",
        }
    }
}

/// A word the store does not know as a job's state.
#[derive(Debug, thiserror::Error)]
#[error("unknown job state {0:?}")]
pub struct UnknownJobState(String);

impl FromStr for JobState {
    type Err = UnknownJobState;

    fn from_str(s: &str) -> Result<JobState, UnknownJobState> {
        match s {
            "running" => Ok(JobState::Running),
            "done" => Ok(JobState::Done),
            "cancelled" => Ok(JobState::Cancelled),
            other => Err(UnknownJobState(other.to_string())),
        }
    }
}

/// A state is bound and read as its word, on either backend.
impl<DB: Database> Type<DB> for JobState
where
    str: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <str as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <str as Type<DB>>::compatible(ty)
    }
}

impl<'q, DB: Database> Encode<'q, DB> for JobState
where
    &'q str: Encode<'q, DB>,
{
    fn encode_by_ref(&self, buf: &mut DB::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
        self.as_str().encode(buf)
    }
}

impl<'r, DB: Database> Decode<'r, DB> for JobState
where
    &'r str: Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<JobState, BoxDynError> {
        Ok(<&str as Decode<DB>>::decode(value)?.parse()?)
    }
}

/// Who a job's message is rendered for: chats that talk to the bot (callback buttons),
/// or channels (deep links).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    Chat,
    Channel,
}

impl Audience {
    pub fn code(self) -> &'static str {
        match self {
            Audience::Chat => "chat",
            Audience::Channel => "channel",
        }
    }
}

/// One rendered message of a job, as kept at Confirm: its audience, language and body
/// (`outreach::snapshot`'s encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobMessage {
    pub audience: Audience,
    pub lang: Lang,
    pub body: String,
}

/// A queue row as the backends read it: job, chat key, sealed id, language, attempts,
/// parts already sent.
pub(super) type QueueRow = (String, Vec<u8>, Vec<u8>, String, i64, i64);

/// A chat queued by name rather than from the subscriptions (a rehearsal's admins): its
/// key, its sealed id and its language.
pub(super) type ChatRow<'a> = (Vec<u8>, Vec<u8>, &'a str);

/// A channel post as the backends read it: job, channel, language, parts, attempts.
pub(super) type PostRow = (String, String, String, i64, i64);

/// A job as the backends read it: id, state, created, finished, total, sent, blocked,
/// failed, cancelled, not before, pending.
pub(super) type JobRow = (
    String,
    JobState,
    i64,
    Option<i64>,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

/// One message to send: to `chat`, for `job`, in `lang`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub job: String,
    pub chat: i64,
    pub chat_key: ChatKey,
    pub lang: Lang,
    pub attempts: u32,
    /// Messages of the reply that already went on an earlier attempt.
    pub parts: u32,
}

/// A channel post still to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub job: String,
    pub channel: String,
    pub lang: Lang,
    pub parts: u32,
    pub attempts: u32,
}

/// A job's totals and what is left: sent + blocked + failed + cancelled + pending =
/// total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: String,
    pub state: JobState,
    pub created_ms: i64,
    pub finished_ms: Option<i64>,
    pub total: i64,
    pub sent: i64,
    pub blocked: i64,
    pub failed: i64,
    pub cancelled: i64,
    /// A scheduled job sends nothing before this (unix milliseconds); 0: at once.
    pub not_before_ms: i64,
    pub pending: i64,
}

impl From<JobRow> for Job {
    fn from(r: JobRow) -> Job {
        let (
            id,
            state,
            created_ms,
            finished_ms,
            total,
            sent,
            blocked,
            failed,
            cancelled,
            not_before_ms,
            pending,
        ) = r;
        Job {
            id,
            state,
            created_ms,
            finished_ms,
            total,
            sent,
            blocked,
            failed,
            cancelled,
            not_before_ms,
            pending,
        }
    }
}

/// A job's messages as the backends write them: audience, language, body.
fn message_rows(messages: &[JobMessage]) -> Vec<(&str, &str, &str)> {
    messages
        .iter()
        .map(|m| (m.audience.code(), m.lang.code(), m.body.as_str()))
        .collect()
}

/// A job's channels as the backends write them: name, language.
fn channel_rows(channels: &[(String, Lang)]) -> Vec<(String, &'static str)> {
    channels
        .iter()
        .map(|(c, l)| (c.clone(), l.code()))
        .collect()
}

/// Now by the outreach clock (a test's clock in debug builds): what a scheduled job is
/// due against.
fn due_ms() -> i64 {
    crate::schedule::clock::now().as_millisecond()
}

/// This machine's clock, in unix milliseconds, for the times kept on jobs (never for
/// the lease, which goes by the database's clock). Debug builds add
/// `QANTAR_TEST_CLOCK_SKEW_MS` (signed) when it is set, standing for a machine whose
/// clock is that far off, so tests can start replicas that disagree on the time;
/// release builds have no such switch.
pub fn now_ms() -> i64 {
    let now = jiff::Timestamp::now().as_millisecond();
    #[cfg(debug_assertions)]
    if let Some(skew) = std::env::var("QANTAR_TEST_CLOCK_SKEW_MS")
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
    {
        return now.saturating_add(skew);
    }
    now
}

impl Store {
    /// Creates the job `id` with its rendered `messages`, and queues every subscriber
    /// and every channel (`(name, language)`); `None` when the job exists already, so
    /// an item is queued once.
    pub async fn create_job(
        &self,
        id: &str,
        messages: &[JobMessage],
        channels: &[(String, Lang)],
    ) -> Result<Option<i64>, StoreError> {
        self.create_job_at(id, 0, messages, channels).await
    }

    /// Like [`Store::create_job`], for a job that sends nothing before `not_before_ms`
    /// (a scheduled announcement).
    pub async fn create_job_at(
        &self,
        id: &str,
        not_before_ms: i64,
        messages: &[JobMessage],
        channels: &[(String, Lang)],
    ) -> Result<Option<i64>, StoreError> {
        let (messages, channels) = (message_rows(messages), channel_rows(channels));
        on_backend!(
            &self.backend,
            create_job(id, now_ms(), not_before_ms, &messages, &channels, None)
        )
    }

    /// Like [`Store::create_job_at`], for these chats (`(chat, language)`) instead of
    /// the subscribers: a rehearsal's admins.
    pub async fn create_job_for(
        &self,
        id: &str,
        not_before_ms: i64,
        messages: &[JobMessage],
        channels: &[(String, Lang)],
        chats: &[(i64, Lang)],
    ) -> Result<Option<i64>, StoreError> {
        let (messages, channels) = (message_rows(messages), channel_rows(channels));
        let chats: Vec<(Vec<u8>, Vec<u8>, &str)> = chats
            .iter()
            .map(|(chat, lang)| {
                let sealed = self.sealed(*chat);
                (sealed.key.to_vec(), sealed.sealed, lang.code())
            })
            .collect();
        on_backend!(
            &self.backend,
            create_job(
                id,
                now_ms(),
                not_before_ms,
                &messages,
                &channels,
                Some(&chats)
            )
        )
    }

    /// The job's message for `audience` in `lang`, as kept when it was queued.
    pub async fn job_message(
        &self,
        job: &str,
        audience: Audience,
        lang: Lang,
    ) -> Result<Option<String>, StoreError> {
        on_backend!(
            &self.backend,
            job_message(job, audience.code(), lang.code())
        )
    }

    /// Whether `r` is still to get its message: its row waits and its job runs.
    pub async fn still_pending(&self, r: &Recipient) -> Result<bool, StoreError> {
        on_backend!(
            &self.backend,
            still_pending(&r.job, &r.chat_key[..], due_ms())
        )
    }

    /// The next `limit` recipients, oldest job first, each in its language of now. A
    /// row whose sealed id does not open (it cannot, under the checked key, unless the
    /// file was damaged) is recorded as failed and skipped.
    ///
    /// One query per running job, each reading its rows in key order from an index:
    /// one query over every job sorted the whole pending queue for each batch (120 ms a
    /// batch of 500 with 100,000 pending on SQLite, a sixth of a 1,000/s broadcast's
    /// time; BENCHMARKS.md, "broadcasts").
    pub async fn pending(&self, limit: i64) -> Result<Vec<Recipient>, StoreError> {
        let mut rows = Vec::new();
        for job in self.running_jobs().await? {
            let left = limit - rows.len() as i64;
            if left <= 0 {
                break;
            }
            rows.extend(on_backend!(&self.backend, pending(&job, left))?);
        }
        let mut out = Vec::with_capacity(rows.len());
        for (job, chat_key, sealed, lang, attempts, parts) in rows {
            let key: Option<ChatKey> = chat_key.as_slice().try_into().ok();
            match (key, self.key.open(&sealed), lang.parse()) {
                (Some(chat_key), Ok(chat), Ok(lang)) => out.push(Recipient {
                    job,
                    chat,
                    chat_key,
                    lang,
                    attempts: attempts.max(0) as u32,
                    parts: parts.max(0) as u32,
                }),
                _ => {
                    log::warn!("an outreach row does not open; recorded as failed");
                    on_backend!(&self.backend, record(&job, &chat_key, Outcome::Failed))?;
                }
            }
        }
        Ok(out)
    }

    /// Channel posts due now.
    pub async fn pending_posts(&self) -> Result<Vec<Post>, StoreError> {
        let rows = on_backend!(&self.backend, pending_posts(now_ms(), due_ms()))?;
        Ok(rows
            .into_iter()
            .filter_map(|(job, channel, lang, parts, attempts)| {
                Some(Post {
                    job,
                    channel,
                    lang: lang.parse().ok()?,
                    parts: parts.max(0) as u32,
                    attempts: attempts.max(0) as u32,
                })
            })
            .collect())
    }

    /// Records what became of a recipient; a blocked chat is also removed everywhere.
    pub async fn record(&self, r: &Recipient, outcome: Outcome) -> Result<(), StoreError> {
        on_backend!(&self.backend, record(&r.job, &r.chat_key[..], outcome))?;
        if outcome == Outcome::Blocked {
            self.remove_unreachable(r.chat).await?;
        }
        Ok(())
    }

    /// Records what became of a channel post; a retry waits `retry_in` first.
    pub async fn record_post(
        &self,
        post: &Post,
        outcome: Outcome,
        retry_in: std::time::Duration,
    ) -> Result<(), StoreError> {
        let next_at = now_ms() + retry_in.as_millis() as i64;
        on_backend!(
            &self.backend,
            record_post(&post.job, &post.channel, post.lang.code(), outcome, next_at)
        )
    }

    /// Completes the jobs with nothing left to send; returns their ids.
    pub async fn finish_jobs(&self) -> Result<Vec<String>, StoreError> {
        on_backend!(&self.backend, finish(now_ms()))
    }

    /// Resumes a cancelled job for those who have not received it; false if it was not
    /// cancelled.
    pub async fn resume_job(&self, id: &str) -> Result<bool, StoreError> {
        on_backend!(&self.backend, resume_job(id))
    }

    /// Cancels a running job; false if it was not running.
    pub async fn cancel_job(&self, id: &str) -> Result<bool, StoreError> {
        on_backend!(&self.backend, cancel(id, now_ms()))
    }

    /// The ids of the jobs still running: cheap, unlike [`Store::jobs`], which counts
    /// each job's pending recipients.
    pub async fn running_jobs(&self) -> Result<Vec<String>, StoreError> {
        on_backend!(&self.backend, running_jobs(due_ms()))
    }

    /// One job's totals, if it exists.
    pub async fn job(&self, id: &str) -> Result<Option<Job>, StoreError> {
        Ok(on_backend!(&self.backend, job(id))?.map(Job::from))
    }

    /// The newest jobs, newest first.
    pub async fn jobs(&self, limit: i64) -> Result<Vec<Job>, StoreError> {
        let rows = on_backend!(&self.backend, jobs(limit))?;
        Ok(rows.into_iter().map(Job::from).collect())
    }

    /// Pauses all outreach sending (it survives a restart); false if it was paused
    /// already.
    pub async fn pause(&self, admin: i64) -> Result<bool, StoreError> {
        on_backend!(&self.backend, pause(admin, now_ms()))
    }

    /// Ends the pause; false if outreach was not paused.
    pub async fn resume(&self) -> Result<bool, StoreError> {
        on_backend!(&self.backend, resume())
    }

    /// Since when (unix milliseconds) and by which admin outreach is paused, if it is.
    pub async fn paused(&self) -> Result<Option<(i64, i64)>, StoreError> {
        on_backend!(&self.backend, paused())
    }

    /// Whether some replica holds the sender's lease now.
    pub async fn lease_held(&self) -> Result<bool, StoreError> {
        on_backend!(&self.backend, lease_held())
    }

    /// Takes or renews the sender's lease for `holder` for `ttl_ms`, by the database's
    /// clock: replicas whose clocks disagree still agree on who holds it.
    pub async fn lease(&self, holder: &str, ttl_ms: i64) -> Result<bool, StoreError> {
        on_backend!(&self.backend, lease(holder, ttl_ms))
    }

    pub async fn release_lease(&self, holder: &str) -> Result<(), StoreError> {
        on_backend!(&self.backend, release(holder))
    }
}
