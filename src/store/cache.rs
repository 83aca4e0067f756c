//! A bounded copy of chat → language in memory, in front of the database, so that
//! answering a message costs no database round trip. Chats are known here by the first
//! 8 bytes of their lookup hash (`data_key::cache_key`), as the table has them.
//!
//! Loaded whole at start when the table fits (then a chat it does not hold has no saved
//! choice, and even a first message needs no read); otherwise, or once the table
//! outgrows it, it keeps the chats seen most recently, including "no choice", and the
//! store reads the database for the rest. Writes go to the database first and land
//! here only once they succeeded.
//!
//! It is right only while this process is the database's one writer, so the store keeps
//! one for SQLite only: with PostgreSQL, which is there for replicas sharing one
//! database, every read goes to the database. Processes sharing one SQLite file must run
//! with `--lang-cache 0`, or one's `/lang` goes unseen by the others. Within the
//! process, both store handles (the bot's and the sender's) share one cache, so a chat
//! the sender removes is gone from it too. The one other writer the bot cannot be told
//! about, `qantar-bot purge` while it runs, counts each purge in the store; the store
//! asks that count now and then (`purge_check_due`), and a count that moved means every
//! chat is asked for again (`saw_purges`). A choice is written whatever the cache says,
//! so one it still wrongly holds is never lost.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::lang::Lang;

/// What the cache knows about a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// The chat's saved choice, or `None`: it has none.
    Known(Option<Lang>),
    /// Ask the database.
    Unknown,
}

/// At most `capacity` chats, in two generations: a chat looked up or written lands in
/// the young one; when that fills to half the capacity, the old generation is dropped
/// and the young one becomes old. Bounded, O(1), and close to least-recently-used.
#[derive(Debug)]
pub struct LangCache {
    capacity: usize,
    inner: Mutex<Generations>,
    purges: Mutex<Purges>,
}

/// The store's count of purges, as last asked.
#[derive(Debug, Default)]
struct Purges {
    asked: Option<Instant>,
    seen: Option<i64>,
}

#[derive(Debug, Default)]
struct Generations {
    young: HashMap<i64, Option<Lang>>,
    old: HashMap<i64, Option<Lang>>,
    /// Holds every row of the table: absence means "no choice". Lost for good at the
    /// first eviction.
    complete: bool,
}

impl LangCache {
    /// An empty cache that learns chats as they come.
    pub fn new(capacity: usize) -> LangCache {
        LangCache {
            capacity: capacity.max(2),
            inner: Mutex::new(Generations::default()),
            purges: Mutex::new(Purges::default()),
        }
    }

    /// A cache holding the whole table; complete if the table fits.
    pub fn with_table(capacity: usize, rows: impl IntoIterator<Item = (i64, Lang)>) -> LangCache {
        let cache = LangCache::new(capacity);
        {
            let mut g = cache.lock();
            g.young = rows.into_iter().map(|(k, v)| (k, Some(v))).collect();
            g.complete = g.young.len() <= cache.capacity;
            if !g.complete {
                g.young.clear();
            }
        }
        cache
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        // The map is consistent after every statement; a panic elsewhere cannot break it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, chat: i64) -> Lookup {
        let mut g = self.lock();
        if let Some(&v) = g.young.get(&chat) {
            return Lookup::Known(v);
        }
        if let Some(v) = g.old.remove(&chat) {
            self.insert(&mut g, chat, v);
            return Lookup::Known(v);
        }
        if g.complete {
            Lookup::Known(None)
        } else {
            Lookup::Unknown
        }
    }

    /// Records what the database now says about `chat`.
    pub fn put(&self, chat: i64, lang: Option<Lang>) {
        let mut g = self.lock();
        g.old.remove(&chat);
        if g.complete && lang.is_none() {
            // Absence already says "no choice"; keep the map to real rows.
            g.young.remove(&chat);
            return;
        }
        self.insert(&mut g, chat, lang);
    }

    /// Forgets `chat` without knowing its value: a write that may or may not have
    /// reached the database.
    pub fn invalidate(&self, chat: i64) {
        let mut g = self.lock();
        g.young.remove(&chat);
        g.old.remove(&chat);
        g.complete = false;
    }

    fn insert(&self, g: &mut Generations, chat: i64, lang: Option<Lang>) {
        let half = self.capacity / 2;
        if g.complete {
            g.young.insert(chat, lang);
            if g.young.len() > self.capacity {
                // The table outgrew us: from now on, the recent chats only.
                g.complete = false;
                g.old = std::mem::take(&mut g.young);
            }
            return;
        }
        if g.young.len() >= half && !g.young.contains_key(&chat) {
            g.old = std::mem::take(&mut g.young);
        }
        g.young.insert(chat, lang);
    }

    /// Forgets every chat after the table was emptied (a purge): now complete again,
    /// since an empty table is held whole.
    pub fn clear(&self) {
        let mut g = self.lock();
        g.young.clear();
        g.old.clear();
        g.complete = true;
    }

    /// Forgets every chat, completeness too: the table changed under us in ways not
    /// known, so every chat is asked for again.
    fn forget_all(&self) {
        let mut g = self.lock();
        g.young.clear();
        g.old.clear();
        g.complete = false;
    }

    /// True when the store's purge count should be asked again: not within `every` of
    /// the last time. Answering true counts as asking, so one caller asks at a time.
    pub fn purge_check_due(&self, every: Duration) -> bool {
        let mut p = self.purges.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if p.asked.is_some_and(|at| now.duration_since(at) < every) {
            return false;
        }
        p.asked = Some(now);
        true
    }

    /// The store has seen `count` purges: one more than last seen is a purge we did not
    /// make, and nothing held can be trusted. The first count seen is only noted.
    pub fn saw_purges(&self, count: i64) {
        let mut p = self.purges.lock().unwrap_or_else(|e| e.into_inner());
        if p.seen.is_some_and(|seen| seen != count) {
            self.forget_all();
        }
        p.seen = Some(count);
    }

    /// After a purge made through this cache's own store (`clear` already ran): its
    /// `count` is ours, not news.
    pub fn purged_here(&self, count: i64) {
        self.purges.lock().unwrap_or_else(|e| e.into_inner()).seen = Some(count);
    }

    /// How many chats are held, for tests and the memory bound.
    pub fn len(&self) -> usize {
        let g = self.lock();
        g.young.len() + g.old.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True while the cache holds the whole table.
    pub fn is_complete(&self) -> bool {
        self.lock().complete
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_cache_answers_every_chat() {
        let cache = LangCache::with_table(10, [(1, Lang::Kk), (2, Lang::Ru)]);
        assert!(cache.is_complete());
        assert_eq!(cache.get(1), Lookup::Known(Some(Lang::Kk)));
        assert_eq!(cache.get(3), Lookup::Known(None));
        cache.put(3, Some(Lang::En));
        cache.put(1, None);
        assert_eq!(cache.get(3), Lookup::Known(Some(Lang::En)));
        assert_eq!(cache.get(1), Lookup::Known(None));
        // "No choice" is not stored while complete.
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn a_table_too_big_starts_empty_and_learns() {
        let cache = LangCache::with_table(2, [(1, Lang::Kk), (2, Lang::Ru), (3, Lang::En)]);
        assert!(!cache.is_complete());
        assert!(cache.is_empty());
        assert_eq!(cache.get(1), Lookup::Unknown);
        cache.put(1, Some(Lang::Kk));
        cache.put(4, None);
        assert_eq!(cache.get(4), Lookup::Known(None));
    }

    #[test]
    fn outgrowing_the_capacity_drops_completeness_not_correctness() {
        let cache = LangCache::with_table(4, []);
        for chat in 0..5 {
            cache.put(chat, Some(Lang::Ru));
        }
        assert!(!cache.is_complete());
        // What is still held is right; what is not is asked for, never guessed.
        for chat in 0..5 {
            assert!(matches!(
                cache.get(chat),
                Lookup::Known(Some(Lang::Ru)) | Lookup::Unknown
            ));
        }
        assert_eq!(cache.get(99), Lookup::Unknown);
    }

    #[test]
    fn memory_stays_bounded_by_the_capacity() {
        let cache = LangCache::new(1000);
        for chat in 0..100_000 {
            cache.put(chat, if chat % 3 == 0 { Some(Lang::Kk) } else { None });
            assert!(cache.len() <= 1000);
        }
        // The most recent chats are still there.
        assert_eq!(cache.get(99_999), Lookup::Known(Some(Lang::Kk)));
        assert_eq!(cache.get(99_998), Lookup::Known(None));
        assert_eq!(cache.get(0), Lookup::Unknown);
    }

    #[test]
    fn a_looked_up_chat_survives_the_next_rotation() {
        let cache = LangCache::new(4);
        cache.put(1, Some(Lang::Kk));
        cache.put(2, None);
        cache.put(3, None); // young was full (2 of 2): {1, 2} became old
        assert_eq!(cache.get(1), Lookup::Known(Some(Lang::Kk))); // promoted back
        cache.put(4, None); // rotates again: {3, 1} old, {2} dropped
        assert_eq!(cache.get(1), Lookup::Known(Some(Lang::Kk)));
        assert_eq!(cache.get(2), Lookup::Unknown);
    }

    #[test]
    fn a_purge_seen_elsewhere_forgets_every_chat() {
        let cache = LangCache::with_table(10, [(1, Lang::Kk)]);
        cache.saw_purges(0);
        assert_eq!(
            cache.get(1),
            Lookup::Known(Some(Lang::Kk)),
            "first count: noted"
        );
        cache.saw_purges(0);
        assert_eq!(
            cache.get(1),
            Lookup::Known(Some(Lang::Kk)),
            "no purge since"
        );
        cache.saw_purges(1);
        assert_eq!(cache.get(1), Lookup::Unknown);
        assert_eq!(cache.get(2), Lookup::Unknown, "no longer complete");
        cache.clear();
        cache.purged_here(2);
        cache.saw_purges(2);
        assert!(cache.is_complete(), "our own purge is not news");
    }

    #[test]
    fn the_purge_count_is_asked_once_per_interval() {
        let cache = LangCache::new(10);
        let every = Duration::from_secs(3600);
        assert!(cache.purge_check_due(every));
        assert!(!cache.purge_check_due(every));
        assert!(cache.purge_check_due(Duration::ZERO));
    }

    #[test]
    fn an_invalidated_chat_is_asked_for_again() {
        let cache = LangCache::with_table(10, [(1, Lang::Kk)]);
        cache.invalidate(1);
        assert_eq!(cache.get(1), Lookup::Unknown);
        assert_eq!(cache.get(2), Lookup::Unknown);
    }
}
