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

#[derive(Debug)]
pub struct Pace {
    /// The gap between any two messages: 1 / the configured rate.
    gap: Duration,
    last: Option<Instant>,
    paused_until: Option<Instant>,
    /// Recent sends per chat (a group keeps up to 20): enough to apply both chat rules.
    recent: HashMap<i64, VecDeque<Instant>>,
}

impl Pace {
    pub fn new(per_second: u32) -> Pace {
        Pace {
            gap: Duration::from_secs(1) / per_second.max(1),
            last: None,
            paused_until: None,
            recent: HashMap::new(),
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
    /// that slot. Slots follow the last message actually given out, so a stall never
    /// turns into a burst above the rate.
    pub fn slot(&mut self, chat: i64, now: Instant) -> Instant {
        let mut at = now;
        if let Some(p) = self.paused_until {
            at = at.max(p);
        }
        if let Some(last) = self.last {
            at = at.max(last + self.gap);
        }
        if let Some(sent) = self.recent.get(&chat) {
            if let Some(&latest) = sent.back() {
                at = at.max(latest + PER_CHAT_GAP);
            }
            if chat < 0 && sent.len() >= GROUP_MAX {
                at = at.max(sent[sent.len() - GROUP_MAX] + GROUP_WINDOW);
            }
        }
        self.last = Some(at);
        let sent = self.recent.entry(chat).or_default();
        sent.push_back(at);
        while sent.len() > GROUP_MAX {
            sent.pop_front();
        }
        self.forget_before(at);
        at
    }

    /// Drops chats whose last message is over a minute old: no rule looks further back,
    /// and memory stays bounded by the messages of one minute.
    fn forget_before(&mut self, now: Instant) {
        if self.recent.len() > 4096 {
            self.recent.retain(|_, sent| {
                sent.back()
                    .is_some_and(|&t| now.saturating_duration_since(t) < GROUP_WINDOW)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_holds_in_every_second() {
        let start = Instant::now();
        let mut pace = Pace::new(25);
        let slots: Vec<Instant> = (0..100).map(|chat| pace.slot(chat, start)).collect();
        for (i, s) in slots.iter().enumerate() {
            let in_window = slots[i..]
                .iter()
                .take_while(|t| t.duration_since(*s) < Duration::from_secs(1))
                .count();
            assert!(in_window <= 25, "{in_window} in one second");
        }
        assert_eq!(
            slots[99].duration_since(start),
            Duration::from_millis(40) * 99
        );
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
    fn a_429_pauses_everything() {
        let start = Instant::now();
        let mut pace = Pace::new(1000);
        pace.pause_until(start + Duration::from_secs(5));
        assert!(pace.slot(1, start) >= start + Duration::from_secs(5));
        assert!(pace.slot(2, start) >= start + Duration::from_secs(5));
    }
}
