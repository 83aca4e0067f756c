//! A fast fake Bot API on loopback. It hands prepared updates out through getUpdates as
//! fast as the bot takes them (or at a set pace), acknowledges sendMessage with a fixed
//! answer (at once, or after a set delay, as Telegram's answers take tens of
//! milliseconds), and times every update from being handed out to its reply arriving.
//!
//! Replies are matched to updates by chat, first in first out: teloxide runs one worker
//! per chat, so a chat's replies come in the order its updates went out, and every
//! command in the workload is answered with exactly one message.
//!
//! For broadcasts it also records every sendMessage to a subscriber (chat ids from
//! `SUBSCRIBER_FIRST` on) with its arrival time, keeps what the bot sends the admin,
//! answers button presses and edits, and, like Telegram, forgets updates once a
//! getUpdates has confirmed them, so a bot started again is not handed them twice.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::Response;
use serde_json::Value;
use tokio::sync::Notify;

use crate::workload::{ADMIN, SUBSCRIBER_FIRST, Update};

/// The chat of an update handed out without expecting a timed reply (the admin's).
const UNTRACKED: i64 = i64::MIN;

/// sendMessage's answer: always the same bytes, so the fake costs next to nothing.
const SENT: &str = r#"{"ok":true,"result":{"message_id":1,"date":1700000000,"chat":{"id":1,"type":"private","first_name":"Reader"},"text":"ok"}}"#;
const TRUE: &str = r#"{"ok":true,"result":true}"#;
const ME: &str = r#"{"ok":true,"result":{"id":777000,"is_bot":true,"first_name":"Load","username":"qantar_load_bot","can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":true,"can_connect_to_business":false,"has_main_web_app":false}}"#;
const WEBHOOK: &str =
    r#"{"ok":true,"result":{"url":"","has_custom_certificate":false,"pending_update_count":0}}"#;
const NOT_FOUND: &str =
    r#"{"ok":false,"error_code":404,"description":"Not Found: method not found"}"#;

/// What one phase measured.
#[derive(Debug, Default)]
pub struct PhaseStats {
    pub answered: usize,
    pub latencies: Vec<Duration>,
    /// From the first update handed out to the last reply.
    pub span: Duration,
    /// Replies for a chat with nothing outstanding: a sign the one-reply rule broke.
    pub unmatched: usize,
    /// getUpdates calls that handed out at least one update.
    pub polls: usize,
    /// Updates handed out, counting each time one is handed out again because the bot
    /// had not yet confirmed it.
    pub handed: usize,
    /// Bytes of every sendMessage request body matched to an update.
    pub sent_bytes: usize,
}

#[derive(Default)]
struct Feed {
    /// Serialized updates; the update id is the index + 1.
    updates: Vec<Bytes>,
    chats: Vec<i64>,
    /// How many may be handed out (pacing releases them over time).
    released: usize,
    handed_out: Vec<Option<Instant>>,
    awaiting: HashMap<i64, VecDeque<usize>>,
    first_poll: Option<Instant>,
    expected: usize,
    stats: PhaseStats,
    first_handout: Option<Instant>,
    last_reply: Option<Instant>,
    /// Updates before this index were confirmed by a later offset.
    confirmed: usize,
    /// Each sendMessage to a subscriber: when it arrived, and to which chat.
    broadcast: Vec<(Instant, i64)>,
    reached: HashSet<i64>,
    /// Bodies of what the bot sent or edited in the admin's chat.
    admin: Vec<String>,
}

struct Shared {
    feed: Mutex<Feed>,
    news: Notify,
    done: Notify,
    /// How long every answer but getUpdates' waits, in microseconds (0: at once). A
    /// request is recorded when it arrives, before this wait.
    answer_after_us: AtomicU64,
}

impl Shared {
    fn feed(&self) -> MutexGuard<'_, Feed> {
        // A panic while holding the lock would already have failed the run.
        self.feed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Clone)]
pub struct Fake {
    shared: Arc<Shared>,
    pub url: String,
}

impl Fake {
    pub async fn start() -> std::io::Result<Fake> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            feed: Mutex::new(Feed::default()),
            news: Notify::new(),
            done: Notify::new(),
            answer_after_us: AtomicU64::new(0),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Fake { shared, url })
    }

    /// Every answer but getUpdates' comes `delay` after its request arrived, as from a
    /// Bot API that far away (Telegram's take about 100 ms from Europe).
    pub fn answer_after(&self, delay: Duration) {
        let us = u64::try_from(delay.as_micros()).unwrap_or(u64::MAX);
        self.shared.answer_after_us.store(us, Ordering::Relaxed);
    }

    /// When the bot first asked for updates, if it has.
    pub fn first_poll(&self) -> Option<Instant> {
        self.shared.feed().first_poll
    }

    /// Waits for the bot's first getUpdates; `None` if it does not come within `limit`.
    pub async fn wait_first_poll(&self, limit: Duration) -> Option<Instant> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(at) = self.first_poll() {
                return Some(at);
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        None
    }

    /// Hands out one update at once, expecting no timed reply (the admin's commands and
    /// presses). Only between phases: it releases everything queued before it.
    pub fn push_untracked(&self, make: impl FnOnce(usize) -> Bytes) {
        let mut feed = self.shared.feed();
        let id = feed.updates.len() + 1;
        feed.updates.push(make(id));
        feed.chats.push(UNTRACKED);
        feed.handed_out.push(None);
        feed.released = feed.updates.len();
        drop(feed);
        self.shared.news.notify_waiters();
    }

    /// Messages to subscribers so far, and the distinct chats they reached.
    pub fn broadcast_progress(&self) -> (usize, usize) {
        let feed = self.shared.feed();
        (feed.broadcast.len(), feed.reached.len())
    }

    /// Every message to a subscriber so far: arrival, chat.
    pub fn broadcast_log(&self) -> Vec<(Instant, i64)> {
        self.shared.feed().broadcast.clone()
    }

    /// What the bot sent or edited in the admin's chat so far.
    pub fn admin_messages(&self) -> Vec<String> {
        self.shared.feed().admin.clone()
    }

    /// Queues `updates`, releases them (all at once, or `rate` per second), and waits
    /// until each has its reply or `limit` passes.
    pub async fn run_phase(
        &self,
        updates: &[Update],
        rate: Option<f64>,
        limit: Duration,
    ) -> PhaseStats {
        let base = {
            let mut feed = self.shared.feed();
            let base = feed.updates.len();
            for (i, u) in updates.iter().enumerate() {
                feed.updates.push(u.to_json(base + i + 1));
                feed.chats.push(u.chat);
                feed.handed_out.push(None);
            }
            feed.expected = updates.len();
            feed.stats = PhaseStats::default();
            feed.first_handout = None;
            feed.last_reply = None;
            base
        };
        let done = self.shared.done.notified();
        tokio::pin!(done);
        done.as_mut().enable();
        let pacer = self.release(base, updates.len(), rate);
        let _ = tokio::time::timeout(limit, done).await;
        pacer.abort();
        let mut feed = self.shared.feed();
        let mut stats = std::mem::take(&mut feed.stats);
        if let (Some(a), Some(b)) = (feed.first_handout, feed.last_reply) {
            stats.span = b.saturating_duration_since(a);
        }
        stats
    }

    fn release(&self, base: usize, n: usize, rate: Option<f64>) -> tokio::task::JoinHandle<()> {
        let shared = self.shared.clone();
        tokio::spawn(async move {
            let Some(rate) = rate else {
                shared.feed().released = base + n;
                shared.news.notify_waiters();
                return;
            };
            let start = Instant::now();
            loop {
                let due = ((start.elapsed().as_secs_f64() * rate) as usize + 1).min(n);
                {
                    let mut feed = shared.feed();
                    if feed.released < base + due {
                        feed.released = base + due;
                        drop(feed);
                        shared.news.notify_waiters();
                    }
                }
                if due == n {
                    return;
                }
                let next = Duration::from_secs_f64(due as f64 / rate);
                tokio::time::sleep_until((start + next).into()).await;
            }
        })
    }
}

fn json(status: StatusCode, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

async fn handle(State(shared): State<Arc<Shared>>, uri: Uri, body: Bytes) -> Response {
    let method = uri
        .path()
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if method == "getupdates" {
        return get_updates(&shared, &body).await;
    }
    let response = answer(&shared, &method, &body);
    let delay = shared.answer_after_us.load(Ordering::Relaxed);
    if delay > 0 {
        tokio::time::sleep(Duration::from_micros(delay)).await;
    }
    response
}

/// The answer to any method but getUpdates, recorded as it arrives.
fn answer(shared: &Shared, method: &str, body: &Bytes) -> Response {
    // Telegram treats method names case-insensitively; teloxide sends PascalCase.
    match method {
        "sendmessage" => send_message(shared, body),
        "editmessagetext" => {
            shared
                .feed()
                .admin
                .push(String::from_utf8_lossy(body).into_owned());
            json(StatusCode::OK, SENT)
        }
        "answercallbackquery" => json(StatusCode::OK, TRUE),
        "getme" => json(StatusCode::OK, ME),
        "getwebhookinfo" => json(StatusCode::OK, WEBHOOK),
        "deletewebhook" | "setmycommands" | "setmydescription" | "setmyshortdescription" => {
            json(StatusCode::OK, TRUE)
        }
        _ => json(StatusCode::NOT_FOUND, NOT_FOUND),
    }
}

fn send_message(shared: &Shared, body: &[u8]) -> Response {
    let now = Instant::now();
    let chat = chat_id(body);
    let mut feed = shared.feed();
    match chat {
        Some(c) if c >= SUBSCRIBER_FIRST => {
            feed.broadcast.push((now, c));
            feed.reached.insert(c);
            return json(StatusCode::OK, SENT);
        }
        Some(ADMIN) => {
            feed.admin.push(String::from_utf8_lossy(body).into_owned());
            return json(StatusCode::OK, SENT);
        }
        _ => {}
    }
    let index = chat
        .and_then(|c| feed.awaiting.get_mut(&c))
        .and_then(|q| q.pop_front());
    match index.and_then(|i| feed.handed_out[i]) {
        Some(out) => {
            feed.stats
                .latencies
                .push(now.saturating_duration_since(out));
            feed.stats.answered += 1;
            feed.stats.sent_bytes += body.len();
            feed.last_reply = Some(now);
            if feed.stats.answered == feed.expected {
                shared.done.notify_waiters();
            }
        }
        None => feed.stats.unmatched += 1,
    }
    drop(feed);
    json(StatusCode::OK, SENT)
}

/// `"chat_id":123` read straight from the bytes: parsing every reply would make the
/// fake, not the bot, the slow part.
fn chat_id(body: &[u8]) -> Option<i64> {
    const KEY: &[u8] = b"\"chat_id\":";
    let at = body.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let rest = &body[at..];
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_digit() || *b == b'-'))
        .unwrap_or(rest.len());
    std::str::from_utf8(&rest[..end]).ok()?.parse().ok()
}

/// Long polling as Telegram does it: hand out what is released from `offset` on, or wait
/// up to `timeout` seconds for news.
async fn get_updates(shared: &Shared, body: &[u8]) -> Response {
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let offset = request["offset"].as_i64().unwrap_or(0);
    let limit = request["limit"].as_u64().unwrap_or(100).clamp(1, 100) as usize;
    let timeout = Duration::from_secs(request["timeout"].as_u64().unwrap_or(0).min(10));
    let deadline = Instant::now() + timeout;
    let asked = (offset - 1).max(0) as usize;
    loop {
        let news = shared.news.notified();
        tokio::pin!(news);
        news.as_mut().enable();
        {
            let mut feed = shared.feed();
            let now = Instant::now();
            feed.first_poll.get_or_insert(now);
            feed.confirmed = feed.confirmed.max(asked).min(feed.updates.len());
            let from = feed.confirmed;
            if from < feed.released {
                let to = (from + limit).min(feed.released);
                feed.first_handout.get_or_insert(now);
                feed.stats.polls += 1;
                feed.stats.handed += to - from;
                let mut out = Vec::with_capacity(64 + (to - from) * 320);
                out.extend_from_slice(br#"{"ok":true,"result":["#);
                for i in from..to {
                    if i > from {
                        out.push(b',');
                    }
                    out.extend_from_slice(&feed.updates[i]);
                    if feed.handed_out[i].is_none() {
                        feed.handed_out[i] = Some(now);
                        let chat = feed.chats[i];
                        if chat == UNTRACKED {
                            continue;
                        }
                        feed.awaiting.entry(chat).or_default().push_back(i);
                    }
                }
                out.extend_from_slice(b"]}");
                return json(StatusCode::OK, out);
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return json(StatusCode::OK, r#"{"ok":true,"result":[]}"#);
        }
        let _ = tokio::time::timeout(left, news).await;
    }
}
