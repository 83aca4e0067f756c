//! Long polling that confirms an update to Telegram only once it has been handled.
//!
//! teloxide's own polling confirms a batch (advances the offset) as soon as the batch is
//! handed to the dispatcher, so a crash loses every reply still in flight. Here the
//! offset never passes an update whose handler has not finished: killed at any moment,
//! the bot is sent again everything it had not answered (at least once).

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::Stream;
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, Update, UpdateKind};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};
use tokio::sync::{Notify, mpsc, oneshot};

/// An update in flight longer than this stops holding the offset back. Otherwise one
/// slow reply (a long 429 wait) would fill the 100-update window with repeats and stall
/// every other chat; past the grace only that reply loses crash protection.
pub const GRACE: Duration = Duration::from_secs(5);

/// Which updates are in flight, and so how far Telegram may forget.
#[derive(Debug, Default)]
pub struct Ledger {
    inner: Mutex<LedgerState>,
    /// Woken when an update finishes, so polling resumes as soon as the offset can move.
    finished: Notify,
}

#[derive(Debug, Default)]
struct LedgerState {
    /// Update id → when it was handed to the dispatcher.
    in_flight: BTreeMap<u32, Instant>,
    /// Webhook requests waiting for their update to be handled before answering 200.
    waiters: Vec<(u32, oneshot::Sender<()>)>,
    /// The highest id handed out; anything at or below it that comes again is a repeat.
    highest: Option<u32>,
}

impl Ledger {
    fn state(&self) -> std::sync::MutexGuard<'_, LedgerState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// True the first time an id is seen; it is then in flight until `done`.
    pub fn admit(&self, id: u32) -> bool {
        let mut s = self.state();
        if s.highest.is_some_and(|h| id <= h) {
            return false;
        }
        s.highest = Some(id);
        s.in_flight.insert(id, Instant::now());
        true
    }

    /// For webhooks, where Telegram may deliver out of order: true unless the same
    /// update is already being handled.
    pub fn admit_unordered(&self, id: u32) -> bool {
        let mut s = self.state();
        if s.in_flight.contains_key(&id) {
            return false;
        }
        s.highest = Some(s.highest.map_or(id, |h| h.max(id)));
        s.in_flight.insert(id, Instant::now());
        true
    }

    /// Resolves when `id` is done (at once if it is not in flight).
    pub fn when_done(&self, id: u32) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        let mut s = self.state();
        if s.in_flight.contains_key(&id) {
            s.waiters.push((id, tx));
        } else {
            let _ = tx.send(());
        }
        rx
    }

    pub fn done(&self, id: u32) {
        let mut s = self.state();
        s.in_flight.remove(&id);
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut s.waiters)
            .into_iter()
            .partition(|(w, _)| *w == id);
        s.waiters = waiting;
        drop(s);
        for (_, tx) in ready {
            let _ = tx.send(());
        }
        self.finished.notify_one();
    }

    /// The offset to confirm: the oldest update still in flight (within the grace), or
    /// past the newest.
    pub fn offset(&self) -> i32 {
        self.offset_at(Instant::now())
    }

    fn offset_at(&self, now: Instant) -> i32 {
        let s = self.state();
        let held = s
            .in_flight
            .iter()
            .find(|(_, since)| now.saturating_duration_since(**since) < GRACE)
            .map(|(id, _)| *id);
        let next = match (held, s.highest) {
            (Some(oldest), _) => oldest,
            (None, Some(h)) => h.saturating_add(1),
            (None, None) => 0,
        };
        i32::try_from(next).unwrap_or(i32::MAX)
    }

    /// Waits until some update finishes, or `limit` passes.
    async fn wait_for_progress(&self, limit: Duration) {
        let _ = tokio::time::timeout(limit, self.finished.notified()).await;
    }

    fn in_flight(&self) -> usize {
        self.state().in_flight.len()
    }

    /// Waits until at most `n` updates are in flight, or `limit` passes. Polling again
    /// sooner would mostly fetch (and parse) the updates still being handled.
    async fn wait_until_at_most(&self, n: usize, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while self.in_flight() > n {
            let notified = self.finished.notified();
            if self.in_flight() <= n {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return;
            }
        }
    }

    /// Marks its update done when dropped: at the end of the handler, or if it panics.
    pub fn guard(self: &Arc<Self>, id: u32) -> DoneGuard {
        DoneGuard {
            ledger: Arc::clone(self),
            id,
        }
    }
}

pub struct DoneGuard {
    ledger: Arc<Ledger>,
    id: u32,
}

impl Drop for DoneGuard {
    fn drop(&mut self) {
        self.ledger.done(self.id);
    }
}

/// Longest pause when a poll brings only repeats (updates still being handled): polling
/// resumes as soon as one finishes, and never busy-loops on a slow one.
const REPEAT_PAUSE: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Updates in flight below which polling fetches more; a quarter of Telegram's batch.
const LOW_WATER: usize = 25;

pub struct LedgerPolling {
    bot: Bot,
    ledger: Arc<Ledger>,
    timeout: Duration,
    allowed: Vec<AllowedUpdate>,
    token: StopToken,
    flag: Option<StopFlag>,
}

impl LedgerPolling {
    pub fn new(bot: Bot, ledger: Arc<Ledger>, timeout: Duration) -> LedgerPolling {
        let (token, flag) = mk_stop_token();
        LedgerPolling {
            bot,
            ledger,
            timeout,
            allowed: Vec::new(),
            token,
            flag: Some(flag),
        }
    }
}

impl UpdateListener for LedgerPolling {
    type Err = RequestError;

    fn stop_token(&mut self) -> StopToken {
        self.token.clone()
    }

    fn hint_allowed_updates(&mut self, hint: &mut dyn Iterator<Item = AllowedUpdate>) {
        self.allowed = hint.collect();
    }
}

/// Updates arriving from a task (polling) or from HTTP requests (webhook); ends when
/// every sender is gone or, if given, when the stop flag is raised.
pub struct UpdateStream<E> {
    rx: mpsc::Receiver<Result<Update, E>>,
    stop: Option<StopFlag>,
}

impl<E> UpdateStream<E> {
    pub fn new(rx: mpsc::Receiver<Result<Update, E>>, stop: Option<StopFlag>) -> Self {
        UpdateStream { rx, stop }
    }
}

impl<E> Stream for UpdateStream<E> {
    type Item = Result<Update, E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(stop) = self.stop.as_mut()
            && Pin::new(stop).poll(cx).is_ready()
        {
            return Poll::Ready(None);
        }
        self.rx.poll_recv(cx)
    }
}

impl<'a> AsUpdateStream<'a> for LedgerPolling {
    type StreamErr = RequestError;
    type Stream = UpdateStream<RequestError>;

    fn as_stream(&'a mut self) -> UpdateStream<RequestError> {
        // Bounded: when handlers fall behind, polling waits instead of piling up updates.
        let (tx, rx) = mpsc::channel(256);
        match self.flag.take() {
            Some(flag) => {
                let task = PollTask {
                    bot: self.bot.clone(),
                    ledger: Arc::clone(&self.ledger),
                    timeout: self.timeout,
                    allowed: self.allowed.clone(),
                };
                tokio::spawn(task.run(tx, flag));
            }
            None => log::error!("polling was started twice; the second stream stays empty"),
        }
        UpdateStream::new(rx, None)
    }
}

struct PollTask {
    bot: Bot,
    ledger: Arc<Ledger>,
    timeout: Duration,
    allowed: Vec<AllowedUpdate>,
}

impl PollTask {
    async fn run(self, tx: mpsc::Sender<Result<Update, RequestError>>, mut stop: StopFlag) {
        let mut backoff = Duration::from_millis(250);
        let timeout = u32::try_from(self.timeout.as_secs()).unwrap_or(10);
        loop {
            let request = self
                .bot
                .get_updates()
                .offset(self.ledger.offset())
                .timeout(timeout)
                .allowed_updates(self.allowed.clone());
            let result = tokio::select! {
                result = request.send() => result,
                _ = &mut stop => return,
            };
            match result {
                Ok(updates) => {
                    backoff = Duration::from_millis(250);
                    let mut fresh = 0;
                    let total = updates.len();
                    for update in updates {
                        if !self.ledger.admit(update.id.0) {
                            continue;
                        }
                        fresh += 1;
                        if let UpdateKind::Error(_) = update.kind {
                            // Not something we can answer; its raw JSON may hold a person's
                            // text, so it is neither forwarded nor logged.
                            log::warn!("skipped an update Telegram sent in a shape we cannot read");
                            self.ledger.done(update.id.0);
                            continue;
                        }
                        if tx.send(Ok(update)).await.is_err() {
                            return;
                        }
                    }
                    if fresh == 0 && total > 0 {
                        tokio::select! {
                            _ = self.ledger.wait_for_progress(REPEAT_PAUSE) => {}
                            _ = &mut stop => return,
                        }
                    } else if fresh > 0 {
                        // Let the backlog drain before the next poll repeats it.
                        tokio::select! {
                            _ = self.ledger.wait_until_at_most(LOW_WATER, REPEAT_PAUSE) => {}
                            _ = &mut stop => return,
                        }
                    }
                }
                Err(e) => {
                    if tx.send(Err(e)).await.is_err() {
                        return;
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = &mut stop => return,
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }
}

/// Tells Telegram that everything handled so far is done, so a clean restart does not
/// see it again. Best effort: a failure only means some replies repeat.
pub async fn confirm(bot: &Bot, ledger: &Ledger) {
    let request = bot
        .get_updates()
        .offset(ledger.offset())
        .limit(1)
        .timeout(0);
    if let Err(e) = request.send().await {
        log::warn!("could not confirm handled updates on the way out: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_never_passes_an_update_in_flight() {
        let ledger = Arc::new(Ledger::default());
        assert_eq!(ledger.offset(), 0);
        assert!(ledger.admit(10));
        assert!(ledger.admit(11));
        assert!(ledger.admit(12));
        assert!(!ledger.admit(11), "a repeat is not admitted twice");
        assert_eq!(ledger.offset(), 10);
        ledger.done(11);
        assert_eq!(ledger.offset(), 10, "11 is done but 10 is not");
        drop(ledger.guard(10));
        assert_eq!(ledger.offset(), 12);
        ledger.done(12);
        assert_eq!(ledger.offset(), 13);
    }

    #[tokio::test]
    async fn a_webhook_waits_for_its_update() {
        let ledger = Ledger::default();
        assert!(ledger.admit_unordered(7));
        assert!(
            ledger.admit_unordered(5),
            "out of order is fine for webhooks"
        );
        assert!(
            !ledger.admit_unordered(7),
            "but not the same update twice at once"
        );
        let waiting = ledger.when_done(7);
        ledger.done(5);
        ledger.done(7);
        assert!(waiting.await.is_ok());
        assert!(
            ledger.when_done(99).await.is_ok(),
            "nothing in flight: no wait"
        );
    }

    #[test]
    fn a_slow_update_stops_holding_the_offset_after_the_grace() {
        let ledger = Ledger::default();
        assert!(ledger.admit(1));
        assert!(ledger.admit(2));
        let later = Instant::now() + GRACE + Duration::from_millis(1);
        assert_eq!(ledger.offset(), 1);
        assert_eq!(ledger.offset_at(later), 3);
    }
}
