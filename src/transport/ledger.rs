//! Which updates are in flight, and so how far Telegram may be told to forget.
//!
//! Polling confirms an update to Telegram (advances the offset) only once its handler has
//! finished, so that a crash loses no reply; webhooks answer 200 only then. This is the
//! bookkeeping both share. It is touched twice per update, so it wakes the poller only
//! when the poller is waiting for exactly what just happened.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use teloxide::dispatching::{DpHandlerDescription, UpdateHandler};
use teloxide::dptree::di::DependencyMap;
use teloxide::dptree::{self, HandlerDescription, HandlerSignature, Type};
use teloxide::types::Update;
use tokio::sync::{Notify, oneshot};

use crate::handle::HandlerError;

/// An update in flight longer than this stops holding the offset back. Otherwise one
/// slow reply (a long 429 wait) would hold every later update's confirmation hostage;
/// past the grace only that reply loses crash protection.
pub const GRACE: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
pub struct Ledger {
    inner: Mutex<State>,
    /// Woken when the offset reaches what the poller waits for.
    progress: Notify,
}

#[derive(Debug, Default)]
struct State {
    /// Update id → when it was handed to the dispatcher.
    in_flight: BTreeMap<u32, Instant>,
    /// Webhook requests waiting for their update to be handled before answering 200.
    waiters: Vec<(u32, oneshot::Sender<()>)>,
    /// The highest id handed out; anything at or below it that comes again is a repeat.
    highest: Option<u32>,
    /// Updates below this no longer hold the offset: they held back a full window.
    released_below: u32,
    /// The poller sleeps until the offset reaches this.
    wake_at: Option<u32>,
}

impl State {
    /// The oldest update still holding the offset, or just past the newest.
    fn offset(&self, now: Instant) -> u32 {
        let held = self
            .in_flight
            .range(self.released_below..)
            .find(|(_, since)| now.saturating_duration_since(**since) < GRACE)
            .map(|(id, _)| *id);
        match (held, self.highest) {
            (Some(oldest), _) => oldest,
            (None, Some(h)) => h.saturating_add(1),
            (None, None) => 0,
        }
    }
}

impl Ledger {
    fn state(&self) -> MutexGuard<'_, State> {
        // Every statement leaves the state consistent; a panic elsewhere cannot break it.
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

    /// `admit` for an update a poll from offset `asked` brought. Telegram hands out ids
    /// from the offset on, so one below it is no repeat: after a week without updates
    /// Telegram may number the next one at random, and below what it numbered before.
    /// That id starts a new numbering here; as a repeat it would be skipped, and with it
    /// every update after it, until the new ids passed the old highest.
    pub fn admit_polled(&self, id: u32, asked: u32) -> bool {
        {
            let mut s = self.state();
            if id < asked && s.highest.is_some_and(|h| id <= h) {
                log::warn!(
                    "Telegram numbers updates anew from {id} (the poll asked from {asked}); following it"
                );
                s.highest = None;
                s.released_below = 0;
                s.wake_at = None;
            }
        }
        self.admit(id)
    }

    /// True if `id` was handed out already (it is in flight or done): polling skips it
    /// without even parsing it.
    pub fn seen(&self, id: u32) -> bool {
        self.state().highest.is_some_and(|h| id <= h)
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
        let mut ready = Vec::new();
        if !s.waiters.is_empty() {
            let (now_ready, waiting) = std::mem::take(&mut s.waiters)
                .into_iter()
                .partition(|(w, _)| *w == id);
            s.waiters = waiting;
            ready = now_ready;
        }
        let wake = s
            .wake_at
            .is_some_and(|target| s.offset(Instant::now()) >= target);
        if wake {
            s.wake_at = None;
        }
        drop(s);
        for (_, tx) in ready {
            let _ = tx.send(());
        }
        if wake {
            self.progress.notify_waiters();
        }
    }

    /// The offset to confirm: the oldest update still holding it, or past the newest.
    pub fn offset(&self) -> i32 {
        let next = self.state().offset(Instant::now());
        i32::try_from(next).unwrap_or(i32::MAX)
    }

    /// How many updates a poll from the current offset would hand out again.
    pub fn repeats(&self) -> u32 {
        let s = self.state();
        let offset = s.offset(Instant::now());
        s.highest
            .map_or(0, |h| h.saturating_add(1).saturating_sub(offset))
    }

    /// The highest id handed out so far.
    pub fn highest(&self) -> Option<u32> {
        self.state().highest
    }

    /// Waits until the offset reaches `target` or `limit` passes; true if it did.
    pub async fn wait_for_offset(&self, target: u32, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.progress.notified();
            tokio::pin!(notified);
            // Registered before the check, so a `done` in between is not missed.
            notified.as_mut().enable();
            {
                let mut s = self.state();
                if s.offset(Instant::now()) >= target {
                    s.wake_at = None;
                    return true;
                }
                s.wake_at = Some(target);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let mut s = self.state();
                s.wake_at = None;
                return s.offset(Instant::now()) >= target;
            }
        }
    }

    /// Updates below `id` stop holding the offset (they stay in flight otherwise).
    pub fn release_below(&self, id: u32) {
        let mut s = self.state();
        s.released_below = s.released_below.max(id);
    }

    /// Marks its update done when dropped: at the end of the handler, or if it panics.
    pub fn guard(self: &Arc<Self>, id: u32) -> DoneGuard {
        DoneGuard {
            ledger: Arc::clone(self),
            id,
        }
    }

    #[cfg(test)]
    fn offset_at(&self, now: Instant) -> u32 {
        self.state().offset(now)
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

/// Holds a guard while the rest of the tree (`handle::schema`) handles the update;
/// dropping it (when the handler ends, or unwinds) tells the poller the update may be
/// confirmed to Telegram. The dispatcher carries the ledger as a dependency of its own.
///
/// Written against the dependency map rather than as a `.map(|update: Update, ..|)`:
/// dptree hands such a closure a deep clone of the whole update, a share of each
/// update's cost worth saving (BENCHMARKS.md, "No deep copy of each update"); only its
/// id is needed.
pub fn confirm_when_handled() -> UpdateHandler<HandlerError> {
    let here = Location::caller();
    let signature = HandlerSignature::Other {
        obligations: BTreeMap::from([
            (Type::of::<Update>(), here),
            (Type::of::<Arc<Ledger>>(), here),
        ]),
        guaranteed_outcomes: BTreeSet::new(),
        conditional_outcomes: BTreeSet::new(),
        continues: true,
    };
    dptree::from_fn_with_description(
        DpHandlerDescription::entry(),
        |deps: DependencyMap, cont| async move {
            let id = deps.get::<Update>().id.0;
            let _guard = deps.get::<Arc<Ledger>>().guard(id);
            cont(deps).await
        },
        signature,
    )
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
        assert!(ledger.seen(11) && !ledger.seen(13));
        assert_eq!(ledger.offset(), 10);
        assert_eq!(ledger.repeats(), 3);
        ledger.done(11);
        assert_eq!(ledger.offset(), 10, "11 is done but 10 is not");
        drop(ledger.guard(10));
        assert_eq!(ledger.offset(), 12);
        assert_eq!(ledger.repeats(), 1);
        ledger.done(12);
        assert_eq!(ledger.offset(), 13);
        assert_eq!(ledger.repeats(), 0);
    }

    #[test]
    fn an_id_below_the_polled_offset_starts_a_new_numbering() {
        let ledger = Ledger::default();
        for id in 900_000..900_003 {
            assert!(ledger.admit_polled(id, 0));
        }
        ledger.done(900_000);
        assert_eq!(ledger.offset(), 900_001);
        // A repeat from the offset asked is still a repeat.
        assert!(!ledger.admit_polled(900_001, 900_001));
        for id in 900_001..900_003 {
            ledger.done(id);
        }
        assert_eq!(ledger.offset(), 900_003);
        // A week without updates: Telegram's next id is random, far below.
        assert!(ledger.admit_polled(1_234, 900_003));
        assert_eq!(ledger.offset(), 1_234, "the new update holds the offset");
        assert!(ledger.admit_polled(1_235, 900_003), "the rest of that poll");
        assert!(
            !ledger.admit_polled(1_234, 1_234),
            "and repeats of it are repeats"
        );
        ledger.done(1_234);
        ledger.done(1_235);
        assert_eq!(
            ledger.offset(),
            1_236,
            "polling goes on from the new numbering"
        );
    }

    #[test]
    fn released_updates_of_an_old_numbering_do_not_hide_the_new_one() {
        let ledger = Ledger::default();
        for id in 500..600 {
            assert!(ledger.admit_polled(id, 0));
        }
        ledger.release_below(590);
        for id in 500..600 {
            ledger.done(id);
        }
        assert!(ledger.admit_polled(7, 600));
        assert_eq!(ledger.offset(), 7);
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

    #[test]
    fn released_updates_stop_holding_the_offset_but_stay_in_flight() {
        let ledger = Ledger::default();
        for id in 1..=5 {
            assert!(ledger.admit(id));
        }
        ledger.done(2);
        ledger.done(4);
        ledger.release_below(3);
        assert_eq!(ledger.offset(), 3, "1 no longer holds it; 3 still does");
        let waiting = ledger.when_done(1);
        ledger.done(1);
        assert!(waiting.blocking_recv().is_ok(), "1 was still in flight");
    }

    #[tokio::test]
    async fn the_poller_is_woken_once_the_offset_reaches_its_target() {
        let ledger = Arc::new(Ledger::default());
        for id in 1..=4 {
            assert!(ledger.admit(id));
        }
        let finisher = {
            let ledger = Arc::clone(&ledger);
            tokio::spawn(async move {
                for id in [2, 1, 3] {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    ledger.done(id);
                }
            })
        };
        assert!(ledger.wait_for_offset(4, Duration::from_secs(5)).await);
        assert_eq!(ledger.offset(), 4);
        let _ = finisher.await;
        assert!(
            !ledger.wait_for_offset(5, Duration::from_millis(10)).await,
            "4 never finishes: the wait ends at its limit"
        );
    }
}
