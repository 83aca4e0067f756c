//! Telegram's limits for messages the bot sends unprompted, in one place: the overall
//! rate, one message per second to a chat, twenty per minute to a group, and a pause of
//! everything when Telegram answers 429 (the limit is the bot's, not one chat's). Time
//! is an argument, so the rules are tested without waiting.
//!
//! The rate is counted the way Telegram can see it. Telegram counts a message when it
//! arrives, some time between the moment the sender starts it and the moment the answer
//! comes back; a stalled thread or a slow network moves that moment within the span. So
//! a message holds its place in the rate window until it is answered: the message
//! `rate` places after it starts no sooner than one second after that answer. Then no
//! second, however it falls at Telegram's end, holds more than `rate` messages. (When
//! slots were counted from their start alone, 1,001 arrived in one second at 1,000/s;
//! BENCHMARKS.md, "broadcasts".)

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// One second between two messages to one chat.
const PER_CHAT_GAP: Duration = Duration::from_secs(1);
/// Twenty messages per minute to one group.
const GROUP_WINDOW: Duration = Duration::from_secs(60);
const GROUP_MAX: usize = 20;

/// What Telegram's "per second" means: the window the rate is counted over.
const RATE_WINDOW: Duration = Duration::from_secs(1);

/// The messages given one slot (a reply's parts, sent back to back), to be handed back
/// with `Pace::answered` once Telegram (or the network) answered the last of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    first: u64,
    messages: u64,
}

/// No slot yet: the oldest message in the rate window is still waiting for its answer,
/// and until it has one nobody knows when its second ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unanswered;

#[derive(Debug)]
pub struct Pace {
    /// Messages allowed in any window of `RATE_WINDOW`: the configured rate.
    per_window: usize,
    /// The least gap between two messages: half of 1 / rate, so that after a stall
    /// (a timer that woke late, a batch read from the store) the sender catches up at
    /// twice the rate until the window is full, instead of losing the time.
    min_gap: Duration,
    /// The last messages given out (at most `per_window`), oldest first: each one's
    /// slot, and its answer once it came.
    given: VecDeque<(Instant, Option<Instant>)>,
    /// The ticket of `given`'s front.
    first_ticket: u64,
    /// The latest answer among the messages that left `given`: the next message starts
    /// no sooner than a window after it.
    window_opens: Option<Instant>,
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
            first_ticket: 0,
            window_opens: None,
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

    /// The earliest moment a reply of `messages` messages to `chat` may go, at or after
    /// `now`, and takes that slot: never more than the rate in any window, whatever came
    /// before. Each message counts: a day's map with a text longer than a caption is two.
    /// `Unanswered` while a message that must leave the window first has no answer: the
    /// caller waits for one of its messages in flight and asks again.
    pub fn slot(
        &mut self,
        chat: i64,
        messages: usize,
        now: Instant,
    ) -> Result<(Instant, Ticket), Unanswered> {
        // More than the rate at once could never fit: such a reply fills a window.
        let messages = messages.clamp(1, self.per_window);
        while self.given.len() + messages > self.per_window {
            let Some(&(_, Some(answered))) = self.given.front() else {
                return Err(Unanswered);
            };
            self.window_opens = Some(self.window_opens.map_or(answered, |w| w.max(answered)));
            self.given.pop_front();
            self.first_ticket += 1;
        }
        let mut at = now;
        if let Some(p) = self.paused_until {
            at = at.max(p);
        }
        if let Some(&(last, _)) = self.given.back() {
            at = at.max(last + self.min_gap);
        }
        if let Some(opens) = self.window_opens {
            at = at.max(opens + RATE_WINDOW);
        }
        if let Some(sent) = self.recent.get(&chat) {
            if let Some(&latest) = sent.back() {
                at = at.max(latest + PER_CHAT_GAP);
            }
            if chat < 0 && sent.len() >= GROUP_MAX {
                at = at.max(sent[sent.len() - GROUP_MAX] + GROUP_WINDOW);
            }
        }
        let ticket = Ticket {
            first: self.first_ticket + self.given.len() as u64,
            messages: messages as u64,
        };
        self.given.extend(std::iter::repeat_n((at, None), messages));
        let sent = self.recent.entry(chat).or_default();
        sent.push_back(at);
        while sent.len() > GROUP_MAX {
            sent.pop_front();
        }
        self.expiry.push_back((at + remembered_for(chat), chat));
        self.forget_before(at);
        Ok((at, ticket))
    }

    /// The messages of `ticket` were answered (whatever the answer, or none) by `at`.
    pub fn answered(&mut self, ticket: Ticket, at: Instant) {
        for n in ticket.first..ticket.first + ticket.messages {
            // Tickets already out of the window were answered before they left it.
            let Some(index) = n.checked_sub(self.first_ticket) else {
                continue;
            };
            if let Some(entry) = usize::try_from(index)
                .ok()
                .and_then(|i| self.given.get_mut(i))
            {
                entry.1 = Some(entry.1.map_or(at, |a| a.max(at)));
            }
        }
    }

    /// Every message given out is over, answered or not (the sender has none in flight
    /// any more, say after a send task ended without handing its ticket back).
    pub fn all_answered(&mut self, at: Instant) {
        for entry in &mut self.given {
            entry.1.get_or_insert(at);
        }
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

    /// The most instants in any window of one second (sorted or not).
    fn busiest_second(times: &[Instant]) -> usize {
        let mut times = times.to_vec();
        times.sort();
        (0..times.len())
            .map(|i| {
                times[i..]
                    .iter()
                    .take_while(|t| t.duration_since(times[i]) < Duration::from_secs(1))
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// A slot for `chat`, answered the moment it starts.
    fn sent(pace: &mut Pace, chat: i64, now: Instant) -> Instant {
        let (at, ticket) = pace
            .slot(chat, 1, now)
            .expect("everything before was answered");
        pace.answered(ticket, at);
        at
    }

    #[test]
    fn the_rate_holds_in_every_second() {
        let start = Instant::now();
        let mut pace = Pace::new(25);
        let slots: Vec<Instant> = (0..1000).map(|chat| sent(&mut pace, chat, start)).collect();
        assert!(busiest_second(&slots) <= 25);
        // And hardly slower than the rate: a thousand messages in about forty windows.
        let per_second = 999.0 / slots[999].duration_since(start).as_secs_f64();
        assert!(per_second > 0.98 * 25.0, "{per_second}/s");
    }

    #[test]
    fn a_stall_is_caught_up_without_breaking_the_rate() {
        let start = Instant::now();
        let mut pace = Pace::new(100);
        let mut slots: Vec<Instant> = (0..50).map(|chat| sent(&mut pace, chat, start)).collect();
        // The sender woke 200 ms late: the next messages go at up to twice the rate.
        let late = slots[49] + Duration::from_millis(200);
        slots.extend((50..300).map(|chat| sent(&mut pace, chat, late)));
        assert!(busiest_second(&slots) <= 100);
        assert!(slots[299].duration_since(start) < Duration::from_millis(3100));
    }

    #[test]
    fn a_message_holds_its_place_in_the_window_until_it_is_answered() {
        let start = Instant::now();
        let mut pace = Pace::new(10);
        let (first, ticket) = pace.slot(1, 1, start).unwrap();
        for chat in 2..=10 {
            sent(&mut pace, chat, start);
        }
        // The eleventh waits for the first's answer: nobody knows yet when its second ends.
        assert_eq!(pace.slot(11, 1, start), Err(Unanswered));
        let answer = first + Duration::from_millis(300);
        pace.answered(ticket, answer);
        let (eleventh, _) = pace.slot(11, 1, start).unwrap();
        assert_eq!(eleventh, answer + RATE_WINDOW);
    }

    /// However long each message takes to arrive, between its start and its answer, no
    /// second at the receiving end holds more than the rate: the receiver's view. Some
    /// replies are two messages (a map, then a text too long for its caption).
    #[test]
    fn no_second_at_the_receiving_end_holds_more_than_the_rate() {
        let start = Instant::now();
        let rate = 50;
        let mut pace = Pace::new(rate);
        // Up to 4 messages in flight, each answered 1 to 120 ms after it starts (a
        // repeatable spread, some long like a stalled thread), and arriving at a point
        // of that span.
        let mut in_flight: VecDeque<(Ticket, Instant)> = VecDeque::new();
        let mut arrivals = Vec::new();
        let mut now = start;
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for chat in 0..2_000 {
            let messages = 1 + (next() % 4 == 0) as usize;
            let slot = loop {
                if in_flight.len() < 4
                    && let Ok(slot) = pace.slot(chat, messages, now)
                {
                    break slot;
                }
                let (ticket, answered) = in_flight.pop_front().unwrap();
                now = now.max(answered);
                pace.answered(ticket, answered);
            };
            let (at, ticket) = slot;
            now = now.max(at);
            let took = Duration::from_millis(1 + next() % 120);
            for _ in 0..messages {
                arrivals.push(at + took.mul_f64((next() % 1_000) as f64 / 1_000.0));
            }
            in_flight.push_back((ticket, at + took));
        }
        let busiest = busiest_second(&arrivals);
        assert!(busiest <= rate as usize, "{busiest} in one second");
    }

    #[test]
    fn every_message_of_a_reply_counts() {
        let start = Instant::now();
        let mut pace = Pace::new(10);
        let slots: Vec<Instant> = (0..20)
            .map(|chat| {
                let (at, ticket) = pace.slot(chat, 2, start).unwrap();
                pace.answered(ticket, at);
                at
            })
            .collect();
        // Twenty replies of two messages: five a second.
        assert!(busiest_second(&slots) <= 5, "{}", busiest_second(&slots));
        // A reply longer than the rate fills a window and still goes.
        assert!(pace.slot(99, 50, start).is_ok());
    }

    #[test]
    fn a_message_that_never_handed_its_ticket_back_ends_with_all_answered() {
        let start = Instant::now();
        let mut pace = Pace::new(2);
        pace.slot(1, 1, start).unwrap();
        pace.slot(2, 1, start).unwrap();
        assert_eq!(pace.slot(3, 1, start), Err(Unanswered));
        let over = start + Duration::from_millis(5);
        pace.all_answered(over);
        assert_eq!(pace.slot(3, 1, start).unwrap().0, over + RATE_WINDOW);
    }

    #[test]
    fn one_chat_gets_one_message_a_second_and_a_group_twenty_a_minute() {
        let start = Instant::now();
        let mut pace = Pace::new(1000);
        let a = sent(&mut pace, 7, start);
        let b = sent(&mut pace, 7, start);
        assert_eq!(b.duration_since(a), Duration::from_secs(1));
        let group: Vec<Instant> = (0..21).map(|_| sent(&mut pace, -100, start)).collect();
        assert!(group[20].duration_since(group[0]) >= Duration::from_secs(60));
    }

    #[test]
    fn memory_holds_the_last_second_of_private_chats_and_a_minute_of_groups() {
        let start = Instant::now();
        let mut pace = Pace::new(1000);
        let slots: Vec<Instant> = (0..10_000)
            .map(|chat| sent(&mut pace, chat, start))
            .collect();
        // Ten seconds at 1,000/s: only about the last second's chats are remembered,
        // and the last second's messages.
        assert!(pace.recent.len() <= 1_100, "{}", pace.recent.len());
        assert!(pace.given.len() <= 1_000);
        // A chat still remembered keeps its one-second gap.
        let last = slots[9_999];
        assert_eq!(sent(&mut pace, 9_999, last), last + PER_CHAT_GAP);
        // A group is remembered for its minute, however many chats come after.
        let group = sent(&mut pace, -5, last);
        for chat in 20_000..50_000 {
            sent(&mut pace, chat, last);
        }
        assert!(
            pace.recent.contains_key(&-5),
            "30 s later, the group is remembered"
        );
        assert!(sent(&mut pace, -5, last) >= group + PER_CHAT_GAP);
    }

    #[test]
    fn a_429_pauses_everything() {
        let start = Instant::now();
        let mut pace = Pace::new(1000);
        pace.pause_until(start + Duration::from_secs(5));
        assert!(sent(&mut pace, 1, start) >= start + Duration::from_secs(5));
        assert!(sent(&mut pace, 2, start) >= start + Duration::from_secs(5));
    }
}
