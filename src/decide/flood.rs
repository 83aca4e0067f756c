//! Per-chat flood control: a chat that sends commands faster than anyone reads gets a
//! few answers and one notice; the rest is dropped before it costs a reply.
//!
//! A token bucket per chat, kept in a map that forgets idle chats, so a crowd of
//! distinct chats cannot grow memory without bound.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What to do with one update from a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Answer,
    /// The first update over the limit: tell the chat once.
    Notice,
    Drop,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
    noticed: bool,
}

pub struct FloodGuard {
    burst: f64,
    per_second: f64,
    buckets: Mutex<Buckets>,
}

struct Buckets {
    map: HashMap<i64, Bucket>,
    /// The size at which idle chats are next forgotten. It doubles past what a prune
    /// leaves, so a crowd of active chats costs amortised O(1) per update, not O(n).
    prune_at: usize,
}

/// The smallest map worth pruning.
const PRUNE_MIN: usize = 4096;

impl FloodGuard {
    /// `burst` answers at once, then `per_second` on average.
    pub fn new(burst: u32, per_second: f64) -> FloodGuard {
        FloodGuard {
            burst: f64::from(burst),
            per_second,
            buckets: Mutex::new(Buckets {
                map: HashMap::new(),
                prune_at: PRUNE_MIN,
            }),
        }
    }

    pub fn check(&self, chat: i64) -> Verdict {
        self.check_at(chat, Instant::now())
    }

    pub fn check_at(&self, chat: i64, now: Instant) -> Verdict {
        let mut guard = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let buckets = &mut *guard;
        if buckets.map.len() >= buckets.prune_at {
            // A bucket idle this long is full again: forgetting it changes nothing.
            let full_after = Duration::from_secs_f64(self.burst / self.per_second);
            buckets
                .map
                .retain(|_, b| now.saturating_duration_since(b.last) < full_after);
            buckets.prune_at = (buckets.map.len() * 2).max(PRUNE_MIN);
        }
        let bucket = buckets.map.entry(chat).or_insert(Bucket {
            tokens: self.burst,
            last: now,
            noticed: false,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.last = now;
        // One notice per flood: only a chat that has calmed down (a full bucket again)
        // can be told a second time.
        if bucket.tokens >= self.burst {
            bucket.noticed = false;
        }
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Verdict::Answer
        } else if !bucket.noticed {
            bucket.noticed = true;
            Verdict::Notice
        } else {
            Verdict::Drop
        }
    }

    /// Chats currently tracked; for tests and memory checks.
    pub fn tracked(&self) -> usize {
        self.buckets.lock().map(|b| b.map.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_notice_then_silence_then_recovery() {
        let guard = FloodGuard::new(3, 1.0);
        let t0 = Instant::now();
        let verdicts: Vec<Verdict> = (0..10).map(|_| guard.check_at(7, t0)).collect();
        assert_eq!(&verdicts[..3], &[Verdict::Answer; 3]);
        assert_eq!(verdicts[3], Verdict::Notice);
        assert!(verdicts[4..].iter().all(|v| *v == Verdict::Drop));
        // Other chats are not affected.
        assert_eq!(guard.check_at(8, t0), Verdict::Answer);
        // A second later one more answer is allowed, but no second notice.
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(guard.check_at(7, t1), Verdict::Answer);
        assert_eq!(guard.check_at(7, t1), Verdict::Drop);
        // Once the chat has calmed down, a new flood gets a new notice.
        let t2 = t1 + Duration::from_secs(10);
        let verdicts: Vec<Verdict> = (0..4).map(|_| guard.check_at(7, t2)).collect();
        assert_eq!(
            verdicts,
            [
                Verdict::Answer,
                Verdict::Answer,
                Verdict::Answer,
                Verdict::Notice
            ]
        );
    }

    #[test]
    fn idle_chats_are_forgotten() {
        let guard = FloodGuard::new(3, 1.0);
        let t0 = Instant::now();
        for chat in 0..10_000 {
            guard.check_at(chat, t0);
        }
        assert!(guard.tracked() <= 10_000);
        let later = t0 + Duration::from_secs(60);
        for chat in 10_000..20_000 {
            guard.check_at(chat, later);
        }
        assert!(guard.tracked() <= 12_000, "{}", guard.tracked());
    }
}
