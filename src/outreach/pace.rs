//! Telegram's limits for messages the bot sends unprompted, in one place: the overall
//! rate, one message per second to a chat, twenty per minute to a group, and a pause of
//! everything when Telegram answers 429 (the limit is the bot's, not one chat's). Time
//! is an argument, so the rules are tested without waiting.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// One second between two messages to one chat.
const PER_CHAT_GAP: Duration = Duration::from_secs(1);
/// Twenty messages per minute to one group.
const GROUP_WINDOW: Duration = Duration::from_secs(60);
const GROUP_MAX: usize = 20;

/// The window the rate is counted over: what Telegram's "per second" means, with a
/// little room for the jitter between the moment a message is given its slot and the
/// moment Telegram counts it. 10 ms of room let 1,002 messages into one second at the
/// receiving end at 1,000/s (BENCHMARKS.md, "broadcasts"); 15 ms still allows 98.5 %
/// of the rate.
const RATE_WINDOW: Duration = Duration::from_millis(1015);

#[derive(Debug)]
pub struct Pace {
    /// Messages allowed in any window of `RATE_WINDOW`: the configured rate.
    per_window: usize,
    /// The least gap between two messages: half of 1 / rate, so that after a stall
    /// (a timer that woke late, a batch read from the store) the sender catches up at
    /// twice the rate until the window is full, instead of losing the time.
    min_gap: Duration,
    /// The last `per_window` messages given out, oldest first.
    given: VecDeque<Instant>,
    paused_until: Option<Instant>,
    /// Recent sends per chat (a group keeps up to 20): enough to apply both chat rules.
    recent: HashMap<i64, VecDeque<Instant>>,
    /// When each send stops mattering to its chat's rules, in the order given: chats
    /// are forgotten from the front, a few at a time. (Sweeping the whole map instead
    /// cost a pass over a minute's chats for every message: 40 % of the sender's CPU
    /// at 1,000/s.)
    expiry: VecDeque<(Instant, i64)>,
}

impl Pace {
    pub fn new(per_second: u32) -> Pace {
        let per_second = per_second.max(1);
        Pace {
            per_window: per_second as usize,
            min_gap: Duration::from_secs(1) / per_second / 2,
            given: VecDeque::new(),
            paused_until: None,
            recent: HashMap::new(),
            expiry: VecDeque::new(),
        }
    }

    /// Telegram said to wait: nothing is sent before `until`.
    pub fn pause_until(&mut self, until: Instant) {
        self.paused_until = Some(self.paused_until.map_or(until, |p| p.max(until)));
    }

    /// Until when Telegram said to wait, if it did.
    pub fn paused_until(&self) -> Option<Instant> {
        self.paused_until
    }

    /// The earliest moment a message to `chat` may go, at or after `now`, and takes
    /// that slot: never more than the rate in any window, whatever came before.
    pub fn slot(&mut self, chat: i64, now: Instant) -> Instant {
        let mut at = now;
        if let Some(p) = self.paused_until {
            at = at.max(p);
        }
        if let Some(&last) = self.given.back() {
            at = at.max(last + self.min_gap);
        }
        if self.given.len() >= self.per_window
            && let Some(&oldest) = self.given.front()
        {
            at = at.max(oldest + RATE_WINDOW);
        }
        if let Some(sent) = self.recent.get(&chat) {
            if let Some(&latest) = sent.back() {
                at = at.max(latest + PER_CHAT_GAP);
            }
            if chat < 0 && sent.len() >= GROUP_MAX {
                at = at.max(sent[sent.len() - GROUP_MAX] + GROUP_WINDOW);
            }
        }
        self.given.push_back(at);
        while self.given.len() > self.per_window {
            self.given.pop_front();
        }
        let sent = self.recent.entry(chat).or_default();
        sent.push_back(at);
        while sent.len() > GROUP_MAX {
            sent.pop_front();
        }
        self.expiry.push_back((at + remembered_for(chat), chat));
        self.forget_before(at);
        at
    }

    /// Drops chats no rule looks back at any more: a private chat a second after its
    /// last message, a group or channel a minute after. Memory stays bounded by the
    /// messages of the last minute, and the private chats of the last second.
    fn forget_before(&mut self, now: Instant) {
        while let Some(&(until, chat)) = self.expiry.front() {
            if until > now {
                break;
            }
            self.expiry.pop_front();
            // A later message to the chat has its own, later entry.
            let latest = self.recent.get(&chat).and_then(|sent| sent.back().copied());
            if latest.is_some_and(|t| t + remembered_for(chat) <= now) {
                self.recent.remove(&chat);
            }
        }
    }
}

/// How long a message matters to its chat's rules: the one-second gap for a private
/// chat; the twenty-a-minute window for a group or channel (negative ids).
fn remembered_for(chat: i64) -> Duration {
    if chat < 0 { GROUP_WINDOW } else { PER_CHAT_GAP }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The most slots in any window of one second.
    fn busiest_second(slots: &[Instant]) -> usize {
        (0..slots.len())
            .map(|i| {
                slots[i..]
                    .iter()
                    .take_while(|t| t.duration_since(slots[i]) < Duration::from_secs(1))
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn the_rate_holds_in_every_second() {
        let start = Instant::now();
        let mut pace = Pace::new(25);
        let slots: Vec<Instant> = (0..1000).map(|chat| pace.slot(chat, start)).collect();
        assert!(busiest_second(&slots) <= 25);
        // And hardly slower than the rate: a thousand messages in about forty windows.
        let per_second = 999.0 / slots[999].duration_since(start).as_secs_f64();
        assert!(per_second > 0.98 * 25.0, "{per_second}/s");
    }

    #[test]
    fn a_stall_is_caught_up_without_breaking_the_rate() {
        let start = Instant::now();
        let mut pace = Pace::new(100);
        let mut slots: Vec<Instant> = (0..50).map(|chat| pace.slot(chat, start)).collect();
        // The sender woke 200 ms late: the next messages go at up to twice the rate.
        let late = slots[49] + Duration::from_millis(200);
        slots.extend((50..300).map(|chat| pace.slot(chat, late)));
        assert!(busiest_second(&slots) <= 100);
        assert!(slots[299].duration_since(start) < Duration::from_millis(3100));
    }

    #[test]
    fn one_chat_gets_one_message_a_second_and_a_group_twenty_a_minute() {
        let start = Instant::now();
        let mut pace = Pace::new(1000);
        let a = pace.slot(7, start);
        let b = pace.slot(7, start);
        assert_eq!(b.duration_since(a), Duration::from_secs(1));
        let group: Vec<Instant> = (0..21).map(|_| pace.slot(-100, start)).collect();
        assert!(group[20].duration_since(group[0]) >= Duration::from_secs(60));
    }

    #[test]
    fn memory_holds_the_last_second_of_private_chats_and_a_minute_of_groups() {
        let start = Instant::now();
        let mut pace = Pace::new(1000);
        let slots: Vec<Instant> = (0..10_000).map(|chat| pace.slot(chat, start)).collect();
        // Ten seconds at 1,000/s: only about the last second's chats are remembered.
        assert!(pace.recent.len() <= 1_100, "{}", pace.recent.len());
        // A chat still remembered keeps its one-second gap.
        let last = slots[9_999];
        assert_eq!(pace.slot(9_999, last), last + PER_CHAT_GAP);
        // A group is remembered for its minute, however many chats come after.
        let group = pace.slot(-5, last);
        for chat in 20_000..50_000 {
            pace.slot(chat, last);
        }
        assert!(
            pace.recent.contains_key(&-5),
            "30 s later, the group is remembered"
        );
        assert!(pace.slot(-5, last) >= group + PER_CHAT_GAP);
    }

    #[test]
    fn a_429_pauses_everything() {
        let start = Instant::now();
        let mut pace = Pace::new(1000);
        pace.pause_until(start + Duration::from_secs(5));
        assert!(pace.slot(1, start) >= start + Duration::from_secs(5));
        assert!(pace.slot(2, start) >= start + Duration::from_secs(5));
    }
}
