//! The one sender of everything unprompted: it holds the lease (one replica sends at a
//! time), queues the day's "on this day" when it is due, posts to channels, and works
//! through the queue at Telegram's limits, recording each message as it goes.
//!
//! A message is recorded as sent only after Telegram accepted it, so a crash loses
//! nothing; what was in flight at a kill (at most `in_flight` messages) may be sent
//! again on restart, and nothing else is.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use teloxide::prelude::*;
use teloxide::types::Recipient as To;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::notice::{Notice, tell_admins};
use super::pace::{Pace, Ticket, Unanswered};
use super::snapshot;
use crate::app::App;
use crate::deliver::photo::Pictures;
use crate::deliver::unprompted::{Partial, Unsent, send_once};
use crate::lang::Lang;
use crate::render::Reply;
use crate::schedule::Outreach;
use crate::schedule::{self, Daily};
use crate::store::Store;
use crate::store::outreach::{Audience, JobState, Outcome, Post, Recipient};

/// How long a lease lasts without renewal: the longest another replica waits to take
/// over from one that died.
pub const LEASE_TTL: Duration = Duration::from_secs(15);
/// How often the holder renews it while sending (well inside the TTL).
const RENEW_EVERY: Duration = Duration::from_secs(5);
/// How often a replica without the lease asks for it, and an idle holder looks for work.
const POLL: Duration = Duration::from_secs(2);
/// A 429 longer than this is told to the admins.
const LONG_PAUSE: Duration = Duration::from_secs(60);
/// How often a paused sender asks whether it may go on.
const PAUSED_POLL: Duration = Duration::from_millis(500);
/// Recipients fetched at a time: memory stays bounded whatever the audience.
const BATCH: i64 = 500;
/// How often a batch in hand checks that its jobs still run (an admin may cancel).
const RECHECK_JOBS: Duration = Duration::from_millis(500);
/// How often the queue's depth is counted for `/metrics`: counting reads every
/// pending row's index entry (13 ms for 100,000), too much for every batch.
const DEPTH_EVERY: Duration = Duration::from_secs(5);
/// Attempts at one recipient before it counts as failed.
const MAX_ATTEMPTS: u32 = 5;
/// Attempts at one channel post before it counts as failed, and the first wait between
/// them (doubled each time, at most `POST_RETRY_MAX`).
const POST_ATTEMPTS: u32 = 6;
const POST_RETRY_FIRST: Duration = Duration::from_secs(5);
const POST_RETRY_MAX: Duration = Duration::from_secs(300);

/// What the sender needs besides the app. It runs on a thread and runtime of its own
/// (`outreach::sender_thread`), so its client, store handle and pictures are its own
/// too: connections belong to the runtime that opened them.
pub struct OutreachSender {
    pub bot: Bot,
    pub app: Arc<App>,
    pub store: Store,
    pub pictures: Arc<Pictures>,
    pub outreach: Outreach,
    /// The bot's username, for deep links in channel posts.
    pub username: String,
    /// This process's name on the lease (`holder_name`).
    pub holder: String,
    pub stop: CancellationToken,
    /// The recipients whose message is in flight, by job and chat: their rows are still
    /// pending, so the next batch read returns them, and they are skipped there.
    pub flying:
        std::sync::Mutex<std::collections::HashSet<(String, crate::store::data_key::ChatKey)>>,
}

/// The running jobs, as read from the store at `checked`.
struct Running {
    jobs: std::collections::HashSet<String>,
    checked: Instant,
}

/// A recipient, its message's place in the pace, when its request began, and what
/// became of the message.
type Done = (Recipient, Ticket, Instant, Result<(), Partial>);

/// What became of one unprompted message, read the same way for a recipient and for a
/// channel post (`OutreachSender::verdict`); what each then records differs.
enum Verdict {
    Sent,
    /// Telegram's 429, obeyed already: everything waits `wait`; `parts` went before it.
    Paused {
        parts: u32,
        wait: Duration,
    },
    /// A passing fault, with attempts left; `parts` went before it.
    Retry {
        parts: u32,
    },
    /// The chat will not take it (blocked, kicked, gone), in Telegram's words.
    Unreachable(String),
    /// For good: refused (Telegram's words), or a `passing` fault with no attempt left.
    Failed {
        passing: bool,
        detail: String,
    },
}

impl OutreachSender {
    /// Runs until the stop; gives the lease up on the way out.
    pub async fn run(self) {
        self.log_plan().await;
        let holder = self.holder.clone();
        let mut pace = Pace::new(self.outreach.rate);
        let mut backoff = Duration::ZERO;
        let mut depth_counted: Option<Instant> = None;
        // Messages in flight outlive a batch: waiting for them at each batch's end left
        // a hole of one answer time every 500 messages (17 % of the time at 1,000/s
        // with 100 ms answers; BENCHMARKS.md, "the pace").
        let mut in_flight: JoinSet<Done> = JoinSet::new();
        while !self.stop.is_cancelled() {
            if !self.renew(&holder).await {
                self.drain(&mut in_flight, &mut pace, &mut backoff).await;
                self.sleep(POLL).await;
                continue;
            }
            let n = self.app.metrics.sender_round_began();
            self.queue_due_day().await;
            // Paused: the day still queues, nothing goes out until /resume.
            if self.paused().await {
                self.drain(&mut in_flight, &mut pace, &mut backoff).await;
                self.app.metrics.sender_round_quiet(n);
                self.sleep(PAUSED_POLL).await;
                continue;
            }
            let mut worked = self
                .round(&holder, &mut in_flight, &mut pace, &mut backoff)
                .await;
            if !worked && !in_flight.is_empty() {
                // Nothing new to send: what is in flight is what is left.
                self.drain(&mut in_flight, &mut pace, &mut backoff).await;
                worked = true;
            }
            self.finish().await;
            if !worked || depth_counted.is_none_or(|at| at.elapsed() >= DEPTH_EVERY) {
                self.count_depth().await;
                depth_counted = Some(Instant::now());
            }
            if !worked {
                self.app.metrics.sender_round_quiet(n);
                self.sleep(POLL).await;
            } else if !backoff.is_zero() {
                self.sleep(backoff).await;
            }
        }
        self.drain(&mut in_flight, &mut pace, &mut backoff).await;
        if let Err(e) = self.store.release_lease(&holder).await {
            log::warn!("outreach lease release: {e}");
        }
    }

    /// Waits for every message in flight and records what became of each.
    async fn drain(&self, in_flight: &mut JoinSet<Done>, pace: &mut Pace, backoff: &mut Duration) {
        while let Some(joined) = in_flight.join_next().await {
            if let Ok(done) = joined {
                self.settle(done, pace, backoff).await;
            }
        }
        // A send task that panicked never handed its recipient back: with nothing in
        // flight, nobody is, and its row goes again next round.
        self.flying
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Says at start when "on this day" posts: the window, and the next send with its
    /// recipients per language and channels (counts only).
    async fn log_plan(&self) {
        let catalog = self.app.catalog.get();
        let days = crate::render::days_with_events(&catalog.content);
        let daily = self.daily();
        let next = schedule::next(&daily, crate::schedule::clock::now(), &days);
        let Some(next) = next else {
            log::warn!(
                "outreach: window {}: no day of the record falls in it, nothing will post",
                self.outreach.window
            );
            return;
        };
        let subscribers = self.store.subscribers().await.unwrap_or_default();
        let per_lang: Vec<String> = Lang::ALL
            .iter()
            .map(|l| {
                let n = subscribers
                    .iter()
                    .find(|(x, _)| x == l)
                    .map_or(0, |(_, n)| *n);
                format!("{} {n}", l.code())
            })
            .collect();
        log::info!(
            "outreach: window {}; next send {} ({}), subscribers {}, channels {}",
            self.outreach.window,
            next.strftime("%F %H:%M %Z"),
            schedule::job_id(next.date()),
            per_lang.join(" "),
            self.outreach.channels().len()
        );
    }

    fn daily(&self) -> Daily {
        self.outreach.daily()
    }

    async fn sleep(&self, d: Duration) {
        tokio::select! {
            () = tokio::time::sleep(d) => {}
            () = self.stop.cancelled() => {}
        }
    }

    /// Queues today's "on this day" once its time has come (a no-op once queued), with
    /// its messages rendered now. A day with nothing to tell is not queued. A store that
    /// will not queue it is told to the admins and counted; the next round tries again.
    async fn queue_due_day(&self) {
        let catalog = self.app.catalog.get();
        let days = crate::render::days_with_events(&catalog.content);
        let Some(date) = schedule::due(&self.daily(), crate::schedule::clock::now(), &days) else {
            return;
        };
        let job = schedule::job_id(date);
        let langs: Vec<Lang> = self.outreach.channels().iter().map(|(_, l)| *l).collect();
        let Some(messages) = snapshot::job_messages(&catalog, &job, &langs, &self.username) else {
            return;
        };
        match super::rehearsal::queue(&self.app, &self.store, &job, 0, messages).await {
            Ok(Some(n)) => {
                log::info!("queued {job} for {n} recipients");
                // Before the day's first post: may the bot still post to each channel?
                super::channels::check(&self.bot, &self.app).await;
            }
            Ok(None) => {}
            Err(e) => {
                self.app.metrics.outreach_queue_failed();
                log::warn!("queueing {job}: {e}");
                let notice = Notice::QueueFailed {
                    job,
                    cause: e.to_string(),
                };
                tell_admins(&self.bot, &self.app, notice).await;
            }
        }
    }

    /// Channel posts, then one batch of recipients. False when there was nothing to do.
    async fn round(
        &self,
        holder: &str,
        in_flight: &mut JoinSet<Done>,
        pace: &mut Pace,
        backoff: &mut Duration,
    ) -> bool {
        let posts = self.store.pending_posts().await.unwrap_or_else(|e| {
            log::warn!("outreach posts: {e}");
            Vec::new()
        });
        if !posts.is_empty() {
            // A post goes with nothing of a batch in flight (see `post`).
            self.drain(in_flight, pace, backoff).await;
        }
        for post in &posts {
            if self.paused().await {
                return true;
            }
            self.post(holder, pace, backoff, post).await;
        }
        let batch = match self.store.pending(BATCH).await {
            Ok(batch) => batch,
            Err(e) => {
                log::warn!("outreach queue: {e}");
                return false;
            }
        };
        if batch.is_empty() {
            return !posts.is_empty();
        }
        self.send_batch(holder, batch, in_flight, pace, backoff)
            .await
    }

    /// Sends a batch at the pace's slots, `in_flight` at a time, recording each result;
    /// the last messages may still be in flight when it returns. Stops early at the
    /// stop, or when the lease cannot be renewed (another replica may be taking over),
    /// and then waits for what is in flight. False when all of the batch was in flight
    /// already (nothing new was sent).
    async fn send_batch(
        &self,
        holder: &str,
        batch: Vec<Recipient>,
        in_flight: &mut JoinSet<Done>,
        pace: &mut Pace,
        backoff: &mut Duration,
    ) -> bool {
        let mut fresh = false;
        let mut stopped = false;
        // A job's message in a language is read once for the whole batch.
        // Shared, not copied: a reply with a map holds its picture's SVG.
        let mut replies: HashMap<(String, Lang), Option<Arc<Reply>>> = HashMap::new();
        // When the lease was last renewed, as asked (the database set its expiry after
        // that): none yet in this batch, since the posts before it may have waited long.
        let mut renewed: Option<Instant> = None;
        let mut running = Running {
            jobs: self.running_jobs().await,
            checked: Instant::now(),
        };
        *backoff = Duration::ZERO;
        for r in batch {
            if self.stop.is_cancelled() {
                stopped = true;
                break;
            }
            if self.is_flying(&r) {
                continue;
            }
            fresh = true;
            // A job cancelled while its batch is in hand sends nothing more.
            if !self.still_running(&r.job, &mut running).await {
                continue;
            }
            let key = (r.job.clone(), r.lang);
            if !replies.contains_key(&key) {
                let reply = self.job_reply(&r.job, Audience::Chat, r.lang).await;
                replies.insert(key.clone(), reply);
            }
            let Some(reply) = replies.get(&key).cloned().flatten() else {
                // Nothing kept to send: never render something else in its place.
                let refused = Partial {
                    parts: r.parts,
                    unsent: Unsent::Rejected,
                    detail: String::new(),
                };
                self.record(&r, Err(refused), pace, backoff).await;
                continue;
            };
            let messages = reply.messages.len().saturating_sub(r.parts as usize).max(1);
            let Some(ticket) = self
                .wait_for_slot(r.chat, messages, in_flight, pace, backoff)
                .await
            else {
                stopped = true;
                break;
            };
            // Asked of the store just before it goes: a Cancel, a purge, a /forget or an
            // /unsubscribe since the batch was read stops it here, so after one only
            // the messages already in flight still go.
            if !self.still_pending(&r).await {
                pace.answered(ticket, Instant::now());
                continue;
            }
            // Nor after the lease may have lapsed (a long 429): renewed first, so a
            // replica that took it over meanwhile is the only one sending.
            if renewed.is_none_or(|at| at.elapsed() >= RENEW_EVERY) {
                let asked = Instant::now();
                if !self.renew(holder).await {
                    pace.answered(ticket, Instant::now());
                    log::warn!("outreach lease lost: stopping this round");
                    stopped = true;
                    break;
                }
                renewed = Some(asked);
            }
            let uploads = reply_uploads(&self.pictures, &reply);
            let r_key = (r.job.clone(), r.chat_key);
            let (bot, app, paid) = (self.bot.clone(), Arc::clone(&self.app), self.outreach.paid);
            let pictures = Arc::clone(&self.pictures);
            let send = async move {
                let to = To::Id(ChatId(r.chat));
                // For the pace: a busy thread may start it well after its slot.
                let started = Instant::now();
                let sent =
                    send_once(&bot, &app.metrics, &pictures, to, &reply, paid, r.parts).await;
                (r, ticket, started, sent)
            };
            // A picture not yet uploaded goes once, alone, so the rest of the batch
            // sends its file_id instead of uploading it again in parallel.
            if uploads {
                let done = send.await;
                self.settle(done, pace, backoff).await;
            } else {
                self.fly(&r_key);
                in_flight.spawn(send);
            }
        }
        if stopped {
            self.drain(in_flight, pace, backoff).await;
        }
        fresh
    }

    fn is_flying(&self, r: &Recipient) -> bool {
        let flying = self.flying.lock().unwrap_or_else(|e| e.into_inner());
        flying.contains(&(r.job.clone(), r.chat_key))
    }

    fn fly(&self, key: &(String, crate::store::data_key::ChatKey)) {
        let mut flying = self.flying.lock().unwrap_or_else(|e| e.into_inner());
        flying.insert(key.clone());
    }

    /// Waits until a reply of `messages` messages to `chat` may go, and gives its place
    /// in the pace: results of the messages in flight are recorded first and while
    /// waiting, so counts stay current and a 429 among them holds this one back too.
    /// `None` at the stop, with the place handed back. A channel post calls it with
    /// nothing in flight (`in_flight` empty), and so only waits for its slot.
    async fn wait_for_slot(
        &self,
        chat: i64,
        messages: usize,
        in_flight: &mut JoinSet<Done>,
        pace: &mut Pace,
        backoff: &mut Duration,
    ) -> Option<Ticket> {
        while let Some(joined) = in_flight.try_join_next() {
            if let Ok(done) = joined {
                self.settle(done, pace, backoff).await;
            }
        }
        let (at, ticket) = loop {
            if in_flight.len() < self.outreach.in_flight {
                match pace.slot(chat, messages, Instant::now()) {
                    Ok(slot) => break slot,
                    Err(Unanswered) if in_flight.is_empty() => {
                        // A send task ended without handing its ticket back (it
                        // panicked): with nothing in flight, every message is over.
                        pace.all_answered(Instant::now());
                        continue;
                    }
                    Err(Unanswered) => {}
                }
            }
            if let Some(Ok(done)) = in_flight.join_next().await {
                self.settle(done, pace, backoff).await;
            }
        };
        // A slot already due is not waited for: a timer would round it up to the next
        // tick.
        while at > Instant::now() {
            tokio::select! {
                () = tokio::time::sleep_until(at.into()) => break,
                Some(joined) = in_flight.join_next(), if !in_flight.is_empty() => {
                    if let Ok(done) = joined {
                        self.settle(done, pace, backoff).await;
                    }
                }
                () = self.stop.cancelled() => break,
            }
        }
        // A long 429 pause must not hold the stop up: what waits goes next round.
        if let Some(until) = pace.paused_until().filter(|u| *u > Instant::now()) {
            self.sleep(until - Instant::now()).await;
        }
        if self.stop.is_cancelled() {
            pace.answered(ticket, Instant::now());
            return None;
        }
        Some(ticket)
    }

    /// Whether `job` still runs, as the store said at most `RECHECK_JOBS` ago.
    async fn still_running(&self, job: &str, running: &mut Running) -> bool {
        if running.checked.elapsed() >= RECHECK_JOBS {
            running.jobs = self.running_jobs().await;
            running.checked = Instant::now();
        }
        running.jobs.contains(job)
    }

    /// The jobs still running; on a store error, none (nothing is sent until it answers).
    async fn running_jobs(&self) -> std::collections::HashSet<String> {
        match self.store.running_jobs().await {
            Ok(jobs) => jobs.into_iter().collect(),
            Err(e) => {
                log::warn!("outreach jobs: {e}");
                Default::default()
            }
        }
    }

    /// Takes or renews the lease; false while another replica holds it, or when the
    /// store cannot say.
    async fn renew(&self, holder: &str) -> bool {
        match self.store.lease(holder, LEASE_TTL.as_millis() as i64).await {
            Ok(held) => held,
            Err(e) => {
                log::warn!("outreach lease: {e}");
                false
            }
        }
    }

    /// Whether an admin paused outreach; a store that cannot say counts as paused, since
    /// nothing could be recorded either.
    async fn paused(&self) -> bool {
        match self.store.paused().await {
            Ok(paused) => paused.is_some(),
            Err(e) => {
                log::warn!("outreach pause: {e}");
                true
            }
        }
    }

    /// Whether `r` is still to get its message, as the store says now; on a store
    /// error, not now (its row stays pending for a later round).
    async fn still_pending(&self, r: &Recipient) -> bool {
        match self.store.still_pending(r).await {
            Ok(pending) => pending,
            Err(e) => {
                log::warn!("outreach recheck: {e}");
                false
            }
        }
    }

    /// The message `job` keeps for `audience` in `lang`; `None` when it keeps none this
    /// build can read (or the store cannot say): never anything rendered in its place,
    /// except for a job of an older release, which kept none.
    async fn job_reply(&self, job: &str, audience: Audience, lang: Lang) -> Option<Arc<Reply>> {
        match self.store.job_message(job, audience, lang).await {
            Ok(Some(body)) => {
                let reply = snapshot::decode(&body);
                if reply.is_none() {
                    log::warn!("{job}: its kept message does not decode; recorded as failed");
                }
                reply.map(Arc::new)
            }
            // Only a job queued by a release before kept messages has none: it gets
            // what that release sent, rendered now, and nothing if its item is gone.
            Ok(None) => {
                let catalog = self.app.catalog.get();
                let reply = snapshot::render_job(&catalog, job, audience, lang, &self.username);
                if reply.is_none() {
                    log::warn!("{job}: nothing kept or left to send; recorded as failed");
                }
                reply.map(Arc::new)
            }
            Err(e) => {
                log::warn!("outreach message read: {e}");
                None
            }
        }
    }

    /// Takes a message's answer: its place in the pace, then what became of it.
    async fn settle(&self, done: Done, pace: &mut Pace, backoff: &mut Duration) {
        let (r, ticket, started, sent) = done;
        {
            let mut flying = self.flying.lock().unwrap_or_else(|e| e.into_inner());
            flying.remove(&(r.job.clone(), r.chat_key));
        }
        pace.started(ticket, started);
        pace.answered(ticket, Instant::now());
        self.record(&r, sent, pace, backoff).await;
    }

    /// Records what became of one message, and obeys what Telegram said.
    async fn record(
        &self,
        r: &Recipient,
        sent: Result<(), Partial>,
        pace: &mut Pace,
        backoff: &mut Duration,
    ) {
        let metrics = &self.app.metrics;
        let outcome = match self.verdict(sent, r.attempts, MAX_ATTEMPTS, pace) {
            Verdict::Sent => Outcome::Sent,
            Verdict::Paused { parts, wait } => {
                // This one goes again (from the part that did not go).
                metrics.retry_after(wait);
                log::warn!("broadcast paused {}s by Telegram (429)", wait.as_secs());
                if wait > LONG_PAUSE {
                    let notice = Notice::LongPause {
                        seconds: wait.as_secs(),
                    };
                    tell_admins(&self.bot, &self.app, notice).await;
                }
                if parts <= r.parts {
                    return;
                }
                Outcome::Paused { parts }
            }
            Verdict::Unreachable(_) => {
                metrics.broadcast("blocked");
                Outcome::Blocked
            }
            Verdict::Retry { parts } => {
                *backoff =
                    (*backoff * 2).clamp(Duration::from_millis(500), Duration::from_secs(30));
                Outcome::Retry { parts }
            }
            Verdict::Failed { .. } => {
                metrics.broadcast("failed");
                Outcome::Failed
            }
        };
        if let Err(e) = self.store.record(r, outcome).await {
            self.app.metrics.store_error("write");
            log::warn!("outreach record: {e}");
        }
    }

    /// Posts a job's message to a channel, as kept for channels in its language (deep
    /// links for buttons). A passing fault is retried after a growing wait, a few
    /// times; a post that fails for good is recorded, and the admins are told.
    async fn post(&self, holder: &str, pace: &mut Pace, backoff: &mut Duration, post: &Post) {
        let channel = post.channel.as_str();
        let Some(reply) = self
            .job_reply(&post.job, Audience::Channel, post.lang)
            .await
        else {
            self.record_post(post, Outcome::Failed, Duration::ZERO)
                .await;
            return;
        };
        let to = match channel.parse::<i64>() {
            Ok(id) => To::Id(ChatId(id)),
            Err(_) => To::ChannelUsername(channel.to_string()),
        };
        let key = channel
            .parse::<i64>()
            .unwrap_or_else(|_| pace_key_of_name(channel));
        let messages = reply
            .messages
            .len()
            .saturating_sub(post.parts as usize)
            .max(1);
        // Posts go one at a time, with no message of a batch in flight.
        let mut none_in_flight = JoinSet::new();
        let Some(ticket) = self
            .wait_for_slot(key, messages, &mut none_in_flight, pace, backoff)
            .await
        else {
            return;
        };
        // The wait may have outlasted the lease (a 429): asked again before posting.
        if !self.renew(holder).await {
            pace.answered(ticket, Instant::now());
            return;
        }
        pace.started(ticket, Instant::now());
        let sent = send_once(
            &self.bot,
            &self.app.metrics,
            &self.pictures,
            to,
            &reply,
            self.outreach.paid,
            post.parts,
        )
        .await;
        pace.answered(ticket, Instant::now());
        let (outcome, retry_in) = match self.verdict(sent, post.attempts, POST_ATTEMPTS, pace) {
            Verdict::Sent => (Outcome::Sent, Duration::ZERO),
            Verdict::Paused { parts, wait } => (Outcome::Paused { parts }, wait),
            Verdict::Retry { parts } => (Outcome::Retry { parts }, post_retry_in(post.attempts)),
            Verdict::Unreachable(detail)
            | Verdict::Failed {
                passing: false,
                detail,
            } => {
                self.post_failed(channel, format!("Telegram says: {detail}"))
                    .await
            }
            Verdict::Failed {
                passing: true,
                detail,
            } => {
                let cause = format!("it kept failing in passing ({detail})");
                self.post_failed(channel, cause).await
            }
        };
        self.record_post(post, outcome, retry_in).await;
    }

    /// A channel post failed for good: logged, told to the admins and counted.
    async fn post_failed(&self, channel: &str, cause: String) -> (Outcome, Duration) {
        log::warn!("channel post to {channel} failed: {cause}");
        let notice = Notice::ChannelFailed {
            channel: channel.to_string(),
            cause,
        };
        tell_admins(&self.bot, &self.app, notice).await;
        self.app.metrics.broadcast("failed");
        (Outcome::Failed, Duration::ZERO)
    }

    /// Reads what became of a message on attempt `attempts + 1` of `max_attempts`, the
    /// same for a recipient and a channel: counts it as sent or retried, and obeys a 429
    /// (the limit is the bot's: everything waits). What each kind then records, counts
    /// or tells is its own (`record`, `post`).
    fn verdict(
        &self,
        sent: Result<(), Partial>,
        attempts: u32,
        max_attempts: u32,
        pace: &mut Pace,
    ) -> Verdict {
        let metrics = &self.app.metrics;
        let Err(Partial {
            parts,
            unsent,
            detail,
        }) = sent
        else {
            metrics.broadcast("sent");
            return Verdict::Sent;
        };
        match unsent {
            Unsent::RetryAfter(wait) => {
                metrics.broadcast_paused();
                pace.pause_until(Instant::now() + wait);
                Verdict::Paused { parts, wait }
            }
            Unsent::Unreachable => Verdict::Unreachable(detail),
            Unsent::Transient if attempts + 1 < max_attempts => {
                metrics.broadcast("retried");
                Verdict::Retry { parts }
            }
            Unsent::Transient => Verdict::Failed {
                passing: true,
                detail,
            },
            Unsent::Rejected => Verdict::Failed {
                passing: false,
                detail,
            },
        }
    }

    async fn record_post(&self, post: &Post, outcome: Outcome, retry_in: Duration) {
        if let Err(e) = self.store.record_post(post, outcome, retry_in).await {
            self.app.metrics.store_error("write");
            log::warn!("outreach record: {e}");
        }
    }

    /// Completes finished jobs.
    async fn finish(&self) {
        match self.store.finish_jobs().await {
            Ok(done) => {
                for job in done {
                    log::info!("{job} completed");
                }
            }
            Err(e) => log::warn!("outreach finish: {e}"),
        }
    }

    /// Publishes the queue's depth.
    async fn count_depth(&self) {
        if let Ok(jobs) = self.store.jobs(20).await {
            let depth = jobs
                .iter()
                .filter(|j| j.state == JobState::Running)
                .map(|j| j.pending)
                .sum();
            self.app.metrics.set_broadcast_queue(depth);
        }
    }
}

/// The wait before a channel post's next attempt after `attempts` failed ones.
fn post_retry_in(attempts: u32) -> Duration {
    (POST_RETRY_FIRST * 2u32.saturating_pow(attempts.min(16))).min(POST_RETRY_MAX)
}

/// Whether sending `reply` would upload its picture: none is known to this process.
fn reply_uploads(pictures: &Pictures, reply: &Reply) -> bool {
    reply
        .photo
        .as_ref()
        .is_some_and(|p| !pictures.known(&p.key))
}

/// The pace's key for a channel known by its @name: negative like every channel's id,
/// so the group rules apply, and one per name (Telegram's are case-insensitive), so
/// each channel is paced on its own.
fn pace_key_of_name(name: &str) -> i64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    name.to_ascii_lowercase().hash(&mut h);
    -1 - (h.finish() >> 1) as i64
}

/// A name for this process's lease: random, so two replicas never share one (their
/// process ids may well be the same, each in its own container). Without randomness
/// from the operating system there is no such name, and the bot must not start: two
/// replicas of one name would both believe they hold the lease and both send.
pub fn holder_name() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}-{hex}", std::process::id()))
}
