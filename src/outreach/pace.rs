//! Telegram's limits for messages the bot sends unprompted, in one place: the overall
//! rate, one message per second to a chat, twenty per minute to a group, and a pause of
//! everything when Telegram answers 429 (the limit is the bot's, not one chat's). Time
//! is an argument, so the rules are tested without waiting.
//!
//! The rate is counted the way Telegram can see it. Telegram counts a message when it
//! arrives, a trip through the network after its request began. Trips differ, so a
//! message is taken to arrive by `MARGIN` after its request began (as the sender reports
//! it: a busy thread can start a request well after its slot), and the message `rate`
//! places after it starts no sooner than one second after that. Then no second at
//! Telegram's end holds more than `rate` messages, as long as two messages' trips differ
//! by less than `MARGIN`. A reply of several messages (a map, then a text too long for
//! its caption) sends each once the one before was answered, so its messages count
//! until the reply is answered. Messages start on an even schedule, one every
//! (1 s + `MARGIN` + `SLACK`) / rate, with many in flight at once
//! (QANTAR_BROADCAST_IN_FLIGHT), so however long Telegram takes to answer, the rate
//! reaches 1 / 1.022 of the configured one.
//!
//! (Until issue 22 each message kept its place until Telegram answered it, which cost
//! one answer time in every second: rate / (1 + answer time), 0.91 of the rate with
//! answers of 100 ms. Its least gap of half a message let the window's messages go at
//! twice the rate, and each second repeated the burst of the first. BENCHMARKS.md,
//! "the pace".)

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// One second between two messages to one chat.
const PER_CHAT_GAP: Duration = Duration::from_secs(1);
/// Twenty messages per minute to one group.
const GROUP_WINDOW: Duration = Duration::from_secs(60);
const GROUP_MAX: usize = 20;

/// What Telegram's "per second" means: the window the rate is counted over.
const RATE_WINDOW: Duration = Duration::from_secs(1);
/// How much longer one message's trip to Telegram may take than another's: the client
/// writing it out, the network, a busy core between the two. A message counts in the
/// window from its start until this much later.
const MARGIN: Duration = Duration::from_millis(20);
/// The even schedule runs a little slower than the window allows (2 ms a second), so a
/// start that came a little late (a timer wakes up to a millisecond after its time) is
/// absorbed by the schedule instead of being carried by the window into every later
/// second.
const SLACK: Duration = Duration::from_millis(2);
/// How much lateness against the schedule is made up for, at up to twice the rate: a
/// sender behind for a moment (a store write, a busy core) catches up; of a longer
/// delay, the rest is lost rather than sent as a burst.
const CATCH_UP: Duration = Duration::from_millis(20);

/// The messages given one slot (a reply's parts, sent back to back), handed back once
/// Telegram (or the network) answered the last of them: when their request began
/// (`Pace::started`), then the answer (`Pace::answered`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    first: u64,
    messages: u64,
}

/// No slot yet: a message that must leave the rate window first has not been handed
/// back (its answer is over a second late, or its request was held up as long), so
/// nobody knows yet when it arrived. The caller waits for one of its messages in
/// flight and asks again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unanswered;

#[derive(Debug)]
pub struct Pace {
    /// Messages allowed in any window of `RATE_WINDOW`: the configured rate.
    per_window: usize,
    /// The even schedule's step: (1 s + `MARGIN` + `SLACK`) / rate.
    step: Duration,
    /// The last messages given out (at most `per_window`), oldest first: the latest
    /// each can arrive.
    given: VecDeque<Arrival>,
    /// The ticket of `given`'s front.
    first_ticket: u64,
    /// The latest arrival among the messages that left `given`: the next message starts
    /// no sooner than a window after it.
    window_opens: Option<Instant>,
    /// The next place on the even schedule.
    next: Option<Instant>,
    /// While catching up, nothing goes sooner than this: half a step after the last
    /// slot (per message of its reply).
    not_before: Option<Instant>,
    paused_until: Option<Instant>,
    /// Recent sends per chat (a group keeps up to 20): enough to apply both chat rules.
    recent: HashMap<i64, VecDeque<Instant>>,
    /// When each send stops mattering to its chat's rules, in the order given: chats
    /// are forgotten from the front, a few at a time. (Sweeping the whole map instead
    /// cost a pass over a minute's chats for every message: 40 % of the sender's CPU
    /// at 1,000/s.)
    expiry: VecDeque<(Instant, i64)>,
}

/// The latest a message can arrive at Telegram, `None` until that is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arrival {
    /// A reply of one message, given its slot at `slot`: `MARGIN` after it started, once
    /// the sender says when that was (a busy thread may start it well after its slot).
    Alone { slot: Instant, by: Option<Instant> },
    /// A message of a longer reply, whose later messages go once the one before was
    /// answered: when the reply is answered.
    InReply(Option<Instant>),
}

impl Arrival {
    fn by(self) -> Option<Instant> {
        match self {
            Arrival::Alone { by, .. } | Arrival::InReply(by) => by,
        }
    }
}

impl Pace {
    pub fn new(per_second: u32) -> Pace {
        let per_second = per_second.max(1);
        Pace {
            per_window: per_second as usize,
            step: (RATE_WINDOW + MARGIN + SLACK) / per_second,
            given: VecDeque::new(),
            first_ticket: 0,
            window_opens: None,
            next: None,
            not_before: None,
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
    /// `now`, and takes that slot: the next place on the even schedule, and never more
    /// than the rate in any second at Telegram's end, whatever came before. Each message
    /// counts: a day's map with a text longer than a caption is two. `Unanswered` while
    /// a message that must leave the window first has not been handed back.
    pub fn slot(
        &mut self,
        chat: i64,
        messages: usize,
        now: Instant,
    ) -> Result<(Instant, Ticket), Unanswered> {
        let alone = messages <= 1;
        // More than the rate at once could never fit: such a reply fills a window.
        let messages = messages.clamp(1, self.per_window);
        while self.given.len() + messages > self.per_window {
            let Some(entry) = self.given.front() else {
                break;
            };
            let Some(latest) = entry.by() else {
                return Err(Unanswered);
            };
            self.window_opens = Some(self.window_opens.map_or(latest, |w| w.max(latest)));
            self.given.pop_front();
            self.first_ticket += 1;
        }
        let mut at = now;
        if let Some(next) = self.next {
            at = at.max(next);
        }
        if let Some(not_before) = self.not_before {
            at = at.max(not_before);
        }
        if let Some(opens) = self.window_opens {
            at = at.max(opens + RATE_WINDOW);
        }
        if let Some(p) = self.paused_until {
            at = at.max(p);
        }
        if let Some(sent) = self.recent.get(&chat) {
            if let Some(&latest) = sent.back() {
                at = at.max(latest + PER_CHAT_GAP);
            }
            if chat < 0 && sent.len() >= GROUP_MAX {
                at = at.max(sent[sent.len() - GROUP_MAX] + GROUP_WINDOW);
            }
        }
        // The schedule goes on from its own place, not from this slot, when the slot is
        // late: the next ones catch up to `CATCH_UP` of the time. After a second or more
        // with nothing sent (an idle queue, a 429's pause) it starts again from here.
        let place = match self.next {
            Some(next) if at <= next + RATE_WINDOW => next.max(at - CATCH_UP),
            _ => at,
        };
        let count = messages as u32;
        self.next = Some(place + self.step * count);
        self.not_before = Some(at + self.step * count / 2);
        let ticket = Ticket {
            first: self.first_ticket + self.given.len() as u64,
            messages: messages as u64,
        };
        if alone {
            self.given.push_back(Arrival::Alone { slot: at, by: None });
        } else {
            self.given
                .extend(std::iter::repeat_n(Arrival::InReply(None), messages));
        }
        let sent = self.recent.entry(chat).or_default();
        sent.push_back(at);
        while sent.len() > GROUP_MAX {
            sent.pop_front();
        }
        self.expiry.push_back((at + remembered_for(chat), chat));
        self.forget_before(at);
        Ok((at, ticket))
    }

    /// The message of `ticket` went at `at` (the moment its request began, which a busy
    /// thread may have put well after its slot): it counts until `MARGIN` after that.
    /// Known by the time it is answered.
    pub fn started(&mut self, ticket: Ticket, at: Instant) {
        let latest = at + MARGIN;
        if let Some(Arrival::Alone { by, .. }) = self.entry(ticket.first) {
            *by = Some(by.map_or(latest, |b| b.max(latest)));
        }
    }

    /// The messages of `ticket` were answered (whatever the answer, or none) by `at`: a
    /// longer reply's messages arrived by then; a message never started (its job was
    /// cancelled, the bot is stopping) never went, and counts from its slot.
    pub fn answered(&mut self, ticket: Ticket, at: Instant) {
        for n in ticket.first..ticket.first + ticket.messages {
            match self.entry(n) {
                Some(Arrival::Alone {
                    slot,
                    by: by @ None,
                }) => *by = Some(*slot + MARGIN),
                Some(Arrival::InReply(by)) => *by = Some(by.map_or(at, |b| b.max(at))),
                _ => {}
            }
        }
    }

    /// Every message given out is over, answered or not (the sender has none in flight
    /// any more, say after a send task ended without handing its ticket back): each
    /// arrived by `at`, if it went at all.
    pub fn all_answered(&mut self, at: Instant) {
        for entry in &mut self.given {
            match entry {
                Arrival::Alone {
                    slot,
                    by: by @ None,
                } => *by = Some(at.max(*slot + MARGIN)),
                Arrival::InReply(by) => {
                    by.get_or_insert(at);
                }
                Arrival::Alone { .. } => {}
            }
        }
    }

    /// The message of ticket `n`, while it is in the window.
    fn entry(&mut self, n: u64) -> Option<&mut Arrival> {
        let index = usize::try_from(n.checked_sub(self.first_ticket)?).ok()?;
        self.given.get_mut(index)
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
        times.sort_unstable();
        let mut busiest = 0;
        let mut from = 0;
        for to in 0..times.len() {
            while times[to].duration_since(times[from]) >= Duration::from_secs(1) {
                from += 1;
            }
            busiest = busiest.max(to - from + 1);
        }
        busiest
    }

    /// A slot for `chat`, started at once and answered the moment it starts.
    fn sent(pace: &mut Pace, chat: i64, now: Instant) -> Instant {
        let (at, ticket) = pace
            .slot(chat, 1, now)
            .expect("everything before was answered");
        pace.started(ticket, at);
        pace.answered(ticket, at);
        at
    }

    /// A repeatable stream of pseudo-random numbers (xorshift).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A duration from `low` to `high`, evenly spread.
        fn between(&mut self, low: Duration, high: Duration) -> Duration {
            low + (high - low).mul_f64((self.next() % 1_000_001) as f64 / 1e6)
        }

        fn one_in(&mut self, n: u64) -> bool {
            self.next().is_multiple_of(n)
        }
    }

    const MS: Duration = Duration::from_millis(1);

    /// What a simulated broadcast did: when each message started, and when it arrived.
    struct Run {
        starts: Vec<Instant>,
        arrivals: Vec<Instant>,
    }

    impl Run {
        /// Messages per second between the first arrival and the last.
        fn rate(&self) -> f64 {
            let first = self.arrivals.iter().min().unwrap();
            let last = self.arrivals.iter().max().unwrap();
            (self.arrivals.len() - 1) as f64 / last.duration_since(*first).as_secs_f64()
        }

        /// The median and the 99th percentile of the gaps between starts.
        fn gaps(&self) -> (Duration, Duration) {
            let mut starts = self.starts.clone();
            starts.sort_unstable();
            let mut gaps: Vec<Duration> = starts.windows(2).map(|w| w[1] - w[0]).collect();
            gaps.sort_unstable();
            (gaps[gaps.len() / 2], gaps[gaps.len() * 99 / 100])
        }
    }

    /// How the simulated world misbehaves.
    #[derive(Clone, Copy)]
    struct World {
        /// Telegram's answer comes this long (± half) after the message arrived.
        answer: Duration,
        /// One reply in four is two messages (a map, then a text too long for its
        /// caption), the second sent once the first is answered.
        two_part_replies: bool,
        /// One message in this many, the sender is held up before it asks for its slot
        /// (up to 15 ms: a store write), and as often between its slot and its start
        /// (up to 40 ms: a busy core, a 429's pause).
        stall_every: Option<u64>,
    }

    /// A broadcast of `replies` replies at `rate` as `sender.rs` runs it, in simulated
    /// time: up to `in_flight` replies at once (rate × the time a message takes to be
    /// answered, and half again, as the README advises; at least the default 4),
    /// results handed back as they come,
    /// a timer that wakes up to 1.1 ms late, 50–300 µs of the sender's own work per
    /// message, and each message's trip to Telegram taking 0–15 ms (less than `MARGIN`).
    fn broadcast(rate: u32, replies: usize, world: World, seed: u64) -> Run {
        let mut rng = Rng(seed);
        let mut pace = Pace::new(rate);
        let round_trip = (world.answer + 15 * MS).as_secs_f64();
        let in_flight = ((rate as f64 * round_trip * 1.5).ceil() as usize).max(4);
        // Each reply in flight: when it is answered, its ticket, when it started.
        let mut flying: Vec<(Instant, Ticket, Instant)> = Vec::new();
        let mut run = Run {
            starts: Vec::new(),
            arrivals: Vec::new(),
        };
        let mut now = Instant::now();
        for chat in 0..replies as i64 {
            let parts = if world.two_part_replies && rng.one_in(4) {
                2
            } else {
                1
            };
            let stalls = |rng: &mut Rng| world.stall_every.is_some_and(|n| rng.one_in(n));
            if stalls(&mut rng) {
                now += rng.between(Duration::ZERO, 15 * MS);
            }
            let (at, ticket) = loop {
                // Answers that came by now are handed back first, with the start.
                while let Some(i) = flying.iter().position(|(answer, ..)| *answer <= now) {
                    let (answer, ticket, start) = flying.swap_remove(i);
                    pace.started(ticket, start);
                    pace.answered(ticket, answer);
                }
                if flying.len() < in_flight {
                    match pace.slot(chat, parts, now) {
                        Ok(slot) => break slot,
                        Err(Unanswered) if flying.is_empty() => pace.all_answered(now),
                        Err(Unanswered) => {}
                    }
                }
                // Waits for the next answer.
                now = flying
                    .iter()
                    .map(|(answer, ..)| *answer)
                    .min()
                    .unwrap()
                    .max(now);
            };
            let mut start = if at > now {
                at + rng.between(Duration::ZERO, MS + MS / 10)
            } else {
                now
            };
            if stalls(&mut rng) {
                start += rng.between(Duration::ZERO, 40 * MS);
            }
            run.starts.push(start);
            let mut t = start;
            for _ in 0..parts {
                t += rng.between(Duration::ZERO, 15 * MS);
                run.arrivals.push(t);
                t += rng.between(world.answer / 2, world.answer * 3 / 2);
            }
            flying.push((t, ticket, start));
            now = start + rng.between(MS / 20, MS * 3 / 10);
        }
        run
    }

    const RATES: [u32; 3] = [25, 100, 1_000];
    const ANSWERS: [Duration; 2] = [Duration::ZERO, Duration::from_millis(100)];

    /// However long answers take, however often the sender is held up, and with replies
    /// of two messages among them, no second at the receiving end holds more than the
    /// rate: Telegram's view. About 20 s of each rate.
    #[test]
    fn no_second_at_the_receiving_end_holds_more_than_the_rate() {
        let world = |answer| World {
            answer,
            two_part_replies: true,
            stall_every: Some(50),
        };
        for rate in RATES {
            for answer in ANSWERS {
                let run = broadcast(
                    rate,
                    20 * rate as usize,
                    world(answer),
                    0x9e37_79b9_7f4a_7c15,
                );
                let busiest = busiest_second(&run.arrivals);
                assert!(
                    busiest <= rate as usize,
                    "{busiest} in one second at {rate}/s, answers after {answer:?}"
                );
            }
        }
    }

    /// The rate is reached however long Telegram takes to answer: at least 0.97 of it
    /// over half a minute, at 0 and 100 ms, with the sender held up about once a second
    /// (the old rule, a message's place held until its answer, reached 0.9 at 100 ms).
    #[test]
    fn the_rate_is_reached_however_long_answers_take() {
        for rate in RATES {
            for answer in ANSWERS {
                let world = World {
                    answer,
                    two_part_replies: false,
                    stall_every: Some(rate.into()),
                };
                let run = broadcast(rate, 30 * rate as usize, world, 0x2545_f491_4f6c_dd1d);
                let share = run.rate() / rate as f64;
                assert!(
                    share >= 0.97,
                    "{share:.3} of {rate}/s with answers after {answer:?}"
                );
            }
        }
    }

    /// Messages start evenly, one every (1 s + margin + slack) / rate, not in bunches:
    /// the gaps' median is the step and their 99th percentile within a timer's
    /// millisecond of it (the old rule: a median of half a step at 25/s, bunches
    /// of twice the rate each second).
    #[test]
    fn messages_start_evenly_spaced() {
        for rate in [25, 100] {
            for answer in ANSWERS {
                let world = World {
                    answer,
                    two_part_replies: false,
                    stall_every: None,
                };
                let run = broadcast(rate, 20 * rate as usize, world, 0xd1b5_4a32_d192_ed03);
                let step = (RATE_WINDOW + MARGIN + SLACK) / rate;
                let (median, p99) = run.gaps();
                assert!(
                    median.abs_diff(step) <= MS / 2,
                    "median gap {median:?}, step {step:?} at {rate}/s, answers after {answer:?}"
                );
                assert!(
                    p99 <= step + MS + MS / 10,
                    "p99 gap {p99:?}, step {step:?} at {rate}/s, answers after {answer:?}"
                );
            }
        }
    }

    #[test]
    fn the_rate_holds_in_every_second() {
        let start = Instant::now();
        let mut pace = Pace::new(25);
        let slots: Vec<Instant> = (0..1000).map(|chat| sent(&mut pace, chat, start)).collect();
        assert!(busiest_second(&slots) <= 25);
        // And hardly slower than the rate: a thousand messages in about forty windows.
        let per_second = 999.0 / slots[999].duration_since(start).as_secs_f64();
        assert!(per_second > 0.97 * 25.0, "{per_second}/s");
    }

    #[test]
    fn a_delay_is_made_up_for_to_20_ms_and_after_an_idle_second_the_schedule_starts_afresh() {
        let start = Instant::now();
        let mut pace = Pace::new(100);
        let step = pace.step;
        let mut slots: Vec<Instant> = (0..50).map(|chat| sent(&mut pace, chat, start)).collect();
        // The sender comes 15 ms late: the next messages go at up to twice the rate
        // until they are back on the schedule.
        let late = slots[49] + step + 15 * MS;
        slots.extend((50..100).map(|chat| sent(&mut pace, chat, late)));
        assert!(slots[50..].windows(2).all(|w| w[1] - w[0] >= step / 2));
        assert_eq!(slots[99], start + step * 99, "back on the schedule");
        // 200 ms late: 20 ms of it made up, the rest lost rather than sent in a burst.
        let later = slots[99] + step + 200 * MS;
        slots.extend((100..150).map(|chat| sent(&mut pace, chat, later)));
        assert_eq!(slots[100], later);
        assert!(slots[100..].windows(2).all(|w| w[1] - w[0] >= step / 2));
        assert_eq!(slots[149], later - CATCH_UP + step * 49);
        // After a second with nothing sent, nothing is made up: evenly from the first.
        let idle = slots[149] + Duration::from_secs(5);
        slots.extend((150..160).map(|chat| sent(&mut pace, chat, idle)));
        assert_eq!(slots[150], idle);
        assert!(slots[150..].windows(2).all(|w| w[1] - w[0] == step));
        assert!(busiest_second(&slots) <= 100);
    }

    #[test]
    fn a_message_started_late_counts_from_its_start() {
        let start = Instant::now();
        let mut pace = Pace::new(10);
        let (first, ticket) = pace.slot(1, 1, start).unwrap();
        for chat in 2..=10 {
            sent(&mut pace, chat, start);
        }
        // Until the sender says when the first started, the eleventh waits.
        assert_eq!(pace.slot(11, 1, start), Err(Unanswered));
        // A 429's pause, or a busy core, held it up after its slot.
        let started = first + 300 * MS;
        pace.started(ticket, started);
        pace.answered(ticket, started + 100 * MS);
        let eleventh = sent(&mut pace, 11, start);
        assert_eq!(eleventh, started + MARGIN + RATE_WINDOW);
    }

    #[test]
    fn every_message_of_a_reply_counts() {
        let start = Instant::now();
        let mut pace = Pace::new(10);
        let slots: Vec<Instant> = (0..20)
            .map(|chat| {
                let (at, ticket) = pace.slot(chat, 2, start).unwrap();
                pace.started(ticket, at);
                pace.answered(ticket, at);
                at
            })
            .collect();
        // Twenty replies of two messages: five a second.
        assert!(busiest_second(&slots) <= 5, "{}", busiest_second(&slots));
        // A reply longer than the rate fills a window and still goes.
        assert!(pace.slot(99, 50, start).is_ok());
    }

    /// A reply's second message goes once its first is answered, so it may arrive long
    /// after the reply started: the reply holds its places until it is answered.
    #[test]
    fn a_reply_of_two_messages_counts_until_it_is_answered() {
        let start = Instant::now();
        let mut pace = Pace::new(3);
        let (at, ticket) = pace.slot(1, 2, start).unwrap();
        pace.started(ticket, at);
        sent(&mut pace, 2, start);
        // The window is full, and the reply has no answer yet.
        assert_eq!(pace.slot(3, 1, start), Err(Unanswered));
        let answer = at + 700 * MS;
        pace.answered(ticket, answer);
        let (third, _) = pace.slot(3, 1, start).unwrap();
        assert_eq!(third, answer + RATE_WINDOW);
    }

    #[test]
    fn a_message_that_never_handed_its_ticket_back_ends_with_all_answered() {
        let start = Instant::now();
        let mut pace = Pace::new(2);
        // Three messages at 2/s fill a window, each counted until the reply's answer.
        pace.slot(1, 3, start).unwrap();
        assert_eq!(pace.slot(3, 1, start), Err(Unanswered));
        let over = start + 500 * MS;
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
