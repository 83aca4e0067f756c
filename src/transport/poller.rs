//! Long polling that confirms an update to Telegram only once it has been handled.
//!
//! teloxide's own polling confirms a batch (advances the offset) as soon as the batch is
//! handed to the dispatcher, so a crash loses every reply still in flight. Here the
//! offset never passes an update whose handler has not finished: killed at any moment,
//! the bot is sent again everything it had not answered (at least once).

use std::sync::Arc;
use std::time::Duration;

use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, Update, UpdateKind};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};
use tokio::sync::mpsc;

use crate::transport::ledger::Ledger;
use crate::transport::updates::UpdateStream;

/// Telegram hands out at most this many updates per getUpdates, starting at the offset.
const WINDOW: u32 = 100;
/// The next poll waits until it would hand out at most this many updates again (still
/// in flight, or done behind one that is not), so most of each batch is new.
const LOW_WATER: u32 = 25;
/// ...or at most this long: a slow reply at the front then costs some repeats, not a
/// stall.
const PACE_LIMIT: Duration = Duration::from_millis(50);
/// Longest pause when a poll brings only repeats: polling resumes as soon as the offset
/// moves, and never busy-loops on a slow reply.
const REPEAT_PAUSE: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

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
            let offset = self.ledger.offset();
            let request = self
                .bot
                .get_updates()
                .offset(offset)
                .timeout(timeout)
                .allowed_updates(self.allowed.clone());
            let result = tokio::select! {
                result = request.send() => result,
                _ = &mut stop => return,
            };
            match result {
                Ok(updates) => {
                    backoff = Duration::from_millis(250);
                    let total = updates.len();
                    let mut fresh = 0;
                    let asked = u32::try_from(offset).unwrap_or(0);
                    for update in updates {
                        if !self.ledger.admit_polled(update.id.0, asked) {
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
                    if total == 0 {
                        continue; // the long poll ended with nothing new
                    }
                    tokio::select! {
                        _ = self.pace(offset, fresh, total) => {}
                        _ = &mut stop => return,
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

impl PollTask {
    /// Waits before the next poll, so that it brings mostly new updates.
    async fn pace(&self, polled_at: i32, fresh: usize, total: usize) {
        let ledger = &self.ledger;
        let Some(highest) = ledger.highest() else {
            return;
        };
        let next = highest.saturating_add(1);
        if fresh > 0 {
            ledger
                .wait_for_offset(next.saturating_sub(LOW_WATER), PACE_LIMIT)
                .await;
            return;
        }
        // Only repeats: Telegram answers at once while any update is unconfirmed, so
        // wait for the offset to move rather than ask again straight away.
        let polled_at = u32::try_from(polled_at).unwrap_or(0);
        let moved = ledger
            .wait_for_offset(polled_at.saturating_add(1), REPEAT_PAUSE)
            .await;
        if !moved && total >= WINDOW as usize {
            // A full window of repeats: the updates at the front hold back every newer
            // one. They lose crash protection so that everyone else is answered.
            log::warn!("slow replies held back {WINDOW} newer updates; confirming past them");
            ledger.release_below(next.saturating_sub(LOW_WATER));
        }
    }
}

/// How long the last confirmation may take: a stop never waits on an unreachable
/// Telegram for the whole HTTP timeout (17 s by default, past Docker's 10 s before it
/// kills).
const CONFIRM_LIMIT: Duration = Duration::from_secs(3);

/// Tells Telegram that everything handled so far is done, so a clean restart does not
/// see it again. Best effort: a failure only means some replies repeat.
pub async fn confirm(bot: &Bot, ledger: &Ledger) {
    let request = bot
        .get_updates()
        .offset(ledger.offset())
        .limit(1)
        .timeout(0);
    match tokio::time::timeout(CONFIRM_LIMIT, request.send()).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => log::warn!("could not confirm handled updates on the way out: {e}"),
        Err(_) => log::warn!(
            "could not confirm handled updates on the way out: no answer in {} s",
            CONFIRM_LIMIT.as_secs()
        ),
    }
}
